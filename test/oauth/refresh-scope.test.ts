import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptions, connectApp, serverWithAcme, type Member, type OAuthServer } from './support.js';

/**
 * A refresh request may name a `scope` (RFC 6749 §6), which can only keep or narrow what the person approved. Here
 * ability scopes narrow and `mcp:use` alone is the whole role, so a refresh naming only `mcp:use` (or nothing the
 * resource knows) must not turn a token approved for one ability into one with every ability of the role.
 */
let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
});
afterAll(async () => server?.close());

async function refreshWithScope(app: Awaited<ReturnType<typeof connectApp>>, refreshToken: string, scope: string) {
  const response = await oauth.refreshTokenGrantRequest(app.as, app.client, oauth.None(), refreshToken, {
    ...clientOptions,
    additionalParameters: { scope },
  });
  return oauth.processRefreshTokenResponse(app.as, app.client, response);
}

/** What the MCP guard would let the token do. */
async function abilitiesOf(token: string) {
  const principal = await server.runtime.authenticator.fromOAuth(acme.tenant, token, `${acme.origin}/mcp/orgonaut`);
  return [...principal.abilities].sort();
}

describe('refreshing a token approved for narrowed scopes', () => {
  it('never widens it to the whole role, whatever scope the refresh names', async () => {
    const app = await connectApp(server, acme, undefined, 'actors.read');
    expect(app.tokens.scope).toBe('mcp:use actors.read');
    expect(await abilitiesOf(app.tokens.access_token)).toEqual(['actors.read']);
    let refreshToken = app.tokens.refresh_token!;
    for (const scope of ['mcp:use', 'openid offline_access', 'mcp:use costs.read actors.read']) {
      let next: oauth.TokenEndpointResponse;
      try {
        next = await refreshWithScope(app, refreshToken, scope);
      } catch (error) {
        // Refusing is fine (the refresh token was not used up then); granting more than approved is not.
        expect(error, scope).toMatchObject({ error: 'invalid_scope' });
        continue;
      }
      refreshToken = next.refresh_token!;
      expect(next.scope, scope).toBe('mcp:use actors.read');
      expect(await abilitiesOf(next.access_token), scope).toEqual(['actors.read']);
    }
  });

  it('may still narrow within what was approved', async () => {
    const app = await connectApp(server, acme, undefined, 'actors.read costs.read');
    const next = await refreshWithScope(app, app.tokens.refresh_token!, 'mcp:use actors.read');
    expect(next.scope).toBe('mcp:use actors.read');
    expect(await abilitiesOf(next.access_token)).toEqual(['actors.read']);
  });
});
