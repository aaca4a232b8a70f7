import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { detectMapping } from '../../src/imports/fields.js';
import { parseRow, type ParseContext } from '../../src/imports/parse-row.js';
import { previewRun } from '../../src/imports/preview.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { csvOf, importFile, importTenant, parseContextFor } from './support.js';

/**
 * Pay as HR exports write it: a “Salary” or “Annual Salary” column holds the currency's main unit (85000, 85,000.00,
 * 85.000,00, 85000 EUR) and maps to base_salary; the documented *_cents fields keep reading minor units, and the
 * preview says so with the first value as it will be read.
 */

const contextFor = (headers: string[]): ParseContext => parseContextFor(headers, { activeCurrencies: new Set(['EUR', 'USD', 'JPY']) });

function payOf(headers: string[], amount: string, currency = 'EUR') {
  const context = contextFor(headers);
  return parseRow(2, ['ann@x.test', 'Ann', 'Engineering', currency, amount], context);
}

describe('pay columns', () => {
  it('maps the headers HR exports use to the main-unit fields, and keeps cents headers on the cents fields', () => {
    const fields = (headers: string[]) => detectMapping(headers, 'orgonaut').map((m) => m.field);
    expect(fields(['Salary', 'Day Rate'])).toEqual(['base_salary', 'daily_rate']);
    expect(fields(['Annual Salary', 'Base Salary'])).toEqual(['base_salary', null]);
    expect(fields(['Base Salary Cents', 'Salary (cents)', 'Daily Rate Cents'])).toEqual(['base_salary_cents', null, 'daily_rate_cents']);
  });

  it('reads amounts in the main unit as spreadsheets and HR systems write them', () => {
    const headers = ['Email', 'Name', 'Department', 'Currency', 'Salary'];
    for (const [cell, minor] of [
      ['85000', 8_500_000],
      ['85000.00', 8_500_000],
      ['85,000.00', 8_500_000],
      ['85,000', 8_500_000],
      ['85.000,00', 8_500_000],
      ['85.000', 8_500_000],
      ['85 000,50', 8_500_050],
      ["85'000", 8_500_000],
      ['1,234,567.8', 123_456_780],
      ['85000,5', 8_500_050],
      ['€85,000', 8_500_000],
      ['85000 EUR', 8_500_000],
      ['eur 85000', 8_500_000],
    ] as const) {
      expect(payOf(headers, cell).input?.pay, cell).toEqual({ kind: 'salary', amountMinor: minor, currency: 'EUR', effective: null });
    }
    // A currency without minor units: 850000 yen are 850000 minor units.
    expect(payOf(headers, '850,000', 'JPY').input?.pay).toMatchObject({ amountMinor: 850_000, currency: 'JPY' });
    // The code in the amount is the currency when the column is blank.
    expect(payOf(headers, '92,000.00 USD', '').input?.pay).toMatchObject({ amountMinor: 9_200_000, currency: 'USD' });
    expect(payOf(['Email', 'Name', 'Department', 'Currency', 'Day Rate'], '650').input?.pay).toMatchObject({ kind: 'day_rate', amountMinor: 65_000 });
  });

  it('quarantines what is not an amount, saying how to write one', () => {
    const headers = ['Email', 'Name', 'Department', 'Currency', 'Salary'];
    for (const cell of ['85000.000', '85,00,000', 'lots', '-5000', '1.2.3', '85000.']) {
      expect(payOf(headers, cell).reason, cell).toMatchObject({ code: 'invalid_amount', field: 'base_salary', detail: `“${cell}” is not an amount${cell === '-5000' ? ' (pay cannot be negative)' : ''} (write it like 85000, 85,000.00 or 85.000,00)` });
    }
    expect(payOf(headers, '850000.5', 'JPY').reason).toMatchObject({ code: 'invalid_amount', detail: expect.stringContaining('JPY has no decimals') });
    expect(payOf(headers, '85000 USD', 'EUR').reason).toMatchObject({ code: 'invalid_currency', detail: 'the amount says USD but the currency column says EUR' });
  });

  it('keeps reading the cents fields in cents, pointing to base_salary when a value looks like an amount', () => {
    const headers = ['Email', 'Name', 'Department', 'Currency', 'Base Salary Cents'];
    expect(payOf(headers, '8500000').input?.pay).toMatchObject({ amountMinor: 8_500_000 });
    expect(payOf(headers, '85,000.00').reason).toMatchObject({
      code: 'invalid_amount',
      field: 'base_salary_cents',
      detail: '“85,000.00” is not a whole number of cents (an amount as HR systems write it? map the column to base_salary)',
    });
  });

  it('refuses two pay amounts on one row', () => {
    const context = contextFor(['Email', 'Name', 'Department', 'Currency', 'Salary', 'Day Rate']);
    expect(parseRow(2, ['ann@x.test', 'Ann', 'Ops', 'EUR', '85000', '650'], context).reason).toMatchObject({ code: 'invalid_amount', detail: 'give one pay amount per row, not both base_salary and daily_rate' });
  });
});

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database));
});
afterAll(() => database?.close());

describe('an HR export with salaries', () => {
  it('imports “Salary” in the main unit: 85,000.00 is stored as 8500000 cents', async () => {
    const csv = csvOf(['Work Email', 'Name', 'Department', 'Currency', 'Salary'], [['ann@pay.test', 'Ann', 'Engineering', 'EUR', '85,000.00']]);
    const run = await importFile(owner, csv);
    expect(run.status).toBe('completed');
    const live = (await owner.graphs.live(tenant.id)).graph;
    const ann = [...live.actors.values()].find((a) => a.email === 'ann@pay.test')!;
    expect([...live.compensations.values()].find((c) => c.actorId === ann.id)).toMatchObject({ kind: 'salary', amountMinor: 8_500_000, currency: 'EUR' });
  });

  it('says in the preview that a cents column is read in cents, with its first value as it will be read', async () => {
    const csv = csvOf(['Work Email', 'Name', 'Department', 'Currency', 'Base Salary Cents'], [['bo@pay.test', 'Bo', 'Engineering', 'EUR', '85000']]);
    const run = await createRunFromUpload(owner, { body: csv, fileName: 'cents.csv' });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings).toContainEqual({
      code: 'pay_in_cents',
      message: 'Pay in “Base Salary Cents” is read in cents (minor units): its first value, 85000, will be read as 850.00 EUR. If the column holds amounts as your HR system shows them (85000 or 85,000.00), map it to base_salary instead.',
    });
    // A spreadsheet's “.00” is still read as cents: said with that value.
    const decimals = await createRunFromUpload(owner, { body: csv.replace(',85000', ',85000.00'), fileName: 'cents-decimals.csv' });
    expect((await previewRun(owner, decimals.id)).warnings.find((w) => w.code === 'pay_in_cents')?.message).toContain('its first value, 85000.00, will be read as 850.00 EUR');
    const salary = await createRunFromUpload(owner, { body: csv.replace('Base Salary Cents', 'Salary'), fileName: 'salary.csv' });
    expect((await previewRun(owner, salary.id)).warnings.map((w) => w.code)).not.toContain('pay_in_cents');
  });
});
