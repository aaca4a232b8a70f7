import { describe, expect, it } from 'vitest';
import { listCompensations } from '../../src/org/read-people.js';
import { scenarioDelta } from '../../src/scenarios/delta.js';
import { promoteScenario } from '../../src/scenarios/promotion.js';
import { changeRunner } from '../support/change-runner.js';
import { fixtureIds } from '../support/fixture-org.js';
import { mergeWorld } from '../support/merge-world.js';

/**
 * A planned leaver (deactivate_actor with a later date): their pay ends when they leave, as their placements and
 * reporting line do — the pay record in effect ends on the leaving day (its history kept), pay planned for after it
 * is cancelled, and pay set before they leave runs only until they leave. So the compensation list, the delta's pay
 * entries and every cost figure agree that nothing is paid after the leaving day.
 *
 * Fixture: f1 (Field) is paid a 500.00 EUR day rate from 2024-01-01, open-ended.
 */

const TODAY = '2026-06-01';
const SALT = 'planned-leaver-pay';
const { id } = fixtureIds(SALT);
const { run } = changeRunner({ salt: SALT, today: TODAY });
const LEAVES = '2027-03-01';
const leaves = { op: 'deactivate_actor' as const, actor_id: id('f1'), date: LEAVES };
const payOf = (graph: ReturnType<typeof run>['graph'], actorKey: string) =>
  [...graph.compensations.values()].filter((c) => c.actorId === id(actorKey)).sort((a, b) => (a.validFrom ?? '').localeCompare(b.validFrom ?? ''));

describe('a planned leaver’s pay ends when they leave', () => {
  it('deactivate_actor ends the pay in effect on the leaving day, keeping its history', () => {
    const pay = payOf(run([leaves]).graph, 'f1');
    expect(pay.map((c) => [c.amountMinor, c.validFrom, c.validTo])).toEqual([[50_000, '2024-01-01', LEAVES]]);
  });

  it('a raise planned for after the leaving day is cancelled; one planned before it runs until they leave', () => {
    // Two raises planned by an earlier batch; the deactivation comes later (in one batch it would be refused).
    const raises = run([
      { op: 'set_compensation', actor_id: id('f1'), kind: 'day_rate', amount_minor: 55_000, currency: 'EUR', date: '2027-01-01' },
      { op: 'set_compensation', actor_id: id('f1'), kind: 'day_rate', amount_minor: 60_000, currency: 'EUR', date: '2027-06-01' },
    ]).graph;
    const pay = payOf(run([leaves], raises, undefined, 'later').graph, 'f1');
    expect(pay.map((c) => [c.amountMinor, c.validFrom, c.validTo])).toEqual([
      [50_000, '2024-01-01', '2027-01-01'],
      [55_000, '2027-01-01', LEAVES],
    ]);
  });

  it('pay set after the leaving date is planned runs only until they leave', () => {
    const pay = payOf(run([leaves, { op: 'set_compensation', actor_id: id('f1'), kind: 'day_rate', amount_minor: 55_000, currency: 'EUR', date: '2027-01-01' }]).graph, 'f1');
    expect(pay.map((c) => [c.amountMinor, c.validFrom, c.validTo])).toEqual([
      [50_000, '2024-01-01', '2027-01-01'],
      [55_000, '2027-01-01', LEAVES],
    ]);
  });
});

describe('what a user reads about a planned leaver’s pay in a scenario', () => {
  const { org, scenarioWith } = mergeWorld();

  it('the delta shows the pay ending on the leaving day; the compensation list no longer calls it active afterwards; cost stops then', async () => {
    const { ctx, id: idOf } = await org(SALT);
    const { sid } = await scenarioWith(ctx, 'Planned leaver', [{ ...leaves, actor_id: idOf('f1') }]);
    const after = await scenarioDelta(ctx, { scenarioId: sid, asOf: '2027-06-01' });
    expect(after.families.compensation?.changed).toEqual([expect.objectContaining({ id: idOf('comp-f1'), fields: { valid_to: { from: null, to: LEAVES } } })]);
    // A 500.00 EUR day rate × 220 working days a year stops counting from the leaving day, and only then.
    expect(after.metrics.total).toMatchObject({ annual_cost_minor: { delta: -11_000_000 } });
    const before = await scenarioDelta(ctx, { scenarioId: sid, asOf: '2027-02-01' });
    expect(before.metrics.total).toMatchObject({ annual_cost_minor: { delta: 0 } });

    const listed = await listCompensations(ctx, { scenarioId: sid, asOf: '2027-06-01', actorId: idOf('f1') });
    expect(listed.page.items.map((c) => [c.active, c.valid_to])).toEqual([[false, LEAVES]]);
    const listedBefore = await listCompensations(ctx, { scenarioId: sid, asOf: '2027-02-01', actorId: idOf('f1') });
    expect(listedBefore.page.items.map((c) => [c.active, c.valid_to])).toEqual([[true, LEAVES]]);

    // Promoted, Live holds the same: the pay ends on the leaving day.
    expect((await (await promoteScenario(ctx, sid)).done).status).toBe('succeeded');
    const live = await listCompensations(ctx, { asOf: '2027-06-01', actorId: idOf('f1') });
    expect(live.page.items.map((c) => [c.active, c.valid_from, c.valid_to])).toEqual([[false, '2024-01-01', LEAVES]]);
  });
});
