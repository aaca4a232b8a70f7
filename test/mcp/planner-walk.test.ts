import { describe, expect, it } from 'vitest';
import { addDays, today } from '../../src/org/dates.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { buildTenant, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';
import { connect, withAssistant, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * What a planner's assistant met restructuring the organisation through the tools (the official client, a personal
 * token): answers that read as "nothing happened" or left it without the next step.
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

async function planAndConfirm(scenarioId: string, changes: Record<string, unknown>[]): Promise<void> {
  const planned = structured<{ proposal_id: string }>(await assistant.call('scenario_action_plan', { scenario_id: scenarioId, changes }));
  structured(await assistant.call('scenario_action_confirm', { proposal_id: planned.proposal_id }));
}

describe('the delta of a restructure planned for later days, read without as_of', () => {
  it('says its metrics, taken today, leave those changes out and names the as_of that shows them all', async () => {
    const scenarioId = await newScenario('Next quarter');
    const start = addDays(today(), 32);
    const leave = addDays(today(), 62);
    await planAndConfirm(scenarioId, [
      { op: 'create_position', org_unit_id: world.ids.units.P, title: 'Platform engineer', date: start },
      { op: 'deactivate_actor', actor_id: world.ids.id('p2'), date: leave },
    ]);

    type Read = { as_of: string; total: Record<string, { delta?: number }>; note?: string; next_step?: string };
    const metrics = structured<Read>(await assistant.call('scenario_metrics_delta', { scenario_id: scenarioId }));
    // Today nothing has moved yet: every delta 0, which read as "this restructure changes nothing".
    expect(metrics.as_of).toBe(today());
    expect(metrics.total.headcount!.delta).toBe(0);
    const later = `Some of this scenario’s changes take effect after ${today()} (on ${start}, ${leave}), so the metrics here, taken on ${today()}, leave them out`;
    expect(metrics.note).toBe(`${later} (\`scenario_delta\` lists the changes).`);
    expect(metrics.next_step).toBe(`Pass as_of "${leave}" (the day the last change takes effect) to see the impact of them all, or another day to see it then.`);

    const delta = structured<{ families: Record<string, unknown>; note?: string; next_step?: string }>(await assistant.call('scenario_delta', { scenario_id: scenarioId }));
    expect(Object.keys(delta.families).sort()).toEqual(['actor', 'compensation', 'placement', 'position', 'reporting_line']);
    expect(delta.note).toBe(`${later} (\`families\` lists every change, whatever its day).`);
    expect(delta.next_step).toBe(metrics.next_step);

    // On the day named, the impact shows and there is nothing more to say.
    const then = structured<Read>(await assistant.call('scenario_metrics_delta', { scenario_id: scenarioId, as_of: leave }));
    expect(then.total.headcount!.delta).toBe(-1);
    expect(then.total.vacant_positions!.delta).toBe(1);
    expect(then).not.toHaveProperty('note');
  });
});

describe('a refused change that carries its reason', () => {
  const plan = (changes: Record<string, unknown>[]) => assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes });

  it('says which changes to add, with the ids, instead of "correct the field"', async () => {
    // Deactivating a manager: the actor_id is right; their reports need another manager first.
    const leaver = errorOf(await plan([{ op: 'set_fte', actor_id: world.ids.id('f1'), fte: 0.9 }, { op: 'deactivate_actor', actor_id: world.ids.id('eng_head') }]));
    expect(leaver).toMatchObject({ field: 'changes[1].actor_id', reason: 'still_manages' });
    const reports = leaver.reports as string[];
    expect(reports.length).toBeGreaterThan(1);
    expect(leaver.fix).toBe(
      `Keep this change and give each report (${reports.map((id) => `"${id}"`).join(', ')}) another manager first: a set_manager change per report ` +
        `(actor_id, manager_id, date on or before ${today()}) placed before changes[1] in the same batch. ` +
        '`org_reporting_lines_list` with manager_id lists them by name.',
    );

    // A second primary placement: the primary one moves instead.
    const primary = errorOf(await plan([{ op: 'add_placement', actor_id: world.ids.id('p1'), org_unit_id: world.ids.units.M, allocation_pct: 100, is_primary: true }]));
    expect(primary).toMatchObject({ field: 'changes[0].is_primary', reason: 'has_primary_placement' });
    expect(primary.fix).toBe(
      `Replace changes[0] with move_placement (placement_id "${String(primary.placement_id)}", the new org_unit_id) to move the actor’s primary placement, ` +
        'or leave is_primary out for a second, secondary placement.',
    );

    // Someone who has left: the date, not the id, is what to change.
    const left = errorOf(await plan([{ op: 'set_manager', actor_id: world.ids.id('former'), manager_id: world.ids.id('eng_head') }]));
    expect(left).toMatchObject({ field: 'changes[0].actor_id', reason: 'not_active', kind: 'actor' });
    expect(left.fix).toBe(
      `The actor is not in the organisation on ${today()}: date changes[0] while they are (\`org_actors_get\` with this scenario_id shows their valid_from and valid_to).`,
    );

    // A date on a change kept without history.
    const dated = errorOf(await plan([{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.6, date: addDays(today(), 30) }]));
    expect(dated).toMatchObject({ field: 'changes[0].date', reason: 'undated_only' });
    expect(dated.fix).toBe(`Leave "changes[0].date" out of changes[0]: set_fte applies from today (${today()}), the only day it can take effect.`);
  });

  it('closing a unit people are still in names their placements, its open seats and the changes that empty it first', async () => {
    const closing = errorOf(await plan([{ op: 'close_org_unit', org_unit_id: world.ids.units.M }]));
    expect(closing).toMatchObject({ field: 'changes[0].org_unit_id', reason: 'unit_not_empty', child_units: [], suggested_op: 'move_placement' });
    const placements = closing.placements as string[];
    expect(placements.length).toBeGreaterThan(0);
    const named = placements.map((id) => `"${id}"`).join(', ');
    const seats = (closing.positions as string[]).map((id) => `"${id}"`).join(', ');
    expect(seats).not.toBe('');
    expect(closing.fix).toBe(
      `Before changes[0] in the same batch, add move_placement for each placement (${named}; end_placement for a secondary one, ` +
        `deactivate_actor for a leaver) and update_position to another org_unit_id for each open position (${seats}; close_position ` +
        'for a seat no longer needed), then plan again.',
    );
  });
});

describe('a day before the organisation’s first org unit starts', () => {
  it('says there was nothing yet and from when there is, instead of an organisation of 0 people', async () => {
    // An organisation whose units all start on 2024-01-01 (as an import of a founding date sets them).
    const graph = buildFixtureOrg('founded');
    for (const unit of graph.orgUnits.values()) unit.validFrom = '2024-01-01';
    const founded = await writeGraph(world.database, await buildTenant(world.database, { plan: 'enterprise', currency: 'EUR' }), graph);
    const reader = await connect(world, principalOf(founded, 'admin', { kind: 'api_token' }), { tenant: founded });
    try {
      const said =
        'No org unit of the organisation is in effect on 2019-06-30: its first start on 2024-01-01, so every figure here is 0. ' +
        'Pass an as_of on or after 2024-01-01 for its figures.';
      const summary = structured<{ totals: { headcount: number }; note?: string }>(await reader.call('org_summary', { as_of: '2019-06-30' }));
      expect(summary.totals.headcount).toBe(0);
      expect(summary.note).toBe(said);
      for (const tool of ['org_metrics_get', 'org_units_tree', 'org_costs_rollup']) {
        expect(structured<{ note?: string }>(await reader.call(tool, { as_of: '2019-06-30' })).note, tool).toBe(said);
      }
      // From the day the organisation starts, nothing to say.
      expect(structured(await reader.call('org_summary', { as_of: '2024-01-01' }))).not.toHaveProperty('note');
      expect(structured(await reader.call('org_metrics_get', {}))).not.toHaveProperty('note');
    } finally {
      await reader.close();
    }
  });
});

describe('a unit’s roster beside its headcount', () => {
  it('names who is listed but homed in another unit, so the total and org_metrics_get’s headcount agree', async () => {
    type Roster = { total: number; homed_elsewhere?: { count: number; actors: { id: string; home_org_unit_name?: string }[]; headcount_homed_here: number; note: string } };
    // Platform: p1 and p2 homed there, m1 (homed in Mobile) 40 % there, and an agent.
    const platform = structured<Roster>(await assistant.call('org_actors_list', { org_unit_id: world.ids.units.P, as_of: '2026-06-01' }));
    const metrics = structured<{ metrics: { headcount: number } }>(await assistant.call('org_metrics_get', { org_unit_id: world.ids.units.P, as_of: '2026-06-01' }));
    expect(platform.total).toBe(4);
    expect(metrics.metrics.headcount).toBe(2);
    expect(platform.homed_elsewhere).toEqual({
      count: 1,
      actors: [{ id: world.ids.id('m1'), display_name: 'm1', home_org_unit_id: world.ids.units.M, home_org_unit_name: 'Mobile' }],
      headcount_homed_here: 2,
      note:
        '1 of the humans listed is homed in another unit and placed in Platform by a secondary placement: m1 (Mobile). ' +
        '`org_metrics_get` counts headcount where each human is homed, so its headcount for Platform is 2, without them.',
    });
    // Engineering with its teams: m1 is homed below it, so nobody is listed from elsewhere.
    const engineering = structured<Roster>(await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, include_subunits: true, as_of: '2026-06-01' }));
    expect(engineering).not.toHaveProperty('homed_elsewhere');
  });
});

describe('how many direct reports, how many placements in a unit', () => {
  it('is the first page’s total, as the actor and position lists answer, not a count over every page', async () => {
    const reports = structured<{ total: number; reporting_lines: unknown[]; next_cursor?: string }>(
      await assistant.call('org_reporting_lines_list', { manager_id: world.ids.id('eng_head'), as_of: '2026-06-01', limit: 1 }),
    );
    // p1, p2 and m1 (former left on 2026-01-01).
    expect(reports.total).toBe(3);
    expect(reports.reporting_lines).toHaveLength(1);
    expect(reports.next_cursor).toBeDefined();
    const placed = structured<{ total: number }>(await assistant.call('org_placements_list', { org_unit_id: world.ids.units.P, as_of: '2026-06-01', limit: 1 }));
    // p1, p2, m1's 40 % and the agent.
    expect(placed.total).toBe(4);
  });
});

describe('a preview of people moved to another team', () => {
  it('says the seats they filled stay behind, vacant, and how to move them with their people', async () => {
    type Preview = { preview: { notes?: string[]; metrics: { vacant_positions?: { delta?: number } } } };
    const move = { op: 'move_placement', placement_id: world.ids.id('pl-p1'), org_unit_id: world.ids.units.M };
    const moved = structured<Preview>(await assistant.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [move] }));
    expect(moved.preview.metrics.vacant_positions!.delta).toBe(1);
    expect(moved.preview.notes).toContain(
      `The seat the moved person filled stays where it is budgeted, now vacant: "pos_p1" (${world.ids.id('pos_p1')}, in Platform, left by p1) — ` +
        'a placement moved to another unit no longer fills its position, and `vacant_positions` counts it. To move a seat with its person, add after ' +
        'the move update_position (position_id, org_unit_id: the new unit) and fill_position (position_id, actor_id); for a seat no longer needed, ' +
        'close_position; then plan again.',
    );

    // Doing what it says: the seat moves and is filled again, nothing to note.
    const withSeat = structured<Preview>(
      await assistant.call('scenario_action_plan', {
        scenario_id: world.scenario.id,
        changes: [
          move,
          { op: 'update_position', position_id: world.ids.id('pos_p1'), org_unit_id: world.ids.units.M },
          { op: 'fill_position', position_id: world.ids.id('pos_p1'), actor_id: world.ids.id('p1') },
        ],
      }),
    );
    expect(withSeat.preview.notes ?? []).toEqual([]);
    expect(withSeat.preview.metrics.vacant_positions?.delta ?? 0).toBe(0);
  });
});
