import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken } from '../support/factories.js';

/** Cursor pagination over REST (SPEC §7) on a generated organisation of ~300 actors. */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'apipage.localhost';

type Page = { data: { id?: string; record_id?: string }[]; next_cursor: string | null };

async function get(path: string): Promise<{ status: number; body: Page & Record<string, unknown> }> {
  const response = await app.request(path, { host: HOST, token: owner });
  return { status: response.status, body: (await response.json()) as Page & Record<string, unknown> };
}

/** Follows next_cursor from the first page to the last; returns the ids in the order served and the page count. */
async function walk(path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const { status, body } = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(status).toBe(200);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    if (body.next_cursor) expect(body.data.length).toBe(limit);
    ids.push(...body.data.map((item) => item.id ?? item.record_id!));
    cursor = body.next_cursor;
    pages++;
    if (pages > 1000) throw new Error('runaway pagination');
  } while (cursor);
  return { ids, pages };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apipage', plan: 'enterprise' });
  await seedOrganisation(database.db, tenant, { actors: 300, seed: 'api-pagination' });
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
}, 120_000);
afterAll(() => database?.close());

describe('cursor pagination', () => {
  const lists = [
    ['/api/v1/actors', 37],
    ['/api/v1/actors?include_inactive=true', 64],
    ['/api/v1/placements', 41],
    ['/api/v1/reporting-lines', 29],
    ['/api/v1/positions?include_inactive=true', 13],
    ['/api/v1/compensations', 50],
    ['/api/v1/org-units', 7],
    ['/api/v1/teams', 5],
  ] as const;

  it.each(lists)('walks %s (limit %i) without duplicates or gaps', async (path, limit) => {
    const everything = await get(`${path}${path.includes('?') ? '&' : '?'}limit=500`);
    expect(everything.body.next_cursor).toBeNull();
    const all = everything.body.data.map((item) => item.id!);
    expect(all.length).toBeGreaterThan(limit);
    const { ids, pages } = await walk(path, limit);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / limit));
  });

  it.each([
    ['/api/v1/actors?include_inactive=true&limit=37'],
    ['/api/v1/teams?limit=5'],
    ['/api/v1/reports/roster?limit=40'],
  ])('walks %s by its Link headers alone: every item once, no Link on the last page', async (path) => {
    const key = (item: object) => JSON.stringify(item);
    const everything = (await get(path.replace(/limit=\d+/, 'limit=500'))).body.data.map(key);
    const ids: string[] = [];
    let next: string | null = `http://${HOST}${path}`;
    let pages = 0;
    while (next) {
      const url = new URL(next);
      expect(url.origin).toBe(`http://${HOST}`); // absolute, on the request's own origin
      const response = await app.request(url.pathname + url.search, { host: HOST, token: owner });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Page;
      ids.push(...body.data.map(key));
      const link = response.headers.get('link');
      if (body.next_cursor) {
        expect(link).toMatch(/^<[^>]+>; rel="next"$/);
        next = /^<([^>]+)>/.exec(link!)![1]!;
        // The same query, the cursor replaced by the one the body names.
        const linked = new URL(next);
        expect(linked.pathname).toBe(new URL(path, 'http://x').pathname);
        expect(linked.searchParams.get('cursor')).toBe(body.next_cursor);
        linked.searchParams.delete('cursor');
        const asked = new URL(path, 'http://x').searchParams;
        expect(Object.fromEntries(linked.searchParams)).toEqual(Object.fromEntries(asked));
      } else {
        expect(link).toBeNull();
        next = null;
      }
      if (++pages > 100) throw new Error('runaway pagination');
    }
    expect(pages).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(everything);
  });

  it('serves about 300 actors, 50 per page by default', async () => {
    const first = await get('/api/v1/actors');
    expect(first.body.data).toHaveLength(50);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const { ids } = await walk('/api/v1/actors?include_inactive=true', 500);
    expect(ids.length).toBeGreaterThanOrEqual(290);
    expect(ids.length).toBeLessThanOrEqual(310);
  });

  it('keeps a walk whole when records are added between pages', async () => {
    const scenario = (await (await app.request('/api/v1/scenarios', { host: HOST, token: owner, json: { name: 'Hiring' } })).json()) as { data: { id: string } };
    const path = `/api/v1/actors?scenario_id=${scenario.data.id}`;
    const before = (await get(`${path}&limit=500`)).body.data.map((a) => a.id!);
    const firstPage = await get(`${path}&limit=100`);
    const unit = ((await get('/api/v1/teams?limit=1')).body.data[0] as { id: string }).id;
    const added = await app.request(`/api/v1/scenarios/${scenario.data.id}/changes`, {
      host: HOST,
      token: owner,
      json: { changes: ['Aaron Aardvark', 'Zoe Zed'].map((display_name) => ({ op: 'add_actor', kind: 'human', display_name, org_unit_id: unit, fte: 1 })) },
    });
    expect(added.status).toBe(200);
    const ids = firstPage.body.data.map((a) => a.id!);
    let cursor = firstPage.body.next_cursor;
    while (cursor) {
      const page = await get(`${path}&limit=100&cursor=${encodeURIComponent(cursor)}`);
      ids.push(...page.body.data.map((a) => a.id!));
      cursor = page.body.next_cursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => before.includes(id))).toEqual(before); // every record present when the walk began, in order
    expect(ids.length).toBe(before.length + 1); // Zoe sorts after the cursor and shows up; Aaron sorts before it
  });

  it('refuses a cursor it did not issue and limits outside 1–500', async () => {
    for (const query of ['cursor=bm9wZQ', 'cursor=!!', 'limit=0', 'limit=501', 'limit=2.5']) {
      const { status, body } = await get(`/api/v1/actors?${query}`);
      expect(status, query).toBe(400);
      expect(body.field).toBe(query.split('=')[0]);
    }
    // The range in words, as the reference shows it, whatever the mistake (not zod's "expected number, received NaN").
    for (const limit of ['0', '501', '2.5', 'abc', '99999999999999999999']) {
      const { body } = await get(`/api/v1/actors?limit=${limit}`);
      expect(body.detail, limit).toBe('Invalid limit: must be a whole number from 1 to 500');
    }
  });

  it("refuses another list's cursor and says whose it is, instead of starting somewhere else", async () => {
    const actors = await get('/api/v1/actors?limit=2');
    expect(actors.body.next_cursor).toEqual(expect.any(String));
    const units = await get(`/api/v1/org-units?limit=2&cursor=${encodeURIComponent(actors.body.next_cursor!)}`);
    expect(units.status).toBe(400);
    expect(units.body.field).toBe('cursor');
    expect(units.body.detail).toBe(
      'Invalid cursor: belongs to another list (actors), not org units: pass it back to the list that returned it, or start again without it',
    );
    // Departments and teams are two lists of one kind of record: their cursors do not mix either.
    const departments = await get('/api/v1/departments?limit=1');
    expect(departments.body.next_cursor).toEqual(expect.any(String));
    const teams = await get(`/api/v1/teams?limit=1&cursor=${encodeURIComponent(departments.body.next_cursor!)}`);
    expect(teams.status).toBe(400);
    expect(teams.body.detail).toContain('belongs to another list (departments), not teams');
  });
});
