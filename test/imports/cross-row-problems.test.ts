import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import type { ImportPlan } from '../../src/imports/plan/plan.js';
import { fixRow, listRows } from '../../src/imports/review.js';
import { reprocessRun } from '../../src/imports/runs.js';
import { emptyGraph } from '../../src/org/types.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant, planRows } from './support.js';

/**
 * Problems that depend on other rows (a shared email, a manager who is not there or has left, a reporting loop) are
 * found in the same run as a row's own cell problems, and on rows already quarantined for something else: each
 * affected row is quarantined with its first problem as the reason and the further ones in `reason.others`, so a
 * reviewer fixes everything in one round instead of learning of the next problem on each reprocess.
 */

const TODAY = '2026-11-29';
const HEADER = ['email', 'name', 'department', 'manager_email', 'fte', 'status', 'source_hris', 'source_hris_id'];

const problems = (p: ImportPlan, row: number): string[] => {
  const r = p.rows.get(row);
  return r?.status === 'quarantined' ? [r.reason.code, ...(r.reason.others ?? []).map((o) => o.code)] : [r?.status ?? 'missing'];
};

describe('cross-row problems in one run', () => {
  it('says a row with a bad cell also shares its email with another row', async () => {
    const p = await planRows(HEADER, [
      ['ann@cross.test', 'Ann', 'Ops', '', '9', '', '', ''],
      ['ann@cross.test', 'Ann Again', 'Ops', '', '1', '', '', ''],
    ], emptyGraph(), TODAY);
    expect(problems(p, 1)).toEqual(['invalid_fte', 'duplicate_email']);
    expect(problems(p, 2)).toEqual(['duplicate_email']);
    const others = p.rows.get(1)!.status === 'quarantined' ? (p.rows.get(1) as any).reason.others : [];
    expect(others[0]).toMatchObject({ code: 'duplicate_email', field: 'email', detail: 'ann@cross.test is also on row 2 of this run' });
  });

  it('says a new person’s missing name and missing department together, on a row otherwise fine and on one with a bad cell', async () => {
    const p = await planRows(HEADER, [
      ['nn@cross.test', '', '', '', '', '', '', ''],
      ['nf@cross.test', '', '', '', '9', '', '', ''],
      ['nd@cross.test', 'Dee', '', '', '', '', '', ''],
    ], emptyGraph(), TODAY);
    const row1 = p.rows.get(1) as Extract<ReturnType<typeof p.rows.get>, { status: 'quarantined' }>;
    expect([row1.reason, ...(row1.reason.others ?? [])].map(({ code, field, detail }) => ({ code, field, detail }))).toEqual([
      { code: 'missing_required_field', field: 'name', detail: 'is required for a new person' },
      { code: 'missing_required_field', field: 'department', detail: 'is required for a new person' },
    ]);
    expect(problems(p, 2)).toEqual(['invalid_fte', 'missing_required_field', 'missing_required_field']);
    expect(problems(p, 3)).toEqual(['missing_required_field']);
  });

  it('says every duplicate identity of a row, and a duplicate row’s unknown manager', async () => {
    const p = await planRows(HEADER, [
      ['bo@cross.test', 'Bo', 'Ops', 'nobody@cross.test', '', '', 'workday', 'W1'],
      ['bo@cross.test', 'Bo Too', 'Ops', '', '', '', 'workday', 'W1'],
    ], emptyGraph(), TODAY);
    expect(problems(p, 1)).toEqual(['duplicate_source_identity', 'duplicate_email', 'unknown_manager']);
    expect(problems(p, 2)).toEqual(['duplicate_source_identity', 'duplicate_email']);
  });

  it('finds a reporting loop that runs through a row quarantined for something else', async () => {
    const p = await planRows(HEADER, [
      ['a@cross.test', 'A', 'Ops', 'b@cross.test', 'lots', '', '', ''],
      ['b@cross.test', 'B', 'Ops', 'c@cross.test', '', '', '', ''],
      ['c@cross.test', 'C', 'Ops', 'a@cross.test', '', '', '', ''],
      ['d@cross.test', 'D', 'Ops', 'c@cross.test', '', '', '', ''],
    ], emptyGraph(), TODAY);
    expect(problems(p, 1)).toEqual(['invalid_fte', 'reporting_cycle']);
    expect(problems(p, 2)).toEqual(['reporting_cycle']);
    expect(problems(p, 3)).toEqual(['reporting_cycle']);
    const c = p.rows.get(3) as Extract<ImportPlan['rows'] extends Map<number, infer R> ? R : never, { status: 'quarantined' }>;
    expect(c.reason.detail).toBe('would close a reporting loop: c@cross.test → a@cross.test → b@cross.test → c@cross.test');
    // D is outside the loop: it waits for its manager's row.
    expect(problems(p, 4)).toEqual(['unknown_manager']);
  });

  it('says a report’s manager has left when the manager’s own row is quarantined for something else', async () => {
    const p = await planRows(HEADER, [
      ['boss@cross.test', 'Boss', 'Ops', '', 'x', 'inactive', '', ''],
      ['rep@cross.test', 'Rep', 'Ops', 'boss@cross.test', '', '', '', ''],
    ], emptyGraph(), TODAY);
    expect(problems(p, 1)).toEqual(['invalid_fte']);
    expect(problems(p, 2)).toEqual(['inactive_manager']);
    expect((p.rows.get(2) as any).reason.detail).toContain('row 1 of this file ends their employment');
  });

  it('says a row with a bad cell also names a team several teams share, without saying which', async () => {
    const header = ['email', 'name', 'department', 'team', 'fte', 'department_type'];
    const first = await planRows(header, [
      ['a@cross.test', 'A', 'Ops', 'Pod', '1', ''],
      ['b@cross.test', 'B', 'Sales', 'Pod', '1', ''],
    ], emptyGraph(), TODAY);
    const p = await planRows(header, [
      ['c@cross.test', 'C', '', 'Pod', 'lots', ''],
      ['d@cross.test', 'D', 'Labs', 'Pod', '1', 'Skunkworks'],
    ], first.changes.target(), TODAY);
    expect(problems(p, 1)).toEqual(['invalid_fte', 'ambiguous_team']);
    // A department that did not read (its type is unknown) is no team named without its department.
    expect(problems(p, 2)).toEqual(['unknown_department_type']);
  });

  it('still says a report follows when its manager’s row has only problems of its own', async () => {
    const p = await planRows(HEADER, [
      ['lead@cross.test', 'Lead', 'Ops', '', 'x', '', '', ''],
      ['rep@cross.test', 'Rep', 'Ops', 'lead@cross.test', '', '', '', ''],
    ], emptyGraph(), TODAY);
    expect(problems(p, 2)).toEqual(['unknown_manager']);
    expect((p.rows.get(2) as any).reason.detail).toBe('lead@cross.test is on row 1, which is quarantined (invalid_fte): fix that row, and this one follows when reprocessed');
  });
});

describe('one review round', () => {
  let database: Database;
  let owner: ServiceContext;
  beforeAll(async () => {
    database = await testDatabase();
    ({ owner } = await importTenant(database, { slug: 'cross' }));
  });
  afterAll(() => database?.close());

  it('stores every problem of each row, and fixing what the review showed imports them all on the first reprocess', async () => {
    const run = await importFile(owner, csvOf(HEADER, [
      ['ann@cross.test', 'Ann', 'Ops', '', '9', '', '', ''],
      ['ann@cross.test', 'Ann Again', 'Ops', '', '1', '', '', ''],
      ['a@cross.test', 'A', 'Ops', 'b@cross.test', 'lots', '', '', ''],
      ['b@cross.test', 'B', 'Ops', 'a@cross.test', '', '', '', ''],
    ]));
    const rows = (await listRows(owner, run.id, { quarantined: true })).items;
    expect(rows.map((r) => [r.row_number, r.reason!.code, r.reason!.others.map((o) => o.code)])).toEqual([
      [1, 'invalid_fte', ['duplicate_email']],
      [2, 'duplicate_email', []],
      [3, 'invalid_fte', ['reporting_cycle']],
      [4, 'reporting_cycle', []],
    ]);
    // How to merge duplicates with what the review offers: ignore one row, queue the other.
    expect(rows[1]!.reason!.fix).toContain('In the review, ignore the others and queue the one to keep (“Save fix and queue”, changed or not)');
    // What the review said: row 1 is Cat (another person), its FTE 0.9; A's FTE 1 and no manager.
    await fixRow(owner, run.id, 1, { email: 'cat@cross.test', fte: '0.9' });
    await fixRow(owner, run.id, 2, {});
    await fixRow(owner, run.id, 3, { fte: '1', manager_email: '' });
    await fixRow(owner, run.id, 4, {});
    await (await reprocessRun(owner, run.id)).done;
    const after = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(after.map((r) => [r.row_number, r.status, r.resolution])).toEqual([
      [1, 'imported', 'fixed'],
      [2, 'imported', 'fixed'],
      [3, 'imported', 'fixed'],
      [4, 'imported', 'fixed'],
    ]);
  });

  it('refuses a fixed row that reaches the person another row of the run imported through another identity, naming that row', async () => {
    await importFile(owner, csvOf(HEADER, [['zoe@cross.test', 'Zoe', 'Ops', '', '1', '', 'workday', 'W-9']]));
    // Row 1 finds Zoe by her HRIS id, row 2 (a bad FTE) by her email: one person claimed twice.
    const run = await importFile(owner, csvOf(HEADER, [
      ['', 'Zoe From HRIS', 'Ops', '', '1', '', 'workday', 'W-9'],
      ['zoe@cross.test', 'Zoe From Email', 'Ops', '', 'lots', '', '', ''],
    ]));
    const rows = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(rows.map((r) => [r.row_number, r.status])).toEqual([[1, 'imported'], [2, 'quarantined']]);
    expect(rows[1]!.reason!.others).toContainEqual(expect.objectContaining({ code: 'identity_conflict', field: 'email', detail: 'zoe@cross.test finds the same person as row 1 of this run (by another identity): one person, one row' }));
    await fixRow(owner, run.id, 2, { fte: '1' });
    await (await reprocessRun(owner, run.id)).done;
    const after = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(after.map((r) => [r.row_number, r.status])).toEqual([[1, 'imported'], [2, 'quarantined']]);
    expect(after[1]!.reason).toMatchObject({ code: 'identity_conflict', field: 'email', detail: 'zoe@cross.test finds the person row 1 of this run already imported (by another identity): one person, one row' });
    const zoe = [...(await owner.graphs.live(owner.tenant.id)).graph.actors.values()].filter((a) => a.sourceHrisId === 'W-9' || a.email === 'zoe@cross.test');
    expect(zoe.map((a) => a.displayName)).toEqual(['Zoe From HRIS']);
  });

  it('names the row of an earlier step a fixed row duplicates, for each identity it repeats', async () => {
    const header = [...HEADER, 'employee_id'];
    const run = await importFile(owner, csvOf(header, [
      ['eve@cross.test', 'Eve', 'Ops', '', '1', '', 'workday', 'W-20', 'E-20'],
      ['amy@cross.test', 'Amy', 'Ops', '', '1', '', 'workday', 'W-21', 'E-21'],
      ['bob@cross.test', 'Bob', 'Ops', '', 'lots', '', 'workday', 'W-22', 'E-22'],
    ]));
    // The fix makes row 3 a copy of Amy's row: each identity names row 2, which the first step imported.
    await fixRow(owner, run.id, 3, { email: 'amy@cross.test', fte: '1', source_hris_id: 'W-21', employee_id: 'E-21' });
    await (await reprocessRun(owner, run.id)).done;
    const row = (await listRows(owner, run.id, { limit: 10 })).items[2]!;
    expect(row.status).toBe('quarantined');
    expect([row.reason, ...(row.reason!.others ?? [])].map((p) => [p!.code, p!.field, p!.detail])).toEqual([
      ['duplicate_source_identity', 'employee_id', 'employee id “E-21” is also on row 2, which this run already imported'],
      ['duplicate_source_identity', 'source_hris_id', 'workday id “W-21” is also on row 2, which this run already imported'],
      ['duplicate_email', 'email', 'amy@cross.test is also on row 2, which this run already imported'],
    ]);
  });
});
