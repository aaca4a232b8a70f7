// Small progressive enhancements; every page works without them.

// Where a copy is announced to a screen reader: a status region present before anything is written to it.
const copyStatus = document.createElement('p');
copyStatus.className = 'visually-hidden';
copyStatus.setAttribute('role', 'status');
document.body.append(copyStatus);

// A copy button (web/copy-button.tsx: "Copy" shown, "Copy <what>" named) copies its field, reads "Copied" for a moment
// — only its visible word changes, its name stays — and says "Copied <what>" in the status region.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const target = document.getElementById(button.getAttribute('data-copy'));
  if (!target) return;
  const text = 'value' in target && target.value !== undefined ? target.value : target.textContent;
  navigator.clipboard.writeText(text.trim()).then(
    () => {
      const shown = [...button.childNodes].find((node) => node.nodeType === Node.TEXT_NODE && node.data.trim());
      const said = button.textContent.trim().replace(/^Copy\b/, 'Copied');
      if (shown) {
        const before = shown.data;
        shown.data = 'Copied';
        setTimeout(() => (shown.data = before), 1500);
      }
      copyStatus.textContent = '';
      setTimeout(() => (copyStatus.textContent = said), 50);
    },
    () => target.select && target.select(),
  );
});

document.addEventListener('submit', (event) => {
  const message = event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) event.preventDefault();
});

// A form is sent once: a second click while the first is on its way (a double-click on Allow, Create token or
// Apply) does nothing, instead of sending it again.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method.toLowerCase() !== 'post') return;
  if (form.dataset.sending) event.preventDefault();
  else form.dataset.sending = 'true';
});
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-sending]')) delete form.dataset.sending;
});

// A link that throws work away (Discard all) asks first, as forms with data-confirm do.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-confirm]');
  if (link && !window.confirm(link.getAttribute('data-confirm'))) event.preventDefault();
});

// A page holding work that is not saved yet (the change tray's staged changes, kept in the page) asks before it is
// left by anything but its own forms — those posting back to it, which carry the work — or a confirmed discard:
// signing out asks too.
let leavingOnPurpose = false;
document.addEventListener('submit', (event) => {
  const form = event.target;
  // The attribute: `form.action` is the tray's own button named "action".
  const target = new URL(form.getAttribute('action') ?? '', location.href);
  if (!event.defaultPrevented && target.pathname === location.pathname) leavingOnPurpose = true;
});
document.addEventListener('click', (event) => {
  if (!event.defaultPrevented && event.target.closest('a[data-confirm]')) leavingOnPurpose = true;
});
window.addEventListener('pageshow', () => (leavingOnPurpose = false));
window.addEventListener('beforeunload', (event) => {
  if (leavingOnPurpose || !document.querySelector('[data-unsaved]')) return;
  event.preventDefault();
  event.returnValue = '';
  // Staying (the prompt dismissed): the form that asked to leave (Sign out) may be sent again.
  setTimeout(() => {
    for (const form of document.querySelectorAll('form[data-sending]')) delete form.dataset.sending;
  }, 0);
});

// A table's scroll box (role=region, tabindex=0 in the HTML, for the arrow keys) is a Tab stop only while its table
// is wider than it: on a desktop, where everything fits, Tab goes straight to the table's links.
function tabToScrollingTables() {
  for (const box of document.querySelectorAll('.table-wrap[role="region"]')) {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute('tabindex', '0');
    else if (document.activeElement !== box) box.removeAttribute('tabindex');
  }
}
tabToScrollingTables();
window.addEventListener('resize', tabToScrollingTables);
window.addEventListener('load', tabToScrollingTables);

// A form sent back refused (the page answered 4xx): the field at fault takes the focus (its error is tied to it by
// aria-describedby), or, when the refusal names no field, the error notice does — a keyboard or screen-reader user
// lands where to act instead of at the top of the page. Not when the page put the focus somewhere itself
// (autofocus), and not on a page read with GET that marks fields (an import's rows to fix): only a refusal moves it.
window.addEventListener('DOMContentLoaded', () => {
  const navigation = performance.getEntriesByType('navigation')[0];
  if (!navigation || !(navigation.responseStatus >= 400 && navigation.responseStatus < 500)) return;
  if (document.activeElement && document.activeElement !== document.body) return;
  const field = document.querySelector('main :is(input, select, textarea)[aria-invalid="true"]');
  if (field) return field.focus();
  const notice = document.querySelector('main .notice.error');
  if (notice) {
    notice.setAttribute('tabindex', '-1');
    notice.focus();
  }
});

// A typed field of the change tray (web/scenarios/tray-suggest.ts: past a few dozen records, a field naming a person,
// placement, position or unit) whose page holds only the start of its suggestion list: as the person types, the
// records matching what they typed are asked of the field's `data-suggest` address — the whole scenario, best
// matches first — and fill its list, after what the tray stages (`data-staged`) that matches too. Asked after a
// short pause in typing; an earlier request still on its way is cancelled, so a slow answer never replaces a newer
// one. Without this script the field still takes a whole name, or a pasted id.
const SUGGEST_PAUSE_MS = 150;
const suggestState = new WeakMap();
function suggestStateOf(list) {
  let state = suggestState.get(list);
  if (!state) {
    state = { first: [...list.options].map((o) => o.cloneNode(true)), timer: 0, request: null };
    suggestState.set(list, state);
  }
  return state;
}
const foldedText = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
function fillSuggestions(list, options) {
  list.replaceChildren(...options);
}
document.addEventListener('input', (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.dataset.suggest || !field.list) return;
  const list = field.list;
  const state = suggestStateOf(list);
  clearTimeout(state.timer);
  state.request?.abort();
  const typed = field.value.trim();
  // Emptied: the page's own start of the list again. A suggestion just picked: nothing more to find.
  if (!typed) return fillSuggestions(list, state.first.map((o) => o.cloneNode(true)));
  if ([...list.options].some((o) => o.value === field.value)) return;
  state.timer = setTimeout(async () => {
    const request = new AbortController();
    state.request = request;
    try {
      const address = `${field.dataset.suggest}&q=${encodeURIComponent(typed)}`;
      const response = await fetch(address, { headers: { accept: 'application/json' }, credentials: 'same-origin', signal: request.signal });
      // Signed out meanwhile (the sign-in page), or refused: the list stays as it is; sending the form says why.
      if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return;
      const { suggestions } = await response.json();
      if (request.signal.aborted) return;
      const staged = state.first.filter((o) => o.hasAttribute('data-staged') && foldedText(o.value).includes(foldedText(typed)));
      const found = suggestions.map((s) => Object.assign(document.createElement('option'), { value: s.value }));
      fillSuggestions(list, [...staged.map((o) => o.cloneNode(true)), ...found]);
    } catch (error) {
      if (error.name !== 'AbortError') console.warn('suggestions not loaded', error);
    } finally {
      if (state.request === request) state.request = null;
    }
  }, SUGGEST_PAUSE_MS);
});
