import { authorize, can, type Principal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { NotFound } from '../errors.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import { derivationOf, graphSize } from '../scenarios/overlay.js';
import { deriveOrgMetrics } from './metrics-derive.js';
import { computeOrgMetrics, computeOrgMetricsState, type MetricsState, type MoneyFigure, type OrgMetrics, type UnitMetrics } from './metrics.js';
import { round } from './present.js';
import type { CostSettings, OrgGraph } from './types.js';
import { openView, type OrgView, type ViewRequest } from './view.js';

/**
 * Org metrics for a view, computed once per (graph, day, cost settings) and reused: graphs are immutable, so the
 * memo hangs off the graph object and disappears with it.
 *
 * A graph loaded from the database (Live, a snapshot) is computed in full, and what the computation worked out is
 * kept (for its two most recent days/settings). A graph derived from one — a scenario's overlay, a batch's preview,
 * a promoted Live — gets its metrics derived from that state in proportion to its changes (`deriveOrgMetrics`), so
 * a scenario's first delta or metrics read after a batch does not pay a whole-organisation computation.
 */
const memo = new WeakMap<OrgGraph, Map<string, OrgMetrics>>();
const states = new WeakMap<OrgGraph, Map<string, MetricsState>>();
const STATES_PER_GRAPH = 2;

export async function orgMetricsFor(ctx: ServiceContext, view: OrgView): Promise<OrgMetrics> {
  const cost = await loadCostSettings(ctx.db, ctx.tenant);
  return metricsOf(view.graph, view.asOf, cost);
}

export function metricsOf(graph: OrgGraph, asOf: string, cost: CostSettings): OrgMetrics {
  let byKey = memo.get(graph);
  if (!byKey) {
    byKey = new Map();
    memo.set(graph, byKey);
  }
  const key = `${asOf}|${JSON.stringify(cost)}`;
  let metrics = byKey.get(key);
  if (!metrics) {
    metrics = compute(graph, key, asOf, cost);
    if (byKey.size > 16) byKey.clear();
    byKey.set(key, metrics);
  }
  return metrics;
}

function compute(graph: OrgGraph, key: string, asOf: string, cost: CostSettings): OrgMetrics {
  const derivation = derivationOf(graph);
  if (!derivation) return stateOf(graph, key, asOf, cost).metrics;
  // Deriving costs in proportion to the changes; past a quarter of the organisation, a full computation is as fast.
  if (derivation.size <= Math.max(1_000, graphSize(derivation.root) / 4)) {
    const derived = deriveOrgMetrics(stateOf(derivation.root, key, asOf, cost), graph, derivation.changed);
    if (derived) return derived;
  }
  return computeOrgMetrics(graph, { asOf, cost });
}

/** The full computation of a root graph with what it worked out, memoised (its metrics land in the memo too). */
function stateOf(graph: OrgGraph, key: string, asOf: string, cost: CostSettings): MetricsState {
  let byKey = states.get(graph);
  if (!byKey) {
    byKey = new Map();
    states.set(graph, byKey);
  }
  let state = byKey.get(key);
  if (state) {
    byKey.delete(key);
    byKey.set(key, state);
    return state;
  }
  state = computeOrgMetricsState(graph, { asOf, cost });
  byKey.set(key, state);
  for (const oldKey of byKey.keys()) {
    if (byKey.size <= STATES_PER_GRAPH) break;
    byKey.delete(oldKey);
  }
  let metrics = memo.get(graph);
  if (!metrics) memo.set(graph, (metrics = new Map()));
  if (!metrics.has(key)) metrics.set(key, state.metrics);
  return state;
}

/** Whole-org metrics, or one unit's roll-up, in Live or a scenario. */
export async function getOrgMetrics(ctx: ServiceContext, request: ViewRequest & { orgUnitId?: string | null } = {}) {
  authorize(ctx.principal, 'org-metrics.read');
  const view = await openView(ctx, request);
  const metrics = await orgMetricsFor(ctx, view);
  const unitId = request.orgUnitId?.trim();
  let unit: UnitMetrics | undefined = metrics.total;
  if (unitId) {
    if (!view.graph.orgUnits.has(unitId)) throw new NotFound('Org unit', unitId);
    unit = metrics.units.get(unitId);
  }
  return {
    view,
    metrics: presentUnitMetrics(unit, ctx.principal, metrics.currency),
    reportingCycles: metrics.reportingCycles,
    placementChecks: metrics.placementChecks,
  };
}

export type UnitMetricsOut = ReturnType<typeof presentUnitMetrics>;

/**
 * Metrics for output: snake_case, rounded, cost only with `costs.read`; null without `org-metrics.read`. A unit
 * that is not in effect has no metrics of its own: it shows zeros.
 */
export function presentUnitMetrics(m: UnitMetrics | undefined, principal: Principal, currency: string) {
  if (!can(principal, 'org-metrics.read')) return null;
  const metrics = m ?? EMPTY;
  return {
    headcount: metrics.headcount,
    robots: metrics.robots,
    agents: metrics.agents,
    fte: round(metrics.fte, 2),
    effective_fte: round(metrics.effectiveFte, 2),
    positions: {
      budgeted: metrics.positions.budgeted,
      filled: metrics.positions.filled,
      vacant: metrics.positions.vacant,
      vacancy_rate: metrics.positions.vacancyRate === null ? null : round(metrics.positions.vacancyRate, 4),
    },
    span: {
      managers: metrics.span.managers,
      reports: metrics.span.reports,
      average: metrics.span.average === null ? null : round(metrics.span.average, 2),
      median: metrics.span.median,
      buckets: metrics.span.buckets,
      narrow: metrics.span.narrow,
      wide: metrics.span.wide,
    },
    layers: metrics.layers,
    manager_to_ic: {
      managers: metrics.managerToIc.managers,
      ics: metrics.managerToIc.ics,
      ics_per_manager: metrics.managerToIc.icsPerManager === null ? null : round(metrics.managerToIc.icsPerManager, 2),
    },
    ...(can(principal, 'costs.read')
      ? {
          cost: {
            currency,
            annual: moneyOut(metrics.cost.annual, currency),
            monthly: moneyOut(metrics.cost.monthly, currency),
            per_fte: moneyOut(metrics.cost.perFte, currency),
            without_compensation: metrics.cost.withoutCompensation,
            // Budgeted, not paid: the vacant seats at their target pay (loaded, a year), never part of `annual`.
            vacant_seats_annual: moneyOut(metrics.cost.vacantAnnual, currency),
          },
        }
      : {}),
  };
}

function moneyOut(figure: MoneyFigure, currency: string) {
  return {
    amount_minor: figure.amountMinor,
    currency,
    ...(figure.unconvertible.length ? { unconvertible: figure.unconvertible } : {}),
  };
}

const EMPTY: UnitMetrics = {
  headcount: 0,
  robots: 0,
  agents: 0,
  fte: 0,
  effectiveFte: 0,
  positions: { budgeted: 0, filled: 0, vacant: 0, vacancyRate: null },
  span: { managers: 0, reports: 0, average: null, median: null, buckets: { '1': 0, '2-3': 0, '4-7': 0, '8-12': 0, '13-16': 0, '17+': 0 }, narrow: 0, wide: 0 },
  layers: 0,
  managerToIc: { managers: 0, ics: 0, icsPerManager: null },
  cost: {
    annual: { amountMinor: 0, currency: '', unconvertible: [] },
    monthly: { amountMinor: 0, currency: '', unconvertible: [] },
    perFte: { amountMinor: null, currency: '', unconvertible: [] },
    withoutCompensation: 0,
    vacantAnnual: { amountMinor: 0, currency: '', unconvertible: [] },
  },
  cycles: 0,
};
