import { inEffect } from './dates.js';
import { countChecks, noPlacementChecks, type PlacementCheckCounts } from './placement-checks.js';
import { supersedes } from './precedence.js';
import { loadedAnnualCost, type MoneyFigure } from './cost.js';
import { buildReportingStructure, type ReportingStructure } from './reporting.js';
import { visibleUnitTree, type UnitTree } from './unit-tree.js';
import {
  addHomedActor,
  addPlacementShare,
  addPosition,
  finalizeUnit,
  mergeUnitAcc,
  newUnitAcc,
  type SpanBucket,
  type UnitAcc,
} from './unit-acc.js';
import type { Actor, Compensation, CostSettings, OrgGraph, Placement, Position } from './types.js';

export { actorAnnualCost, compensationInEffect, type MoneyFigure } from './cost.js';
export { SPAN_BUCKETS, type SpanBucket } from './unit-acc.js';

export interface PositionMetrics {
  budgeted: number;
  filled: number;
  vacant: number;
  /** vacant / budgeted; null when nothing is budgeted. */
  vacancyRate: number | null;
}

export interface SpanMetrics {
  managers: number;
  reports: number;
  average: number | null;
  median: number | null;
  buckets: Record<SpanBucket, number>;
  /** Managers with at most 2 direct reports. */
  narrow: number;
  /** Managers with at least 15 direct reports. */
  wide: number;
}

export interface ManagerToIcMetrics {
  managers: number;
  ics: number;
  icsPerManager: number | null;
}

export interface CostMetrics {
  annual: MoneyFigure;
  monthly: MoneyFigure;
  perFte: MoneyFigure;
  /** Actors homed in scope (any kind) with no compensation in effect: their cost is unknown, not zero. */
  withoutCompensation: number;
  /**
   * Budgeted, not paid: what the vacant seats in scope (positions in effect that nobody fills) would cost a year
   * filled at their target pay, loaded as `annual` counts a person. Never part of `annual`; seats without target pay add nothing.
   */
  vacantAnnual: MoneyFigure;
}

/** Metrics of one org unit rolled up over the unit and all its visible descendants. */
export interface UnitMetrics {
  headcount: number;
  robots: number;
  agents: number;
  fte: number;
  effectiveFte: number;
  positions: PositionMetrics;
  span: SpanMetrics;
  layers: number;
  managerToIc: ManagerToIcMetrics;
  cost: CostMetrics;
  /** Reporting cycles broken at an actor homed in scope. */
  cycles: number;
}

export interface OrgMetrics {
  asOf: string;
  currency: string;
  units: Map<string, UnitMetrics>;
  /** Positions in effect with no budgeted team yet (their seats, fillers and target pay): in no unit, but in `total`. */
  unassigned: UnitMetrics;
  /** The whole organisation (or `rootIds`' subtrees, which leave out `unassigned`). */
  total: UnitMetrics;
  /** Every reporting cycle found among in-effect actors, wherever (or whether) they are placed. */
  reportingCycles: number;
  /** How many in-effect actors fail each placement check, across the whole graph (whatever `rootIds` shows). */
  placementChecks: PlacementCheckCounts;
}

export interface OrgMetricsOptions {
  asOf: string;
  cost: CostSettings;
  /** Restrict `units` and `total` to these units' subtrees (default: every visible root). */
  rootIds?: readonly string[];
}

/** Placements in effect of one in-effect actor, with the primary one that homes the actor. */
export interface ActorPlacements {
  all: Placement[];
  home: Placement | undefined;
  allocationSum: number;
}

/** The compensation in effect per actor, and every one in effect for the (rare) actors with several. */
export interface CompensationsInEffect {
  chosen: Map<string, Compensation>;
  contested: Map<string, Compensation[]>;
}

/** What counts in one unit's own totals (before roll-up), in the order it was added. */
export interface UnitMembers {
  homed: Actor[];
  placements: Placement[];
  positions: Position[];
}

/**
 * Everything a full computation worked out on the way (per-actor placements, reporting, compensation, each
 * unit's own and rolled-up totals and what went into them), kept for a graph loaded from the database so that the
 * metrics of an overlay of it (a scenario) can be derived in proportion to the changes (`metrics-derive.ts`).
 * Immutable once built.
 */
export interface MetricsState {
  graph: OrgGraph;
  asOf: string;
  cost: CostSettings;
  tree: UnitTree;
  actors: Map<string, Actor>;
  placements: Map<string, ActorPlacements>;
  reporting: ReportingStructure;
  compensations: CompensationsInEffect;
  /** Position id → number of in-effect placements of active actors that fill it (only positive counts). */
  filled: Map<string, number>;
  /** Each unit's own totals; for a unit without children, the same object as its roll-up. */
  own: Map<string, UnitAcc>;
  rolled: Map<string, UnitAcc>;
  /** The totals of the positions without a budgeted team (`OrgMetrics.unassigned`). */
  unassigned: UnitAcc;
  members: Map<string, UnitMembers>;
  metrics: OrgMetrics;
  /** Manager → direct reports (built when first needed). */
  reportsOf?: Map<string, string[]>;
}

/** Computes headcount, FTE, positions, span, layers, manager:IC and cost per visible org unit and in total. */
export function computeOrgMetrics(graph: OrgGraph, options: OrgMetricsOptions): OrgMetrics {
  return compute(graph, options, false).metrics;
}

/** computeOrgMetrics, keeping what it worked out on the way (for deriving the metrics of overlays). */
export function computeOrgMetricsState(graph: OrgGraph, options: Omit<OrgMetricsOptions, 'rootIds'>): MetricsState {
  return compute(graph, options, true) as MetricsState;
}

function compute(graph: OrgGraph, options: OrgMetricsOptions, keep: boolean): Partial<MetricsState> & { metrics: OrgMetrics } {
  const { asOf, cost } = options;
  const tree = visibleUnitTree(graph.orgUnits, asOf, options.rootIds);
  const accs = new Map<string, UnitAcc>(tree.postOrder.map((id) => [id, newUnitAcc()]));
  const members = keep ? new Map<string, UnitMembers>(tree.postOrder.map((id) => [id, { homed: [], placements: [], positions: [] }])) : null;
  const actors = activeActors(graph, asOf);
  const placements = placementsByActor(graph, asOf, actors);
  const reporting = buildReportingStructure(graph, asOf, actors);
  const compensations = compensationsInEffect(graph, asOf);
  addActors(accs, actors, placements, reporting, compensations.chosen, cost, members);
  const filled = filledPositions(placements);
  const unassigned = newUnitAcc();
  addPositions(accs, unassigned, graph, asOf, filled, cost, members);
  const own = keep ? new Map([...accs].map(([id, acc]) => [id, tree.children.get(id)?.length ? cloneUnitAcc(acc) : acc])) : null;

  // Rolling up merges each child into its parent. When the totals are kept, children must stay intact (their
  // span maps are not taken over), so a derived computation can merge them again.
  const merge = keep ? mergeUnitAccInto : mergeUnitAcc;
  const currency = cost.reportingCurrency;
  const units = new Map<string, UnitMetrics>();
  for (const id of tree.postOrder) {
    const acc = accs.get(id) as UnitAcc;
    for (const child of tree.children.get(id) ?? []) merge(acc, accs.get(child) as UnitAcc);
    units.set(id, finalizeUnit(acc, currency));
  }
  const total = newUnitAcc();
  for (const root of tree.roots) merge(total, accs.get(root) as UnitAcc);
  // A seat with no budgeted team is the organisation's, in none of its subtrees.
  if (!options.rootIds) mergeUnitAccInto(total, unassigned);
  const placementChecks = noPlacementChecks();
  for (const id of actors.keys()) countChecks(placementChecks, placements.get(id), 1);
  const metrics: OrgMetrics = {
    asOf,
    currency,
    units,
    unassigned: finalizeUnit(unassigned, currency),
    total: finalizeUnit(total, currency),
    reportingCycles: reporting.cycleRoots.size,
    placementChecks,
  };
  if (!keep) return { metrics };
  return { graph, asOf, cost, tree, actors, placements, reporting, compensations, filled, own: own!, rolled: accs, unassigned, members: members!, metrics };
}

/** The actors in effect on `asOf`. */
export function activeActors(graph: OrgGraph, asOf: string): Map<string, Actor> {
  const active = new Map<string, Actor>();
  for (const actor of graph.actors.values()) if (inEffect(actor, asOf)) active.set(actor.id, actor);
  return active;
}

/** Each in-effect actor's placements in effect on `asOf`, with the primary one that homes them. */
export function placementsByActor(graph: OrgGraph, asOf: string, actors: Map<string, Actor>): Map<string, ActorPlacements> {
  const byActor = new Map<string, ActorPlacements>();
  for (const placement of graph.placements.values()) {
    if (!inEffect(placement, asOf) || !actors.has(placement.actorId)) continue;
    let entry = byActor.get(placement.actorId);
    if (entry === undefined) {
      entry = { all: [], home: undefined, allocationSum: 0 };
      byActor.set(placement.actorId, entry);
    }
    entry.all.push(placement);
    entry.allocationSum += placement.allocationPct;
    if (placement.isPrimary && supersedes(placement, entry.home)) entry.home = placement;
  }
  return byActor;
}

/** The compensation of every actor in effect on `asOf` (the latest-starting one when several overlap). */
export function compensationsInEffect(graph: OrgGraph, asOf: string): CompensationsInEffect {
  const chosen = new Map<string, Compensation>();
  const contested = new Map<string, Compensation[]>();
  for (const comp of graph.compensations.values()) {
    if (!inEffect(comp, asOf)) continue;
    const current = chosen.get(comp.actorId);
    if (current !== undefined) {
      const all = contested.get(comp.actorId);
      if (all) all.push(comp);
      else contested.set(comp.actorId, [current, comp]);
    }
    if (supersedes(comp, current)) chosen.set(comp.actorId, comp);
  }
  return { chosen, contested };
}

function filledPositions(placements: Map<string, ActorPlacements>): Map<string, number> {
  const filled = new Map<string, number>();
  for (const { all } of placements.values()) {
    for (const p of all) if (p.positionId !== null) filled.set(p.positionId, (filled.get(p.positionId) ?? 0) + 1);
  }
  return filled;
}

function addActors(
  accs: Map<string, UnitAcc>,
  actors: Map<string, Actor>,
  placements: Map<string, ActorPlacements>,
  reporting: ReportingStructure,
  compensations: Map<string, Compensation>,
  cost: CostSettings,
  members: Map<string, UnitMembers> | null,
): void {
  for (const actor of actors.values()) {
    const own = placements.get(actor.id);
    if (own === undefined) continue;
    const actorCost = loadedAnnualCost(compensations.get(actor.id), cost);
    const homeAcc = own.home && accs.get(own.home.orgUnitId);
    if (homeAcc) {
      addHomedActor(homeAcc, actor, reporting, actorCost.kind === 'none');
      members?.get(own.home!.orgUnitId)!.homed.push(actor);
    }
    for (const placement of own.all) {
      const acc = accs.get(placement.orgUnitId);
      if (acc) {
        addPlacementShare(acc, actor, placement, costShare(placement, own), actorCost);
        members?.get(placement.orgUnitId)!.placements.push(placement);
      }
    }
  }
}

/** Share of the actor's cost carried by one placement: by allocation, or all on the home placement if that is 0. */
export function costShare(placement: Placement, own: ActorPlacements): number {
  if (own.allocationSum > 0) return placement.allocationPct / own.allocationSum;
  return placement === own.home ? 1 : 0;
}

/** Each position in effect into its unit's totals, or into `unassigned` when it has no budgeted team. */
function addPositions(
  accs: Map<string, UnitAcc>,
  unassigned: UnitAcc,
  graph: OrgGraph,
  asOf: string,
  filled: Map<string, number>,
  cost: CostSettings,
  members: Map<string, UnitMembers> | null,
): void {
  for (const position of graph.positions.values()) {
    if (!inEffect(position, asOf)) continue;
    if (position.orgUnitId === null) {
      addPosition(unassigned, filled.has(position.id), position, cost);
      continue;
    }
    const acc = accs.get(position.orgUnitId);
    if (acc === undefined) continue;
    addPosition(acc, filled.has(position.id), position, cost);
    members?.get(position.orgUnitId)!.positions.push(position);
  }
}

/** A copy of a unit's totals that shares nothing mutable with the original. */
export function cloneUnitAcc(acc: UnitAcc): UnitAcc {
  // Every field by name (not a spread): fast, and a field added to UnitAcc without a line here does not compile.
  return {
    headcount: acc.headcount,
    robots: acc.robots,
    agents: acc.agents,
    fte: acc.fte,
    effectiveFte: acc.effectiveFte,
    budgeted: acc.budgeted,
    filled: acc.filled,
    spans: new Map(acc.spans),
    minLayer: acc.minLayer,
    maxLayer: acc.maxLayer,
    humanManagers: acc.humanManagers,
    humanIcs: acc.humanIcs,
    cycles: acc.cycles,
    money: { amount: acc.money.amount, parts: acc.money.parts, unconvertible: new Set(acc.money.unconvertible) },
    withoutCompensation: acc.withoutCompensation,
    vacantMoney: { amount: acc.vacantMoney.amount, parts: acc.vacantMoney.parts, unconvertible: new Set(acc.vacantMoney.unconvertible) },
  };
}

/** mergeUnitAcc that leaves `from` as it was (its span map is added in, never taken over). */
export function mergeUnitAccInto(into: UnitAcc, from: UnitAcc): void {
  const spans = from.spans;
  from.spans = NO_SPANS; // for the duration of the (synchronous) merge: `into` keeps its own map
  try {
    mergeUnitAcc(into, from);
  } finally {
    from.spans = spans;
  }
  for (const [span, count] of spans) into.spans.set(span, (into.spans.get(span) ?? 0) + count);
}

const NO_SPANS: Map<number, number> = new Map();
