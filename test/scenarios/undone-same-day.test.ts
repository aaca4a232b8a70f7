import { describe, expect, it } from 'vitest';
import { inEffect } from '../../src/org/dates.js';
import type { OrgGraph } from '../../src/org/types.js';
import { changeRunner } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A change undone on the day it takes effect — in the same batch or a later one — leaves the scenario as if it had
 * never been made: no vacancy, no pay record, nothing in the delta. (The placement and manager cases are in
 * same-day-changes.test.ts; these are the seat a placement fills and the pay.)
 *
 * Fixture: p1's primary placement (pl-p1, Platform) fills the seat pos_p1 budgeted in Platform; p1 is paid 100,000.00
 * EUR a year from 2024-01-01 (comp-p1).
 */

const TODAY = '2026-06-01';
const DAY = '2026-09-01';
const SALT = 'undone-same-day';
const { id, units } = fixtureIds(SALT);
const { run } = changeRunner({ salt: SALT, today: TODAY });
const fixture = buildFixtureOrg(SALT);
const seatFilled = (graph: OrgGraph, day: string) => [...graph.placements.values()].some((p) => p.positionId === id('pos_p1') && inEffect(p, day));

describe('a placement moved out of its seat’s unit and back on the same day', () => {
  it('in one batch: it fills its seat again, whole as before — no vacancy left behind', () => {
    const moves = [
      { op: 'move_placement' as const, placement_id: id('pl-p1'), org_unit_id: units.M, date: DAY },
      { op: 'move_placement' as const, placement_id: id('pl-p1'), org_unit_id: units.P, date: DAY },
    ];
    const { graph, created } = run(moves);
    expect(seatFilled(graph, DAY)).toBe(true);
    expect(graph.placements.get(id('pl-p1'))).toEqual(fixture.placements.get(id('pl-p1')));
    expect(graph.placements.size).toBe(fixture.placements.size);
    expect(created).toEqual([]);
  });

  it('across batches: the same', () => {
    const first = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: DAY }]).graph;
    expect(seatFilled(first, DAY)).toBe(false);
    const { graph } = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.P, date: DAY }], first, undefined, 'later');
    expect(seatFilled(graph, DAY)).toBe(true);
    expect(graph.placements.get(id('pl-p1'))).toEqual(fixture.placements.get(id('pl-p1')));
    expect(graph.placements.size).toBe(fixture.placements.size);
  });

  it('not when someone else took the seat in between: the mover comes back without it', () => {
    const first = run([
      { op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.M, date: DAY },
      { op: 'fill_position', position_id: id('pos_p1'), actor_id: id('p2'), date: DAY },
    ]).graph;
    const { graph } = run([{ op: 'move_placement', placement_id: id('pl-p1'), org_unit_id: units.P, date: DAY }], first, undefined, 'later');
    const inSeat = [...graph.placements.values()].filter((p) => p.positionId === id('pos_p1') && inEffect(p, DAY)).map((p) => p.actorId);
    expect(inSeat).toEqual([id('p2')]);
  });
});

describe('pay changed and changed back on the same day', () => {
  it('across batches: the pay record is whole again and no new one is left', () => {
    const raise = { op: 'set_compensation' as const, actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR', date: DAY };
    const first = run([raise]).graph;
    const { graph } = run([{ ...raise, amount_minor: 10_000_000 }], first, undefined, 'later');
    expect([...graph.compensations.values()].filter((c) => c.actorId === id('p1'))).toEqual([fixture.compensations.get(id('comp-p1'))]);
  });

  it('in one batch: the same', () => {
    const raise = { op: 'set_compensation' as const, actor_id: id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR', date: DAY };
    const { graph, created } = run([raise, { ...raise, amount_minor: 10_000_000 }]);
    expect([...graph.compensations.values()].filter((c) => c.actorId === id('p1'))).toEqual([fixture.compensations.get(id('comp-p1'))]);
    expect(created).toEqual([]);
  });
});
