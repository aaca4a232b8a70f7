import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF } from '../support/fixture-org.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * A planner asking an assistant "what would our open seats cost?" on Live: org_metrics_get and org_costs_rollup
 * give the vacant seats' budget (`cost.vacant_seats_annual_cost_minor`) beside the payroll cost, only with costs.read. The
 * fixture has two vacant EUR seats at a 90,000 target salary (Mobile; Field from 2026-03-01) and a filled one
 * (Platform); with the 25 % burden each is budgeted at 112,500 a year.
 */

let world: McpWorld;
let planner: Connection;
let viewer: Connection;

beforeAll(async () => {
  world = await buildWorld();
  planner = await connect(world, principalOf(world.tenant, 'manager', { kind: 'api_token' }));
  viewer = await connect(world, principalOf(world.tenant, 'viewer', { kind: 'api_token' }));
});

afterAll(async () => {
  await planner?.close();
  await viewer?.close();
  await world?.database.close();
});

type Cost = { currency: string; annual_cost_minor?: number; vacant_seats_annual_cost_minor?: number; unconvertible?: string[] };
type Metrics = { metrics: { cost?: Cost } };
type Rollup = { total: Cost; org_units: ({ name: string } & Cost)[] };

const textOf = (result: { content: unknown }) => (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');

describe('org_metrics_get', () => {
  it('names the vacant seats’ budget as budgeted, not paid, in its description and output schema', async () => {
    const { tools } = await planner.client.listTools();
    for (const name of ['org_metrics_get', 'org_costs_rollup']) {
      const tool = tools.find((t) => t.name === name)!;
      expect(tool.description).toMatch(/`vacant_seats_annual_cost_minor` \S budgeted, not paid: what the vacant seats/);
      expect(JSON.stringify(tool.outputSchema)).toContain('vacant_seats_annual_cost_minor');
    }
  });

  it('gives the whole organisation’s and one unit’s vacant seats’ budget apart from the payroll cost, in structure and text', async () => {
    const result = await planner.call('org_metrics_get', { as_of: AS_OF });
    const cost = structured<Metrics>(result).metrics.cost!;
    expect(cost).toMatchObject({ vacant_seats_annual_cost_minor: 22_500_000, currency: 'EUR' });
    expect(cost.annual_cost_minor).toBe(98_250_000); // the people in seats only, as before
    expect(textOf(result)).toContain('"vacant_seats_annual_cost_minor":22500000');

    const mobile = structured<Metrics>(await planner.call('org_metrics_get', { as_of: AS_OF, org_unit_id: world.ids.units.M }));
    expect(mobile.metrics.cost!.vacant_seats_annual_cost_minor).toBe(11_250_000);
    // Platform's seat is filled: nothing budgeted for a vacancy there.
    const platform = structured<Metrics>(await planner.call('org_metrics_get', { as_of: AS_OF, org_unit_id: world.ids.units.P }));
    expect(platform.metrics.cost!.vacant_seats_annual_cost_minor).toBe(0);
    // Before Field's seat starts, only Mobile's is in effect.
    const earlier = structured<Metrics>(await planner.call('org_metrics_get', { as_of: '2026-02-01' }));
    expect(earlier.metrics.cost!.vacant_seats_annual_cost_minor).toBe(11_250_000);
  });

  it('gives a viewer no cost at all: no vacant seats’ budget in structure or text', async () => {
    const result = await viewer.call('org_metrics_get', { as_of: AS_OF });
    const metrics = structured<Metrics>(result).metrics;
    expect(metrics).toMatchObject({ headcount: expect.any(Number) });
    expect(metrics.cost).toBeUndefined();
    expect(textOf(result)).not.toContain('vacant_seats_annual');
    expect(textOf(result)).not.toContain('22500000');
  });
});

describe('org_costs_rollup', () => {
  it('lists each unit’s vacant seats’ budget and the total’s', async () => {
    const result = await planner.call('org_costs_rollup', { as_of: AS_OF });
    const rollup = structured<Rollup>(result);
    expect(rollup.total).toMatchObject({ vacant_seats_annual_cost_minor: 22_500_000, currency: 'EUR' });
    const byName = Object.fromEntries(rollup.org_units.map((u) => [u.name, u.vacant_seats_annual_cost_minor]));
    expect(byName).toMatchObject({ Engineering: 11_250_000, Mobile: 11_250_000, Platform: 0, Sales: 11_250_000, Field: 11_250_000, 'Fixture Co': 22_500_000 });
    expect(textOf(result)).toContain('"vacant_seats_annual_cost_minor":11250000');
  });

  it('is refused to a viewer, who sees no figure', async () => {
    const result = await viewer.call('org_costs_rollup', { as_of: AS_OF });
    expect(errorOf(result)).toMatchObject({ code: 'missing_ability', ability: 'costs.read' });
    expect(textOf(result)).not.toContain('vacant_seats_annual');
  });
});
