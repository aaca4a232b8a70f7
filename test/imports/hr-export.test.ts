import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { memberToken } from '../support/factories.js';
import { importTenant, liveState } from './support.js';
import { settledStatus } from '../support/settle.js';

/**
 * An HR person's first import, over REST, of a file as HRIS exports look once Excel has saved them: BOM, CRLF,
 * semicolons, decimal commas, a quoted cell with a line break and quotes, two e-mail columns, a trailing empty column,
 * upper-case emails, managers named after their reports, a reporting loop, a duplicate, a manager nobody knows.
 * What the preview says about each row is what the run then does; fixing one row of a loop lets the other follow.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let token: string;
const HOST = 'hrexport.localhost';

async function send(path: string, init: { method?: string; json?: unknown; body?: string | Uint8Array; type?: string } = {}) {
  const headers: Record<string, string> = { host: HOST, authorization: `Bearer ${token}` };
  let body: BodyInit | undefined = init.body as BodyInit | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.type) headers['content-type'] = init.type;
  const response = await app.app.request(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  return { status: response.status, body: (await response.json()) as any };
}

const settled = (id: string) => settledStatus(async () => (await send(`/api/v1/imports/${id}`)).body.data, `run ${id}`);

const HEADER = ['Employee #', 'First Name', 'Last Name', 'Work Email', 'E-mail', 'Department', 'Team', 'Job Title', 'Manager Email', 'FTE', 'Hire Date', ''];
const ROWS = [
  // A report before their manager; upper-case and padded emails.
  ['1002', 'Grace', ' Hopper ', 'GRACE@HRX.TEST ', 'grace@home.test', 'Engineering', 'Platform', 'VP Engineering', 'ada@hrx.test', '1', '2016-03-01', ''],
  ['1001', 'Ada', 'Lovelace', 'Ada@Hrx.Test', '', 'Executive', '', 'CEO', '', '1,0', '2015-01-05', ''],
  ['1003', 'Margaret', 'Hamilton', 'margaret@hrx.test', '', 'Engineering', 'Kernel "Core" Team', 'Engineer\nFlight software', 'grace@hrx.test', '0,8', '2020-04-15', ''],
  // Ken and Dennis name each other.
  ['1004', 'Ken', 'Thompson', 'ken@hrx.test', '', 'Engineering', 'Platform', 'Engineer', 'dennis@hrx.test', '1', '2020-06-01', ''],
  ['1005', 'Dennis', 'Ritchie', 'dennis@hrx.test', '', 'Engineering', 'Platform', 'Engineer', 'ken@hrx.test', '1', '2020-06-01', ''],
  ['1006', 'Tim', 'Berners-Lee', 'tim@hrx.test', '', 'Engineering', '', 'Engineer', 'nobody@hrx.test', '1', '2021-01-01', ''],
  ['1007', 'Edsger', 'Dijkstra', 'margaret@hrx.test', '', 'Engineering', '', 'Engineer', 'grace@hrx.test', '1', '2021-01-01', ''],
];
const EXPECTED = [null, null, 'duplicate_email', 'reporting_cycle', 'reporting_cycle', 'unknown_manager', 'duplicate_email'];

/** The file as Excel saves a semicolon CSV: BOM, CRLF, quoted where needed, a separator-only last line. */
function excelFile(): Uint8Array {
  const cell = (v: string) => (/[;"\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = [HEADER, ...ROWS].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n;;;;;;;;;;;\r\n';
  return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant } = await importTenant(database, { slug: 'hrexport' }));
  token = await memberToken(database, tenant, 'admin', { name: 'hr' });
});
afterAll(() => database?.close());

describe('a first import of an Excel-saved HRIS export', () => {
  let runId: string;

  it('maps the headers, and the preview names every row the run will quarantine, with the same reason', async () => {
    const created = await send('/api/v1/imports?file_name=export.csv', { body: excelFile(), type: 'text/csv' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    runId = created.body.data.id;
    expect(created.body.data.file).toMatchObject({ delimiter: ';', rows: ROWS.length });
    expect(created.body.data.mapping.map((m: { field: string | null }) => m.field)).toEqual(['employee_id', 'first_name', 'last_name', 'email', null, 'department', 'team', 'job_title', 'manager_email', 'fte', 'start_date', null]);

    const preview = (await send(`/api/v1/imports/${runId}/preview`)).body.data;
    // The second e-mail column and the trailing empty one are named as left out.
    expect(preview.warnings).toContainEqual({ code: 'unmapped_columns', message: '2 column(s) are not imported: “E-mail”, column 12 (no header).' });
    expect(preview.sample.map((s: { problem: { code: string } | null }) => s.problem?.code ?? null)).toEqual(EXPECTED);
    expect(preview.counts.rows).toMatchObject({ total: ROWS.length, would_import: 2, would_quarantine: 5 });

    expect((await send(`/api/v1/imports/${runId}/start`, { method: 'POST' })).status).toBe(202);
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'completed', summary: { rows: { total: ROWS.length, created: 2, quarantined: 5 } } });
    const rows = (await send(`/api/v1/imports/${runId}/rows`)).body.data;
    expect(rows.map((r: { reason: { code: string } | null }) => r.reason?.code ?? null)).toEqual(EXPECTED);
    // Each row's reason in preview and run alike, detail included; and so once the run has completed.
    expect(preview.sample.map((s: { problem: unknown }) => s.problem)).toEqual(rows.map((r: { reason: unknown }) => r.reason));
    const after = (await send(`/api/v1/imports/${runId}/preview`)).body.data;
    expect(after.sample.map((s: { problem: unknown }) => s.problem)).toEqual(rows.map((r: { reason: unknown }) => r.reason));
  });

  it('says which other rows carry a duplicate email', async () => {
    expect((await send(`/api/v1/imports/${runId}/rows/3`)).body.data.reason.detail).toBe('margaret@hrx.test is also on row 7 of this run');
    expect((await send(`/api/v1/imports/${runId}/rows/7`)).body.data.reason.detail).toBe('margaret@hrx.test is also on row 3 of this run');
  });

  it('says a manager is on a quarantined row, or nowhere', async () => {
    const file = 'email,name,department,manager_email\nboss@hrx.test,Boss,Sales,\nlead@hrx.test,Lead,Sales,boss@hrx.test\nrep@hrx.test,Rep,Sales,lead@hrx.test\nrep2@hrx.test,Rep Two,Sales,ghost@hrx.test\nlead@hrx.test,Lead Again,Sales,\n';
    const created = await send('/api/v1/imports?file_name=sales.csv', { body: file, type: 'text/csv' });
    const preview = (await send(`/api/v1/imports/${created.body.data.id}/preview`)).body.data;
    expect(preview.sample[2].problem).toMatchObject({ code: 'unknown_manager', detail: 'lead@hrx.test is on row 2, which is quarantined (duplicate_email): fix that row, and this one follows when reprocessed' });
    expect(preview.sample[3].problem).toMatchObject({ code: 'unknown_manager', detail: 'ghost@hrx.test is neither a row of this file that was accepted nor an actor of the organisation' });
    expect(preview.warnings.map((w: { code: string }) => w.code)).not.toContain('no_manager');
  });

  it('previews a reprocess as it will run: a fixed row may not take the email of a row the run imported', async () => {
    const created = await send('/api/v1/imports?file_name=fix.csv', { body: 'email,name,department,manager_email\nfirst@hrx.test,First,Sales,\nsecond@hrx.test,Second,Sales,nobody@hrx.test\n', type: 'text/csv' });
    const id = created.body.data.id;
    await send(`/api/v1/imports/${id}/start`, { method: 'POST' });
    await settled(id);
    await send(`/api/v1/imports/${id}/rows/2`, { method: 'PATCH', json: { values: { email: 'first@hrx.test', manager_email: '' } } });
    const preview = (await send(`/api/v1/imports/${id}/preview`)).body.data;
    expect(preview.counts.quarantine_reasons).toEqual({ duplicate_email: 1 });
    expect(preview.sample[1].problem).toMatchObject({ code: 'duplicate_email', detail: 'first@hrx.test is also on row 1, which this run already imported' });
    await send(`/api/v1/imports/${id}/reprocess`, { method: 'POST' });
    await settled(id);
    expect((await send(`/api/v1/imports/${id}/rows/2`)).body.data).toMatchObject({ resolution: 'failed', reason: preview.sample[1].problem });
  });

  it('names the tenant’s department types when a row’s is not one', async () => {
    const created = await send('/api/v1/imports?file_name=types.csv', { body: 'email,name,department,department type\nlab@hrx.test,Lab,Labs,Skunkworks\n', type: 'text/csv' });
    const preview = (await send(`/api/v1/imports/${created.body.data.id}/preview`)).body.data;
    expect(preview.sample[0].problem).toMatchObject({
      code: 'unknown_department_type',
      detail: '“Skunkworks” is not a department type of this tenant (it has: Customer, Executive, General & administrative, Go-to-market, Operations, Product & Technology)',
    });
  });

  it('warns when no manager column is mapped; a “Manager” column of names is read as the manager’s name', async () => {
    const none = await send('/api/v1/imports?file_name=no-managers.csv', { body: 'Email,Name,Department\nnew@hrx.test,New,Sales\n', type: 'text/csv' });
    const warned = (await send(`/api/v1/imports/${none.body.data.id}/preview`)).body.data;
    expect(warned.warnings).toContainEqual(expect.objectContaining({ code: 'no_manager', message: expect.stringContaining('new people get no manager') }));
    const created = await send('/api/v1/imports?file_name=names.csv', { body: 'Email,Name,Department,Manager\nnew@hrx.test,New,Sales,Boss Person\n', type: 'text/csv' });
    const preview = (await send(`/api/v1/imports/${created.body.data.id}/preview`)).body.data;
    expect(preview.warnings.map((w: { code: string }) => w.code)).not.toContain('no_manager');
    expect(preview.sample[0].problem).toMatchObject({ code: 'unknown_manager', field: 'manager_name', detail: expect.stringContaining('no one in this file or the organisation is named “Boss Person”') });
  });

  it('says which people make a reporting loop', async () => {
    const ken = (await send(`/api/v1/imports/${runId}/rows/4`)).body.data;
    expect(ken.reason.detail).toContain('ken@hrx.test → dennis@hrx.test → ken@hrx.test');
    const dennis = (await send(`/api/v1/imports/${runId}/rows/5`)).body.data;
    expect(dennis.reason.detail).toContain('dennis@hrx.test → ken@hrx.test → dennis@hrx.test');
  });

  it('imports the other person of a loop once one of them is fixed', async () => {
    expect((await send(`/api/v1/imports/${runId}/rows/4`, { method: 'PATCH', json: { values: { manager_email: 'grace@hrx.test' } } })).status).toBe(200);
    expect((await send(`/api/v1/imports/${runId}/reprocess`, { method: 'POST' })).status).toBe(202);
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'completed', step: 2 });
    const rows = (await send(`/api/v1/imports/${runId}/rows`)).body.data;
    expect(rows[3]).toMatchObject({ status: 'imported', resolution: 'fixed' });
    expect(rows[4]).toMatchObject({ status: 'imported', resolution: 'fixed' });
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    const byEmail = new Map([...live.actors.values()].map((a) => [a.email!.toLowerCase(), a]));
    const managerOf = (email: string) => [...live.reportingLines.values()].find((l) => l.actorId === byEmail.get(email)!.id)?.managerId;
    expect(managerOf('dennis@hrx.test')).toBe(byEmail.get('ken@hrx.test')!.id);
    expect(managerOf('ken@hrx.test')).toBe(byEmail.get('grace@hrx.test')!.id);
  });

  it('keeps a title on one line, and reads decimal commas and padded names', async () => {
    const fixed = await send(`/api/v1/imports/${runId}/rows/3`, { method: 'PATCH', json: { values: { email: 'margaret@hrx.test' } } });
    expect(fixed.status).toBe(200);
    await send(`/api/v1/imports/${runId}/rows/7/ignore`, { method: 'POST' });
    expect((await send(`/api/v1/imports/${runId}/reprocess`, { method: 'POST' })).status).toBe(202);
    await settled(runId);
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    const margaret = [...live.actors.values()].find((a) => a.email === 'margaret@hrx.test')!;
    expect(margaret).toMatchObject({ title: 'Engineer Flight software', fte: 0.8 });
    expect([...live.actors.values()].find((a) => a.email === 'GRACE@HRX.TEST')).toMatchObject({ displayName: 'Grace Hopper' });
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await liveState(database, tenant.id);
    const created = await send('/api/v1/imports?file_name=export.csv', { body: excelFile(), type: 'text/csv' });
    expect((await send(`/api/v1/imports/${created.body.data.id}/start`, { method: 'POST' })).status).toBe(202);
    const run = await settled(created.body.data.id);
    expect(run.summary.rows).toMatchObject({ created: 0, updated: 0 });
    expect(run.summary.live).toMatchObject({ changed: false, snapshot_id: null });
    expect(await liveState(database, tenant.id)).toEqual(before);
  });
});
