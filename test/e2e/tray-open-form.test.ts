import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, createScenarioInBrowser, ownerSession, screenshot, SKIP_REASON, type OwnerSession, type WatchedPage } from './support.js';

/**
 * An opened form of the change tray on a desktop, in real Chromium: it takes the width of the list of changes, its
 * fields side by side and lined up at the top, not one narrow column of twelve fields beside empty space while the
 * other changes' titles sit next to its first lines. Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const LONG = 150_000;

describe.skipIf(SKIP_REASON !== null)('an opened change of the tray, in Chromium', () => {
  let session: OwnerSession;
  let acme: string;
  let w: WatchedPage;

  beforeAll(async () => {
    session = await ownerSession();
    ({ acme, w } = session);
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('takes the row of the changes on a desktop, with its fields side by side and their boxes lined up', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    const scenarioId = await createScenarioInBrowser(page, acme, 'E2E an opened change');
    // "Add a person" from a unit's page opens that form; it is in the middle of the list.
    await page.goto(`${acme}/scenarios/${scenarioId}/changes?op=add_actor`);
    await checkPage(w, 'change tray with a form open');
    const geometry = await page.evaluate(() => {
      const ops = document.querySelector('.ops')!.getBoundingClientRect();
      const open = document.querySelector('details.op[open]')!;
      const box = open.getBoundingClientRect();
      const field = (label: string) => {
        const input = [...open.querySelectorAll('label')].find((l) => l.textContent!.trim().startsWith(label))!.control!;
        return input.getBoundingClientRect();
      };
      const others = [...document.querySelectorAll('details.op:not([open])')].map((d) => d.getBoundingClientRect());
      return {
        width: box.width / ops.width,
        beside: others.filter((o) => o.top < box.bottom && o.bottom > box.top).length,
        name: field('Name'),
        kind: field('Kind'),
        unit: field('Unit (primary placement)'),
        title: field('Title'),
      };
    });
    await screenshot(page, 'tray-open-form');
    expect(geometry.width, 'the opened change is as wide as the list').toBeGreaterThan(0.97);
    expect(geometry.beside, 'no closed change beside the opened one').toBe(0);
    // Name, Kind, Unit and Title on one row, their boxes at one height.
    for (const f of [geometry.kind, geometry.unit, geometry.title]) {
      expect(f.left).toBeGreaterThan(geometry.name.left);
      expect(Math.abs(f.top - geometry.name.top)).toBeLessThanOrEqual(1);
    }
  }, LONG);
});
