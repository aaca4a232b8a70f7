import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { previewRun } from '../../src/imports/preview.js';
import { fixRow, listRows } from '../../src/imports/review.js';
import { reprocessRun, startRun } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importTenant } from './support.js';

/**
 * Exports that name the manager only by name (BambooHR's “Reports To”, Personio's “Supervisor”, HiBob's “Reports
 * to”): the name finds the manager when one person of the file — else of the organisation — has it; a name several
 * people share, or no one has, is quarantined saying which rows share it or that no one has it, and what to give instead.
 */

let database: Database;
let owner: ServiceContext;
beforeAll(async () => {
  database = await testDatabase();
  ({ owner } = await importTenant(database, { slug: 'manager-names' }));
});
afterAll(() => database?.close());

async function managers(): Promise<Record<string, string | null>> {
  const graph = (await owner.graphs.live(owner.tenant.id)).graph;
  const out: Record<string, string | null> = {};
  for (const actor of graph.actors.values()) {
    const line = [...graph.reportingLines.values()].find((l) => l.actorId === actor.id && l.validTo === null);
    out[actor.email!] = line ? (graph.actors.get(line.managerId)?.email ?? null) : null;
  }
  return out;
}

const EXPORT = '\uFEFF' + csvOf(
  ['Email', 'Name', 'Department', 'Position', 'Supervisor'],
  [
    ['ada@names.test', 'Lovelace, Ada', 'Executive', 'CEO', ''],
    ['grace@names.test', 'Hopper,  Grace', 'Engineering', 'VP Engineering', 'Lovelace, Ada'],
    ['alan@names.test', 'Turing, Alan', 'Engineering', 'Engineer', 'grace hopper'],
    ['sam.a@names.test', 'Lee, Sam', 'Sales', 'Account Executive', 'Ada Lovelace'],
    ['sam.b@names.test', 'Lee, Sam', 'Sales', 'Account Executive', 'Ada Lovelace'],
    ['kim@names.test', 'Park, Kim', 'Sales', 'Sales Rep', 'Lee, Sam'],
    ['jo@names.test', 'Moss, Jo', 'Sales', 'Sales Rep', 'Hoper, Grace'],
  ],
  ';',
).replaceAll('\n', '\r\n');

describe('managers named by name', () => {
  it('are found by a name one person has, and a shared or unknown name says which rows share it or that no one has it', async () => {
    const run = await createRunFromUpload(owner, { body: EXPORT, fileName: 'personio.csv' });
    expect(run.mapping.find((m) => m.header === 'Supervisor')?.field).toBe('manager_name');
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_manager');
    expect(preview.counts?.rows).toMatchObject({ would_import: 5, would_quarantine: 2 });

    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 5, quarantined: 2 } });
    expect(await managers()).toEqual({
      'ada@names.test': null,
      'grace@names.test': 'ada@names.test',
      'alan@names.test': 'grace@names.test',
      'sam.a@names.test': 'ada@names.test',
      'sam.b@names.test': 'ada@names.test',
    });
    const rows = (await listRows(owner, done.id, { limit: 50 })).items.filter((r) => r.status === 'quarantined');
    expect(rows.map((r) => [r.row_number, r.reason?.code, r.reason?.field, r.reason?.detail])).toEqual([
      [6, 'unknown_manager', 'manager_name', '2 rows of this file are people named “Sam Lee” (rows 4 and 5), so the name does not say which is the manager: write the manager’s email instead of the name (in this column too), or map a column with their email or employee id'],
      [7, 'unknown_manager', 'manager_name', 'no one in this file or the organisation is named “Grace Hoper”: correct the spelling to the manager’s name as their own row writes it, or write the manager’s email instead of the name (in this column too), or map a column with their email or employee id'],
    ]);

    // Fixed in the review: the manager's email in the name column.
    await fixRow(owner, done.id, 6, { Supervisor: 'sam.a@names.test' });
    const fixed = await (await reprocessRun(owner, done.id)).done;
    expect(fixed.summary).toMatchObject({ rows: { imported: 6, quarantined: 1 } });
    expect((await managers())['kim@names.test']).toBe('sam.a@names.test');

    // The same file again changes nothing.
    const before = (await owner.graphs.live(owner.tenant.id)).version;
    const again = await (await startRun(owner, (await createRunFromUpload(owner, { body: EXPORT, fileName: 'personio.csv' })).id)).done;
    expect(again.summary).toMatchObject({ rows: { imported: 5, unchanged: 5, quarantined: 2 }, live: { changed: false } });
    expect((await owner.graphs.live(owner.tenant.id)).version).toBe(before);
  });

  it('finds a manager already in the organisation by name, also from manager first and last name columns', async () => {
    const file = csvOf(
      ['Email', 'First Name', 'Last Name', 'Department', 'Manager First Name', 'Manager Last Name'],
      [['lin@names.test', 'Lin', 'Wu', 'Engineering', 'Alan', 'Turing']],
    );
    const done = await (await startRun(owner, (await createRunFromUpload(owner, { body: file, fileName: 'hires.csv' })).id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 1, quarantined: 0 } });
    expect((await managers())['lin@names.test']).toBe('alan@names.test');
  });
});
