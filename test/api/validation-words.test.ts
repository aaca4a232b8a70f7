import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A request its route's schema refuses is a 400 problem in plain words naming the field as the caller wrote it —
 * never zod's own English ("Invalid input: expected number, received NaN", "Unrecognized key", "Too small: …").
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let token: string;
let scenarioId: string;
const HOST = 'apiwords.localhost';
const { id } = fixtureIds('api-words');

async function call(path: string, options: RequestOptions = {}) {
  const response = await app.request(path, { host: HOST, token, ...options });
  return { status: response.status, body: (await response.json()) as { field?: string; detail: string; data?: any } };
}
const post = (path: string, json: unknown) => call(path, { method: 'POST', json });
const get = (path: string) => call(path);
const ZOD = /Invalid input|Invalid option|Unrecognized key|Too small|Too big|expected|received/;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiwords', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-words'));
  app = testApp(database);
  token = await memberToken(database, tenant, 'owner');
  scenarioId = (await post('/api/v1/scenarios', { name: 'Words' })).body.data.id;
});
afterAll(() => database?.close());

describe('a refused request body', () => {
  it('names a misspelt field before the field it left missing, and a missing field as required', async () => {
    expect((await post('/api/v1/scenarios', { nme: 'Reorg' })).body).toMatchObject({ field: 'nme', detail: 'Invalid nme: is not a field of this request (it takes name, description, source_scenario_id)' });
    expect((await post('/api/v1/tokens', { name: 'ci', expires_in_days: 30 })).body.detail).toBe('Invalid expires_in_days: is not a field of this request (it takes name, abilities, expires_at)');
    expect((await post('/api/v1/scenarios', {})).body).toMatchObject({ field: 'name', detail: 'Invalid name: is required' });
    expect((await post('/api/v1/scenarios', { name: '' })).body).toMatchObject({ field: 'name', detail: 'Invalid name: must not be empty' });
    expect((await post('/api/v1/scenarios', null)).body).toMatchObject({ field: 'body', detail: 'Invalid body: must be a JSON object' });
  });

  it('names a change command’s field as written, with what it must be', async () => {
    const changes = `/api/v1/scenarios/${scenarioId}/changes`;
    const wrongType = await post(changes, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 'a lot' }] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ field: 'changes[0].fte', detail: 'Invalid changes[0].fte: must be a number' });
    expect((await post(changes, { changes: [] })).body.detail).toBe('Invalid changes: must have at least 1 item');
    // A field no op has is named with the fields its op takes (as MCP names them), not sent to /docs/api to find them.
    expect((await post(changes, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5, colour: 'red' }] })).body).toMatchObject({
      field: 'changes[0].colour',
      detail: 'Invalid changes[0].colour: is not a field of set_fte, which takes actor_id, fte',
    });
    const nested = await post(changes, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }, { op: 'add_actor', kind: 'human', display_name: 'Ada', org_unit_id: id('p1'), salary: 5 }] });
    expect(nested.status).toBe(400);
    expect(nested.body.field).toBe('changes[1].salary');
    expect(nested.body.detail).toMatch(/^Invalid changes\[1\]\.salary: is not a field of add_actor, which takes kind, display_name, org_unit_id, fte, email, title, position_id, manager_id, ref, date; pay is its own change: set_compensation/);
    // A field another op reads is refused on this one by name, with nothing applied: set_fte changes no manager.
    const before = (await get(`/api/v1/scenarios/${scenarioId}/changes`)).body.data.length;
    const notRead = await post(changes, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5, manager_id: id('m1') }] });
    expect(notRead.status).toBe(400);
    expect(notRead.body).toMatchObject({ field: 'changes[0].manager_id', detail: 'Invalid changes[0].manager_id: is not a field of set_fte, which takes actor_id, fte' });
    expect((await get(`/api/v1/scenarios/${scenarioId}/changes`)).body.data.length).toBe(before);
    // A null is no value (typed clients send one for every field they leave out), and a date is every op's to judge.
    const withNull = await post(changes, { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5, manager_id: null }] });
    expect(withNull.status, JSON.stringify(withNull.body)).toBe(200);
    const op = await post(changes, { changes: [{ op: 'paint_it' }] });
    expect(op.body.detail).toMatch(/^Invalid changes\[0\]\.op: must be one of create_org_unit, rename_org_unit, /);
    for (const body of [wrongType.body, op.body]) expect(body.detail).not.toMatch(ZOD);
  });
});

describe('a refused query or path parameter', () => {
  it('lists the values an enum takes, and a row number in the words limit uses', async () => {
    expect((await call('/api/v1/scenarios?kind=plans')).body.detail).toBe('Invalid kind: must be one of planning, applied, snapshot');
    expect((await call('/api/v1/org-units?include_inactive=yes')).body.detail).toBe('Invalid include_inactive: must be one of true, false');
    const row = await call(`/api/v1/imports/${scenarioId}/rows/abc`);
    expect(row).toMatchObject({ status: 400, body: { field: 'row', detail: 'Invalid row: must be a whole number from 1 to 10000000' } });
    expect((await call(`/api/v1/imports/${scenarioId}/rows/3000000000`)).body.field).toBe('row');
    expect((await call(`/api/v1/imports/${scenarioId}/preview?rows=1000`)).body.detail).toBe('Invalid rows: must be a whole number from 1 to 200');
    expect((await call('/api/v1/actors?limit=10&limit=20')).body).toMatchObject({ field: 'limit', detail: 'Invalid limit: is given 2 times; send it once' });
  });
});

describe('a personal API token copied in part', () => {
  it('is told it was not copied whole, not that it is no personal API token', async () => {
    for (const [sent, says] of [
      [token.slice(0, -3), 'has 40 characters after orgo_pat_, not 43'],
      [`${token}"`, 'has 44 characters after orgo_pat_, not 43'],
      [`${token.slice(0, -1)}.`, 'has characters a token never has'],
    ] as const) {
      const response = await app.request('/api/v1/me', { host: HOST, token: sent });
      expect(response.status).toBe(401);
      const { detail } = (await response.json()) as { detail: string };
      expect(detail).toMatch(/^This API token was not copied whole: it /);
      expect(detail).toContain(says);
      expect(detail).not.toContain('not a personal API token');
    }
  });
});

describe('a credential without the ability a route needs', () => {
  it('is told about the ability before any mistake in its parameters (403, not 400)', async () => {
    const narrow = await memberToken(database, tenant, 'viewer', { abilities: ['org-units.read'] });
    for (const path of ['/api/v1/scenarios?kind=plans', `/api/v1/imports/${scenarioId}/rows/abc`, '/api/v1/actors?limit=0&colour=red']) {
      const response = await app.request(path, { host: HOST, token: narrow });
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as { code: string }).code, path).toBe('missing_ability');
    }
    const wrongBody = await app.request('/api/v1/department-types', { host: HOST, token: narrow, method: 'POST', json: { nme: 'x' } });
    expect(await wrongBody.json()).toMatchObject({ status: 403, ability: 'settings.manage' });
    // With the ability, the parameters are judged as before.
    expect((await app.request('/api/v1/org-units?limit=0', { host: HOST, token: narrow })).status).toBe(400);
  });
});
