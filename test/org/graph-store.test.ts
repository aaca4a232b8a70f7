import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { loadScenario } from '../../src/scenarios/store.js';
import { mergeWorld } from '../support/merge-world.js';

/**
 * The graph cache holds what reads can still ask for. Every save of a planning scenario bumps its revision, and
 * reads always ask for the current one: the graph of an earlier revision is dead weight. Kept until the least
 * recently used went out, a day of edits filled a server's memory with them (the soak: ~370 graphs of a
 * 2,000-actor tenant in four minutes) — so a scenario's newer graph replaces its older one.
 */

describe('the graph cache keeps one graph per planning scenario', () => {
  const { org, scenarioWith, world } = mergeWorld();

  it('a save’s newer graph replaces the older revision’s: what the cache holds does not grow with edits', async () => {
    const { database, graphs } = world();
    const { ctx, id } = await org('graph-store-edits');
    const { sid } = await scenarioWith(ctx, 'Edited all day', [{ op: 'set_fte', actor_id: id('p1'), fte: 0.9 }]);
    const read = async () => graphs.scenario(await loadScenario(database.db, ctx.tenant.id, sid));

    expect((await read()).actors.get(id('p1'))?.fte).toBe(0.9);
    const held = graphs.heldRecords();
    for (const fte of [0.8, 0.7, 0.6, 0.5]) {
      await applyBatch(ctx, sid, [{ op: 'set_fte', actor_id: id('p1'), fte }]);
      // Each read sees the save before it, and the cache holds as many records as after the first read.
      expect((await read()).actors.get(id('p1'))?.fte).toBe(fte);
      expect(graphs.heldRecords()).toBe(held);
    }
  });

  it('two scenarios are kept side by side, and an older revision asked for again does not push out the newer', async () => {
    const { database, graphs } = world();
    const { ctx, id } = await org('graph-store-two');
    const first = await scenarioWith(ctx, 'First', [{ op: 'set_fte', actor_id: id('p1'), fte: 0.9 }]);
    const second = await scenarioWith(ctx, 'Second', [{ op: 'set_fte', actor_id: id('p1'), fte: 0.5 }]);
    const secondRow = await loadScenario(database.db, ctx.tenant.id, second.sid);
    const before = await loadScenario(database.db, ctx.tenant.id, first.sid);
    await graphs.scenario(before);
    const secondGraph = await graphs.scenario(secondRow);

    await applyBatch(ctx, first.sid, [{ op: 'set_fte', actor_id: id('p1'), fte: 0.8 }]);
    const after = await loadScenario(database.db, ctx.tenant.id, first.sid);
    const newer = await graphs.scenario(after);
    expect(newer.actors.get(id('p1'))?.fte).toBe(0.8);
    // A read that started before the save (it holds the older row) still gets that revision's graph …
    expect((await graphs.scenario(before)).actors.get(id('p1'))?.fte).toBe(0.9);
    // … and the newer graph stays cached (the same graph, not a reload), as does the other scenario's.
    expect(await graphs.scenario(after)).toBe(newer);
    expect(await graphs.scenario(secondRow)).toBe(secondGraph);
    expect(secondGraph.actors.get(id('p1'))?.fte).toBe(0.5);
  });
});
