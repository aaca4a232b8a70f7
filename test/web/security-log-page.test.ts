import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Settings → Security log: its events sit in a card headed "Security events", as every other settings page's lists do. */
let database: Database;
let tenant: Tenant;
let app: TestApp;
const HOST = 'securitylog.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'securitylog', plan: 'business' });
  app = testApp(database);
});
afterAll(() => database?.close());

describe('Settings → Security log', () => {
  it('lists the events in a card headed "Security events"', async () => {
    const owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
    const response = await app.request('/settings/audit', { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    const card = html.match(/<section class="card" aria-labelledby="events-title"><h2 id="events-title">Security events<\/h2>[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(card).toContain('aria-label="Security events table"');
    expect(card).toContain('Sign in');
  });
});
