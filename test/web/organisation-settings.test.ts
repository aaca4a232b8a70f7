import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { findTenantById, type Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Settings → Organisation (SPEC §8): a refused form says which field in its own words and keeps what was typed. */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'orgsettings.localhost';
const PASSWORD = 'correct horse battery';

async function post(path: string, form: Record<string, string>) {
  const page = await app.request('/settings/organisation', { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  const csrf = hiddenField(await page.text(), 'csrf');
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf, ...form } });
  return { status: response.status, html: await response.text() };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'orgsettings', plan: 'business' });
  app = testApp(database);
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('Settings → Organisation forms', () => {
  it('refuse bad cost settings naming the field by its label, keep the typed values, and change nothing', async () => {
    const refused = await post('/settings/organisation/costs', { burden_pct: '-5', working_days_per_year: '220' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Employer burden: must be from 0 to 200 (percent)');
    expect(refused.html).toMatch(/name="burden_pct"[^>]*value="-5"/);
    expect((await findTenantById(database.db, tenant.id))!.burdenPct).toBe(tenant.burdenPct);
    const saved = await post('/settings/organisation/costs', { burden_pct: '30', working_days_per_year: '210' });
    expect(saved.status).toBe(303);
    expect((await findTenantById(database.db, tenant.id))!).toMatchObject({ burdenPct: 30, workingDaysPerYear: 210 });
  });

  it('refuse a bad exchange rate keeping the currency chosen and the rate typed', async () => {
    const refused = await post('/settings/organisation/currencies', { code: 'CHF', rate: '-1', active: 'yes' });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/<option value="CHF" selected="">/);
    expect(refused.html).toMatch(/name="rate"[^>]*value="-1"/);
    // The form has a heading of its own, apart from the table of currencies above it.
    expect(refused.html).toContain('<h3 id="currency-form-title">Add a currency or change its rate</h3>');
  });

  it('refuse a type name already taken, keeping it typed in the form it came from only', async () => {
    expect((await post('/settings/organisation/department-types', { name: 'Go-to-market' })).status).toBe(303);
    const refused = await post('/settings/organisation/department-types', { name: 'Go-to-market' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('already exists');
    expect(refused.html).toMatch(/id="department-types-name"[^>]*value="Go-to-market"/);
    expect(refused.html).not.toMatch(/id="team-types-name"[^>]*value=/);
    // The types read as a list, each apart from the next.
    expect(refused.html).toMatch(/<ul class="tags"><li class="badge">Go-to-market<\/li><\/ul>/);
  });
});

describe('Settings → Organisation: which field was refused, and reading it without the right to change it', () => {
  it('marks the refused field, and only it, invalid where it was typed', async () => {
    const costs = await post('/settings/organisation/costs', { burden_pct: '-5', working_days_per_year: '220' });
    expect(costs.html).toMatch(/<input name="burden_pct"[^>]*aria-invalid="true"/);
    expect(costs.html).not.toMatch(/<input[^>]*name="working_days_per_year"[^>]*aria-invalid/);
    const days = await post('/settings/organisation/costs', { burden_pct: '25', working_days_per_year: '400' });
    expect(days.html).toContain('Working days per year: ');
    expect(days.html).toMatch(/<input[^>]*name="working_days_per_year"[^>]*aria-invalid="true"/);
    expect(days.html).not.toMatch(/<input name="burden_pct"[^>]*aria-invalid/);
    const rate = await post('/settings/organisation/currencies', { code: 'CHF', rate: '-1', active: 'yes' });
    expect(rate.html).toMatch(/<input name="rate"[^>]*aria-invalid="true"/);
    expect(rate.html).not.toMatch(/<input name="burden_pct"[^>]*aria-invalid/);
    const name = await post('/settings/organisation/team-types', { name: ' ' });
    expect(name.status).toBe(400);
    expect(name.html).toMatch(/id="team-types-name"[^>]*aria-invalid="true"/);
    expect(name.html).not.toMatch(/id="department-types-name"[^>]*aria-invalid/);
  });

  it('shows a viewer the cost settings as text, not as fields that look editable', async () => {
    const viewer = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
    const html = await (await app.request('/settings/organisation', { host: HOST, cookie: viewer, headers: { accept: 'text/html' } })).text();
    const current = (await findTenantById(database.db, tenant.id))!;
    expect(html).toContain('Only owners and admins can change these settings.');
    expect(html).not.toContain('name="burden_pct"');
    expect(html).not.toContain('name="working_days_per_year"');
    expect(html).toContain(`<dt>Employer burden</dt><dd>${current.burdenPct} %</dd>`);
    expect(html).toContain(`<dt>Working days per year</dt><dd>${current.workingDaysPerYear}</dd>`);
  });
});

describe('Settings → Security log', () => {
  it('shows each event in words with labelled details, not as JSON, and points to the filterable list', async () => {
    await signInThroughForm(app, HOST, 'nobody@orgsettings.test', 'wrong password').catch(() => undefined);
    const response = await app.request('/settings/audit', { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<span class="badge warn">Sign in<\/span> succeeded/);
    expect(html).toMatch(/<span class="badge warn">Sign in<\/span> failed/);
    expect(html).toMatch(/<dt>Email<\/dt><dd>nobody@orgsettings\.test<\/dd>/);
    expect(html).toContain('<dt>IP address</dt>');
    expect(html).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(html).not.toContain('{&quot;');
    expect(html).not.toContain('sign_in');
    // Token events: the kind of record in words, its expiry as a time, not an ISO string.
    const csrf = hiddenField(await (await app.request('/settings/api', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text(), 'csrf');
    const created = await app.request('/settings/api/tokens', { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf, name: 'Report', abilities: 'actors.read', expires_in_days: '30' } });
    expect(created.status).toBeLessThan(400);
    const after = await (await app.request('/settings/audit', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text();
    expect(after).toMatch(/<span class="badge warn">API token<\/span> created/);
    expect(after).toMatch(/<dt>Expires at<\/dt><dd>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/dd>/);
    // An event about a member names the member, not only who did it.
    const member = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    const members = await (await app.request('/settings/members', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text();
    const archived = await app.request(`/settings/members/${member.id}/archive`, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf: hiddenField(members, 'csrf') } });
    expect(archived.status).toBeLessThan(400);
    const log = await (await app.request('/settings/audit', { host: HOST, cookie: owner, headers: { accept: 'text/html' } })).text();
    expect(log).toMatch(new RegExp(`<span class="badge warn">Membership</span> archived</td>[\\s\\S]*?<dt>Member</dt><dd>[^<]*\\(${member.email.replaceAll('.', '\\.')}\\)</dd>`));
    expect(html).toContain('href="/activity?category=security"');
  });
});
