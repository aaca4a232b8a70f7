import { describe, expect, it } from 'vitest';
import type { ImportPlan } from '../../src/imports/plan/plan.js';
import { REASONS } from '../../src/imports/reasons.js';
import { addDays } from '../../src/org/dates.js';
import { emptyGraph, type OrgGraph } from '../../src/org/types.js';
import { planRows } from './support.js';

/**
 * A person who stays may not report to a leaver: a manager the same file terminates (an end date on or before today,
 * an inactive status) or one the organisation has as ended is quarantined as `inactive_manager`, saying who left and
 * where that is written. A leaver's own row may name a manager who left too (that line is history); a manager who
 * leaves later, or who is rehired by the file, is accepted.
 */

const TODAY = '2026-11-29';
const HEADER = ['email', 'name', 'department', 'job_title', 'manager_email', 'end_date', 'status'];

function plan(rows: (string | null)[][], base: OrgGraph = emptyGraph()): Promise<ImportPlan> {
  return planRows(HEADER, rows, base, TODAY);
}

const outcomes = (p: ImportPlan) => [...p.rows.entries()].sort(([a], [b]) => a - b).map(([, r]) => (r.status === 'imported' ? r.outcome : r.reason.code));
const reasonOf = (p: ImportPlan, row: number) => {
  const r = p.rows.get(row);
  return r?.status === 'quarantined' ? r.reason : null;
};

describe('a manager who has left', () => {
  it('is refused for a report who stays when the same file terminates them (status or end date)', async () => {
    const result = await plan([
      ['ceo@acme.test', 'Ceo', 'Exec', 'CEO', '', '', 'Active'],
      ['gone@acme.test', 'Gone Manager', 'Sales', 'Head of Sales', 'ceo@acme.test', '', 'Terminated'],
      ['past@acme.test', 'Past Manager', 'Sales', 'Lead', 'ceo@acme.test', '2026-06-30', ''],
      ['rep1@acme.test', 'Rep One', 'Sales', 'Rep', 'gone@acme.test', '', 'Active'],
      ['rep2@acme.test', 'Rep Two', 'Sales', 'Rep', 'past@acme.test', '', ''],
    ]);
    expect(outcomes(result)).toEqual(['created', 'created', 'created', 'inactive_manager', 'inactive_manager']);
    expect(reasonOf(result, 4)).toEqual({ code: 'inactive_manager', field: 'manager_email', detail: `gone@acme.test is a leaver (row 2 of this file ends their employment: last day ${addDays(TODAY, -1)}), so cannot be the manager of someone who stays` });
    expect(reasonOf(result, 5)?.detail).toBe('past@acme.test is a leaver (row 3 of this file ends their employment: last day 2026-06-30), so cannot be the manager of someone who stays');
    expect(REASONS.inactive_manager.family).toBe('reportingLines');
    expect(result.families.reportingLines.quarantined).toBe(2);
  });

  it('is refused when the organisation has them as ended, and the file does not mention them', async () => {
    const first = await plan([
      ['ceo@acme.test', 'Ceo', 'Exec', 'CEO', '', '', ''],
      ['old@acme.test', 'Old Manager', 'Ops', 'Head of Ops', 'ceo@acme.test', '2026-03-31', ''],
    ]);
    expect(outcomes(first)).toEqual(['created', 'created']);
    const second = await plan([['new@acme.test', 'New Hire', 'Ops', 'Analyst', 'old@acme.test', '', 'Active']], first.changes.target());
    expect(outcomes(second)).toEqual(['inactive_manager']);
    expect(reasonOf(second, 1)?.detail).toBe('old@acme.test is a leaver (their last day in the organisation was 2026-03-31), so cannot be the manager of someone who stays');
  });

  it('is accepted for a leaver’s own row, when leaving later, or when the file rehires them', async () => {
    const first = await plan([
      ['ceo@acme.test', 'Ceo', 'Exec', 'CEO', '', '', ''],
      ['old@acme.test', 'Old Manager', 'Ops', 'Head of Ops', 'ceo@acme.test', '2026-03-31', ''],
    ]);
    const second = await plan(
      [
        ['later@acme.test', 'Leaving Later', 'Ops', 'Lead', 'ceo@acme.test', '2027-01-31', ''],
        ['a@acme.test', 'A', 'Ops', 'Analyst', 'later@acme.test', '', ''],
        ['b@acme.test', 'B', 'Ops', 'Analyst', 'old@acme.test', '2026-03-31', ''],
        ['c@acme.test', 'C', 'Ops', 'Analyst', 'old@acme.test', '', 'Terminated'],
      ],
      first.changes.target(),
    );
    expect(outcomes(second)).toEqual(['created', 'created', 'created', 'created']);
    const rehired = await plan(
      [
        ['old@acme.test', 'Old Manager', 'Ops', 'Head of Ops', 'ceo@acme.test', '', 'Active'],
        ['d@acme.test', 'D', 'Ops', 'Analyst', 'old@acme.test', '', ''],
      ],
      first.changes.target(),
    );
    expect(outcomes(rehired)).toEqual(['updated', 'created']);
  });
});
