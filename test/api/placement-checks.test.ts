import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Placement checks over REST (reference: placements and allocation — total allocation may exceed 100 % and is kept
 * visible): who fails each as an actors filter (needs placements.read), on an actor's detail, and counted across the
 * organisation in the org metrics.
 *
 * The fixture org with one failure of each check in Live: m1 is placed 60 % + 60 % (over-allocated), p2 50 %
 * (under-allocated), `loose` nowhere (unplaced), f2 at 100 % but not as primary (no primary placement). In the
 * scenario p1 is also placed 50 % in Mobile: over-allocated there, not in Live.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let scenarioId: string;
const HOST = 'apiplacementchecks.localhost';
const { id, units } = fixtureIds('api-placement-checks');

type Body = { data: any; next_cursor?: string | null; [key: string]: any };

async function get(path: string, token = owner): Promise<{ status: number; body: Body; type: string | null }> {
  const response = await app.request(path, { host: HOST, token });
  return { status: response.status, body: (await response.json()) as Body, type: response.headers.get('content-type') };
}

const names = (body: Body) => body.data.map((a: { display_name: string }) => a.display_name);

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiplacementchecks', plan: 'enterprise' });
  const graph = buildFixtureOrg('api-placement-checks');
  graph.placements.get(id('pl-m1-p'))!.allocationPct = 60;
  graph.placements.get(id('pl-p2'))!.allocationPct = 50;
  graph.placements.get(id('pl-f2'))!.isPrimary = false;
  const m1 = graph.actors.get(id('m1'))!;
  graph.actors.set(id('loose'), { ...m1, id: id('loose'), displayName: 'loose', email: 'loose@fixture.test', externalUid: 'loose' });
  tenant = await writeGraph(database, tenant, graph);
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
  const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Lend p1 to Mobile' })).id;
  await applyBatch(ctx, scenarioId, [{ op: 'add_placement', actor_id: id('p1'), org_unit_id: units.M, allocation_pct: 50, date: '2026-01-01' }]);
});
afterAll(() => database?.close());

describe('GET /api/v1/actors?placement_check=', () => {
  it('lists only the actors who fail that check on the day', async () => {
    const listed = async (check: string, extra = '') => names((await get(`/api/v1/actors?placement_check=${check}&as_of=${AS_OF}${extra}`)).body);
    expect(await listed('over_allocated')).toEqual(['m1']);
    expect(await listed('under_allocated')).toEqual(['p2']);
    expect(await listed('unplaced')).toEqual(['loose']);
    // Listing leavers too adds none: someone who has left has nothing in effect to check.
    expect(await listed('unplaced', '&include_inactive=true')).toEqual(['loose']);
    expect(await listed('no_primary')).toEqual(['f2']);
    // With the other filters, as they narrow the list.
    expect(await listed('over_allocated', `&org_unit_id=${units.P}`)).toEqual(['m1']);
    expect(await listed('over_allocated', `&org_unit_id=${units.S}`)).toEqual([]);
    // The same actor over-allocated in the scenario, not in Live.
    expect(await listed('over_allocated', `&scenario_id=${scenarioId}`)).toEqual(['m1', 'p1']);
    // Everyone is listed without the filter.
    expect((await get(`/api/v1/actors?as_of=${AS_OF}`)).body.data).toHaveLength(10);
  });

  it('pages a filtered list with its cursor', async () => {
    const first = await get(`/api/v1/actors?placement_check=over_allocated&scenario_id=${scenarioId}&as_of=${AS_OF}&limit=1`);
    expect(names(first.body)).toEqual(['m1']);
    const second = await get(`/api/v1/actors?placement_check=over_allocated&scenario_id=${scenarioId}&as_of=${AS_OF}&limit=1&cursor=${encodeURIComponent(first.body.next_cursor!)}`);
    expect([names(second.body), second.body.next_cursor]).toEqual([['p1'], null]);
    // A cursor of another check's list is refused, not read as a page of this one.
    const other = await get(`/api/v1/actors?placement_check=unplaced&scenario_id=${scenarioId}&as_of=${AS_OF}&limit=1&cursor=${encodeURIComponent(first.body.next_cursor!)}`);
    expect([other.status, other.body.field]).toEqual([400, 'cursor']);
  });

  it('refuses a token without placements.read with a 403 problem naming it, and still lists without the filter', async () => {
    const actorsOnly = await memberToken(database, tenant, 'admin', { abilities: ['actors.read'] });
    const refused = await get('/api/v1/actors?placement_check=over_allocated', actorsOnly);
    expect(refused.status).toBe(403);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 403, code: 'missing_ability', ability: 'placements.read' });
    expect(JSON.stringify(refused.body)).not.toContain('m1');
    expect((await get(`/api/v1/actors?as_of=${AS_OF}`, actorsOnly)).status).toBe(200);
  });

  it('refuses an unknown check with a 400 problem naming placement_check and the checks it takes', async () => {
    for (const value of ['overallocated', 'OVER_ALLOCATED', 'unplaced,no_primary']) {
      const refused = await get(`/api/v1/actors?placement_check=${encodeURIComponent(value)}`);
      expect(refused.status, value).toBe(400);
      expect(refused.type).toContain('application/problem+json');
      expect(refused.body, value).toMatchObject({
        code: 'invalid_input',
        field: 'placement_check',
        detail: 'Invalid placement_check: must be one of over_allocated, under_allocated, unplaced, no_primary',
      });
    }
  });
});

describe('an actor’s total allocation and placement checks', () => {
  it('are on the detail with placements.read, for an actor in effect', async () => {
    const actor = async (key: string, query = `as_of=${AS_OF}`, token = owner) => (await get(`/api/v1/actors/${id(key)}?${query}`, token)).body.data;
    expect(await actor('m1')).toMatchObject({ total_allocation_pct: 120, placement_checks: ['over_allocated'] });
    expect(await actor('p2')).toMatchObject({ total_allocation_pct: 50, placement_checks: ['under_allocated'] });
    expect(await actor('loose')).toMatchObject({ total_allocation_pct: 0, placement_checks: ['unplaced'] });
    expect(await actor('f2')).toMatchObject({ total_allocation_pct: 100, placement_checks: ['no_primary'] });
    expect(await actor('p1')).toMatchObject({ total_allocation_pct: 100, placement_checks: [] });
    expect(await actor('p1', `scenario_id=${scenarioId}&as_of=${AS_OF}`)).toMatchObject({ total_allocation_pct: 150, placement_checks: ['over_allocated'] });
    // Someone who has left fails no check: there is nothing of theirs in effect to check.
    const former = await actor('former');
    expect(former).not.toHaveProperty('total_allocation_pct');
    expect(former).not.toHaveProperty('placement_checks');
    // Without placements.read: neither, as the placements themselves.
    const actorsOnly = await memberToken(database, tenant, 'admin', { abilities: ['actors.read'] });
    const narrow = await actor('m1', `as_of=${AS_OF}`, actorsOnly);
    expect(narrow.display_name).toBe('m1');
    for (const field of ['placements', 'total_allocation_pct', 'placement_checks']) expect(narrow).not.toHaveProperty(field);
  });
});

describe('GET /api/v1/org-metrics placement_checks', () => {
  it('counts each check across the whole organisation, also for a unit, in Live and in a scenario', async () => {
    const counts = async (query: string) => (await get(`/api/v1/org-metrics?as_of=${AS_OF}${query}`)).body.data.placement_checks;
    const live = { over_allocated: 1, under_allocated: 1, unplaced: 1, no_primary: 1 };
    expect(await counts('')).toEqual(live);
    // Sales holds none of them: still the organisation's counts, which the actors filter names.
    expect(await counts(`&org_unit_id=${units.S}`)).toEqual(live);
    expect(await counts(`&scenario_id=${scenarioId}`)).toEqual({ ...live, over_allocated: 2 });
    // A viewer (placements.read, no costs.read) sees them too.
    const viewer = await memberToken(database, tenant, 'viewer');
    expect((await get(`/api/v1/org-metrics?as_of=${AS_OF}`, viewer)).body.data.placement_checks).toEqual(live);
  });

  it('moves in the scenario delta’s total', async () => {
    const delta = (await get(`/api/v1/scenarios/${scenarioId}/delta?as_of=${AS_OF}`)).body.data;
    expect(delta.metrics.total).toMatchObject({
      over_allocated: { from: 1, to: 2, delta: 1 },
      under_allocated: { from: 1, to: 1, delta: 0 },
      unplaced: { from: 1, to: 1, delta: 0 },
      no_primary: { from: 1, to: 1, delta: 0 },
    });
  });
});

describe('the OpenAPI document', () => {
  it('documents the filter with its checks, the detail fields and the counts, with examples that agree', async () => {
    const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as any;
    const actors = doc.paths['/api/v1/actors'].get;
    const filter = actors.parameters.find((p: { name: string }) => p.name === 'placement_check');
    expect(filter.schema.enum).toEqual(['over_allocated', 'under_allocated', 'unplaced', 'no_primary']);
    // Each value says what it finds, and the ability it needs is named.
    expect(filter.description).toContain('`over_allocated` — placements in effect add up to more than 100% allocation');
    expect(filter.description).toContain('`no_primary` — ');
    expect(filter.description).toContain('`placements.read`');
    expect(actors.description).toContain('`placements.read`');

    const detail = doc.components.schemas.ActorDetail.allOf.find((part: { properties?: object }) => part.properties).properties;
    expect(detail.total_allocation_pct.description).toMatch(/^Only with `placements.read`/);
    expect(detail.placement_checks.description).toMatch(/^Only with `placements.read`/);
    const actor = doc.paths['/api/v1/actors/{id}'].get.responses['200'].content['application/json'].example.data;
    // One placement at 100 %, primary: no check failed.
    expect(actor.placements.map((p: { allocation_pct: number }) => p.allocation_pct)).toEqual([actor.total_allocation_pct]);
    expect(actor.placement_checks).toEqual([]);

    const metrics = doc.paths['/api/v1/org-metrics'].get;
    expect(metrics.description).toContain('`placement_checks`');
    expect(Object.keys(doc.components.schemas.PlacementChecks.properties)).toEqual(['over_allocated', 'under_allocated', 'unplaced', 'no_primary']);
    const example = metrics.responses['200'].content['application/json'].example.data;
    expect(Object.keys(example.placement_checks)).toEqual(['over_allocated', 'under_allocated', 'unplaced', 'no_primary']);
    // The vacant seats' budget is its own figure, not the payroll's; a month is a twelfth of the year.
    const cost = example.metrics.cost;
    expect(cost.vacant_seats_annual.amount_minor).not.toBe(cost.annual.amount_minor);
    expect(cost.vacant_seats_annual.amount_minor).toBeGreaterThan(0);
    expect(Math.round(cost.annual.amount_minor / 12)).toBe(cost.monthly.amount_minor);

    expect(JSON.stringify(doc.paths['/api/v1/scenarios/{id}/delta'].get.responses['200'].content['application/json'].schema) + JSON.stringify(doc.components.schemas)).toContain('over_allocated, under_allocated, unplaced and no_primary');
    const deltaExample = doc.paths['/api/v1/scenarios/{id}/delta'].get.responses['200'].content['application/json'].example.data;
    expect(deltaExample.metrics.total).toMatchObject({ over_allocated: { from: 1, to: 1, delta: 0 } });
  });
});
