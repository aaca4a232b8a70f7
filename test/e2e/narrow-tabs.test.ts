import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, SKIP_REASON, type OwnerSession } from './support.js';

/**
 * Tabs on a phone: a scenario's views (Overview, Change tray, Delta, People) and the organisation's (Tree, People,
 * Spans, Lineage) sit in one row at 360 and 375 px, never with the last tab left alone on a second line under the
 * active one's underline. And a page's head, stacked on a phone, keeps its heading next to what stood beside it on a
 * desktop (a scenario's badges, the plan's hint), not a blank band away. Only with DATABASE_URL (SPEC §10).
 */
describe.skipIf(SKIP_REASON !== null)('tabs on a phone', () => {
  let session: OwnerSession;

  beforeAll(async () => {
    session = await ownerSession();
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('keeps every tab row on one line', async () => {
    const { w, acme } = session;
    await w.page.goto(`${acme}/scenarios`);
    const planning = await w.page.locator('tr', { has: w.page.locator('.badge', { hasText: 'planning' }) }).locator('a[href^="/scenarios/"]').first().getAttribute('href');
    expect(planning, 'the demo has a planning scenario').toBeTruthy();
    for (const width of [360, 375]) {
      await w.page.setViewportSize({ width, height: 800 });
      for (const path of [planning!, `${planning}/changes`, `${planning}/delta`, '/live']) {
        await w.page.goto(`${acme}${path}`);
        await checkPage(w);
        const rows = await w.page.locator('nav.subnav ul').evaluateAll((lists) =>
          lists.map((ul) => ({ tabs: ul.children.length, rows: new Set([...ul.children].map((li) => Math.round(li.getBoundingClientRect().top))).size })),
        );
        expect(rows.length, `${path}: a tab row`).toBeGreaterThan(0);
        for (const row of rows) expect(row.rows, `${path} at ${width} px: ${row.tabs} tabs in one row`).toBe(1);
      }
    }
  });

  it('keeps a stacked page head together', async () => {
    const { w, acme } = session;
    await w.page.setViewportSize({ width: 375, height: 800 });
    await w.page.goto(`${acme}/scenarios`);
    const planning = await w.page.locator('tr', { has: w.page.locator('.badge', { hasText: 'planning' }) }).locator('a[href^="/scenarios/"]').first().getAttribute('href');
    for (const path of [planning!, '/scenarios', '/snapshots']) {
      await w.page.goto(`${acme}${path}`);
      await checkPage(w);
      const gap = await w.page.locator('main .page-head').first().evaluate((head) => {
        const [heading, beside] = [...head.children] as HTMLElement[];
        return beside!.getBoundingClientRect().top - heading!.getBoundingClientRect().bottom;
      });
      expect(gap, `${path}: space between the heading and what follows it in the head`).toBeLessThanOrEqual(12);
    }
  });
});
