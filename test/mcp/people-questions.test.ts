import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { AS_OF } from '../support/fixture-org.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * The questions a head of People asks an assistant connected with a personal API token, answered over the real SDK
 * client: each answer must carry what the person needs to read it (names, units, currency) without more calls.
 */

let world: McpWorld;
let assistant: Connection;

beforeAll(async () => {
  world = await buildWorld();
  assistant = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
});

afterAll(async () => {
  await assistant?.close();
  await world?.database.close();
});

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

type Pair = { from?: number; to?: number; delta?: number; currency?: string };
type Deltas = Record<string, Pair>;

describe('"move Mobile under Sales and tell me the cost impact"', () => {
  it('gives every cost delta its currency: in the preview, the scenario delta and the metric delta', async () => {
    const scenarioId = await newScenario('Mobile to Sales');
    const plan = structured<{ proposal_id: string; preview: { metrics: Deltas; by_org_unit: ({ name: string } & Deltas)[] } }>(
      await assistant.call('scenario_action_plan', {
        scenario_id: scenarioId,
        changes: [{ op: 'move_org_unit', org_unit_id: world.ids.units.M, parent_id: world.ids.units.S }],
      }),
    );
    const engineering = plan.preview.by_org_unit.find((u) => u.name === 'Engineering')!;
    expect(engineering.annual_cost_minor!.delta).toBeLessThan(0);
    expect(engineering.annual_cost_minor!.currency).toBe('EUR');
    expect(plan.preview.metrics.monthly_cost_minor!.currency).toBe('EUR');
    // Counts are not money: no currency there.
    expect(plan.preview.metrics.headcount).not.toHaveProperty('currency');

    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const delta = structured<{ metrics: { total: Deltas; by_org_unit: ({ name: string } & Deltas)[] } }>(
      await assistant.call('scenario_delta', { scenario_id: scenarioId, as_of: AS_OF }),
    );
    expect(delta.metrics.total.annual_cost_minor!.currency).toBe('EUR');
    expect(delta.metrics.by_org_unit.find((u) => u.name === 'Sales')!.annual_cost_minor).toMatchObject({ delta: engineering.annual_cost_minor!.delta! * -1, currency: 'EUR' });

    const metrics = structured<{ total: Deltas; by_org_unit: ({ name: string } & Deltas)[] }>(
      await assistant.call('scenario_metrics_delta', { scenario_id: scenarioId, as_of: AS_OF }),
    );
    expect(metrics.total.annual_cost_minor!.currency).toBe('EUR');
    expect(metrics.by_org_unit.find((u) => u.name === 'Engineering')!.monthly_cost_minor!.currency).toBe('EUR');
    expect(metrics.total.headcount).not.toHaveProperty('currency');
  });
});
