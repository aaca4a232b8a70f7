import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken } from '../support/factories.js';

/**
 * Rate limits per plan (issue 9 §4, ORGONAUT_API_RATE_LIMIT / ORGONAUT_MCP_RATE_LIMIT with `plan=requests/seconds`
 * entries): a tenant on a plan with an entry of its own gets that budget, every other plan the default — seen in the
 * answers' RateLimit-Policy and in where the 429 starts, on REST and on MCP.
 */

let database: Database;
let app: TestApp;
let business: Tenant;
let enterprise: Tenant;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  database = await testDatabase();
  business = await buildTenant(database, { slug: 'planlimbiz', plan: 'business' });
  enterprise = await buildTenant(database, { slug: 'planliment', plan: 'enterprise' });
  app = testApp(database, {
    apiRateLimit: { default: { limit: 2, windowSeconds: 3600 }, plans: { enterprise: { limit: 4, windowSeconds: 3600 } } },
    mcpRateLimit: { default: { limit: 3, windowSeconds: 3600 }, plans: { enterprise: { limit: 5, windowSeconds: 1800 } } },
  });
  tokens.business = await memberToken(database, business, 'owner');
  tokens.enterprise = await memberToken(database, enterprise, 'owner');
});
afterAll(() => database?.close());

const rest = (tenant: Tenant) => app.request('/api/v1/me', { host: `${tenant.slug}.localhost`, token: tokens[tenant.plan] });
const mcp = (tenant: Tenant, id: number) =>
  app.request('/mcp/orgonaut', {
    method: 'POST',
    host: `${tenant.slug}.localhost`,
    token: tokens[tenant.plan],
    headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
    json: { jsonrpc: '2.0', id, method: 'tools/list' },
  });

/** Statuses of `count` requests in a row, and the policy the first answer announced. */
async function burst(send: (i: number) => Promise<Response>, count: number): Promise<{ statuses: number[]; policy: string | null; retryAfter: string | null }> {
  const statuses: number[] = [];
  let policy: string | null = null;
  let retryAfter: string | null = null;
  for (let i = 0; i < count; i++) {
    const response = await send(i);
    statuses.push(response.status);
    policy ??= response.headers.get('ratelimit-policy');
    if (response.status === 429) retryAfter = response.headers.get('retry-after');
    await response.body?.cancel();
  }
  return { statuses, policy, retryAfter };
}

describe('rate limits per plan', () => {
  it('REST: the plan’s own entry for enterprise, the default for business', async () => {
    const biz = await burst(() => rest(business), 3);
    expect(biz.statuses).toEqual([200, 200, 429]);
    expect(biz.policy).toBe('"requests";q=2;w=3600');
    expect(Number(biz.retryAfter)).toBeGreaterThan(0);
    const ent = await burst(() => rest(enterprise), 5);
    expect(ent.statuses).toEqual([200, 200, 200, 200, 429]);
    expect(ent.policy).toBe('"requests";q=4;w=3600');
  });

  it('MCP: the plan’s own entry for enterprise (limit and window), the default for business', async () => {
    const biz = await burst((i) => mcp(business, i + 1), 4);
    expect(biz.statuses).toEqual([200, 200, 200, 429]);
    expect(biz.policy).toBe('"requests";q=3;w=3600');
    const ent = await burst((i) => mcp(enterprise, i + 1), 6);
    expect(ent.statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(ent.policy).toBe('"requests";q=5;w=1800');
  });
});
