import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, createScenarioInBrowser, choose, openPage, ownerSession, screenshot, signIn, SKIP_REASON, type OwnerSession, type WatchedPage } from './support.js';

/**
 * Hiring in a planning scenario from the change tray, in real Chromium (SPEC §6): a hire staged with pay and a
 * manager in one form, a second hire reporting to the first before either exists, applied together; a wrong pay
 * amount said on its field with the tray kept; a member, who may not read costs, offered no pay. Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const LONG = 150_000;

describe.skipIf(SKIP_REASON !== null)('a hire with pay, in Chromium', () => {
  let session: OwnerSession;
  let acme: string;
  let w: WatchedPage;
  let scenarioId: string;

  beforeAll(async () => {
    session = await ownerSession();
    ({ acme, w } = session);
  }, 240_000);

  afterAll(() => session?.close(), 60_000);

  it('stages a lead with a salary and a manager and a report under the lead, applies them, and shows both in the scenario', async () => {
    const { page } = w;
    scenarioId = await createScenarioInBrowser(page, acme, 'E2E hires with pay');
    await page.goto(`${acme}/scenarios/${scenarioId}/changes`);
    await checkPage(w, 'change tray');

    // The lead: a salary and an existing manager, in one form.
    let form = page.locator('#op-add_actor');
    await form.locator('summary').click();
    await form.getByLabel('Name', { exact: true }).fill('Lena Lead');
    const unit = await choose(form, 'Unit (primary placement)', '');
    const boss = (await choose(form, 'Manager (optional)', '')).split(' · ')[0]!;
    await form.getByLabel('Pay amount (optional)').fill('85000.50');
    await form.getByLabel('Kind of pay (with a pay amount)').selectOption('salary');
    await form.getByLabel('Pay currency (with a pay amount)').selectOption('EUR');
    await form.getByRole('button', { name: 'Add to tray' }).click();
    await page.getByRole('heading', { name: 'Tray: 2 staged changes' }).waitFor();
    let tray = await checkPage(w, 'tray with a paid hire');
    expect(tray).toContain(`Add person “Lena Lead” to ${unit.split(' › ').pop()!.replace(/ \(\w+\)$/, '')}, reporting to ${boss}`);
    expect(tray).toContain('Pay Lena Lead an annual salary of €85,001');

    // A report under the lead, who does not exist yet; a wrong amount first: said on the field, nothing lost.
    form = page.locator('#op-add_actor');
    await form.getByLabel('Name', { exact: true }).fill('Remy Report');
    await choose(form, 'Unit (primary placement)', '');
    await choose(form, 'Manager (optional)', 'Lena Lead');
    await form.getByLabel('Pay amount (optional)').fill('0');
    await form.getByRole('button', { name: 'Add to tray' }).click();
    await form.getByRole('alert').waitFor();
    // The page answers 400 on purpose (Chromium logs it as a failed load): not a problem of the page.
    w.problems = w.problems.filter((p) => !/Failed to load resource: the server responded with a status of 400/.test(p));
    tray = await checkPage(w, 'tray with a wrong pay amount');
    expect(await form.getByRole('alert').innerText()).toBe('Pay amount: must be more than zero');
    expect(await form.getByLabel('Pay amount (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Remy Report');
    expect(tray).toContain('Tray: 2 staged changes');
    await form.getByLabel('Pay amount (optional)').fill('600');
    await form.getByLabel('Kind of pay (with a pay amount)').selectOption('day_rate');
    await form.getByRole('button', { name: 'Add to tray' }).click();
    await page.getByRole('heading', { name: 'Tray: 4 staged changes' }).waitFor();
    tray = await checkPage(w, 'tray with two hires');
    expect(tray).toContain('reporting to Lena Lead');
    expect(tray).toContain('Pay Remy Report a day rate of €600');
    expect(tray).not.toMatch(/no pay:|no manager:/);
    await screenshot(page, 'tray-hires-with-pay');

    await Promise.all([page.waitForURL(/\/changes\?applied=4/), page.getByRole('button', { name: 'Apply 4 changes' }).click()]);
    expect(await checkPage(w, 'tray applied')).toContain('Applied 4 changes to the scenario.');

    // The report's page in the scenario: the lead as manager, the day rate as pay.
    await page.goto(`${acme}/live/matrix?scenario=${scenarioId}&q=Remy`);
    await page.getByRole('link', { name: 'Remy Report' }).first().click();
    await page.waitForURL(/\/live\/actors\/[0-9a-f-]{36}\?scenario=/);
    const report = await checkPage(w, 'the report in the scenario');
    expect(report).toMatch(/Manager\s+Lena Lead/);
    expect(report).toMatch(/Day rate\s+current\s+€600/);
    await page.getByRole('link', { name: 'Lena Lead' }).first().click();
    const lead = await checkPage(w, 'the lead in the scenario');
    expect(lead).toContain(boss);
    expect(lead).toContain('Remy Report');
    expect(lead).toMatch(/Annual salary\s+current\s+€85,001/);
  }, LONG);

  it('offers a member, who may not read costs, the hire form without pay', async () => {
    const member = await openPage(w.context.browser()!, (url) => url.hostname.endsWith('.localhost'));
    try {
      await member.page.goto(`${acme}/sign-in`);
      await signIn(member, 'member@acme.test');
      await member.page.goto(`${acme}/scenarios/${scenarioId}/changes`);
      const text = await checkPage(member, 'member tray');
      expect(text).toContain('Add a person, robot or agent');
      expect(await member.page.locator('#op-add_actor').getByLabel('Name', { exact: true }).count()).toBe(1);
      const form = member.page.locator('#op-add_actor');
      await form.locator('summary').click();
      expect(await form.getByLabel('Manager (optional)').count()).toBe(1);
      expect(await form.innerText()).not.toMatch(/pay|salary|€/i);
      expect(await member.page.locator('#op-set_compensation').count()).toBe(0);
    } finally {
      await member.context.close();
    }
  }, LONG);
});
