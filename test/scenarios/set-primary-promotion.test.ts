import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { inEffect, today } from '../../src/org/dates.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A scenario that makes m1's Platform placement primary (set_primary_placement) promotes cleanly: Live then has one
 * primary for m1 — Platform from today, Mobile before. (Fixture: m1 in Mobile, 60 %, primary; Platform, 40 %.)
 */

let database: Database;
afterAll(() => database?.close());
beforeAll(async () => {
  database = await testDatabase();
});

describe('promoting a set_primary_placement', () => {
  it('gives Live the new primary from the day, one primary on each day', async () => {
    const salt = 'set-primary-promotion';
    const { id, units } = fixtureIds(salt);
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), buildFixtureOrg(salt));
    const graphs = new GraphStore(database.db);
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), graphs);
    const sid = (await createScenario(ctx, { name: 'Platform first' })).id;
    await applyBatch(ctx, sid, [{ op: 'set_primary_placement', placement_id: id('pl-m1-p') }]);
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');

    const live = (await graphs.live(tenant.id)).graph;
    const primaries = (day: string) => [...live.placements.values()].filter((p) => p.actorId === id('m1') && p.isPrimary && inEffect(p, day)).map((p) => p.orgUnitId);
    expect(primaries(today())).toEqual([units.P]);
    expect(primaries('2025-01-01')).toEqual([units.M]);
  });
});
