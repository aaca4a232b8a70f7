import { and, eq, sql } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, memberships, oauthStore } from '../../src/db/schema/index.js';
import { hashTokenValue } from '../../src/oauth/adapter.js';
import { verifyAccessToken } from '../../src/oauth/index.js';
import {
  authorizeUrl,
  browserOf,
  CLAUDE_REDIRECT,
  clientOptions,
  decide,
  discover,
  pkce,
  registerClient,
  serverWithClient,
  submitSignIn,
  tenantWithMember,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * The token endpoint (SPEC §4.2), one test per way a request must fail: codes are single use, short-lived, bound to
 * client, redirect URI and PKCE verifier, and a replay revokes what they issued; refresh tokens rotate and a reused
 * one revokes the grant; tokens are dead once expired or revoked, and only live on their own tenant.
 */
let server: OAuthServer;
let acme: Member;
let globex: Member;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
const resource = () => `${acme.origin}/mcp/orgonaut`;

beforeAll(async () => {
  ({ server, acme, globex, as, client } = await serverWithClient());
});
afterAll(async () => server?.close());

/** A fresh authorization code for acme's member (a new grant each time). */
async function code(t = acme, c = client, a = as) {
  const { verifier, challenge } = await pkce();
  const browser = browserOf(server, t.user.email);
  const start = await browser.follow(authorizeUrl(a, { clientId: c.client_id, redirectUri: CLAUDE_REDIRECT, challenge }));
  const consent = new URL(start.url).pathname === '/sign-in' ? await submitSignIn(browser, start, t.user.email) : start;
  // The first approval is remembered (https redirect): later codes come straight back.
  const back = consent.left ? consent : await decide(browser, consent, 'Allow');
  return { params: oauth.validateAuthResponse(a, c, back.left!, 'state-1'), verifier };
}

function redeem(params: URLSearchParams, verifier: string, options: { client?: oauth.Client; as?: oauth.AuthorizationServer; redirectUri?: string } = {}) {
  const c = options.client ?? client;
  const a = options.as ?? as;
  return oauth
    .authorizationCodeGrantRequest(a, c, oauth.None(), params, options.redirectUri ?? CLAUDE_REDIRECT, verifier, clientOptions)
    .then((response) => oauth.processAuthorizationCodeResponse(a, c, response));
}

function refresh(refreshToken: string) {
  return oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, clientOptions).then((r) => oauth.processRefreshTokenResponse(as, client, r));
}

/** Moves a stored artifact's expiry into the past, as if its lifetime had run out. */
async function expire(model: string, value: string) {
  await server.database.db
    .update(oauthStore)
    .set({ expiresAt: sql`now() - interval '1 second'`, payload: sql`jsonb_set(${oauthStore.payload}, '{exp}', to_jsonb(extract(epoch from now())::int - 1))` })
    .where(and(eq(oauthStore.tenantId, acme.tenant.id), eq(oauthStore.model, model), eq(oauthStore.id, hashTokenValue(value))));
}

async function auditActions(action: string) {
  return server.database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, acme.tenant.id), eq(auditEvents.action, action)));
}

describe('authorization code', () => {
  it('wrong PKCE verifier: invalid_grant', async () => {
    const { params } = await code();
    await expect(redeem(params, oauth.generateRandomCodeVerifier())).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('code_verifier does not match') });
  });

  it('redirect URI differing from the authorization request: invalid_grant', async () => {
    const { params, verifier } = await code();
    await expect(redeem(params, verifier, { redirectUri: 'https://claude.com/api/mcp/auth_callback' })).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'redirect_uri differs from the one sent in the authorization request',
    });
  });

  it('another client presenting the code: invalid_grant', async () => {
    const other = await registerClient(as, { client_name: 'Other', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { params, verifier } = await code();
    await expect(redeem(params, verifier, { client: other })).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the code or refresh token was issued to another client' });
  });

  it('replayed code: invalid_grant, and the tokens the first redemption issued are revoked', async () => {
    const { params, verifier } = await code();
    const tokens = await redeem(params, verifier);
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource())).not.toBeNull();
    await expect(redeem(params, verifier)).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already used; the tokens issued with it have been revoked') });
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource())).toBeNull();
    await expect(refresh(tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const [replayed] = await auditActions('authorization_code_replayed');
    expect(replayed).toMatchObject({ userId: acme.user.id });
    expect(await auditActions('authorization_code_replayed')).toHaveLength(1);
    // A third try finds the grant gone: refused again, still a clean invalid_grant.
    await expect(redeem(params, verifier)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('the same code redeemed twice at once: exactly one redemption succeeds', async () => {
    const { params, verifier } = await code();
    const results = await Promise.allSettled([redeem(params, verifier), redeem(params, verifier)]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(1);
  });

  it('expired code: invalid_grant', async () => {
    const { params, verifier } = await code();
    await expire('AuthorizationCode', params.get('code')!);
    await expect(redeem(params, verifier)).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('the authorization code expired') });
  });

  it('a code presented to another tenant’s token endpoint: the client is unknown there', async () => {
    const { params, verifier } = await code();
    const globexAs = await discover(globex.origin);
    await expect(redeem(params, verifier, { as: globexAs })).rejects.toMatchObject({ error: 'invalid_client' });
  });
});

describe('refresh token', () => {
  it('reuse of a rotated refresh token: invalid_grant, the grant is revoked (no grace) and the event audited', async () => {
    const { params, verifier } = await code();
    const first = await redeem(params, verifier);
    const second = await refresh(first.refresh_token!);
    await expect(refresh(first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already used (they rotate on every use), so the whole grant has been revoked') });
    expect(await verifyAccessToken(server.database.db, acme.tenant, second.access_token, resource())).toBeNull();
    await expect(refresh(second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const [audit] = await auditActions('refresh_token_reused');
    expect(audit).toMatchObject({ entityType: 'oauth_token', userId: acme.user.id, clientId: client.client_id });
  });

  it('refresh after the user left the tenant: invalid_grant', async () => {
    const leaver = await tenantWithMember(server, 'business', 'viewer');
    const leaverAs = await discover(leaver.origin);
    const leaverClient = await registerClient(leaverAs, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { params, verifier } = await code(leaver, leaverClient, leaverAs);
    const tokens = await redeem(params, verifier, { client: leaverClient, as: leaverAs });
    await server.database.db
      .update(memberships)
      .set({ status: 'archived' })
      .where(and(eq(memberships.tenantId, leaver.tenant.id), eq(memberships.userId, leaver.user.id)));
    const response = await oauth.refreshTokenGrantRequest(leaverAs, leaverClient, oauth.None(), tokens.refresh_token!, clientOptions);
    await expect(oauth.processRefreshTokenResponse(leaverAs, leaverClient, response)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the user is no longer a member of this organisation' });
  });
});

describe('access token', () => {
  it('expired: refused', async () => {
    const { params, verifier } = await code();
    const tokens = await redeem(params, verifier);
    await expire('AccessToken', tokens.access_token);
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource())).toBeNull();
  });

  it('revoked: refused', async () => {
    const { params, verifier } = await code();
    const tokens = await redeem(params, verifier);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, clientOptions));
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource())).toBeNull();
  });

  it('on another tenant’s host, or for another resource: refused', async () => {
    const { params, verifier } = await code();
    const tokens = await redeem(params, verifier);
    expect(await verifyAccessToken(server.database.db, globex.tenant, tokens.access_token, `${globex.origin}/mcp/orgonaut`)).toBeNull();
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, `${globex.origin}/mcp/orgonaut`)).toBeNull();
    expect(await verifyAccessToken(server.database.db, acme.tenant, tokens.access_token, resource())).not.toBeNull();
  });

  it('is stored only as a hash', async () => {
    const { params, verifier } = await code();
    const tokens = await redeem(params, verifier);
    const dump = JSON.stringify(await server.database.db.select().from(oauthStore).where(eq(oauthStore.tenantId, acme.tenant.id)));
    expect(dump).not.toContain(tokens.access_token);
    expect(dump).not.toContain(tokens.refresh_token);
    expect(dump).not.toContain(params.get('code'));
  });
});
