import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * Small layout rules: a metric's change on a phone (390 px), "(+€143,750)", is one word, never broken after its sign
 * onto two lines; a filter field's label and checkbox ("Placed in ☐ and below") stay inside their field and never run
 * into the next one. Only with DATABASE_URL (SPEC §10).
 */
const PHONE = { width: 390, height: 800 };

describe.skipIf(SKIP_REASON !== null)('small layouts', () => {
  let session: OwnerSession;

  beforeAll(async () => {
    session = await ownerSession();
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('keeps each change of the compare page on one line', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize(PHONE);
    await w.page.goto(`${acme}/scenarios`);
    const ids = await w.page.locator('input[type=checkbox][name=id]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    await w.page.goto(`${acme}/scenarios/compare?${ids.map((id) => `id=${id}`).join('&')}`);
    await checkPage(w);
    const changes = w.page.locator('td .delta-cost-rise, td .delta-saving, td .delta-neutral');
    expect(await changes.count(), 'the demo scenario moves some figures').toBeGreaterThan(0);
    const wrapped = await changes.evaluateAll((spans) =>
      spans.filter((s) => s.getClientRects().length > 1 || s.getBoundingClientRect().height > parseFloat(getComputedStyle(s).lineHeight) * 1.5).map((s) => s.textContent),
    );
    expect(wrapped, 'changes broken over two lines').toEqual([]);
  });

  it('keeps the People filters’ "Placed in ☐ and below" inside its field, at desktop and phone widths', async () => {
    const { w, acme } = session;
    for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
      await w.page.setViewportSize(viewport);
      await w.page.goto(`${acme}/live/matrix`);
      await checkPage(w);
      const overflow = await w.page.locator('form.filters .field').evaluateAll((fields) =>
        fields.flatMap((field) => {
          const box = field.getBoundingClientRect();
          return [...field.querySelectorAll('label, input, select')]
            .filter((e) => e.getBoundingClientRect().right > box.right + 1)
            .map((e) => `${e.tagName === 'LABEL' ? e.textContent?.trim() : e.getAttribute('name')} overflows its field by ${Math.round(e.getBoundingClientRect().right - box.right)} px`);
        }),
      );
      expect(overflow, `at ${viewport.width} px`).toEqual([]);
    }
  });
});
