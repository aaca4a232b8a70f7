import { describe, expect, it } from 'vitest';
import { stagedAbsence, stagedLeavers, withStagedLeavers, type Command } from '../../src/web/scenarios/tray-ops.js';
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
