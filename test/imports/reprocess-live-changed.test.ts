import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { planImport } from '../../src/imports/plan/plan.js';
import { fixRow, listRows } from '../../src/imports/review.js';
import { reprocessRun } from '../../src/imports/runs.js';
import { addDays, today } from '../../src/org/dates.js';
import { emptyGraph } from '../../src/org/types.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { loadScenario } from '../../src/scenarios/store.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant, parseContextFor, planRows } from './support.js';

/**
 * A quarantined row is fixed and reprocessed later, against Live as it is then: another import or a promotion may
 * have changed the person its identity found when the run read the file — a new email or HRIS id, or they left. The
 * reprocess does not take the row for someone else, add a second person, or bring a leaver back with the file's older
 * data: it quarantines the row as live_changed, saying what changed and what to put in the row.
 */

const HEADER = ['email', 'name', 'department', 'manager_email', 'fte', 'status', 'source_hris', 'source_hris_id'];

const people = async (ctx: ServiceContext) => [...(await ctx.graphs.live(ctx.tenant.id)).graph.actors.values()];

describe('reprocessing after Live changed', () => {
  let database: Database;
  let owner: ServiceContext;
  beforeAll(async () => {
    database = await testDatabase();
    ({ owner } = await importTenant(database, { slug: 'since' }));
  });
  afterAll(() => database?.close());

  it('quarantines a fixed row whose person was given another email since, and imports it once the row has the current one', async () => {
    await importFile(owner, csvOf(HEADER, [
      ['pat@since.test', 'Pat', 'Ops', '', '1', '', 'workday', 'W-1'],
      ['kim@since.test', 'Kim', 'Ops', '', '1', '', '', ''],
    ]));
    const run = await importFile(owner, csvOf(HEADER, [
      ['pat@since.test', 'Pat', 'Ops', '', 'lots', '', '', ''],
      ['kim@since.test', 'Kim', 'Ops', '', 'lots', '', '', ''],
    ]));
    const read = run.live_version_after;
    // Meanwhile the HRIS gives Pat a new email (found by her HRIS id), and Kim another FTE: Kim is still Kim.
    await importFile(owner, csvOf(HEADER, [
      ['pat.new@since.test', 'Pat', 'Ops', '', '1', '', 'workday', 'W-1'],
      ['kim@since.test', 'Kim', 'Ops', '', '0.5', '', '', ''],
    ]));
    const now = (await owner.graphs.live(owner.tenant.id)).version;
    await fixRow(owner, run.id, 1, { fte: '1' });
    await fixRow(owner, run.id, 2, { fte: '0.8' });
    await (await reprocessRun(owner, run.id)).done;
    const [pat, kim] = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(kim).toMatchObject({ status: 'imported', resolution: 'fixed' });
    expect(pat).toMatchObject({ status: 'quarantined', resolution: 'failed' });
    expect(pat!.reason).toMatchObject({
      code: 'live_changed',
      field: 'email',
      detail: `pat@since.test was Pat’s when this run read the file (Live version ${read}); Live has changed since (now version ${now}): Pat’s email is now pat.new@since.test, and this row would add a new person instead`,
    });
    expect(pat!.reason!.fix).toContain('put their current email or HRIS id in the row');
    expect((await people(owner)).filter((a) => a.displayName === 'Pat').map((a) => a.email)).toEqual(['pat.new@since.test']);

    // The reviewer does what it says: the row updates Pat as she is now.
    await fixRow(owner, run.id, 1, { email: 'pat.new@since.test', fte: '0.9' });
    await (await reprocessRun(owner, run.id)).done;
    expect((await listRows(owner, run.id, { limit: 10 })).items[0]).toMatchObject({ status: 'imported', outcome: 'updated' });
    expect((await people(owner)).filter((a) => a.displayName === 'Pat')).toHaveLength(1);
  });

  it('quarantines a fixed row that would bring back a person who left since', async () => {
    await importFile(owner, csvOf(HEADER, [['lea@since.test', 'Lea', 'Ops', '', '1', '', '', '']]));
    const run = await importFile(owner, csvOf(HEADER, [['lea@since.test', 'Lea', 'Ops', '', 'lots', 'active', '', '']]));
    await importFile(owner, csvOf(HEADER, [['lea@since.test', 'Lea', 'Ops', '', '', 'inactive', '', '']]));
    await fixRow(owner, run.id, 1, { fte: '1' });
    await (await reprocessRun(owner, run.id)).done;
    const [lea] = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(lea).toMatchObject({ status: 'quarantined', reason: { code: 'live_changed', field: 'status' } });
    expect(lea!.reason!.detail).toContain(`Lea was active when this run read the file`);
    expect(lea!.reason!.detail).toContain(`their last day is ${addDays(today(), -1)}, and this row says they are active, which would bring them back with the file’s older data`);
    expect((await people(owner)).find((a) => a.email === 'lea@since.test')!.validTo).toBe(today());
  });
});

describe('a last day set in Live since', () => {
  let database: Database;
  let owner: ServiceContext;
  beforeAll(async () => {
    database = await testDatabase();
    ({ owner } = await importTenant(database, { slug: 'since3' }));
  });
  afterAll(() => database?.close());

  it('is not taken away by a fixed row that says the person is active', async () => {
    const header = ['email', 'name', 'department', 'fte', 'status', 'end_date'];
    await importFile(owner, csvOf(header, [['ola@since.test', 'Ola', 'Ops', '1', '', '']]));
    const run = await importFile(owner, csvOf(header, [['ola@since.test', 'Ola', 'Ops', 'lots', 'active', '']]));
    const lastDay = addDays(today(), 30);
    await importFile(owner, csvOf(header, [['ola@since.test', 'Ola', 'Ops', '', '', lastDay]]));
    await fixRow(owner, run.id, 1, { fte: '1' });
    await (await reprocessRun(owner, run.id)).done;
    const [ola] = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(ola!.reason).toMatchObject({ code: 'live_changed', field: 'status' });
    expect(ola!.reason!.detail).toContain(`Ola’s last day was not set when this run read the file`);
    expect(ola!.reason!.detail).toContain(`it is now ${lastDay}, and this row says they are active, which would take that last day away with the file’s older data`);
    expect((await people(owner)).find((a) => a.email === 'ola@since.test')!.validTo).toBe(addDays(lastDay, 1));
  });
});

describe('a fixed row and the rows earlier steps imported', () => {
  it('is refused when it finds the person an earlier row imported, though Live has given them other identities since', async () => {
    const first = await planRows(HEADER, [['zoe@since.test', 'Zoe', 'Ops', '', '1', '', 'workday', 'W-10']], emptyGraph(), '2026-11-29');
    const base = first.changes.target();
    const zoe = [...base.actors.values()][0]!;
    // Row 1 imported Zoe by her HRIS id W-9, which Live has changed to W-10 since; row 2 finds her by email.
    const plan = await planImport({
      rows: async function* () {
        yield [{ rowNumber: 2, values: ['zoe@since.test', 'Zoe From Email', 'Ops', '', '1', '', '', ''] }];
      },
      earlier: async function* () {
        yield [{ rowNumber: 1, values: ['', 'Zoe From HRIS', 'Ops', '', '1', '', 'workday', 'W-9'], actorId: zoe.id }];
      },
      total: 1,
      parse: parseContextFor(HEADER, { today: '2026-11-29' }),
      base,
      companyName: 'Test Co',
      types: { departmentTypes: new Map(), teamTypes: new Map(), createMissing: false, created: { departmentTypes: [], teamTypes: [] } },
    });
    expect(plan.rows.get(2)).toMatchObject({
      status: 'quarantined',
      reason: { code: 'identity_conflict', field: 'email', detail: 'zoe@since.test finds the person row 1 of this run already imported (by another identity): one person, one row' },
    });
  });
});

describe('a live_changed row queued again unchanged', () => {
  let database: Database;
  let owner: ServiceContext;
  beforeAll(async () => {
    database = await testDatabase();
    ({ owner } = await importTenant(database, { slug: 'since2' }));
  });
  afterAll(() => database?.close());

  it('is imported as it reads now: the reviewer has been told what it does', async () => {
    await importFile(owner, csvOf(HEADER, [['max@since.test', 'Max', 'Ops', '', '1', '', '', '']]));
    const run = await importFile(owner, csvOf(HEADER, [['max@since.test', 'Max', 'Ops', '', 'lots', 'active', '', '']]));
    await importFile(owner, csvOf(HEADER, [['max@since.test', 'Max', 'Ops', '', '', 'inactive', '', '']]));
    await fixRow(owner, run.id, 1, { fte: '1' });
    await (await reprocessRun(owner, run.id)).done;
    const [max] = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(max!.reason).toMatchObject({ code: 'live_changed' });
    expect(max!.reason!.fix).toContain('queue it again unchanged: the next reprocess takes Live as it is then');
    await fixRow(owner, run.id, 1, {});
    await (await reprocessRun(owner, run.id)).done;
    expect((await listRows(owner, run.id, { limit: 10 })).items[0]).toMatchObject({ status: 'imported' });
    expect((await people(owner)).find((a) => a.email === 'max@since.test')!.validTo).toBeNull();
  });
});

describe('reprocessing into a scenario that changed since', () => {
  let database: Database;
  let owner: ServiceContext;
  beforeAll(async () => {
    database = await testDatabase();
    ({ owner } = await importTenant(database, { slug: 'since-scn' }));
  });
  afterAll(() => database?.close());

  const inScenario = async (id: string) => [...(await owner.graphs.scenario(await loadScenario(owner.db, owner.tenant.id, id))).actors.values()];

  it('quarantines a fixed row whose person the scenario gave another email or a last day since, and takes it as the scenario is when queued again', async () => {
    await importFile(owner, csvOf(HEADER, [
      ['pia@since.test', 'Pia', 'Ops', '', '1', '', 'workday', 'W-1'],
      ['kai@since.test', 'Kai', 'Ops', '', '1', '', '', ''],
      ['max@since.test', 'Max', 'Ops', '', '1', '', '', ''],
    ]));
    const scenario = await createScenario(owner, { name: 'Reshape ops' });
    const target = { target: { kind: 'scenario' as const, scenario_id: scenario.id } };
    const run = await importFile(owner, csvOf(HEADER, [
      ['pia@since.test', 'Pia', 'Ops', '', 'lots', '', '', ''],
      ['kai@since.test', 'Kai', 'Ops', '', 'lots', 'active', '', ''],
      ['max@since.test', 'Max', 'Ops', '', 'lots', '', '', ''],
    ]), target);
    expect(run.summary).not.toHaveProperty('found_then');
    // Meanwhile the plan changes in the scenario: Pia gets a new email (found by her HRIS id), Kai leaves.
    await importFile(owner, csvOf(HEADER, [
      ['pia.new@since.test', 'Pia', 'Ops', '', '1', '', 'workday', 'W-1'],
      ['kai@since.test', 'Kai', 'Ops', '', '', 'inactive', '', ''],
    ]), target);
    for (const row of [1, 2, 3]) await fixRow(owner, run.id, row, { fte: '0.8' });
    await (await reprocessRun(owner, run.id)).done;
    const [pia, kai, max] = (await listRows(owner, run.id, { limit: 10 })).items;
    expect(max).toMatchObject({ status: 'imported', resolution: 'fixed' });
    expect(pia).toMatchObject({ status: 'quarantined', resolution: 'failed' });
    expect(pia!.reason).toMatchObject({
      code: 'live_changed',
      field: 'email',
      detail: 'pia@since.test was Pia’s when this run read the file into the scenario “Reshape ops”; the scenario has changed since (edited there, or Live showing through): Pia’s email is now pia.new@since.test, and this row would add a new person instead',
    });
    expect(kai!.reason).toMatchObject({ code: 'live_changed', field: 'status' });
    expect(kai!.reason!.detail).toContain('Kai was active when this run read the file into the scenario “Reshape ops”');
    const view = await inScenario(scenario.id);
    expect(view.filter((a) => a.displayName === 'Pia').map((a) => a.email)).toEqual(['pia.new@since.test']);
    expect(view.find((a) => a.displayName === 'Kai')!.validTo).toBe(today());

    // Queued again unchanged, the rows are taken as the scenario is now: Kai comes back in the plan, as the row says.
    await fixRow(owner, run.id, 2, { fte: '0.8' });
    await (await reprocessRun(owner, run.id)).done;
    expect((await listRows(owner, run.id, { limit: 10 })).items[1]).toMatchObject({ status: 'imported', resolution: 'fixed' });
    expect((await inScenario(scenario.id)).find((a) => a.displayName === 'Kai')!.validTo).toBeNull();
  });
});
