import { createHash, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens, auditEvents } from '../../src/db/schema/index.js';
import { hashSecret } from '../../src/access/api-tokens.js';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { cookiesOf, hiddenField, testApp, type TestApp } from '../support/app.js';

let database: Database;
let tenant: Tenant;
let app: TestApp;
let cookie: string;
let email: string;
const HOST = 'cliacme.localhost';
const REDIRECT = 'http://127.0.0.1:53682/callback';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'cliacme', plan: 'free' });
  app = testApp(database);
  const user = await buildMember(database, tenant, 'member', { password: 'correct horse battery' });
  email = user.email;
  const page = await app.request('/sign-in', { host: HOST });
  const html = await page.text();
  const signIn = await app.request('/sign-in', {
    host: HOST,
    cookie: cookiesOf(page),
    form: { csrf: hiddenField(html, 'csrf'), email: user.email, password: 'correct horse battery', return_to: '/' },
  });
  cookie = cookiesOf(signIn, cookiesOf(page));
});
afterAll(() => database?.close());

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(challenge: string, extra: Record<string, string> = {}) {
  const q = new URLSearchParams({ response_type: 'code', client_id: 'orgonaut-cli', redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'st4te', ...extra });
  return `/cli/oauth/authorize?${q}`;
}

async function authorize(challenge: string, decision: 'allow' | 'deny') {
  const consent = await app.request(authorizeUrl(challenge), { host: HOST, cookie });
  expect(consent.status).toBe(200);
  const html = await consent.text();
  expect(html).toContain('Sign in the Orgonaut CLI?');
  const fields = Object.fromEntries(['csrf', 'client_id', 'response_type', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'token_name'].map((n) => [n, hiddenField(html, n)]));
  const response = await app.request('/cli/oauth/authorize', { host: HOST, cookie, headers: { origin: `http://${HOST}` }, form: { ...fields, decision } });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location')!);
}

const exchange = (fields: Record<string, string>) =>
  app.request('/cli/oauth/token', { host: HOST, form: { grant_type: 'authorization_code', client_id: 'orgonaut-cli', redirect_uri: REDIRECT, ...fields } });

/** Signs the CLI in through consent and code exchange; the token it receives. */
async function signIn(tokenName: string) {
  const { verifier, challenge } = pkce();
  const consent = await app.request(authorizeUrl(challenge, { token_name: tokenName }), { host: HOST, cookie });
  const html = await consent.text();
  const fields = Object.fromEntries(['csrf', 'client_id', 'response_type', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'token_name'].map((n) => [n, hiddenField(html, n)]));
  const allowed = await app.request('/cli/oauth/authorize', { host: HOST, cookie, headers: { origin: `http://${HOST}` }, form: { ...fields, decision: 'allow' } });
  const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
  return ((await (await exchange({ code, code_verifier: verifier })).json()) as { access_token: string }).access_token;
}

const status = async (token: string) => (await app.request('/api/v1/me', { host: HOST, token })).status;

describe('CLI sign-in (PKCE → personal API token), on a free plan too', () => {
  it('sends someone not signed in to the sign-in page first', async () => {
    const response = await app.request(authorizeUrl(pkce().challenge), { host: HOST });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/sign-in\?return_to=%2Fcli%2Foauth%2Fauthorize/);
  });

  it('says who is signed in, offers another account, and is never cached', async () => {
    const consent = await app.request(authorizeUrl(pkce().challenge), { host: HOST, cookie });
    expect(consent.headers.get('cache-control')).toBe('no-store');
    const html = await consent.text();
    expect(html).toContain(`Signed in as ${email}.`);
    // The token lasts 90 days by default (ORGONAUT_CLI_TOKEN_DAYS): the page says so, with the day.
    const expires = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    expect(html).toMatch(new RegExp(`replacing the token of that\\s+name an earlier CLI sign-in made \\(it is revoked; a token you made yourself in Settings → API is kept\\)\\. It expires in 90 days, on ${expires}; then sign in again\\.`));
    expect(html).not.toContain('does not expire');
    const signOut = /<form method="post" action="\/sign-out"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
    expect(hiddenField(signOut, 'return_to').startsWith('/cli/oauth/authorize?')).toBe(true);
  });

  it('issues a personal API token for a code and the right verifier, once', async () => {
    const { verifier, challenge } = pkce();
    const back = await authorize(challenge, 'allow');
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st4te');
    const code = back.searchParams.get('code')!;
    const token = await exchange({ code, code_verifier: verifier });
    expect(token.status).toBe(200);
    const body = (await token.json()) as { access_token: string; tenant: string; abilities: string[]; expires_at: string; expires_in: number };
    expect(body.access_token).toMatch(/^orgo_pat_/);
    // A CLI credential has a bounded life: 90 days by default, stored on the token and answered with it.
    expect(body.expires_in).toBe(90 * 86_400);
    const days = (Date.parse(body.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const [stored] = await database.db.select().from(apiTokens).where(eq(apiTokens.secretHash, hashSecret(body.access_token)));
    expect(stored!.expiresAt!.toISOString()).toBe(body.expires_at);
    expect(body.tenant).toBe('cliacme');
    expect(body.abilities).not.toContain('mcp.access'); // not on the free plan
    const me = await app.request('/api/v1/me', { host: HOST, token: body.access_token });
    expect(((await me.json()) as { data: { role: string; credential_expires_at: string } }).data).toMatchObject({ role: 'member', credential_expires_at: body.expires_at });
    const replay = await exchange({ code, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('signing in again from the same computer revokes its earlier token (same name); another computer keeps its own', async () => {
    const laptop = await signIn('Orgonaut CLI on laptop');
    const desktop = await signIn('Orgonaut CLI on desktop');
    const laptopAgain = await signIn('Orgonaut CLI on laptop');
    expect(await status(laptop)).toBe(401);
    expect(await status(laptopAgain)).toBe(200);
    expect(await status(desktop)).toBe(200);
    const revoked = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'api_token'), eq(auditEvents.action, 'revoked')));
    expect(revoked.map((e) => e.metadata)).toEqual([expect.objectContaining({ name: 'Orgonaut CLI on laptop', reason: 'replaced_by_cli_sign_in' })]);
  });

  it('replaces only a token a CLI sign-in made: one made in Settings → API with the same name keeps working', async () => {
    const page = await app.request('/settings/api', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const made = await app.request('/settings/api/tokens', {
      host: HOST,
      cookie,
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(await page.text(), 'csrf'), name: 'Orgonaut CLI on tablet', abilities: 'org-units.read', expires_in_days: '30' },
    });
    expect(made.status).toBe(303);
    const shown = await app.request(made.headers.get('location')!, { host: HOST, cookie, headers: { accept: 'text/html' } });
    const mine = /orgo_pat_[A-Za-z0-9_-]+/.exec(await shown.text())?.[0];
    expect(mine).toBeDefined();
    expect(await status(mine!)).toBe(200);
    const first = await signIn('Orgonaut CLI on tablet');
    const again = await signIn('Orgonaut CLI on tablet');
    expect(await status(mine!)).toBe(200);
    expect(await status(first)).toBe(401);
    expect(await status(again)).toBe(200);
  });

  it('refuses a wrong verifier, a different redirect and a denied request', async () => {
    const first = pkce();
    const code = (await authorize(first.challenge, 'allow')).searchParams.get('code')!;
    expect(await (await exchange({ code, code_verifier: pkce().verifier })).json()).toMatchObject({ error: 'invalid_grant' });
    const second = pkce();
    const code2 = (await authorize(second.challenge, 'allow')).searchParams.get('code')!;
    expect(await (await exchange({ code: code2, code_verifier: second.verifier, redirect_uri: 'http://127.0.0.1:1/other' })).json()).toMatchObject({ error: 'invalid_grant' });
    const denied = await authorize(pkce().challenge, 'deny');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('shows an error page, never a redirect, for a bad client, redirect or PKCE', async () => {
    const { challenge } = pkce();
    const bad: Record<string, string>[] = [{ client_id: 'evil' }, { redirect_uri: 'https://evil.example/cb' }, { code_challenge_method: 'plain' }, { code_challenge: 'short' }];
    for (const extra of bad) {
      const response = await app.request(authorizeUrl(challenge, extra), { host: HOST, cookie, headers: { accept: 'text/html' } });
      expect(response.status, JSON.stringify(extra)).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('answers a tampered consent form with an error page, never a redirect to the altered address', async () => {
    const consent = await app.request(authorizeUrl(pkce().challenge), { host: HOST, cookie });
    const html = await consent.text();
    const fields = Object.fromEntries(['csrf', 'client_id', 'response_type', 'code_challenge', 'code_challenge_method', 'state', 'token_name'].map((n) => [n, hiddenField(html, n)]));
    for (const redirect_uri of ['https://evil.example/cb', '']) {
      const response = await app.request('/cli/oauth/authorize', {
        host: HOST,
        cookie,
        headers: { origin: `http://${HOST}`, accept: 'text/html' },
        form: { ...fields, redirect_uri, decision: 'allow' },
      });
      expect(response.status, redirect_uri).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('redirect_uri must be');
    }
  });
});
