import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Database } from '../../src/db/connection.js';
import { tasks } from '../../src/db/schema/index.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor, tokenOf } from '../support/factories.js';

/**
 * `GET /api/v1/tasks`: the tenant's background tasks, newest first, filtered by status and kind, paged by cursor —
 * never another tenant's, never without `scenarios.read`, money in results only with `costs.read`.
 */

let database: Database;
let app: TestApp;
let acme: Tenant;
let other: Tenant;
const HOST = 'tasklist.localhost';
const OTHER_HOST = 'tasklistother.localhost';
let owner: string;
let viewer: string;
let noScenarios: string;
let theirOwner: string;
let theirIds: string[];
let ourScenario: string;
let theirScenario: string;
let scenarioTaskIds: string[];

type Task = { id: string; kind: string; status: string; result: Record<string, any> | null; error: string | null; created_at: string };
type Body = { data: Task[]; next_cursor: string | null; status?: number; code?: string; field?: string; detail?: string; ability?: string };

async function get(path: string, token = owner, host = HOST): Promise<{ status: number; body: Body }> {
  const response = await app.request(path, { host, token });
  return { status: response.status, body: (await response.json()) as Body };
}

/** Every task of a walk `limit` at a time, in the order served. */
async function walk(query: string, limit: number, token = owner, host = HOST): Promise<Task[]> {
  const seen: Task[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await get(`/api/v1/tasks?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token, host);
    expect(status, JSON.stringify(body)).toBe(200);
    if (body.next_cursor) expect(body.data.length).toBe(limit);
    seen.push(...body.data);
    cursor = body.next_cursor;
  } while (cursor);
  return seen;
}

/** Task rows: `at` is a timestamp with microseconds (several tasks may share one, or differ by a microsecond). */
async function insertTasks(tenant: Tenant, rows: { kind: string; status: string; at: string; result?: Record<string, unknown>; error?: string; scenarioId?: string }[]) {
  const inserted = await database.db
    .insert(tasks)
    .values(rows.map((r) => ({ tenantId: tenant.id, scenarioId: r.scenarioId ?? null, kind: r.kind, status: r.status, result: r.result ?? null, error: r.error ?? null, createdAt: sql`${r.at}::timestamptz` })))
    .returning({ id: tasks.id });
  return inserted.map((r) => r.id);
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  acme = await buildTenant(database, { slug: 'tasklist', plan: 'enterprise' });
  other = await buildTenant(database, { slug: 'tasklistother', plan: 'enterprise' });
  const money = { live_version: 3, deltas: { headcount: 1, annual_cost_minor: 9_000_000 } };
  await insertTasks(acme, [
    // Three share a time to the microsecond (the id breaks the tie); two differ by one microsecond within a millisecond.
    { kind: 'promotion', status: 'succeeded', at: '2026-03-01T10:00:00.000100Z', result: money },
    { kind: 'promotion', status: 'succeeded', at: '2026-03-01T10:00:00.000100Z', result: money },
    { kind: 'promotion', status: 'succeeded', at: '2026-03-01T10:00:00.000100Z', result: money },
    { kind: 'promotion', status: 'succeeded', at: '2026-03-01T10:00:00.000101Z', result: money },
    { kind: 'promotion', status: 'failed', at: '2026-03-01T10:00:00.000900Z', error: 'Conflicts with Live: resolve them first.' },
    { kind: 'restore', status: 'failed', at: '2026-03-02T09:00:00Z', error: 'Nothing to restore.' },
    { kind: 'restore', status: 'succeeded', at: '2026-03-03T09:00:00Z', result: { live_version: 4 } },
    { kind: 'import', status: 'running', at: '2026-03-04T09:00:00Z' },
  ]);
  theirIds = await insertTasks(other, [
    { kind: 'promotion', status: 'succeeded', at: '2026-03-05T09:00:00Z', result: money },
    { kind: 'restore', status: 'failed', at: '2026-03-01T10:00:00.000100Z', error: 'Theirs.' },
  ]);
  ourScenario = (await createScenario(contextFor(database, acme, principalFor(acme, 'owner')), { name: 'Ours' })).id;
  theirScenario = (await createScenario(contextFor(database, other, principalFor(other, 'owner')), { name: 'Theirs' })).id;
  scenarioTaskIds = await insertTasks(acme, [
    { kind: 'promotion', status: 'failed', at: '2026-03-06T09:00:00.000001Z', error: 'Conflicts.', scenarioId: ourScenario },
    { kind: 'promotion', status: 'failed', at: '2026-03-06T09:00:00.000002Z', error: 'Conflicts again.', scenarioId: ourScenario },
    { kind: 'promotion', status: 'succeeded', at: '2026-03-06T09:00:00.000003Z', scenarioId: ourScenario },
  ]);
  await insertTasks(other, [{ kind: 'promotion', status: 'failed', at: '2026-03-06T09:00:00Z', error: 'Theirs.', scenarioId: theirScenario }]);
  const user = await buildMember(database, acme, 'owner');
  owner = await tokenOf(database, acme, user, 'owner');
  noScenarios = await tokenOf(database, acme, user, 'owner', { name: 'no scenarios', abilities: ALL_ABILITIES.filter((a) => a !== 'scenarios.read') });
  viewer = await memberToken(database, acme, 'viewer');
  theirOwner = await memberToken(database, other, 'owner');
});
afterAll(() => database?.close());

describe('GET /api/v1/tasks', () => {
  it('lists the tenant’s tasks newest first, the same walked one at a time or all at once, none twice', async () => {
    const whole = await walk('', 500);
    expect(whole.map((t) => t.kind)).toEqual(['promotion', 'promotion', 'promotion', 'import', 'restore', 'restore', 'promotion', 'promotion', 'promotion', 'promotion', 'promotion']);
    expect(whole.slice(3, 6).map((t) => t.status)).toEqual(['running', 'succeeded', 'failed']);
    const created = whole.map((t) => t.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    for (const limit of [1, 2, 3]) expect((await walk('', limit)).map((t) => t.id), `limit ${limit}`).toEqual(whole.map((t) => t.id));
  });

  it('filters by status and kind, and pages within the filter', async () => {
    const failed = await walk('&status=failed', 1);
    expect(failed.map((t) => [t.kind, t.error])).toEqual([
      ['promotion', 'Conflicts again.'],
      ['promotion', 'Conflicts.'],
      ['restore', 'Nothing to restore.'],
      ['promotion', 'Conflicts with Live: resolve them first.'],
    ]);
    const promotions = await walk('&kind=promotion&status=succeeded', 2);
    expect(promotions).toHaveLength(5);
    expect(promotions.every((t) => t.kind === 'promotion' && t.status === 'succeeded')).toBe(true);
    expect((await walk('&kind=import', 5)).map((t) => t.status)).toEqual(['running']);
  });

  it('lists one scenario’s tasks the same way: newest first, filtered, paged; another tenant’s scenario is not found', async () => {
    const path = (query: string) => `/api/v1/scenarios/${ourScenario}/tasks?${query}`;
    const pages: Task[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await get(path(`limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      expect(status).toBe(200);
      pages.push(...body.data);
      cursor = body.next_cursor;
    } while (cursor);
    expect(pages.map((t) => t.id)).toEqual([...scenarioTaskIds].reverse());
    expect((await get(path('status=failed'))).body.data.map((t) => t.error)).toEqual(['Conflicts again.', 'Conflicts.']);
    // A cursor of the tenant-wide list is not one of this scenario's.
    const wide = (await get('/api/v1/tasks?limit=1')).body.next_cursor!;
    expect((await get(path(`cursor=${encodeURIComponent(wide)}`))).body).toMatchObject({ status: 400, field: 'cursor' });
    const theirs = await get(`/api/v1/scenarios/${theirScenario}/tasks`);
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body)).not.toContain('Theirs.');
  });

  it('never shows another tenant’s tasks, and shows them theirs only', async () => {
    const ours = await walk('', 500);
    expect(ours.some((t) => theirIds.includes(t.id))).toBe(false);
    expect(ours.some((t) => t.error === 'Theirs.')).toBe(false);
    const theirs = await walk('', 1, theirOwner, OTHER_HOST);
    expect(theirs.map((t) => t.id)).toEqual(expect.arrayContaining(theirIds));
    expect(theirs.map((t) => t.error)).toEqual(['Theirs.', null, 'Theirs.']);
    // Our token on their host is nobody there.
    expect((await get('/api/v1/tasks', owner, OTHER_HOST)).status).toBe(401);
  });

  it('refuses a credential without scenarios.read with a 403 naming it', async () => {
    const { status, body } = await get('/api/v1/tasks?status=failed', noScenarios);
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'missing_ability', ability: 'scenarios.read' });
    expect(body.data).toBeUndefined();
  });

  it('shows money in results only with costs.read', async () => {
    const ownerSees = (await walk('&kind=promotion&status=succeeded', 10)).find((t) => t.result)!;
    expect(ownerSees.result?.deltas).toEqual({ headcount: 1, annual_cost_minor: 9_000_000 });
    const viewerSees = (await walk('&kind=promotion&status=succeeded', 10, viewer)).find((t) => t.id === ownerSees.id)!;
    expect(viewerSees.id).toBe(ownerSees.id);
    expect(viewerSees.result?.deltas).toEqual({ headcount: 1 });
  });

  it('refuses a filter it does not know, naming the parameter and the values it takes', async () => {
    const status = await get('/api/v1/tasks?status=done');
    expect(status.status).toBe(400);
    expect(status.body).toMatchObject({ code: 'invalid_input', field: 'status' });
    expect(status.body.detail).toMatch(/pending.*running.*succeeded.*failed/);
    const kind = await get('/api/v1/tasks?kind=promote');
    expect(kind.status).toBe(400);
    expect(kind.body).toMatchObject({ field: 'kind' });
    expect(kind.body.detail).toMatch(/promotion.*restore.*import/);
    const unknown = await get('/api/v1/tasks?scenario=x');
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('scenario');
    expect((await get('/api/v1/tasks?limit=0')).body.field).toBe('limit');
  });

  it('refuses a cursor it did not issue, one of other filters and one of another list, with a problem saying what to do', async () => {
    const garbage = await get('/api/v1/tasks?cursor=bm90LWEtY3Vyc29y');
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatchObject({ field: 'cursor' });
    expect(garbage.body.detail).toContain('start again without it');

    const failedPage = await get('/api/v1/tasks?status=failed&limit=1');
    const cursor = encodeURIComponent(failedPage.body.next_cursor!);
    const otherFilters = await get(`/api/v1/tasks?kind=promotion&limit=1&cursor=${cursor}`);
    expect(otherFilters.status).toBe(400);
    expect(otherFilters.body.detail).toContain('filters changed');
    // Still good for the query it was issued for.
    expect((await get(`/api/v1/tasks?status=failed&limit=1&cursor=${cursor}`)).body.data.map((t) => t.kind)).toEqual(['promotion']);

    const snapshots = await get(`/api/v1/snapshots?cursor=${cursor}`);
    expect(snapshots.status).toBe(400);
    expect(snapshots.body.detail).toContain('belongs to another list (tasks)');

    // A cursor of this list whose position is not a time and a task id (hand-made) is refused, not a server error.
    const forged = Buffer.from(JSON.stringify({ list: 'tasks', query: JSON.parse(Buffer.from(decodeURIComponent(cursor), 'base64url').toString()).query, key: ['soon', "x' or 1=1"] })).toString('base64url');
    const refused = await get(`/api/v1/tasks?status=failed&cursor=${forged}`);
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('cursor');
  });
});
