import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/** Every list's filter form (role="search") is sent with the same button, "Filter" — Spans said "Show". */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'filterbuttons.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'filterbuttons', plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('filter-buttons'));
  app = testApp(database);
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('filter forms', () => {
  it('are sent with a "Filter" button on every list', async () => {
    for (const path of ['/live/matrix', '/live/spans', '/scenarios', '/activity', '/imports']) {
      const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
      expect(response.status, path).toBe(200);
      const form = (await response.text()).match(/<form[^>]*role="search"[^>]*>[\s\S]*?<\/form>/)?.[0];
      expect(form, `${path}: a filter form`).toBeDefined();
      const buttons = [...form!.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]!.trim());
      expect(buttons, path).toEqual(['Filter']);
    }
  });
});
