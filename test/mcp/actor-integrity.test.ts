import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { errorOf, principalOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * What an assistant is told, with the official client, when a change would give a person someone else's email, or
 * take a department's lead away (the fixture's eng_head leads Engineering and manages p1, p2 and m1).
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

describe('an email another actor has', () => {
  const hire = (email: string) => ({ op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: world.ids.units.P, email });

  it('is refused with isError, naming the field, the actor who has it and what to do', async () => {
    const sid = await newScenario('Nova joins');
    const result = await assistant.call('scenario_action_plan', { scenario_id: sid, changes: [hire('P1@fixture.test')] });
    const error = errorOf(result);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[0].email', reason: 'email_taken', kind: 'actor', id: world.ids.id('p1') });
    expect(error.message).toContain(`“p1” (${world.ids.id('p1')}) has that email already`);
    expect(error.fix).toMatch(new RegExp(`^Give "changes\\[0\\]\\.email" another email \\(or leave it out\\), or put an update_actor of "${world.ids.id('p1')}" with another email`));
  });

  it('given twice in one batch: the fix names the earlier change', async () => {
    const sid = await newScenario('Two Novas');
    const error = errorOf(await assistant.call('scenario_action_plan', { scenario_id: sid, changes: [hire('nova@fixture.test'), hire(' NOVA@fixture.test')] }));
    expect(error).toMatchObject({ field: 'changes[1].email', reason: 'email_taken', change: 0 });
    expect(error.fix).toBe('Give "changes[1].email" another email (or leave it out), or change the email changes[0] gives its actor, then plan again.');
  });
});

describe('a department lead who leaves', () => {
  it('the preview shows the department’s lead gone and a note says it has none', async () => {
    const sid = await newScenario('eng_head leaves');
    const changes = [
      ...['p1', 'p2', 'm1'].map((key) => ({ op: 'set_manager', actor_id: world.ids.id(key), manager_id: world.ids.id('ceo') })),
      { op: 'deactivate_actor', actor_id: world.ids.id('eng_head') },
    ];
    type Plan = { preview: { records: Record<string, { changed: { id: string; fields: Record<string, unknown> }[] }>; notes?: string[] } };
    const plan = structured<Plan>(await assistant.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.records.department!.changed).toEqual([
      // No `to`: the lead is now none (null is left out of MCP answers).
      expect.objectContaining({ id: world.ids.units.E, label: 'Engineering', fields: { lead_actor_id: { from: world.ids.id('eng_head'), from_name: 'eng_head' } } }),
    ]);
    expect(plan.preview.notes).toContainEqual(expect.stringMatching(/^Department "Engineering" \(.+, led by "eng_head"\) no longer has a lead: .*update_department \(org_unit_id, lead_actor_id\)/));
  });
});
