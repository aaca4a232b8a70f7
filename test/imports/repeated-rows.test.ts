import { describe, expect, it } from 'vitest';
import type { ImportPlan } from '../../src/imports/plan/plan.js';
import { emptyGraph } from '../../src/org/types.js';
import { planRows } from './support.js';

/**
 * An export that lists someone twice, cell for cell (two exports pasted together, a report joined on a second table):
 * the repeat is the same person saying the same, so it follows its first row — imported as that person, changing
 * nothing — instead of both rows being quarantined as duplicates and everyone reporting to the person with them.
 * Two rows of one email that differ are still duplicates for a reviewer to settle.
 */

const TODAY = '2026-11-29';
const HEADER = ['email', 'name', 'department', 'job_title', 'manager_email', 'fte', 'notes'];
const plan = (rows: (string | null)[][]): Promise<ImportPlan> => planRows(HEADER, rows, emptyGraph(), TODAY);
const results = (p: ImportPlan) => [...p.rows.entries()].sort(([a], [b]) => a - b).map(([n, r]) => [n, r.status === 'imported' ? r.outcome : r.reason.code]);

describe('a row repeated cell for cell', () => {
  it('is imported as the person of its first row, and the people reporting to them are imported too', async () => {
    const p = await plan([
      ['ceo@x.test', 'Ada Lovelace', 'Executive', 'CEO', '', '1', ''],
      ['margaret@x.test', 'Margaret Hamilton', 'Sales', 'Head of Sales', 'ceo@x.test', '1', ''],
      ['margaret@x.test', 'Margaret Hamilton', 'Sales', 'Head of Sales ', 'ceo@x.test', '1', ''],
      ['barbara@x.test', 'Barbara Liskov', 'Sales', 'Sales Rep', 'margaret@x.test', '0,8', ''],
    ]);
    expect(results(p)).toEqual([[1, 'created'], [2, 'created'], [3, 'unchanged'], [4, 'created']]);
    const first = p.rows.get(2)!;
    expect(p.rows.get(3)).toEqual({ status: 'imported', outcome: 'unchanged', actorId: first.status === 'imported' ? first.actorId : 'none' });
    const org = p.changes.target();
    expect([...org.actors.values()].map((a) => a.email).sort()).toEqual(['barbara@x.test', 'ceo@x.test', 'margaret@x.test']);
    expect(p.families.actors).toMatchObject({ created: 3, quarantined: 0 });
  });

  it('follows a quarantined first row, saying which row to fix; rows that differ stay duplicates', async () => {
    const p = await plan([
      ['ann@x.test', 'Ann', 'Ops', 'Analyst', '', 'lots', ''],
      ['ann@x.test', 'Ann', 'Ops', 'Analyst', '', 'lots', ''],
      ['bob@x.test', 'Bob', 'Ops', 'Analyst', '', '1', ''],
      ['bob@x.test', 'Bob', 'Ops', 'Analyst', '', '1', 'moved to Sales'],
    ]);
    expect(results(p)).toEqual([[1, 'invalid_fte'], [2, 'invalid_fte'], [3, 'duplicate_email'], [4, 'duplicate_email']]);
    expect(p.rows.get(2)).toMatchObject({ reason: { field: 'fte', detail: 'repeats row 1 cell for cell, which is quarantined: fix that row and ignore this one' } });
    expect(p.rows.get(3)).toMatchObject({ reason: { detail: 'bob@x.test is also on row 4 of this run' } });
  });
});
