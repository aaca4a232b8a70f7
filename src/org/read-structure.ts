import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, NotFound } from '../errors.js';
import { listTypes } from '../tenancy/settings.js';
import { paginate, sortByKey, type Page, type PageRequest } from '../util/pagination.js';
import { inEffect, listedOn } from './dates.js';
import { indexGraph } from './graph-index.js';
import type { OrgMetrics } from './metrics.js';
import { orgMetricsFor, presentUnitMetrics, type UnitMetricsOut } from './metrics-service.js';
import { presentOrgUnit } from './present.js';
import { ORG_UNIT_TYPES, type OrgUnit, type OrgUnitType } from './types.js';
import { openView, pickRecords, requireFilterRecords, type OrgView, type ViewRequest } from './view.js';

/** Reads of the structural hierarchy: org units (list, tree, detail), departments and teams. */

export interface OrgUnitFilter extends ViewRequest, PageRequest {
  type?: OrgUnitType | null;
  parentId?: string | null;
  query?: string | null;
  includeInactive?: boolean;
  /** Only these units (a batch look-up). */
  ids?: readonly string[] | null;
}

const unitKey = (u: OrgUnit) => [u.name.toLowerCase(), u.id] as const;

/** The lower-cased, trimmed query of a list, or null without one. */
function unitQuery(query: string | null | undefined): string | null {
  return query?.trim().toLowerCase() || null;
}

/** Whether a unit answers a list's name query (lower-cased): the name contains it, or it is the unit's code. */
function matchesUnitQuery(unit: OrgUnit, query: string | null): boolean {
  return !query || unit.name.toLowerCase().includes(query) || unit.code?.toLowerCase() === query;
}

export function checkUnitType(type: string | null | undefined): OrgUnitType | null {
  if (!type) return null;
  if (!(ORG_UNIT_TYPES as readonly string[]).includes(type)) {
    throw new InvalidInput('type', `must be one of ${ORG_UNIT_TYPES.join(', ')}`);
  }
  return type as OrgUnitType;
}

function unitOut(view: OrgView, unit: OrgUnit) {
  const { departments, teams } = view.graph;
  return presentOrgUnit(unit, view.asOf, { department: departments.get(unit.id), team: teams.get(unit.id) });
}

export async function listOrgUnits(ctx: ServiceContext, filter: OrgUnitFilter = {}) {
  authorize(ctx.principal, 'org-units.read');
  const view = await openView(ctx, filter);
  requireFilterRecords(view, { orgUnits: filter.parentId });
  const type = checkUnitType(filter.type);
  const query = unitQuery(filter.query);
  const parentId = filter.parentId?.trim() || null;
  const units = pickRecords(view.graph.orgUnits, filter.ids).filter(
    (u) =>
      listedOn(u, view.asOf, filter.includeInactive) &&
      (!type || u.type === type) &&
      (!parentId || u.parentId === parentId) &&
      matchesUnitQuery(u, query),
  );
  const page = paginate('org units', sortByKey(units, unitKey), unitKey, filter);
  return { view, page: mapPage(page, (u) => unitOut(view, u)), total: units.length };
}

export async function getOrgUnit(ctx: ServiceContext, id: string, request: ViewRequest = {}) {
  authorize(ctx.principal, 'org-units.read');
  const view = await openView(ctx, request);
  const unit = view.graph.orgUnits.get(id);
  if (!unit) throw new NotFound('Org unit', id);
  const index = indexGraph(view.graph);
  const children = sortByKey(
    (index.childrenOf.get(id) ?? []).filter((u) => inEffect(u, view.asOf)),
    unitKey,
  );
  const metrics = await orgMetricsFor(ctx, view);
  return {
    view,
    unit: {
      ...unitOut(view, unit),
      path: ancestors(view, unit).map((u) => ({ id: u.id, name: u.name, type: u.type })),
      children: children.map((c) => ({ id: c.id, name: c.name, type: c.type })),
      metrics: presentUnitMetrics(metrics.units.get(id), ctx.principal, metrics.currency),
    },
  };
}

/** The unit's ancestors from the root down to its parent (a cycle in bad data stops the walk). */
export function ancestors(view: OrgView, unit: OrgUnit): OrgUnit[] {
  const chain: OrgUnit[] = [];
  const seen = new Set<string>([unit.id]);
  let parent = unit.parentId ? view.graph.orgUnits.get(unit.parentId) : undefined;
  while (parent && !seen.has(parent.id)) {
    chain.unshift(parent);
    seen.add(parent.id);
    parent = parent.parentId ? view.graph.orgUnits.get(parent.parentId) : undefined;
  }
  return chain;
}

export interface TreeRequest extends ViewRequest {
  rootId?: string | null;
  depth?: number | null;
  types?: OrgUnitType[] | null;
  onlyActive?: boolean;
}

export interface TreeNode {
  id: string;
  name: string;
  type: OrgUnitType;
  active: boolean;
  metrics: UnitMetricsOut;
  child_count: number;
  children?: TreeNode[];
}

/**
 * The org unit tree with roll-up metrics per node. `types` keeps only nodes of those types (each attached to its
 * nearest kept ancestor); `depth` cuts the tree (1 = roots only), leaving `child_count` on the cut nodes.
 */
export async function orgUnitTree(ctx: ServiceContext, request: TreeRequest = {}) {
  authorize(ctx.principal, 'org-units.read');
  const view = await openView(ctx, request);
  const depth = request.depth ?? null;
  if (depth !== null && (!Number.isInteger(depth) || depth < 1 || depth > 50)) {
    throw new InvalidInput('depth', 'must be a whole number from 1 to 50');
  }
  const onlyActive = request.onlyActive ?? true;
  const types = request.types?.length ? new Set(request.types.map((t) => checkUnitType(t)!)) : null;
  const metrics = await orgMetricsFor(ctx, view);
  const index = indexGraph(view.graph);
  const visible = (u: OrgUnit) => listedOn(u, view.asOf, !onlyActive);

  const build = (unit: OrgUnit, level: number): TreeNode[] => {
    const kids = sortByKey((index.childrenOf.get(unit.id) ?? []).filter(visible), unitKey);
    if (types && !types.has(unit.type)) return kids.flatMap((k) => build(k, level));
    const nested = kids.flatMap((k) => build(k, level + 1));
    const node: TreeNode = {
      id: unit.id,
      name: unit.name,
      type: unit.type,
      active: inEffect(unit, view.asOf),
      metrics: presentUnitMetrics(metrics.units.get(unit.id), ctx.principal, metrics.currency),
      child_count: nested.length,
    };
    if (depth === null || level < depth) node.children = nested;
    return [node];
  };

  let roots: OrgUnit[];
  if (request.rootId) {
    const root = view.graph.orgUnits.get(request.rootId);
    if (!root) throw new NotFound('Org unit', request.rootId);
    roots = [root];
  } else {
    roots = sortByKey(
      [...view.graph.orgUnits.values()].filter((u) => visible(u) && (!u.parentId || !view.graph.orgUnits.has(u.parentId))),
      unitKey,
    );
  }
  // Seats with no budgeted team are in the organisation's total and under no root: said apart (whole organisation only).
  const unassigned = !request.rootId && metrics.unassigned.positions.budgeted > 0 ? presentUnitMetrics(metrics.unassigned, ctx.principal, metrics.currency) : null;
  return { view, roots: roots.flatMap((r) => build(r, 1)), total: presentUnitMetrics(metrics.total, ctx.principal, metrics.currency), unassigned };
}

/** A list of the units of one type: the view and page, `query` (name contains, or the exact code), inactive ones too. */
export type UnitsOfTypeFilter = ViewRequest & PageRequest & { query?: string | null; includeInactive?: boolean };

export async function listDepartments(ctx: ServiceContext, filter: UnitsOfTypeFilter = {}) {
  authorize(ctx.principal, 'org-units.read');
  return listUnitsOfType(ctx, 'department', filter);
}

/**
 * Teams, optionally of one team type, or only those `withoutManager`: nobody homed in the team manages anyone (its
 * roll-up counts no manager), so its people report to someone outside it or to no one. That filter reads the span
 * metrics, so it needs `org-metrics.read`.
 */
export async function listTeams(
  ctx: ServiceContext,
  filter: UnitsOfTypeFilter & { teamTypeId?: string | null; withoutManager?: boolean } = {},
) {
  authorize(ctx.principal, 'teams.read');
  if (filter.withoutManager) authorize(ctx.principal, 'org-metrics.read');
  // An unknown team type is "not found", as an unknown org unit or actor filter is, not an empty page.
  const teamTypeId = filter.teamTypeId?.trim() || null;
  if (teamTypeId && !(await listTypes(ctx, 'team')).some((t) => t.id === teamTypeId)) throw new NotFound('Team type', teamTypeId);
  return listUnitsOfType(
    ctx,
    'team',
    filter,
    (u, view, metrics) =>
      (!teamTypeId || view.graph.teams.get(u.id)?.teamTypeId === teamTypeId) && (!filter.withoutManager || !metrics.units.get(u.id)?.span.managers),
  );
}

async function listUnitsOfType(
  ctx: ServiceContext,
  type: OrgUnitType,
  filter: UnitsOfTypeFilter,
  keep: (u: OrgUnit, view: OrgView, metrics: OrgMetrics) => boolean = () => true,
) {
  const view = await openView(ctx, filter);
  const metrics = await orgMetricsFor(ctx, view);
  const query = unitQuery(filter.query);
  const units = [...view.graph.orgUnits.values()].filter(
    (u) => u.type === type && listedOn(u, view.asOf, filter.includeInactive) && matchesUnitQuery(u, query) && keep(u, view, metrics),
  );
  const page = paginate(`${type}s`, sortByKey(units, unitKey), unitKey, filter);
  return {
    view,
    page: mapPage(page, (u) => ({
      ...unitOut(view, u),
      metrics: presentUnitMetrics(metrics.units.get(u.id), ctx.principal, metrics.currency),
    })),
    total: units.length,
  };
}

export function mapPage<T, U>(page: Page<T>, fn: (item: T) => U): Page<U> {
  return { items: page.items.map(fn), nextCursor: page.nextCursor };
}
