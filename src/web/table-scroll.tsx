import type { Child } from 'hono/jsx';

/**
 * A table that may be wider than the screen (a phone): it scrolls sideways inside this box and never widens the
 * page. The box is a named region, so a screen reader announces what scrolls ("People table, region": named apart
 * from the section around it, usually labelled "People" by its heading), and it takes keyboard focus, so the arrow
 * keys scroll it (app.js takes it out of the tab order again while nothing overflows).
 */
export function TableScroll(props: { label: string; children: Child }) {
  return (
    <div class="table-wrap" role="region" aria-label={`${props.label} table`} tabindex={0}>
      {props.children}
    </div>
  );
}
