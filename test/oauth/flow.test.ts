import { and, eq } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/db/schema/index.js';
import { listConnectedApps, revokeConnectedApp, verifyAccessToken } from '../../src/oauth/index.js';
import {
  authorizeAndAllow as authorizeAndAllowOn,
  authorizeUrl,
  Browser,
  browserOf,
  CLAUDE_CODE_REDIRECT,
  CLAUDE_REDIRECT,
  clientOptions,
  connectApp,
  decide,
  discover,
  field,
  loopbackFetch,
  pkce,
  redeem,
  refresh,
  serverWithAcme,
  startOAuthServer,
  submitSignIn,
  tenantWithMember,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * The whole connection of an MCP client (SPEC §4.2), as a client library sees it: the 401 challenge → protected
 * resource metadata → authorization server metadata → dynamic registration → authorize (sign in, consent) → code →
 * tokens → refresh → revocation; on two tenants, so nothing of one is usable on the other.
 */
let server: OAuthServer;
let acme: Member;
let globex: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
  globex = await tenantWithMember(server, 'enterprise', 'owner');
});
afterAll(async () => server?.close());

// The connection helpers of support.ts, on this file's server.
const authorizeAndAllow = (t: Member, as: oauth.AuthorizationServer, client: oauth.Client, redirectUri: string, scope?: string, browser?: Browser) =>
  authorizeAndAllowOn(server, t, as, client, redirectUri, scope, browser);
const connect = (t: Member, redirectUri?: string, scope?: string) => connectApp(server, t, redirectUri, scope);

describe('discovery from the 401 challenge', () => {
  it('leads from /mcp/orgonaut to the protected resource metadata and on to this host as issuer', async () => {
    const challenge = await loopbackFetch(`${acme.origin}/mcp/orgonaut`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(challenge.status).toBe(401);
    const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1];
    expect(prmUrl).toBe(`${acme.origin}/.well-known/oauth-protected-resource/mcp/orgonaut`);
    const resource = new URL(`${acme.origin}/mcp/orgonaut`);
    const prm = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, clientOptions));
    expect(prm.authorization_servers).toEqual([`${acme.origin}/mcp/orgonaut`]);
    const as = await discover(acme.origin);
    expect(as.issuer).toBe(`${acme.origin}/mcp/orgonaut`);
  });
});

describe('an MCP client connecting with OAuth', () => {
  it('registers, signs the user in, gets consent and receives an opaque 1-hour token bound to user, client, scopes and resource', async () => {
    const { tokens, client, resource, consentHtml } = await connect(acme);
    expect(consentHtml).toContain('Claude');
    expect(consentHtml).toContain('unverified');
    expect(consentHtml).toContain('claude.ai');
    expect(consentHtml).toContain(acme.tenant.name);
    expect(consentHtml).toContain(acme.user.email);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('mcp:use');
    expect(tokens.access_token.split('.')).toHaveLength(1); // opaque, not a JWT
    const info = await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource);
    expect(info).toMatchObject({ userId: acme.user.id, clientId: client.client_id, clientName: 'Claude', scopes: ['mcp:use'] });
    expect(info!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const [audit] = await server.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.tenant.id), eq(auditEvents.entityType, 'oauth_app'), eq(auditEvents.action, 'authorised')));
    expect(audit).toMatchObject({ userId: acme.user.id, clientId: client.client_id, clientName: 'Claude', principalKind: 'session' });
  });

  it('grants the ability scopes requested beside mcp:use, described in plain words', async () => {
    const { tokens, consentHtml } = await connect(acme, CLAUDE_REDIRECT, 'scenarios.read costs.read openid offline_access');
    expect(tokens.scope).toBe('mcp:use scenarios.read costs.read');
    expect(consentHtml).toContain('See scenarios, snapshots, lineage and scenario deltas');
    expect(consentHtml).toContain('See compensation and every money figure');
  });

  it('rotates the refresh token on every use; the new tokens work', async () => {
    const { as, client, tokens, resource } = await connect(acme);
    const next = await refresh(as, client, tokens.refresh_token!);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.scope).toBe('mcp:use');
    expect(await verifyAccessToken(server.database.db, acme.tenant, next.access_token, resource)).not.toBeNull();
    const third = await refresh(as, client, next.refresh_token!);
    expect(await verifyAccessToken(server.database.db, acme.tenant, third.access_token, resource)).not.toBeNull();
  });

  it('revokes an access token (RFC 7009), and with it every token of that authorization', async () => {
    const { as, client, tokens, resource } = await connect(acme);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, clientOptions));
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource)).toBeNull();
    await expect(refresh(as, client, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes a refresh token (RFC 7009) and the whole grant with it', async () => {
    const { as, client, tokens, resource } = await connect(acme);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token!, clientOptions));
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource)).toBeNull();
    await expect(refresh(as, client, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('consent memory', () => {
  it('is remembered per user and client for https redirects, and asked again for scopes not yet approved', async () => {
    const first = await connect(acme, CLAUDE_REDIRECT, 'actors.read');
    const again = await authorizeAndAllow(acme, first.as, first.client, first.redirectUri, 'actors.read', first.browser);
    expect(again.consentShown).toBe(false);
    const other = await authorizeAndAllow(acme, first.as, first.client, first.redirectUri, 'activity.read', first.browser);
    expect(other.consentShown).toBe(true);
    // prompt=consent asks again even though the scopes were approved.
    const { challenge } = await pkce();
    const url = authorizeUrl(first.as, { clientId: first.client.client_id, redirectUri: first.redirectUri, challenge, scope: 'actors.read' }, { prompt: 'consent' });
    const asked = await first.browser.follow(url);
    expect(asked.left).toBeUndefined();
    expect(await asked.response.text()).toMatch(/>\s*Allow\s*</);
  });

  it('never lets an approval of narrowed scopes cover a request for the whole role (mcp:use alone)', async () => {
    const narrow = await connect(acme, CLAUDE_REDIRECT, 'actors.read');
    const whole = await authorizeAndAllow(acme, narrow.as, narrow.client, narrow.redirectUri, undefined, narrow.browser);
    expect(whole.consentShown).toBe(true);
    expect((await redeem(narrow.as, narrow.client, whole.params, narrow.redirectUri, whole.verifier)).scope).toBe('mcp:use');
    // Once the whole role is approved, a narrower request is covered.
    const narrower = await authorizeAndAllow(acme, narrow.as, narrow.client, narrow.redirectUri, 'actors.read', narrow.browser);
    expect(narrower.consentShown).toBe(false);
  });

  it('is asked every time for loopback redirects (any local program could be listening)', async () => {
    const first = await connect(acme, CLAUDE_CODE_REDIRECT);
    expect(first.consentHtml).toContain('on your own computer');
    const again = await authorizeAndAllow(acme, first.as, first.client, first.redirectUri, undefined, first.browser);
    expect(again.consentShown).toBe(true);
  });
});

describe('a fresh sign-in when the client asks for one (prompt=login)', () => {
  async function authorize(first: Awaited<ReturnType<typeof connect>>, extra: Record<string, string>) {
    const { verifier, challenge } = await pkce();
    const url = authorizeUrl(first.as, { clientId: first.client.client_id, redirectUri: first.redirectUri, challenge, state: 'state-1' }, extra);
    return { page: await first.browser.follow(url), verifier };
  }

  it('asks a signed-in person for their password again before the client gets a code', async () => {
    const first = await connect(acme);
    // Signed in, consent remembered: without prompt=login the client gets its code at once.
    expect((await authorize(first, {})).page.left?.href.startsWith(first.redirectUri)).toBe(true);

    const { page, verifier } = await authorize(first, { prompt: 'login' });
    expect(page.left).toBeUndefined();
    expect(new URL(page.url).pathname).toBe('/sign-in');
    const html = await page.response.clone().text();
    expect(html).toContain('asks you to sign in again');
    expect(html).toContain(`value="${acme.user.email}"`);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a person takes a moment (the request is timed to the second)
    const signedIn = await submitSignIn(first.browser, page, acme.user.email);
    expect(signedIn.left?.href.startsWith(first.redirectUri)).toBe(true);
    const params = oauth.validateAuthResponse(first.as, first.client, signedIn.left!, 'state-1');
    expect((await redeem(first.as, first.client, params, first.redirectUri, verifier)).access_token).toBeTruthy();
  });

  it('gives no code while the password is not entered again, whoever is signed in', async () => {
    const first = await connect(acme);
    const { page } = await authorize(first, { prompt: 'login' });
    const html = await page.response.text();
    const action = new URL('/sign-in', page.url).href;
    const form = { email: acme.user.email, password: 'not-the-password', csrf: field(html, 'csrf'), return_to: field(html, 'return_to') };
    const refused = await first.browser.follow(action, { form });
    expect(refused.response.status).toBe(401);
    expect(refused.left).toBeUndefined();
  });

  it('gives no code for an Allow posted straight to the request by a session older than it (the page’s token from any page)', async () => {
    const first = await connect(acme);
    const { page } = await authorize(first, { prompt: 'login' });
    const returnTo = field(await page.response.text(), 'return_to');
    // Anyone at a signed-in browser has the session's form token: every page's sign-out form carries it.
    const home = await first.browser.follow(`${acme.origin}/`);
    const csrf = field(await home.response.text(), 'csrf');
    const posted = await first.browser.follow(new URL(returnTo, acme.origin).href, { form: { csrf, decision: 'allow' } });
    expect(posted.left).toBeUndefined();
    expect(new URL(posted.url).pathname).toBe('/sign-in');
    expect(await posted.response.text()).toContain('asks you to sign in again');
  });

  it('refuses max_age, an OpenID Connect parameter, saying why (no openid scope is offered)', async () => {
    const first = await connect(acme);
    const { page } = await authorize(first, { max_age: '0' });
    const back = page.left!;
    expect(back.href.startsWith(first.redirectUri)).toBe(true);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toContain('max_age');
  });
});

describe('connected apps', () => {
  it('lists the apps a user authorised, and every app of the tenant for admins', async () => {
    const mine = await listConnectedApps(server.database.db, acme.tenant.id, { userId: acme.user.id });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ userId: acme.user.id, userEmail: acme.user.email, clientName: 'Claude', clientKind: 'dynamic', verified: false });
    const all = await listConnectedApps(server.database.db, acme.tenant.id, 'all');
    expect(all.length).toBe(mine.length);
    expect(await listConnectedApps(server.database.db, globex.tenant.id, 'all')).toEqual([]);
  });

  it('shows in Settings which apps still have access, and which ended theirs (RFC 7009 revoke)', async () => {
    const live = await connect(acme);
    const ended = await connect(acme);
    const revoked = await oauth.revocationRequest(ended.as, ended.client, oauth.None(), ended.tokens.refresh_token!, clientOptions);
    await oauth.processRevocationResponse(revoked);
    const page = await live.browser.follow(`${acme.origin}/settings/api`);
    expect(page.response.status).toBe(200);
    const html = await page.response.text();
    const row = (clientId: string) => {
      const at = html.indexOf(`value="${clientId}"`);
      return html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at));
    };
    expect(row(live.client.client_id)).not.toContain('no active access');
    expect(row(live.client.client_id)).toContain('Disconnect Claude');
    expect(row(live.client.client_id)).toContain('everything the role allows');
    expect(row(ended.client.client_id)).toContain('no active access');
    expect(row(ended.client.client_id)).toContain('Forget Claude');
    const [audit] = await server.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.tenant.id), eq(auditEvents.action, 'revoked_by_app'), eq(auditEvents.clientId, ended.client.client_id)));
    expect(audit).toMatchObject({ category: 'security', entityType: 'oauth_app', userId: acme.user.id, clientName: 'Claude' });
  });

  it('revoking an app kills its access and refresh tokens at once and asks for consent again', async () => {
    const app = await connect(acme);
    expect(await verifyAccessToken(server.database.db, acme.tenant, app.tokens.access_token, app.resource)).not.toBeNull();
    const revoked = await revokeConnectedApp(server.database.db, acme.tenant.id, { userId: acme.user.id, clientId: app.client.client_id, byAdmin: true, revokedBy: globex.user.id });
    expect(revoked).toBe(true);
    expect(await verifyAccessToken(server.database.db, acme.tenant, app.tokens.access_token, app.resource)).toBeNull();
    await expect(refresh(app.as, app.client, app.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const list = await listConnectedApps(server.database.db, acme.tenant.id, { userId: acme.user.id });
    expect(list.some((a) => a.clientId === app.client.client_id)).toBe(false);
    const [audit] = await server.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, acme.tenant.id), eq(auditEvents.action, 'revoked'), eq(auditEvents.clientId, app.client.client_id)));
    expect(audit?.metadata).toMatchObject({ by_admin: true, revoked_by: globex.user.id });
    const again = await authorizeAndAllow(acme, app.as, app.client, app.redirectUri, undefined, app.browser);
    expect(again.consentShown).toBe(true);
  });
});

describe('the resource server', () => {
  it('accepts the token on its own host’s MCP endpoint and refuses it on another tenant’s', async () => {
    const app = await connect(acme);
    const initialize = (origin: string) =>
      loopbackFetch(`${origin}/mcp/orgonaut`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
      });
    expect((await initialize(acme.origin)).status).not.toBe(401);
    const elsewhere = await initialize(globex.origin);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('the REST API', () => {
  it('refuses an MCP app’s OAuth access token, saying where it works', async () => {
    const app = await connect(acme);
    const response = await loopbackFetch(`${acme.origin}/api/v1/me`, { headers: { authorization: `Bearer ${app.tokens.access_token}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toContain('OAuth access token works only on the MCP server');
  });
});

describe('revocation across instances', () => {
  it('reaches another instance within a second', async () => {
    const other = await startOAuthServer({ database: server.database });
    try {
      const app = await connect(acme);
      const call = () =>
        loopbackFetch(`${acme.origin}/mcp/orgonaut`, {
          method: 'POST',
          headers: { authorization: `Bearer ${app.tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
        }, { port: other.port }); // same public host, the other instance
      expect((await call()).status).not.toBe(401); // the other instance has now cached the token as valid
      await revokeConnectedApp(server.database.db, acme.tenant.id, { userId: acme.user.id, clientId: app.client.client_id, byAdmin: false });
      const revokedAt = Date.now();
      let status = 0;
      while (Date.now() - revokedAt < 1000 && status !== 401) {
        status = (await call()).status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(401);
      expect(Date.now() - revokedAt).toBeLessThan(1000);
    } finally {
      await other.close();
    }
  });
});

describe('tenant isolation', () => {
  it('refuses a token on another tenant’s host, and for another resource', async () => {
    const app = await connect(acme);
    const globexResource = `${globex.origin}/mcp/orgonaut`;
    expect(await verifyAccessToken(server.database.db, globex.tenant, app.tokens.access_token, globexResource)).toBeNull();
    expect(await verifyAccessToken(server.database.db, acme.tenant, app.tokens.access_token, globexResource)).toBeNull();
    expect(await verifyAccessToken(server.database.db, acme.tenant, app.tokens.access_token, `${acme.origin}/mcp/other`)).toBeNull();
    const globexAs = await discover(globex.origin);
    await expect(refresh(globexAs, app.client, app.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('does not know one tenant’s clients on another tenant’s host (an error page, never a redirect)', async () => {
    const app = await connect(acme);
    const globexAs = await discover(globex.origin);
    const { challenge } = await pkce();
    const page = await new Browser(server.port).follow(authorizeUrl(globexAs, { clientId: app.client.client_id, redirectUri: app.redirectUri, challenge }));
    expect(page.left).toBeUndefined();
    expect(page.response.status).toBe(400);
    expect(await page.response.text()).toContain('invalid_client');
  });

  it('keeps each tenant’s connections to itself', async () => {
    const app = await connect(globex);
    expect(await verifyAccessToken(server.database.db, globex.tenant, app.tokens.access_token, app.resource)).not.toBeNull();
    const acmeApps = await listConnectedApps(server.database.db, acme.tenant.id, 'all');
    expect(acmeApps.some((a) => a.clientId === app.client.client_id)).toBe(false);
  });
});
