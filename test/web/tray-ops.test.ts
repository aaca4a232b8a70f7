import { describe, expect, it } from 'vitest';
import { Conflict, InvalidInput } from '../../src/errors.js';
import { leaverReportsReason, reasonOf, stagedAbsence, stagedLeavers, withStagedLeavers, type Command } from '../../src/web/scenarios/tray-ops.js';
import type { Names } from '../../src/web/live/context.js';

/** The change tray's reading of its staged list, without a page (the pages are tested in scenario-review and tray-*). */

const names = { actor: (id: string | null | undefined) => (id === 'a1' ? 'Ada' : String(id)) } as unknown as Names;

describe('a staged deactivation', () => {
  const staged: Command[] = [
    { op: 'set_manager', actor_id: 'a2', manager_id: 'a3' },
    { op: 'deactivate_actor', actor_id: 'a1 ', date: '2030-06-01' },
    { op: 'deactivate_actor', actor_id: 'a4' },
  ];

  it('gives each leaver one day — an undated one the day it is staged on — read alike by the refusal and by the actor choices', () => {
    expect([...stagedLeavers(staged, '2026-01-01')]).toEqual([
      ['a1', { day: '2030-06-01', index: 1 }],
      ['a4', { day: '2026-01-01', index: 2 }],
    ]);
    const choices = withStagedLeavers([{ value: 'a1', label: 'Ada' }, { value: 'a2', label: 'Bo' }], staged, '2026-01-01');
    expect(choices.map((o) => o.label)).toEqual(['Ada (deactivated in this tray from 2030-06-01)', 'Bo']);
    expect(stagedAbsence('a1', '2030-06-01', staged, names, '2026-01-01')).toBe(
      'Ada is deactivated in this tray from 2030-06-01 (change 2): remove that staged deactivation, or date this change before 2030-06-01.',
    );
    expect(stagedAbsence('a1', '2030-05-31', staged, names, '2026-01-01')).toBeNull();
  });

  it('of someone deactivated twice in the tray counts from the earlier day, in the choices as in the refusal', () => {
    const twice: Command[] = [...staged, { op: 'deactivate_actor', actor_id: 'a1', date: '2030-02-01' }];
    expect(withStagedLeavers([{ value: 'a1', label: 'Ada' }], twice)[0]!.label).toBe('Ada (deactivated in this tray from 2030-02-01)');
    expect(stagedAbsence('a1', '2030-03-01', twice, names)).toContain('from 2030-02-01 (change 4)');
  });
});

describe('a refusal of the service, said on this page', () => {
  it('reads the changes it names from its details, whatever its words: named as the tray’s forms are', () => {
    const reworded = new InvalidInput('changes[0].is_primary', 'a second primary is not possible; try move_placement', {
      reason: 'has_primary_placement',
      placement_id: 'pl1',
      suggested_op: 'move_placement',
    });
    expect(reasonOf(reworded)).toBe('a second primary is not possible; try “Move a placement to another unit”');
    // An op's name in words its details do not give is not taken for a change; an error with no field keeps its message.
    expect(reasonOf(new InvalidInput('changes[0].name', 'move_placement is only a name here'))).toBe('move_placement is only a name here');
    expect(reasonOf(new Conflict('Live changed while this ran; nothing was applied.'))).toBe('Live changed while this ran; nothing was applied.');
  });

  it('says a leaver still manages their reports from its details, not its words', () => {
    const reworded = new InvalidInput('changes[0].actor_id', 'has direct reports', { reason: 'still_manages', reports: ['a2', 'a3'], from: '2030-01-01' });
    expect(leaverReportsReason(reworded, 'Ada')).toBe('Ada still manages 2 active actors on or after 2030-01-01 — choose here who they move to (one change each in the tray).');
    const wordsOnly = new InvalidInput('changes[0].actor_id', 'still manages 2 active actors on or after 2030-01-01; give them another manager first');
    expect(leaverReportsReason(wordsOnly, 'Ada')).toBeNull();
  });
});
