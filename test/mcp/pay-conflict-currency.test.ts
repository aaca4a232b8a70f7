import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { contextFor, principalFor } from '../support/factories.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * A conflict on pay in `scenario.delta` carries the currency of its amounts beside them (flat `*_minor` with
 * `currency`, as every MCP money figure), so an assistant says "95,000.00 USD", not "9500000".
 */

let world: McpWorld;
let admin: Connection;
let mine: string;

beforeAll(async () => {
  world = await buildWorld();
  const ctx = contextFor(world.database, world.tenant, principalFor(world.tenant, 'owner'));
  const p1 = world.ids.id('p1');
  const pay = (amount: number) => [{ op: 'set_compensation', actor_id: p1, kind: 'salary', amount_minor: amount, currency: 'USD' }];
  // Live pays p1 in dollars from today; two scenarios then correct that pay the same day, one is promoted.
  const usd = (await createScenario(ctx, { name: 'Pay in dollars' })).id;
  await applyBatch(ctx, usd, pay(9_000_000));
  await (await promoteScenario(ctx, usd)).done;
  mine = (await createScenario(ctx, { name: 'My raise' })).id;
  const theirs = (await createScenario(ctx, { name: 'Their raise' })).id;
  await applyBatch(ctx, mine, pay(9_500_000));
  await applyBatch(ctx, theirs, pay(9_800_000));
  await (await promoteScenario(ctx, theirs)).done;
  admin = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
});

afterAll(async () => {
  await admin?.close();
  await world?.database.close();
});

describe('a pay conflict in scenario.delta', () => {
  it('gives the amounts with their currency', async () => {
    const delta = structured<{ conflicts: Record<string, unknown>[] }>(await admin.call('scenario_delta', { scenario_id: mine }));
    expect(delta.conflicts).toEqual([
      expect.objectContaining({ family: 'compensation', field: 'amount_minor', base: 9_000_000, scenario: 9_500_000, source: 9_800_000, currency: 'USD' }),
    ]);
  });
});
