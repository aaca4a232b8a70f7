import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { NotFound } from '../errors.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import { paginate, sortByKey, type PageRequest } from '../util/pagination.js';
import { inEffect } from './dates.js';
import { indexGraph, subtree, type GraphIndex } from './graph-index.js';
import { orgMetricsFor, presentUnitMetrics } from './metrics-service.js';
import { checkActorKind, managerOf, positionState } from './read-people.js';
import { ancestors, checkUnitType, mapPage } from './read-structure.js';
import { presentActorCost, round } from './present.js';
import type { Actor, OrgUnit, Placement } from './types.js';
import { openView, type OrgView, type ViewRequest } from './view.js';

/**
 * Reports (SPEC §6): the roster of a unit and everything below it, and the metrics of every org unit as one flat
 * list. Both read Live or a scenario as of a day, are cursor-paginated and show money only with `costs.read`.
 */

export interface RosterRequest extends ViewRequest, PageRequest {
  /** The unit whose roster to list, with everything below it; absent = the whole organisation. */
  orgUnitId?: string | null;
  /** true = only actors whose primary placement is in scope (how headcount counts); default: any placement. */
  primaryOnly?: boolean;
  kind?: string | null;
}

const byName = (a: Actor) => [a.displayName.toLowerCase(), a.id] as const;
const unitRef = (u: OrgUnit | undefined) => (u ? { id: u.id, name: u.name, type: u.type } : null);

/**
 * The actors of a unit and below (without a unit: every actor in effect): each with the placements in effect (all of them, marked `in_scope` when they are
 * in the unit's subtree), the position each fills (with `positions.read`), the manager, the number of direct
 * reports and — with `costs.read` — the annual loaded cost. Sorted by name.
 */
export async function rosterReport(ctx: ServiceContext, request: RosterRequest = {}) {
  authorize(ctx.principal, 'actors.read');
  authorize(ctx.principal, 'placements.read');
  const view = await openView(ctx, request);
  const index = indexGraph(view.graph);
  const kind = checkActorKind(request.kind);
  const rootId = request.orgUnitId?.trim() || null;
  const root = rootId ? view.graph.orgUnits.get(rootId) : undefined;
  if (rootId && !root) throw new NotFound('Org unit', rootId);
  const scope = root ? subtree(index, root.id) : null;

  const live = (p: Placement) => inEffect(p, view.asOf);
  const inScope = (p: Placement) => !scope || scope.has(p.orgUnitId);
  const actors = [...view.graph.actors.values()].filter((a) => {
    if (!inEffect(a, view.asOf) || (kind && a.kind !== kind)) return false;
    if (!scope && !request.primaryOnly) return true;
    const placements = (index.placementsByActor.get(a.id) ?? []).filter(live);
    return placements.some((p) => inScope(p) && (!request.primaryOnly || p.isPrimary));
  });
  const page = paginate('roster', sortByKey(actors, byName), byName, request);
  const cost = can(ctx.principal, 'costs.read') ? await loadCostSettings(ctx.db, ctx.tenant) : null;
  return {
    view,
    orgUnit: unitRef(root),
    page: mapPage(page, (actor) => rosterRow(ctx, view, index, actor, inScope, cost)),
  };
}

function rosterRow(
  ctx: ServiceContext,
  view: OrgView,
  index: GraphIndex,
  actor: Actor,
  inScope: (p: Placement) => boolean,
  cost: Awaited<ReturnType<typeof loadCostSettings>> | null,
) {
  const { graph, asOf } = view;
  const seesPositions = can(ctx.principal, 'positions.read');
  const managerId = managerOf(index, actor.id, asOf);
  const manager = managerId ? graph.actors.get(managerId) : undefined;
  const placements = sortByKey(
    (index.placementsByActor.get(actor.id) ?? []).filter((p) => inEffect(p, asOf)),
    (p) => [p.isPrimary ? 0 : 1, -p.allocationPct, p.id],
  );
  const primary = placements.find((p) => p.isPrimary);
  const directReports = (index.linesByManager.get(actor.id) ?? []).filter((l) => inEffect(l, asOf) && graph.actors.has(l.actorId)).length;
  const row = {
    id: actor.id,
    kind: actor.kind,
    display_name: actor.displayName,
    email: actor.email,
    title: actor.title,
    level: actor.level,
    fte: actor.fte,
    manager: manager ? { id: manager.id, display_name: manager.displayName, title: manager.title } : null,
    direct_reports: directReports,
    primary_org_unit: primary ? unitRef(graph.orgUnits.get(primary.orgUnitId)) : null,
    placements: placements.map((p) => {
      const position = p.positionId ? graph.positions.get(p.positionId) : undefined;
      return {
        id: p.id,
        org_unit: unitRef(graph.orgUnits.get(p.orgUnitId)) ?? { id: p.orgUnitId, name: null, type: null },
        is_primary: p.isPrimary,
        allocation_pct: p.allocationPct,
        effective_fte: round((actor.fte ?? 0) * (p.allocationPct / 100), 4),
        in_scope: inScope(p),
        valid_from: p.validFrom,
        valid_to: p.validTo,
        ...(seesPositions
          ? {
              position: position
                ? { id: position.id, title: position.title, role_type: position.roleType, status: positionState(view, index, position).status }
                : null,
            }
          : {}),
      };
    }),
  };
  if (!cost) return row;
  return { ...row, ...presentActorCost(graph, actor, asOf, cost) };
}

export interface UnitMetricsReportRequest extends ViewRequest, PageRequest {
  type?: string | null;
  /** Only this unit and the units below it. */
  orgUnitId?: string | null;
  includeInactive?: boolean;
}

const unitKey = (u: OrgUnit) => [u.name.toLowerCase(), u.id] as const;

/**
 * Roll-up metrics of every org unit (each includes everything below it) as one flat list sorted by name, with each
 * unit's parent, depth and path so a client can indent or group; `total` is the whole organisation (or the unit
 * asked for), and `unassigned` the seats of the whole organisation with no budgeted team (null when there are none).
 * Cost figures only with `costs.read`.
 */
export async function unitMetricsReport(ctx: ServiceContext, request: UnitMetricsReportRequest = {}) {
  authorize(ctx.principal, 'org-units.read');
  authorize(ctx.principal, 'org-metrics.read');
  const view = await openView(ctx, request);
  const type = checkUnitType(request.type);
  const index = indexGraph(view.graph);
  const rootId = request.orgUnitId?.trim() || null;
  const root = rootId ? view.graph.orgUnits.get(rootId) : undefined;
  if (rootId && !root) throw new NotFound('Org unit', rootId);
  const scope = root ? subtree(index, root.id) : null;
  const metrics = await orgMetricsFor(ctx, view);
  const units = [...view.graph.orgUnits.values()].filter(
    (u) => (!scope || scope.has(u.id)) && (!type || u.type === type) && (request.includeInactive || inEffect(u, view.asOf)),
  );
  const page = paginate('unit metrics', sortByKey(units, unitKey), unitKey, request);
  const present = (id: string | null) => presentUnitMetrics(id ? metrics.units.get(id) : metrics.total, ctx.principal, metrics.currency);
  return {
    view,
    total: present(root?.id ?? null),
    // Seats with no budgeted team are in the organisation's total and in no unit.
    unassigned: !root && metrics.unassigned.positions.budgeted > 0 ? presentUnitMetrics(metrics.unassigned, ctx.principal, metrics.currency) : null,
    page: mapPage(page, (u) => {
      const path = ancestors(view, u);
      return { id: u.id, name: u.name, type: u.type, parent_id: u.parentId, depth: path.length, path: path.map((p) => p.name), active: inEffect(u, view.asOf), metrics: present(u.id) };
    }),
  };
}
