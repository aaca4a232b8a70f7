import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { detectMapping } from '../../src/imports/fields.js';
import { parseRow } from '../../src/imports/parse-row.js';
import { previewRun } from '../../src/imports/preview.js';
import { listRows } from '../../src/imports/review.js';
import { startRun } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importTenant, livePeople, parseContextFor } from './support.js';

/**
 * Pay as HR systems export it: BambooHR's “Pay Rate” with “Pay Type” and “Pay Per”, HiBob's “Base salary” with “Salary
 * pay period”, Personio's “Fixed salary” with “Salary interval”, Workday's “Total Base Pay” with “Frequency”, amounts
 * with their currency's sign or code and sometimes their period (“EUR 5,000/month”). Orgonaut keeps an annual base
 * salary or a day rate: a monthly amount is imported ×12, a day rate as one, and pay by the hour is never taken for an
 * annual salary — the row is quarantined saying which column says so and what to give instead.
 */

const fields = (headers: string[]) => detectMapping(headers, 'orgonaut').map((m) => m.field);

function payOf(headers: string[], cells: string[]) {
  const context = parseContextFor(headers, { activeCurrencies: new Set(['EUR', 'USD', 'GBP']) });
  return parseRow(2, cells, context);
}

describe('pay columns of HR exports', () => {
  it('maps the pay amount, period and type headers of BambooHR, HiBob, Personio and Workday', () => {
    expect(fields(['Pay Rate', 'Pay Type', 'Pay Per'])).toEqual(['base_salary', 'pay_type', 'pay_period']);
    expect(fields(['Base salary', 'Salary pay period'])).toEqual(['base_salary', 'pay_period']);
    expect(fields(['Fixed salary', 'Salary interval'])).toEqual(['base_salary', 'pay_period']);
    expect(fields(['Salary', 'Period'])).toEqual(['base_salary', 'pay_period']);
    expect(fields(['Total Base Pay', 'Frequency', 'Currency'])).toEqual(['base_salary', 'pay_period', 'currency']);
    expect(fields(['Annual Base Pay', 'Pay Frequency'])).toEqual(['base_salary', 'pay_period']);
    expect(fields(['Pay Rate', 'Pay Period'])).toEqual(['base_salary', 'pay_period']);
  });

  it('imports a monthly amount as the annual salary, a day rate as one, and a period written in the amount', () => {
    const headers = ['Email', 'Name', 'Department', 'Salary', 'Pay Period'];
    const pay = (amount: string, period: string) => payOf(headers, ['ann@x.test', 'Ann', 'Ops', amount, period]).input?.pay;
    expect(pay('5,000.00 EUR', 'Monthly')).toMatchObject({ kind: 'salary', amountMinor: 6_000_000, currency: 'EUR' });
    expect(pay('5.000,00 €', 'monatlich')).toMatchObject({ kind: 'salary', amountMinor: 6_000_000, currency: 'EUR' });
    expect(pay('85000 EUR', 'Annual')).toMatchObject({ kind: 'salary', amountMinor: 8_500_000 });
    expect(pay('85000 EUR', 'Yearly')).toMatchObject({ kind: 'salary', amountMinor: 8_500_000 });
    expect(pay('85000 EUR', '')).toMatchObject({ kind: 'salary', amountMinor: 8_500_000 });
    expect(pay('20000 EUR', 'Quarter')).toMatchObject({ kind: 'salary', amountMinor: 8_000_000 });
    expect(pay('650 EUR', 'Day')).toMatchObject({ kind: 'day_rate', amountMinor: 65_000 });
    expect(pay('EUR 5,000/month', '')).toMatchObject({ kind: 'salary', amountMinor: 6_000_000, currency: 'EUR' });
    expect(pay('$7,000 per month', '')).toMatchObject({ kind: 'salary', amountMinor: 8_400_000, currency: 'USD' });
    expect(pay('€85,000 p.a.', '')).toMatchObject({ kind: 'salary', amountMinor: 8_500_000, currency: 'EUR' });
  });

  it('reads the currency from its sign or code when no currency column gives one, and still refuses an inactive one', () => {
    const headers = ['Email', 'Name', 'Department', 'Pay Rate'];
    const read = (amount: string) => payOf(headers, ['ann@x.test', 'Ann', 'Ops', amount]);
    expect(read('$85,000').input?.pay).toMatchObject({ amountMinor: 8_500_000, currency: 'USD' });
    expect(read('US$85,000').input?.pay).toMatchObject({ amountMinor: 8_500_000, currency: 'USD' });
    expect(read('£62,000.00').input?.pay).toMatchObject({ amountMinor: 6_200_000, currency: 'GBP' });
    expect(read('85.000,00 €').input?.pay).toMatchObject({ amountMinor: 8_500_000, currency: 'EUR' });
    expect(read('USD 85000').input?.pay).toMatchObject({ currency: 'USD' });
    expect(read('85000 CHF').reason).toMatchObject({ code: 'invalid_currency', detail: 'CHF is not an active currency of this tenant (active: EUR, GBP, USD)' });
    expect(read('85000 XYZ').reason).toMatchObject({ code: 'invalid_currency' });
    // A dollar sign beside a currency column: the column says which dollar; a euro amount is not in dollars.
    const withColumn = (amount: string, currency: string) => payOf([...headers, 'Currency'], ['ann@x.test', 'Ann', 'Ops', amount, currency]);
    expect(withColumn('$85,000', 'USD').input?.pay).toMatchObject({ currency: 'USD' });
    expect(withColumn('$85,000', 'EUR').reason).toMatchObject({ code: 'invalid_currency', detail: 'the amount says $ but the currency column says EUR' });
  });

  it('quarantines pay by the hour, naming the column that says so and what to give instead', () => {
    const headers = ['Email', 'Name', 'Department', 'Pay Rate', 'Pay Type', 'Pay Per'];
    const read = (amount: string, type: string, per: string) => payOf(headers, ['ann@x.test', 'Ann', 'Ops', amount, type, per]);
    expect(read('$40.00', 'Hourly', 'Hour').reason).toEqual({
      code: 'hourly_pay',
      field: 'base_salary',
      detail: '“$40.00” in “Pay Rate” is pay by the hour (“Pay Per” says Hour): Orgonaut keeps an annual base salary or a day rate, so give this person’s annual salary (with the period Year) or day rate (with the period Day)',
    });
    expect(read('$38.50', 'Exception Hourly', '').reason).toMatchObject({ code: 'hourly_pay', detail: expect.stringContaining('(“Pay Type” says Exception Hourly)') });
    expect(read('$40/hr', '', '').reason).toMatchObject({ code: 'hourly_pay', detail: expect.stringContaining('(the amount says per hour)') });
    // The period says what the amount is: a salaried person's pay per month is no hourly rate.
    expect(read('$9,000', 'Salary', 'Month').input?.pay).toMatchObject({ kind: 'salary', amountMinor: 10_800_000 });
    expect(read('$400', 'Daily', '').input?.pay).toMatchObject({ kind: 'day_rate', amountMinor: 40_000 });
  });

  it('refuses a period it cannot read, and a period that contradicts the amount or its column', () => {
    const headers = ['Email', 'Name', 'Department', 'Salary', 'Pay Per'];
    const read = (amount: string, per: string) => payOf(headers, ['ann@x.test', 'Ann', 'Ops', amount, per]);
    expect(read('5000 EUR', 'Pay Period').reason).toEqual({
      code: 'invalid_pay_period',
      field: 'pay_period',
      detail: '“Pay Period” in “Pay Per” is not a period the import reads: write Year, Month, Quarter, Week, Day or Hour',
    });
    expect(read('5000 EUR/month', 'Year').reason).toMatchObject({ code: 'invalid_pay_period', detail: 'the amount says per month but “Pay Per” says Year' });
    const day = payOf(['Email', 'Name', 'Department', 'Day Rate', 'Pay Per'], ['ann@x.test', 'Ann', 'Ops', '650 EUR', 'Month']);
    expect(day.reason).toMatchObject({ code: 'invalid_pay_period', detail: 'the day rate in “Day Rate” is pay per month (“Pay Per” says Month): map the column to base_salary, or give the period Day' });
  });
});

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const mapped = (run: { mapping: { header: string; field: string | null }[] }) => Object.fromEntries(run.mapping.map((m) => [m.header, m.field]));

async function upload(slug: string, body: string | Uint8Array, name: string) {
  const { owner } = await importTenant(database, { slug });
  const run = await createRunFromUpload(owner, { body, fileName: name });
  return { owner, run };
}

async function quarantined(ctx: ServiceContext, runId: string) {
  return (await listRows(ctx, runId, { quarantined: true })).items.map((r) => ({ row: r.row_number, code: r.reason!.code, field: r.reason!.field, detail: r.reason!.detail }));
}

describe('a BambooHR report with Pay Rate, Pay Type and Pay Per', () => {
  it('maps the pay columns without help, imports salaries a year and day rates, and quarantines hourly pay', async () => {
    const { owner, run } = await upload('pay-bamboo', fixture('bamboohr-pay-report.csv'), 'bamboohr-pay-report.csv');
    expect(mapped(run)).toMatchObject({ 'Pay Rate': 'base_salary', 'Pay Type': 'pay_type', 'Pay Per': 'pay_period' });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('unmapped_columns');
    expect(preview.counts?.rows).toMatchObject({ total: 6, would_import: 4, would_quarantine: 2 });
    expect(preview.counts?.quarantine_reasons).toEqual({ hourly_pay: 2 });

    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 6, imported: 4, quarantined: 2 } });
    expect(await quarantined(owner, run.id)).toEqual([
      { row: 5, code: 'hourly_pay', field: 'base_salary', detail: expect.stringContaining('“$40.00” in “Pay Rate” is pay by the hour (“Pay Per” says Hour)') },
      { row: 6, code: 'hourly_pay', field: 'base_salary', detail: expect.stringContaining('“$38.50” in “Pay Rate” is pay by the hour (“Pay Type” says Exception Hourly)') },
    ]);
    const org = await livePeople(owner);
    expect(org['carmen@bamboo-pay.test']).toMatchObject({ pay: '210000 USD', payKind: 'salary' });
    expect(org['daniel@bamboo-pay.test']).toMatchObject({ pay: '150000 USD', payKind: 'salary' });
    expect(org['linh@bamboo-pay.test']).toMatchObject({ pay: '128000 USD', payKind: 'salary', manager: 'daniel@bamboo-pay.test' });
    expect(org['peter@bamboo-pay.test']).toMatchObject({ pay: '650 USD', payKind: 'day_rate' });
    expect(org['tanya@bamboo-pay.test']).toBeUndefined();
  });
});

describe('a HiBob report with Base salary and Salary pay period', () => {
  it('imports monthly salaries ×12 in the currency their sign or code names, and says why the others wait', async () => {
    const { owner, run } = await upload('pay-hibob', fixture('hibob-pay-report.csv'), 'hibob-pay-report.csv');
    expect(mapped(run)).toMatchObject({ 'Base salary': 'base_salary', 'Salary pay period': 'pay_period', Currency: 'currency' });
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 7, imported: 5, quarantined: 2 } });
    expect(await quarantined(owner, run.id)).toEqual([
      { row: 5, code: 'hourly_pay', field: 'base_salary', detail: expect.stringContaining('“25.00” in “Base salary” is pay by the hour (“Salary pay period” says Hourly)') },
      { row: 7, code: 'invalid_currency', field: 'currency', detail: 'CHF is not an active currency of this tenant (active: EUR, GBP, USD)' },
    ]);
    const org = await livePeople(owner);
    expect(org['noa@bob-pay.test']).toMatchObject({ pay: '108000 EUR' });
    expect(org['sam@bob-pay.test']).toMatchObject({ pay: '72000 EUR' });
    expect(org['dana@bob-pay.test']).toMatchObject({ pay: '48000 GBP' });
    expect(org['yael@bob-pay.test']).toMatchObject({ pay: '85000 EUR' });
    expect(org['lior@bob-pay.test']).toMatchObject({ pay: '60000 EUR' });
  });
});

describe('a Personio export with Fixed salary and Salary interval, and a Workday report with Frequency', () => {
  it('reads monthly and yearly salaries as annual and quarantines the hourly student', async () => {
    const { owner, run } = await upload('pay-personio', fixture('personio-pay-report.csv'), 'personio-pay-report.csv');
    expect(mapped(run)).toMatchObject({ 'Fixed salary': 'base_salary', 'Salary interval': 'pay_period', Währung: 'currency' });
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 3, imported: 2, quarantined: 1 } });
    expect((await quarantined(owner, run.id)).map((q) => q.code)).toEqual(['hourly_pay']);
    const org = await livePeople(owner);
    expect(org['lena@personio-pay.test']).toMatchObject({ pay: '150000 EUR' });
    expect(org['jonas@personio-pay.test']).toMatchObject({ pay: '90000 EUR' });
  });

  it('reads Workday’s Total Base Pay by its Frequency', async () => {
    const { owner, run } = await upload('pay-workday', fixture('workday-pay-report.csv'), 'workday-pay-report.csv');
    expect(mapped(run)).toMatchObject({ 'Total Base Pay': 'base_salary', Frequency: 'pay_period', Currency: 'currency' });
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 3, imported: 2, quarantined: 1 } });
    const org = await livePeople(owner);
    expect(org['olivia@wd-pay.test']).toMatchObject({ pay: '180000 GBP' });
    expect(org['amir@wd-pay.test']).toMatchObject({ pay: '75000 GBP' });
    expect(org['ethan@wd-pay.test']).toBeUndefined();
  });
});

describe('the preview of a salary column without a period', () => {
  it('warns about an amount that looks like an hourly rate among annual salaries', async () => {
    const csv = csvOf(
      ['Work Email', 'Name', 'Department', 'Salary', 'Currency'],
      [
        ['ann@hourly.test', 'Ann', 'Ops', '98,000.00', 'USD'],
        ['bo@hourly.test', 'Bo', 'Ops', '104,500.00', 'USD'],
        ['cy@hourly.test', 'Cy', 'Ops', '40.00', 'USD'],
        ['di@hourly.test', 'Di', 'Ops', '120,000.00', 'USD'],
      ],
    );
    const { owner, run } = await upload('pay-looks-hourly', csv, 'salaries.csv');
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings).toContainEqual({
      code: 'pay_looks_hourly',
      message:
        'Row 3’s pay in “Salary”, 40.00, looks like an hourly rate beside the other rows’ salaries (around 104,500.00 USD), yet it would be imported as an annual salary of 40.00 USD. If it is pay by the hour, give the annual salary instead, or add a pay period column (Pay Per: Hour) so such rows are quarantined to fix.',
    });
    const salaries = csv.replace('40.00', '99,000.00');
    const { owner: other, run: plain } = await upload('pay-plain', salaries, 'salaries.csv');
    expect((await previewRun(other, plain.id)).warnings.map((w) => w.code)).not.toContain('pay_looks_hourly');
  });
});
