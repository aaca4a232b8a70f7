import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * On a phone (390 px) a wide table scrolls sideways in its own box; the column a person reads it for (a metric's
 * change, a member's status) shows without scrolling. Only with DATABASE_URL (SPEC §10).
 */
const PHONE = { width: 390, height: 800 };

describe.skipIf(SKIP_REASON !== null)('the key column of a wide table on a phone', () => {
  let session: OwnerSession;

  beforeAll(async () => {
    session = await ownerSession();
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  /** Whether the header cell named `column` of the table in region `region` lies inside its scroll box, unscrolled. */
  async function shownUnscrolled(region: string, column: string): Promise<{ shown: boolean; scrolls: boolean }> {
    const box = session.w.page.getByRole('region', { name: region }).first();
    return box.evaluate((e, column) => {
      const th = [...e.querySelectorAll('thead th')].find((t) => t.textContent!.trim() === column);
      if (!th) throw new Error(`no column ${column}`);
      const outer = e.getBoundingClientRect();
      const cell = th.getBoundingClientRect();
      return { shown: e.scrollLeft === 0 && cell.left >= outer.left - 1 && cell.right <= outer.right + 1, scrolls: e.scrollWidth > e.clientWidth + 1 };
    }, column);
  }

  it('shows the Change of each metric delta and the Status of each member without scrolling sideways', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize(PHONE);
    await w.page.goto(`${acme}/scenarios`);
    const demo = (await w.page.locator('tbody a[href^="/scenarios/"]', { hasText: 'platform-realignment' }).first().getAttribute('href'))!;
    await w.page.goto(`${acme}${demo}/delta`);
    await checkPage(w);
    const change = await shownUnscrolled('Metric deltas table', 'Change');
    expect(change.shown, 'the Change column of the metric deltas').toBe(true);

    await w.page.goto(`${acme}/settings/members`);
    await checkPage(w);
    const status = await shownUnscrolled('Members table', 'Status');
    expect(status.scrolls, 'the members table is wider than the phone: the case that hid the status').toBe(true);
    expect(status.shown, 'the Status column of the members').toBe(true);
  });
});
