/**
 * A button copying a field's value to the clipboard (app.js, `data-copy`): "Copy" on screen, "Copy <what>" to a screen
 * reader, so the several on a page are told apart; once copied it reads "Copied" for a moment and says so in the
 * page's status region.
 */
export function CopyButton(props: { target: string; what: string; secondary?: boolean }) {
  return (
    <button type="button" class={props.secondary ? 'secondary' : undefined} data-copy={props.target}>
      Copy<span class="visually-hidden"> {props.what}</span>
    </button>
  );
}
