import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, connect, errorOf, post, principalOf, structured, type McpWorld } from './support.js';

/**
 * MCP rate limits (ORGONAUT_MCP_RATE_LIMIT, ORGONAUT_MCP_ACTION_RATE_LIMIT), per credential and counted in the
 * database: every answer carries the budget; past it a request is a 429 JSON-RPC error with Retry-After, and a
 * governed action tool past its own budget is an isError result that says when to retry — while reads go on.
 */
let world: McpWorld;

beforeAll(async () => {
  world = await buildWorld({
    limits: {
      mcpRateLimit: { default: { limit: 1_000, windowSeconds: 3600 }, plans: { enterprise: { limit: 8, windowSeconds: 3600 } } },
      mcpActionRateLimit: { default: { limit: 1, windowSeconds: 3600 }, plans: {} },
    },
  });
});
afterAll(() => world?.database.close());

const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: {} });

describe('MCP rate limits', () => {
  it('counts requests per credential by the tenant plan’s limit, then refuses with 429 and when to retry', async () => {
    const viewer = principalOf(world.tenant, 'viewer', { abilities: ['mcp.access', 'org-units.read'] });
    const remaining: string[] = [];
    for (let id = 1; id <= 8; id++) {
      const answer = await post(world, viewer, list(id));
      expect(answer.status).toBe(200);
      remaining.push(answer.headers.get('ratelimit')!);
    }
    expect(remaining.map((h) => /;r=(\d+)/.exec(h)?.[1])).toEqual(['7', '6', '5', '4', '3', '2', '1', '0']);
    const refused = await post(world, viewer, list(9));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { id: number; error: { code: number; message: string; data: { retry_after: number; limit: number } } };
    expect(body).toMatchObject({ id: 9, error: { code: -32000, data: { limit: 8 } } });
    expect(body.error.message).toMatch(/Too many MCP requests.*Wait \d+ seconds/);

    // Another credential (the owner's) has a budget of its own.
    const owner = principalOf(world.tenant, 'owner');
    expect((await post(world, owner, list(10))).status).toBe(200);
  });

  it('gives each governed action tool its own budget: past it an isError result with the retry, reads unaffected', async () => {
    const manager = principalOf(world.tenant, 'manager', { kind: 'oauth' });
    const connection = await connect(world, manager, { era: 'modern' });
    try {
      const change = (fte: number) => ({ scenario_id: world.scenario.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte }] });
      const first = await connection.call('scenario_action_plan', change(0.7));
      expect(structured<{ proposal_id: string }>(first).proposal_id).toBeTruthy();
      const second = await connection.call('scenario_action_plan', change(0.6));
      const error = errorOf(second);
      expect(error.code).toBe('rate_limited');
      expect(error.fix).toMatch(/Wait \d+ seconds/);
      expect(error.retry_after).toBeGreaterThan(0);
      // Cancelling is another tool with its own budget; reading goes on.
      const cancelled = await connection.call('scenario_action_cancel', { proposal_id: structured<{ proposal_id: string }>(first).proposal_id });
      expect(cancelled.isError).not.toBe(true);
      const summary = await connection.call('org_summary', {});
      expect(summary.isError).not.toBe(true);
    } finally {
      await connection.close();
    }
  });
});
