import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from '@hono/zod-openapi';
import { and, count, eq } from 'drizzle-orm';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import { itemEnvelope, listEnvelope } from '../../src/api/schemas.js';
import { FixedImportRowSchema, ImportPreviewSchema, ImportRowSchema, ImportRunSchema } from '../../src/api/v1/import-schemas.js';
import type { Database } from '../../src/db/connection.js';
import { importRows, importRuns, lineageEntries, tenantCurrencies } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { memberToken } from '../support/factories.js';
import { csvOf, importTenant, liveState } from './support.js';
import { settledStatus } from '../support/settle.js';

/**
 * Imports over REST (SPEC §7): upload (multipart or text/csv), mapping, preview, start and poll, quarantine review,
 * reprocess; malformed files refused with a clear problem and nothing stored; abilities and tenant isolation.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let other: Tenant;
const HOST = 'impapi.localhost';
const tokens = new Map<string, string>();

type Body = { data: any; next_cursor?: string | null; [key: string]: any };

async function send(path: string, init: { method?: string; token?: string; json?: unknown; body?: BodyInit; type?: string; host?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { host: init.host ?? HOST, authorization: `Bearer ${init.token ?? tokens.get('owner')}`, ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.type) headers['content-type'] = init.type;
  const response = await app.app.request(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  return { status: response.status, body: (await response.json()) as Body, headers: response.headers };
}

function multipart(csv: string | Uint8Array, name = 'people.csv', extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set('file', new File([csv as BlobPart], name, { type: 'text/csv' }));
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return form;
}

const tokenFor = (t: Tenant, role: Role, abilities?: string[]) => memberToken(database, t, role, { abilities });

function conforms(schema: z.ZodType, body: unknown, label: string) {
  const parsed = schema.safeParse(body);
  expect(parsed.success ? null : parsed.error.issues, label).toBeNull();
  expect(parsed.data, label).toEqual(body);
}

/**
 * Checks a response body against the JSON Schema the OpenAPI document (/docs/api.json) declares for the route — the
 * document clients generate code from, not the Zod schema it came from. A small validator for the keywords the
 * generator emits ($ref, type, enum, const, properties, required, additionalProperties, items, anyOf, oneOf, allOf).
 */
let apiDoc: any;
async function matchesDocument(path: string, method: string, status: number, body: unknown, label: string) {
  apiDoc ??= await (await app.app.request('/docs/api.json', { headers: { host: HOST } })).json();
  const schema = apiDoc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;
  expect(schema, `${label}: ${method.toUpperCase()} ${path} ${status} documented`).toBeTruthy();
  const errors: string[] = [];
  checkSchema(schema, body, '$', errors);
  expect(errors, label).toEqual([]);
}

function checkSchema(schema: any, value: unknown, at: string, errors: string[]): void {
  if (!schema || schema === true) return;
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    const target = apiDoc.components.schemas[name];
    if (!target) errors.push(`${at}: unresolved ${schema.$ref}`);
    else checkSchema(target, value, at, errors);
    return;
  }
  const passes = (s: any) => {
    const found: string[] = [];
    checkSchema(s, value, at, found);
    return found.length === 0;
  };
  if (schema.allOf) for (const s of schema.allOf) checkSchema(s, value, at, errors);
  if (schema.anyOf && !schema.anyOf.some(passes)) errors.push(`${at}: matches none of anyOf (${JSON.stringify(value)?.slice(0, 80)})`);
  if (schema.oneOf && !schema.oneOf.some(passes)) errors.push(`${at}: matches none of oneOf (${JSON.stringify(value)?.slice(0, 80)})`);
  if (schema.nullable === true && value === null) return;
  if (schema.enum && !schema.enum.some((e: unknown) => e === value)) errors.push(`${at}: ${JSON.stringify(value)} is not in enum ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value) errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOf = (t: string) =>
      t === 'null' ? value === null
      : t === 'integer' ? Number.isInteger(value)
      : t === 'array' ? Array.isArray(value)
      : t === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value)
      : typeof value === t;
    if (!types.some(typeOf)) {
      errors.push(`${at}: ${JSON.stringify(value)?.slice(0, 80)} is not of type ${types.join('|')}`);
      return;
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => checkSchema(schema.items, v, `${at}[${i}]`, errors));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${at}.${key}: required`);
    for (const [key, v] of Object.entries(record)) {
      if (schema.properties?.[key]) checkSchema(schema.properties[key], v, `${at}.${key}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${at}.${key}: not declared`);
      else if (typeof schema.additionalProperties === 'object') checkSchema(schema.additionalProperties, v, `${at}.${key}`, errors);
    }
  }
}

const settled = (id: string) => settledStatus(async () => (await send(`/api/v1/imports/${id}`)).body.data, `run ${id}`);

async function stored() {
  const runs = Number((await database.db.select({ n: count() }).from(importRuns).where(eq(importRuns.tenantId, tenant.id)))[0]!.n);
  const rows = Number((await database.db.select({ n: count() }).from(importRows).where(eq(importRows.tenantId, tenant.id)))[0]!.n);
  return { runs, rows, live: await liveState(database, tenant.id) };
}

const HEADER = ['Work Email', 'First Name', 'Last Name', 'Department', 'Team', 'Job Title', 'Manager Email', 'FTE', 'Currency', 'Base Salary Cents'];
const ROWS = [
  ['ceo@imp.test', 'Cee', 'Oh', 'Executive', '', 'CEO', '', '1', 'EUR', '20000000'],
  ['ann@imp.test', 'Ann', 'Lee', 'Engineering', 'Platform', 'Engineer', 'ceo@imp.test', '1', 'EUR', '9000000'],
  ['bad@imp.test', 'Bad', 'Fte', 'Engineering', 'Platform', 'Engineer', 'ceo@imp.test', '9', 'EUR', '9000000'],
];
const FILE = csvOf(HEADER, ROWS);

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant } = await importTenant(database, { slug: 'impapi' }));
  ({ tenant: other } = await importTenant(database, { slug: 'impapiother' }));
  tokens.set('owner', await tokenFor(tenant, 'owner'));
  tokens.set('viewer', await tokenFor(tenant, 'viewer'));
  tokens.set('no-costs', await tokenFor(tenant, 'owner', ALL_ABILITIES.filter((a) => a !== 'costs.read')));
  tokens.set('other', await tokenFor(other, 'owner'));
});
afterAll(() => database?.close());

let runId: string;

describe('the import workflow over REST', () => {
  it('uploads a file (multipart), detects the mapping, previews, starts, and reports progress and summary', async () => {
    const created = await send('/api/v1/imports', { body: multipart(FILE) });
    expect(created.status).toBe(201);
    conforms(itemEnvelope(ImportRunSchema), created.body, 'upload');
    runId = created.body.data.id;
    expect(created.headers.get('location')).toBe(`/api/v1/imports/${runId}`);
    expect(created.body.data).toMatchObject({ status: 'pending', format: 'orgonaut', file: { name: 'people.csv', rows: 3, delimiter: ',' }, target: { kind: 'live' }, same_file_imported: null });
    expect(created.body.data.mapping.map((m: { field: string }) => m.field)).toEqual(['email', 'first_name', 'last_name', 'department', 'team', 'job_title', 'manager_email', 'fte', 'currency', 'base_salary_cents']);

    const preview = await send(`/api/v1/imports/${runId}/preview?rows=2`);
    expect(preview.status).toBe(200);
    conforms(itemEnvelope(ImportPreviewSchema), preview.body, 'preview');
    expect(preview.body.data.sample).toHaveLength(2);
    expect(preview.body.data.counts).toMatchObject({ rows: { total: 3, would_import: 2, would_quarantine: 1, created: 2 }, quarantine_reasons: { invalid_fte: 1 } });
    expect(await liveState(database, tenant.id)).toMatchObject({ actors: 0 });

    const started = await send(`/api/v1/imports/${runId}/start`, { method: 'POST' });
    expect(started.status).toBe(202);
    conforms(itemEnvelope(ImportRunSchema), started.body, 'start');
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'completed', summary: { rows: { imported: 2, quarantined: 1 } }, progress: { percent: 100 } });
    expect((await send(`/api/v1/imports/${runId}/start`, { method: "POST" })).status).toBe(409);
  });

  it('lists runs with a status filter', async () => {
    const completed = await send('/api/v1/imports?status=completed');
    conforms(listEnvelope(ImportRunSchema), completed.body, 'list');
    expect(completed.body.data.map((r: { id: string }) => r.id)).toContain(runId);
    expect((await send('/api/v1/imports?status=pending')).body.data.map((r: { id: string }) => r.id)).not.toContain(runId);
    expect((await send('/api/v1/imports?status=done')).status).toBe(400);
  });

  it('says before starting that the very same file was imported into the same target already, and when', async () => {
    const again = await send('/api/v1/imports', { body: multipart(FILE, 'people (1).csv') });
    expect(again.status).toBe(201);
    const finished = (await send(`/api/v1/imports/${runId}`)).body.data.finished_at;
    expect(again.body.data.same_file_imported).toEqual({ run_id: runId, file_name: 'people.csv', finished_at: finished });
    expect((await send(`/api/v1/imports/${again.body.data.id}`)).body.data.same_file_imported).toMatchObject({ run_id: runId });
    const preview = await send(`/api/v1/imports/${again.body.data.id}/preview`);
    const warning = preview.body.data.warnings.find((w: { code: string }) => w.code === 'same_file_imported');
    expect(warning.message).toContain(`imported into Live already on ${finished.slice(0, 10)}`);
    expect(warning.message).toContain(runId);
    expect(preview.body.data.counts.rows).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

    // Another file (one cell differs) is no repeat; a run already imported says nothing about itself.
    const changed = await send('/api/v1/imports', { body: multipart(csvOf(HEADER, [...ROWS.slice(0, 2), ROWS[2]!.map((v) => (v === '9' ? '0.9' : v))])) });
    expect(changed.body.data.same_file_imported).toBeNull();
    expect((await send(`/api/v1/imports/${changed.body.data.id}/preview`)).body.data.warnings.map((w: { code: string }) => w.code)).not.toContain('same_file_imported');
    expect((await send(`/api/v1/imports/${runId}`)).body.data.same_file_imported).toBeNull();
  });

  it('refuses a cursor reused with other filters, or for another run’s rows', async () => {
    const other = await send('/api/v1/imports', { body: csvOf(HEADER, ROWS), type: 'text/csv' });
    expect(other.status).toBe(201);
    const runs = await send('/api/v1/imports?limit=1');
    expect(runs.body.next_cursor).toEqual(expect.any(String));
    expect((await send(`/api/v1/imports?limit=1&cursor=${runs.body.next_cursor}`)).status).toBe(200);
    const refusedRuns = await send(`/api/v1/imports?limit=1&status=completed&cursor=${runs.body.next_cursor}`);
    expect([refusedRuns.status, refusedRuns.body.field, refusedRuns.body.detail]).toEqual([400, 'cursor', expect.stringContaining('issued for another query')]);

    const rows = await send(`/api/v1/imports/${runId}/rows?limit=1`);
    expect(rows.body.next_cursor).toEqual(expect.any(String));
    expect((await send(`/api/v1/imports/${runId}/rows?limit=1&cursor=${rows.body.next_cursor}`)).status).toBe(200);
    for (const path of [`/api/v1/imports/${runId}/rows?limit=1&status=quarantined`, `/api/v1/imports/${other.body.data.id}/rows?limit=1`]) {
      const refused = await send(`${path}&cursor=${rows.body.next_cursor}`);
      expect([refused.status, refused.body.field], path).toEqual([400, 'cursor']);
    }
  });

  it('lists quarantined rows, fixes one, ignores none, and reprocesses', async () => {
    const quarantined = await send(`/api/v1/imports/${runId}/quarantine?resolution=pending`);
    conforms(listEnvelope(ImportRowSchema), quarantined.body, 'quarantine');
    expect(quarantined.body.data.map((r: { row_number: number; reason: { code: string } }) => [r.row_number, r.reason.code])).toEqual([[3, 'invalid_fte']]);
    const bad = await send(`/api/v1/imports/${runId}/rows/3`, { method: 'PATCH', json: { values: { colour: 'red' } } });
    expect(bad.status).toBe(400);
    // A fix that still does not read well says so at once (check), not only after the reprocess.
    const stillBad = await send(`/api/v1/imports/${runId}/rows/3`, { method: 'PATCH', json: { values: { FTE: 'ca. 0,8' } } });
    expect(stillBad.status).toBe(200);
    conforms(itemEnvelope(FixedImportRowSchema), stillBad.body, 'fix still bad');
    expect(stillBad.body.data.check).toMatchObject({ code: 'invalid_fte', field: 'fte', detail: expect.stringContaining('ca. 0,8'), fix: expect.stringContaining('0.01 to 3.00') });
    const fixed = await send(`/api/v1/imports/${runId}/rows/3`, { method: 'PATCH', json: { values: { FTE: '0.9' } } });
    expect(fixed.status).toBe(200);
    conforms(itemEnvelope(FixedImportRowSchema), fixed.body, 'fix');
    expect(fixed.body.data).toMatchObject({ resolution: 'reprocessing', check: null });
    expect((await send(`/api/v1/imports/${runId}/rows/1/ignore`, { method: 'POST' })).status).toBe(409);
    const again = await send(`/api/v1/imports/${runId}/reprocess`, { method: 'POST' });
    expect(again.status).toBe(202);
    expect(await settled(runId)).toMatchObject({ status: 'completed', step: 2, summary: { rows: { imported: 3, quarantined: 0 } } });
    expect((await send(`/api/v1/imports/${runId}/rows/3`)).body.data).toMatchObject({ status: 'imported', resolution: 'fixed' });
    expect((await liveState(database, tenant.id)).actors).toBe(3);
  });

  it('answers a row number the run does not have with the numbers it has, on every row route', async () => {
    for (const [method, path] of [['GET', 'rows/4'], ['PATCH', 'rows/4'], ['POST', 'rows/4/ignore']] as const) {
      const missing = await send(`/api/v1/imports/${runId}/${path}`, { method, json: method === 'PATCH' ? { values: { FTE: '1' } } : undefined });
      const number = path.split('/')[1];
      expect([missing.status, missing.body.code, missing.body.detail], `${method} ${path}`).toEqual([404, 'not_found', `This import has no row ${number}: its file has 3 data rows, numbered 1 to 3.`]);
      expect(missing.body.fix).toContain('Row numbers count the data rows from 1 (the header is not counted)');
    }
  });

  it('says what to do when a row or a run is not ready for review: start the import first, or edit an imported record', async () => {
    const imported = await send(`/api/v1/imports/${runId}/rows/1`, { method: 'PATCH', json: { values: { FTE: '0.5' } } });
    expect([imported.status, imported.body.detail, imported.body.fix]).toEqual([409, 'Only quarantined rows can be fixed or ignored; this row was imported.', expect.stringContaining('edit the record in Orgonaut')]);
    const pending = (await send('/api/v1/imports', { body: multipart(FILE, 'not-started.csv') })).body.data.id;
    const notProcessed = await send(`/api/v1/imports/${pending}/rows/3`, { method: 'PATCH', json: { values: { FTE: '0.5' } } });
    expect([notProcessed.status, notProcessed.body.detail, notProcessed.body.fix]).toEqual([409, 'Only quarantined rows can be fixed or ignored; this row was not processed yet.', expect.stringContaining('Start the import first')]);
    const reprocess = await send(`/api/v1/imports/${pending}/reprocess`, { method: 'POST' });
    expect([reprocess.status, reprocess.body.detail, reprocess.body.fix]).toEqual([409, 'This import has not run yet, so it has no rows to reprocess.', expect.stringContaining('Start it first')]);
    // A run another request is processing: wait, not "fix its rows".
    await database.db.update(importRuns).set({ status: 'processing' }).where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, pending)));
    const running = await send(`/api/v1/imports/${pending}/start`, { method: 'POST' });
    expect([running.status, running.body.detail, running.body.fix]).toEqual([409, 'This import is already running.', expect.stringContaining('Wait for it to finish')]);
    await database.db.update(importRuns).set({ status: 'pending' }).where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.id, pending)));
  });

  it('takes a text/csv body with query options, and edits the mapping and target before starting', async () => {
    const created = await send('/api/v1/imports?file_name=team.txt&format=orgonaut', { body: 'email;name;department;title\nzed@imp.test;Zed;Ops;Operator\n', type: 'text/csv' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ file: { name: 'team.txt', delimiter: ';' } });
    const id = created.body.data.id;
    const wrong = await send(`/api/v1/imports/${id}`, { method: 'PATCH', json: { mapping: [{ column: 3, field: 'colour' }] } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe('mapping[0].field');
    const twice = await send(`/api/v1/imports/${id}`, { method: 'PATCH', json: { mapping: [{ column: 0, field: 'email' }, { column: 3, field: 'email' }] } });
    expect(twice.status).toBe(400);
    expect(twice.body.detail).toContain('field email is mapped from two columns (0 and 3)');
    // Naming a field for another column moves it there.
    const moved = await send(`/api/v1/imports/${id}`, { method: 'PATCH', json: { mapping: [{ column: 3, field: 'email' }] } });
    expect(moved.status).toBe(200);
    expect(moved.body.data.mapping.map((m: { field: string | null }) => m.field)).toEqual([null, 'name', 'department', 'email']);
    const patched = await send(`/api/v1/imports/${id}`, {
      method: 'PATCH',
      json: { mapping: [{ column: 0, field: 'email' }, { column: 3, field: 'job_title' }], options: { create_missing_types: true } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data.mapping[3]).toEqual({ column: 3, header: 'title', field: 'job_title' });
    expect(patched.body.data.options).toEqual({ create_missing_types: true, date_order: null });
    expect((await send(`/api/v1/imports/${id}/start`, { method: 'POST' })).status).toBe(202);
    expect(await settled(id)).toMatchObject({ status: 'completed', summary: { rows: { created: 1 } } });
    expect((await send(`/api/v1/imports/${id}`, { method: 'PATCH', json: { options: { create_missing_types: false } } })).status).toBe(409);
  });

  it('reads a semicolon file starting with an empty line after a BOM, and skips separator-only rows', async () => {
    const text = '\uFEFF\r\nemail;name;department\r\nsep1@imp.test;Sep One;Ops\r\n;;\r\nsep2@imp.test;Sep Two;Ops\r\n;;;;;;\r\n;;\r\n';
    const created = await send('/api/v1/imports', { body: multipart(text, 'excel.csv') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ file: { delimiter: ';', rows: 2 } });
    expect(created.body.data.mapping.map((m: { field: string | null }) => m.field)).toEqual(['email', 'name', 'department']);
    expect((await send(`/api/v1/imports/${created.body.data.id}/start`, { method: 'POST' })).status).toBe(202);
    expect(await settled(created.body.data.id)).toMatchObject({ status: 'completed', summary: { rows: { total: 2, imported: 2, quarantined: 0 } } });
  });

  it('answers an empty PATCH with the run unchanged (not 500)', async () => {
    const created = await send('/api/v1/imports', { body: 'email;name\nemp@imp.test;Em\n', type: 'text/csv' });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    for (const json of [{}, { options: {} }, { mapping: [] }]) {
      const patched = await send(`/api/v1/imports/${id}`, { method: 'PATCH', json });
      expect(patched.status, JSON.stringify(json)).toBe(200);
      conforms(itemEnvelope(ImportRunSchema), patched.body, 'empty patch');
      expect(patched.body.data, JSON.stringify(json)).toEqual(created.body.data);
    }
    const bodiless = await send(`/api/v1/imports/${id}`, { method: 'PATCH' });
    expect(bodiless.status).toBe(200);
    expect(bodiless.body.data).toEqual(created.body.data);
    expect((await send(`/api/v1/imports/${id}`)).body.data).toEqual(created.body.data);
  });

  it('sends runs, rows and the quarantine as the OpenAPI document declares them, nulls included', async () => {
    const created = await send('/api/v1/imports', { body: csvOf([...HEADER, 'Shoe Size'], ROWS.map((r) => [...r, '42'])), type: 'text/csv' });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data.mapping.find((m: { header: string }) => m.header === 'Shoe Size')).toMatchObject({ field: null });
    await matchesDocument('/api/v1/imports', 'post', 201, created.body, 'upload (unmapped column)');
    const pending = await send(`/api/v1/imports/${id}/rows`);
    expect(pending.body.data[0]).toMatchObject({ status: 'pending', outcome: null, resolution: null, reason: null });
    await matchesDocument('/api/v1/imports/{id}/rows', 'get', 200, pending.body, 'pending rows');
    await matchesDocument('/api/v1/imports/{id}/rows/{row}', 'get', 200, (await send(`/api/v1/imports/${id}/rows/1`)).body, 'pending row');
    await matchesDocument('/api/v1/imports/{id}', 'patch', 200, (await send(`/api/v1/imports/${id}`, { method: 'PATCH', json: {} })).body, 'patch');
    await matchesDocument('/api/v1/imports/{id}/preview', 'get', 200, (await send(`/api/v1/imports/${id}/preview`)).body, 'preview');
    const started = await send(`/api/v1/imports/${id}/start`, { method: 'POST' });
    await matchesDocument('/api/v1/imports/{id}/start', 'post', 202, started.body, 'start');
    await settled(id);
    await matchesDocument('/api/v1/imports/{id}', 'get', 200, (await send(`/api/v1/imports/${id}`)).body, 'run');
    await matchesDocument('/api/v1/imports', 'get', 200, (await send('/api/v1/imports')).body, 'list');
    await matchesDocument('/api/v1/imports', 'get', 200, (await send('/api/v1/imports', { token: tokens.get('no-costs') })).body, 'list without costs.read');
    const rows = await send(`/api/v1/imports/${id}/rows`);
    expect(rows.body.data.map((r: { status: string; outcome: string | null; resolution: string | null }) => [r.status, r.outcome, r.resolution])).toEqual([
      ['imported', 'unchanged', null],
      ['imported', 'unchanged', null],
      ['quarantined', null, 'pending'],
    ]);
    await matchesDocument('/api/v1/imports/{id}/rows', 'get', 200, rows.body, 'rows');
    const quarantine = await send(`/api/v1/imports/${id}/quarantine`);
    await matchesDocument('/api/v1/imports/{id}/quarantine', 'get', 200, quarantine.body, 'quarantine');
    const ignored = await send(`/api/v1/imports/${id}/rows/3/ignore`, { method: 'POST' });
    expect(ignored.body.data).toMatchObject({ status: 'ignored', outcome: null, resolution: 'ignored' });
    await matchesDocument('/api/v1/imports/{id}/rows/{row}/ignore', 'post', 200, ignored.body, 'ignore');
  });

  it('serves the field reference', async () => {
    const { status, body } = await send('/api/v1/imports/fields');
    expect(status).toBe(200);
    expect(body.data.find((f: { field: string }) => f.field === 'manager_employee_id').headers).toContain('supervisorid');
  });
});

describe('malformed files are refused with a clear message, and nothing is stored', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(new TextEncoder().encode('email,name\na@x.test,A\n')).flatMap((b) => [b, 0])]);
  const latin1 = new Uint8Array([...new TextEncoder().encode('email,name\nz@x.test,Zo'), 0xeb, 0x0a]);
  const big = `email,name\n${'someone@example.test,Some Body With A Long Name\n'.repeat(Math.ceil((11 * 1024 * 1024) / 47))}`;
  const cases: [string, () => Promise<{ status: number; body: Body }>, number, string, RegExp][] = [
    ['a binary file (PNG)', () => send('/api/v1/imports', { body: multipart(png, 'people.csv') }), 422, 'binary_file', /PNG image/],
    ['a UTF-16 file', () => send('/api/v1/imports', { body: multipart(utf16) }), 422, 'invalid_encoding', /UTF-16/],
    ['invalid UTF-8', () => send('/api/v1/imports', { body: latin1, type: 'text/csv' }), 422, 'invalid_encoding', /not valid UTF-8 \(line 2\)/],
    ['11 MB as multipart', () => send('/api/v1/imports', { body: multipart(big) }), 413, 'file_too_large', /limit is 10 MB|larger than 10 MB/],
    ['11 MB as text/csv', () => send('/api/v1/imports', { body: big, type: 'text/csv' }), 413, 'file_too_large', /larger than 10 MB/],
    ['11 MB declared', () => send('/api/v1/imports', { body: big, type: 'text/csv', headers: { 'content-length': String(big.length) } }), 413, 'file_too_large', /11\.\d MB; the limit is 10 MB/],
    ['unbalanced quotes', () => send('/api/v1/imports', { body: 'email,name\n"a@x.test,Ann\nb@x.test,Bo\n', type: 'text/csv' }), 422, 'malformed_csv', /line 2 is never closed/],
    ['a spreadsheet name', () => send('/api/v1/imports', { body: multipart('email,name\na@x.test,A\n', 'people.xlsx') }), 422, 'unsupported_file_type', /\.csv or \.txt/],
    ['JSON', () => send('/api/v1/imports', { json: { rows: [] } }), 415, 'unsupported_media_type', /multipart\/form-data/],
  ];
  for (const [what, request, status, code, message] of cases) {
    it(`refuses ${what}`, async () => {
      const before = await stored();
      const { status: got, body } = await request();
      expect(got).toBe(status);
      expect(body).toMatchObject({ code, status });
      expect(body.detail).toMatch(message);
      expect(body.fix ?? '').toBeTypeOf('string');
      expect(await stored()).toEqual(before);
    });
  }
});

describe('who may import (SPEC §3) and tenant isolation', () => {
  const routes = (id: string): [string, string, unknown?][] => [
    ['GET', '/api/v1/imports'],
    ['GET', '/api/v1/imports/fields'],
    ['GET', `/api/v1/imports/${id}`],
    ['PATCH', `/api/v1/imports/${id}`, { options: { create_missing_types: true } }],
    ['GET', `/api/v1/imports/${id}/preview`],
    ['POST', `/api/v1/imports/${id}/start`],
    ['POST', `/api/v1/imports/${id}/reprocess`],
    ['POST', `/api/v1/imports/${id}/undo`],
    ['GET', `/api/v1/imports/${id}/rows`],
    ['GET', `/api/v1/imports/${id}/quarantine`],
    ['GET', `/api/v1/imports/${id}/rows/1`],
    ['PATCH', `/api/v1/imports/${id}/rows/1`, { values: { FTE: '1' } }],
    ['POST', `/api/v1/imports/${id}/rows/1/ignore`],
  ];

  it('answers 403 naming imports.manage to a role without it', async () => {
    for (const [method, path, json] of routes(runId)) {
      const { status, body } = await send(path, { method, json, token: tokens.get('viewer') });
      expect(status, `${method} ${path}`).toBe(403);
      expect(body, `${method} ${path}`).toMatchObject({ code: 'missing_ability', ability: 'imports.manage' });
    }
    expect((await send('/api/v1/imports', { body: multipart(FILE), token: tokens.get('viewer') })).body).toMatchObject({ ability: 'imports.manage' });
  });

  it('refuses pay columns to a principal without costs.read, and hides pay cells from them', async () => {
    const created = await send('/api/v1/imports', { body: multipart(FILE), token: tokens.get('no-costs') });
    expect(created.status).toBe(201);
    const start = await send(`/api/v1/imports/${created.body.data.id}/start`, { method: 'POST', token: tokens.get('no-costs') });
    expect(start.body).toMatchObject({ status: 403, ability: 'costs.read' });
    const row = await send(`/api/v1/imports/${created.body.data.id}/rows/1`, { token: tokens.get('no-costs') });
    expect(row.body.data.cells.find((c: { field: string }) => c.field === 'base_salary_cents')).toMatchObject({ value: null, hidden: true });
  });

  it('shows the money deltas of a finished run (summary and every step) only with costs.read', async () => {
    const owner = await send(`/api/v1/imports/${runId}`);
    expect(owner.body.data.summary.deltas).toMatchObject({ monthly_cost_minor: expect.any(Number), currency: 'EUR' });
    expect(owner.body.data.summary.steps.length).toBeGreaterThan(0);
    expect(owner.body.data.summary.steps[0].deltas).toMatchObject({ monthly_cost_minor: expect.any(Number), currency: 'EUR' });

    const one = await send(`/api/v1/imports/${runId}`, { token: tokens.get('no-costs') });
    expect(one.status).toBe(200);
    const list = await send('/api/v1/imports?status=completed', { token: tokens.get('no-costs') });
    const listed = list.body.data.find((r: { id: string }) => r.id === runId);
    for (const [label, run] of [['one', one.body.data], ['list', listed]] as const) {
      expect(run.summary.deltas, label).toMatchObject({ headcount: expect.any(Number) });
      expect(run.summary.steps.length, label).toBe(owner.body.data.summary.steps.length);
      expect(run.summary.steps[0].deltas, label).toMatchObject({ headcount: expect.any(Number) });
      for (const deltas of [run.summary.deltas, ...run.summary.steps.map((s: { deltas: unknown }) => s.deltas)]) {
        expect(deltas, label).not.toHaveProperty('monthly_cost_minor');
        expect(deltas, label).not.toHaveProperty('currency');
      }
      expect(JSON.stringify(run), label).not.toContain('monthly_cost_minor');
    }
  });

  it('answers 404 for another tenant’s run on every route', async () => {
    for (const [method, path, json] of routes(runId)) {
      if (path === '/api/v1/imports' || path === '/api/v1/imports/fields') continue;
      const { status, body } = await send(path, { method, json, token: tokens.get('other'), host: 'impapiother.localhost' });
      expect(status, `${method} ${path}`).toBe(404);
      expect(body.code).toBe('not_found');
    }
    const theirs = await send('/api/v1/imports', { token: tokens.get('other'), host: 'impapiother.localhost' });
    expect(theirs.body.data).toEqual([]);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await (await app.app.request('/docs/api.json', { headers: { host: HOST } })).json()) as { paths: Record<string, Record<string, any>> };
    for (const path of ['/api/v1/imports', '/api/v1/imports/{id}', '/api/v1/imports/{id}/preview', '/api/v1/imports/{id}/start', '/api/v1/imports/{id}/reprocess', '/api/v1/imports/{id}/undo', '/api/v1/imports/{id}/rows', '/api/v1/imports/{id}/quarantine', '/api/v1/imports/{id}/rows/{row}', '/api/v1/imports/{id}/rows/{row}/ignore', '/api/v1/integrations/hris', '/api/v1/integrations/hris/sync', '/api/v1/integrations/bamboohr/webhook/{tenant}']) {
      expect(doc.paths[path], path).toBeTruthy();
    }
    expect(doc.paths['/api/v1/imports']!.post['x-required-abilities']).toEqual(['imports.manage']);
    expect(doc.paths['/api/v1/imports']!.post.requestBody.content).toHaveProperty('multipart/form-data');
    expect(doc.paths['/api/v1/integrations/bamboohr/webhook/{tenant}']!.post.security).toEqual([]);
  });
});

describe('undo of an import into Live', () => {
  async function importPeople(emails: string[]): Promise<string> {
    const created = await send('/api/v1/imports', { body: csvOf(['email', 'name', 'department'], emails.map((e) => [e, e.split('@')[0]!, 'Undo'])), type: 'text/csv' });
    expect(created.status).toBe(201);
    expect((await send(`/api/v1/imports/${created.body.data.id}/start`, { method: 'POST' })).status).toBe(202);
    const run = await settled(created.body.data.id);
    expect(run).toMatchObject({ status: 'completed', summary: { live: { changed: true } } });
    return run.id;
  }

  async function finished(taskId: string) {
    for (let i = 0; i < 400; i++) {
      const { body } = await send(`/api/v1/tasks/${taskId}`);
      if (body.data.status === 'succeeded' || body.data.status === 'failed') return body.data;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`task ${taskId} did not finish`);
  }

  it('is refused (409) once Live changed since the import, and runs once only', async () => {
    const first = await importPeople(['undo1@imp.test']);
    const second = await importPeople(['undo2@imp.test']);
    const before = await stored();

    const refused = await send(`/api/v1/imports/${first}/undo`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'conflict', status: 409 });
    expect(refused.body.detail).toMatch(/Live changed since this import/);
    expect(refused.body.fix).toMatch(/restore a snapshot from Snapshots/i);
    expect(await stored()).toEqual(before);

    const undo = await send(`/api/v1/imports/${second}/undo`, { method: 'POST' });
    expect(undo.status).toBe(202);
    expect(await finished(undo.body.data.id)).toMatchObject({ status: 'succeeded' });
    const after = await stored();
    expect(after.live.actors).toBe(before.live.actors - 1);
    const undone = await send(`/api/v1/imports/${second}`);
    expect(undone.body.data.summary.undo).toMatchObject({ task_id: undo.body.data.id, requested_at: expect.any(String) });
    await matchesDocument('/api/v1/imports/{id}', 'get', 200, undone.body, 'undone run');

    const again = await send(`/api/v1/imports/${second}/undo`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already been undone/);
    expect((await send(`/api/v1/imports/${second}/reprocess`, { method: 'POST' })).status).toBe(409);
    expect((await send(`/api/v1/imports/${first}/undo`, { method: 'POST' })).status).toBe(409);
    expect(await stored()).toEqual(after);
  });

  it('is refused when another write came between the run’s steps, though its last step left Live as it is now', async () => {
    const created = await send('/api/v1/imports', { body: csvOf(['email', 'name', 'department', 'fte'], [['undo4@imp.test', 'Four', 'Undo', '1'], ['undo5@imp.test', 'Five', 'Undo', '7']]), type: 'text/csv' });
    const id = created.body.data.id;
    expect((await send(`/api/v1/imports/${id}/start`, { method: 'POST' })).status).toBe(202);
    expect(await settled(id)).toMatchObject({ status: 'completed', summary: { rows: { imported: 1, quarantined: 1 } } });
    await importPeople(['undo6@imp.test']);
    expect((await send(`/api/v1/imports/${id}/rows/2`, { method: 'PATCH', json: { values: { fte: '0.5' } } })).status).toBe(200);
    expect((await send(`/api/v1/imports/${id}/reprocess`, { method: 'POST' })).status).toBe(202);
    const run = await settled(id);
    expect(run).toMatchObject({ status: 'completed', step: 2, summary: { rows: { imported: 2 } } });
    expect(run.live_version_after).toBe((await stored()).live.version);
    const before = await stored();
    const refused = await send(`/api/v1/imports/${id}/undo`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/Live changed since this import by a later import/);
    expect(refused.body.changes_since).toEqual([{ type: 'import', live_version: expect.any(Number) }]);
    expect(await stored()).toEqual(before);
    expect((await send(`/api/v1/imports/${id}`)).body.data.summary.undo).toBeUndefined();
  });

  it('runs once when two undos of the same run race', async () => {
    const run = await importPeople(['undo3@imp.test']);
    const before = await stored();
    const answers = await Promise.all([1, 2].map(() => send(`/api/v1/imports/${run}/undo`, { method: 'POST' })));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    await finished(answers.find((a) => a.status === 202)!.body.data.id);
    expect((await stored()).live.actors).toBe(before.live.actors - 1);
  });
});

describe('an import paying someone in a currency without an exchange rate', () => {
  it('records its cost delta as unknown, naming the currency, never as a figure that counts the pay as 0', async () => {
    const { tenant: swiss } = await importTenant(database, { slug: 'impapichf' });
    await database.db.insert(tenantCurrencies).values({ tenantId: swiss.id, code: 'CHF', rateToReporting: null });
    const token = await tokenFor(swiss, 'owner');
    const host = 'impapichf.localhost';
    const file = csvOf(HEADER, [
      ['boss@chf.test', 'Bea', 'Boss', 'Executive', '', 'CEO', '', '1', 'EUR', '20000000'],
      ['zurich@chf.test', 'Zed', 'Rich', 'Engineering', 'Platform', 'Engineer', 'boss@chf.test', '1', 'CHF', '12000000'],
    ]);
    const created = await send('/api/v1/imports', { body: multipart(file), token, host });
    expect(created.status).toBe(201);
    expect((await send(`/api/v1/imports/${created.body.data.id}/start`, { method: 'POST', token, host })).status).toBe(202);
    let run: Body['data'];
    for (let i = 0; ; i++) {
      run = (await send(`/api/v1/imports/${created.body.data.id}`, { token, host })).body.data;
      if (run.status === 'completed' || run.status === 'failed' || i > 400) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run.status).toBe('completed');
    expect(run.summary.deltas).toMatchObject({ headcount: 2, monthly_cost_minor: null, monthly_cost_unconvertible: ['CHF'] });
    const [entry] = await database.db.select().from(lineageEntries).where(and(eq(lineageEntries.tenantId, swiss.id), eq(lineageEntries.type, 'import')));
    expect(entry!.deltas).toMatchObject({ monthly_cost_minor: null, monthly_cost_unconvertible: ['CHF'] });
    const noCosts = await tokenFor(swiss, 'owner', ALL_ABILITIES.filter((a) => a !== 'costs.read'));
    const hidden = JSON.stringify((await send(`/api/v1/imports/${run.id}`, { token: noCosts, host })).body.data.summary);
    expect(hidden).toContain('"headcount":2');
    expect(hidden).not.toMatch(/CHF|monthly_cost|currency/);
    const lineage = JSON.stringify((await send('/api/v1/lineage', { token: noCosts, host })).body);
    expect(lineage).toContain('"headcount":2');
    expect(lineage).not.toMatch(/CHF|monthly_cost|currency/);
  });
});
