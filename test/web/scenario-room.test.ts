import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * The scenario list when the plan has no room for another active planning scenario (SPEC §2): the free plan has none,
 * a team plan three. A form that can only be refused is not offered; the page says what to do instead, and the empty
 * list does not point at a form that is not there (nor, for a viewer, at one they cannot use).
 */
let database: Database;
let app: TestApp;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
});
afterAll(() => database?.close());

async function signedIn(tenant: Tenant, role: 'owner' | 'manager' | 'viewer') {
  const host = `${tenant.slug}.localhost`;
  const cookie = await signInThroughForm(app, host, (await buildMember(database, tenant, role, { password: PASSWORD })).email, PASSWORD);
  const get = async () => {
    const response = await app.request('/scenarios', { host, cookie, headers: { accept: 'text/html' } });
    return { status: response.status, html: await response.text() };
  };
  const create = async (form: Record<string, string>) => {
    const csrf = hiddenField((await get()).html, 'csrf');
    const response = await app.request('/scenarios', { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form: { csrf, ...form } });
    return { status: response.status, html: await response.text() };
  };
  return { get, create };
}

describe('a plan without planning scenarios', () => {
  it('offers no form to the owner, names the plans that have them and who upgrades, and the empty list points at nothing', async () => {
    const tenant = await buildTenant(database, { slug: 'roomfree', plan: 'free' });
    const { status, html } = await (await signedIn(tenant, 'owner')).get();
    expect(status).toBe(200);
    const text = pageText(html);
    expect(html).not.toContain('id="s-name"');
    expect(html).not.toContain('Create scenario');
    expect(text).toContain('Planning scenarios are part of the Team, Business, Enterprise and Agency plans. Your organisation is on the free plan;');
    expect(text).toContain('as the owner of the organisation, ask your Orgonaut provider to upgrade its plan.');
    expect(text).toContain('No scenarios yet.');
    expect(text).not.toContain('Create one above');
  });

  it('tells a manager to ask the owner', async () => {
    const tenant = await buildTenant(database, { slug: 'roomfreemgr', plan: 'free' });
    const text = pageText((await (await signedIn(tenant, 'manager')).get()).html);
    expect(text).toContain('ask the owner of the organisation to upgrade its plan.');
    expect(text).not.toContain('Create scenario');
  });
});

describe('a plan whose active planning scenarios are all in use', () => {
  it('offers the form until the last one is taken, then says how to make room', async () => {
    const tenant = await buildTenant(database, { slug: 'roomteam', plan: 'team' });
    const owner = await signedIn(tenant, 'owner');
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
    for (const name of ['One', 'Two']) await createScenario(ctx, { name });
    expect((await owner.get()).html).toContain('Create scenario');
    await createScenario(ctx, { name: 'Three' });
    const text = pageText((await owner.get()).html);
    expect(text).not.toContain('Create scenario');
    expect(text).toContain('Every active planning scenario the team plan allows is in use: this form comes back once one is archived or promoted. For more than 3 at a time,');
  });

  it('keeps what was typed when a form sent before the last one was taken is refused', async () => {
    const tenant = await buildTenant(database, { slug: 'roomrace', plan: 'team' });
    const owner = await signedIn(tenant, 'owner');
    const csrfBefore = hiddenField((await owner.get()).html, 'csrf');
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
    for (const name of ['One', 'Two', 'Three']) await createScenario(ctx, { name });
    const refused = await owner.create({ csrf: csrfBefore, name: 'Fourth option', description: 'Typed with care', source: 'live' });
    expect(refused.status).toBe(403);
    expect(refused.html).toMatch(/<input id="s-name" name="name"[^>]*value="Fourth option"/);
    expect(refused.html).toContain('Typed with care');
  });
});

describe('a viewer', () => {
  it('is not sent to a form they do not have when there are no scenarios', async () => {
    const tenant = await buildTenant(database, { slug: 'roomviewer', plan: 'business' });
    const text = pageText((await (await signedIn(tenant, 'viewer')).get()).html);
    expect(text).toContain('Your role can look at scenarios but not create them.');
    expect(text).toContain('No scenarios yet. Those that members with a planning role create will be listed here.');
    expect(text).not.toContain('Create one above');
  });
});
