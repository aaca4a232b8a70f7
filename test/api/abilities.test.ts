import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import { ALL_ABILITIES } from '../../src/access/abilities.js';
import type { Role } from '../../src/access/bundles.js';
import type { ServiceContext } from '../../src/context.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario, createSnapshot, getScenario } from '../../src/scenarios/lifecycle.js';
import { restoreSnapshot } from '../../src/scenarios/promotion.js';
import { createType, listTypes } from '../../src/tenancy/settings.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * Who may call what (SPEC §1, §3): every documented route that needs an ability refuses a token without it with a
 * 403 problem naming it; another tenant's ids are "not found"; a viewer never sees a money figure.
 */

let database: Database;
let app: TestApp;
let acme: Tenant;
let other: Tenant;
const HOST = 'apiabl.localhost';
const A = fixtureIds('api-abilities-a');
const B = fixtureIds('api-abilities-b');

/** Ids of records of one tenant that the routes need. */
interface Ids {
  scenario: string;
  snapshot: string;
  task: string;
  departmentType: string;
  teamType: string;
}
let ours: Ids;
let theirs: Ids;
let user: { id: string };
const tokens = new Map<string, string>();

type Sample = { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; path: string; json?: unknown };

/** One valid request per documented operation, with the ids of the tenant `ids` and the fixture `f`. */
function samples(ids: Ids, f: typeof A): Record<string, Sample> {
  const get = (path: string): Sample => ({ method: 'GET', path });
  const post = (path: string, json?: unknown): Sample => ({ method: 'POST', path, json });
  return {
    'GET /api/v1/org-units': get('/api/v1/org-units'),
    'GET /api/v1/org-units/tree': get('/api/v1/org-units/tree'),
    'GET /api/v1/org-units/{id}': get(`/api/v1/org-units/${f.units.P}`),
    'GET /api/v1/departments': get('/api/v1/departments'),
    'GET /api/v1/teams': get('/api/v1/teams'),
    'GET /api/v1/actors': get('/api/v1/actors'),
    'GET /api/v1/actors/{id}': get(`/api/v1/actors/${f.id('p1')}`),
    'GET /api/v1/reporting-lines': get('/api/v1/reporting-lines'),
    'GET /api/v1/placements': get('/api/v1/placements'),
    'GET /api/v1/positions': get('/api/v1/positions'),
    'GET /api/v1/compensations': get('/api/v1/compensations'),
    'GET /api/v1/org-metrics': get('/api/v1/org-metrics'),
    'GET /api/v1/scenarios': get('/api/v1/scenarios'),
    'POST /api/v1/scenarios': post('/api/v1/scenarios', { name: 'Not allowed' }),
    'GET /api/v1/scenarios/{id}': get(`/api/v1/scenarios/${ids.scenario}`),
    'PATCH /api/v1/scenarios/{id}': { method: 'PATCH', path: `/api/v1/scenarios/${ids.scenario}`, json: { name: 'Renamed, not allowed' } },
    'POST /api/v1/scenarios/{id}/submit': post(`/api/v1/scenarios/${ids.scenario}/submit`),
    'POST /api/v1/scenarios/{id}/withdraw': post(`/api/v1/scenarios/${ids.scenario}/withdraw`),
    'POST /api/v1/scenarios/{id}/archive': post(`/api/v1/scenarios/${ids.scenario}/archive`),
    'POST /api/v1/scenarios/{id}/unarchive': post(`/api/v1/scenarios/${ids.scenario}/unarchive`),
    'GET /api/v1/scenarios/{id}/delta': get(`/api/v1/scenarios/${ids.scenario}/delta`),
    'GET /api/v1/scenarios/{id}/changes': get(`/api/v1/scenarios/${ids.scenario}/changes`),
    'POST /api/v1/scenarios/{id}/changes': post(`/api/v1/scenarios/${ids.scenario}/changes`, { changes: [{ op: 'set_fte', actor_id: f.id('p2'), fte: 0.8 }] }),
    'POST /api/v1/scenarios/{id}/changes/discard': post(`/api/v1/scenarios/${ids.scenario}/changes/discard`, { records: [{ family: 'org_unit', record_id: f.units.P }] }),
    'POST /api/v1/scenarios/{id}/promote': post(`/api/v1/scenarios/${ids.scenario}/promote`, {}),
    'GET /api/v1/tasks': get('/api/v1/tasks'),
    'GET /api/v1/tasks/{id}': get(`/api/v1/tasks/${ids.task}`),
    'GET /api/v1/scenarios/{id}/tasks': get(`/api/v1/scenarios/${ids.scenario}/tasks`),
    'GET /api/v1/snapshots': get('/api/v1/snapshots'),
    'POST /api/v1/snapshots': post('/api/v1/snapshots', { name: 'Not allowed' }),
    'POST /api/v1/snapshots/{id}/restore': post(`/api/v1/snapshots/${ids.snapshot}/restore`),
    'GET /api/v1/currencies': get('/api/v1/currencies'),
    'GET /api/v1/department-types': get('/api/v1/department-types'),
    'POST /api/v1/department-types': post('/api/v1/department-types', { name: 'Not allowed' }),
    'PATCH /api/v1/department-types/{id}': { method: 'PATCH', path: `/api/v1/department-types/${ids.departmentType}`, json: { name: 'Renamed, not allowed' } },
    'DELETE /api/v1/department-types/{id}': { method: 'DELETE', path: `/api/v1/department-types/${ids.departmentType}` },
    'GET /api/v1/team-types': get('/api/v1/team-types'),
    'POST /api/v1/team-types': post('/api/v1/team-types', { name: 'Not allowed' }),
    'PATCH /api/v1/team-types/{id}': { method: 'PATCH', path: `/api/v1/team-types/${ids.teamType}`, json: { name: 'Renamed, not allowed' } },
    'DELETE /api/v1/team-types/{id}': { method: 'DELETE', path: `/api/v1/team-types/${ids.teamType}` },
    'GET /api/v1/reports/roster': get('/api/v1/reports/roster'),
    'GET /api/v1/reports/org-unit-metrics': get('/api/v1/reports/org-unit-metrics'),
    'GET /api/v1/reports/spans': get('/api/v1/reports/spans'),
    'GET /api/v1/lineage': get('/api/v1/lineage'),
    'GET /api/v1/activity': get('/api/v1/activity'),
    'GET /api/v1/roles': get('/api/v1/roles'),
    'PUT /api/v1/roles/{role}': { method: 'PUT', path: '/api/v1/roles/viewer', json: { abilities: ['org-units.read'] } },
    'POST /api/v1/roles/{role}/reset': post('/api/v1/roles/viewer/reset'),
  };
}

/** Reads that do not look at an organisation (no `scenario_id`/`as_of` view): reference lists, lineage, activity. */
const VIEWLESS = new Set(['GET /api/v1/currencies', 'GET /api/v1/department-types', 'GET /api/v1/team-types', 'GET /api/v1/lineage', 'GET /api/v1/activity', 'GET /api/v1/roles']);
/** What a viewer is refused among the reads, by path prefix. */
const VIEWER_REFUSED: Record<string, string> = { '/api/v1/compensations': 'costs.read', '/api/v1/currencies': 'costs.read', '/api/v1/activity': 'activity.read', '/api/v1/roles': 'members.manage' };

async function send(sample: Sample, token: string, options: RequestOptions = {}) {
  const response = await app.request(sample.path, { host: HOST, token, method: sample.method, json: sample.json, ...options });
  return { status: response.status, body: (await response.json()) as Record<string, any>, type: response.headers.get('content-type') };
}

/** A token of the same owner with every ability but `without` (or with exactly `only`). */
async function token(key: string, abilities: string[]): Promise<string> {
  if (!tokens.has(key)) tokens.set(key, await tokenOf(database, acme, user, 'owner', { name: key, abilities }));
  return tokens.get(key)!;
}
const withAll = () => token('all', [...ALL_ABILITIES]);
const without = (ability: string) => token(`without ${ability}`, ALL_ABILITIES.filter((a) => a !== ability));

const roleToken = (role: Role) => memberToken(database, acme, role);

/** A tenant with the fixture org, a planning scenario with money changes, a snapshot and a finished restore task. */
async function seedTenant(slug: string, f: typeof A, salt: string): Promise<{ tenant: Tenant; ids: Ids }> {
  let tenant = await buildTenant(database, { slug, plan: 'enterprise' });
  await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.9 }]);
  tenant = await writeGraph(database, tenant, buildFixtureOrg(salt));
  const ctx: ServiceContext = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  const scenario = (await createScenario(ctx, { name: 'Money moves' })).id;
  await applyBatch(ctx, scenario, [
    { op: 'set_compensation', actor_id: f.id('p1'), kind: 'salary', amount_minor: 11_000_000, currency: 'EUR', date: AS_OF },
    { op: 'create_position', title: 'Field lead', org_unit_id: f.units.F, target_salary_minor: 8_000_000, currency: 'EUR' },
    { op: 'rename_org_unit', org_unit_id: f.units.P, name: 'Platform Core' },
  ]);
  const snapshot = (await createSnapshot(ctx, { name: 'Now' })).id;
  // Live changes after the snapshot, so restoring it has something to do (a snapshot Live matches is refused).
  const renamed = buildFixtureOrg(salt);
  renamed.orgUnits.set(f.units.F, { ...renamed.orgUnits.get(f.units.F)!, name: 'Field Sales' });
  await writeGraph(database, tenant, renamed);
  const task = await (await restoreSnapshot(ctx, snapshot)).done;
  const departmentType = (await createType(ctx, 'department', 'Go to market')).id;
  const teamType = (await createType(ctx, 'team', 'Stream-aligned')).id;
  return { tenant, ids: { scenario, snapshot, task: task.id, departmentType, teamType } };
}

let operations: { key: string; abilities: string[] }[];

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant: acme, ids: ours } = await seedTenant('apiabl', A, 'api-abilities-a'));
  ({ tenant: other, ids: theirs } = await seedTenant('apiablother', B, 'api-abilities-b'));
  user = await buildMember(database, acme, 'owner');
  const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  // The model and scenario families; /api/v1/tokens and /api/v1/me belong to the identity work (test/access).
  operations = Object.entries(doc.paths)
    // Imports and the HRIS integration have their own ability and isolation tests (test/imports/api.test.ts, hris.test.ts).
    .filter(([path]) => !path.startsWith('/api/v1/tokens') && path !== '/api/v1/me' && !path.startsWith('/api/v1/imports') && !path.startsWith('/api/v1/integrations'))
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, abilities: (op['x-required-abilities'] as string[] | undefined) ?? [] })),
    );
});
afterAll(() => database?.close());

describe('abilities (SPEC §3): a REST route whose ability the token lacks answers a 403 problem naming it', () => {
  it('has a sample request for every documented operation that needs an ability', () => {
    const known = samples(ours, A);
    expect(operations.filter((op) => !known[op.key]).map((op) => op.key)).toEqual([]);
    expect(operations.filter((op) => !op.abilities.length).map((op) => op.key)).toEqual([]);
    expect(operations.length).toBe(48);
  });

  it('refuses each route for a token lacking each of its abilities, and changes nothing', async () => {
    const known = samples(ours, A);
    const before = await getScenario(contextFor(database, acme, principalFor(acme, 'owner'), app.runtime.graphs), ours.scenario);
    for (const { key, abilities } of operations) {
      for (const ability of abilities) {
        const { status, body, type } = await send(known[key]!, await without(ability));
        expect(status, `${key} without ${ability}`).toBe(403);
        expect(type).toContain('application/problem+json');
        expect(body, `${key} without ${ability}`).toMatchObject({ status: 403, code: 'missing_ability', ability, detail: expect.stringContaining(ability) });
      }
    }
    const ctx = contextFor(database, acme, principalFor(acme, 'owner'), app.runtime.graphs);
    expect(await getScenario(ctx, ours.scenario)).toEqual(before);
    expect((await listTypes(ctx, 'department')).map((t) => t.name)).toEqual(['Go to market']);
    expect((await listTypes(ctx, 'team')).map((t) => t.name)).toEqual(['Stream-aligned']);
  });

  it('needs scenarios.read to read any org family of a scenario', async () => {
    const reads = operations.filter((op) => op.key.startsWith('GET ') && op.abilities.some((a) => a !== 'scenarios.read') && !VIEWLESS.has(op.key));
    expect(reads.length).toBe(15);
    const noScenarios = await without('scenarios.read');
    for (const { key } of reads) {
      const sample = samples(ours, A)[key]!;
      const path = `${sample.path}${sample.path.includes('?') ? '&' : '?'}scenario_id=${ours.scenario}`;
      const { status, body } = await send({ ...sample, path }, noScenarios);
      expect(status, key).toBe(403);
      expect(body.ability).toBe('scenarios.read');
      expect((await send({ ...sample, path }, await withAll())).status, key).toBe(200);
    }
  });

  it('lets the default roles do what SPEC §3 gives them', async () => {
    const viewer = await roleToken('viewer');
    const member = await roleToken('member');
    const known = samples(ours, A);
    expect((await send(known['GET /api/v1/compensations']!, viewer)).body.ability).toBe('costs.read');
    expect((await send(known['POST /api/v1/scenarios']!, viewer)).body.ability).toBe('scenarios.write');
    expect((await send(known['POST /api/v1/scenarios/{id}/promote']!, member)).body.ability).toBe('scenarios.promote');
    expect((await send(known['POST /api/v1/snapshots/{id}/restore']!, member)).body.ability).toBe('snapshots.restore');
    expect((await send(known['POST /api/v1/scenarios']!, member)).status).toBe(201);
  });
});

describe('tenant isolation (STYLE §7.2): another tenant’s ids are not found', () => {
  it('answers 404 on every route for another tenant’s ids, and leaves their records alone', async () => {
    const mine = samples(ours, A);
    const foreign = samples(theirs, B);
    const owner = await withAll();
    const them = contextFor(database, other, principalFor(other, 'owner'), app.runtime.graphs);
    const before = await getScenario(them, theirs.scenario);
    const withIds = Object.keys(foreign).filter((key) => key.includes('{id}'));
    expect(withIds.length).toBe(20);
    for (const key of withIds) {
      expect(foreign[key]!.path).not.toBe(mine[key]!.path);
      const { status, body } = await send(foreign[key]!, owner);
      expect(status, key).toBe(404);
      expect(body, key).toMatchObject({ code: 'not_found' });
    }
    expect(await getScenario(them, theirs.scenario)).toEqual(before);
    expect(await listTypes(them, 'department')).toEqual([{ id: theirs.departmentType, name: 'Go to market' }]);
    expect(await listTypes(them, 'team')).toEqual([{ id: theirs.teamType, name: 'Stream-aligned' }]);
  });

  it('answers 404 for another tenant’s scenario_id on every org read, and for their ids in filters that must exist', async () => {
    const owner = await withAll();
    const reads = Object.entries(samples(ours, A)).filter(
      ([key]) => key.startsWith('GET ') && !key.includes('scenarios') && !key.includes('snapshots') && !key.includes('tasks') && !VIEWLESS.has(key),
    );
    expect(reads.length).toBe(15);
    for (const [key, sample] of reads) {
      const path = `${sample.path}?scenario_id=${theirs.scenario}`;
      expect((await send({ ...sample, path }, owner)).status, key).toBe(404);
    }
    for (const path of [
      `/api/v1/org-units/tree?root_id=${B.units.P}`,
      `/api/v1/org-metrics?org_unit_id=${B.units.P}`,
      `/api/v1/actors?org_unit_id=${B.units.P}`,
      `/api/v1/reports/roster?org_unit_id=${B.units.P}`,
      `/api/v1/reports/org-unit-metrics?org_unit_id=${B.units.P}`,
      `/api/v1/reports/spans?org_unit_id=${B.units.P}`,
      `/api/v1/org-units/${B.units.P}`,
      `/api/v1/actors/${B.id('p1')}`,
      // A list filtered by their record is not an empty list of ours (a reader would report "none"): not found.
      `/api/v1/org-units?parent_id=${B.units.E}`,
      `/api/v1/reporting-lines?manager_id=${B.id('eng_head')}`,
      `/api/v1/reporting-lines?actor_id=${B.id('p1')}`,
      `/api/v1/placements?actor_id=${B.id('m1')}`,
      `/api/v1/placements?org_unit_id=${B.units.P}`,
      `/api/v1/positions?org_unit_id=${B.units.P}`,
      `/api/v1/compensations?actor_id=${B.id('p1')}`,
    ]) {
      const { status, body } = await send({ method: 'GET', path }, owner);
      expect([path, status], JSON.stringify(body)).toEqual([path, 404]);
    }
    const theirIds = new Set([...buildFixtureOrg('api-abilities-b').actors.keys()]);
    const actors = (await send({ method: 'GET', path: '/api/v1/actors?limit=500&include_inactive=true' }, owner)).body.data as { id: string }[];
    expect(actors.length).toBe(10);
    expect(actors.some((a) => theirIds.has(a.id))).toBe(false);
    const scenarios = (await send({ method: 'GET', path: '/api/v1/scenarios?limit=500' }, owner)).body.data as { id: string }[];
    expect(scenarios.map((s) => s.id)).not.toContain(theirs.scenario);
  });
});

describe('money (SPEC §3): a viewer sees no money figure anywhere', () => {
  const MONEY_KEY = /_minor$|^cost$|^currency$|salary|day_rate|^compensation$|loaded_cost|^amount$/;
  function moneyKeys(value: unknown, path = '$'): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => moneyKeys(v, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => [...(MONEY_KEY.test(k) ? [`${path}.${k}`] : []), ...moneyKeys(v, `${path}.${k}`)]);
  }
  const reads = () =>
    Object.entries(samples(ours, A))
      .filter(([key]) => key.startsWith('GET '))
      .flatMap(([key, sample]) => {
        const extra = key.includes('/api/v1/scenarios/') || key.includes('tasks') || key === 'GET /api/v1/scenarios' || key === 'GET /api/v1/snapshots' || VIEWLESS.has(key) ? [] : [`scenario_id=${ours.scenario}`];
        return [sample, ...extra.map((q) => ({ ...sample, path: `${sample.path}?${q}&as_of=${AS_OF}` }))];
      })
      .concat([
        { method: 'GET', path: `/api/v1/org-units/tree?as_of=${AS_OF}&only_active=false` },
        { method: 'GET', path: `/api/v1/scenarios/${ours.scenario}/delta?compare=live` },
        { method: 'GET', path: `/api/v1/scenarios/${ours.scenario}/changes?family=compensation` },
        { method: 'GET', path: `/api/v1/actors/${A.id('p1')}?scenario_id=${ours.scenario}` },
      ]);

  it('finds money for an owner (so the scan can see it) and none for a viewer', async () => {
    const owner = await withAll();
    const viewer = await roleToken('viewer');
    const ownerMoney: string[] = [];
    for (const sample of reads()) {
      const seen = await send(sample, owner);
      expect(seen.status, sample.path).toBe(200);
      ownerMoney.push(...moneyKeys(seen.body).map((k) => `${sample.path} ${k}`));
      const { status, body } = await send(sample, viewer);
      const refused = Object.entries(VIEWER_REFUSED).find(([prefix]) => sample.path.startsWith(prefix));
      if (refused) {
        expect(body.ability, sample.path).toBe(refused[1]);
        continue;
      }
      expect(status, sample.path).toBe(200);
      expect(moneyKeys(body), sample.path).toEqual([]);
    }
    for (const where of ['/org-metrics', '/positions', '/actors/', '/delta', '/changes', '/tasks/', '/compensations', '/reports/roster', '/reports/org-unit-metrics', '/lineage', '/activity']) {
      expect(ownerMoney.some((k) => k.includes(where)), where).toBe(true);
    }
    const changes = (await send({ method: 'GET', path: `/api/v1/scenarios/${ours.scenario}/changes` }, viewer)).body.data as { family: string }[];
    expect(changes.map((c) => c.family)).toEqual(['org_unit', 'position']);
  });
});
