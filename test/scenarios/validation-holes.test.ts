import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../src/api/problem.js';
import { InvalidInput } from '../../src/errors.js';
import { toolError, type ErrorScope } from '../../src/mcp/result.js';
import type { OrgGraph, Placement } from '../../src/org/types.js';
import type { ChangeCommand } from '../../src/scenarios/commands.js';
import { opsNamedIn } from '../../src/scenarios/ops/refusals.js';
import { changeRunner } from '../support/change-runner.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * Holes a planner would hit in the change commands, each closed in the engine (one place for the tray, REST, MCP and
 * the CLI): a placement moved into a unit where the actor is placed already (counted twice); a placement, position,
 * actor or unit put in or under a unit that closes later in the scenario; a reporting line to a manager who leaves
 * later; a seat filled over a filler planned for later, or past its closing; a placement added for someone who
 * leaves later runs until they leave. On the fixture organisation without a database, and over REST.
 *
 * Fixture: p2 has one primary placement in Platform (P); m1 is in Mobile (M, 60 %, primary) and Platform (P, 40 %);
 * f2 is in Field (F); pos_m_open is vacant in Mobile, pos_p1 filled by p1 in Platform.
 */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const SALT = 'validation-holes';
const { id, units } = fixtureIds(SALT);
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY, departmentTypes: ['dt'] });

const fix = (error: InvalidInput) => (toolError(error, {} as ErrorScope).structuredContent as { error: { fix?: string } }).error.fix;
const open = (graph: OrgGraph, actor: string, unit: string): Placement[] =>
  [...graph.placements.values()].filter((p) => p.actorId === actor && p.orgUnitId === unit && p.validTo === null);

describe('move_placement into a unit where the actor already has a placement', () => {
  it('is refused on org_unit_id, naming the placement there, the merge (set_allocation + end_placement) or moving it first', () => {
    const error = refusal([{ op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.M }]);
    expect(error.details).toEqual({
      field: 'changes[0].org_unit_id',
      reason: 'placed_in_unit_already',
      placement_id: id('pl-m1'),
      org_unit_id: units.M,
      from: TODAY,
      suggested_op: 'set_allocation',
      alternative_op: 'end_placement',
      op: 'move_placement',
      moved_placement_id: id('pl-m1-p'),
    });
    expect(error.reasonText).toContain(`placement ${id('pl-m1')}, 60 %`);
    expect(error.reasonText).toContain('combined allocation (set_allocation, 100 %)');
    expect(opsNamedIn(error)).toEqual(['move_placement', 'set_allocation', 'end_placement']);
    expect(fix(error)).toBe(
      `Instead of changes[0], give placement "${id('pl-m1')}" (already in that unit) the combined allocation with set_allocation and end placement ` +
        `"${id('pl-m1-p')}" with end_placement (make the one there primary first with set_primary_placement if the moved one is the primary), ` +
        `or put a move_placement or end_placement of "${id('pl-m1')}" before changes[0] in the same batch, then plan again.`,
    );
  });

  it('is refused for the primary moved onto a secondary there, dated later, and against one planned there from a later day', () => {
    const primary = refusal([{ op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.P, date: LATER }]);
    expect(primary.details).toMatchObject({ field: 'changes[0].org_unit_id', placement_id: id('pl-m1-p'), from: LATER });
    expect(primary.reasonText).toContain('after making the one there the primary placement');
    const planned = refusal([
      { op: 'move_placement', placement_id: id('pl-m1-p'), org_unit_id: units.F, date: LATER },
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.F },
    ]);
    expect(planned.details).toMatchObject({ field: 'changes[1].org_unit_id', reason: 'placed_in_unit_already' });
    expect(planned.reasonText).toContain(`from ${LATER}`);
  });

  it('is accepted once the one there has ended or moved away, up to the day it arrives, and for the same placement back', () => {
    const merged = run([
      { op: 'set_allocation', placement_id: id('pl-m1'), allocation_pct: 100 },
      { op: 'end_placement', placement_id: id('pl-m1-p') },
    ]).graph;
    expect(open(merged, id('m1'), units.P)).toEqual([]);
    const moved = run([
      { op: 'end_placement', placement_id: id('pl-m1-p') },
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.P },
    ]).graph;
    expect(open(moved, id('m1'), units.P).map((p) => [p.isPrimary, p.allocationPct])).toEqual([[true, 60]]);
    // Moved to Field until LATER, when it is planned to move on to Platform: the two never overlap.
    expect(() =>
      run([
        { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.F, date: LATER },
        { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M },
      ]),
    ).not.toThrow();
    // Back where it was, the same day: the move is undone, not refused against itself.
    expect(() =>
      run([
        { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M },
        { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.P },
      ]),
    ).not.toThrow();
  });
});

/** A new team under Engineering whose closing is planned for LATER, named "$lab". */
const closingTeam: ChangeCommand[] = [
  { op: 'create_org_unit', name: 'Lab', type: 'team', parent_id: units.E, ref: 'lab' },
  { op: 'close_org_unit', org_unit_id: '$lab', date: LATER },
];
const closingDepartment: ChangeCommand[] = [
  { op: 'create_org_unit', name: 'Lab', type: 'department', department_type_id: 'dt', parent_id: units.C, ref: 'lab' },
  { op: 'close_org_unit', org_unit_id: '$lab', date: LATER },
];

describe('what a change puts in or under an org unit that closes later in the scenario', () => {
  const cases: [string, ChangeCommand[], string][] = [
    ['add_placement', [...closingTeam, { op: 'add_placement', actor_id: id('p2'), org_unit_id: '$lab', allocation_pct: 10 }], 'org_unit_id'],
    ['move_placement', [...closingTeam, { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$lab' }], 'org_unit_id'],
    ['add_actor', [...closingTeam, { op: 'add_actor', kind: 'human', display_name: 'Zed', org_unit_id: '$lab' }], 'org_unit_id'],
    ['create_position', [...closingTeam, { op: 'create_position', org_unit_id: '$lab', title: 'Lab lead' }], 'org_unit_id'],
    ['create_org_unit', [...closingDepartment, { op: 'create_org_unit', name: 'Sub', type: 'team', parent_id: '$lab' }], 'parent_id'],
    ['move_org_unit', [...closingDepartment, { op: 'move_org_unit', org_unit_id: units.M, parent_id: '$lab' }], 'parent_id'],
  ];
  for (const [op, commands, field] of cases) {
    it(`${op} is refused on ${field} (ends_before), naming the unit and the day it closes`, () => {
      const error = refusal(commands);
      expect(error.details).toEqual({ field: `changes[2].${field}`, reason: 'ends_before', kind: 'org_unit', id: 'new-0', ends_on: LATER, day: TODAY });
      expect(error.reasonText).toMatch(/^“Lab” closes on 2027-01-01 \(its closing is planned in this scenario\), and the .* this change makes would run on from 2026-06-01 on, past its closing: choose an org unit that stays open$/);
    });
  }

  it('accepts what ends by then: a placement moved there until it moves on, a placement of someone who leaves first', () => {
    expect(() => run([...closingTeam, { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M, date: '2026-12-01' }, { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$lab' }])).not.toThrow();
    expect(() => run([...closingTeam.slice(0, 1), { op: 'deactivate_actor', actor_id: id('f2'), date: '2026-12-01' }, { op: 'close_org_unit', org_unit_id: '$lab', date: LATER }, { op: 'add_placement', actor_id: id('f2'), org_unit_id: '$lab', allocation_pct: 10 }])).not.toThrow();
  });

  it('tells an assistant to name a unit that stays open', () => {
    const error = refusal([...closingTeam, { op: 'add_placement', actor_id: id('p2'), org_unit_id: '$lab', allocation_pct: 10 }]);
    expect(fix(error)).toBe('The org unit "new-0" closes on 2027-01-01 in this scenario: name an org unit that stays open as "changes[2].org_unit_id" (`org.units.list` with this scenario_id), then plan again.');
    expect(toProblem(error)).toMatchObject({ status: 400, field: 'changes[2].org_unit_id', reason: 'ends_before', kind: 'org_unit', ends_on: LATER });
  });
});

describe('a reporting line to a manager who leaves later in the scenario', () => {
  const leaves: ChangeCommand = { op: 'deactivate_actor', actor_id: id('f2'), date: LATER };

  it('set_manager and add_actor are refused on manager_id (ends_before), with the way to keep them: a manager from the day they leave', () => {
    const error = refusal([leaves, { op: 'set_manager', actor_id: id('p2'), manager_id: id('f2') }]);
    expect(error.details).toEqual({ field: 'changes[1].manager_id', reason: 'ends_before', kind: 'actor', id: id('f2'), ends_on: LATER, day: TODAY });
    expect(error.reasonText).toContain('“f2” leaves on 2027-01-01 (their leaving is planned in this scenario)');
    expect(error.reasonText).toContain('first give the actor their manager from 2027-01-01 (a manager change dated 2027-01-01)');
    expect(fix(error)).toContain(`put a set_manager of the same actor_id to their manager from then (date "${LATER}") before changes[1]`);
    const hire = refusal([leaves, { op: 'add_actor', kind: 'human', display_name: 'Zed', org_unit_id: units.F, manager_id: id('f2') }]);
    expect(hire.details).toMatchObject({ field: 'changes[1].manager_id', reason: 'ends_before', kind: 'actor', id: id('f2') });
  });

  it('is accepted when the actor has another manager from that day, or leaves first themselves', () => {
    const { graph } = run([
      leaves,
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: LATER },
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('f2') },
    ]);
    const lines = [...graph.reportingLines.values()].filter((l) => l.actorId === id('p2')).map((l) => [l.managerId, l.validFrom, l.validTo]);
    expect(lines).toContainEqual([id('f2'), TODAY, LATER]);
    expect(lines).toContainEqual([id('ceo'), LATER, null]);
    const both = run([leaves, { op: 'deactivate_actor', actor_id: id('p2'), date: '2026-09-01' }, { op: 'set_manager', actor_id: id('p2'), manager_id: id('f2') }]);
    expect(both.edits.length).toBeGreaterThan(0);
  });
});

describe('a seat filled over its planned filler, or past its closing', () => {
  it('fill_position is refused for a seat someone is planned to fill from a later day, naming them', () => {
    const error = refusal([
      { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: units.M },
      { op: 'fill_position', actor_id: id('m1'), position_id: id('pos_m_open'), date: LATER },
      { op: 'fill_position', actor_id: id('p2'), position_id: id('pos_m_open') },
    ]);
    expect(error.field).toBe('changes[2].position_id');
    expect(error.reasonText).toMatch(/^is filled by “m1” from 2027-01-01 \(placement new-\d+, planned in this scenario\), and a position has one filler at a time/);
  });

  it('fill_position and add_placement are refused for a seat that closes later (ends_before)', () => {
    const closes: ChangeCommand = { op: 'close_position', position_id: id('pos_m_open'), date: LATER };
    const error = refusal([closes, { op: 'fill_position', actor_id: id('m1'), position_id: id('pos_m_open') }]);
    expect(error.details).toEqual({ field: 'changes[1].position_id', reason: 'ends_before', kind: 'position', id: id('pos_m_open'), ends_on: LATER, day: TODAY });
    expect(error.reasonText).toMatch(/^that position closes on 2027-01-01 \(its closing is planned in this scenario\)/);
    expect(refusal([closes, { op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, position_id: id('pos_m_open'), allocation_pct: 20 }]).details).toMatchObject({ reason: 'ends_before', kind: 'position' });
    // Someone who fills it until the day it closes is fine.
    expect(() => run([closes, { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E, date: LATER }, { op: 'fill_position', actor_id: id('m1'), position_id: id('pos_m_open') }])).not.toThrow();
  });
});

describe('add_placement for someone who leaves later in the scenario', () => {
  it('runs until they leave, as their other placements do, rather than on after them', () => {
    const { graph } = run([
      { op: 'deactivate_actor', actor_id: id('f2'), date: LATER },
      { op: 'add_placement', actor_id: id('f2'), org_unit_id: units.P, allocation_pct: 10 },
    ]);
    const added = [...graph.placements.values()].filter((p) => p.actorId === id('f2') && p.orgUnitId === units.P);
    expect(added.map((p) => [p.validFrom, p.validTo])).toEqual([[TODAY, LATER]]);
  });
});

describe('over REST', () => {
  let site: FixtureSite;
  let token: string;
  const REST_SALT = 'validation-holes-rest';
  const rest = fixtureIds(REST_SALT);

  beforeAll(async () => {
    site = await fixtureSite({ slug: 'valholes', salt: REST_SALT });
    token = await site.token('owner');
  });
  afterAll(() => site?.database.close());

  it('a move into a unit where the actor is placed already is a 400 problem naming the field, the reason and the placement there; nothing saved', async () => {
    const post = (path: string, json: unknown) => site.api(path, { token, method: 'POST', json });
    const sid: string = (await post('/api/v1/scenarios', { name: 'Fold Platform share into Mobile' })).body.data.id;
    const response = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'move_placement', placement_id: rest.id('pl-m1-p'), org_unit_id: rest.units.M }] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      field: 'changes[0].org_unit_id',
      reason: 'placed_in_unit_already',
      placement_id: rest.id('pl-m1'),
      moved_placement_id: rest.id('pl-m1-p'),
      op: 'move_placement',
    });
    expect(response.body.detail).toContain('would count them twice');
    const changes = await site.api(`/api/v1/scenarios/${sid}/changes`, { token });
    expect(changes.body.data).toEqual([]);
  });
});
