import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, NotFound } from '../errors.js';
import { paginate, sortByKey, type PageRequest, type SortKey } from '../util/pagination.js';
import { activeActors, placementsByActor } from './metrics.js';
import { mapPage } from './read-structure.js';
import { buildReportingStructure } from './reporting.js';
import type { Actor } from './types.js';
import { spanClass, type SpanClass } from './unit-acc.js';
import { visibleUnitTree } from './unit-tree.js';
import { openView, type ViewRequest } from './view.js';

/**
 * Managers by span of control: the people behind `span.narrow` and `span.wide` of the org metrics, named. A manager
 * is counted where the metrics count them — an actor in effect with at least one direct report, homed (primary
 * placement) in a visible org unit — with the same thresholds (`spanClass`), so the list and the counts agree.
 */

export const SPAN_FILTERS = ['outliers', 'narrow', 'wide', 'all'] as const;
export type SpanFilter = (typeof SPAN_FILTERS)[number];

export interface SpansRequest extends ViewRequest, PageRequest {
  /** Only managers homed in this unit or below it. */
  orgUnitId?: string | null;
  /** narrow, wide, all, or outliers (default: narrow and wide; `all` when a report-count bound is given). */
  span?: string | null;
  /** Only managers with at least this many direct reports ("spans over 8" is 9), whatever their class. */
  minReports?: number | null;
  /** Only managers with at most this many direct reports. */
  maxReports?: number | null;
}

interface Manager {
  actor: Actor;
  reports: number;
  cls: SpanClass;
  unitId: string;
  layer: number;
}

/**
 * The managers of Live or a scenario on a day, filtered by span class: wide ones first, most reports first, then
 * narrow ones, fewest first (`all`: most reports first); ties by name. Needs org-metrics.read and actors.read.
 */
export async function listSpans(ctx: ServiceContext, request: SpansRequest = {}) {
  authorize(ctx.principal, 'org-metrics.read');
  authorize(ctx.principal, 'actors.read');
  const minReports = checkReports(request.minReports, 'min_direct_reports');
  const maxReports = checkReports(request.maxReports, 'max_direct_reports');
  if (minReports !== null && maxReports !== null && maxReports < minReports) {
    throw new InvalidInput('max_direct_reports', `must not be below min_direct_reports (${minReports})`);
  }
  // A bound asks about a number of reports, not a class: "spans over 8" includes managers the classes call ok.
  const span = checkSpanFilter(request.span, minReports !== null || maxReports !== null);
  const view = await openView(ctx, request);
  const { graph, asOf } = view;
  const rootId = request.orgUnitId?.trim() || null;
  const root = rootId ? graph.orgUnits.get(rootId) : undefined;
  if (rootId && !root) throw new NotFound('Org unit', rootId);
  const scope = new Set(visibleUnitTree(graph.orgUnits, asOf, rootId ? [rootId] : undefined).postOrder);

  const actors = activeActors(graph, asOf);
  const placements = placementsByActor(graph, asOf, actors);
  const reporting = buildReportingStructure(graph, asOf, actors);
  const managers: Manager[] = [];
  for (const [actorId, reports] of reporting.directReports) {
    const home = placements.get(actorId)?.home;
    if (!home || !scope.has(home.orgUnitId)) continue;
    const cls = spanClass(reports);
    if (!matches(span, cls)) continue;
    if ((minReports !== null && reports < minReports) || (maxReports !== null && reports > maxReports)) continue;
    managers.push({ actor: actors.get(actorId)!, reports, cls, unitId: home.orgUnitId, layer: reporting.layerOf.get(actorId) ?? 1 });
  }
  const keyOf = sortKey(span);
  const page = paginate('spans', sortByKey(managers, keyOf), keyOf, { ...request, span, minReports, maxReports });
  return {
    view,
    span,
    orgUnit: root ? { id: root.id, name: root.name } : null,
    page: mapPage(page, (m) => ({
      id: m.actor.id,
      kind: m.actor.kind,
      display_name: m.actor.displayName,
      title: m.actor.title,
      home_org_unit: { id: m.unitId, name: graph.orgUnits.get(m.unitId)?.name ?? null },
      direct_reports: m.reports,
      span: m.cls,
      layer: m.layer,
    })),
  };
}

function checkSpanFilter(value: string | null | undefined, bounded: boolean): SpanFilter {
  const span = value?.trim() || (bounded ? 'all' : 'outliers');
  if (!(SPAN_FILTERS as readonly string[]).includes(span)) throw new InvalidInput('span', `must be one of ${SPAN_FILTERS.join(', ')}`);
  return span as SpanFilter;
}

/** The largest bound a spans filter takes (no manager has more direct reports than a tenant has actors). */
export const MAX_DIRECT_REPORTS = 100_000;

function checkReports(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < 0) throw new InvalidInput(field, 'must be a whole number of direct reports, 0 or more');
  return value;
}

function matches(filter: SpanFilter, cls: SpanClass): boolean {
  if (filter === 'all') return true;
  if (filter === 'outliers') return cls !== 'ok';
  return filter === cls;
}

function sortKey(filter: SpanFilter): (m: Manager) => SortKey {
  const name = (m: Manager) => [m.actor.displayName.toLowerCase(), m.actor.id];
  if (filter === 'all') return (m) => [-m.reports, ...name(m)];
  // Wide ones first, most reports first; then narrow ones, fewest first.
  return (m) => (m.cls === 'wide' ? [0, -m.reports, ...name(m)] : [1, m.reports, ...name(m)]);
}
