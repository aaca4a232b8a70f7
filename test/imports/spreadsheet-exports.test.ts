import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { previewRun } from '../../src/imports/preview.js';
import { listRows } from '../../src/imports/review.js';
import { startRun } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importTenant } from './support.js';

/**
 * A new customer's first files (reference/fix-common-import-errors.md): an Excel export with a BOM, `sep=;`,
 * semicolons, trailing empty columns, accented names, emails in mixed case with spaces — and as mail clients copy
 * them (`Name <address>`, `mailto:`) — go through preview and run; what is refused says what to change in the file.
 */

let database: Database;
let owner: ServiceContext;
beforeAll(async () => {
  database = await testDatabase();
  ({ owner } = await importTenant(database, { slug: 'exports' }));
});
afterAll(() => database?.close());

const EXCEL =
  '\uFEFFsep=;\r\n' +
  'E-Mail;First name;Last name;Department;Team;Position;Manager E-Mail;FTE;Start date;;;\r\n' +
  ' Anna.Müller@Example.COM ;Anna;Müller;Engineering;Platform;Engineer; CEO@example.com ;0,8;01.03.2024;;;\r\n' +
  'ceo@example.com;Jürgen;Öztürk;Executive;;CEO;;1;2020-01-15;;;\r\n' +
  '"Lee, Amy <amy@example.com>";Amy;Lee;Engineering;;Dev;"Öztürk, Jürgen <ceo@example.com>";1;;;;\r\n' +
  'mailto:jo@example.com;Jo;Kim;Engineering;;Dev;<ceo@example.com>;100 %;;;;\r\n' +
  'zoe@example.com;Zoë;Ångström;Engineering;;Dev;ceo@example.com;1;2024-02-30;;;\r\n' +
  ';;;;;;;;;;;\r\n';

async function run(csv: string, name: string) {
  const created = await createRunFromUpload(owner, { body: csv, fileName: name });
  const preview = await previewRun(owner, created.id);
  const done = await (await startRun(owner, created.id)).done;
  return { preview, done, rows: (await listRows(owner, done.id, { limit: 50 })).items };
}

describe('a new customer’s spreadsheet exports', () => {
  it('imports an Excel export with addresses as mail clients write them, and says how to correct a day the calendar lacks', async () => {
    const { preview, rows } = await run(EXCEL, 'Mitarbeiter.csv');
    expect(preview.run.file.delimiter).toBe(';');
    expect(rows.map((r) => [r.row_number, r.status])).toEqual([[1, 'imported'], [2, 'imported'], [3, 'imported'], [4, 'imported'], [5, 'quarantined']]);
    expect(rows[4]!.reason).toMatchObject({ code: 'invalid_date', field: 'start_date', detail: '“2024-02-30” is no day of the calendar (February 2024 has 29 days): correct it in the file' });
    const people = [...(await owner.graphs.live(owner.tenant.id)).graph.actors.values()];
    // `mailto:jo@…` was read as an address of its own (the next file's jo@… would have been someone else).
    expect(people.map((a) => [a.displayName, a.email]).sort()).toEqual([
      ['Amy Lee', 'amy@example.com'],
      ['Anna Müller', 'Anna.Müller@Example.COM'],
      ['Jo Kim', 'jo@example.com'],
      ['Jürgen Öztürk', 'ceo@example.com'],
    ]);
    const ceo = people.find((a) => a.email === 'ceo@example.com')!.id;
    const lines = [...(await owner.graphs.live(owner.tenant.id)).graph.reportingLines.values()];
    expect(lines.filter((l) => l.managerId === ceo)).toHaveLength(3);
  });

  it('says on each refused row which column to map when the file has no name or department column the import knows', async () => {
    // Finnish headers (first name, last name, department): German ones are known now.
    const csv = 'E-Mail;Etunimi;Sukunimi;Osasto\r\nbea@example.com;Bea;Roth;Myynti\r\n';
    const { preview, rows } = await run(csv, 'Personal.csv');
    expect(preview.warnings).toContainEqual({ code: 'no_name', message: 'No name column is mapped: new people will be quarantined. Map the column that holds names to name (or two to first_name and last_name).' });
    expect(rows[0]!.reason).toMatchObject({
      code: 'missing_required_field',
      field: 'name',
      detail: 'is required for a new person, and no column of this file is imported as a name: map the column that holds names to name (or two to first_name and last_name) — on the mapping page before the import starts, else upload the file again',
    });
    expect(preview.warnings.map((w) => w.code)).toContain('no_department');
  });
});

describe('a name column written Last, First', () => {
  it('reads each name as First Last and says so in the preview, leaving names whose comma is no surname’s alone', async () => {
    const csv = csvOf(['Email', 'Employee Name', 'Department'], [
      ['anna@lastfirst.test', 'Müller, Anna', 'Vertrieb'],
      ['ben@lastfirst.test', 'van der Berg,  Ben Jan', 'Vertrieb'],
      ['cal@lastfirst.test', 'Cal Jones', 'Vertrieb'],
      ['dan@lastfirst.test', 'Dan King, Jr.', 'Vertrieb'],
    ]);
    const { preview, done } = await run(csv, 'people.csv');
    expect(preview.warnings).toContainEqual({ code: 'name_last_first', message: '“Employee Name” holds names written Last, First (such as “Müller, Anna”): each is read as First Last (Anna Müller), as people are shown everywhere else.' });
    expect(done.summary).toMatchObject({ rows: { imported: 4 } });
    const names = [...(await owner.graphs.live(owner.tenant.id)).graph.actors.values()].filter((a) => a.email?.endsWith('@lastfirst.test')).map((a) => a.displayName).sort();
    expect(names).toEqual(['Anna Müller', 'Ben Jan van der Berg', 'Cal Jones', 'Dan King, Jr.']);
  });
});

describe('cells as spreadsheets write them', () => {
  it('reads dates with the month in words and an FTE with its unit, and calls a repeated header row what it is', async () => {
    const csv =
      'Email,Name,Department,FTE,Start Date\n' +
      'ana@words.test,Ana,Ops,0.8 FTE,05-Mar-2024\n' +
      'ben@words.test,Ben,Ops,1,5 March 2024\n' +
      'cat@words.test,Cat,Ops,1,"March 5, 2024"\n' +
      'dan@words.test,Dan,Ops,1,Sept 5 2024\n' +
      'Email,Name,Department,FTE,Start Date\n' +
      'eve@words.test,Eve,Ops,1,31-Feb-2024\n';
    const { rows } = await run(csv, 'two-exports.csv');
    expect(rows.map((r) => [r.row_number, r.status, r.reason?.code ?? null])).toEqual([
      [1, 'imported', null],
      [2, 'imported', null],
      [3, 'imported', null],
      [4, 'imported', null],
      [5, 'quarantined', 'missing_required_field'],
      [6, 'quarantined', 'invalid_date'],
    ]);
    expect(rows[4]!.reason).toMatchObject({ field: 'email', detail: 'this row repeats the header row (files pasted one under the other?), not a person — ignore it, or delete the line from the file', others: [] });
    expect(rows[5]!.reason!.detail).toBe('“31-Feb-2024” is no day of the calendar (February 2024 has 29 days): correct it in the file');
    const people = [...(await owner.graphs.live(owner.tenant.id)).graph.actors.values()].filter((a) => a.email?.endsWith('@words.test'));
    expect(people.map((a) => [a.email, a.validFrom, a.fte]).sort()).toEqual([
      ['ana@words.test', '2024-03-05', 0.8],
      ['ben@words.test', '2024-03-05', 1],
      ['cat@words.test', '2024-03-05', 1],
      ['dan@words.test', '2024-09-05', 1],
    ]);
  });
});

describe('accents as each system writes them', () => {
  it('finds a department and a person whose accents a Mac export writes decomposed (u + ¨)', async () => {
    const header = 'Email,Name,Department,Team\n';
    await run(header + 'jose@nfc.test,José Müller,Qualität,Prüfstand\n', 'windows.csv');
    const decomposed = (text: string) => text.normalize('NFD');
    const second = await run(header + decomposed('jose@nfc.test,José Müller,Qualität,Prüfstand\nrene@nfc.test,René Ørsted,Qualität,Prüfstand\n'), 'mac.csv');
    expect(second.rows.map((r) => [r.row_number, r.status, r.outcome])).toEqual([[1, 'imported', 'unchanged'], [2, 'imported', 'created']]);
    const graph = (await owner.graphs.live(owner.tenant.id)).graph;
    expect([...graph.orgUnits.values()].filter((u) => u.name.normalize('NFC') === 'Qualität')).toHaveLength(1);
    expect([...graph.orgUnits.values()].filter((u) => u.name.normalize('NFC') === 'Prüfstand')).toHaveLength(1);
    expect([...graph.actors.values()].find((a) => a.email === 'rene@nfc.test')!.displayName).toBe('René Ørsted'.normalize('NFC'));
  });
});

describe('a manager column of addresses as mail clients copy them', () => {
  it('is read as the managers’ emails', async () => {
    const csv = 'Email,Name,Department,Reports To\nboss@outlook.test,Boss,Ops,\nrep@outlook.test,Rep,Ops,"Boss, The <boss@outlook.test>"\n';
    const created = await createRunFromUpload(owner, { body: csv, fileName: 'outlook.csv' });
    expect(created.mapping.find((m) => m.header === 'Reports To')?.field).toBe('manager_email');
    const done = await (await startRun(owner, created.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 2, quarantined: 0 } });
  });
});
