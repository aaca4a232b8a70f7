import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, ownerSession, screenshot, SKIP_REASON, type OwnerSession, type WatchedPage } from './support.js';

/**
 * Your account on a desktop, in real Chromium: its heading, its "All settings" link, a notice and its two cards make
 * one column — never a heading at the page's left edge and a link at its right over cards floating in the middle.
 * Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

describe.skipIf(SKIP_REASON !== null)('Your account, in Chromium', () => {
  let session: OwnerSession;
  let acme: string;
  let w: WatchedPage;

  beforeAll(async () => {
    session = await ownerSession();
    ({ acme, w } = session);
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('lines up the heading, the link back to the settings, a refusal and the cards in one column', async () => {
    const { page } = w;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${acme}/account`);
    await checkPage(w, 'account');
    // A refusal (the new passwords differ) puts a notice above the cards.
    await page.getByLabel('Current password').fill('orgonaut-demo');
    await page.getByLabel('New password', { exact: true }).fill('a long new password');
    await page.getByLabel('New password again').fill('another long password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('#pw-error').waitFor();
    const boxes = await page.evaluate(() => {
      const box = (selector: string) => {
        const r = document.querySelector(selector)!.getBoundingClientRect();
        return { left: Math.round(r.left), right: Math.round(r.right) };
      };
      return { h1: box('main h1'), back: box('main .page-head a'), notice: box('#pw-error'), cards: [...document.querySelectorAll('main section.card')].map((s) => s.getBoundingClientRect()).map((r) => ({ left: Math.round(r.left), right: Math.round(r.right) })) };
    });
    await screenshot(page, 'account-refused');
    expect(boxes.cards).toHaveLength(2);
    for (const card of boxes.cards) {
      expect(Math.abs(card.left - boxes.h1.left), 'a card starts under the heading').toBeLessThanOrEqual(1);
      expect(Math.abs(card.right - boxes.back.right), 'a card ends under the link back').toBeLessThanOrEqual(1);
      expect(Math.abs(card.left - boxes.notice.left), 'the notice starts where the cards start').toBeLessThanOrEqual(1);
      expect(Math.abs(card.right - boxes.notice.right), 'the notice ends where the cards end').toBeLessThanOrEqual(1);
    }
  }, 150_000);
});
