import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { setMembership, type User } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { inviteMember, issuePasswordReset } from '../../src/access/members.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * A person who belongs to two organisations, and what one organisation's credentials are worth on the other's
 * address (or on the central host naming it with X-Tenant): nothing. The tenant comes from the host the credential
 * was made on, never from what the request says.
 */
let database: Database;
let app: TestApp;
let acme: Tenant;
let globex: Tenant;
let person: User;
let acmeCookie: string;
const ACME = 'xacme.localhost';
const GLOBEX = 'xglobex.localhost';
const CENTRAL = 'app.localhost';
const PASSWORD = 'correct horse battery';
const REDIRECT = 'http://127.0.0.1:53682/callback';

beforeAll(async () => {
  database = await testDatabase();
  acme = await buildTenant(database, { slug: 'xacme', plan: 'enterprise' });
  globex = await buildTenant(database, { slug: 'xglobex', plan: 'enterprise' });
  person = await buildMember(database, acme, 'owner', { password: PASSWORD });
  await setMembership(database.db, globex.id, person.id, 'owner');
  app = testApp(database);
  acmeCookie = await signInThroughForm(app, ACME, person.email, PASSWORD);
});
afterAll(() => database?.close());

describe('a session of one organisation', () => {
  it('is nobody on the other organisation’s host, though the person is an owner there too', async () => {
    expect((await app.request('/api/v1/me', { host: ACME, cookie: acmeCookie })).status).toBe(200);
    expect((await app.request('/api/v1/me', { host: GLOBEX, cookie: acmeCookie })).status).toBe(401);
    const page = await app.request('/settings/members', { host: GLOBEX, cookie: acmeCookie, headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/sign-in\?return_to=/);
  });

  it('is nobody on the central host either, whichever tenant X-Tenant names', async () => {
    for (const slug of ['xacme', 'xglobex']) {
      const response = await app.request('/api/v1/me', { host: CENTRAL, cookie: acmeCookie, headers: { 'x-tenant': slug } });
      expect(response.status, slug).toBe(401);
    }
  });

  it('cannot post another organisation’s forms with its own CSRF token', async () => {
    const page = await app.request('/settings/api', { host: ACME, cookie: acmeCookie, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await page.text(), 'csrf');
    const created = await app.request('/settings/api/tokens', {
      host: GLOBEX,
      cookie: acmeCookie,
      headers: { origin: `http://${GLOBEX}`, accept: 'text/html' },
      form: { csrf, name: 'planted', expires_in_days: '30', abilities: 'org-units.read' },
    });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toMatch(/^\/sign-in/);
    const rest = await app.request('/api/v1/tokens', { host: GLOBEX, cookie: acmeCookie, headers: { 'x-csrf-token': csrf }, json: { name: 'planted', abilities: ['org-units.read'] } });
    expect(rest.status).toBe(401);
  });
});

describe('a CLI sign-in code of one organisation', () => {
  async function codeOnAcme() {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({ response_type: 'code', client_id: 'orgonaut-cli', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 's' });
    const consent = await app.request(`/cli/oauth/authorize?${q}`, { host: ACME, cookie: acmeCookie });
    const html = await consent.text();
    const fields = Object.fromEntries(['csrf', 'client_id', 'response_type', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'token_name'].map((n) => [n, hiddenField(html, n)]));
    const allowed = await app.request('/cli/oauth/authorize', { host: ACME, cookie: acmeCookie, headers: { origin: `http://${ACME}` }, form: { ...fields, decision: 'allow' } });
    expect(allowed.status).toBe(303);
    return { code: new URL(allowed.headers.get('location')!).searchParams.get('code')!, verifier };
  }

  const exchange = (host: string, code: string, verifier: string, headers: Record<string, string> = {}) =>
    app.request('/cli/oauth/token', {
      host,
      headers,
      form: { grant_type: 'authorization_code', client_id: 'orgonaut-cli', redirect_uri: REDIRECT, code, code_verifier: verifier },
    });

  it('redeems nothing on the other organisation’s host or on the central host naming it, and is not used up there', async () => {
    const { code, verifier } = await codeOnAcme();
    for (const [host, headers] of [[GLOBEX, {}], [CENTRAL, { 'x-tenant': 'xglobex' }]] as const) {
      const refused = await exchange(host, code, verifier, headers);
      expect(refused.status, host).toBe(400);
      expect(await refused.json(), host).toMatchObject({ error: 'invalid_grant' });
    }
    const home = await exchange(ACME, code, verifier);
    expect(home.status).toBe(200);
    const body = (await home.json()) as { access_token: string; tenant: string };
    expect(body.tenant).toBe('xacme');
    // The token it gives is Acme's: on Globex's host, or named for Globex on the central host, it is refused.
    expect((await app.request('/api/v1/me', { host: GLOBEX, token: body.access_token })).status).toBe(401);
    expect((await app.request('/api/v1/me', { host: CENTRAL, token: body.access_token, headers: { 'x-tenant': 'xglobex' } })).status).toBe(401);
    expect((await app.request('/api/v1/me', { host: CENTRAL, token: body.access_token, headers: { 'x-tenant': 'xacme' } })).status).toBe(200);
  });
});

describe('an invitation or password-reset link of one organisation', () => {
  /** Posts a link's form on `host` with the form token of a page of that host (a browser there). */
  async function submit(host: string, path: string, fields: Record<string, string>) {
    const page = await app.request('/sign-in', { host, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await page.text(), 'csrf');
    return app.request(path, { host, cookie: cookiesOf(page), headers: { origin: `http://${host}`, accept: 'text/html' }, form: { csrf, ...fields } });
  }
  const owner = () => contextFor(database, acme, principalFor(acme, 'owner', null, person.id));

  it('opens nothing on the other organisation’s host, and is not used up there', async () => {
    const { token } = await inviteMember(owner(), { email: 'cross.invited@example.test', role: 'viewer' });
    const invitation = `/invitations/${token}`;
    expect((await app.request(invitation, { host: GLOBEX, headers: { accept: 'text/html' } })).status).toBe(404);
    const joinedThere = await submit(GLOBEX, invitation, { name: 'Cross Invited', password: 'my own secret 1' });
    expect(joinedThere.status).toBe(404);
    expect(joinedThere.headers.getSetCookie().some((c) => /orgonaut_session=[^;]/.test(c))).toBe(false);
    expect((await submit(ACME, invitation, { name: 'Cross Invited', password: 'my own secret 1' })).status).toBe(303);

    const viewer = await buildMember(database, acme, 'viewer', { password: PASSWORD });
    const reset = `/password-reset/${(await issuePasswordReset(owner(), viewer.id)).token}`;
    expect((await app.request(reset, { host: GLOBEX, headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await submit(GLOBEX, reset, { password: 'taken over from globex' })).status).toBe(400);
    await expect(signInThroughForm(app, ACME, viewer.email, 'taken over from globex')).rejects.toThrow();
    expect((await submit(ACME, reset, { password: 'my chosen new one' })).status).toBe(200);
    await expect(signInThroughForm(app, ACME, viewer.email, 'my chosen new one')).resolves.toBeTruthy();
  });
});
