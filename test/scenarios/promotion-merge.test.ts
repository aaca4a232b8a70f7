import { describe, expect, it } from 'vitest';
import { currentLiveVersion } from '../../src/db/live-store.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createSnapshot, getScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario, restoreSnapshot } from '../../src/scenarios/promotion.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { getActor } from '../../src/org/read-people.js';
import { getOrgUnit } from '../../src/org/read-structure.js';
import { today } from '../../src/org/dates.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { mergeWorld } from '../support/merge-world.js';

/**
 * Promotion when Live changed after the scenario branched: changes to different records or fields, each valid on its
 * own, may combine into a Live the engine would never have let either side make (a reporting cycle, two units of one
 * parent with one name, a placement in a closed unit, two primary placements…). No field conflicts there, so the
 * promotion re-checks the merged result with the engine's own rules, and refuses — naming each problem, Live untouched.
 */

const { org, scenarioWith, liveMeanwhile, world } = mergeWorld();

/** Promotion is refused with the named merge problems; Live, the scenario and the snapshots stay as they were. */
async function expectRefused(ctx: ServiceContext, sid: string, problems: Record<string, unknown>[]) {
  const liveBefore = await currentLiveVersion(world().database.db, ctx.tenant.id);
  const refused = await promoteScenario(ctx, sid).then(
    () => null,
    (e: { code: string; status: number; message: string; fix?: string; details: { conflicts: Record<string, unknown>[] } }) => e,
  );
  expect(refused).toMatchObject({ code: 'conflict', status: 409 });
  expect(refused!.details.conflicts).toEqual(expect.arrayContaining(problems.map((p) => expect.objectContaining({ reason: 'invalid_after_merge', ...p }))));
  expect(refused!.message).toMatch(/would leave Live invalid/);
  expect(refused!.fix).toMatch(/Change the scenario/);
  expect(await currentLiveVersion(world().database.db, ctx.tenant.id)).toBe(liveBefore);
  expect((await getScenario(ctx, sid)).kind).toBe('planning');
  return refused!;
}

describe('promotion re-checks the merged Live', () => {
  it('refuses a reporting cycle made of a Live change and a scenario change to different people', async () => {
    const { ctx, id } = await org('merge-cycle');
    // The scenario: f1 reports to p1. Meanwhile Live: p1 reports to f1. Each alone is fine.
    const { sid } = await scenarioWith(ctx, 'f1 under p1', [{ op: 'set_manager', actor_id: id('f1'), manager_id: id('p1') }]);
    await liveMeanwhile(ctx, [{ op: 'set_manager', actor_id: id('p1'), manager_id: id('f1') }]);
    const before = (await scenarioDelta(ctx, { scenarioId: sid })).conflicts;
    expect(before.filter((c) => c.reason === 'changed_in_both')).toEqual([]);
    expect(before.filter((c) => c.reason === 'invalid_after_merge')).toHaveLength(1);
    const refused = await expectRefused(ctx, sid, [{ family: 'reporting_line', field: 'manager_id', label: 'f1 reports to p1', problem: expect.stringContaining('“f1” → “p1” → “f1”') }]);
    expect(refused.details.conflicts).toHaveLength(1);
    expect((await getActor(ctx, id('f1'))).actor).toMatchObject({ manager_id: id('sales_head') });
    // The person changes the scenario (f1 keeps their manager): the promotion goes through.
    await applyBatch(ctx, sid, [{ op: 'set_manager', actor_id: id('f1'), manager_id: id('sales_head') }, { op: 'set_fte', actor_id: id('f1'), fte: 0.9 }]);
    // The delta read before the fix said the problem; read again, it no longer does (nothing remembered stale).
    expect((await scenarioDelta(ctx, { scenarioId: sid })).conflicts.filter((c) => c.reason === 'invalid_after_merge')).toEqual([]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
    expect((await getActor(ctx, id('f1'))).actor).toMatchObject({ fte: 0.9 });
  });

  it('refuses an org-unit cycle: the scenario moves a department under another that Live moved under the first', async () => {
    const { ctx, units } = await org('merge-unit-cycle');
    const { sid } = await scenarioWith(ctx, 'Engineering under Sales', [{ op: 'move_org_unit', org_unit_id: units.E, parent_id: units.S }]);
    await liveMeanwhile(ctx, [{ op: 'move_org_unit', org_unit_id: units.S, parent_id: units.E }]);
    await expectRefused(ctx, sid, [{ family: 'org_unit', id: units.E, field: 'parent_id', label: 'Engineering', problem: expect.stringContaining('“Engineering” → “Sales” → “Engineering”') }]);
    expect((await getOrgUnit(ctx, units.E)).unit.parent_id).toBe(units.C);
  });

  it('refuses a sibling org unit with the name of one Live created under the same parent meanwhile', async () => {
    const { ctx, units } = await org('merge-sibling');
    const { sid, created } = await scenarioWith(ctx, 'A data team', [{ op: 'create_org_unit', name: 'Data', type: 'team', parent_id: units.E }]);
    const [liveData] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: ' data ', type: 'team', parent_id: units.E }]);
    await expectRefused(ctx, sid, [{ family: 'org_unit', id: created[0]!.id, field: 'name', label: 'Data', problem: expect.stringContaining(liveData!.id) }]);
  });

  it('refuses a placement moved into a unit Live has closed since', async () => {
    const { ctx, id, units } = await org('merge-closed-unit');
    const [temp] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: 'Tiger Team', type: 'team', parent_id: units.E }]);
    const { sid } = await scenarioWith(ctx, 'p2 to the tiger team', [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: temp!.id }]);
    await liveMeanwhile(ctx, [{ op: 'close_org_unit', org_unit_id: temp!.id }]);
    await expectRefused(ctx, sid, [{ family: 'placement', field: 'org_unit_id', problem: expect.stringMatching(/Tiger Team.*(not active on|no longer exist)/) }]);
  });

  it('refuses a unit closed in the scenario that Live has placed someone in since', async () => {
    const { ctx, id, units } = await org('merge-close-occupied');
    const [temp] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: 'Tiger Team', type: 'team', parent_id: units.E }]);
    const { sid } = await scenarioWith(ctx, 'Close the tiger team', [{ op: 'close_org_unit', org_unit_id: temp!.id }]);
    await liveMeanwhile(ctx, [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: temp!.id }]);
    await expectRefused(ctx, sid, [{ family: 'placement', field: 'org_unit_id', problem: expect.stringMatching(/Tiger Team.*(not active on|no longer exist)/) }]);
  });

  it('refuses filling a position Live has filled or closed since', async () => {
    const { ctx, id } = await org('merge-position');
    const { sid } = await scenarioWith(ctx, 'm1 takes the open seat', [{ op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('m1') }]);
    const before = await createSnapshot(ctx, { name: 'Before the hire' });
    await liveMeanwhile(ctx, [{ op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: fixtureIds('merge-position').units.M, position_id: id('pos_m_open') }]);
    await expectRefused(ctx, sid, [{ family: 'placement', field: 'position_id', problem: expect.stringMatching(/pos_m_open.*filled.*Nova/) }]);

    // Live instead closes the seat (the hire undone first).
    expect((await (await restoreSnapshot(ctx, before.id)).done).status).toBe('succeeded');
    await liveMeanwhile(ctx, [{ op: 'close_position', position_id: id('pos_m_open') }]);
    await expectRefused(ctx, sid, [{ family: 'placement', field: 'position_id', problem: expect.stringMatching(/pos_m_open.*not active/) }]);
  });

  it('refuses a seat filled from one unit while the other side budgeted it in another', async () => {
    const { ctx, id, units } = await org('merge-seat-unit');
    // The scenario moves the vacant Mobile seat to Field; meanwhile Live fills it with m1, who works in Mobile.
    const { sid } = await scenarioWith(ctx, 'The open seat to Field', [{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.F }]);
    await liveMeanwhile(ctx, [{ op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('m1') }]);
    const merge = (await scenarioDelta(ctx, { scenarioId: sid })).conflicts.filter((c) => c.reason === 'invalid_after_merge');
    const problem = expect.stringMatching(/position “pos_m_open” \(.+\) from “Mobile”, where this placement \(.+\) is, while the position would be budgeted in “Field”.*update_position.*move_placement/);
    expect(merge).toEqual([expect.objectContaining({ family: 'placement', field: 'position_id', label: 'm1 in Mobile (60 %)', problem })]);
    const refused = await expectRefused(ctx, sid, [{ family: 'placement', field: 'position_id', problem }]);
    expect(refused.details.conflicts).toHaveLength(1);
    // The fix the problem names: the scenario budgets the seat in Mobile again (and retitles it) — then it promotes.
    await applyBatch(ctx, sid, [{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.M, title: 'Mobile lead' }]);
    expect((await scenarioDelta(ctx, { scenarioId: sid })).conflicts).toEqual([]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
    const seat = (await ctx.graphs.live(ctx.tenant.id)).graph.positions.get(id('pos_m_open'));
    expect(seat).toMatchObject({ title: 'Mobile lead', orgUnitId: units.M });
  });

  it('refuses filling a seat where it was budgeted when Live has moved it to another unit since, but not a seat both keep in place', async () => {
    const { ctx, id, units } = await org('merge-seat-moved');
    const { sid } = await scenarioWith(ctx, 'm1 takes the open seat', [{ op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('m1') }]);
    const before = await createSnapshot(ctx, { name: 'Before the move' });
    await liveMeanwhile(ctx, [{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: units.F }]);
    const refused = await expectRefused(ctx, sid, [
      { family: 'placement', field: 'position_id', label: 'm1 in Mobile (60 %)', problem: expect.stringMatching(/“pos_m_open”.*from “Mobile”.*budgeted in “Field”/) },
    ]);
    expect(refused.details.conflicts).toHaveLength(1);

    // Live instead only retitles the seat, leaving it in Mobile: both sides agree where it is, so nothing is reported.
    expect((await (await restoreSnapshot(ctx, before.id)).done).status).toBe('succeeded');
    await liveMeanwhile(ctx, [{ op: 'update_position', position_id: id('pos_m_open'), title: 'Mobile lead' }]);
    expect((await scenarioDelta(ctx, { scenarioId: sid })).conflicts).toEqual([]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
    const live = (await ctx.graphs.live(ctx.tenant.id)).graph;
    expect(live.positions.get(id('pos_m_open'))).toMatchObject({ title: 'Mobile lead', orgUnitId: units.M });
    expect([...live.placements.values()].filter((p) => p.positionId === id('pos_m_open') && p.validTo === null)).toEqual([
      expect.objectContaining({ actorId: id('m1'), orgUnitId: units.M }),
    ]);
  });

  it('refuses placing, paying or reporting to someone Live has deactivated since', async () => {
    const { ctx, id, units } = await org('merge-leaver');
    const { sid } = await scenarioWith(ctx, 'Work for the leavers', [
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 20 },
      { op: 'set_compensation', actor_id: id('f2'), kind: 'salary', amount_minor: 7_000_000, currency: 'EUR' },
      { op: 'set_manager', actor_id: id('f1'), manager_id: id('p2') },
    ]);
    await liveMeanwhile(ctx, [
      { op: 'deactivate_actor', actor_id: id('f2') },
      { op: 'deactivate_actor', actor_id: id('p2') },
    ]);
    const refused = await expectRefused(ctx, sid, [
      { family: 'placement', field: 'actor_id', problem: expect.stringMatching(/“f2”.*not active/) },
      { family: 'compensation', field: 'actor_id', problem: expect.stringMatching(/“f2”.*not active/) },
      { family: 'reporting_line', field: 'manager_id', label: 'f1 reports to p2', problem: expect.stringMatching(/“p2”.*not active/) },
    ]);
    expect(refused.details.conflicts).toHaveLength(3);
  });

  it('refuses two primary placements for one person: both sides moved them the same day', async () => {
    const { ctx, id, units } = await org('merge-primary');
    const { sid } = await scenarioWith(ctx, 'p2 to Mobile', [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M }]);
    await liveMeanwhile(ctx, [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.F }]);
    // Both ended p2's placement on the same day: the same value, so no field conflict.
    expect((await scenarioDelta(ctx, { scenarioId: sid })).conflicts).toEqual([expect.objectContaining({ reason: 'invalid_after_merge' })]);
    await expectRefused(ctx, sid, [{ family: 'placement', field: 'is_primary', problem: expect.stringMatching(/“p2”.*second primary placement.*Field/) }]);
  });

  it('names only what the merge brings in, never a problem Live already had, wherever it sits among the records checked', async () => {
    // Older data in Live: p1 holds two primary placements at once (the engine would refuse it; an import of old data may not).
    const salt = 'merge-old-data';
    const { id, units } = fixtureIds(salt);
    const graph = buildFixtureOrg(salt);
    const { database, graphs } = world();
    graph.placements.set(id('pl-p1-dup'), { id: id('pl-p1-dup'), actorId: id('p1'), orgUnitId: units.M, positionId: null, isPrimary: true, allocationPct: 100, validFrom: '2024-01-01', validTo: null });
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), graph);
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), graphs);
    // The scenario touches p1 (so p1's placements are re-checked) and has f1 report to p2, whom Live deactivates meanwhile.
    const { sid } = await scenarioWith(ctx, 'p1 part-time, f1 under p2', [
      { op: 'set_fte', actor_id: id('p1'), fte: 0.8 },
      { op: 'set_manager', actor_id: id('f1'), manager_id: id('p2') },
    ]);
    await liveMeanwhile(ctx, [{ op: 'deactivate_actor', actor_id: id('p2') }]);
    const merge = (await scenarioDelta(ctx, { scenarioId: sid })).conflicts.filter((c) => c.reason === 'invalid_after_merge');
    expect(merge).toEqual([expect.objectContaining({ family: 'reporting_line', field: 'manager_id', label: 'f1 reports to p2' })]);
    const refused = await expectRefused(ctx, sid, [{ family: 'reporting_line', field: 'manager_id', problem: expect.stringMatching(/“p2”.*not active/) }]);
    expect(refused.details.conflicts).toHaveLength(1);
  });

  it('lists a merge problem with the field conflicts, and re-checks it when the work starts after a choice for Live', async () => {
    const { ctx, id, units } = await org('merge-with-choices');
    const later = (days: number) => new Date(Date.parse(today()) + days * 86_400_000).toISOString().slice(0, 10);
    const { sid } = await scenarioWith(ctx, 'p2 to Mobile next week', [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M, date: later(7) }]);
    await liveMeanwhile(ctx, [{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.F, date: later(14) }]);
    // Both ended p2's placement, on other days: a field conflict; and either way p2 would hold two primary placements.
    const refused = await promoteScenario(ctx, sid).catch((e: { details: { conflicts: Record<string, unknown>[] }; message: string }) => e);
    expect(refused).toMatchObject({ code: 'conflict', message: expect.stringContaining('1 change would also leave Live invalid') });
    expect((refused as { details: { conflicts: Record<string, unknown>[] } }).details.conflicts).toEqual([
      expect.objectContaining({ reason: 'changed_in_both', id: id('pl-p2'), field: 'valid_to' }),
      expect.objectContaining({ reason: 'invalid_after_merge', field: 'is_primary' }),
    ]);
    // Taking Live's day for the conflict skips the check up front (the choice changes the scenario first) — the work checks again.
    const liveBefore = await currentLiveVersion(world().database.db, ctx.tenant.id);
    const task = await (await promoteScenario(ctx, sid, [{ family: 'placement', id: id('pl-p2'), field: 'valid_to', choice: 'live' }])).done;
    expect(task).toMatchObject({ status: 'failed', error: expect.stringMatching(/would leave Live invalid/) });
    expect(await currentLiveVersion(world().database.db, ctx.tenant.id)).toBe(liveBefore);
    expect((await getScenario(ctx, sid)).kind).toBe('planning');
  });

  it('refuses the plan’s actor allowance exceeded only once Live’s hires since are counted', async () => {
    const { ctx, units } = await org('merge-allowance', 'business');
    await world().database.db.execute(`update tenants set actor_allowance = 10 where id = '${ctx.tenant.id}'` as never);
    const limited = { ...ctx, tenant: { ...ctx.tenant, actorAllowance: 10 } };
    const { sid } = await scenarioWith(limited, 'One more', [{ op: 'add_actor', kind: 'human', display_name: 'Planned hire', org_unit_id: units.F }]);
    await liveMeanwhile(limited, [{ op: 'add_actor', kind: 'human', display_name: 'Live hire', org_unit_id: units.F }]);
    const liveBefore = await currentLiveVersion(world().database.db, ctx.tenant.id);
    await expect(promoteScenario(limited, sid)).rejects.toMatchObject({ code: 'plan_limit', details: { allowed: 10 } });
    expect(await currentLiveVersion(world().database.db, ctx.tenant.id)).toBe(liveBefore);
  });

  it('restores a snapshot Live held before the tenant moved to a lower allowance, yet refuses growth beyond it afterwards', async () => {
    const { ctx, id, units } = await org('restore-allowance', 'business');
    const before = await createSnapshot(ctx, { name: 'Before the leavers' });
    await liveMeanwhile(ctx, [
      { op: 'deactivate_actor', actor_id: id('f1') },
      { op: 'deactivate_actor', actor_id: id('f2') },
    ]);
    // The tenant moves to a plan for 7 actors: Live holds 7 now, the snapshot 9.
    await world().database.db.execute(`update tenants set actor_allowance = 7 where id = '${ctx.tenant.id}'` as never);
    const lower = { ...ctx, tenant: { ...ctx.tenant, actorAllowance: 7 } };
    // A state Live held is restored (the undo of a mistake must not be blocked by the plan): f1 is active again.
    expect((await (await restoreSnapshot(lower, before.id)).done).status).toBe('succeeded');
    expect((await getActor(lower, id('f1'))).actor.valid_to).toBeNull();
    const { sid } = await scenarioWith(lower, 'Hire beyond the plan', [{ op: 'add_actor', kind: 'human', display_name: 'One more', org_unit_id: units.F }]);
    await expect(promoteScenario(lower, sid)).rejects.toMatchObject({ code: 'plan_limit', details: { allowed: 7 } });
  });
});
