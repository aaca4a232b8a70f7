import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * Forms posted with altered fields (found by the form fuzzer, test/fuzz): a clear 4xx page, never a server error and
 * never a redirect to an address the form did not carry.
 */
let database: Database;
let app: TestApp;
let tenant: Tenant;
let cookie: string;
let csrf: string;
const HOST = 'altered.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'altered', plan: 'business' });
  app = testApp(database);
  const { email } = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  cookie = await signInThroughForm(app, HOST, email, PASSWORD, '/account');
  const account = await app.request('/account', { host: HOST, cookie, headers: { accept: 'text/html' } });
  expect(account.status).toBe(200);
  csrf = hiddenField(await account.text(), 'csrf');
});
afterAll(() => database?.close());

const post = (path: string, form: Record<string, string>) => app.request(path, { host: HOST, cookie, headers: { origin: ORIGIN, accept: 'text/html' }, form });

describe('altered forms', () => {
  it('answers disconnecting an app whose user id is not an id with 404', async () => {
    for (const user_id of ['', 'not-a-uuid']) {
      const answer = await post('/settings/api/apps/revoke', { csrf, user_id, client_id: 'some-client' });
      expect(answer.status, user_id).toBe(404);
      expect(await answer.text()).toContain('Connected app');
    }
  });

  it('answers a CLI consent form with an altered or missing redirect with 400 and no redirect', async () => {
    const answer = await post('/cli/oauth/authorize', { csrf, client_id: 'orgonaut-cli', response_type: 'code', decision: 'allow' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });
  it('answers a CLI token request whose JSON body is not an object as a bad request', async () => {
    for (const body of ['null', '[]', '42']) {
      const answer = await app.app.request('/cli/oauth/token', { method: 'POST', headers: { host: HOST, 'content-type': 'application/json' }, body });
      expect(answer.status, body).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(/^(invalid_request|unsupported_grant_type)$/);
    }
  });
});
