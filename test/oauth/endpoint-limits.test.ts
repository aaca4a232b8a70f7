import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthStore } from '../../src/db/schema/index.js';
import { OAUTH_RATE_LIMITS } from '../../src/oauth/routes.js';
import { and, count, eq } from 'drizzle-orm';
import { authorizeUrl, CLAUDE_REDIRECT, discover, loopbackFetch, pkce, registerClient, startOAuthServer, tenantWithMember, type OAuthServer } from './support.js';

/**
 * The authorization server's endpoints that a request could reach around their rules: an authorization request
 * sent as a POST (which skipped the per-address limit and the scope rule of the GET), and token revocation (which
 * checks a confidential client's secret, and was not limited).
 */
let server: OAuthServer;
let member: Awaited<ReturnType<typeof tenantWithMember>>;
let other: Awaited<ReturnType<typeof tenantWithMember>>;

beforeAll(async () => {
  server = await startOAuthServer();
  member = await tenantWithMember(server, 'business');
  other = await tenantWithMember(server, 'business');
});
afterAll(async () => server?.close());

const interactions = async (tenantId: string) =>
  Number((await server.database.db.select({ n: count() }).from(oauthStore).where(and(eq(oauthStore.tenantId, tenantId), eq(oauthStore.model, 'Interaction'))))[0]!.n);

describe('the authorization endpoint', () => {
  it('refuses a POST with a page (405, Allow: GET), storing nothing and redirecting nowhere; the same request as a link works', async () => {
    const as = await discover(member.origin);
    const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { challenge } = await pkce();
    const url = new URL(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge, scope: 'mcp:use costs.read' }));
    const before = await interactions(member.tenant.id);
    const posted = await loopbackFetch(`${url.origin}${url.pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: url.searchParams.toString() });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
    expect(posted.headers.get('location')).toBeNull();
    expect(await posted.text()).toContain('authorization requests must be GET requests');
    expect(await interactions(member.tenant.id)).toBe(before);
    const linked = await loopbackFetch(url.href);
    expect(linked.status).toBe(303);
    expect(new URL(linked.headers.get('location')!, url).pathname).toMatch(/^\/oauth\/interaction\//);
  });

  it('a POST never stores a pending interaction, however many are sent', async () => {
    const rule = OAUTH_RATE_LIMITS.authorize;
    const saved = rule.limit;
    rule.limit = 1;
    try {
      const url = `${other.origin}/oauth/authorize`;
      for (let i = 0; i < 3; i++) expect((await loopbackFetch(url, { method: 'POST', body: 'client_id=x' })).status).toBe(405);
      expect(await interactions(other.tenant.id)).toBe(0);
    } finally {
      rule.limit = saved;
    }
  });
});

describe('token revocation (RFC 7009)', () => {
  it('is limited per address and tenant: past the limit it is refused before any client secret is checked', async () => {
    const rule = OAUTH_RATE_LIMITS.revoke;
    const saved = rule.limit;
    rule.limit = 2;
    const revoke = (origin: string) =>
      loopbackFetch(`${origin}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('guess:guessed-secret').toString('base64')}` },
        body: 'token=anything',
      });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 2; i++) answers.push((await revoke(member.origin)).status);
      expect(answers).toEqual([401, 401]); // invalid_client: the secret was checked
      const refused = await revoke(member.origin);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: 'slow_down', error_description: expect.stringContaining('Too many revocation requests') });
      // Another tenant's authorization server counts apart.
      expect((await revoke(other.origin)).status).toBe(401);
    } finally {
      rule.limit = saved;
    }
  });
});
