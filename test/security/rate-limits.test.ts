import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { inviteMember } from '../../src/access/members.js';
import { OAUTH_RATE_LIMITS } from '../../src/oauth/routes.js';
import { LINK_LIMIT } from '../../src/web/account.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';
import { loopbackFetch, startOAuthServer, tenantWithMember, type OAuthServer } from '../oauth/support.js';

/**
 * The endpoints that take a secret or make one, limited per client address: guessing at speed is refused with 429 and
 * Retry-After, and another address is not affected. (Sign-in and OAuth authorize have their own tests.)
 */
let database: Database;
let tenant: Tenant;
let app: TestApp;
const HOST = 'seclimit.localhost';
let address = 0;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'seclimit', plan: 'enterprise' });
  // Behind one proxy: X-Forwarded-For names the client, so each test has addresses of its own.
  app = testApp(database, { proxyHops: 1 });
});
afterAll(() => database?.close());

const newAddress = () => `203.0.113.${++address}`;

function postForm(path: string, from: string, form: Record<string, string>) {
  return app.request(path, { host: HOST, headers: { 'x-forwarded-for': from }, form });
}

/**
 * Sends requests until one is refused for the limit: at least `limit` are answered first, and a refusal comes within
 * two windows' worth (the windows are fixed: a slow run may cross into the next one, which starts counting afresh).
 */
async function refusedAfter(limit: number, send: () => Promise<Response>): Promise<Response> {
  for (let i = 1; i <= 2 * limit + 1; i++) {
    const response = await send();
    if (response.status === 429) {
      expect(i, 'requests answered before the refusal').toBeGreaterThan(limit);
      return response;
    }
  }
  throw new Error(`no 429 after ${2 * limit + 1} requests`);
}

async function expectSlowDown(response: Response) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await response.json()).toMatchObject({ error: 'slow_down' });
}

/** Waits, if need be, until `seconds` are left in the current minute's window (a test counting within one). */
async function windowWithRoom(seconds: number) {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < seconds) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 50));
}

describe('per-address limits of the authorization server (per tenant, on a real listener)', () => {
  let server: OAuthServer;
  let origins: string[];

  beforeAll(async () => {
    server = await startOAuthServer();
    origins = [];
    for (let i = 0; i < 2; i++) origins.push((await tenantWithMember(server, 'enterprise')).origin);
  });
  afterAll(() => server?.close());

  const send = (origin: string, path: string, body: string, type: string) =>
    loopbackFetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('/oauth/register: past the limit a registration is refused, whatever it carries', async () => {
    const register = (origin = origins[0]!) => send(origin, '/oauth/register', '{not json', 'application/json');
    await expectSlowDown(await refusedAfter(OAUTH_RATE_LIMITS.register.limit, () => register()));
    // The same address on another tenant's authorization server counts apart.
    expect((await register(origins[1])).status).toBe(400);
  });

  it('/oauth/token: past the limit token requests are refused before any code or secret is looked at', async () => {
    const token = (origin = origins[0]!) => send(origin, '/oauth/token', 'grant_type=authorization_code&code=guess&client_id=guess&code_verifier=x', 'application/x-www-form-urlencoded');
    await expectSlowDown(await refusedAfter(OAUTH_RATE_LIMITS.token.limit, () => token()));
    expect((await token(origins[1])).status).toBe(401); // invalid_client: looked at, not limited
  }, 300_000);
});

describe('per-address limits of the CLI sign-in and the link pages', () => {
  it('/cli/oauth/token: past the limit code guesses are refused', async () => {
    const from = newAddress();
    const exchange = (who = from) =>
      postForm('/cli/oauth/token', who, { grant_type: 'authorization_code', client_id: 'orgonaut-cli', code: 'guess', code_verifier: 'x', redirect_uri: 'http://127.0.0.1:1/cb' });
    await expectSlowDown(await refusedAfter(30, () => exchange()));
    const elsewhere = await exchange(newAddress());
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('invitation and password-reset links: dead links count, and past the limit even a good link waits', async () => {
    const owner = await buildMember(database, tenant, 'owner');
    const { token } = await inviteMember(contextFor(database, tenant, principalFor(tenant, 'owner', null, owner.id)), { email: 'invited@example.test', role: 'viewer' });
    const open = (path: string, who: string) => app.request(path, { host: HOST, headers: { 'x-forwarded-for': who, accept: 'text/html' } });
    const from = newAddress();
    await windowWithRoom(20);
    // A working link never counts: opening it again and again is not guessing.
    for (let i = 0; i < LINK_LIMIT.limit + 2; i++) expect((await open(`/invitations/${token}`, from)).status).toBe(200);
    // Guesses do, on both kinds of link and by either method.
    for (let i = 0; i < LINK_LIMIT.limit; i++) {
      const guess = `guess-${i}-${'x'.repeat(30)}`;
      const answer = i % 3 === 0 ? await open(`/password-reset/${guess}`, from) : i % 3 === 1 ? await open(`/invitations/${guess}`, from) : await postLink(`/password-reset/${guess}`, from);
      expect([400, 404]).toContain(answer.status);
    }
    const refused = await open(`/invitations/${token}`, from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/Too many links that do not work were opened from this network\. Try again in \d+ seconds\./);
    // Another address opens the same link.
    expect((await open(`/invitations/${token}`, newAddress())).status).toBe(200);
  }, 90_000);
});

/** Posts a link's form as a browser does (its pre-session CSRF cookie and field). */
async function postLink(path: string, from: string) {
  const form = await app.request('/sign-in', { host: HOST, headers: { 'x-forwarded-for': from } });
  return app.request(path, {
    host: HOST,
    cookie: cookiesOf(form),
    headers: { 'x-forwarded-for': from, origin: `http://${HOST}`, accept: 'text/html' },
    form: { csrf: hiddenField(await form.text(), 'csrf'), password: 'a brand new password' },
  });
}
