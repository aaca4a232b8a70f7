import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { teamTypes, tenantCurrencies } from '../../src/db/schema/index.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds, PAST } from '../support/fixture-org.js';

/** The org reads over REST (SPEC §6, §7) on the hand-computed fixture org (test/support/fixture-org.ts). */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let scenarioId: string;
const HOST = 'apiorg.localhost';
const { id, units } = fixtureIds('api-org');

type Body = { data: any; next_cursor?: string | null; [key: string]: any };

async function get(path: string, token = owner): Promise<{ status: number; body: Body; type: string | null }> {
  const response = await app.request(path, { host: HOST, token });
  return { status: response.status, body: (await response.json()) as Body, type: response.headers.get('content-type') };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiorg', plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([
    { tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 },
    { tenantId: tenant.id, code: 'GBP', rateToReporting: null },
  ]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg('api-org'));
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
  const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Move Mobile' })).id;
  await applyBatch(ctx, scenarioId, [
    { op: 'move_org_unit', org_unit_id: units.M, parent_id: units.S },
    { op: 'set_fte', actor_id: id('p2'), fte: 1 },
  ]);
});
afterAll(() => database?.close());

describe('structure reads', () => {
  it('lists org units sorted by name, filtered by type, parent and search', async () => {
    const all = await get(`/api/v1/org-units?as_of=${AS_OF}`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((u: { name: string }) => u.name)).toEqual(['Engineering', 'Field', 'Fixture Co', 'Mobile', 'Platform', 'Sales']);
    expect(all.body.next_cursor).toBeNull();
    const teams = await get('/api/v1/org-units?type=team&limit=2');
    expect(teams.body.data.map((u: { name: string }) => u.name)).toEqual(['Field', 'Mobile']);
    const rest = await get(`/api/v1/org-units?type=team&limit=2&cursor=${teams.body.next_cursor}`);
    expect(rest.body).toMatchObject({ data: [{ name: 'Platform' }], next_cursor: null });
    expect((await get(`/api/v1/org-units?parent_id=${units.E}`)).body.data.map((u: { name: string }) => u.name)).toEqual(['Mobile', 'Platform']);
    expect((await get('/api/v1/org-units?q=plat')).body.data.map((u: { id: string }) => u.id)).toEqual([units.P]);
  });

  it('builds the tree with depth, comma-separated types and a root', async () => {
    const tree = await get(`/api/v1/org-units/tree?as_of=${AS_OF}`);
    expect(tree.body.data.roots).toHaveLength(1);
    expect(tree.body.data.roots[0]).toMatchObject({ name: 'Fixture Co', metrics: { headcount: 8 } });
    expect(tree.body.data.total.headcount).toBe(8);
    const shallow = await get('/api/v1/org-units/tree?depth=1');
    expect(shallow.body.data.roots[0].children).toBeUndefined();
    expect(shallow.body.data.roots[0].child_count).toBe(2);
    const typed = await get('/api/v1/org-units/tree?type=department,team');
    expect(typed.body.data.roots.map((r: { name: string }) => r.name)).toEqual(['Engineering', 'Sales']);
    expect(typed.body.data.roots[0].children.map((r: { name: string }) => r.name)).toEqual(['Mobile', 'Platform']);
    const rooted = await get(`/api/v1/org-units/tree?root_id=${units.S}&only_active=false`);
    expect(rooted.body.data.roots.map((r: { name: string }) => r.name)).toEqual(['Sales']);
  });

  it('shows one org unit, departments and teams', async () => {
    const platform = await get(`/api/v1/org-units/${units.P}?as_of=${AS_OF}`);
    expect(platform.body.data).toMatchObject({ name: 'Platform', team: { purpose: 'Runs the platform' }, metrics: { headcount: 2, effective_fte: 1.9 } });
    expect(platform.body.data.path.map((p: { name: string }) => p.name)).toEqual(['Fixture Co', 'Engineering']);
    const departments = await get('/api/v1/departments');
    expect(departments.body.data.map((d: { name: string; department?: { cost_center: string } }) => [d.name, d.department?.cost_center ?? null])).toEqual([
      ['Engineering', 'CC-ENG'],
      ['Sales', null],
    ]);
    const teams = await get('/api/v1/teams');
    expect(teams.body.data.map((t: { name: string }) => t.name)).toEqual(['Field', 'Mobile', 'Platform']);
    // A team type of this organisation that no team has: an empty page. An unknown one (or another organisation's)
    // is 404 naming it, as an unknown org unit or actor filter is — not an empty page that reads as "no such teams".
    const [unused] = await database.db.insert(teamTypes).values({ tenantId: tenant.id, name: 'Enabling' }).returning({ id: teamTypes.id });
    const other = await buildTenant(database, { slug: 'apiorgother' });
    const [theirs] = await database.db.insert(teamTypes).values({ tenantId: other.id, name: 'Enabling' }).returning({ id: teamTypes.id });
    const empty = await get(`/api/v1/teams?team_type_id=${unused!.id}`);
    expect([empty.status, empty.body.data]).toEqual([200, []]);
    for (const unknown of ['none', theirs!.id]) {
      const refused = await get(`/api/v1/teams?team_type_id=${unknown}`);
      expect([refused.status, refused.body.code, refused.body.detail]).toEqual([404, 'not_found', `Team type "${unknown}" not found.`]);
    }
  });
});

describe('people reads', () => {
  it('lists and shows actors, reporting lines, placements, positions and compensation', async () => {
    const inPlatform = await get(`/api/v1/actors?org_unit_id=${units.P}&as_of=${AS_OF}`);
    expect(inPlatform.body.data.map((a: { display_name: string }) => a.display_name)).toEqual(['bot', 'm1', 'p1', 'p2']);
    expect((await get('/api/v1/actors?kind=agent')).body.data.map((a: { display_name: string }) => a.display_name)).toEqual(['bot']);
    expect((await get('/api/v1/actors?q=chief')).body.data.map((a: { display_name: string }) => a.display_name)).toEqual(['ceo']);
    const head = await get(`/api/v1/actors/${id('eng_head')}?as_of=${AS_OF}`);
    expect(head.body.data.direct_reports.map((r: { display_name: string }) => r.display_name)).toEqual(['m1', 'p1', 'p2']);
    expect(head.body.data).toMatchObject({ manager: { display_name: 'ceo' }, annual_loaded_cost: { amount_minor: 18_750_000, currency: 'EUR' } });
    expect((await get(`/api/v1/reporting-lines?manager_id=${id('eng_head')}&as_of=${PAST}`)).body.data).toHaveLength(4);
    expect((await get(`/api/v1/reporting-lines?actor_id=${id('p1')}`)).body.data).toMatchObject([{ manager_id: id('eng_head') }]);
    const m1 = await get(`/api/v1/placements?actor_id=${id('m1')}`);
    expect(m1.body.data.map((p: { allocation_pct: number; is_primary: boolean }) => [p.allocation_pct, p.is_primary]).sort()).toEqual([
      [40, false],
      [60, true],
    ]);
    expect((await get(`/api/v1/placements?position_id=${id('pos_p1')}`)).body.data).toMatchObject([{ actor_id: id('p1') }]);
    const vacant = await get(`/api/v1/positions?status=vacant&as_of=${AS_OF}`);
    expect(vacant.body.data.map((p: { title: string }) => p.title)).toEqual(['pos_f_open', 'pos_m_open']);
    const filled = await get(`/api/v1/positions?status=filled&org_unit_id=${units.P}`);
    expect(filled.body.data).toMatchObject([{ title: 'pos_p1', filled_by: [id('p1')], target_salary: { amount_minor: 9_000_000, currency: 'EUR' } }]);
    // What the seat costs as the cost figures count a person: 90,000 plus the 25 % burden.
    expect(filled.body.data[0].annual_loaded_cost).toEqual({ amount_minor: 11_250_000, currency: 'EUR', unconvertible: [] });
    expect((await get(`/api/v1/compensations?actor_id=${id('f1')}`)).body.data).toMatchObject([{ kind: 'day_rate', amount: { amount_minor: 50_000, currency: 'EUR' } }]);
  });

  it('shows no current cost for someone who has left, says when they left, and their pay as ended with them', async () => {
    const former = (await get(`/api/v1/actors/${id('former')}?as_of=${AS_OF}`)).body.data;
    expect(former).toMatchObject({ active: false, annual_loaded_cost: null, cost_note: 'Left on 2026-01-01: no current cost — their pay ended when they left.' });
    expect(former.compensation).toMatchObject([{ active: false, valid_to: null, ended_on: '2026-01-01' }]);
    // The compensation list agrees: their pay, left open in the data, is not current pay, and reads as ended with them.
    const current = (await get(`/api/v1/compensations?as_of=${AS_OF}&limit=200`)).body.data as { actor_id: string }[];
    expect(current.length).toBeGreaterThan(0);
    expect(current.map((c) => c.actor_id)).not.toContain(id('former'));
    expect((await get(`/api/v1/compensations?actor_id=${id('former')}&as_of=${AS_OF}`)).body.data).toMatchObject([{ active: false, valid_to: null, ended_on: '2026-01-01' }]);
    // While they were in the organisation: their cost and pay as ever.
    const then = (await get(`/api/v1/actors/${id('former')}?as_of=2025-06-01`)).body.data;
    expect(then.annual_loaded_cost).toMatchObject({ amount_minor: 10_000_000, currency: 'EUR' });
    expect(then).not.toHaveProperty('cost_note');
    expect(then.compensation[0]).toMatchObject({ active: true });
    expect(then.compensation[0]).not.toHaveProperty('ended_on');
  });

  it('answers "who reports to no one?" and "which teams have no manager?" with without_manager', async () => {
    const names = (body: Body) => body.data.map((a: { display_name?: string; name?: string }) => a.display_name ?? a.name);
    expect(names((await get(`/api/v1/actors?without_manager=true&as_of=${AS_OF}`)).body)).toEqual(['bot', 'ceo']);
    expect(names((await get(`/api/v1/actors?without_manager=true&kind=human&as_of=${AS_OF}`)).body)).toEqual(['ceo']);
    expect((await get(`/api/v1/actors?without_manager=false&as_of=${AS_OF}`)).body.data.length).toBeGreaterThan(2);

    // In a scenario p2 reports to p1, who is homed in Platform: Platform now has a manager of its own.
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
    const led = (await createScenario(ctx, { name: 'Platform lead' })).id;
    await applyBatch(ctx, led, [{ op: 'set_manager', actor_id: id('p2'), manager_id: id('p1'), date: AS_OF }]);
    expect(names((await get(`/api/v1/teams?without_manager=true&as_of=${AS_OF}`)).body)).toEqual(['Field', 'Mobile', 'Platform']);
    expect(names((await get(`/api/v1/teams?without_manager=true&scenario_id=${led}&as_of=${AS_OF}`)).body)).toEqual(['Field', 'Mobile']);

    // The team filter reads span metrics: a token without org-metrics.read is told so.
    const teamsOnly = await memberToken(database, tenant, 'admin', { abilities: ['teams.read'] });
    const refused = await get(`/api/v1/teams?without_manager=true`, teamsOnly);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ ability: 'org-metrics.read' });
  });

  it('maps query booleans: include_inactive=false is false, true is true', async () => {
    const names = async (query: string) => (await get(`/api/v1/actors?as_of=${AS_OF}${query}`)).body.data.map((a: { display_name: string }) => a.display_name);
    expect(await names('')).not.toContain('former');
    expect(await names('&include_inactive=false')).not.toContain('former');
    expect(await names('&include_inactive=true')).toContain('former');
    const lines = async (query: string) => (await get(`/api/v1/reporting-lines?manager_id=${id('eng_head')}&as_of=${AS_OF}${query}`)).body.data.length;
    expect([await lines('&include_inactive=false'), await lines('&include_inactive=true')]).toEqual([3, 4]);
  });
});

describe('metrics, as_of and scenario_id', () => {
  it('answers org metrics for the whole org and one unit, with cost for costs.read', async () => {
    const whole = await get(`/api/v1/org-metrics?as_of=${AS_OF}`);
    expect(whole.body.data).toMatchObject({ org_unit_id: null, as_of: AS_OF, scenario_id: null, reporting_cycles: 0 });
    expect(whole.body.data.metrics).toMatchObject({ headcount: 8, agents: 1, fte: 7.5, layers: 3 });
    expect(whole.body.data.metrics.cost.annual).toEqual({ amount_minor: 98_250_000, currency: 'EUR', unconvertible: ['GBP'] });
    const platform = await get(`/api/v1/org-metrics?org_unit_id=${units.P}&as_of=${AS_OF}`);
    expect(platform.body.data.metrics).toMatchObject({ headcount: 2, effective_fte: 1.9 });
    expect((await get(`/api/v1/org-metrics?as_of=${PAST}`)).body.data.metrics.headcount).toBe(9);
  });

  it('reads a scenario with scenario_id and leaves Live alone', async () => {
    const moved = await get(`/api/v1/org-units/${units.M}?scenario_id=${scenarioId}`);
    expect(moved.body.data.parent_id).toBe(units.S);
    expect((await get(`/api/v1/org-units/${units.M}`)).body.data.parent_id).toBe(units.E);
    const sales = await get(`/api/v1/org-metrics?scenario_id=${scenarioId}&org_unit_id=${units.S}&as_of=${AS_OF}`);
    expect(sales.body.data).toMatchObject({ scenario_id: scenarioId, metrics: { headcount: 4 } });
    expect((await get(`/api/v1/actors/${id('p2')}?scenario_id=${scenarioId}`)).body.data.fte).toBe(1);
    expect((await get(`/api/v1/actors/${id('p2')}`)).body.data.fte).toBe(0.5);
    const tree = await get(`/api/v1/org-units/tree?scenario_id=${scenarioId}&root_id=${units.S}`);
    expect(tree.body.data.roots[0].children.map((c: { name: string }) => c.name)).toEqual(['Field', 'Mobile']);
  });
});

describe('malformed parameters', () => {
  const cases: [string, string][] = [
    ['/api/v1/org-units?limit=0', 'limit'],
    ['/api/v1/org-units?limit=501', 'limit'],
    ['/api/v1/org-units?limit=ten', 'limit'],
    ['/api/v1/org-units?cursor=not-a-cursor', 'cursor'],
    ['/api/v1/org-units?type=division', 'type'],
    ['/api/v1/org-units?include_inactive=yes', 'include_inactive'],
    ['/api/v1/org-units?as_of=2026-02-30', 'as_of'],
    ['/api/v1/org-units?as_of=yesterday', 'as_of'],
    ['/api/v1/org-units/tree?depth=0', 'depth'],
    ['/api/v1/org-units/tree?depth=two', 'depth'],
    ['/api/v1/org-units/tree?type=team,division', 'type'],
    ['/api/v1/org-units/tree?only_active=1', 'only_active'],
    [`/api/v1/org-units/${units.P}?as_of=2026-6-1`, 'as_of'],
    ['/api/v1/departments?include_inactive=TRUE', 'include_inactive'],
    ['/api/v1/teams?limit=-1', 'limit'],
    ['/api/v1/actors?kind=alien', 'kind'],
    [`/api/v1/actors/${id('p1')}?as_of=2026-13-01`, 'as_of'],
    ['/api/v1/reporting-lines?include_inactive=maybe', 'include_inactive'],
    ['/api/v1/placements?limit=1.5', 'limit'],
    ['/api/v1/positions?status=weird', 'status'],
    ['/api/v1/compensations?as_of=2026/06/01', 'as_of'],
    ['/api/v1/org-metrics?as_of=20260601', 'as_of'],
    [`/api/v1/org-units?scenario_id=${'x'.repeat(65)}`, 'scenario_id'],
  ];

  it.each(cases)('%s → 400 naming %s', async (path, field) => {
    const { status, body, type } = await get(path);
    expect(status).toBe(400);
    expect(type).toContain('application/problem+json');
    expect(body).toMatchObject({ status: 400, code: 'invalid_input', field });
  });

  it('refuses a day that does not exist (2026-02-30) as not a real date, the same as a malformed one', async () => {
    for (const day of ['2026-02-30', '2026-13-01', '30.01.2026']) {
      const answer = await get(`/api/v1/org-units?as_of=${day}`);
      expect(answer.status, day).toBe(400);
      expect(answer.body.detail, day).toContain('must be a real date written YYYY-MM-DD');
    }
  });

  it('answers 404 for unknown ids and 401 without a token', async () => {
    expect((await get('/api/v1/org-units/nope')).body).toMatchObject({ status: 404, code: 'not_found' });
    expect((await get(`/api/v1/actors/${id('nobody')}`)).status).toBe(404);
    expect((await get('/api/v1/org-units?scenario_id=not-a-uuid')).status).toBe(404);
    const anonymous = await app.request('/api/v1/org-units', { host: HOST });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
  });
});
