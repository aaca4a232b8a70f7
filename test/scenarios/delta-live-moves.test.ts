import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A scenario's delta while Live keeps moving, in one process: each promotion primes the new Live as an overlay of the
 * Live loaded first, and the merge check looks records up through indexes of that first Live, built once and kept
 * across the moves, plus the records changed since. Each delta must name exactly what the Live of that moment brings
 * in — never a look-up left over from the Live before — and the same as a process that loads Live afresh.
 *
 * Fixture: every human has `<key>@fixture.test`; eng_head manages p1, p2 and m1; f1 and f2 manage nobody.
 */

let database: Database;
afterAll(() => database?.close());
beforeAll(async () => {
  database = await testDatabase();
});

type Command = Record<string, unknown>;

async function promoteInLive(ctx: ServiceContext, name: string, changes: Command[]): Promise<void> {
  const sid = (await createScenario(ctx, { name })).id;
  await applyBatch(ctx, sid, changes);
  expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
}

const mergeProblems = async (ctx: ServiceContext, scenarioId: string) =>
  (await scenarioDelta(ctx, { scenarioId })).conflicts
    .filter((c) => c.reason === 'invalid_after_merge')
    .map((c) => ({ family: c.family, label: c.label, field: c.field }))
    .sort((a, b) => String(a.field).localeCompare(String(b.field)));

describe('the delta once Live moved, move after move', () => {
  it('names what each move of Live brings in, and the same when Live is loaded afresh', async () => {
    const salt = 'delta-live-moves';
    const { id, units } = fixtureIds(salt);
    const tenant = await writeGraph(database, await buildTenant(database, { plan: 'enterprise' }), buildFixtureOrg(salt));
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), new GraphStore(database.db));

    // The scenario hires Nova and has p2 report to f1.
    const sid = (await createScenario(ctx, { name: 'Nova joins, p2 to f1' })).id;
    await applyBatch(ctx, sid, [
      { op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, email: 'nova@fixture.test' },
      { op: 'set_manager', actor_id: id('p2'), manager_id: id('f1') },
    ]);
    expect(await mergeProblems(ctx, sid)).toEqual([]);

    // Move 1: something unrelated. The merge check runs (and builds its look-ups) and finds nothing.
    await promoteInLive(ctx, 'Live move 1', [{ op: 'set_fte', actor_id: id('m1'), fte: 0.8 }]);
    expect(await mergeProblems(ctx, sid)).toEqual([]);

    // Move 2: Live hires Novak with Nova's email (another case): found among the records changed since.
    await promoteInLive(ctx, 'Live move 2', [{ op: 'add_actor', kind: 'human', display_name: 'Novak', org_unit_id: units.M, email: ' NOVA@fixture.test' }]);
    const email = { family: 'actor', label: 'Nova', field: 'email' };
    expect(await mergeProblems(ctx, sid)).toEqual([email]);
    // Read again (the answer remembered per revision and Live version): the same.
    expect(await mergeProblems(ctx, sid)).toEqual([email]);

    // Move 3: Live deactivates f1, whom the scenario makes p2's manager.
    await promoteInLive(ctx, 'Live move 3', [{ op: 'deactivate_actor', actor_id: id('f1') }]);
    const manager = { family: 'reporting_line', label: 'p2 reports to f1', field: 'manager_id' };
    expect(await mergeProblems(ctx, sid)).toEqual([email, manager]);

    // Move 4: Live gives Novak another email: that problem goes, the other stays.
    const novak = (await scenarioDelta(ctx, { scenarioId: sid }, { names: true })).conflicts.find((c) => c.field === 'email')!;
    expect(novak.problem).toMatch(/^has the email “Novak” /);
    const novakId = String(novak.problem).match(/\(([^)]+)\) has too/)![1]!;
    await promoteInLive(ctx, 'Live move 4', [{ op: 'update_actor', actor_id: novakId, display_name: 'Novak', email: 'novak@fixture.test' }]);
    expect(await mergeProblems(ctx, sid)).toEqual([manager]);

    // Another process loads Live from the database (no overlay to follow): the same answer.
    const fresh = contextFor(database, tenant, principalFor(tenant, 'owner'), new GraphStore(database.db));
    expect(await mergeProblems(fresh, sid)).toEqual([manager]);
    // And an email Live gives someone it had loaded: the scenario gives Nova a new address, then Live gives it to p1
    // (another case) — in a process that follows Live's moves and in one that loads it afresh.
    await applyBatch(fresh, sid, [{ op: 'update_actor', actor_id: await novaId(fresh, sid), display_name: 'Nova', email: 'nova.lee@fixture.test' }]);
    expect(await mergeProblems(fresh, sid)).toEqual([manager]);
    await promoteInLive(fresh, 'Live move 5', [{ op: 'update_actor', actor_id: id('p1'), display_name: 'p1', email: 'Nova.Lee@fixture.TEST' }]);
    const later = contextFor(database, tenant, principalFor(tenant, 'owner'), new GraphStore(database.db));
    expect(await mergeProblems(later, sid)).toEqual([email, manager]);
    expect(await mergeProblems(fresh, sid)).toEqual([email, manager]);
  });
});

async function novaId(ctx: ServiceContext, scenarioId: string): Promise<string> {
  const delta = await scenarioDelta(ctx, { scenarioId });
  const added = (delta.families.actor?.added ?? []) as { id: string; display_name: string }[];
  return added.find((a) => a.display_name === 'Nova')!.id;
}
