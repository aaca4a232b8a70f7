import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { fixRow, listRows } from '../../src/imports/review.js';
import { reprocessRun } from '../../src/imports/runs.js';
import { listScenarios } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant } from './support.js';

/**
 * What a finished run tells its user (reference/import-workflow-and-runs.md: "counts"; docs/IMPORTS.md "the summary"):
 * records created / updated / unchanged per model family — an existing department or team the rows place people in
 * is counted unchanged, not left out — and a snapshot described by the file and when it was uploaded.
 */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database, { slug: 'runsummary' }));
});
afterAll(() => database?.close());

const HEADER = ['email', 'first_name', 'last_name', 'department', 'team', 'job_title', 'manager_email'];
const ANN = ['ann@sum.test', 'Ann', 'Lee', 'Engineering', 'Platform', 'CTO', ''];
const families = (run: { summary: unknown }) => (run.summary as { families: Record<string, { created: number; updated: number; unchanged: number; quarantined: number }> }).families;

describe('a run’s summary per family', () => {
  it('counts the existing department and team that rows place people in as unchanged', async () => {
    const first = await importFile(owner, csvOf(HEADER, [ANN]));
    expect(first.status).toBe('completed');
    expect(families(first)).toMatchObject({
      orgUnits: { created: 3, updated: 0, unchanged: 0 }, // the company, Engineering, Platform
      departments: { created: 1, updated: 0, unchanged: 0 },
      teams: { created: 1, updated: 0, unchanged: 0 },
      actors: { created: 1, updated: 0, unchanged: 0 },
    });

    // Ann again as she is, and Bob placed into the team that exists now.
    const second = await importFile(owner, csvOf(HEADER, [ANN, ['bob@sum.test', 'Bob', 'Ray', 'Engineering', 'Platform', 'Engineer', 'ann@sum.test']]));
    expect(second.status).toBe('completed');
    expect(families(second)).toEqual({
      orgUnits: { created: 0, updated: 0, unchanged: 2, quarantined: 0 },
      departments: { created: 0, updated: 0, unchanged: 1, quarantined: 0 },
      teams: { created: 0, updated: 0, unchanged: 1, quarantined: 0 },
      actors: { created: 1, updated: 0, unchanged: 1, quarantined: 0 },
      reportingLines: { created: 1, updated: 0, unchanged: 0, quarantined: 0 },
      placements: { created: 1, updated: 0, unchanged: 1, quarantined: 0 },
      positions: { created: 1, updated: 0, unchanged: 1, quarantined: 0 },
      compensations: { created: 0, updated: 0, unchanged: 0, quarantined: 0 },
    });
  });

  it('counts a team named without its department as unchanged too', async () => {
    const run = await importFile(owner, csvOf(['email', 'name', 'team', 'job_title', 'manager_email'], [['cat@sum.test', 'Cat Day', 'Platform', 'Engineer', 'ann@sum.test']]));
    expect(run.status).toBe('completed');
    expect(families(run)).toMatchObject({ teams: { created: 0, updated: 0, unchanged: 1 }, orgUnits: { created: 0, updated: 0, unchanged: 1 }, actors: { created: 1 } });
  });

  it('counts an existing parent department of a new one as unchanged', async () => {
    const run = await importFile(owner, csvOf(['email', 'name', 'department', 'parent_department', 'job_title'], [['dee@sum.test', 'Dee Ho', 'Data', 'Engineering', 'Analyst']]));
    expect(run.status).toBe('completed');
    expect(families(run)).toMatchObject({ departments: { created: 1, updated: 0, unchanged: 1 }, orgUnits: { created: 1, updated: 0, unchanged: 1 } });
  });

  it('counts pay given again as it is as unchanged, and a raise as a new record', async () => {
    const header = ['email', 'name', 'department', 'job_title', 'base_salary', 'currency'];
    const file = (pay: string) => csvOf(header, [['fay@sum.test', 'Fay Lin', 'Engineering', 'Engineer', pay, 'EUR']]);
    expect(families(await importFile(owner, file('90000')))).toMatchObject({ compensations: { created: 1, updated: 0, unchanged: 0 } });
    expect(families(await importFile(owner, file('90000')))).toMatchObject({ compensations: { created: 0, updated: 0, unchanged: 1 }, departments: { unchanged: 1 }, actors: { unchanged: 1 } });
    expect(families(await importFile(owner, file('95000')))).toMatchObject({ compensations: { created: 1, updated: 1, unchanged: 0 }, actors: { unchanged: 1 } });
  });
});

describe('a reprocessed run’s totals', () => {
  it('count what each step went through once: the fixed row’s unchanged records are added, units both steps saw are not counted twice', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-reprocess' });
    const header = ['email', 'first_name', 'last_name', 'department', 'team', 'job_title', 'fte'];
    const people = [
      ['gus@re.test', 'Gus', 'Hay', 'Sales', 'Field', 'Seller', '1'],
      ['hal@re.test', 'Hal', 'Ng', 'Sales', 'Field', 'Seller', '1'],
      ['ida@re.test', 'Ida', 'Orr', 'Sales', 'Inside', 'Seller', '1'],
    ];
    expect((await importFile(ctx, csvOf(header, people))).status).toBe('completed');

    // The same people again, Ida's FTE mistyped: Gus and Hal are unchanged, Ida waits in quarantine.
    const first = await importFile(ctx, csvOf(header, [people[0]!, people[1]!, [...people[2]!.slice(0, 6), 'full']]));
    expect(first.summary).toMatchObject({ rows: { imported: 2, unchanged: 2, quarantined: 1 } });
    expect(families(first)).toMatchObject({ actors: { unchanged: 2 }, teams: { unchanged: 1 }, departments: { unchanged: 1 } });

    const [ida] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, ida!.row_number, { fte: '1' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run).toMatchObject({ status: 'completed', step: 2 });
    // Every row is unchanged, and so is every record the run went through — each counted once.
    expect(run.summary).toMatchObject({ rows: { imported: 3, created: 0, updated: 0, unchanged: 3, quarantined: 0 } });
    expect(families(run)).toEqual({
      orgUnits: { created: 0, updated: 0, unchanged: 3, quarantined: 0 }, // Sales, Field (both steps' rows), Inside (the fixed row's)
      departments: { created: 0, updated: 0, unchanged: 1, quarantined: 0 },
      teams: { created: 0, updated: 0, unchanged: 2, quarantined: 0 },
      actors: { created: 0, updated: 0, unchanged: 3, quarantined: 0 },
      reportingLines: { created: 0, updated: 0, unchanged: 0, quarantined: 0 },
      placements: { created: 0, updated: 0, unchanged: 3, quarantined: 0 },
      positions: { created: 0, updated: 0, unchanged: 3, quarantined: 0 },
      compensations: { created: 0, updated: 0, unchanged: 0, quarantined: 0 },
    });
  });
  it('do not count a unit the run created as unchanged when a reprocessed row is placed in it', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-reprocess-new' });
    const header = ['email', 'name', 'department', 'team', 'job_title', 'manager_email'];
    const first = await importFile(ctx, csvOf(header, [['kim@re.test', 'Kim Lo', 'Ops', 'Desk', 'Lead', ''], ['lou@re.test', 'Lou Ma', 'Ops', 'Desk', 'Agent', 'kym@re.test']]));
    expect(first.summary).toMatchObject({ rows: { imported: 1, quarantined: 1 } });
    expect(families(first)).toMatchObject({ teams: { created: 1, unchanged: 0 }, departments: { created: 1, unchanged: 0 }, actors: { created: 1 } });
    const [lou] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, lou!.row_number, { manager_email: 'kim@re.test' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run.summary).toMatchObject({ rows: { imported: 2, created: 2, quarantined: 0 } });
    expect(families(run)).toMatchObject({
      orgUnits: { created: 3, updated: 0, unchanged: 0 }, // the company, Ops, Desk — all made by the first step
      departments: { created: 1, updated: 0, unchanged: 0 },
      teams: { created: 1, updated: 0, unchanged: 0 },
      actors: { created: 2, updated: 0, unchanged: 0, quarantined: 0 },
      reportingLines: { created: 1 },
    });
  });
});

describe('a unit a reprocessed row changes', () => {
  const header = ['email', 'name', 'department', 'cost_center', 'job_title', 'manager_email'];

  it('moves from unchanged to updated when an earlier step went through it as it was', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-move' });
    expect((await importFile(ctx, csvOf(header, [['max@mv.test', 'Max Po', 'Sales', '', 'Lead', '']]))).status).toBe('completed');
    // Nia's row goes through Sales as it is; Oz's row (a manager nobody has) gives Sales a cost center once fixed.
    const first = await importFile(ctx, csvOf(header, [['nia@mv.test', 'Nia Qu', 'Sales', '', 'Seller', 'max@mv.test'], ['oz@mv.test', 'Oz Ra', 'Sales', 'CC-7', 'Seller', 'nobody@mv.test']]));
    expect(families(first)).toMatchObject({ departments: { created: 0, updated: 0, unchanged: 1 } });
    const [oz] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, oz!.row_number, { manager_email: 'max@mv.test' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run.status).toBe('completed');
    // One department, changed by the run: updated once, no longer unchanged.
    expect(families(run)).toMatchObject({ departments: { created: 0, updated: 1, unchanged: 0 }, actors: { created: 2, updated: 0, unchanged: 0 } });
  });

  it('stays created when the run created it in an earlier step', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-created' });
    const first = await importFile(ctx, csvOf(header, [['pia@mv.test', 'Pia Su', 'Legal', '', 'Counsel', ''], ['raj@mv.test', 'Raj Tu', 'Legal', 'CC-9', 'Paralegal', 'nobody@mv.test']]));
    expect(families(first)).toMatchObject({ departments: { created: 1, updated: 0, unchanged: 0 } });
    const [raj] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, raj!.row_number, { manager_email: 'pia@mv.test' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run.status).toBe('completed');
    expect(families(run)).toMatchObject({ departments: { created: 1, updated: 0, unchanged: 0 }, orgUnits: { created: 2, updated: 0, unchanged: 0 } });
    // What the run keeps to tell later steps apart is its own: the API shows the counts, not record ids.
    expect(Object.keys(run.summary as object)).not.toContain('changed_units');
  });

  it('is updated once when two steps change it', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-twice' });
    expect((await importFile(ctx, csvOf(header, [['sam@mv.test', 'Sam Vo', 'Ops', '', 'Lead', '']]))).status).toBe('completed');
    const first = await importFile(ctx, csvOf(header, [['tea@mv.test', 'Tea Wu', 'Ops', 'CC-1', 'Agent', 'sam@mv.test'], ['uma@mv.test', 'Uma Xi', 'Ops', 'CC-2', 'Agent', 'nobody@mv.test']]));
    expect(families(first)).toMatchObject({ departments: { created: 0, updated: 1, unchanged: 0 } });
    const [uma] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, uma!.row_number, { manager_email: 'sam@mv.test' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(families(run)).toMatchObject({ departments: { created: 0, updated: 1, unchanged: 0 } });
  });
});

describe('what a reprocessed run did to Live', () => {
  const header = ['email', 'name', 'department', 'job_title', 'fte'];
  type Live = { version_before: number; version_after: number; snapshot_id: string | null; changed: boolean };
  const liveOf = (run: { summary: unknown }) => (run.summary as { live: Live; steps: { step: number; live: Live }[] });

  it('spans the run: the version before its first step and after its last, each step keeping its own', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-live-span' });
    const before = await currentLiveVersion(ctx.db, ctx.tenant.id);
    const first = await importFile(ctx, csvOf(header, [['vi@lv.test', 'Vi Ah', 'Ops', 'Lead', '1'], ['wu@lv.test', 'Wu Be', 'Ops', 'Agent', 'full']]));
    const [wu] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, wu!.row_number, { fte: '1' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run.status).toBe('completed');
    const { live, steps } = liveOf(run);
    expect(live).toEqual({ version_before: before, version_after: before + 2, snapshot_id: run.snapshot_id, changed: true });
    expect(steps.map((s) => [s.step, s.live.version_before, s.live.version_after, s.live.changed])).toEqual([
      [1, before, before + 1, true],
      [2, before + 1, before + 2, true],
    ]);
    expect(run).toMatchObject({ live_version_before: before, live_version_after: before + 2 });
  });

  it('still says the run changed Live when a reprocess changed nothing more', async () => {
    const { owner: ctx } = await importTenant(database, { slug: 'runsummary-live-same' });
    expect((await importFile(ctx, csvOf(header, [['xo@lv.test', 'Xo Ce', 'Ops', 'Lead', '1']]))).status).toBe('completed');
    const before = await currentLiveVersion(ctx.db, ctx.tenant.id);
    // Yu is new; Xo's row, once fixed, is Xo as she is.
    const first = await importFile(ctx, csvOf(header, [['yu@lv.test', 'Yu De', 'Ops', 'Agent', '1'], ['xo@lv.test', 'Xo Ce', 'Ops', 'Lead', 'full']]));
    const [xo] = (await listRows(ctx, first.id, { status: 'quarantined' })).items;
    await fixRow(ctx, first.id, xo!.row_number, { fte: '1' });
    const run = await (await reprocessRun(ctx, first.id)).done;
    expect(run.summary).toMatchObject({ rows: { imported: 2, created: 1, unchanged: 1 } });
    const { live, steps } = liveOf(run);
    expect(live).toEqual({ version_before: before, version_after: before + 1, snapshot_id: first.snapshot_id, changed: true });
    expect(steps[1]!.live).toMatchObject({ version_before: before + 1, version_after: before + 1, changed: false, snapshot_id: null });
  });
});

describe('the snapshot an import takes', () => {
  it('is described by the file and when it was uploaded, not by the run’s id', async () => {
    const run = await importFile(owner, csvOf(HEADER, [['eve@sum.test', 'Eve', 'Mo', 'Engineering', 'Platform', 'Engineer', 'ann@sum.test']]), { fileName: 'march-people.csv' });
    expect(run.status).toBe('completed');
    const snapshot = (await listScenarios(owner, { kind: 'snapshot', limit: 100 })).items.find((s) => s.id === run.snapshot_id)!;
    expect(snapshot.name).toBe('Live before import “march-people.csv”');
    const uploaded = run.created_at.slice(0, 16).replace('T', ' ');
    expect(snapshot.description).toBe(`Taken automatically before the import of “march-people.csv”, uploaded ${uploaded} UTC. Restore it to undo the import.`);
    expect(snapshot.description).not.toContain(run.id);
  });
});
