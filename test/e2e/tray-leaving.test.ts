import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, createScenarioInBrowser, choose, ownerSession, SKIP_REASON, type OwnerSession, type WatchedPage } from './support.js';

/**
 * Leaving the change tray with staged changes, which live only in the page (SPEC §8), in real Chromium: the tray's
 * own forms stage without asking, while anything else that leaves — a link, the Sign out form — asks first, and
 * staying keeps the tray. Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const LONG = 150_000;

describe.skipIf(SKIP_REASON !== null)('leaving a change tray with staged changes, in Chromium', () => {
  let session: OwnerSession;
  let acme: string;
  let w: WatchedPage;

  beforeAll(async () => {
    session = await ownerSession();
    ({ acme, w } = session);
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('asks before signing out, keeps the tray when the person stays, and signs out when they confirm', async () => {
    const { page } = w;
    const scenarioId = await createScenarioInBrowser(page, acme, 'E2E leaving the tray');
    await page.goto(`${acme}/scenarios/${scenarioId}/changes`);
    await checkPage(w, 'change tray');

    // Every dialog is recorded: the tray's own forms ask nothing.
    const dialogs: string[] = [];
    page.removeAllListeners('dialog');
    let answer: 'accept' | 'dismiss' = 'accept';
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
    });
    for (const [n, fte] of [[1, '0.8'], [2, '0.7']] as const) {
      const form = page.locator('#op-set_fte');
      if (n === 1) await form.locator('summary').click();
      await choose(form, 'Actor', n - 1);
      await form.getByLabel('FTE (for a person)', { exact: true }).fill(fte);
      await form.getByRole('button', { name: 'Add to tray' }).click();
      await page.getByRole('heading', { name: `Tray: ${n} staged change${n === 1 ? '' : 's'}` }).waitFor();
    }
    expect(dialogs).toEqual([]);

    // Sign out asks; staying keeps both changes.
    answer = 'dismiss';
    await page.getByRole('button', { name: 'Sign out' }).click({ noWaitAfter: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    await page.getByRole('heading', { name: 'Tray: 2 staged changes' }).waitFor();
    expect(page.url()).toContain(`/scenarios/${scenarioId}/changes`);

    // Asked again and confirmed, Sign out goes through (the dismissed attempt does not block it).
    answer = 'accept';
    await Promise.all([page.waitForURL(/\/sign-in/), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(dialogs).toEqual(['beforeunload', 'beforeunload']);
  }, LONG);
});
