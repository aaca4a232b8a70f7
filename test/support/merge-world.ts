import { afterAll, beforeAll, expect } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { testDatabase } from './db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from './factories.js';
import { buildFixtureOrg, fixtureIds } from './fixture-org.js';

export type Command = Record<string, unknown>;

/**
 * Tenants of their own with the fixture organisation, for tests of what happens when Live moves after a scenario
 * branched: `org` (a tenant and its owner's context), `scenarioWith` (a planning scenario holding changes) and
 * `liveMeanwhile` (Live changed meanwhile: another scenario holding changes, promoted). Called at a file's (or a
 * describe's) top level: it opens the test database and a graph store before the tests, `world()`, and closes it after.
 */
export function mergeWorld() {
  let opened: { database: Database; graphs: GraphStore } | undefined;
  beforeAll(async () => {
    const database = await testDatabase();
    opened = { database, graphs: new GraphStore(database.db) };
  });
  afterAll(() => opened?.database.close());
  const world = () => opened!;

  async function org(salt: string, plan: 'enterprise' | 'business' = 'enterprise'): Promise<{ ctx: ServiceContext } & ReturnType<typeof fixtureIds>> {
    const { database, graphs } = world();
    const tenant = await writeGraph(database, await buildTenant(database, { plan }), buildFixtureOrg(salt));
    return { ctx: contextFor(database, tenant, principalFor(tenant, 'owner'), graphs), ...fixtureIds(salt) };
  }

  async function scenarioWith(ctx: ServiceContext, name: string, changes: Command[]) {
    const sid = (await createScenario(ctx, { name })).id;
    const outcome = await applyBatch(ctx, sid, changes);
    return { sid, created: outcome.created };
  }

  async function liveMeanwhile(ctx: ServiceContext, changes: Command[]) {
    const { sid, created } = await scenarioWith(ctx, `Meanwhile ${Math.random().toString(36).slice(2, 8)}`, changes);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
    return created;
  }

  return { org, scenarioWith, liveMeanwhile, world };
}
