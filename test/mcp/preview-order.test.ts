import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { principalOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * A plan's preview gives its metric pairs in the order scenario.delta and scenario.metrics.delta give them
 * (headcount, robots, agents, fte, …, cost, placement checks). The preview is read back from the database, whose JSON
 * orders keys by length: it read "fte, agents, layers, robots, unplaced, headcount, …", so an assistant presenting
 * the preview and then the delta listed the same figures in two orders.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

describe('a plan preview', () => {
  it('orders its metrics as the scenario delta does, in total and per org unit', async () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
    const sid = (await createScenario(ctx, { name: 'Preview order' })).id;
    const changes = [{ op: 'add_actor', kind: 'human', display_name: 'Ada Order', org_unit_id: world.ids.units.P, manager_id: world.ids.id('p1') }];
    type Preview = { proposal_id: string; preview: { metrics: Record<string, unknown>; by_org_unit: Record<string, unknown>[] } };
    const plan = structured<Preview>(await assistant.call('scenario_action_plan', { scenario_id: sid, changes }));
    structured(await assistant.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    type Delta = { metrics: { total: Record<string, unknown>; by_org_unit: Record<string, unknown>[] } };
    const delta = structured<Delta>(await assistant.call('scenario_delta', { scenario_id: sid }));
    expect(Object.keys(plan.preview.metrics)).toEqual(Object.keys(delta.metrics.total));
    const unit = (list: Record<string, unknown>[]) => list.find((u) => u.org_unit_id === world.ids.units.P)!;
    expect(Object.keys(unit(plan.preview.by_org_unit))).toEqual(Object.keys(unit(delta.metrics.by_org_unit)));
  });
});
