import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { detectMapping } from '../../src/imports/fields.js';
import { parseRow, type ParseContext } from '../../src/imports/parse-row.js';
import { previewRun } from '../../src/imports/preview.js';
import { getRun, startRun, updateRunSettings } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importTenant, parseContextFor } from './support.js';

/**
 * US exports (BambooHR's default) write dates month first with slashes: 03/05/2024. They stay refused as ambiguous
 * until the person importing says which comes first; the preview says how many rows that is and where to choose.
 */

const HEADERS = ['Email', 'Name', 'Department', 'Hire Date', 'Termination Date'];
const context = (dateOrder: ParseContext['dateOrder']): ParseContext => parseContextFor(HEADERS, { dateOrder });
const parse = (start: string, order: ParseContext['dateOrder'], end = '') => parseRow(2, ['ann@x.test', 'Ann', 'Ops', start, end], context(order));

describe('dates with the year last', () => {
  it('are read month first or day first as chosen, and refused without a choice', () => {
    expect(parse('03/05/2024', 'month_first').input?.validFrom).toBe('2024-03-05');
    expect(parse('3/5/2024', 'day_first').input?.validFrom).toBe('2024-05-03');
    expect(parse('12-31-2023', 'month_first').input?.validFrom).toBe('2023-12-31');
    expect(parse('03/05/2024', null).reason).toMatchObject({ code: 'invalid_date', detail: expect.stringContaining('say which in the import’s settings') });
    // ISO and dotted dates read as always.
    expect(parse('2024-03-05', 'month_first').input?.validFrom).toBe('2024-03-05');
    expect(parse('05.03.2024', 'month_first').input?.validFrom).toBe('2024-03-05');
  });

  it('refuses a day that does not exist in the chosen order, saying which order was used', () => {
    expect(parse('31/12/2023', 'month_first').reason).toMatchObject({ code: 'invalid_date', detail: '“31/12/2023” read month first, as chosen for this import, is no day of the calendar (there is no month 31): correct the date in the file, or the order in the import’s settings if it is the other way round' });
    expect(parse('01/02/2024', 'day_first', '12/31/2025').reason).toMatchObject({ code: 'invalid_date', field: 'end_date' });
  });

  it('are the same dates when Excel writes the midnight of a date-time cell after them (3/5/2024 0:00, 12:00:00 AM)', () => {
    for (const cell of ['3/5/2024 0:00', '03/05/2024 00:00', '3/5/2024 00:00:00', '3/5/2024 12:00:00 AM', '3/5/2024 12:00 AM']) {
      expect(parse(cell, 'month_first').input?.validFrom, cell).toBe('2024-03-05');
      // Without a choice, the reason says where to choose — as for the date alone.
      expect(parse(cell, null).reason?.detail, cell).toContain('say which in the import’s settings');
    }
    expect(parse('2024-03-05 12:00:00 AM', null).input?.validFrom).toBe('2024-03-05');
    expect(parse('3/5/24 0:00', null).reason?.detail).toContain('has a two-digit year');
  });
});

describe('a date column whose header states its format', () => {
  const read = (header: string, cell: string, dateOrder: ParseContext['dateOrder'] = null) =>
    parseRow(2, ['ann@x.test', 'Ann', 'Ops', cell], parseContextFor(['Email', 'Name', 'Department', header], { dateOrder }));

  it('still maps to its field, with the format in brackets or not', () => {
    const fields = (headers: string[]) => detectMapping(headers, 'orgonaut').map((m) => m.field);
    expect(fields(['Start date (DD/MM/YYYY)', 'Hire Date (mm/dd/yyyy)', 'Start (YYYY-MM-DD)', 'Eintrittsdatum (TT.MM.JJJJ)'])).toEqual(['start_date', 'start_date', 'start_date', 'start_date'].map((f, i) => (i ? null : f)));
    for (const header of ['Start date (DD/MM/YYYY)', 'Hire Date (mm/dd/yyyy)', 'Start (YYYY-MM-DD)', 'Eintrittsdatum (TT.MM.JJJJ)', 'Start date DD/MM/YYYY', 'Hire Date - MM/DD/YYYY', 'Date d’entrée (JJ/MM/AAAA)', 'Austrittsdatum (TT.MM.JJJJ)', 'Termination date [dd-mm-yyyy]']) {
      expect(fields(['Email', header]), header).toEqual(['email', /austritt|termination/i.test(header) ? 'end_date' : 'start_date']);
    }
  });

  it('reads its dates in that order without the import’s setting, and over it', () => {
    expect(read('Start date (DD/MM/YYYY)', '03/05/2024').input?.validFrom).toBe('2024-05-03');
    expect(read('Start date (DD/MM/YYYY)', '03/05/2024', 'month_first').input?.validFrom).toBe('2024-05-03');
    expect(read('Hire Date (mm/dd/yyyy)', '03/05/2024').input?.validFrom).toBe('2024-03-05');
    expect(read('Hire Date (mm/dd/yyyy)', '3/5/2024 0:00').input?.validFrom).toBe('2024-03-05');
    expect(read('Hire Date (mm/dd/yyyy)', '12/31/2023', 'day_first').input?.validFrom).toBe('2023-12-31');
    expect(read('Eintrittsdatum (TT.MM.JJJJ)', '03.05.2024').input?.validFrom).toBe('2024-05-03');
    expect(read('Date d’entrée (JJ/MM/AAAA)', '03/05/2024').input?.validFrom).toBe('2024-05-03');
    expect(read('Hire date (MM.DD.YYYY)', '03.05.2024').input?.validFrom).toBe('2024-03-05');
    // ISO dates read as always, whatever the header says.
    expect(read('Start date (DD/MM/YYYY)', '2024-03-05').input?.validFrom).toBe('2024-03-05');
    expect(read('Start (YYYY-MM-DD)', '2024-03-05').input?.validFrom).toBe('2024-03-05');
  });

  it('says a day that does not exist in the header’s order was read as the header says', () => {
    expect(read('Hire Date (mm/dd/yyyy)', '31/12/2023').reason).toEqual({
      code: 'invalid_date',
      field: 'start_date',
      detail: '“31/12/2023” read month first, as the column’s header “Hire Date (mm/dd/yyyy)” says, is no day of the calendar (there is no month 31): correct the date in the file, or the format in the header if the file writes the day first',
    });
  });

  it('keeps refusing slashed dates, as before, where no header or setting says the order', () => {
    expect(read('Start (YYYY-MM-DD)', '03/05/2024').reason?.detail).toContain('whether the day or the month comes first depends on who saved the file');
    expect(read('Start date', '03/05/2024').reason?.detail).toContain('say which in the import’s settings');
  });
});

let database: Database;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  ({ owner } = await importTenant(database));
});
afterAll(() => database?.close());

describe('a US export', () => {
  it('is warned about in the preview, and imports once the order is chosen', async () => {
    const csv = csvOf(HEADERS, [
      ['ann@us.test', 'Ann', 'Ops', '03/05/2024', ''],
      ['bob@us.test', 'Bob', 'Ops', '11/20/2021', ''],
    ]);
    const run = await createRunFromUpload(owner, { body: csv, fileName: 'us.csv' });
    const before = await previewRun(owner, run.id);
    expect(before.run.options).toEqual({ create_missing_types: false, date_order: null });
    expect(before.warnings).toContainEqual({
      code: 'date_order',
      message: '2 row(s) write dates with the year last (03/05/2024), which is refused while it is not known whether the day or the month comes first: choose it in the import’s settings (“Dates like 03/05/2024”; options.date_order over the API). The file’s own dates say the month comes first: “11/20/2021” has no month 20.',
    });
    await expect(updateRunSettings(owner, run.id, { options: { date_order: 'sideways' as never } })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await updateRunSettings(owner, run.id, { options: { date_order: 'month_first' } })).options.date_order).toBe('month_first');
    const after = await previewRun(owner, run.id);
    expect(after.warnings.map((w) => w.code)).not.toContain('date_order');
    expect(after.sample.map((s) => s.problem)).toEqual([null, null]);
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 2 } });
    const live = (await owner.graphs.live(owner.tenant.id)).graph;
    expect([...live.actors.values()].filter((a) => a.email?.endsWith('@us.test')).map((a) => a.validFrom).sort()).toEqual(['2021-11-20', '2024-03-05']);
    expect((await getRun(owner, run.id)).options.date_order).toBe('month_first');
  });

  it('says nothing of which order the dates show when none of them tells, or they disagree', async () => {
    const message = async (starts: string[]) => {
      const run = await createRunFromUpload(owner, { body: csvOf(HEADERS, starts.map((start, i) => [`p${i}@hint.test`, `P${i}`, 'Ops', start, ''])), fileName: 'hint.csv' });
      return (await previewRun(owner, run.id)).warnings.find((w) => w.code === 'date_order')?.message;
    };
    expect(await message(['03/05/2024', '04/06/2023'])).toMatch(/options\.date_order over the API\)\.$/);
    expect(await message(['13/05/2024', '05/13/2023'])).toMatch(/options\.date_order over the API\)\.$/);
    expect(await message(['03/05/2024', '31/01/2020'])).toMatch(/The file’s own dates say the day comes first: “31\/01\/2020” has no month 31\.$/);
  });

  it('is warned about when Excel wrote the dates with their midnight (3/5/2024 0:00)', async () => {
    const csv = csvOf(HEADERS, [
      ['cy@us.test', 'Cy', 'Ops', '3/5/2024 0:00', ''],
      ['di@us.test', 'Di', 'Ops', '11/20/2021 0:00', ''],
    ]);
    const run = await createRunFromUpload(owner, { body: csv, fileName: 'us-excel.csv' });
    expect((await previewRun(owner, run.id)).warnings.map((w) => w.code)).toContain('date_order');
    await updateRunSettings(owner, run.id, { options: { date_order: 'month_first' } });
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 2, quarantined: 0 } });
  });

  it('is read in the order its headers state, said in the preview, with no order to choose', async () => {
    const headers = ['Email', 'Name', 'Department', 'Start date (DD/MM/YYYY)', 'Leaving date (DD/MM/YYYY)'];
    const csv = csvOf(headers, [
      ['eve@uk.test', 'Eve', 'Ops', '03/05/2024', ''],
      ['fay@uk.test', 'Fay', 'Ops', '20/11/2021', '31/01/2026'],
    ]);
    const run = await createRunFromUpload(owner, { body: csv, fileName: 'uk.csv' });
    expect(run.mapping.map((m) => m.field)).toEqual(['email', 'name', 'department', 'start_date', 'end_date']);
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('date_order');
    expect(preview.warnings).toContainEqual({
      code: 'date_order_from_header',
      message: 'Dates with the year last in “Start date (DD/MM/YYYY)” and “Leaving date (DD/MM/YYYY)” are read day first, as the headers say (03/05/2024 is 3 May 2024).',
    });
    expect(preview.sample.map((s) => s.problem)).toEqual([null, null]);
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 2, quarantined: 0 } });
    const live = (await owner.graphs.live(owner.tenant.id)).graph;
    const fay = [...live.actors.values()].find((a) => a.email === 'fay@uk.test')!;
    expect([fay.validFrom, fay.validTo]).toEqual(['2021-11-20', '2026-02-01']);
    expect([...live.actors.values()].find((a) => a.email === 'eve@uk.test')!.validFrom).toBe('2024-05-03');
  });
});
