import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTenantPlan } from '../../src/tenancy/tenants.js';
import { verifyAccessToken } from '../../src/oauth/index.js';
import { buildTenant } from '../support/factories.js';
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
  serverWithAcme,
  submitSignIn,
  tenantWithMember,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * The discovery documents (RFC 8414, RFC 9728) at the URLs the seed page names and the variants clients probe, each
 * built from the request's host; and where the authorization server does not exist: the central host, a tenant
 * named by X-Tenant, and the free and team plans (SPEC §2: 404), including right after a plan change.
 */
let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
});
afterAll(async () => server?.close());

const AS_PATHS = [
  '/.well-known/oauth-authorization-server/mcp/orgonaut',
  '/.well-known/openid-configuration/mcp/orgonaut',
  '/mcp/orgonaut/.well-known/openid-configuration',
  '/mcp/orgonaut/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server',
];
const PRM_PATHS = ['/.well-known/oauth-protected-resource/mcp/orgonaut', '/mcp/orgonaut/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource'];
const OAUTH_PATHS: [string, string][] = [
  ['GET', '/oauth/authorize?response_type=code&client_id=x'],
  ['POST', '/oauth/token'],
  ['POST', '/oauth/register'],
  ['POST', '/oauth/revoke'],
  ['GET', '/oauth/interaction/x'],
  ['GET', '/oauth/jwks'],
];

async function json(url: string) {
  const response = await loopbackFetch(url, { headers: { accept: 'application/json' } });
  return { status: response.status, body: response.status === 200 ? ((await response.json()) as Record<string, unknown>) : null, headers: response.headers };
}

describe('authorization server metadata (RFC 8414)', () => {
  it('is served at the path-suffixed URL and every variant clients probe, with the issuer byte-identical', async () => {
    const issuer = `${acme.origin}/mcp/orgonaut`;
    for (const path of AS_PATHS) {
      const { status, body, headers } = await json(`${acme.origin}${path}`);
      expect(status, path).toBe(200);
      expect(headers.get('access-control-allow-origin')).toBe('*');
      expect(body).toMatchObject({
        issuer,
        authorization_endpoint: `${acme.origin}/oauth/authorize`,
        token_endpoint: `${acme.origin}/oauth/token`,
        registration_endpoint: `${acme.origin}/oauth/register`,
        revocation_endpoint: `${acme.origin}/oauth/revoke`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      });
      expect(body!.token_endpoint_auth_methods_supported).toContain('none');
      expect(body!.scopes_supported).toEqual([
        'mcp:use', 'scenarios.read', 'org-units.read', 'teams.read', 'actors.read', 'placements.read', 'positions.read',
        'costs.read', 'org-metrics.read', 'activity.read', 'scenarios.write', 'scenarios.delete', 'ai.scenarios.draft',
      ]);
    }
    const as = await discover(acme.origin); // oauth4webapi checks the issuer against the URL it derived
    expect(as.issuer).toBe(issuer);
  });

  it('is built from the request host: a custom domain is its own issuer', async () => {
    const custom = await buildTenant(server.database, { plan: 'enterprise', domains: ['org.example.test'] });
    const origin = `http://org.example.test:${server.port}`;
    const { body } = await json(`${origin}/.well-known/oauth-authorization-server/mcp/orgonaut`);
    expect(body!.issuer).toBe(`${origin}/mcp/orgonaut`);
    expect(body!.token_endpoint).toBe(`${origin}/oauth/token`);
    const slugHost = await json(`${server.origin(custom)}/.well-known/oauth-authorization-server/mcp/orgonaut`);
    expect(slugHost.body!.issuer).toBe(`${server.origin(custom)}/mcp/orgonaut`);
  });
});

describe('protected resource metadata (RFC 9728)', () => {
  it('names this host’s MCP resource and its authorization server', async () => {
    for (const path of PRM_PATHS) {
      const { status, body } = await json(`${acme.origin}${path}`);
      expect(status, path).toBe(200);
      expect(body).toMatchObject({
        resource: `${acme.origin}/mcp/orgonaut`,
        authorization_servers: [`${acme.origin}/mcp/orgonaut`],
        bearer_methods_supported: ['header'],
      });
      expect(body!.scopes_supported).toContain('mcp:use');
      expect(body!.scopes_supported).toContain('ai.scenarios.draft');
    }
    const resource = new URL(`${acme.origin}/mcp/orgonaut`);
    const prm = await oauth.processResourceDiscoveryResponse(resource, await oauth.resourceDiscoveryRequest(resource, clientOptions));
    expect(prm.resource).toBe(resource.href);
  });
});

describe('browser-based clients (MCP Inspector runs at http://localhost:6274)', () => {
  it('may call the token endpoint from their own origin (CORS), never the authorization endpoint', async (ctx) => {
    if (!server.mountedByApp) ctx.skip(); // needs app.ts to mount oauthRoutes before sameOriginForms()
    const origin = 'http://localhost:6274';
    const preflight = await loopbackFetch(`${acme.origin}/oauth/token`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const post = await loopbackFetch(`${acme.origin}/oauth/token`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x&client_id=nobody&redirect_uri=http%3A%2F%2Flocalhost%3A6274%2Fcb&code_verifier=' + 'a'.repeat(43),
    });
    expect(post.status).not.toBe(403);
    expect(((await post.json()) as { error: string }).error).toMatch(/invalid_/);
  });
});

describe('where there is no authorization server: 404', () => {
  async function expectAll404(origin: string, headers: Record<string, string> = {}) {
    for (const path of [...AS_PATHS, ...PRM_PATHS]) {
      expect((await loopbackFetch(`${origin}${path}`, { headers })).status, path).toBe(404);
    }
    for (const [method, path] of OAUTH_PATHS) {
      const response = await loopbackFetch(`${origin}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  }

  it('on free and team tenants', async () => {
    for (const plan of ['free', 'team'] as const) {
      const tenant = await buildTenant(server.database, { plan });
      await expectAll404(server.origin(tenant));
    }
  });

  it('saying where the MCP URL is, not "check the id"', async () => {
    const tenant = await buildTenant(server.database, { plan: 'team' });
    for (const path of ['/mcp/orgonaut', '/oauth/register']) {
      const response = await loopbackFetch(`${server.origin(tenant)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status, path).toBe(404);
      const problem = (await response.json()) as { detail: string; fix: string };
      expect(problem.detail, path).toBe('There is no MCP server or authorization server at this address.');
      expect(problem.fix, path).toContain('Settings → API and MCP');
    }
  });

  it('on the central host, also when X-Tenant names an MCP tenant', async () => {
    await expectAll404(`http://app.localhost:${server.port}`);
    await expectAll404(`http://app.localhost:${server.port}`, { 'x-tenant': acme.tenant.slug });
  });

  it('from the moment the plan drops below business; tokens issued before stop working too', async () => {
    const t = await tenantWithMember(server, 'business', 'owner');
    const as = await discover(t.origin);
    const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { verifier, challenge } = await pkce();
    const browser = browserOf(server, t.user.email);
    const consent = await submitSignIn(browser, await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge })), t.user.email);
    const back = await decide(browser, consent, 'Allow');
    const params = oauth.validateAuthResponse(as, client, back.left!, 'state-1');
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, CLAUDE_REDIRECT, verifier, clientOptions));
    const resource = `${t.origin}/mcp/orgonaut`;

    const { tenant: downgraded } = await setTenantPlan(server.database.db, t.tenant.slug, 'team');
    server.runtime.tenants.forget(); // what the admin command does in the serving process
    await expectAll404(t.origin);
    expect(await verifyAccessToken(server.database.db, downgraded, tokens.access_token, resource)).toBeNull();

    const { tenant: upgraded } = await setTenantPlan(server.database.db, t.tenant.slug, 'business');
    server.runtime.tenants.forget();
    expect((await loopbackFetch(`${t.origin}/.well-known/oauth-authorization-server/mcp/orgonaut`)).status).toBe(200);
    expect(await verifyAccessToken(server.database.db, upgraded, tokens.access_token, resource)).not.toBeNull();
  });
});
