import { describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { errorOf, principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/**
 * update_position over MCP with the official client: capability.explain describes it; plan previews a moved,
 * re-budgeted seat; confirm applies it keeping the seat's id; refusals carry their reason and a fix; money needs
 * costs.read. (Fixture: pos_m_open is vacant in Mobile, pos_p1 filled by p1 in Platform, both at 90,000.00 EUR.)
 */

let world: McpWorld;
let owner: Connection;
let member: Connection;

withConnections(['owner', 'member'], (w, connections) => {
  world = w;
  owner = connections.owner;
  member = connections.member;
});

type Proposal = { proposal_id: string; preview: { records: Record<string, { changed: { id: string; fields: Record<string, { from: unknown; to: unknown }> }[] }>; by_org_unit: Record<string, unknown>[] } };
type Position = { id: string; title: string; org_unit_id: string; planned_fte: number; target_salary_minor?: number; currency?: string };

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

async function positionIn(mcp: Connection, scenarioId: string, positionId: string): Promise<Position | undefined> {
  const listed = structured<{ positions: Position[] }>(await mcp.call('org_positions_list', { scenario_id: scenarioId, limit: 100 }));
  return listed.positions.find((p) => p.id === positionId);
}

describe('update_position over MCP', () => {
  it('is explained with its fields, and that money needs costs.read', async () => {
    const explained = structured<{ reference: { change_ops: { op: string; required: string[]; optional: string[]; note?: string; summary: string }[] } }>(
      await member.call('capability_explain', { name: 'scenario_action_plan' }),
    );
    const op = explained.reference.change_ops.find((o) => o.op === 'update_position')!;
    expect(op).toMatchObject({ required: ['position_id'], optional: expect.arrayContaining(['org_unit_id', 'title', 'planned_fte', 'target_salary_minor', 'currency']) });
    expect(op.summary).toContain('keeping its id');
    expect(op.note).toMatch(/costs\.read/);
    expect(op.note).toMatch(/move_placement/);
  });

  it('plans a moved, re-budgeted seat with its preview, and confirm applies it under the same id', async () => {
    const sid = await newScenario('Merge Mobile');
    const seat = world.ids.id('pos_m_open');
    const changes = [{ op: 'update_position', position_id: seat, org_unit_id: world.ids.units.P, title: 'Mobile engineer', planned_fte: 0.8, target_salary_minor: 9_500_000 }];
    const plan = structured<Proposal>(await owner.call('scenario_action_plan', { scenario_id: sid, changes }));
    expect(plan.preview.records.position!.changed).toEqual([
      expect.objectContaining({
        id: seat,
        fields: expect.objectContaining({
          org_unit_id: { from: world.ids.units.M, to: world.ids.units.P, from_name: 'Mobile', to_name: 'Platform' },
          title: { from: 'pos_m_open', to: 'Mobile engineer' },
          planned_fte: { from: 1, to: 0.8 },
          target_salary_minor: { from: 9_000_000, to: 9_500_000 },
        }),
      }),
    ]);
    // The vacancy and its budget leave Mobile for Platform, re-budgeted (95,000.00 EUR loaded with the 25 % burden).
    const units = new Map(plan.preview.by_org_unit.map((u) => [u.org_unit_id, u]));
    expect(units.get(world.ids.units.M)).toMatchObject({ vacant_positions: { delta: -1 }, vacant_seats_annual_cost_minor: { from: 11_250_000, to: 0 } });
    expect(units.get(world.ids.units.P)).toMatchObject({ vacant_positions: { delta: 1 }, vacant_seats_annual_cost_minor: { from: 0, to: 11_875_000 } });
    expect(await positionIn(owner, sid, seat)).toMatchObject({ org_unit_id: world.ids.units.M }); // nothing applied yet

    const confirmed = structured<{ outcome: { created: unknown[] } }>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(confirmed.outcome.created).toEqual([]);
    expect(await positionIn(owner, sid, seat)).toMatchObject({
      id: seat,
      title: 'Mobile engineer',
      org_unit_id: world.ids.units.P,
      planned_fte: 0.8,
      target_salary_minor: 9_500_000,
      currency: 'EUR',
    });
  });

  it('refuses a filled seat moved away from its person, with the reason and the change to add first', async () => {
    const sid = await newScenario('Move a filled seat');
    const error = errorOf(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: world.ids.id('pos_p1'), org_unit_id: world.ids.units.M }] }),
    );
    expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[0].org_unit_id', reason: 'position_filled', placements: [world.ids.id('pl-p1')], suggested_op: 'move_placement' });
    expect(error.message).toMatch(/move the placement to “Mobile” first \(move_placement/);
    expect(error.fix).toBe(
      `Before changes[0] in the same batch, add a move_placement change for each placement filling it ("${world.ids.id('pl-p1')}") to the new org_unit_id, and after it a fill_position change to fill the seat there again, then plan again.`,
    );
    // The batch the message asks for plans.
    const plan = structured<Proposal>(
      await owner.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [
          { op: 'move_placement', placement_id: world.ids.id('pl-p1'), org_unit_id: world.ids.units.M },
          { op: 'update_position', position_id: world.ids.id('pos_p1'), org_unit_id: world.ids.units.M },
          { op: 'fill_position', position_id: world.ids.id('pos_p1'), actor_id: world.ids.id('p1') },
        ],
      }),
    );
    expect(plan.proposal_id).toBeTruthy();
  });

  it('refuses a closed seat with a fix that does not ask for a date (update_position takes none)', async () => {
    const sid = await newScenario('Closed seat');
    const seat = world.ids.id('pos_m_open');
    const error = errorOf(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'close_position', position_id: seat }, { op: 'update_position', position_id: seat, title: 'Again' }] }),
    );
    expect(error).toMatchObject({ field: 'changes[1].position_id', reason: 'not_active', kind: 'position', ended_on: expect.any(String) });
    expect(error.fix).toBe(`The position was closed on ${error.ended_on as string}: leave changes[1] out, or open a new seat with create_position.`);
  });

  it('clears a seat’s target pay with a blank amount ("" or null), and is said to in the op’s field description', async () => {
    const listed = await owner.client.listTools();
    const tool = listed.tools.find((t) => t.name === 'scenario_action_plan' || t.name === 'scenario.action.plan')!;
    const item = (tool.inputSchema.properties as Record<string, { items: { properties: Record<string, { type: string; description: string }> } }>).changes!.items;
    expect(item.properties.target_salary_minor).toMatchObject({ type: 'integer', description: expect.stringContaining('"" clears the seat\'s target pay') });
    const sid = await newScenario('Unpriced seats');
    const seat = world.ids.id('pos_m_open');
    for (const blank of ['', null]) {
      const cleared = structured<Proposal>(
        await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, target_salary_minor: blank, day_rate_minor: blank }] }),
      );
      // Cleared: the pair keeps its `from`, and its `to` is left out (no null noise).
      const fields = cleared.preview.records.position!.changed[0]!.fields;
      expect(fields, String(blank)).toMatchObject({ target_salary_minor: { from: 9_000_000 }, currency: { from: 'EUR' } });
      expect([fields.target_salary_minor!.to ?? null, fields.currency!.to ?? null]).toEqual([null, null]);
    }
    const plan = structured<Proposal & { proposal_id: string }>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, target_salary_minor: '' }] }));
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect(await positionIn(owner, sid, seat)).toMatchObject({ id: seat });
    expect((await positionIn(owner, sid, seat))?.target_salary_minor ?? null).toBeNull();
    // Blank pay is no value where nothing is cleared: a new seat without pay, and set_fte beside it.
    const created = await owner.call('scenario_action_plan', {
      scenario_id: sid,
      changes: [
        { op: 'create_position', org_unit_id: world.ids.units.M, title: 'Unpriced', target_salary_minor: null, day_rate_minor: '' },
        { op: 'set_fte', actor_id: world.ids.id('p1'), fte: 0.9, target_salary_minor: null },
      ],
    });
    expect(created.isError ?? false).toBe(false);
    // Clearing pay is a pay change: a member is told costs.read is missing.
    const denied = await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, day_rate_minor: '' }] });
    expect(errorOf(denied)).toMatchObject({ code: 'missing_ability', message: expect.stringContaining('costs.read') });
    const bad = await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, target_salary_minor: -5 }] });
    expect(errorOf(bad)).toMatchObject({ field: 'changes[0].target_salary_minor', message: expect.stringContaining('from 0 to 1,000,000,000,000') });
  });

  it('a member may rename a seat but not change its pay: the missing ability is named', async () => {
    const sid = await newScenario('Member edits');
    const seat = world.ids.id('pos_m_open');
    const pay = await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, target_salary_minor: 1 }] });
    expect(errorOf(pay)).toMatchObject({ code: 'missing_ability', message: expect.stringContaining('costs.read') });
    const rename = structured<Proposal>(await member.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, title: 'Renamed', role_type: '' }] }));
    expect(rename.preview.records.position!.changed[0]!.fields).toEqual({ title: { from: 'pos_m_open', to: 'Renamed' } });
  });

  it('close_org_unit with open seats points at update_position first', async () => {
    const sid = await newScenario('Close Mobile');
    const error = errorOf(
      await owner.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [
          { op: 'move_placement', placement_id: world.ids.id('pl-m1'), org_unit_id: world.ids.units.E },
          { op: 'close_org_unit', org_unit_id: world.ids.units.M },
        ],
      }),
    );
    expect(error).toMatchObject({ reason: 'open_positions', suggested_op: 'update_position', alternative_op: 'close_position' });
    expect(error.message).toContain('move them to another unit (update_position, which keeps each seat)');
  });
});
