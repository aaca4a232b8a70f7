import { inEffect } from './dates.js';
import { supersedes } from './precedence.js';
import { compensationsByActor, loadedAnnualCost, type MoneyFigure } from './cost.js';
import { buildReportingStructure, type ReportingStructure } from './reporting.js';
import { visibleUnitTree } from './unit-tree.js';
import {
  addHomedActor,
  addPlacementShare,
  finalizeUnit,
  mergeUnitAcc,
  newUnitAcc,
  type SpanBucket,
  type UnitAcc,
} from './unit-acc.js';
import type { Actor, CostSettings, OrgGraph, Placement } from './types.js';

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
  total: UnitMetrics;
  /** Every reporting cycle found among in-effect actors, wherever (or whether) they are placed. */
  reportingCycles: number;
}

export interface OrgMetricsOptions {
  asOf: string;
  cost: CostSettings;
  /** Restrict `units` and `total` to these units' subtrees (default: every visible root). */
  rootIds?: readonly string[];
}

/** Placements in effect of one in-effect actor, with the primary one that homes the actor. */
interface ActorPlacements {
  all: Placement[];
  home: Placement | undefined;
  allocationSum: number;
}

/** Computes headcount, FTE, positions, span, layers, manager:IC and cost per visible org unit and in total. */
export function computeOrgMetrics(graph: OrgGraph, options: OrgMetricsOptions): OrgMetrics {
  const { asOf, cost } = options;
  const tree = visibleUnitTree(graph.orgUnits, asOf, options.rootIds);
  const accs = new Map<string, UnitAcc>(tree.postOrder.map((id) => [id, newUnitAcc()]));
  const actors = activeActors(graph, asOf);
  const placements = placementsByActor(graph, asOf, actors);
  const reporting = buildReportingStructure(graph, asOf, actors);
  addActors(accs, actors, placements, reporting, graph, options);
  addPositions(accs, graph, asOf, filledPositionIds(placements));

  const currency = cost.reportingCurrency;
  const units = new Map<string, UnitMetrics>();
  for (const id of tree.postOrder) {
    const acc = accs.get(id) as UnitAcc;
    for (const child of tree.children.get(id) ?? []) mergeUnitAcc(acc, accs.get(child) as UnitAcc);
    units.set(id, finalizeUnit(acc, currency));
  }
  const total = newUnitAcc();
  for (const root of tree.roots) mergeUnitAcc(total, accs.get(root) as UnitAcc);
  return { asOf, currency, units, total: finalizeUnit(total, currency), reportingCycles: reporting.cycleRoots.size };
}

function activeActors(graph: OrgGraph, asOf: string): Map<string, Actor> {
  const active = new Map<string, Actor>();
  for (const actor of graph.actors.values()) if (inEffect(actor, asOf)) active.set(actor.id, actor);
  return active;
}

function placementsByActor(graph: OrgGraph, asOf: string, actors: Map<string, Actor>): Map<string, ActorPlacements> {
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

function filledPositionIds(placements: Map<string, ActorPlacements>): Set<string> {
  const filled = new Set<string>();
  for (const { all } of placements.values()) for (const p of all) if (p.positionId !== null) filled.add(p.positionId);
  return filled;
}

function addActors(
  accs: Map<string, UnitAcc>,
  actors: Map<string, Actor>,
  placements: Map<string, ActorPlacements>,
  reporting: ReportingStructure,
  graph: OrgGraph,
  { asOf, cost }: OrgMetricsOptions,
): void {
  const compensations = compensationsByActor(graph, asOf);
  for (const actor of actors.values()) {
    const own = placements.get(actor.id);
    if (own === undefined) continue;
    const actorCost = loadedAnnualCost(compensations.get(actor.id), cost);
    const homeAcc = own.home && accs.get(own.home.orgUnitId);
    if (homeAcc) addHomedActor(homeAcc, actor, reporting, actorCost.kind === 'none');
    for (const placement of own.all) {
      const acc = accs.get(placement.orgUnitId);
      if (acc) addPlacementShare(acc, actor, placement, costShare(placement, own), actorCost);
    }
  }
}

/** Share of the actor's cost carried by one placement: by allocation, or all on the home placement if that is 0. */
function costShare(placement: Placement, own: ActorPlacements): number {
  if (own.allocationSum > 0) return placement.allocationPct / own.allocationSum;
  return placement === own.home ? 1 : 0;
}

function addPositions(accs: Map<string, UnitAcc>, graph: OrgGraph, asOf: string, filled: Set<string>): void {
  for (const position of graph.positions.values()) {
    const acc = position.orgUnitId === null ? undefined : accs.get(position.orgUnitId);
    if (acc === undefined || !inEffect(position, asOf)) continue;
    acc.budgeted += 1;
    if (filled.has(position.id)) acc.filled += 1;
  }
}
