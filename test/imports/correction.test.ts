import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { lineageEntries } from '../../src/db/schema/index.js';
import { previewRun } from '../../src/imports/preview.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { addDays, today as todayUtc } from '../../src/org/dates.js';
import type { OrgGraph } from '../../src/org/types.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant } from './support.js';

/**
 * A file without start dates, corrected and imported again the same day: the people it placed in the wrong unit or
 * under the wrong manager are corrected in place — no history that shows the mistake on every earlier day. The same
 * change a day later is a move, and keeps history.
 */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

const HEADER = ['email', 'name', 'department', 'job_title', 'manager_email'];
const BEFORE = [
  ['boss@fix.test', 'Boss', 'Engineering', 'CTO', ''],
  ['lead@fix.test', 'Lead', 'Sales', 'Head of Sales', 'boss@fix.test'],
  ['ann@fix.test', 'Ann', 'Engineering', 'Engineer', 'boss@fix.test'],
];
const AFTER = [BEFORE[0]!, BEFORE[1]!, ['ann@fix.test', 'Ann', 'Sales', 'Engineer', 'lead@fix.test']];

const recordsOf = (graph: OrgGraph, email: string) => {
  const ann = [...graph.actors.values()].find((a) => a.email === email)!;
  const unit = (id: string) => graph.orgUnits.get(id)!.name;
  const manager = (id: string) => graph.actors.get(id)!.email;
  return {
    placements: [...graph.placements.values()].filter((p) => p.actorId === ann.id).map((p) => [unit(p.orgUnitId), p.validFrom, p.validTo]).sort(),
    lines: [...graph.reportingLines.values()].filter((l) => l.actorId === ann.id).map((l) => [manager(l.managerId), l.validFrom, l.validTo]).sort(),
  };
};

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database));
});
afterAll(() => database?.close());

describe('a file corrected the same day', () => {
  it('corrects in place who was placed in the wrong unit or under the wrong manager by an import of today', async () => {
    expect((await importFile(owner, csvOf(HEADER, BEFORE))).summary).toMatchObject({ rows: { created: 3 } });
    const run = await createRunFromUpload(owner, { body: csvOf(HEADER, AFTER), fileName: 'fixed.csv' });
    // The preview says the same as the run.
    expect((await previewRun(owner, run.id)).counts).toMatchObject({ families: { placements: { created: 0, updated: 1 }, reportingLines: { created: 0, updated: 1 } } });
    const fixed = await importFile(owner, csvOf(HEADER, AFTER));
    expect(fixed.summary).toMatchObject({ rows: { updated: 1, unchanged: 2 } });
    const live = (await owner.graphs.live(tenant.id)).graph;
    expect(recordsOf(live, 'ann@fix.test')).toEqual({ placements: [['Sales', null, null]], lines: [['lead@fix.test', null, null]] });
  });

  it('keeps history for the same kind of change to records that came in on an earlier day (a move)', async () => {
    // What was imported so far came in yesterday.
    await database.db.update(lineageEntries).set({ appliedAt: new Date(`${addDays(todayUtc(), -1)}T12:00:00Z`) }).where(eq(lineageEntries.tenantId, tenant.id));
    const moved = await importFile(owner, csvOf(HEADER, BEFORE));
    expect(moved.summary).toMatchObject({ rows: { updated: 1, unchanged: 2 } });
    const live = (await owner.graphs.live(tenant.id)).graph;
    const today = todayUtc();
    expect(recordsOf(live, 'ann@fix.test')).toEqual({
      placements: [
        ['Engineering', today, null],
        ['Sales', null, today],
      ],
      lines: [
        ['boss@fix.test', today, null],
        ['lead@fix.test', null, today],
      ],
    });
  });
});
