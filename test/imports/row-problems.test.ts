import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import { itemEnvelope, listEnvelope } from '../../src/api/schemas.js';
import { FixedImportRowSchema, ImportRowSchema } from '../../src/api/v1/import-schemas.js';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { parseRow } from '../../src/imports/parse-row.js';
import { REASONS } from '../../src/imports/reasons.js';
import { listRows } from '../../src/imports/review.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, memberToken } from '../support/factories.js';
import { csvOf, importFile, importTenant, parseContextFor } from './support.js';

/**
 * A quarantined row says every problem its cells have at once (a bad FTE, an unknown currency and a blank email), not
 * one per reprocess: the first stays the reason run summaries count, the others are listed with it on every surface
 * (the service, REST, the review page) — so a reviewer fixes them in one go.
 */

const HEADER = ['Email', 'Name', 'Department', 'FTE', 'Currency', 'Base Salary', 'Start Date'];
const FILE = csvOf(HEADER, [
  ['ann@probs.test', 'Ann', 'Engineering', '1', 'EUR', '85000', '2024-01-01'],
  ['', 'Bob', 'Engineering', '7', 'XYZ', '85000', '2024-01-01'],
  ['cat@probs.test', 'Cat', 'Engineering', 'half', 'EUR', '85000', '2024-02-30'],
]);

let database: Database;
let app: TestApp;
let tenant: Tenant;
let owner: ServiceContext;
let runId: string;
const HOST = 'probs.localhost';
const tokens = new Map<string, string>();

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant, owner } = await importTenant(database, { slug: 'probs' }));
  tokens.set('owner', await memberToken(database, tenant, 'owner'));
  tokens.set('no-costs', await memberToken(database, tenant, 'owner', { abilities: ALL_ABILITIES.filter((a) => a !== 'costs.read') }));
  runId = (await importFile(owner, FILE)).id;
});
afterAll(() => database?.close());

async function send(path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { host: HOST, authorization: `Bearer ${tokens.get(init.token ?? 'owner')}` };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await app.app.request(path, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  return { status: response.status, body: (await response.json()) as { data: any } };
}

describe('every problem of a row at once', () => {
  it('reads a row through after its first problem, keeping that one as the reason', () => {
    const ctx = parseContextFor(HEADER);
    const parsed = parseRow(2, ['', 'Bob', 'Engineering', '7', 'XYZ', '85000', '2024-01-01'], ctx);
    expect(parsed.input).toBeNull();
    expect(parsed.reason).toMatchObject({ code: 'missing_required_field', field: 'email' });
    expect(parsed.reason?.others?.map((p) => [p.code, p.field])).toEqual([
      ['invalid_fte', 'fte'],
      ['invalid_currency', 'currency'],
    ]);
    // A row with one problem has no others.
    expect(parseRow(1, ['a@x.test', 'A', 'Ops', '9', 'EUR', '1', ''], ctx).reason).toEqual({ code: 'invalid_fte', field: 'fte', detail: expect.stringContaining('0.01 to 3.00') });
  });

  it('says a totals line is no person, whichever column holds its label, without listing what its sums seem to say', () => {
    const ctx = parseContextFor(HEADER);
    for (const values of [['Total', '', '', '', '', '470000', ''], ['', 'Grand total', '', '', '', '470000', '']]) {
      const parsed = parseRow(9, values, ctx);
      expect(parsed.reason, values.join(',')).toEqual({ code: 'missing_required_field', field: 'email', detail: expect.stringContaining('this looks like a totals row') });
      expect(parsed.reason?.detail).toContain('ignore it');
    }
    // What to do says so too, not only “fill in the field”.
    expect(REASONS.missing_required_field.fix).toContain('(a totals or notes line): ignore it');
  });

  it('counts a row once, by its first problem, and lists the others on the row', async () => {
    const page = await listRows(owner, runId, { quarantined: true });
    expect(page.items.map((r) => [r.row_number, r.reason?.code, r.reason?.others.map((p) => p.code)])).toEqual([
      [2, 'missing_required_field', ['invalid_fte', 'invalid_currency']],
      [3, 'invalid_fte', ['invalid_date']],
    ]);
    expect(page.items[0]!.reason!.others[1]).toMatchObject({ detail: expect.stringContaining('XYZ is not an active currency'), fix: expect.stringContaining('active currency') });
  });

  it('answers the problems on REST, and the fix check says all that is still wrong', async () => {
    const list = await send(`/api/v1/imports/${runId}/quarantine`);
    expect(list.status).toBe(200);
    expect(listEnvelope(ImportRowSchema).safeParse(list.body).success).toBe(true);
    expect(list.body.data[1].reason).toMatchObject({ code: 'invalid_fte', others: [{ code: 'invalid_date', field: 'start_date', detail: expect.stringContaining('2024-02-30'), fix: expect.any(String) }] });
    // Fixing only the FTE of row 3: the check names the date still wrong.
    const partly = await send(`/api/v1/imports/${runId}/rows/3`, { method: 'PATCH', json: { values: { FTE: '0.5' } } });
    expect(partly.status).toBe(200);
    expect(itemEnvelope(FixedImportRowSchema).safeParse(partly.body).success).toBe(true);
    expect(partly.body.data.check).toMatchObject({ code: 'invalid_date', field: 'start_date', others: [] });
    // Fixing only the email of row 2: the check lists both problems left.
    const two = await send(`/api/v1/imports/${runId}/rows/2`, { method: 'PATCH', json: { values: { Email: 'bob@probs.test' } } });
    expect(two.body.data.check).toMatchObject({ code: 'invalid_fte', others: [{ code: 'invalid_currency' }] });
  });

  it('does not quote a pay cell in a problem to someone without costs.read', async () => {
    const run = (await importFile(owner, csvOf(HEADER, [['dan@probs.test', 'Dan', 'Ops', 'x', 'EUR', '85,00,0', '']]))).id;
    const row = (await send(`/api/v1/imports/${run}/rows/1`, { token: 'no-costs' })).body.data;
    expect(row.reason).toMatchObject({ code: 'invalid_fte', others: [{ code: 'invalid_amount', field: 'base_salary', detail: null, fix: expect.any(String) }] });
    expect(JSON.stringify(row)).not.toContain('85,00,0');
    const own = (await send(`/api/v1/imports/${run}/rows/1`)).body.data;
    expect(own.reason.others[0].detail).toContain('85,00,0');
  });

  it('says every problem of a sample row in the preview, before the import runs', async () => {
    const form = new FormData();
    form.set('file', new File([FILE], 'people.csv', { type: 'text/csv' }));
    const response = await app.app.request('/api/v1/imports', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${tokens.get('owner')}` }, body: form });
    const id = ((await response.json()) as { data: { id: string } }).data.id;
    const preview = (await send(`/api/v1/imports/${id}/preview`)).body.data;
    expect(preview.sample[1].problem).toMatchObject({ code: 'missing_required_field', others: [{ code: 'invalid_fte' }, { code: 'invalid_currency' }] });
    expect(preview.counts.quarantine_reasons).toEqual({ missing_required_field: 1, invalid_fte: 1 });
  });

  it('lists every problem of a sample row on the web preview too, as the review will', async () => {
    const password = 'correct horse battery';
    const cookie = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password })).email, password);
    const form = new FormData();
    form.set('file', new File([FILE], 'people.csv', { type: 'text/csv' }));
    const response = await app.app.request('/api/v1/imports', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${tokens.get('owner')}` }, body: form });
    const id = ((await response.json()) as { data: { id: string } }).data.id;
    const html = await (await app.request(`/imports/${id}`, { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    const bob = /<td class="num">2<\/td><td class="outcome">([\s\S]*?)<\/td>/.exec(html)![1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(bob).toContain('quarantined 3 problems');
    expect(bob).toContain('A required field is blank or malformed missing_required_field in email');
    expect(bob).toContain('The FTE is not a valid number invalid_fte in fte');
    expect(bob).toContain('Unknown or inactive currency invalid_currency in currency');
    expect(bob).toContain('Fix: Use an active currency');
  });

  it('warns in the preview about dates with the year last when one is a row’s second problem', async () => {
    const form = new FormData();
    form.set('file', new File([csvOf(HEADER, [['eve@probs.test', 'Eve', 'Ops', '9', 'EUR', '85000', '03/05/2024']])], 'slashed.csv', { type: 'text/csv' }));
    const response = await app.app.request('/api/v1/imports', { method: 'POST', headers: { host: HOST, authorization: `Bearer ${tokens.get('owner')}` }, body: form });
    const id = ((await response.json()) as { data: { id: string } }).data.id;
    const preview = (await send(`/api/v1/imports/${id}/preview`)).body.data;
    expect(preview.sample[0].problem).toMatchObject({ code: 'invalid_fte', others: [{ code: 'invalid_date' }] });
    expect(preview.warnings).toContainEqual({ code: 'date_order', message: expect.stringContaining('1 row(s) write dates with the year last') });
  });

  it('lists every problem on the review page and marks each cell at fault', async () => {
    const password = 'correct horse battery';
    const cookie = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password })).email, password);
    const run = (await importFile(owner, FILE)).id;
    const response = await app.request(`/imports/${run}/review`, { host: HOST, cookie, headers: { accept: 'text/html' } });
    const html = await response.text();
    const words = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(words).toContain('3 problems on this row — fix them all before reprocessing');
    expect(words).toContain('A required field is blank or malformed missing_required_field in email');
    expect(words).toContain('The FTE is not a valid number invalid_fte in fte');
    expect(words).toContain('Unknown or inactive currency invalid_currency in currency');
    expect(words).toContain('Fix: Use an active currency');
    // Row 2's email, FTE and currency cells are all marked.
    const invalid = [...html.matchAll(/id="r2-c(\d+)"[^>]*aria-invalid="true"/g)].map((m) => Number(m[1]));
    expect(invalid).toEqual([0, 3, 4]);
  });
});
