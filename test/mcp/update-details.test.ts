import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { errorOf, principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * update_actor and update_department over MCP with the official client: explained; planned with a preview of the
 * changed fields; confirmed; a blank clears (the boundary keeps "" for these fields); refusals carry a fix. A member
 * (scenarios.write, no delete) may make both changes. (Fixture: Engineering led by eng_head, cost center CC-ENG;
 * Platform is a team; `former` left on 2026-01-01.)
 */

let world: McpWorld;
let member: Connection;

withConnections(['member'], (w, connections) => {
  world = w;
  member = connections.member;
});

type Changed = { id: string; fields: Record<string, { from: unknown; to: unknown }> };
type Proposal = { proposal_id: string; preview: { records: Record<string, { changed: Changed[] }> } };

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

describe('update_actor and update_department over MCP', () => {
  it('are explained with their fields', async () => {
    const explained = structured<{ reference: { change_ops: { op: string; required: string[]; optional: string[]; note?: string; also_needs: string[] }[] } }>(
      await member.call('capability_explain', { name: 'scenario_action_plan' }),
    );
    const ops = new Map(explained.reference.change_ops.map((o) => [o.op, o]));
    expect(ops.get('update_actor')).toMatchObject({ required: ['actor_id'], optional: ['display_name', 'title', 'email', 'level'] });
    expect(ops.get('update_department')).toMatchObject({ required: ['org_unit_id'], optional: ['department_type_id', 'cost_center', 'lead_actor_id', 'description'] });
    expect(ops.get('update_department')!.note).toMatch(/update_team/);
  });

  it('plans a promotion and a department’s new lead with the preview, and confirm applies them', async () => {
    const sid = await newScenario('Ann is promoted');
    const { id, units } = world.ids;
    const changes = [
      { op: 'update_actor', actor_id: id('p1'), title: 'Staff Engineer', level: 'L6' },
      { op: 'update_department', org_unit_id: units.E, lead_actor_id: id('p1'), cost_center: '' },
    ];
    const plan = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.records.actor!.changed).toEqual([
      expect.objectContaining({ id: id('p1'), fields: expect.objectContaining({ title: expect.objectContaining({ to: 'Staff Engineer' }), level: expect.objectContaining({ to: 'L6' }) }) }),
    ]);
    expect(plan.preview.records.department!.changed).toEqual([
      expect.objectContaining({
        id: units.E,
        fields: expect.objectContaining({ lead_actor_id: expect.objectContaining({ from: id('eng_head'), to: id('p1') }), cost_center: { from: 'CC-ENG' } }),
      }),
    ]);
    await member.call('scenario_action_confirm', { proposal_id: plan.proposal_id });
    const actor = structured<{ actor: { title: string; level: string } }>(await member.call('org_actors_get', { scenario_id: sid, actor_id: id('p1') }));
    expect(actor.actor).toMatchObject({ title: 'Staff Engineer', level: 'L6' });
  });

  it('refuses a team with the op to use, and a leaver with a fix that asks for no date', async () => {
    const sid = await newScenario('Refusals');
    const team = errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_department', org_unit_id: world.ids.units.P, description: 'x' }] }));
    expect(team).toMatchObject({ code: 'invalid_input', field: 'changes[0].org_unit_id' });
    expect(team.message).toMatch(/is a team, not a department: use update_team/);
    const leaver = errorOf(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_actor', actor_id: world.ids.id('former'), title: 'Back' }] }));
    expect(leaver).toMatchObject({ field: 'changes[0].actor_id', reason: 'not_active', kind: 'actor', ended_on: '2026-01-01' });
    expect(leaver.fix).toBe('The actor left on 2026-01-01: their details are not changed any more; leave changes[0] out.');
  });
});
