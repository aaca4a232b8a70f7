import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { principalOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * "What do we save if p2 goes to 0.4 FTE?" A salary is a year's base for the contracted FTE (SPEC §6), so set_fte
 * alone moves FTE and leaves the cost where it was: the preview's cost delta reads 0. The preview says why, and the
 * change that would move the pay with it — else an assistant reports "no saving" as if the model had computed one.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Proposal = { preview: { notes?: string[]; metrics: Record<string, { delta: number }> } };

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

describe('an FTE change without a pay change', () => {
  it('is said in the preview notes: the cost stays, and set_compensation moves the pay', async () => {
    const sid = await newScenario('FTE note');
    const plan = structured<Proposal>(await assistant.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.4 }] }));
    expect(plan.preview.metrics.annual_cost_minor!.delta).toBe(0);
    const note = plan.preview.notes?.find((n) => n.includes('"p2"'));
    expect(note).toBeDefined();
    expect(note).toContain('for the contracted FTE');
    expect(note).toContain('set_compensation');
  });

  it('is not said when the same proposal changes the pay too, or for an actor without pay', async () => {
    const sid = await newScenario('FTE and pay');
    const changes = [
      { op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.4 },
      { op: 'set_compensation', actor_id: world.ids.id('p2'), kind: 'salary', amount_minor: 4_000_000, currency: 'EUR' },
      { op: 'set_fte', actor_id: world.ids.id('bot'), fte: 0.5 },
    ];
    const plan = structured<Proposal>(await assistant.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect((plan.preview.notes ?? []).filter((n) => n.includes('contracted FTE'))).toEqual([]);
  });
});
