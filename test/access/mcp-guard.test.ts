import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { hashSecret } from '../../src/access/api-tokens.js';
import type { Database } from '../../src/db/connection.js';
import { apiTokens } from '../../src/db/schema/index.js';
import { setTenantPlan, type Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * The resource-server guard of /mcp/orgonaut with personal API tokens, the MCP manual fallback (SPEC §1, §4.1):
 * `Authorization: Bearer <token>` and `X-Tenant: <slug>` (required on the central host, optional on the tenant's
 * own host, where it must name that tenant). Opening the transport needs `mcp.access` (or its alias `legacymcp`)
 * on the token and a plan with MCP. Every refusal here is the status of SPEC §1's table.
 */
let database: Database;
let app: TestApp;
let acme: Tenant;
let globex: Tenant;
let team: Tenant;
let withMcp: string;
let withLegacy: string;
let withoutMcp: string;
let globexToken: string;
let teamToken: string;
const ACME = 'guardacme.localhost';
const CENTRAL = 'app.localhost';
const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

function mcp(host: string, token?: string, headers: Record<string, string> = {}) {
  return app.request('/mcp/orgonaut', {
    host,
    token,
    headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25', ...headers },
    json: LIST,
  });
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  acme = await buildTenant(database, { slug: 'guardacme', plan: 'business' });
  globex = await buildTenant(database, { slug: 'guardglobex', plan: 'enterprise' });
  team = await buildTenant(database, { slug: 'guardteam', plan: 'team' });
  const owner = await buildMember(database, acme, 'owner');
  withMcp = await tokenOf(database, acme, owner, 'owner', { name: 'mcp', abilities: ['mcp.access', 'org-units.read'] });
  withLegacy = await tokenOf(database, acme, owner, 'owner', { name: 'legacy', abilities: ['legacymcp', 'org-units.read'] });
  withoutMcp = await tokenOf(database, acme, owner, 'owner', { name: 'rest only', abilities: ['org-units.read'] });
  globexToken = await tokenOf(database, globex, await buildMember(database, globex, 'owner'), 'owner', { name: 'globex', abilities: ['mcp.access', 'org-units.read'] });
  teamToken = await tokenOf(database, team, await buildMember(database, team, 'owner'), 'owner', { name: 'team', abilities: ['org-units.read'] });
});
afterAll(() => database?.close());

describe('a personal API token on the MCP server', () => {
  it('opens it with mcp.access, or its alias legacymcp, on the tenant’s host', async () => {
    expect((await mcp(ACME, withMcp)).status).toBe(200);
    expect((await mcp(ACME, withLegacy)).status).toBe(200);
    expect((await mcp(ACME, withMcp, { 'x-tenant': 'guardacme' })).status).toBe(200);
  });

  it('without mcp.access is refused with 403 naming the ability (the same token works on REST)', async () => {
    const response = await mcp(ACME, withoutMcp);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toContain('mcp.access');
    expect((await app.request('/api/v1/me', { host: ACME, token: withoutMcp })).status).toBe(200);
  });

  it('works on the central host with X-Tenant naming its tenant', async () => {
    expect((await mcp(CENTRAL, withMcp, { 'x-tenant': 'guardacme' })).status).toBe(200);
  });

  it('is refused when X-Tenant names another tenant than the token’s (401) or than the host (404)', async () => {
    const other = await mcp(CENTRAL, withMcp, { 'x-tenant': 'guardglobex' });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await other.json()) as { detail: string }).detail).toContain('another tenant');
    expect((await mcp(ACME, withMcp, { 'x-tenant': 'guardglobex' })).status).toBe(404);
    expect((await mcp(ACME, globexToken)).status).toBe(401);
  });

  it('answers 404 on a plan without MCP, on its host and named by X-Tenant', async () => {
    expect((await mcp('guardteam.localhost', teamToken)).status).toBe(404);
    expect((await mcp(CENTRAL, teamToken, { 'x-tenant': 'guardteam' })).status).toBe(404);
  });

  it('without a credential answers the 401 challenge that starts OAuth', async () => {
    const response = await mcp(ACME);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="http://${ACME}/.well-known/oauth-protected-resource/mcp/orgonaut", scope="mcp:use"`,
    );
  });

  it('refuses an OAuth access token sent to the central host: it is valid only on the host that issued it', async () => {
    const response = await mcp(CENTRAL, 'an-opaque-oauth-access-token', { 'x-tenant': 'guardacme' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { detail: string }).detail).toContain('only on the tenant host that issued them');
  });

  it('stops working from the moment the plan drops below business', async () => {
    const token = await tokenOf(database, globex, await buildMember(database, globex, 'admin'), 'admin', { name: 'downgrade', abilities: ['mcp.access', 'org-units.read'] });
    expect((await mcp('guardglobex.localhost', token)).status).toBe(200);
    await setTenantPlan(database.db, 'guardglobex', 'team');
    await new Promise((r) => setTimeout(r, 1_100)); // the tenant directory's cache (under a second)
    expect((await mcp('guardglobex.localhost', token)).status).toBe(404);
    expect((await app.request('/api/v1/me', { host: 'guardglobex.localhost', token })).status).toBe(200);
  });

  it('is refused within a second of a revocation made by another instance (written straight to the database)', async () => {
    const token = await tokenOf(database, acme, await buildMember(database, acme, 'member'), 'member', { name: 'elsewhere', abilities: ['mcp.access', 'org-units.read'] });
    expect((await mcp(ACME, token)).status).toBe(200);
    await database.db.update(apiTokens).set({ revokedAt: sql`now()` }).where(eq(apiTokens.secretHash, hashSecret(token)));
    await new Promise((r) => setTimeout(r, 1_000));
    const refused = await mcp(ACME, token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { detail: string }).detail).toContain('revoked');
  });
});
