import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { hrisIntegrations } from '../../src/db/schema/index.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, testApp, type TestApp, signInThroughForm } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * Settings → Integrations → HRIS (reference/bamboohr-live-sync.md): write-only secrets that never reach the page,
 * apply targets, the webhook URL, "Sync now" and the last sync; the upgrade message on plans without HRIS sync; a
 * clear refusal for roles without integrations.manage.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let team: Tenant;
let owner: string;
let manager: string;
let teamOwner: string;
let scenarioId: string;
const HOST = 'webhris.localhost';
const TEAM_HOST = 'webhristeam.localhost';
const PASSWORD = 'correct horse battery';
const API_KEY = 'bamboo-PAGE-LEAK-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec-PAGE-LEAK-0123456789abcdef';
const PATH = '/settings/integrations/hris';

/** Signs in through the sign-in form, as a browser does; returns the cookie header to send back. */
const signIn = (host: string, email: string) => signInThroughForm(app, host, email, PASSWORD);

async function get(path: string, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
}

async function post(path: string, form: Record<string, string>, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  tenant = await buildTenant(database, { slug: 'webhris', plan: 'business' });
  team = await buildTenant(database, { slug: 'webhristeam', plan: 'team' });
  scenarioId = (await createScenario(contextFor(database, tenant, principalFor(tenant, 'owner')), { name: 'Reorg 2027' })).id;
  owner = await signIn(HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email);
  manager = await signIn(HOST, (await buildMember(database, tenant, 'manager', { password: PASSWORD })).email);
  teamOwner = await signIn(TEAM_HOST, (await buildMember(database, team, 'owner', { password: PASSWORD })).email);
});
afterAll(() => database?.close());

describe('Settings → Integrations → HRIS', () => {
  it('is linked from the settings index and shows an empty connection form with labelled fields', async () => {
    expect((await get('/settings', owner)).html).toContain(`<a href="${PATH}">Integrations</a>`);
    const page = await get(PATH, owner);
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain('Status: not connected');
    for (const id of ['hris-provider', 'hris-status', 'hris-subdomain', 'hris-base-url', 'hris-api-key', 'hris-webhook-secret', 'webhook-url']) expect(page.html).toMatch(new RegExp(`<label for="${id}">`));
    expect(page.html).toContain(`value="http://webhris.localhost/api/v1/integrations/bamboohr/webhook/webhris"`);
    expect(page.html).toContain(`value="${scenarioId}"`);
    expect(page.html).toMatch(/<button type="submit" class="secondary" disabled="">\s*Sync now/);
    expect(page.html).not.toMatch(/<script>|style="/);
  });

  it('saves the connection; the secrets are write-only and never reach the page', async () => {
    const csrf = hiddenField((await get(PATH, owner)).html, 'csrf');
    const saved = await post(PATH, { csrf, provider: 'bamboohr', status: 'connected', subdomain: 'acme', base_url: 'http://127.0.0.1:9', api_key: API_KEY, webhook_secret: WEBHOOK_SECRET, apply_live: 'on', apply_scenarios: scenarioId }, owner);
    expect(saved.status, saved.html).toBe(303);
    expect(saved.location).toBe(`${PATH}?notice=saved`);
    const page = await get(saved.location!, owner);
    expect(page.html).not.toContain(API_KEY);
    expect(page.html).not.toContain(WEBHOOK_SECRET);
    expect(text(page.html)).toContain('API key set');
    expect(text(page.html)).toContain('Webhook secret (16 characters or more) set');
    expect(page.html).toContain('value="acme"');
    expect(page.html).toMatch(new RegExp(`value="${scenarioId}" checked=""`));
    const [row] = await database.db.select().from(hrisIntegrations).where(eq(hrisIntegrations.tenantId, tenant.id));
    expect(row!.configEncrypted).not.toContain(API_KEY);
    expect(row!.applyScenarioIds).toEqual([scenarioId]);

    // Saving again with the secret fields blank keeps them; the remove box removes one.
    const again = await post(PATH, { csrf, status: 'connected', subdomain: 'acme', base_url: 'http://127.0.0.1:9', apply_live: 'on', clear_webhook_secret: 'on' }, owner);
    expect(again.status).toBe(303);
    const after = text((await get(PATH, owner)).html);
    expect(after).toContain('API key set');
    expect(after).toContain('Webhook secret (16 characters or more) not set');
  });

  it('re-renders the form with the reason for a bad value', async () => {
    const csrf = hiddenField((await get(PATH, owner)).html, 'csrf');
    const bad = await post(PATH, { csrf, status: 'connected', subdomain: 'not a subdomain!', apply_live: 'on' }, owner);
    expect(bad.status).toBe(400);
    expect(text(bad.html)).toContain('Invalid subdomain');
    expect(bad.html).toContain('value="not a subdomain!"');
  });

  it('runs "Sync now" and shows how the last sync went (here: BambooHR unreachable)', async () => {
    const csrf = hiddenField((await get(PATH, owner)).html, 'csrf');
    const sync = await post(`${PATH}/sync`, { csrf }, owner);
    expect(sync.status).toBe(502);
    expect(sync.html).toContain('role="alert"');
    expect(sync.html).not.toContain(API_KEY);
    const page = text((await get(PATH, owner)).html);
    expect(page).toMatch(/Last sync \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC failed/);
  });

  it('tells a manager it is not available for their role', async () => {
    const page = await get(PATH, manager);
    expect(page.status).toBe(403);
    expect(page.html).toContain('HRIS integration: not available for your role');
    expect(page.html).not.toContain('acme');
    expect((await get('/settings', manager)).html).not.toContain(`href="${PATH}"`);
    const refused = await post(PATH, { csrf: hiddenField((await get('/settings/api', manager)).html, 'csrf'), status: 'paused' }, manager);
    expect(refused.status).toBe(403);
    const [row] = await database.db.select().from(hrisIntegrations).where(eq(hrisIntegrations.tenantId, tenant.id));
    expect(row!.status).toBe('connected');
  });

  it('shows the upgrade message on a plan without HRIS sync', async () => {
    expect((await get('/settings', teamOwner, TEAM_HOST)).html).toContain(`<a href="${PATH}">Integrations</a>`);
    const page = await get(PATH, teamOwner, TEAM_HOST);
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain('part of the Business, Enterprise and Agency plans');
    expect(page.html).not.toContain('name="api_key"');
    // The owner is the one who asks for a bigger plan: "ask your owner" sent them in a circle.
    expect(text(page.html)).toContain('plan; as the owner of the organisation, ask your Orgonaut provider to upgrade its plan.');
    expect(text(page.html)).not.toContain('ask your owner');
    const teamAdmin = await signIn(TEAM_HOST, (await buildMember(database, team, 'admin', { password: PASSWORD })).email);
    expect(text((await get(PATH, teamAdmin, TEAM_HOST)).html)).toContain('plan; ask the owner of the organisation to upgrade its plan.');
  });
});
