import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * `ids=` on the actor, position and org-unit lists: a batch look-up of the records a page refers to (the CLI names
 * the actors, units and positions of a page of placements with it instead of reading the whole lists).
 */

let database: Database;
let app: TestApp;
let token: string;
let otherToken: string;
const HOST = 'idslookup.localhost';
const OTHER = 'idsother.localhost';
const { id, units } = fixtureIds('ids-lookup');
const other = fixtureIds('ids-other');

const ownerToken = (tenant: Tenant) => memberToken(database, tenant, 'owner');

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await writeGraph(database, await buildTenant(database, { slug: 'idslookup', plan: 'business' }), buildFixtureOrg('ids-lookup'));
  const second = await writeGraph(database, await buildTenant(database, { slug: 'idsother', plan: 'business' }), buildFixtureOrg('ids-other'));
  app = testApp(database);
  token = await ownerToken(tenant);
  otherToken = await ownerToken(second);
});
afterAll(() => database?.close());

async function list(path: string, query: Record<string, string>, host = HOST, bearer = token) {
  const response = await app.request(`${path}?${new URLSearchParams({ as_of: AS_OF, include_inactive: 'true', ...query })}`, { host, token: bearer });
  return { status: response.status, body: (await response.json()) as { data: Record<string, string>[]; next_cursor: string | null; detail?: string; field?: string } };
}

describe('ids= batch look-up', () => {
  it('answers only the actors asked for, once each, leaving out ids it does not hold', async () => {
    const { status, body } = await list('/api/v1/actors', { ids: `${id('p2')}, ${id('p1')},${id('p1')},00000000-0000-4000-8000-000000000000` });
    expect(status).toBe(200);
    expect(body.data.map((a) => a.id).sort()).toEqual([id('p1'), id('p2')].sort());
    expect(body.next_cursor).toBeNull();
  });

  it('does the same for positions and org units, and combines with the other filters', async () => {
    const positions = await list('/api/v1/positions', { ids: id('pos_p1') });
    expect(positions.body.data.map((p) => [p.id, p.title])).toEqual([[id('pos_p1'), 'pos_p1']]);
    const unitsAnswer = await list('/api/v1/org-units', { ids: `${units.P},${units.S}` });
    expect(unitsAnswer.body.data.map((u) => u.id).sort()).toEqual([units.P, units.S].sort());
    const teamsOnly = await list('/api/v1/org-units', { ids: `${units.P},${units.S}`, type: 'team' });
    expect(teamsOnly.body.data.map((u) => u.id)).toEqual([units.P]);
  });

  it('never answers another tenant’s records, whatever ids are asked for', async () => {
    const { status, body } = await list('/api/v1/actors', { ids: `${id('p1')},${other.id('p1')}` }, OTHER, otherToken);
    expect(status).toBe(200);
    expect(body.data.map((a) => a.id)).toEqual([other.id('p1')]);
  });

  it('refuses more than 100 ids with a problem naming the parameter, and says to ask in batches', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',');
    const { status, body } = await list('/api/v1/actors', { ids: many });
    expect(status).toBe(400);
    expect(`${body.field} ${body.detail}`).toMatch(/ids.*at most 100 ids \(got 101\); ask in batches/);
  });

  it('is described in the OpenAPI document on the three lists', async () => {
    const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as { paths: Record<string, { get: { parameters: { name: string; description?: string }[] } }> };
    for (const path of ['/api/v1/actors', '/api/v1/positions', '/api/v1/org-units']) {
      const ids = doc.paths[path]!.get.parameters.find((p) => p.name === 'ids');
      expect(ids?.description, path).toMatch(/comma-separated \(at most 100\): a batch look-up/);
    }
  });
});
