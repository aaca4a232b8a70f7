import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/policy.js';
import { InvalidInput, MissingAbility } from '../../src/errors.js';
import { toolError, type ErrorScope } from '../../src/mcp/result.js';
import { inEffect } from '../../src/org/dates.js';
import type { OrgGraph, Placement } from '../../src/org/types.js';
import { abilitiesFor } from '../../src/scenarios/commands.js';
import { diffRecords } from '../../src/scenarios/delta.js';
import { changeRunner, sessionOf } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * set_primary_placement: one of an actor's secondary placements becomes their primary from a date, and their primary
 * secondary on the same day — exactly one primary per active actor on every day (SPEC §6). Effective-dated like
 * move_placement: both placements end on the day and continue as new ones with the flag flipped.
 *
 * Fixture: m1 is in Mobile (pl-m1, 60 %, primary) and Platform (pl-m1-p, 40 %, secondary) since 2024-01-01;
 * `former` left on 2026-01-01.
 */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const LATEST = '2027-06-01';
const SALT = 'set-primary-placement';
const { id, units } = fixtureIds(SALT);
const owner = sessionOf('owner');
const abilities = owner.abilities;
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY });

const m1Placements = (graph: OrgGraph, day: string): Placement[] => [...graph.placements.values()].filter((p) => p.actorId === id('m1') && inEffect(p, day));
const primaryOn = (graph: OrgGraph, day: string) => m1Placements(graph, day).filter((p) => p.isPrimary);

describe('set_primary_placement', () => {
  it('makes the secondary placement primary and the primary secondary from the day, keeping earlier days as they were', () => {
    const result = run([{ op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATER }]);
    const { graph } = result;
    // Before the day: Mobile is still the primary.
    expect(primaryOn(graph, TODAY).map((p) => [p.id, p.orgUnitId])).toEqual([[id('pl-m1'), units.M]]);
    // From the day: Platform is, at the same allocation, and Mobile continues as secondary — one primary, same total.
    const after = m1Placements(graph, LATER).map((p) => ({ unit: p.orgUnitId, primary: p.isPrimary, pct: p.allocationPct }));
    expect(after).toHaveLength(2);
    expect(after).toEqual(
      expect.arrayContaining([
        { unit: units.P, primary: true, pct: 40 },
        { unit: units.M, primary: false, pct: 60 },
      ]),
    );
    expect(graph.placements.get(id('pl-m1'))?.validTo).toBe(LATER);
    expect(graph.placements.get(id('pl-m1-p'))?.validTo).toBe(LATER);
    expect(result.created.map((c) => c.family)).toEqual(['placements', 'placements']);

    // The delta: both old placements end on the day, and their continuations carry the flipped flag.
    const delta = diffRecords(buildFixtureOrg(SALT), graph, null, true) as Record<string, { added: Record<string, unknown>[]; changed: Record<string, unknown>[] }>;
    expect(delta.placement!.changed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: id('pl-m1'), fields: { valid_to: { from: null, to: LATER } } }),
        expect.objectContaining({ id: id('pl-m1-p'), fields: { valid_to: { from: null, to: LATER } } }),
      ]),
    );
    expect(delta.placement!.added.map((p) => [p.org_unit_id, p.is_primary, p.valid_from])).toEqual(
      expect.arrayContaining([
        [units.P, true, LATER],
        [units.M, false, LATER],
      ]),
    );
  });

  it('flips both flags in place for placements that start on the day, and flipping back the same day changes nothing', () => {
    const flipped = run([
      { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 20, date: LATER, ref: 'mobile' },
      { op: 'set_primary_placement', placement_id: '$mobile', date: LATER },
    ]).graph;
    const p2 = [...flipped.placements.values()].filter((p) => p.actorId === id('p2') && inEffect(p, LATER));
    expect(p2.filter((p) => p.isPrimary).map((p) => p.orgUnitId)).toEqual([units.M]);

    const back = run([
      { op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATER },
      { op: 'set_primary_placement', placement_id: id('pl-m1'), date: LATER },
    ]);
    expect(back.created).toEqual([]);
    expect(back.graph.placements.get(id('pl-m1'))).toMatchObject({ isPrimary: true, validTo: null });
    expect(back.graph.placements.get(id('pl-m1-p'))).toMatchObject({ isPrimary: false, validTo: null });
  });

  it('keeps one primary on every later day when changes are planned for either placement after the day', () => {
    const { graph } = run([
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E, date: LATEST },
      { op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATER },
    ]);
    expect(primaryOn(graph, TODAY).map((p) => p.orgUnitId)).toEqual([units.M]);
    expect(primaryOn(graph, LATER).map((p) => p.orgUnitId)).toEqual([units.P]);
    // The move planned for the old primary still happens, to a secondary placement now.
    expect(primaryOn(graph, LATEST).map((p) => p.orgUnitId)).toEqual([units.P]);
    expect(m1Placements(graph, LATEST).find((p) => !p.isPrimary)).toMatchObject({ orgUnitId: units.E, allocationPct: 60 });
  });

  it('a later batch naming the old placement ids after the day reaches the continuation of the same placement', () => {
    const first = run([{ op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATER }]).graph;
    // pl-m1 (Mobile, once the primary) is continued by the secondary in Mobile, not by the new primary.
    const moved = run([{ op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E, date: LATEST }], first, owner, 'second').graph;
    expect(m1Placements(moved, LATEST).map((p) => ({ unit: p.orgUnitId, primary: p.isPrimary }))).toEqual(
      expect.arrayContaining([
        { unit: units.E, primary: false },
        { unit: units.P, primary: true },
      ]),
    );
    // pl-m1-p (Platform) is continued by the new primary: it is primary already.
    const again = (() => {
      try {
        run([{ op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATEST }], first, owner, 'second');
      } catch (error) {
        return error as InvalidInput;
      }
      throw new Error('not refused');
    })();
    expect(again.details).toMatchObject({ field: 'changes[0].placement_id', reason: 'already_primary', day: LATEST });
  });

  it('refuses the primary itself (already_primary), naming placement_id, with the fix for an assistant', () => {
    const error = refusal([{ op: 'set_primary_placement', placement_id: id('pl-m1') }]);
    expect(error.details).toEqual({ field: 'changes[0].placement_id', reason: 'already_primary', kind: 'placement', id: id('pl-m1'), day: TODAY });
    expect(error.reasonText).toBe(`is the actor’s primary placement already on ${TODAY}`);
    const fix = (toolError(error, {} as ErrorScope).structuredContent as { error: { fix: string } }).error.fix;
    expect(fix).toContain(`Leave changes[0] out: placement "${id('pl-m1')}" is the actor’s primary already on ${TODAY}`);
  });

  it('refuses an unknown placement, one not active on the day, and one of an actor deactivated by then — on placement_id', () => {
    expect(refusal([{ op: 'set_primary_placement', placement_id: 'nope' }]).details).toMatchObject({
      field: 'changes[0].placement_id',
      reason: 'no_such_record',
      kind: 'placement',
    });
    expect(refusal([{ op: 'set_primary_placement', placement_id: id('pl-former') }]).details).toMatchObject({
      field: 'changes[0].placement_id',
      reason: 'not_active',
      kind: 'placement',
    });
    expect(refusal([{ op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: '2020-01-01' }]).details).toMatchObject({
      field: 'changes[0].placement_id',
      reason: 'not_active',
    });
    const leaver = refusal([
      { op: 'deactivate_actor', actor_id: id('m1'), date: LATER },
      { op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATEST },
    ]);
    expect(leaver.details).toMatchObject({ field: 'changes[1].placement_id', reason: 'not_active', kind: 'placement' });
    expect(refusal([{ op: 'set_primary_placement' }]).details).toMatchObject({ field: 'changes[0].placement_id', reason: 'required' });
  });

  it('is the way to end a primary placement: end_placement of the primary names it, and after it the old primary ends', () => {
    expect(refusal([{ op: 'end_placement', placement_id: id('pl-m1') }]).reasonText).toContain('make another of their placements primary first (set_primary_placement)');
    const { graph } = run([
      { op: 'set_primary_placement', placement_id: id('pl-m1-p'), date: LATER },
      { op: 'end_placement', placement_id: id('pl-m1'), date: LATER },
    ]);
    expect(m1Placements(graph, LATER).map((p) => [p.orgUnitId, p.isPrimary, p.allocationPct])).toEqual([[units.P, true, 40]]);
  });

  it('refuses the whole batch when a later change is refused', () => {
    const error = refusal([
      { op: 'set_primary_placement', placement_id: id('pl-m1-p') },
      { op: 'set_primary_placement', placement_id: id('pl-p2') },
    ]);
    expect(error.details).toMatchObject({ field: 'changes[1].placement_id', reason: 'already_primary' });
  });

  it('needs scenarios.write only, like the other placement edits (not scenarios.delete)', () => {
    expect(abilitiesFor({ op: 'set_primary_placement' })).toEqual(['scenarios.write']);
    const without = (ability: string) => new Set([...abilities].filter((a) => a !== ability));
    const editorAbilities = without('scenarios.delete');
    const editor: Principal = { ...owner, abilities: editorAbilities, roleAbilities: editorAbilities };
    expect(primaryOn(run([{ op: 'set_primary_placement', placement_id: id('pl-m1-p') }], undefined, editor).graph, TODAY).map((p) => p.orgUnitId)).toEqual([units.P]);
    const reader: Principal = { ...owner, abilities: without('scenarios.write'), roleAbilities: without('scenarios.write') };
    expect(() => run([{ op: 'set_primary_placement', placement_id: id('pl-m1-p') }], undefined, reader)).toThrow(MissingAbility);
  });
});
