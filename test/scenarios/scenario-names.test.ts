import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import type { ServiceContext } from '../../src/context.js';
import { scenarios } from '../../src/db/schema/index.js';
import { archiveScenario, createScenario, createSnapshot, unarchiveScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';

/** Names of active planning scenarios are unique in a tenant (ignoring case and spaces); history may repeat them. */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { plan: 'enterprise' });
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
});
afterAll(() => database?.close());

const scenarioCount = async () => Number((await database.db.select({ n: count() }).from(scenarios).where(eq(scenarios.tenantId, tenant.id)))[0]!.n);

describe('scenario names', () => {
  it('refuses a name an active planning scenario has, in any case and spacing, naming that scenario on the name field', async () => {
    const first = await createScenario(owner, { name: 'Q3 support rebalance' });
    const before = await scenarioCount();
    for (const name of ['Q3 support rebalance', 'q3 SUPPORT rebalance', '  Q3   support rebalance  ']) {
      await expect(createScenario(owner, { name }), name).rejects.toMatchObject({
        code: 'scenario_name_taken',
        status: 409,
        message: 'An active planning scenario is already named “Q3 support rebalance”.',
        details: { field: 'name', existing_scenario: { id: first.id, name: 'Q3 support rebalance' } },
      });
    }
    expect(await scenarioCount()).toBe(before);
    // A different name, and a branch of the first under its own name, are fine.
    expect((await createScenario(owner, { name: 'Q3 support rebalance B', sourceScenarioId: first.id })).name).toBe('Q3 support rebalance B');
  });

  it('lets the same name be created twice at once only once', async () => {
    const results = await Promise.allSettled([createScenario(owner, { name: 'Race' }), createScenario(owner, { name: 'race' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'scenario_name_taken' } });
  });

  it('frees the name of an archived scenario, and refuses to unarchive it while another active scenario has taken it', async () => {
    const old = await createScenario(owner, { name: 'Hiring freeze' });
    await archiveScenario(owner, old.id);
    const taken = await createScenario(owner, { name: 'hiring freeze' });
    await expect(unarchiveScenario(owner, old.id)).rejects.toMatchObject({
      code: 'scenario_name_taken',
      details: { existing_scenario: { id: taken.id, name: 'hiring freeze' } },
      fix: 'Archive “hiring freeze” first, then unarchive this one.',
    });
    await archiveScenario(owner, taken.id);
    expect((await unarchiveScenario(owner, old.id)).state).toBe('active');
  });

  it('lets only one of two archived scenarios of the same name come back at once, and not beside a create of that name', async () => {
    const first = await createScenario(owner, { name: 'Twin' });
    await archiveScenario(owner, first.id);
    const second = await createScenario(owner, { name: 'twin ' });
    await archiveScenario(owner, second.id);
    const both = await Promise.allSettled([unarchiveScenario(owner, first.id), unarchiveScenario(owner, second.id)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'scenario_name_taken' } });
    const back = both.findIndex((r) => r.status === 'fulfilled') === 0 ? first : second;
    await archiveScenario(owner, back.id);
    const withCreate = await Promise.allSettled([unarchiveScenario(owner, first.id), createScenario(owner, { name: 'TWIN' })]);
    expect(withCreate.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(withCreate.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'scenario_name_taken' } });
  });

  it('does not count snapshots: a snapshot may share a planning scenario’s name', async () => {
    await createSnapshot(owner, { name: 'Board pack' });
    await createSnapshot(owner, { name: 'Board pack' });
    expect((await createScenario(owner, { name: 'Board pack' })).kind).toBe('planning');
  });
});
