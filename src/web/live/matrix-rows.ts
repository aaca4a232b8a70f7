import { can, type Principal } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { inEffect } from '../../org/dates.js';
import { indexGraph } from '../../org/graph-index.js';
import { actorAnnualCost, compensationInEffect } from '../../org/metrics.js';
import type { presentActor } from '../../org/present.js';
import { listActors, listReportingLines } from '../../org/read-people.js';
import type { PlacementCheck } from '../../org/placement-checks.js';
import type { CostSettings } from '../../org/types.js';
import type { OrgView, ViewRequest } from '../../org/view.js';
import { everyPage } from '../every-page.js';
import { loadCostSettings } from '../../tenancy/tenants.js';
import { namesOf, type Names } from './context.js';

/**
 * Rows of the people matrix (page and CSV): the actor as presented by the service, plus names of their primary unit
 * and manager and their total allocation (with `placements.read`). A loaded annual cost is added only for a
 * principal with `costs.read` — the same rule as every presenter.
 */
export interface MatrixFilter {
  scenarioId: string | null;
  asOf: string | null;
  kind: string | null;
  orgUnitId: string | null;
  query: string | null;
  /** Only those who report to no one on the day (the top, and gaps such as people imported without a manager). */
  withoutManager: boolean;
  /** With `orgUnitId`: those placed in the unit or any unit below it. */
  includeSubunits: boolean;
  /** Only the direct reports of this actor on the day (an unknown id is a not-found). */
  managerId: string | null;
  /** Only those failing this placement check on the day (the service refuses it without `placements.read`). */
  placementCheck: PlacementCheck | null;
}

export interface MatrixRow {
  id: string;
  name: string;
  kind: string;
  title: string | null;
  email: string | null;
  active: boolean;
  fte: number | null;
  primaryUnitId: string | null;
  primaryUnit: string | null;
  managerId: string | null;
  manager: string | null;
  /** Sum of the allocation % of placements in effect; null without `placements.read`. */
  allocationPct: number | null;
  /** Loaded annual cost in the reporting currency; absent without `costs.read`, null when unknown. */
  annualCost?: { amountMinor: number | null; currency: string; unconvertible: string[] } | null;
}

type ActorOut = ReturnType<typeof presentActor>;

export async function matrixPage(ctx: ServiceContext, filter: MatrixFilter, page: { limit: number; cursor: string | null }) {
  // A manager's direct reports, as the actor page lists them, narrow the list like the other filters: only their
  // reporting lines are read (an unknown manager is a not-found), not the manager's whole record, pay and cost.
  const ids = filter.managerId ? await directReportIds(ctx, filter.managerId, filter) : null;
  const { view, page: result, total } = await listActors(ctx, { ...filter, ids, limit: page.limit, cursor: page.cursor });
  const cost = can(ctx.principal, 'costs.read') ? await loadCostSettings(ctx.db, ctx.tenant) : null;
  const names = namesOf(view.graph);
  return { view, rows: result.items.map((a) => matrixRow(view, names, ctx.principal, cost, a)), nextCursor: result.nextCursor, total };
}

/** The ids of those who report to `managerId` on the day of the view (lines in effect then). */
async function directReportIds(ctx: ServiceContext, managerId: string, view: ViewRequest): Promise<string[]> {
  const { items } = await everyPage((p) => listReportingLines(ctx, { scenarioId: view.scenarioId, asOf: view.asOf, managerId, ...p }), (r) => r.page);
  return items.map((line) => line.actor_id);
}

/** Every row matching the filter (the CSV export walks the pages). */
export async function allMatrixRows(ctx: ServiceContext, filter: MatrixFilter) {
  const { items: rows, last } = await everyPage((p) => matrixPage(ctx, filter, p), (r) => ({ items: r.rows, nextCursor: r.nextCursor }));
  return { view: last.view, rows };
}

function matrixRow(view: OrgView, names: Names, principal: Principal, cost: CostSettings | null, a: ActorOut): MatrixRow {
  const placements = can(principal, 'placements.read')
    ? (indexGraph(view.graph).placementsByActor.get(a.id) ?? []).filter((p) => inEffect(p, view.asOf))
    : null;
  const row: MatrixRow = {
    id: a.id,
    name: a.display_name,
    kind: a.kind,
    title: a.title,
    email: a.email,
    active: a.active,
    fte: a.fte,
    primaryUnitId: a.primary_org_unit_id,
    primaryUnit: a.primary_org_unit_id ? names.unit(a.primary_org_unit_id) : null,
    managerId: a.manager_id,
    manager: a.manager_id ? names.actor(a.manager_id) : null,
    allocationPct: placements ? Math.round(placements.reduce((sum, p) => sum + p.allocationPct, 0) * 100) / 100 : null,
  };
  if (cost) {
    row.annualCost = compensationInEffect(view.graph, a.id, view.asOf) ? actorAnnualCost(view.graph, a.id, view.asOf, cost) : null;
  }
  return row;
}
