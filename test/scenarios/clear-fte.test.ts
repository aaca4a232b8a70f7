import { describe, expect, it } from 'vitest';
import { computeOrgMetrics } from '../../src/org/metrics.js';
import type { CostSettings, OrgGraph } from '../../src/org/types.js';
import { diffRecords } from '../../src/scenarios/delta.js';
import { changeRunner } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * set_fte with `fte: null`: robots and agents may have no contracted FTE (SPEC §6), so one given an FTE by mistake
 * (or imported with one) is set back to none; a person needs one, and is refused with the field named.
 *
 * Fixture: bot is an agent in Platform (100 %), here given an FTE of 1 as an import might; p1 is a person in Platform.
 */

const TODAY = '2026-06-01';
const SALT = 'clear-fte';
const { id, units } = fixtureIds(SALT);
const { run, refusal } = changeRunner({ salt: SALT, today: TODAY });
const COST: CostSettings = { reportingCurrency: 'EUR', burdenPct: 0, workingDaysPerYear: 220, exchangeRates: {} };

function withBotFte(): OrgGraph {
  const graph = buildFixtureOrg(SALT);
  graph.actors.set(id('bot'), { ...graph.actors.get(id('bot'))!, fte: 1 });
  return graph;
}

describe('set_fte with no FTE', () => {
  it("clears an agent's FTE: the delta shows 1 → null and the FTE figures drop by what it counted", () => {
    const { graph } = run([{ op: 'set_fte', actor_id: id('bot'), fte: null }], withBotFte());
    expect(graph.actors.get(id('bot'))?.fte).toBeNull();

    const delta = diffRecords(withBotFte(), graph, null, true) as Record<string, { changed: Record<string, unknown>[] }>;
    expect(delta.actor!.changed).toEqual([expect.objectContaining({ id: id('bot'), fields: { fte: { from: 1, to: null } } })]);

    const before = computeOrgMetrics(withBotFte(), { asOf: TODAY, cost: COST });
    const after = computeOrgMetrics(graph, { asOf: TODAY, cost: COST });
    for (const unit of [units.P, units.E, units.C]) {
      expect(after.units.get(unit)!.fte).toBeCloseTo(before.units.get(unit)!.fte - 1, 6);
      expect(after.units.get(unit)!.effectiveFte).toBeCloseTo(before.units.get(unit)!.effectiveFte - 1, 6);
      // Still an agent of the unit, counted as one; headcount (people) is unchanged.
      expect(after.units.get(unit)!.agents).toBe(before.units.get(unit)!.agents);
      expect(after.units.get(unit)!.headcount).toBe(before.units.get(unit)!.headcount);
    }
    expect(after.units.get(units.S)!.fte).toBe(before.units.get(units.S)!.fte);
  });

  it('clears a robot’s FTE too, and a later set_fte gives it one again', () => {
    const graph = withBotFte();
    graph.actors.set(id('bot'), { ...graph.actors.get(id('bot'))!, kind: 'robot' });
    expect(run([{ op: 'set_fte', actor_id: id('bot'), fte: null }], graph).graph.actors.get(id('bot'))?.fte).toBeNull();
    const again = run([{ op: 'set_fte', actor_id: id('bot'), fte: null }, { op: 'set_fte', actor_id: id('bot'), fte: 0.5 }], withBotFte());
    expect(again.graph.actors.get(id('bot'))?.fte).toBe(0.5);
  });

  it('refuses it for a person, naming the field and why', () => {
    const error = refusal([{ op: 'set_fte', actor_id: id('p1'), fte: 0.8 }, { op: 'set_fte', actor_id: id('p1'), fte: null }]);
    expect(error.field).toBe('changes[1].fte');
    expect(error.message).toBe('Invalid changes[1].fte: a person needs a contracted FTE (0.01–3.00); only a robot or agent may have none');
    expect(error.details).toMatchObject({ reason: 'required', op: 'set_fte' });
  });

  it('still refuses a set_fte that gives no fte at all, for an agent too (leaving it out clears nothing)', () => {
    const error = refusal([{ op: 'set_fte', actor_id: id('bot') }], withBotFte());
    expect(error.field).toBe('changes[0].fte');
    expect(error.message).toMatch(/is required for set_fte/);
  });
});
