import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { detectFormat, detectMapping } from '../../src/imports/fields.js';
import { previewRun } from '../../src/imports/preview.js';
import { listRows } from '../../src/imports/review.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant } from './support.js';

/**
 * A BambooHR report names each person's id “EEID” and the manager's “Supervisor EID”: both are read, so managers
 * link by id. A file that names managers by id but maps no column to the people's own ids is warned about in the
 * preview (no manager of the file could be found by it).
 */

let database: Database;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  ({ owner } = await importTenant(database));
});
afterAll(() => database?.close());

const HEADER = ['EEID', 'First Name', 'Last Name', 'Work Email', 'Department', 'Job Title', 'Supervisor EID'];
const ROWS = [
  ['101', 'Grace', 'Hopper', 'grace@eeid.test', 'Engineering', 'CTO', ''],
  ['102', 'Alan', 'Turing', 'alan@eeid.test', 'Engineering', 'Engineer', '101'],
];

describe('employee ids in a BambooHR report', () => {
  it('reads EEID as the employee id, so Supervisor EID links the manager', async () => {
    expect(detectFormat(HEADER)).toBe('bamboohr');
    expect(detectMapping(HEADER, 'bamboohr')[0]!.field).toBe('employee_id');
    const run = await createRunFromUpload(owner, { body: csvOf(HEADER, ROWS), fileName: 'bamboo.csv' });
    const preview = await previewRun(owner, run.id);
    expect(preview.sample.map((r) => r.problem)).toEqual([null, null]);
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_employee_id');
  });

  it('warns when managers are named by id but no column holds the people’s own ids', async () => {
    const header = ['Person Code', ...HEADER.slice(1)];
    const run = await createRunFromUpload(owner, { body: csvOf(header, ROWS), fileName: 'no-ids.csv' });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings).toContainEqual({
      code: 'no_employee_id',
      message: 'Managers are named by employee id (“Supervisor EID”), but no column is mapped to employee_id: map the column holding each person’s own id, or managers named by it are found only among people already in the organisation.',
    });
    expect(preview.sample[1]!.problem).toMatchObject({ code: 'unknown_manager' });
  });
});

describe('one employee id on two rows of an Orgonaut CSV', () => {
  it('quarantines both as duplicate_source_identity instead of creating two people with one id', async () => {
    const header = ['Employee Number', 'Name', 'Work Email', 'Department'];
    const run = await importFile(owner, csvOf(header, [['900', 'Pat One', 'pat1@dupid.test', 'Ops'], ['900', 'Pat Two', 'pat2@dupid.test', 'Ops'], ['901', 'Kim', 'kim@dupid.test', 'Ops']]));
    const rows = (await listRows(owner, run.id)).items;
    expect(rows.map((r) => r.reason ?? r.status)).toEqual([
      expect.objectContaining({ code: 'duplicate_source_identity', field: 'employee_id', detail: 'employee id “900” is also on row 2 of this run' }),
      expect.objectContaining({ code: 'duplicate_source_identity', field: 'employee_id', detail: 'employee id “900” is also on row 1 of this run' }),
      'imported',
    ]);
  });
});
