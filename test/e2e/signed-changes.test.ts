import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * A metric's change on a phone (390 px): "(+€143,750)" is one word, never broken after its sign onto two lines.
 * Only with DATABASE_URL (SPEC §10).
 */
const PHONE = { width: 390, height: 800 };

describe.skipIf(SKIP_REASON !== null)('signed changes on a phone', () => {
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
});
