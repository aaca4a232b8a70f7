import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';
import { settledStatus } from '../support/settle.js';

/**
 * REST: `set_fte` with `fte: null` clears an agent's contracted FTE (SPEC §6: robots and agents may have none) — in
 * the scenario's delta (fte 1 → null, FTE totals down by it) and, once promoted, in Live; for a person it is a 400
 * naming the field. Fixture: bot, an agent in Platform, imported with an FTE of 1; p1 a person.
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'clearfte.localhost';
const SALT = 'api-clear-fte';
const { id, units } = fixtureIds(SALT);

type Body = { data: any; [key: string]: any };

async function call(path: string, method = 'GET', json?: unknown): Promise<{ status: number; body: Body }> {
  const response = await app.request(path, { host: HOST, token: owner, method, json });
  return { status: response.status, body: (await response.json()) as Body };
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'clearfte', plan: 'enterprise' });
  const graph = buildFixtureOrg(SALT);
  graph.actors.set(id('bot'), { ...graph.actors.get(id('bot'))!, fte: 1 });
  tenant = await writeGraph(database, tenant, graph);
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
});
afterAll(() => database?.close());

describe('set_fte with fte null over REST', () => {
  it('is refused for a person with the field named, and clears an agent’s FTE through the delta to Live', async () => {
    const sid: string = (await call('/api/v1/scenarios', 'POST', { name: 'Agents without FTE' })).body.data.id;

    const person = await call(`/api/v1/scenarios/${sid}/changes`, 'POST', { changes: [{ op: 'set_fte', actor_id: id('p1'), fte: null }] });
    expect(person.status).toBe(400);
    expect(person.body).toMatchObject({ field: 'changes[0].fte', reason: 'required', op: 'set_fte' });
    expect(person.body.detail).toMatch(/a person needs a contracted FTE/);

    const agent = await call(`/api/v1/scenarios/${sid}/changes`, 'POST', { changes: [{ op: 'set_fte', actor_id: id('bot'), fte: null }] });
    expect(agent.status).toBe(200);

    const delta = (await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`)).body.data;
    expect(delta.families.actor.changed).toEqual([expect.objectContaining({ id: id('bot'), fields: { fte: { from: 1, to: null } } })]);
    expect(delta.metrics.total.fte.delta).toBe(-1);
    expect(delta.metrics.total.headcount.delta).toBe(0);
    const platform = delta.metrics.by_org_unit.find((u: { org_unit_id: string }) => u.org_unit_id === units.P);
    expect(platform.fte.delta).toBe(-1);

    const promoted = await call(`/api/v1/scenarios/${sid}/promote`, 'POST');
    expect(promoted.status).toBe(202);
    const task = await settledStatus(async () => (await call(`/api/v1/tasks/${promoted.body.data.id}`)).body.data, 'promotion');
    expect(task).toMatchObject({ status: 'succeeded', result: { deltas: { fte: -1 } } });
    const live = (await call(`/api/v1/actors/${id('bot')}`)).body.data;
    expect(live).toMatchObject({ kind: 'agent', fte: null });
    expect((await call(`/api/v1/actors/${id('p1')}`)).body.data.fte).toBe(1);
  });
});
