import { and, eq, sql } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthStore } from '../../src/db/schema/index.js';
import { listConnectedApps, removeUnusedClients } from '../../src/oauth/index.js';
import { KNOWN_CLIENT_REDIRECTS } from '../../src/oauth/redirect-policy.js';
import { createSafeFetch } from '../../src/oauth/safe-fetch.js';
import {
  authorizeUrl,
  browserOf,
  CLAUDE_REDIRECT,
  clientOptions,
  decide,
  discover,
  loopbackFetch,
  pkce,
  registerClient,
  startOAuthServer,
  submitSignIn,
  tenantWithMember,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * How clients become known (SPEC §4.2): dynamic registration (RFC 7591) under the redirect policy, with and
 * without MCP_REDIRECT_DOMAINS; Client ID Metadata Documents fetched through an injected fetcher (documents) or the
 * SSRF-safe one (private addresses refused); clean-up of registrations nobody uses.
 */
const CIMD_ID = 'https://client.example.test/oauth/metadata.json';
const documents: Record<string, unknown> = {
  [CIMD_ID]: { client_id: CIMD_ID, client_name: 'Example Agent', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' },
  'https://bad.example.test/oauth/metadata.json': {
    client_id: 'https://bad.example.test/oauth/metadata.json',
    client_name: 'Bad',
    redirect_uris: ['http://evil.example/cb'],
    token_endpoint_auth_method: 'none',
  },
};
const fetched: string[] = [];
async function documentFetcher(url: string): Promise<Response> {
  fetched.push(url);
  const doc = documents[url];
  return doc ? new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' } }) : new Response('', { status: 404 });
}

let open: OAuthServer; // no MCP_REDIRECT_DOMAINS, documents served by the injected fetcher
let restricted: OAuthServer; // MCP_REDIRECT_DOMAINS=claude.ai, the real SSRF-safe fetcher with a fake resolver
let acme: Member;
let beta: Member;

beforeAll(async () => {
  open = await startOAuthServer({ oauth: { fetchClientMetadata: documentFetcher } });
  restricted = await startOAuthServer({
    redirectDomains: ['claude.ai'],
    oauth: { fetchClientMetadata: createSafeFetch({ resolve: async () => [{ address: '10.0.0.7', family: 4 }] }) },
  });
  acme = await tenantWithMember(open, 'business', 'manager');
  beta = await tenantWithMember(restricted, 'enterprise', 'manager');
});
afterAll(async () => {
  await open?.close();
  await restricted?.close();
});

async function register(origin: string, metadata: Record<string, unknown>) {
  const response = await loopbackFetch(`${origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('dynamic client registration (RFC 7591)', () => {
  it.each(Object.entries(KNOWN_CLIENT_REDIRECTS).map(([name, uris]) => [name, uris.map((u) => u.replace('{callback_id}', 'g-1').replace('{port}', '49152'))] as const))(
    'accepts the redirect URIs of %s',
    async (name, uris) => {
      const { status, body } = await register(acme.origin, { client_name: name, redirect_uris: uris, token_endpoint_auth_method: 'none' });
      expect(status).toBe(201);
      expect(body.redirect_uris).toEqual(uris);
      expect(body.client_id).toBeTruthy();
    },
  );

  it('registers Cursor’s app scheme as a native client and drops a scope it cannot use', async () => {
    const { status, body } = await register(acme.origin, {
      client_name: 'Cursor',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      scope: 'openid mcp:use offline_access',
    });
    expect(status).toBe(201);
    expect(body.application_type).toBe('native');
    expect(body.scope).toBeUndefined();
  });

  it('refuses an http redirect that is not loopback, naming it', async () => {
    const { status, body } = await register(acme.origin, { redirect_uris: ['http://evil.example/cb'] });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_redirect_uri', error_description: expect.stringContaining('http://evil.example/cb') });
  });

  it('keeps the name people read honest: no bidirectional or control characters, at most 100 characters', async () => {
    const spoof = await register(acme.origin, { client_name: 'Evil\u202Eedualc\u202C\u0007', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    expect(spoof.status).toBe(201);
    expect(spoof.body.client_name).toBe('Evil edualc');
    const long = await register(acme.origin, { client_name: 'x'.repeat(5000), redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    expect(long.status).toBe(201);
    expect([...String(long.body.client_name)]).toHaveLength(100);
    expect(String(long.body.client_name).endsWith('…')).toBe(true);
  });

  it('says what is wrong with a body that is not JSON or too large', async () => {
    const post = (body: string) => loopbackFetch(`${acme.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const broken = await post('{"redirect_uris": [');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: 'invalid_client_metadata', error_description: 'the request body is not valid JSON' });
    const huge = await post(JSON.stringify({ redirect_uris: [CLAUDE_REDIRECT], padding: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error_description: string }).error_description).toContain('at most 56 KB');
  });

  it('gives confidential clients a secret they authenticate with', async () => {
    const as = await discover(acme.origin);
    const client = await registerClient(as, { client_name: 'ChatGPT', redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'client_secret_post' });
    expect(client.client_secret).toBeTruthy();
    const { verifier, challenge } = await pkce();
    const browser = browserOf(open, acme.user.email);
    let page = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: 'https://chatgpt.com/connector_platform_oauth_redirect', challenge }));
    if (new URL(page.url).pathname === '/sign-in') page = await submitSignIn(browser, page, acme.user.email);
    page = await decide(browser, page, 'Allow');
    const params = oauth.validateAuthResponse(as, client, page.left!, 'state-1');
    const redeem = (auth: oauth.ClientAuth) =>
      oauth
        .authorizationCodeGrantRequest(as, client, auth, params, 'https://chatgpt.com/connector_platform_oauth_redirect', verifier, clientOptions)
        .then((r) => oauth.processAuthorizationCodeResponse(as, client, r));
    await expect(redeem(oauth.ClientSecretPost('wrong'))).rejects.toMatchObject({ error: 'invalid_client' });
    expect((await redeem(oauth.ClientSecretPost(String(client.client_secret)))).access_token).toBeTruthy();
  });

  it('keeps a confidential client’s secret sealed at rest: a copy of the table does not authenticate as the client', async () => {
    const as = await discover(acme.origin);
    const client = await registerClient(as, { client_name: 'Sealed', redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'client_secret_basic' });
    const secret = String(client.client_secret);
    const row = async () =>
      (await open.database.db.select({ payload: oauthStore.payload }).from(oauthStore).where(and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, client.client_id))))[0]!;
    const stored = (await row()).payload as Record<string, unknown>;
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.client_secret).toBeUndefined();
    expect(String(stored.client_secret_sealed)).toMatch(/^v1\./);

    // The secret still authenticates (client credentials reach the token endpoint's client check first).
    const refreshWith = (auth: oauth.ClientAuth) =>
      oauth.refreshTokenGrantRequest(as, client, auth, 'not-a-refresh-token', clientOptions).then((r) => oauth.processRefreshTokenResponse(as, client, r));
    await expect(refreshWith(oauth.ClientSecretBasic(secret))).rejects.toMatchObject({ error: 'invalid_grant' });
    const refusedClient = { status: 401, cause: [expect.objectContaining({ parameters: expect.objectContaining({ error: 'invalid_client' }) })] };
    await expect(refreshWith(oauth.ClientSecretBasic('wrong'))).rejects.toMatchObject(refusedClient);

    // Sealed for another client (a row copied over another's): it does not open, and the client is refused.
    const other = await registerClient(as, { client_name: 'Other', redirect_uris: ['https://chatgpt.com/connector_platform_oauth_redirect'], token_endpoint_auth_method: 'client_secret_basic' });
    await open.database.db
      .update(oauthStore)
      .set({ payload: sql`jsonb_set(${oauthStore.payload}, '{client_secret_sealed}', ${JSON.stringify(stored.client_secret_sealed)}::jsonb)` })
      .where(and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, other.client_id)));
    const otherRefresh = oauth
      .refreshTokenGrantRequest(as, other, oauth.ClientSecretBasic(secret), 'not-a-refresh-token', clientOptions)
      .then((r) => oauth.processRefreshTokenResponse(as, other, r));
    await expect(otherRefresh).rejects.toMatchObject(refusedClient);
  });
});

describe('dynamic client registration with MCP_REDIRECT_DOMAINS', () => {
  it('accepts redirects on the listed domains', async () => {
    expect((await register(beta.origin, { redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' })).status).toBe(201);
  });

  it('refuses a domain outside the list, and loopback when not listed', async () => {
    for (const uri of ['https://chatgpt.com/connector_platform_oauth_redirect', 'http://localhost:33418/callback', 'cursor://anysphere.cursor-mcp/oauth/callback']) {
      const { status, body } = await register(beta.origin, { redirect_uris: [uri], token_endpoint_auth_method: 'none' });
      expect(status, uri).toBe(400);
      expect(body.error).toBe('invalid_redirect_uri');
      expect(body.error_description).toMatch(/MCP_REDIRECT_DOMAINS/);
    }
  });
});

describe('Client ID Metadata Documents', () => {
  it('lets a client identified by its https URL connect; the document names it and it is shown as unverified', async () => {
    const as = await discover(acme.origin);
    const client: oauth.Client = { client_id: CIMD_ID, token_endpoint_auth_method: 'none' };
    const { verifier, challenge } = await pkce();
    const browser = browserOf(open, acme.user.email);
    let page = await browser.follow(authorizeUrl(as, { clientId: CIMD_ID, redirectUri: CLAUDE_REDIRECT, challenge }));
    if (new URL(page.url).pathname === '/sign-in') page = await submitSignIn(browser, page, acme.user.email);
    const html = await page.response.clone().text();
    expect(html).toContain('Example Agent');
    expect(html).toContain('unverified');
    expect(html).toContain('client.example.test');
    const back = await decide(browser, page, 'Allow');
    const params = oauth.validateAuthResponse(as, client, back.left!, 'state-1');
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, CLAUDE_REDIRECT, verifier, clientOptions));
    expect(tokens.access_token).toBeTruthy();
    expect(fetched).toContain(CIMD_ID);
    const apps = await listConnectedApps(open.database.db, acme.tenant.id, { userId: acme.user.id });
    expect(apps.find((a) => a.clientId === CIMD_ID)).toMatchObject({ clientName: 'Example Agent', clientKind: 'metadata_document', verified: false });
  });

  it('refuses a document whose redirect URIs break the policy (a page, no redirect)', async () => {
    const as = await discover(acme.origin);
    const { challenge } = await pkce();
    const page = await browserOf(open, acme.user.email).follow(authorizeUrl(as, { clientId: 'https://bad.example.test/oauth/metadata.json', redirectUri: 'http://evil.example/cb', challenge }));
    expect(page.left).toBeUndefined();
    expect(page.response.status).toBe(400);
    expect(await page.response.text()).toContain('invalid_client');
  });

  it('never fetches from a private address (SSRF): a page, no redirect', async () => {
    const as = await discover(beta.origin);
    const { challenge } = await pkce();
    for (const clientId of ['https://127.0.0.1/client.json', 'https://169.254.169.254/latest/client.json', 'https://internal.example.test/client.json']) {
      const page = await browserOf(restricted, beta.user.email).follow(authorizeUrl(as, { clientId, redirectUri: CLAUDE_REDIRECT, challenge }));
      expect(page.left, clientId).toBeUndefined();
      expect(page.response.status).toBe(400);
      expect(await page.response.text()).toContain('invalid_client');
    }
  });
});

describe('unused registrations', () => {
  it('are removed after 30 days without a token; clients in use stay', async () => {
    const unused = await register(acme.origin, { client_name: 'Abandoned', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const used = await register(acme.origin, { client_name: 'Used', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const age = (id: unknown, lastUsed: boolean) =>
      open.database.db
        .update(oauthStore)
        .set({ createdAt: sql`now() - interval '40 days'`, lastUsedAt: lastUsed ? sql`now() - interval '1 day'` : null })
        .where(and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, String(id))));
    await age(unused.body.client_id, false);
    await age(used.body.client_id, true);
    expect(await removeUnusedClients(open.database.db)).toBeGreaterThanOrEqual(1);
    const left = await open.database.db.select({ id: oauthStore.id }).from(oauthStore).where(eq(oauthStore.model, 'Client'));
    expect(left.map((r) => r.id)).not.toContain(unused.body.client_id);
    expect(left.map((r) => r.id)).toContain(used.body.client_id);
  });
});
