import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken } from '../support/factories.js';

/**
 * A cursor is valid only for the query it was issued for: reused with other filters (another org_unit_id, q,
 * as_of, scenario_id, family, category…) it is refused with a 400 instead of serving an empty or wrong page.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'cursorq.localhost';
const REFUSED = 'Invalid cursor: this cursor was issued for another query (filters changed); start again without cursor';

type Body = { data: { id: string; record_id?: string }[]; next_cursor: string | null; field?: string; detail?: string };

async function get(path: string): Promise<{ status: number; body: Body }> {
  const response = await app.request(path, { host: HOST, token: owner });
  return { status: response.status, body: (await response.json()) as Body };
}

const withCursor = (path: string, cursor: string) => `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

/** Every id of a list, walking `limit` at a time with the same filters. */
async function walk(path: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const base = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}`;
    const { status, body } = await get(cursor ? withCursor(base, cursor) : base);
    expect(status).toBe(200);
    ids.push(...body.data.map((item) => item.id ?? item.record_id!));
    cursor = body.next_cursor;
  } while (cursor);
  return ids;
}

/** `first`'s next cursor is refused by `other`, while `first`'s second page is still served as before. */
async function expectRefused(first: string, other: string) {
  const page1 = await get(first);
  expect(page1.status).toBe(200);
  expect(page1.body.next_cursor).toEqual(expect.any(String));
  const cursor = page1.body.next_cursor!;
  const page2 = await get(withCursor(first, cursor));
  expect(page2.status).toBe(200);

  const refused = await get(withCursor(other, cursor));
  expect(refused.status, other).toBe(400);
  expect(refused.body.field).toBe('cursor');
  expect(refused.body.detail).toBe(REFUSED);
  expect(refused.body.data).toBeUndefined();

  // Nothing else changed: the cursor still serves the page it was issued for, and the other query starts afresh.
  expect((await get(withCursor(first, cursor))).body).toEqual(page2.body);
  expect((await get(other)).status).toBe(200);
}

let teams: string[];
let scenarioId: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'cursorq', plan: 'enterprise' });
  await seedOrganisation(database.db, tenant, { actors: 120, seed: 'cursor-filters' });
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
  const all = (await get('/api/v1/teams?limit=500')).body.data.map((t) => t.id);
  const sizes = await Promise.all(all.map(async (id) => [id, (await get(`/api/v1/actors?org_unit_id=${id}&limit=500`)).body.data.length] as const));
  teams = sizes.filter(([, n]) => n >= 4).map(([id]) => id);
  const created = await app.request('/api/v1/scenarios', { host: HOST, token: owner, json: { name: 'Cursor check' } });
  scenarioId = ((await created.json()) as { data: { id: string } }).data.id;
}, 120_000);
afterAll(() => database?.close());

describe('a cursor and the filters it was issued for', () => {
  it('walks a filtered list page by page with the same filters (and any limit)', async () => {
    const path = `/api/v1/actors?org_unit_id=${teams[0]}`;
    const everything = (await get(`${path}&limit=500`)).body.data.map((a) => a.id);
    expect(everything.length).toBeGreaterThanOrEqual(4);
    expect(await walk(path, 3)).toEqual(everything);
    // The page size is not a filter: a cursor from a page of 2 continues a walk of pages of 5.
    const first = await get(`${path}&limit=2`);
    const rest = await get(withCursor(`${path}&limit=500`, first.body.next_cursor!));
    expect([...first.body.data, ...rest.body.data].map((a) => a.id)).toEqual(everything);
  });

  it('refuses an actors cursor used with another org unit, search, day or scenario', async () => {
    expect(teams.length).toBeGreaterThanOrEqual(2);
    const first = `/api/v1/actors?org_unit_id=${teams[0]}&limit=2`;
    await expectRefused(first, `/api/v1/actors?org_unit_id=${teams[1]}&limit=2`);
    await expectRefused(first, `/api/v1/actors?limit=2`);
    await expectRefused('/api/v1/actors?limit=2', first);
    await expectRefused('/api/v1/actors?q=a&limit=2', '/api/v1/actors?q=e&limit=2');
    await expectRefused('/api/v1/actors?limit=2', '/api/v1/actors?as_of=2020-01-01&limit=2');
    await expectRefused('/api/v1/actors?limit=2', `/api/v1/actors?scenario_id=${scenarioId}&limit=2`);
  });

  it('refuses the cursor of other lists with other filters too: positions, placements, scenarios, activity', async () => {
    await expectRefused('/api/v1/positions?include_inactive=true&limit=2', '/api/v1/positions?status=vacant&limit=2');
    await expectRefused(`/api/v1/placements?org_unit_id=${teams[0]}&limit=2`, `/api/v1/placements?org_unit_id=${teams[1]}&limit=2`);
    await app.request('/api/v1/scenarios', { host: HOST, token: owner, json: { name: 'Another' } });
    await app.request('/api/v1/scenarios', { host: HOST, token: owner, json: { name: 'And another' } });
    await expectRefused('/api/v1/scenarios?limit=1', '/api/v1/scenarios?kind=planning&limit=1');
    await expectRefused('/api/v1/activity?limit=1', '/api/v1/activity?category=model&limit=1');
  });

  it("refuses one scenario's change-list cursor for another scenario", async () => {
    const unit = teams[0];
    const withChanges = async (name: string) => {
      const created = await app.request('/api/v1/scenarios', { host: HOST, token: owner, json: { name } });
      const id = ((await created.json()) as { data: { id: string } }).data.id;
      const changes = ['Ada', 'Bo', 'Cy'].map((display_name) => ({ op: 'add_actor', kind: 'human', display_name, org_unit_id: unit, fte: 1 }));
      expect((await app.request(`/api/v1/scenarios/${id}/changes`, { host: HOST, token: owner, json: { changes } })).status).toBe(200);
      return id;
    };
    const [a, b] = [await withChanges('A'), await withChanges('B')];
    const changes = await walk(`/api/v1/scenarios/${a}/changes`, 1); // each added person: the actor and the placement
    expect(new Set(changes).size).toBe(6);
    await expectRefused(`/api/v1/scenarios/${a}/changes?limit=1`, `/api/v1/scenarios/${b}/changes?limit=1`);
  });
});
