import { describe, expect, it } from 'vitest';
import { toProblem } from '../../src/api/problem.js';
import { InvalidInput } from '../../src/errors.js';
import { toolError, type ErrorScope } from '../../src/mcp/result.js';
import { opsNamedIn, refusalIn } from '../../src/scenarios/ops/refusals.js';
import { changeRunner } from '../support/change-runner.js';
import { fixtureIds } from '../support/fixture-org.js';

/**
 * The refusals surfaces act on carry a machine-readable reason in their details (src/scenarios/ops/refusals.ts): the
 * web tray's guidance reads these, not the English message, so a rewording of a message cannot break it. Each code is
 * pinned here, on the fixture organisation, without a database.
 */

const TODAY = '2026-06-01';
const LATER = '2027-01-01';
const SALT = 'refusals';
const { id, units } = fixtureIds(SALT);
const { refusal } = changeRunner({ salt: SALT, today: TODAY });

describe('a refused change says why in its details, not only in words', () => {
  it('no_such_record: the kind of record and the id that names none', () => {
    expect(refusal([{ op: 'set_manager', actor_id: 'nobody', manager_id: id('ceo') }]).details).toEqual({
      field: 'changes[0].actor_id',
      reason: 'no_such_record',
      kind: 'actor',
      missing: 'actor',
      id: 'nobody',
    });
  });

  it('not_active: an actor who has left, a unit or position that starts later, an ended placement — with the day', () => {
    expect(refusal([{ op: 'set_manager', actor_id: id('former'), manager_id: id('ceo') }]).details).toEqual({
      field: 'changes[0].actor_id',
      reason: 'not_active',
      kind: 'actor',
      id: id('former'),
      day: TODAY,
    });
    // A unit the batch creates from a later day, named by its ref: the id it was given.
    const later = refusal([
      { op: 'create_org_unit', type: 'team', name: 'Later', parent_id: units.E, date: LATER, ref: 'later' },
      { op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: '$later' },
    ]);
    expect(later.details).toEqual({ field: 'changes[1].org_unit_id', reason: 'not_active', kind: 'org_unit', id: 'new-0', day: TODAY });
    expect(refusal([{ op: 'add_actor', kind: 'human', display_name: 'Early', org_unit_id: units.F, position_id: id('pos_f_open'), date: '2026-02-01' }]).details).toEqual({
      field: 'changes[0].position_id',
      reason: 'not_active',
      kind: 'position',
      id: id('pos_f_open'),
      day: '2026-02-01',
    });
    expect(refusal([{ op: 'set_allocation', placement_id: id('pl-former'), allocation_pct: 50 }]).details).toEqual({
      field: 'changes[0].placement_id',
      reason: 'not_active',
      kind: 'placement',
      id: id('pl-former'),
      day: TODAY,
      ended_on: '2026-01-01',
    });
  });

  it('still_manages: the leaver’s reports (ids) and the day they still report from', () => {
    const refused = refusal([{ op: 'deactivate_actor', actor_id: id('eng_head'), date: LATER }]);
    expect(refused.details).toEqual({ field: 'changes[0].actor_id', reason: 'still_manages', reports: expect.any(Array), from: LATER });
    const why = refusalIn(refused);
    expect(why?.reason === 'still_manages' && [...why.reports].sort()).toEqual([id('p1'), id('p2'), id('m1')].sort());
    // A report moved away first no longer counts.
    const one = refusal([
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('ceo'), date: LATER },
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('ceo'), date: LATER },
      { op: 'deactivate_actor', actor_id: id('eng_head'), date: LATER },
    ]);
    expect(one.details).toMatchObject({ field: 'changes[2].actor_id', reason: 'still_manages', reports: [id('m1')], from: LATER });
    // A report with two lines to the leaver (now, and planned back from a later day) is one report, in words too.
    const back = refusal([
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('ceo'), date: '2026-09-01' },
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('eng_head'), date: LATER },
      { op: 'deactivate_actor', actor_id: id('eng_head') },
    ]);
    expect(back.details).toMatchObject({ reason: 'still_manages', reports: expect.arrayContaining([id('p1'), id('p2'), id('m1')]), from: TODAY });
    expect((back.details.reports as string[]).length).toBe(3);
    expect(back.reasonText).toMatch(/^still manages 3 active actors on or after /);
  });

  it('has_primary_placement: the primary placement there is, and move_placement to use instead', () => {
    expect(refusal([{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 50, is_primary: true }]).details).toEqual({
      field: 'changes[0].is_primary',
      reason: 'has_primary_placement',
      placement_id: id('pl-p2'),
      suggested_op: 'move_placement',
    });
  });

  it('unit_not_empty: the child units, placements and open positions still in a unit closed, all named at once', () => {
    expect(refusal([{ op: 'close_org_unit', org_unit_id: units.M }]).details).toEqual({
      field: 'changes[0].org_unit_id',
      reason: 'unit_not_empty',
      child_units: [],
      placements: [id('pl-m1')],
      positions: [id('pos_m_open')],
      from: TODAY,
      suggested_op: 'move_placement',
      alternative_op: 'move_org_unit',
    });
  });

  it('open_positions: the positions still budgeted in a unit closed, update_position to move them or close_position', () => {
    const refused = refusal([
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
      { op: 'close_org_unit', org_unit_id: units.M },
    ]);
    expect(refused.details).toEqual({
      field: 'changes[1].org_unit_id',
      reason: 'open_positions',
      positions: [id('pos_m_open')],
      from: TODAY,
      suggested_op: 'update_position',
      alternative_op: 'close_position',
    });
  });

  it('position_filled: the placements that fill a seat moved elsewhere, and move_placement to use first', () => {
    expect(refusal([{ op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.M }]).details).toEqual({
      field: 'changes[0].org_unit_id',
      reason: 'position_filled',
      position_id: id('pos_p1'),
      placements: [id('pl-p1')],
      from: TODAY,
      suggested_op: 'move_placement',
    });
  });

  it('required: the change whose field is missing', () => {
    expect(refusal([{ op: 'set_fte', actor_id: id('p1') }]).details).toEqual({ field: 'changes[0].fte', reason: 'required', op: 'set_fte' });
    expect(refusal([{ op: 'set_manager', actor_id: ' ' }]).details).toEqual({ field: 'changes[0].actor_id', reason: 'required', op: 'set_manager' });
  });

  it('undated_only: the change kept without history and the date given', () => {
    expect(refusal([{ op: 'set_fte', actor_id: id('p1'), fte: 0.8, date: LATER }]).details).toEqual({ field: 'changes[0].date', reason: 'undated_only', op: 'set_fte', date: LATER });
  });

  it('later_change_of_leaver: which earlier change of the batch, its op and its day', () => {
    const refused = refusal([
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: LATER },
      { op: 'deactivate_actor', actor_id: id('p1'), date: '2026-09-01' },
    ]);
    expect(refused.details).toEqual({ field: 'changes[1].date', reason: 'later_change_of_leaver', change: 0, later_op: 'set_manager', from: LATER });
  });

  it('name_taken: the sibling unit that has the name, its parent, and the change of the batch that creates it, if one does', () => {
    const existing = refusal([{ op: 'rename_org_unit', org_unit_id: units.M, name: ' platform ' }]);
    expect(existing.details).toEqual({ field: 'changes[0].name', reason: 'name_taken', kind: 'org_unit', id: units.P, parent_id: units.E });
    const staged = refusal([
      { op: 'create_org_unit', type: 'team', name: 'Data', parent_id: units.E },
      { op: 'create_org_unit', type: 'team', name: 'DATA', parent_id: units.E },
    ]);
    expect(staged.details).toEqual({ field: 'changes[1].name', reason: 'name_taken', kind: 'org_unit', id: 'new-0', parent_id: units.E, change: 0 });
    // An assistant is told what to do about that unit: by its id when it exists, by its change when the batch makes it.
    const fix = (error: InvalidInput) => (toolError(error, {} as ErrorScope).structuredContent as { error: { fix?: string } }).error.fix;
    expect(fix(existing)).toBe(`Give "changes[0].name" another name, or put a rename_org_unit (or close_org_unit) of "${units.P}" before changes[0] in the same batch, then plan again.`);
    expect(fix(staged)).toBe('Give "changes[1].name" another name, or change the name changes[0] gives its unit, then plan again.');
  });

  it('names the ops its message names (the tray renames them as its forms), and keeps the reason apart from the field', () => {
    const undated = refusal([{ op: 'set_fte', actor_id: id('p1'), fte: 0.8, date: LATER }]);
    expect(opsNamedIn(undated)).toEqual(['set_fte']);
    expect(undated.message).toBe(`Invalid changes[0].date: ${undated.reasonText}`);
    expect(undated.reasonText).toMatch(/^set_fte cannot take effect on a future date \(2027-01-01\): /);
    const leaver = refusal([
      { op: 'set_manager', actor_id: id('p1'), manager_id: id('sales_head'), date: LATER },
      { op: 'deactivate_actor', actor_id: id('p1'), date: '2026-09-01' },
    ]);
    expect(opsNamedIn(leaver)).toEqual(['set_manager']);
    const primary = refusal([{ op: 'add_placement', actor_id: id('p2'), org_unit_id: units.M, allocation_pct: 50, is_primary: true }]);
    expect(opsNamedIn(primary)).toEqual(['move_placement']);
    const positions = refusal([
      { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
      { op: 'close_org_unit', org_unit_id: units.M },
    ]);
    expect(opsNamedIn(positions)).toEqual(['update_position', 'close_position']);
    const filled = refusal([{ op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.M }]);
    expect(opsNamedIn(filled)).toEqual(['move_placement']);
    for (const error of [undated, leaver, primary, positions, filled]) for (const op of opsNamedIn(error)) expect(error.reasonText).toContain(op);
    // Without a reason, nothing is read from the words: "set_fte" in an unrelated message is not taken for a change.
    expect(opsNamedIn(new InvalidInput('changes[0].op', 'set_fte is not what you meant'))).toEqual([]);
  });
});

describe('the reason reaches REST and MCP callers as it is', () => {
  const refused = () => refusal([{ op: 'set_manager', actor_id: id('former'), manager_id: id('ceo') }]);

  it('in the problem details of a REST answer, beside field', () => {
    expect(toProblem(refused())).toMatchObject({ status: 400, code: 'invalid_input', field: 'changes[0].actor_id', reason: 'not_active', kind: 'actor', id: id('former'), day: TODAY });
  });

  it('in the structured error of an MCP isError result', () => {
    const result = toolError(refused(), {} as ErrorScope);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'invalid_input', field: 'changes[0].actor_id', reason: 'not_active', kind: 'actor', day: TODAY } });
  });
});
