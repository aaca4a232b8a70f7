import { describe, expect, it } from 'vitest';
import { currentLiveVersion } from '../../src/db/live-store.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { getScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { today } from '../../src/org/dates.js';
import { mergeWorld } from '../support/merge-world.js';

/**
 * The change commands refuse a second placement of a person in one org unit at a time (`placed_in_unit_already`) and
 * anything put in or under a unit, under a manager or into a seat whose end is planned for a later day (`ends_before`).
 * When Live moved after the scenario branched, each side may be fine alone and the merge break those rules: promotion
 * names that as an `invalid_after_merge` problem (in the delta too) and refuses, Live untouched.
 *
 * Fixture: m1 is placed in Mobile (60 %, primary) and Platform (40 %); f1 and f2 in Field; p2 in Platform.
 */

const later = (days: number) => new Date(Date.parse(today()) + days * 86_400_000).toISOString().slice(0, 10);

const { org, scenarioWith, liveMeanwhile, world } = mergeWorld();

const mergeConflicts = async (ctx: ServiceContext, sid: string) =>
  (await scenarioDelta(ctx, { scenarioId: sid })).conflicts.filter((c) => c.reason === 'invalid_after_merge');

/** The delta names exactly `problems`; promotion is refused with them; Live and the scenario stay as they were. */
async function expectProblems(ctx: ServiceContext, sid: string, problems: Record<string, unknown>[]) {
  const expected = problems.map((p) => expect.objectContaining({ reason: 'invalid_after_merge', ...p }));
  expect(await mergeConflicts(ctx, sid)).toEqual(expected);
  const liveBefore = await currentLiveVersion(world().database.db, ctx.tenant.id);
  const refused = await promoteScenario(ctx, sid).then(
    () => null,
    (e: { code: string; status: number; message: string; details: { conflicts: Record<string, unknown>[] } }) => e,
  );
  expect(refused).toMatchObject({ code: 'conflict', status: 409, message: expect.stringMatching(/would leave Live invalid/) });
  expect(refused!.details.conflicts).toEqual(expected);
  expect(await currentLiveVersion(world().database.db, ctx.tenant.id)).toBe(liveBefore);
  expect((await getScenario(ctx, sid)).kind).toBe('planning');
}

describe('promotion re-checks one placement per person and org unit', () => {
  it('refuses a placement the scenario moved into a unit where Live has placed the same person since', async () => {
    const { ctx, id, units } = await org('merge-twin-move');
    // The scenario moves f1's Field placement into Platform; meanwhile Live gives f1 a placement in Platform.
    const { sid } = await scenarioWith(ctx, 'f1 to Platform', [{ op: 'move_placement', placement_id: id('pl-f1'), org_unit_id: units.P }]);
    await liveMeanwhile(ctx, [{ op: 'add_placement', actor_id: id('f1'), org_unit_id: units.P, allocation_pct: 20 }]);
    await expectProblems(ctx, sid, [
      {
        family: 'placement',
        field: 'org_unit_id',
        label: 'f1 in Platform (100 %)',
        problem: expect.stringMatching(/^“f1” would be placed in “Platform” twice at the same time .*\(.+, 100 %\) and placement .+ \(20 %\).*end_placement.*set_allocation, 120 %.*move_placement/),
      },
    ]);
    const live = (await ctx.graphs.live(ctx.tenant.id)).graph;
    expect([...live.placements.values()].filter((p) => p.actorId === id('f1') && p.orgUnitId === units.P && p.validTo === null)).toHaveLength(1);
  });

  it('refuses a placement both sides added for one person in one unit, and promotes once the scenario ends its own', async () => {
    const { ctx, id, units } = await org('merge-twin-add');
    const { sid, created } = await scenarioWith(ctx, 'f2 helps Mobile', [{ op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 20 }]);
    await liveMeanwhile(ctx, [{ op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 30 }]);
    await expectProblems(ctx, sid, [{ family: 'placement', id: created[0]!.id, field: 'org_unit_id', label: 'f2 in Mobile (20 %)', problem: expect.stringContaining('“Mobile”') }]);
    // The scenario gives up its own (the one Live added stays): nothing left to name, and it promotes.
    await applyBatch(ctx, sid, [{ op: 'end_placement', placement_id: created[0]!.id }, { op: 'set_fte', actor_id: id('f2'), fte: 0.9 }]);
    expect(await mergeConflicts(ctx, sid)).toEqual([]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
  });

  it('names nothing when the two placements are in different units or one ends before the other starts', async () => {
    const { ctx, id, units } = await org('merge-twin-none');
    const { sid } = await scenarioWith(ctx, 'f2 helps Mobile later', [
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 20, date: later(30) },
      { op: 'add_placement', actor_id: id('f1'), org_unit_id: units.M, allocation_pct: 20 },
    ]);
    await liveMeanwhile(ctx, [
      { op: 'add_placement', actor_id: id('f1'), org_unit_id: units.P, allocation_pct: 30 },
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 30 },
    ]);
    await liveMeanwhile(ctx, [{ op: 'end_placement', placement_id: (await liveF2InMobile(ctx, id('f2'), units.M))!, date: later(30) }]);
    expect(await mergeConflicts(ctx, sid)).toEqual([]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
  });
});

async function liveF2InMobile(ctx: ServiceContext, actorId: string, unitId: string): Promise<string | undefined> {
  const live = (await ctx.graphs.live(ctx.tenant.id)).graph;
  return [...live.placements.values()].find((p) => p.actorId === actorId && p.orgUnitId === unitId && p.validTo === null)?.id;
}

describe('promotion re-checks what outlives the unit, manager or seat it hangs on', () => {
  it('refuses a placement added in a unit whose closing Live planned for a later day since', async () => {
    const { ctx, id, units } = await org('merge-ends-unit');
    const [team] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: 'Team X', type: 'team', parent_id: units.E }]);
    const { sid } = await scenarioWith(ctx, 'f2 in Team X', [{ op: 'add_placement', actor_id: id('f2'), org_unit_id: team!.id, allocation_pct: 20 }]);
    await liveMeanwhile(ctx, [{ op: 'close_org_unit', org_unit_id: team!.id, date: later(30) }]);
    await expectProblems(ctx, sid, [
      { family: 'placement', field: 'org_unit_id', label: 'f2 in Team X (20 %)', problem: `points at the org unit “Team X”, which closes on ${later(30)} while this placement would run on past it` },
    ]);
  });

  it('refuses a unit closed from a later day in the scenario that Live has placed someone in since', async () => {
    const { ctx, id, units } = await org('merge-ends-closing');
    const [team] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: 'Team X', type: 'team', parent_id: units.E }]);
    const { sid } = await scenarioWith(ctx, 'Close Team X next month', [{ op: 'close_org_unit', org_unit_id: team!.id, date: later(30) }]);
    await liveMeanwhile(ctx, [{ op: 'add_placement', actor_id: id('f2'), org_unit_id: team!.id, allocation_pct: 20 }]);
    await expectProblems(ctx, sid, [{ family: 'placement', field: 'org_unit_id', label: 'f2 in Team X (20 %)', problem: expect.stringMatching(new RegExp(`“Team X”.*${later(30)}`)) }]);
  });

  it('refuses a position, a reporting line, a filled seat and a placement whose unit, manager, seat or person Live ends on a later day since', async () => {
    const { ctx, id, units } = await org('merge-ends-more');
    const [team] = await liveMeanwhile(ctx, [{ op: 'create_org_unit', name: 'Team X', type: 'team', parent_id: units.E }]);
    const { sid } = await scenarioWith(ctx, 'Grow Team X', [
      { op: 'create_position', title: 'X lead', org_unit_id: team!.id },
      { op: 'set_manager', actor_id: id('f1'), manager_id: id('p2') },
      { op: 'fill_position', position_id: id('pos_m_open'), actor_id: id('m1') },
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.M, allocation_pct: 20 },
    ]);
    await liveMeanwhile(ctx, [
      { op: 'close_position', position_id: id('pos_m_open'), date: later(25) },
      { op: 'close_org_unit', org_unit_id: team!.id, date: later(30) },
      { op: 'deactivate_actor', actor_id: id('p2'), date: later(20) },
      { op: 'deactivate_actor', actor_id: id('f2'), date: later(20) },
    ]);
    const problems = await mergeConflicts(ctx, sid);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ family: 'position', field: 'org_unit_id', label: 'X lead', problem: `points at the org unit “Team X”, which closes on ${later(30)} while this position would run on past it` }),
        expect.objectContaining({ family: 'placement', field: 'actor_id', label: 'f2 in Mobile (20 %)', problem: `points at the person “f2”, which leaves on ${later(20)} while this placement would run on past it` }),
        expect.objectContaining({ family: 'reporting_line', field: 'manager_id', label: 'f1 reports to p2', problem: `points at the manager “p2”, which leaves on ${later(20)} while this reporting line would run on past it` }),
        expect.objectContaining({
          family: 'placement',
          field: 'position_id',
          label: 'm1 in Mobile (60 %)',
          problem: `points at the position “pos_m_open”, which closes on ${later(25)} while this placement would run on past it`,
        }),
      ]),
    );
    expect(problems).toHaveLength(4);
  });
});
