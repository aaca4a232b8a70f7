import { addCostShare, emptyMoneySum, mergeMoneySum, moneyFigure, positionLoadedCost, type ActorCost, type MoneySum } from './cost.js';
import type { SpanMetrics, UnitMetrics } from './metrics.js';
import type { ReportingStructure } from './reporting.js';
import type { Actor, CostSettings, Placement, Position } from './types.js';

export const SPAN_BUCKETS = ['1', '2-3', '4-7', '8-12', '13-16', '17+'] as const;
export type SpanBucket = (typeof SPAN_BUCKETS)[number];

/** A manager with at most this many direct reports has a narrow span (counted in `span.narrow`, named by spans.ts). */
export const NARROW_SPAN_MAX = 2;
/** A manager with at least this many direct reports has a wide span (counted in `span.wide`, named by spans.ts). */
export const WIDE_SPAN_MIN = 15;
export type SpanClass = 'narrow' | 'wide' | 'ok';

/** The span class of a manager with `reports` direct reports (≥ 1). */
export function spanClass(reports: number): SpanClass {
  if (reports <= NARROW_SPAN_MAX) return 'narrow';
  if (reports >= WIDE_SPAN_MIN) return 'wide';
  return 'ok';
}

/** Additive totals of one unit's scope, before they are turned into `UnitMetrics`. */
export interface UnitAcc {
  headcount: number;
  robots: number;
  agents: number;
  fte: number;
  effectiveFte: number;
  budgeted: number;
  filled: number;
  /** Direct-report count → number of managers with that span (kept sparse so roll-ups stay cheap). */
  spans: Map<number, number>;
  minLayer: number;
  maxLayer: number;
  humanManagers: number;
  humanIcs: number;
  cycles: number;
  money: MoneySum;
  withoutCompensation: number;
  /** What the vacant budgeted seats (positions in effect that nobody fills) would cost filled at their target pay. */
  vacantMoney: MoneySum;
}

export function newUnitAcc(): UnitAcc {
  return {
    headcount: 0,
    robots: 0,
    agents: 0,
    fte: 0,
    effectiveFte: 0,
    budgeted: 0,
    filled: 0,
    spans: new Map(),
    minLayer: Infinity,
    maxLayer: -Infinity,
    humanManagers: 0,
    humanIcs: 0,
    cycles: 0,
    money: emptyMoneySum(),
    withoutCompensation: 0,
    vacantMoney: emptyMoneySum(),
  };
}

/** Counts an actor in the unit of their primary placement. */
export function addHomedActor(
  acc: UnitAcc,
  actor: Actor,
  reporting: ReportingStructure,
  noCompensation: boolean,
): void {
  const reports = reporting.directReports.get(actor.id) ?? 0;
  acc.fte += actor.fte ?? 0;
  if (noCompensation) acc.withoutCompensation += 1;
  if (reporting.cycleRoots.has(actor.id)) acc.cycles += 1;
  if (reports > 0) acc.spans.set(reports, (acc.spans.get(reports) ?? 0) + 1);
  if (actor.kind === 'robot') acc.robots += 1;
  else if (actor.kind === 'agent') acc.agents += 1;
  else {
    acc.headcount += 1;
    if (reports > 0) acc.humanManagers += 1;
    else acc.humanIcs += 1;
    const layer = reporting.layerOf.get(actor.id) ?? 1;
    acc.minLayer = Math.min(acc.minLayer, layer);
    acc.maxLayer = Math.max(acc.maxLayer, layer);
  }
}

/** Adds one placement's effective FTE and its share of the actor's cost. */
/** Counts a budgeted seat in effect: filled, or vacant with what it would cost filled at its target pay. */
export function addPosition(acc: UnitAcc, filled: boolean, position: Position, cost: CostSettings): void {
  acc.budgeted += 1;
  if (filled) acc.filled += 1;
  else addCostShare(acc.vacantMoney, positionLoadedCost(position, cost), 1);
}

export function addPlacementShare(
  acc: UnitAcc,
  actor: Actor,
  placement: Placement,
  share: number,
  cost: ActorCost,
): void {
  acc.effectiveFte += ((actor.fte ?? 0) * placement.allocationPct) / 100;
  if (share > 0) addCostShare(acc.money, cost, share);
}

/** Adds a finished child scope into its parent. The child's span map may be taken over, so finalize it first. */
export function mergeUnitAcc(into: UnitAcc, from: UnitAcc): void {
  into.headcount += from.headcount;
  into.robots += from.robots;
  into.agents += from.agents;
  into.fte += from.fte;
  into.effectiveFte += from.effectiveFte;
  into.budgeted += from.budgeted;
  into.filled += from.filled;
  into.minLayer = Math.min(into.minLayer, from.minLayer);
  into.maxLayer = Math.max(into.maxLayer, from.maxLayer);
  into.humanManagers += from.humanManagers;
  into.humanIcs += from.humanIcs;
  into.cycles += from.cycles;
  into.withoutCompensation += from.withoutCompensation;
  mergeMoneySum(into.money, from.money);
  mergeMoneySum(into.vacantMoney, from.vacantMoney);
  into.spans = mergeSpans(into.spans, from.spans);
}

/** Merges the smaller map into the larger, so deep hierarchies cost O(n log n) rather than O(n × depth). */
function mergeSpans(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const [large, small] = a.size >= b.size ? [a, b] : [b, a];
  for (const [span, count] of small) large.set(span, (large.get(span) ?? 0) + count);
  return large;
}

export function finalizeUnit(acc: UnitAcc, currency: string): UnitMetrics {
  const effectiveFte = roundFte(acc.effectiveFte);
  const vacant = acc.budgeted - acc.filled;
  const managers = acc.humanManagers;
  return {
    headcount: acc.headcount,
    robots: acc.robots,
    agents: acc.agents,
    fte: roundFte(acc.fte),
    effectiveFte,
    positions: {
      budgeted: acc.budgeted,
      filled: acc.filled,
      vacant,
      vacancyRate: acc.budgeted === 0 ? null : vacant / acc.budgeted,
    },
    span: spanMetrics(acc.spans),
    layers: acc.maxLayer >= acc.minLayer ? acc.maxLayer - acc.minLayer + 1 : 0,
    managerToIc: { managers, ics: acc.humanIcs, icsPerManager: managers === 0 ? null : acc.humanIcs / managers },
    cost: {
      annual: moneyFigure(acc.money, currency),
      monthly: moneyFigure(acc.money, currency, 12),
      perFte: moneyFigure(acc.money, currency, effectiveFte),
      withoutCompensation: acc.withoutCompensation,
      vacantAnnual: moneyFigure(acc.vacantMoney, currency),
    },
    cycles: acc.cycles,
  };
}

/** FTE sums are reported to 6 decimals so float noise (0.1 + 0.2) does not leak into outputs. */
function roundFte(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function spanMetrics(spans: Map<number, number>): SpanMetrics {
  const sorted = [...spans.entries()].sort((x, y) => x[0] - y[0]);
  const buckets: Record<SpanBucket, number> = { '1': 0, '2-3': 0, '4-7': 0, '8-12': 0, '13-16': 0, '17+': 0 };
  let managers = 0;
  let reports = 0;
  let narrow = 0;
  let wide = 0;
  for (const [span, count] of sorted) {
    managers += count;
    reports += span * count;
    buckets[spanBucket(span)] += count;
    const cls = spanClass(span);
    if (cls === 'narrow') narrow += count;
    if (cls === 'wide') wide += count;
  }
  const average = managers === 0 ? null : reports / managers;
  return { managers, reports, average, median: median(sorted, managers), buckets, narrow, wide };
}

function spanBucket(span: number): SpanBucket {
  if (span <= 1) return '1';
  if (span <= 3) return '2-3';
  if (span <= 7) return '4-7';
  if (span <= 12) return '8-12';
  if (span <= 16) return '13-16';
  return '17+';
}

/** Median of a histogram given as ascending [value, count] pairs; the mean of the two middle values when even. */
function median(sorted: [number, number][], n: number): number | null {
  if (n === 0) return null;
  const lower = valueAt(sorted, Math.floor((n - 1) / 2));
  const upper = valueAt(sorted, Math.floor(n / 2));
  return (lower + upper) / 2;
}

function valueAt(sorted: [number, number][], index: number): number {
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (index < seen) return value;
  }
  return sorted[sorted.length - 1][0];
}
