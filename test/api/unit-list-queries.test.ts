import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `GET /api/v1/departments?q=` and `GET /api/v1/teams?q=`: the name search `GET /api/v1/org-units` has, per type. */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
let scenarioId: string;
const HOST = 'apiunitq.localhost';
const { units } = fixtureIds('api-unit-q');

const names = async (path: string) => {
  const response = await app.request(path, { host: HOST, token: owner });
  expect(response.status, path).toBe(200);
  return ((await response.json()) as { data: { name: string }[] }).data.map((unit) => unit.name);
};

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiunitq', plan: 'enterprise' });
  const graph = buildFixtureOrg('api-unit-q');
  graph.orgUnits.get(units.S)!.code = 'D-SAL';
  tenant = await writeGraph(database, tenant, graph);
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
  const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
  scenarioId = (await createScenario(ctx, { name: 'Rename Mobile' })).id;
  await applyBatch(ctx, scenarioId, [{ op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' }]);
});
afterAll(() => database?.close());

describe('q on the department and team lists', () => {
  it('keeps the units whose name contains it in any case, or whose code it is', async () => {
    expect(await names('/api/v1/teams?q=PLAT')).toEqual(['Platform']);
    expect(await names('/api/v1/teams?q=l')).toEqual(['Field', 'Mobile', 'Platform']);
    expect(await names('/api/v1/departments?q=eng')).toEqual(['Engineering']);
    expect(await names('/api/v1/departments?q=d-sal')).toEqual(['Sales']);
    // A team's name is not a department's.
    expect(await names('/api/v1/departments?q=platform')).toEqual([]);
  });

  it('reads the names of a scenario', async () => {
    expect(await names(`/api/v1/teams?q=apps&scenario_id=${scenarioId}`)).toEqual(['Apps']);
    expect(await names(`/api/v1/teams?q=apps`)).toEqual([]);
  });

  it('refuses a q longer than 200 characters, naming it', async () => {
    const response = await app.request(`/api/v1/teams?q=${'x'.repeat(201)}`, { host: HOST, token: owner });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('q');
  });
});
