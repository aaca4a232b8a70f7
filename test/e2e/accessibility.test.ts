import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, discover, pkce, registerClient } from '../oauth/support.js';
import { checkPage, hostFetch, launchBrowser, openPage, signIn, SKIP_REASON, startE2eServer, startLoopbackReceiver, type E2eBrowser, type E2eServer, type LoopbackReceiver, type WatchedPage } from './support.js';

/**
 * Accessibility in real Chromium: axe-core (from node_modules, never a CDN) runs its WCAG 2 A and AA rules on every
 * page a person reaches in the demo tenant — signed out, signed in as the owner, the OAuth consent screen and the
 * error pages. Any violation fails the test with its rule id and the elements it names. Only with DATABASE_URL.
 */
if (SKIP_REASON) console.warn(SKIP_REASON);

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const LONG = 300_000;

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/** The page's WCAG 2 A/AA violations, one line each: rule, impact, what it asks, and the elements (CSS selectors). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // What a disclosure hides is checked too (a closed <details> is skipped by axe): open them all.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  const result = await page.evaluate(
    (tags) => (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  ) as AxeResult;
  return result.violations.flatMap((v) => {
    const targets = v.nodes.map((n) => n.target.join(' '));
    return targets.length ? [`${v.id} (${v.impact}): ${v.help} — ${targets.join(', ')}`] : [];
  });
}

describe.skipIf(SKIP_REASON !== null)('accessibility (axe-core, WCAG 2 A/AA) in Chromium', () => {
  let server: E2eServer;
  let chrome: E2eBrowser;
  let receiver: LoopbackReceiver;
  let acme: string;
  const opened: WatchedPage[] = [];
  const ours = (url: URL) => url.hostname.endsWith('.localhost') && url.port === String(server.port);

  async function fresh(): Promise<WatchedPage> {
    const w = await openPage(chrome.browser, ours, { bypassCSP: true });
    opened.push(w);
    return w;
  }

  /** Checks the page as it is now with axe, adding its violations to `found` under `label`. */
  async function checkHere(page: Page, label: string, found: Record<string, string[]>): Promise<void> {
    await page.waitForLoadState('load');
    const violations = await axeViolations(page);
    if (violations.length) found[label] = violations;
  }

  /** Visits each path and checks it with axe, adding each page's violations to `found` (asserted empty at the end). */
  async function audit(w: WatchedPage, origin: string, paths: string[], found: Record<string, string[]>): Promise<void> {
    for (const path of paths) {
      await w.page.goto(`${origin}${path}`);
      await checkHere(w.page, path, found);
    }
  }

  beforeAll(async () => {
    [server, chrome, receiver] = await Promise.all([startE2eServer(), launchBrowser(), startLoopbackReceiver()]);
    acme = server.origin('acme');
  }, 240_000);

  afterAll(async () => {
    for (const w of opened) await w.context.close().catch(() => {});
    await chrome?.close();
    await receiver?.close();
    await server?.close();
  }, 60_000);

  it('signed out: the start pages, sign-in and the error pages', async () => {
    const w = await fresh();
    const found: Record<string, string[]> = {};
    await audit(w, acme, ['/', '/sign-in', '/sign-in?return_to=%2Flive', '/invitations/not-a-real-link', '/password-reset/not-a-real-link', '/no-such-page'], found);
    await audit(w, `http://localhost:${server.port}`, ['/', '/sign-in'], found);
    // A sign-in refused: the form again with its message.
    await w.page.goto(`${acme}/sign-in`);
    await w.page.getByLabel('Email').fill('owner@acme.test');
    await w.page.getByLabel('Password').fill('not the password');
    await Promise.all([w.page.waitForLoadState('load'), w.page.getByRole('button', { name: 'Sign in' }).click()]);
    await w.page.waitForLoadState('load');
    const refused = await axeViolations(w.page);
    if (refused.length) found['sign-in refused'] = refused;
    expect(found).toEqual({});
  }, LONG);

  /** The owner of acme, signed in once (sign-in is rate-limited per account), and where the demo's pages are. */
  let owner: WatchedPage;
  const at: { actor: string; unit: string; scenario: string; scenarioIds: string[]; snapshot: string | null; event: string } = {
    actor: '',
    unit: '',
    scenario: '',
    scenarioIds: [],
    snapshot: null,
    event: '',
  };
  const missing = '00000000-0000-4000-8000-000000000000';

  async function signedInOwner(): Promise<WatchedPage> {
    if (owner) return owner;
    const w = await fresh();
    const { page } = w;
    await page.goto(`${acme}/sign-in`);
    await signIn(w, 'owner@acme.test');
    await checkPage(w);
    await page.goto(`${acme}/live/matrix`);
    at.actor = (await page.locator('tbody a[href^="/live/actors/"]').first().getAttribute('href'))!;
    await page.goto(`${acme}${at.actor}`);
    at.unit = (await page.locator('main a[href^="/live/units/"]').first().getAttribute('href'))!;
    await page.goto(`${acme}/scenarios`);
    const links = await page.locator('tbody a[href^="/scenarios/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    at.scenarioIds = [...new Set(links.map((s) => /^\/scenarios\/([0-9a-f-]{36})$/.exec(s)?.[1]).filter((id): id is string => !!id))];
    at.scenario = `/scenarios/${at.scenarioIds[0]}`;
    await page.goto(`${acme}/snapshots`);
    const restore = page.locator('tbody a[href^="/snapshots/"]');
    at.snapshot = (await restore.count()) ? (await restore.first().getAttribute('href'))!.replace(/\/restore$/, '') : null;
    await page.goto(`${acme}/activity`);
    at.event = (await page.locator('tbody a[href^="/activity/"]').first().getAttribute('href'))!;
    owner = w;
    return w;
  }

  it('the organisation views: tree, people, spans, actor, unit, lineage, in Live and in a scenario', async () => {
    const w = await signedInOwner();
    const found: Record<string, string[]> = {};
    const scenarioId = at.scenarioIds[0]!;
    await audit(w, acme, ['/live', '/live?open=all', '/live/matrix', '/live/spans', '/live/spans?span=all', at.actor, at.unit, '/live/lineage', `/live?scenario=${scenarioId}`, `/live/matrix?scenario=${scenarioId}`, `${at.unit}?scenario=${scenarioId}`], found);
    expect(found).toEqual({});
  }, LONG);

  it('scenarios, snapshots and activity: list, overview, changes, delta, compare, restore', async () => {
    const w = await signedInOwner();
    const found: Record<string, string[]> = {};
    await audit(w, acme, [
      '/scenarios',
      at.scenario,
      `${at.scenario}/changes`,
      `${at.scenario}/changes?op=set_fte`,
      `${at.scenario}/delta`,
      `/scenarios/compare?${at.scenarioIds.map((id) => `id=${id}`).join('&')}`,
      '/snapshots',
      ...(at.snapshot ? [`${at.snapshot}/restore`] : []),
      '/activity',
      at.event,
    ], found);
    expect(found).toEqual({});
  }, LONG);

  it('settings, account, the CLI sign-in and the error pages of a signed-in person', async () => {
    const w = await signedInOwner();
    const found: Record<string, string[]> = {};
    await audit(w, acme, [
      '/settings',
      '/settings/organisation',
      '/settings/members',
      '/settings/api',
      '/settings/audit',
      '/settings/integrations/hris',
      '/account',
      `/cli/oauth/authorize?client_id=orgonaut-cli&response_type=code&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/callback')}&code_challenge_method=S256&code_challenge=${'a'.repeat(43)}&state=s`,
      '/cli/oauth/authorize?client_id=orgonaut-cli',
      `/live/units/${missing}`,
      `/scenarios/${missing}`,
      '/live/matrix?as_of=not-a-day',
      '/no-such-page',
    ], found);
    expect(found).toEqual({});
  }, LONG);

  it('what a form leaves on the page: a secret shown once, an invitation link, a staged change, an applied tray', async () => {
    const w = await signedInOwner();
    const { page } = w;
    const found: Record<string, string[]> = {};
    const check = (label: string) => checkHere(page, label, found);
    await page.goto(`${acme}/settings/api`);
    await page.getByLabel('Name', { exact: true }).fill('Axe token');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('heading', { name: 'Token “Axe token” created' }).waitFor();
    await check('token created');
    await page.goto(`${acme}/settings/members`);
    const invite = page.getByRole('region', { name: 'Invite a member' });
    await invite.getByLabel('Email').fill('axe.invitee@acme.test');
    await invite.getByRole('button', { name: 'Create invitation link' }).click();
    await page.getByRole('heading', { name: /Invitation link for/ }).waitFor();
    await check('invitation created');
    await page.goto(`${acme}/scenarios`);
    await page.getByLabel('Name', { exact: true }).fill('Axe scenario');
    await Promise.all([page.waitForURL(/\/scenarios\/[0-9a-f-]{36}\?notice=created/), page.getByRole('button', { name: 'Create scenario' }).click()]);
    await check('scenario created');
    await page.goto(`${page.url().split('?')[0]}/changes`);
    await page.getByText('Rename an org unit').click();
    const form = page.locator('#op-rename_org_unit form');
    await form.getByLabel('Unit').selectOption({ index: 1 });
    await form.getByLabel('New name').fill('Renamed by axe');
    await Promise.all([page.waitForNavigation(), form.getByRole('button', { name: 'Add to tray' }).click()]);
    await check('tray with a staged change');
    await Promise.all([page.waitForURL(/applied=1/), page.locator('button[value="apply"]').click()]);
    await check('tray applied');
    expect(found).toEqual({});
  }, LONG);

  it('imports: the list, an uploaded run, its progress, summary and review', async () => {
    const w = await signedInOwner();
    const { page } = w;
    const found: Record<string, string[]> = {};
    const check = (label: string) => checkHere(page, label, found);
    await page.goto(`${acme}/imports`);
    await check('/imports');
    await page.locator('#upload-file').setInputFiles({
      name: 'axe.csv',
      mimeType: 'text/csv',
      // The quarantined row has two problems (no email, an FTE out of range): the review lists both.
      buffer: Buffer.from('email,name,department,fte\n,Nameless,Engineering,7\naxe.check@acme.test,Axe Check,Engineering,1\n'),
    });
    await page.getByLabel('Import into').selectOption({ index: 1 });
    await Promise.all([page.waitForURL(/\/imports\/[0-9a-f-]{36}/), page.getByRole('button', { name: 'Upload and check' }).click()]);
    await check('import uploaded');
    const run = new URL(page.url()).pathname.split('/')[2]!;
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(new RegExp(`/imports/${run}`));
    // The progress page refreshes itself (Refresh header) while the import runs: checked once it has finished.
    const cookie = (await w.context.cookies(acme)).map((c) => `${c.name}=${c.value}`).join('; ');
    await expect
      .poll(async () => (await hostFetch(`${acme}/imports/${run}/progress`, { headers: { cookie } })).headers.get('refresh') ?? 'finished', { timeout: 90_000, interval: 1000 })
      .toBe('finished');
    await page.goto(`${acme}/imports/${run}/progress`);
    await check('import done');
    await page.goto(`${acme}/imports/${run}/review`);
    await check('review');
    expect(found).toEqual({});
  }, LONG);

  it('the OAuth consent screen', async () => {
    const as = await discover(acme);
    const client = await registerClient(as, {
      client_name: 'Axe Assistant',
      redirect_uris: [receiver.redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
    const { challenge } = await pkce();
    const w = await fresh();
    await w.page.goto(authorizeUrl(as, { clientId: client.client_id, redirectUri: receiver.redirectUri, challenge, scope: 'mcp:use scenarios.read org-units.read', resource: `${acme}/mcp/orgonaut` }));
    expect(await axeViolations(w.page), 'sign-in during authorization').toEqual([]);
    await signIn(w, 'owner@acme.test');
    expect(await w.page.locator('body').innerText()).toContain('Allow Axe Assistant to use Orgonaut?');
    expect(await axeViolations(w.page), 'consent').toEqual([]);
  }, LONG);
});
