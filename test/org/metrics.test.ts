import { describe, expect, it } from 'vitest';
import {
  actorAnnualCost,
  computeOrgMetrics,
  type MoneyFigure,
  type OrgMetrics,
  type UnitMetrics,
} from '../../src/org/metrics.js';
import {
  emptyGraph,
  type ActorKind,
  type CostSettings,
  type OrgGraph,
  type OrgUnitType,
} from '../../src/org/types.js';

// ---------------------------------------------------------------------------------------------------------------
// Builders (dates: `from` inclusive, `to` exclusive, both optional)
// ---------------------------------------------------------------------------------------------------------------

interface Span {
  from?: string;
  to?: string;
}

function dated(span: Span): { validFrom: string | null; validTo: string | null } {
  return { validFrom: span.from ?? null, validTo: span.to ?? null };
}

class GraphBuilder {
  readonly graph: OrgGraph = emptyGraph();

  unit(id: string, parentId: string | null, type: OrgUnitType = 'team', span: Span = {}): this {
    this.graph.orgUnits.set(id, { id, parentId, type, name: id, code: null, ...dated(span) });
    return this;
  }

  actor(id: string, opts: { kind?: ActorKind; fte?: number | null } & Span = {}): this {
    this.graph.actors.set(id, {
      id,
      kind: opts.kind ?? 'human',
      displayName: id,
      email: null,
      externalUid: id,
      sourceHris: null,
      sourceHrisId: null,
      fte: opts.fte === undefined ? 1 : opts.fte,
      title: null,
      level: null,
      ...dated(opts),
    });
    return this;
  }

  place(
    id: string,
    actorId: string,
    orgUnitId: string,
    opts: { primary?: boolean; alloc?: number; positionId?: string } & Span = {},
  ): this {
    this.graph.placements.set(id, {
      id,
      actorId,
      orgUnitId,
      positionId: opts.positionId ?? null,
      isPrimary: opts.primary ?? true,
      allocationPct: opts.alloc ?? 100,
      ...dated(opts),
    });
    return this;
  }

  reportsTo(actorId: string, managerId: string, span: Span = {}): this {
    const id = `rl-${actorId}-${managerId}-${span.from ?? ''}`;
    this.graph.reportingLines.set(id, { id, actorId, managerId, ...dated(span) });
    return this;
  }

  /** Annual salary in MAJOR units (stored ×100 as minor units). */
  salary(id: string, actorId: string, major: number, currency = 'EUR', span: Span = {}): this {
    const amountMinor = major * 100;
    this.graph.compensations.set(id, { id, actorId, kind: 'salary', amountMinor, currency, ...dated(span) });
    return this;
  }

  dayRate(id: string, actorId: string, amountMinor: number, currency = 'EUR', span: Span = {}): this {
    this.graph.compensations.set(id, { id, actorId, kind: 'day_rate', amountMinor, currency, ...dated(span) });
    return this;
  }

  position(id: string, orgUnitId: string | null, span: Span = {}): this {
    this.graph.positions.set(id, {
      id,
      title: id,
      roleType: null,
      orgUnitId,
      plannedFte: 1,
      employmentType: 'perm',
      targetSalaryMinor: null,
      dayRateMinor: null,
      currency: 'EUR',
      ...dated(span),
    });
    return this;
  }
}

const COST: CostSettings = {
  reportingCurrency: 'EUR',
  burdenPct: 25,
  workingDaysPerYear: 220,
  exchangeRates: { USD: 0.9 }, // no GBP rate on purpose
};

const AS_OF = '2025-06-01';
const PAST = '2024-06-01';
const CHANGE = '2025-01-01';

/**
 * Company C → departments D1, D2; D1 → teams T1, T2; D2 → team T3.
 *
 * On AS_OF (primary placement unit):
 *   C:  alice (CEO)        D1: bob        D2: carol
 *   T1: dan (100 %, position P1, plus 60 % secondary in T2 → 160 % total), eve (50 %, plus 50 % secondary in T3),
 *       frank (part-timer FTE 0.5), r1 (robot, no FTE, no pay)
 *   T2: grace (paid in USD, position P2), heidi (paid in GBP: no rate), leo, g1 (agent, FTE 0.5, day rate)
 *   T3: ivan (day-rate contractor, joined CHANGE), judy (no compensation), ken (FTE 0.8),
 *       nina (moved from T1 — ended placement with position P4 — to T3 on CHANGE)
 *   mallory joins 2025-09-01 (future actor) but already has a T3 placement referencing P3 → P3 stays vacant.
 * Reporting: bob, carol → alice; dan, grace (since CHANGE; before: carol), heidi, leo → bob;
 *            ivan, judy, ken, nina → carol; eve, frank, r1 → dan; g1 → leo; mallory → dan (future).
 */
function fixtureOrg(): OrgGraph {
  const b = new GraphBuilder()
    .unit('C', null, 'company')
    .unit('D1', 'C', 'department')
    .unit('D2', 'C', 'department')
    .unit('T1', 'D1')
    .unit('T2', 'D1')
    .unit('T3', 'D2');

  for (const id of ['alice', 'bob', 'carol', 'dan', 'eve', 'grace', 'heidi', 'leo', 'judy', 'nina']) b.actor(id);
  b.actor('frank', { fte: 0.5 })
    .actor('ken', { fte: 0.8 })
    .actor('ivan', { from: CHANGE })
    .actor('mallory', { from: '2025-09-01' })
    .actor('r1', { kind: 'robot', fte: null })
    .actor('g1', { kind: 'agent', fte: 0.5 });

  b.place('p-alice', 'alice', 'C')
    .place('p-bob', 'bob', 'D1')
    .place('p-carol', 'carol', 'D2')
    .place('p-dan-t1', 'dan', 'T1', { positionId: 'P1' })
    .place('p-dan-t2', 'dan', 'T2', { primary: false, alloc: 60 })
    .place('p-eve-t1', 'eve', 'T1', { alloc: 50 })
    .place('p-eve-t3', 'eve', 'T3', { primary: false, alloc: 50 })
    .place('p-frank', 'frank', 'T1')
    .place('p-r1', 'r1', 'T1')
    .place('p-grace', 'grace', 'T2', { positionId: 'P2' })
    .place('p-heidi', 'heidi', 'T2')
    .place('p-leo', 'leo', 'T2')
    .place('p-g1', 'g1', 'T2')
    .place('p-ivan', 'ivan', 'T3', { from: CHANGE })
    .place('p-judy', 'judy', 'T3')
    .place('p-ken', 'ken', 'T3')
    .place('p-nina-t1', 'nina', 'T1', { positionId: 'P4', to: CHANGE })
    .place('p-nina-t3', 'nina', 'T3', { from: CHANGE })
    .place('p-mallory', 'mallory', 'T3', { positionId: 'P3', from: '2025-05-01' });

  b.position('P1', 'T1').position('P2', 'T2').position('P3', 'T3').position('P4', 'T1', { to: CHANGE });

  b.reportsTo('bob', 'alice')
    .reportsTo('carol', 'alice')
    .reportsTo('dan', 'bob')
    .reportsTo('grace', 'carol', { to: CHANGE })
    .reportsTo('grace', 'bob', { from: CHANGE })
    .reportsTo('heidi', 'bob')
    .reportsTo('leo', 'bob')
    .reportsTo('ivan', 'carol', { from: CHANGE })
    .reportsTo('judy', 'carol')
    .reportsTo('ken', 'carol')
    .reportsTo('nina', 'carol')
    .reportsTo('eve', 'dan')
    .reportsTo('frank', 'dan')
    .reportsTo('r1', 'dan')
    .reportsTo('g1', 'leo')
    .reportsTo('mallory', 'dan', { from: '2025-09-01' });

  b.salary('c-alice-old', 'alice', 180_000, 'EUR', { from: '2020-01-01' })
    .salary('c-alice-new', 'alice', 200_000, 'EUR', { from: CHANGE }) // overlaps the old one: latest validFrom wins
    .salary('c-bob-old', 'bob', 90_000, 'EUR', { to: CHANGE })
    .salary('c-bob-new', 'bob', 100_000, 'EUR', { from: CHANGE })
    .salary('c-carol', 'carol', 100_000)
    .salary('c-dan', 'dan', 80_000)
    .salary('c-eve', 'eve', 60_000)
    .salary('c-frank', 'frank', 40_000)
    .salary('c-grace', 'grace', 100_000, 'USD')
    .salary('c-heidi', 'heidi', 90_000, 'GBP')
    .salary('c-leo', 'leo', 70_000)
    .dayRate('c-g1', 'g1', 1_000)
    .dayRate('c-ivan', 'ivan', 50_000, 'EUR', { from: CHANGE })
    .salary('c-ken', 'ken', 50_000)
    .salary('c-nina', 'nina', 60_000)
    .salary('c-mallory', 'mallory', 70_000, 'EUR', { from: '2025-09-01' });
  return b.graph;
}

// Loaded annual costs on AS_OF, in euro cents (burden 25 % → ×1.25; day rates ×220; USD ×0.9):
//   alice 20,000,000×1.25 = 25,000,000     bob 10,000,000×1.25 = 12,500,000    carol 12,500,000
//   dan    8,000,000×1.25 = 10,000,000 → T1 100/160 = 6,250,000, T2 60/160 = 3,750,000
//   eve    6,000,000×1.25 =  7,500,000 → T1 50/100 = 3,750,000, T3 50/100 = 3,750,000
//   frank  4,000,000×1.25 =  5,000,000     grace 10,000,000 USD ×1.25 ×0.9 = 11,250,000    heidi: GBP, unconvertible
//   leo    7,000,000×1.25 =  8,750,000     g1 1,000×220 = 220,000     ivan 50,000×220 = 11,000,000
//   ken    5,000,000×1.25 =  6,250,000     nina 6,000,000×1.25 = 7,500,000     judy, r1: no compensation

const eur = (amountMinor: number | null, unconvertible: string[] = []): MoneyFigure => ({
  amountMinor,
  currency: 'EUR',
  unconvertible,
});
// monthly and per-FTE figures derive from the annual one, so they carry its unconvertible flag too.
const noSpan = { '1': 0, '2-3': 0, '4-7': 0, '8-12': 0, '13-16': 0, '17+': 0 };

const EXPECTED_NOW: Record<string, UnitMetrics> = {
  T1: {
    headcount: 3, // dan, eve, frank
    robots: 1, // r1
    agents: 0,
    fte: 2.5, // 1 + 1 + 0.5 + r1 null→0
    effectiveFte: 2, // dan 1×100% + eve 1×50% + frank 0.5×100% + r1 0
    positions: { budgeted: 1, filled: 1, vacant: 0, vacancyRate: 0 }, // P1 (dan); P4 ended
    // dan: eve, frank, r1
    span: { managers: 1, reports: 3, average: 3, median: 3, buckets: { ...noSpan, '2-3': 1 }, narrow: 0, wide: 0 },
    layers: 2, // dan 3, eve 4, frank 4 → 4−3+1
    managerToIc: { managers: 1, ics: 2, icsPerManager: 2 }, // dan | eve, frank
    cost: {
      annual: eur(15_000_000), // 6,250,000 + 3,750,000 + 5,000,000
      monthly: eur(1_250_000), // 15,000,000 / 12
      perFte: eur(7_500_000), // 15,000,000 / 2
      withoutCompensation: 1, // r1
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
  T2: {
    headcount: 3, // grace, heidi, leo (dan only has a secondary placement here)
    robots: 0,
    agents: 1, // g1
    fte: 3.5, // 1 + 1 + 1 + 0.5
    effectiveFte: 4.1, // dan 1×60% + 1 + 1 + 1 + g1 0.5×100%
    positions: { budgeted: 1, filled: 1, vacant: 0, vacancyRate: 0 }, // P2 (grace)
    // leo: g1
    span: { managers: 1, reports: 1, average: 1, median: 1, buckets: { ...noSpan, '1': 1 }, narrow: 1, wide: 0 },
    layers: 1, // grace, heidi, leo all layer 3
    managerToIc: { managers: 1, ics: 2, icsPerManager: 2 },
    cost: {
      annual: eur(23_970_000, ['GBP']), // dan 3,750,000 + grace 11,250,000 + leo 8,750,000 + g1 220,000
      monthly: eur(1_997_500, ['GBP']), // 23,970,000 / 12
      perFte: eur(5_846_341, ['GBP']), // 23,970,000 / 4.1 = 5,846,341.46
      withoutCompensation: 0,
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
  T3: {
    headcount: 4, // ivan, judy, ken, nina (mallory is not in effect yet)
    robots: 0,
    agents: 0,
    fte: 3.8, // 1 + 1 + 0.8 + 1
    effectiveFte: 4.3, // eve 1×50% + ivan 1 + judy 1 + ken 0.8 + nina 1
    positions: { budgeted: 1, filled: 0, vacant: 1, vacancyRate: 1 }, // P3: only mallory (future actor) refers to it
    span: { managers: 0, reports: 0, average: null, median: null, buckets: noSpan, narrow: 0, wide: 0 },
    layers: 1, // all layer 3
    managerToIc: { managers: 0, ics: 4, icsPerManager: null },
    cost: {
      annual: eur(28_500_000), // eve 3,750,000 + ivan 11,000,000 + ken 6,250,000 + nina 7,500,000
      monthly: eur(2_375_000), // 28,500,000 / 12
      perFte: eur(6_627_907), // 28,500,000 / 4.3 = 6,627,906.98
      withoutCompensation: 1, // judy
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
  D1: {
    headcount: 7, // bob + 3 + 3
    robots: 1,
    agents: 1,
    fte: 7, // 1 + 2.5 + 3.5
    effectiveFte: 7.1, // 1 + 2 + 4.1
    positions: { budgeted: 2, filled: 2, vacant: 0, vacancyRate: 0 },
    span: {
      managers: 3, // bob 4 (dan, grace, heidi, leo), dan 3, leo 1
      reports: 8, // 4 + 3 + 1
      average: 8 / 3,
      median: 3, // [1, 3, 4]
      buckets: { ...noSpan, '1': 1, '2-3': 1, '4-7': 1 },
      narrow: 1, // leo
      wide: 0,
    },
    layers: 3, // bob 2 … eve/frank 4
    managerToIc: { managers: 3, ics: 4, icsPerManager: 4 / 3 }, // bob, dan, leo | eve, frank, grace, heidi
    cost: {
      // bob 12,500,000 + T1 15,000,000 + T2 23,970,000; dan's two shares add up to his 10,000,000, not more
      annual: eur(51_470_000, ['GBP']),
      monthly: eur(4_289_167, ['GBP']), // 51,470,000 / 12 = 4,289,166.67
      perFte: eur(7_249_296, ['GBP']), // 51,470,000 / 7.1 = 7,249,295.77
      withoutCompensation: 1, // r1
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
  D2: {
    headcount: 5, // carol + 4
    robots: 0,
    agents: 0,
    fte: 4.8, // 1 + 3.8
    effectiveFte: 5.3, // 1 + 4.3
    positions: { budgeted: 1, filled: 0, vacant: 1, vacancyRate: 1 },
    // carol: ivan, judy, ken, nina
    span: { managers: 1, reports: 4, average: 4, median: 4, buckets: { ...noSpan, '4-7': 1 }, narrow: 0, wide: 0 },
    layers: 2, // carol 2, T3 people 3
    managerToIc: { managers: 1, ics: 4, icsPerManager: 4 },
    cost: {
      annual: eur(41_000_000), // carol 12,500,000 + T3 28,500,000
      monthly: eur(3_416_667), // 41,000,000 / 12 = 3,416,666.67
      perFte: eur(7_735_849), // 41,000,000 / 5.3 = 7,735,849.06
      withoutCompensation: 1, // judy
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
  C: {
    headcount: 13, // alice + 7 + 5
    robots: 1,
    agents: 1,
    fte: 12.8, // 1 + 7 + 4.8
    effectiveFte: 13.4, // 1 + 7.1 + 5.3
    positions: { budgeted: 3, filled: 2, vacant: 1, vacancyRate: 1 / 3 },
    span: {
      managers: 5, // alice 2, bob 4, carol 4, dan 3, leo 1
      reports: 14, // 15 actors in the tree − 1 root
      average: 2.8, // 14 / 5
      median: 3, // [1, 2, 3, 4, 4]
      buckets: { ...noSpan, '1': 1, '2-3': 2, '4-7': 2 },
      narrow: 2, // leo 1, alice 2
      wide: 0,
    },
    layers: 4, // alice 1 … eve/frank 4
    managerToIc: { managers: 5, ics: 8, icsPerManager: 1.6 }, // 13 humans − 5 managers = 8; 8 / 5
    cost: {
      annual: eur(117_470_000, ['GBP']), // alice 25,000,000 + D1 51,470,000 + D2 41,000,000
      monthly: eur(9_789_167, ['GBP']), // 117,470,000 / 12 = 9,789,166.67
      perFte: eur(8_766_418, ['GBP']), // 117,470,000 / 13.4 = 8,766,417.91
      withoutCompensation: 2, // r1, judy
      vacantAnnual: eur(0), // positions here have no target pay
    },
    cycles: 0,
  },
};

describe('computeOrgMetrics on the fixture org', () => {
  const now: OrgMetrics = computeOrgMetrics(fixtureOrg(), { asOf: AS_OF, cost: COST });

  it('reports every visible unit and the reporting currency', () => {
    expect(now.asOf).toBe(AS_OF);
    expect(now.currency).toBe('EUR');
    expect([...now.units.keys()].sort()).toEqual(['C', 'D1', 'D2', 'T1', 'T2', 'T3']);
    expect(now.reportingCycles).toBe(0);
  });

  for (const unitId of Object.keys(EXPECTED_NOW)) {
    it(`computes every metric of ${unitId}`, () => {
      expect(now.units.get(unitId)).toEqual(EXPECTED_NOW[unitId]);
    });
  }

  it('total covers the whole org (= company roll-up here)', () => {
    expect(now.total).toEqual(EXPECTED_NOW.C);
  });

  it('gives different numbers for an asOf in the past', () => {
    const past = computeOrgMetrics(fixtureOrg(), { asOf: PAST, cost: COST });
    // ivan not yet joined; nina homed in T1 (with P4) instead of T3; grace reported to carol; alice 180k, bob 90k.
    expect(past.total.headcount).toBe(12); // 13 − ivan
    expect(past.total.fte).toBe(11.8); // 12.8 − ivan 1
    expect(past.total.effectiveFte).toBe(12.4); // 13.4 − ivan 1
    expect(past.total.positions).toEqual({ budgeted: 4, filled: 3, vacant: 1, vacancyRate: 0.25 }); // + P4 (nina)
    expect(past.total.span).toEqual({
      managers: 5, // alice 2, bob 3 (dan, heidi, leo), carol 4 (grace, judy, ken, nina), dan 3, leo 1
      reports: 13, // 14 actors − 1 root
      average: 2.6, // 13 / 5
      median: 3, // [1, 2, 3, 3, 4]
      buckets: { ...noSpan, '1': 1, '2-3': 3, '4-7': 1 },
      narrow: 2,
      wide: 0,
    });
    expect(past.total.managerToIc).toEqual({ managers: 5, ics: 7, icsPerManager: 1.4 }); // 12 − 5 = 7; 7 / 5
    expect(past.total.cost).toEqual({
      // 117,470,000 − alice (25,000,000 − 22,500,000) − bob (12,500,000 − 11,250,000) − ivan 11,000,000
      annual: eur(102_720_000, ['GBP']),
      monthly: eur(8_560_000, ['GBP']), // 102,720,000 / 12
      perFte: eur(8_283_871, ['GBP']), // 102,720,000 / 12.4 = 8,283,870.97
      withoutCompensation: 2,
      vacantAnnual: eur(0), // P3 is vacant, without target pay
    });
    const t1 = past.units.get('T1');
    expect(t1?.headcount).toBe(4); // dan, eve, frank, nina
    expect(t1?.fte).toBe(3.5); // 2.5 + nina 1
    expect(t1?.effectiveFte).toBe(3); // 2 + nina 1
    expect(t1?.positions).toEqual({ budgeted: 2, filled: 2, vacant: 0, vacancyRate: 0 }); // P1, P4
    expect(t1?.cost.annual).toEqual(eur(22_500_000)); // 15,000,000 + nina 7,500,000
    const t3 = past.units.get('T3');
    expect(t3?.headcount).toBe(2); // judy, ken
    expect(t3?.effectiveFte).toBe(2.3); // eve 0.5 + judy 1 + ken 0.8
    expect(t3?.cost.annual).toEqual(eur(10_000_000)); // eve 3,750,000 + ken 6,250,000
    expect(past.units.get('D1')?.span.reports).toBe(7); // bob 3 + dan 3 + leo 1
    expect(past.units.get('D2')?.span.reports).toBe(4); // carol: grace, judy, ken, nina
  });

  it('restricts units and total to rootIds (nested roots folded in)', () => {
    const scoped = computeOrgMetrics(fixtureOrg(), { asOf: AS_OF, cost: COST, rootIds: ['T1', 'D1', 'nope'] });
    expect([...scoped.units.keys()].sort()).toEqual(['D1', 'T1', 'T2']);
    expect(scoped.total).toEqual(EXPECTED_NOW.D1);
    const two = computeOrgMetrics(fixtureOrg(), { asOf: AS_OF, cost: COST, rootIds: ['T1', 'T3'] });
    expect(two.total.headcount).toBe(7); // 3 + 4
    expect(two.total.cost.annual).toEqual(eur(43_500_000)); // 15,000,000 + 28,500,000
    expect(two.total.span.median).toBe(3); // only dan (3) is homed in T1 ∪ T3
  });
});

describe('actorAnnualCost', () => {
  const graph = fixtureOrg();

  it('loads salaries with burden and takes the latest-starting record in effect', () => {
    expect(actorAnnualCost(graph, 'alice', AS_OF, COST)).toEqual(eur(25_000_000)); // 20,000,000 × 1.25
    expect(actorAnnualCost(graph, 'alice', PAST, COST)).toEqual(eur(22_500_000)); // 18,000,000 × 1.25
  });

  it('multiplies day rates by working days without burden', () => {
    expect(actorAnnualCost(graph, 'ivan', AS_OF, COST)).toEqual(eur(11_000_000)); // 50,000 × 220
    expect(actorAnnualCost(graph, 'ivan', AS_OF, { ...COST, workingDaysPerYear: 200 })).toEqual(eur(10_000_000));
  });

  it('converts with the exchange rate and flags a missing rate instead of using 0', () => {
    expect(actorAnnualCost(graph, 'grace', AS_OF, COST)).toEqual(eur(11_250_000)); // 10,000,000 × 1.25 × 0.9
    expect(actorAnnualCost(graph, 'heidi', AS_OF, COST)).toEqual(eur(null, ['GBP']));
    const withGbp = { ...COST, exchangeRates: { USD: 0.9, GBP: 1.2 } };
    expect(actorAnnualCost(graph, 'heidi', AS_OF, withGbp)).toEqual(eur(13_500_000)); // 9,000,000 × 1.25 × 1.2
  });

  it('returns 0 (not unconvertible) without compensation', () => {
    expect(actorAnnualCost(graph, 'judy', AS_OF, COST)).toEqual(eur(0));
    expect(actorAnnualCost(graph, 'mallory', AS_OF, COST)).toEqual(eur(0)); // salary starts 2025-09-01
  });

  it('respects currencies with other minor units (JPY has none)', () => {
    const g = new GraphBuilder().dayRate('c', 'x', 40_000, 'JPY').graph; // ¥40,000 a day
    const cost = { ...COST, exchangeRates: { JPY: 0.006 } };
    // ¥40,000 × 220 = ¥8,800,000 × 0.006 = €52,800 = 5,280,000 cents
    expect(actorAnnualCost(g, 'x', AS_OF, cost)).toEqual(eur(5_280_000));
  });
});

describe('computeOrgMetrics edge cases', () => {
  it('returns a null amount when only unconvertible costs are in scope', () => {
    const g = new GraphBuilder()
      .unit('U', null)
      .actor('a')
      .place('pa', 'a', 'U')
      .salary('ca', 'a', 1_000, 'GBP').graph;
    const m = computeOrgMetrics(g, { asOf: AS_OF, cost: COST });
    expect(m.total.cost).toEqual({
      annual: eur(null, ['GBP']),
      monthly: eur(null, ['GBP']),
      perFte: eur(null, ['GBP']),
      withoutCompensation: 0,
      vacantAnnual: eur(0),
    });
  });

  it('puts all cost on the primary placement when allocations sum to 0, and per-FTE is null without FTE', () => {
    const g = new GraphBuilder()
      .unit('U', null)
      .unit('A', 'U')
      .unit('B', 'U')
      .actor('a')
      .place('p1', 'a', 'A', { alloc: 0 })
      .place('p2', 'a', 'B', { primary: false, alloc: 0 })
      .salary('ca', 'a', 1_000).graph;
    const m = computeOrgMetrics(g, { asOf: AS_OF, cost: COST });
    expect(m.units.get('A')?.cost.annual).toEqual(eur(125_000)); // 100,000 × 1.25
    expect(m.units.get('B')?.cost.annual).toEqual(eur(0));
    expect(m.units.get('A')?.cost.perFte).toEqual(eur(null)); // effective FTE 1 × 0 % = 0
    expect(m.total.cost.annual).toEqual(eur(125_000));
  });

  it('prices the vacant seats apart: budgeted at target pay, in the reporting currency, never in the payroll cost', () => {
    const b = new GraphBuilder()
      .unit('C', null, 'company')
      .unit('A', 'C')
      .actor('a')
      .place('pa', 'a', 'A', { positionId: 'Filled' })
      .salary('ca', 'a', 10_000)
      .position('Filled', 'A')
      .position('Eng', 'A')
      .position('Contractor', 'C')
      .position('London', 'A')
      .position('Unpriced', 'A')
      .position('Later', 'A', { from: '2025-09-01' });
    const pay = (id: string, fields: Partial<OrgGraph['positions'] extends Map<string, infer P> ? P : never>) =>
      b.graph.positions.set(id, { ...b.graph.positions.get(id)!, ...fields });
    pay('Filled', { targetSalaryMinor: 9_999_900 }); // filled by a: a's own pay counts, not the seat's
    pay('Eng', { targetSalaryMinor: 4_000_000 }); // 4,000,000 × 1.25 = 5,000,000
    pay('Contractor', { dayRateMinor: 1_000, currency: 'USD' }); // 1,000 × 220 × 0.9 = 198,000
    pay('London', { targetSalaryMinor: 5_000_000, currency: 'GBP' }); // no GBP rate
    pay('Later', { targetSalaryMinor: 8_000_000 }); // not in effect yet
    const m = computeOrgMetrics(b.graph, { asOf: AS_OF, cost: COST });
    expect(m.units.get('A')?.cost.vacantAnnual).toEqual(eur(5_000_000, ['GBP']));
    expect(m.total.cost.vacantAnnual).toEqual(eur(5_198_000, ['GBP']));
    expect(m.total.cost.annual).toEqual(eur(1_250_000)); // a alone: the seats are budgeted, not paid
    expect(m.total.positions.vacant).toBe(4);
    const later = computeOrgMetrics(b.graph, { asOf: '2025-10-01', cost: COST });
    expect(later.total.cost.vacantAnnual).toEqual(eur(15_198_000, ['GBP']));
  });

  it('hides the subtree of an org unit that is out of effect', () => {
    const g = new GraphBuilder()
      .unit('C', null, 'company')
      .unit('Old', 'C', 'department', { to: CHANGE })
      .unit('Kid', 'Old') // in effect itself, but its parent ended
      .actor('a')
      .actor('b')
      .place('pa', 'a', 'C')
      .place('pb', 'b', 'Kid')
      .position('P', 'Kid').graph;
    const now = computeOrgMetrics(g, { asOf: AS_OF, cost: COST });
    expect([...now.units.keys()]).toEqual(['C']);
    expect(now.total.headcount).toBe(1); // only a
    expect(now.total.positions.budgeted).toBe(0);
    const past = computeOrgMetrics(g, { asOf: PAST, cost: COST });
    expect(past.total.headcount).toBe(2);
    expect(past.units.get('Old')?.positions.budgeted).toBe(1);
  });

  it('counts an actor with two primary placements once, in the latest-starting one', () => {
    const g = new GraphBuilder()
      .unit('C', null)
      .unit('A', 'C')
      .unit('B', 'C')
      .actor('a')
      .place('p1', 'a', 'A', { from: '2020-01-01' })
      .place('p2', 'a', 'B', { from: '2024-01-01' }).graph;
    const m = computeOrgMetrics(g, { asOf: AS_OF, cost: COST });
    expect(m.units.get('A')?.headcount).toBe(0);
    expect(m.units.get('B')?.headcount).toBe(1);
    expect(m.total.headcount).toBe(1);
    expect(m.total.effectiveFte).toBe(2); // both placements are in effect: 1×100 % + 1×100 %
  });

  it('breaks reporting cycles at their smallest id and never loops', () => {
    // a → b → c → a is a cycle (broken at a), d reports to a, e reports to itself (broken at e).
    const b = new GraphBuilder().unit('U', null);
    for (const id of ['a', 'b', 'c', 'd', 'e']) b.actor(id).place(`p-${id}`, id, 'U');
    b.reportsTo('a', 'b').reportsTo('b', 'c').reportsTo('c', 'a').reportsTo('d', 'a').reportsTo('e', 'e');
    const m = computeOrgMetrics(b.graph, { asOf: AS_OF, cost: COST });
    expect(m.reportingCycles).toBe(2);
    expect(m.total.cycles).toBe(2);
    // a is a root (layer 1); c and d report to a (2); b reports to c (3); e is a root (1).
    expect(m.total.layers).toBe(3);
    // Without the broken edges: a has c, d (2); c has b (1).
    expect(m.total.span).toEqual({
      managers: 2,
      reports: 3,
      average: 1.5,
      median: 1.5, // [1, 2]
      buckets: { ...noSpan, '1': 1, '2-3': 1 },
      narrow: 2,
      wide: 0,
    });
    expect(m.total.managerToIc).toEqual({ managers: 2, ics: 3, icsPerManager: 1.5 });
  });

  it('uses the latest-starting reporting line when two are in effect', () => {
    const b = new GraphBuilder().unit('U', null);
    for (const id of ['m1', 'm2', 'x']) b.actor(id).place(`p-${id}`, id, 'U');
    b.reportsTo('x', 'm1', { from: '2020-01-01' }).reportsTo('x', 'm2', { from: '2023-01-01' });
    const m = computeOrgMetrics(b.graph, { asOf: AS_OF, cost: COST });
    expect(m.total.span.managers).toBe(1);
    expect(m.total.span.reports).toBe(1);
  });

  it('fills every span bucket and takes the mean of the middle spans for an even count', () => {
    const spans = [1, 2, 3, 4, 8, 13, 15, 17];
    const b = new GraphBuilder().unit('U', null);
    spans.forEach((span, m) => {
      b.actor(`m${m}`).place(`p-m${m}`, `m${m}`, 'U');
      for (let r = 0; r < span; r++) {
        const id = `r${m}-${r}`;
        b.actor(id).place(`p-${id}`, id, 'U').reportsTo(id, `m${m}`);
      }
    });
    const m = computeOrgMetrics(b.graph, { asOf: AS_OF, cost: COST });
    expect(m.total.span).toEqual({
      managers: 8,
      reports: 63, // 1+2+3+4+8+13+15+17
      average: 63 / 8,
      median: 6, // (4 + 8) / 2
      buckets: { '1': 1, '2-3': 2, '4-7': 1, '8-12': 1, '13-16': 2, '17+': 1 },
      narrow: 2, // 1, 2
      wide: 2, // 15, 17
    });
    expect(m.total.layers).toBe(2);
    expect(m.total.headcount).toBe(71); // 8 + 63
  });
});

describe('computeOrgMetrics at scale', () => {
  it('handles a synthetic 100,000-actor org', () => {
    const N = 100_000;
    const b = new GraphBuilder().unit('C', null, 'company');
    for (let d = 0; d < 10; d++) b.unit(`D${d}`, 'C', 'department');
    for (let t = 0; t < 1000; t++) b.unit(`T${t}`, `D${Math.floor(t / 100)}`);
    for (let i = 0; i < N; i++) {
      const id = `a${i}`;
      const team = `T${i % 1000}`;
      b.actor(id).position(`pos${i}`, team).salary(`c${i}`, id, 1_000);
      b.place(`p${i}`, id, team, i % 2 === 0 ? { positionId: `pos${i}` } : {});
      if (i % 10 === 0) b.place(`s${i}`, id, `T${(i + 1) % 1000}`, { primary: false, alloc: 50 });
      if (i > 0) b.reportsTo(id, `a${Math.floor((i - 1) / 10)}`);
    }
    const g = b.graph;
    const m = computeOrgMetrics(g, { asOf: AS_OF, cost: COST });
    expect(m.units.size).toBe(1011); // 1 + 10 + 1000
    expect(m.total.headcount).toBe(N);
    expect(m.total.fte).toBe(N);
    expect(m.total.effectiveFte).toBe(105_000); // 100,000 + 10,000 secondaries × 0.5
    expect(m.total.positions).toEqual({ budgeted: N, filled: 50_000, vacant: 50_000, vacancyRate: 0.5 });
    // 10-ary tree: managers are a0…a9999 (a9999 has only 9 reports: a99991…a99999).
    expect(m.total.span.managers).toBe(10_000);
    expect(m.total.span.reports).toBe(N - 1);
    expect(m.total.span.median).toBe(10);
    expect(m.total.layers).toBe(6); // layer k holds 10^(k−1) actors: 1+10+…+10^4 = 11,111 < 100,000 ≤ 111,111
    expect(m.total.cost.annual).toEqual(eur(12_500_000_000)); // 100,000 × 100,000 × 1.25
    expect(m.units.get('D3')?.headcount).toBe(10_000); // 100 teams × 100 actors
  });
});
