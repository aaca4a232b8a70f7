import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * A position with no budgeted team yet, over MCP with the official client: create_position without org_unit_id is
 * explained and planned; the positions list shows the seat with `no_budgeted_team` (and a unit's list does not); the
 * cost roll-up gives its budget as `unassigned`, inside the total; fill_position refuses it naming org_unit_id; a
 * blank org_unit_id in update_position clears a vacant seat's team. (Fixture: pos_m_open is vacant in Mobile; m1
 * is placed in Mobile; every seat is at 90,000.00 EUR, loaded with a 25 % burden.)
 */

let world: McpWorld;
let owner: Connection;

beforeAll(async () => {
  world = await buildWorld();
  owner = await connect(world, principalOf(world.tenant, 'owner'));
});

afterAll(async () => {
  await owner?.close();
  await world?.database.close();
});

type Position = { id: string; title: string; org_unit_id?: string; no_budgeted_team?: boolean; status: string };
type Rollup = { total: { vacant_seats_annual_cost_minor: number }; unassigned?: { positions: number; vacant_seats_annual_cost_minor: number }; org_units: { name: string }[] };

async function newScenario(name: string): Promise<string> {
  const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  return (await createScenario(ctx, { name })).id;
}

async function positions(scenarioId: string, args: Record<string, unknown> = {}): Promise<Position[]> {
  return structured<{ positions: Position[] }>(await owner.call('org_positions_list', { scenario_id: scenarioId, limit: 100, ...args })).positions;
}

describe('a position with no budgeted team over MCP', () => {
  it('is explained: create_position takes org_unit_id as optional', async () => {
    const explained = structured<{ reference: { change_ops: { op: string; required: string[]; optional: string[]; note?: string }[] } }>(
      await owner.call('capability_explain', { name: 'scenario_action_plan' }),
    );
    const op = explained.reference.change_ops.find((o) => o.op === 'create_position')!;
    expect(op.required).toEqual(['title']);
    expect(op.optional).toContain('org_unit_id');
    expect(op.note).toMatch(/Without org_unit_id the seat has no budgeted team yet/);
  });

  it('is created without a unit, listed as having no budgeted team, and its budget is the roll-up’s `unassigned`, inside the total', async () => {
    const sid = await newScenario('Seats before the reorg');
    const before = structured<Rollup>(await owner.call('org_costs_rollup', { scenario_id: sid }));
    expect(before.unassigned).toBeUndefined();

    const plan = structured<{ proposal_id: string }>(
      await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'create_position', title: 'Head of data', org_unit_id: '', target_salary_minor: 9_000_000, currency: 'EUR' }] }),
    );
    const confirmed = structured<{ outcome: { created: { id: string }[] } }>(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    const seatId = confirmed.outcome.created[0]!.id;

    const listed = (await positions(sid)).find((p) => p.id === seatId)!;
    expect(listed).toMatchObject({ title: 'Head of data', no_budgeted_team: true, status: 'vacant' });
    expect(listed.org_unit_id).toBeUndefined();
    expect((await positions(sid)).find((p) => p.id === world.ids.id('pos_m_open'))).toMatchObject({ org_unit_id: world.ids.units.M });
    expect((await positions(sid)).find((p) => p.id === world.ids.id('pos_m_open'))!.no_budgeted_team).toBeUndefined();
    expect((await positions(sid, { org_unit_id: world.ids.units.C, include_subunits: true })).map((p) => p.id)).not.toContain(seatId);
    expect((await positions(sid, { no_budgeted_team: true })).map((p) => p.id)).toEqual([seatId]);
    const both = errorOf(await owner.call('org_positions_list', { scenario_id: sid, no_budgeted_team: true, org_unit_id: world.ids.units.M }));
    expect(both).toMatchObject({ field: 'no_budgeted_team' });
    expect(both.message).toMatch(/leave org_unit_id out with it/);

    const after = structured<Rollup>(await owner.call('org_costs_rollup', { scenario_id: sid }));
    expect(after.unassigned).toMatchObject({ positions: 1, vacant_seats_annual_cost_minor: 11_250_000, currency: 'EUR' });
    expect(after.total.vacant_seats_annual_cost_minor).toBe(before.total.vacant_seats_annual_cost_minor + 11_250_000);
  });

  it('fill_position refuses the seat until it has a unit, naming org_unit_id', async () => {
    const sid = await newScenario('Fill too early');
    const error = errorOf(
      await owner.call('scenario_action_plan', {
        scenario_id: sid,
        changes: [
          { op: 'create_position', title: 'Analyst', ref: 'analyst' },
          { op: 'fill_position', position_id: '$analyst', actor_id: world.ids.id('m1') },
        ],
      }),
    );
    expect(error).toMatchObject({ code: 'invalid_input', field: 'changes[1].position_id' });
    expect(error.message).toMatch(/has no budgeted team yet \(no org_unit_id\).*update_position with org_unit_id/);
  });

  it('update_position with a blank org_unit_id clears a vacant seat’s team', async () => {
    const sid = await newScenario('Unbudget Mobile');
    const seat = world.ids.id('pos_m_open');
    const plan = structured<{ proposal_id: string }>(await owner.call('scenario_action_plan', { scenario_id: sid, changes: [{ op: 'update_position', position_id: seat, org_unit_id: '' }] }));
    structured(await owner.call('scenario_action_confirm', { proposal_id: plan.proposal_id }));
    expect((await positions(sid)).find((p) => p.id === seat)).toMatchObject({ no_budgeted_team: true });
    expect(structured<Rollup>(await owner.call('org_costs_rollup', { scenario_id: sid })).unassigned).toMatchObject({ positions: 1 });
  });
});
