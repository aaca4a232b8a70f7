import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, NotFound } from '../errors.js';
import { paginate, sortByKey, type PageRequest, type SortKey } from '../util/pagination.js';
import { everInEffect, inEffect, listedOn } from './dates.js';
import { indexGraph, subtree, type GraphIndex } from './graph-index.js';
import { checkPlacementCheck, placementChecksOf } from './placement-checks.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import {
  presentActor,
  leftBy,
  presentActorCost,
  presentCompensation,
  presentPlacement,
  presentPosition,
  presentReportingLine,
  type PositionStatus,
} from './present.js';
import { plainWords } from '../util/words.js';
import { mapPage } from './read-structure.js';
import { ACTOR_KINDS, type Actor, type ActorKind, type Compensation, type OrgGraph, type Placement, type Position, type ReportingLine } from './types.js';
import { openView, pickRecords, requireFilterRecords, type OrgView, type ViewRequest } from './view.js';

/** Reads of actors, reporting lines, placements, positions and compensation, in Live or a scenario. */

type ListRequest = ViewRequest & PageRequest & { includeInactive?: boolean; /** Only these records (a batch look-up). */ ids?: readonly string[] | null };

const byName = (a: Actor) => [a.displayName.toLowerCase(), a.id] as const;
const byTitle = (p: Position) => [p.title.toLowerCase(), p.id] as const;

/** The in-effect manager of an actor on a day (at most one solid line). */
export function managerOf(index: GraphIndex, actorId: string, asOf: string): string | null {
  return index.linesByActor.get(actorId)?.find((l) => inEffect(l, asOf))?.managerId ?? null;
}

export function primaryUnitOf(index: GraphIndex, actorId: string, asOf: string): string | null {
  return index.placementsByActor.get(actorId)?.find((p) => p.isPrimary && inEffect(p, asOf))?.orgUnitId ?? null;
}

function actorOut(view: OrgView, index: GraphIndex, actor: Actor) {
  return presentActor(actor, view.asOf, {
    managerId: managerOf(index, actor.id, view.asOf),
    primaryOrgUnitId: primaryUnitOf(index, actor.id, view.asOf),
  });
}

export function checkActorKind(kind: string | null | undefined): ActorKind | null {
  if (!kind) return null;
  if (!(ACTOR_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidInput('kind', `must be one of ${ACTOR_KINDS.join(', ')}`);
  }
  return kind as ActorKind;
}

/**
 * Actors, filtered by kind, org unit (placed in it, any placement), a name/email/title search, `withoutManager` (no
 * reporting line in effect on the day: the top of the organisation, and data gaps after an import) and
 * `placementCheck` (those failing one placement check on the day; needs `placements.read`).
 */
export async function listActors(
  ctx: ServiceContext,
  filter: ListRequest &
    SubunitCount & { kind?: string | null; orgUnitId?: string | null; query?: string | null; withoutManager?: boolean; placementCheck?: string | null } = {},
) {
  authorize(ctx.principal, 'actors.read');
  const check = checkPlacementCheck(filter.placementCheck);
  if (check) authorize(ctx.principal, 'placements.read');
  const view = await openView(ctx, filter);
  const index = indexGraph(view.graph);
  const kind = checkActorKind(filter.kind);
  const query = filter.query?.trim() ? plainWords(filter.query).split(' ') : null;
  // Already in name order, so what the filters keep is too (no sort per page read).
  const records = filter.ids ? sortByKey(pickRecords(view.graph.actors, filter.ids), byName) : sortedOnce(view.graph, 'actors', () => view.graph.actors.values(), byName);
  const matching = (below: boolean) => {
    const inUnit = filter.orgUnitId ? placedIn(view, index, filter.orgUnitId, below, filter.includeInactive ?? false) : null;
    return records.filter(
      (a) =>
        listedOn(a, view.asOf, filter.includeInactive) &&
        (!kind || a.kind === kind) &&
        (!inUnit || inUnit.has(a.id)) &&
        (!query || matches(a, query)) &&
        (!filter.withoutManager || managerOf(index, a.id, view.asOf) === null) &&
        (!check || (inEffect(a, view.asOf) && placementChecksOf(index, a.id, view.asOf).checks.includes(check))),
    );
  };
  const actors = matching(filter.includeSubunits ?? false);
  const page = paginate('actors', actors, byName, filter);
  return { view, page: mapPage(page, (a) => actorOut(view, index, a)), total: actors.length, totalWithSubunits: subunitTotal(filter, () => matching(true).length) };
}

/**
 * Every record of one of the graph's lists in the list's order, sorted once per graph (graphs never change): a client,
 * an export or a form's choices reading a list of 10,000 page after page re-sorted all of them for every page. What
 * a filter keeps of it stays in that order.
 */
function sortedOnce<T>(graph: OrgGraph, list: 'actors' | 'placements' | 'positions', records: () => Iterable<T>, keyOf: (item: T) => SortKey): readonly T[] {
  let lists = sortedMemo.get(graph);
  if (!lists) sortedMemo.set(graph, (lists = new Map()));
  let sorted = lists.get(list) as readonly T[] | undefined;
  if (!sorted) lists.set(list, (sorted = sortByKey(records(), keyOf)));
  return sorted;
}

const sortedMemo = new WeakMap<OrgGraph, Map<string, readonly unknown[]>>();

/** A unit's list counted with the units below it too, for a caller that lists the unit alone (`countSubunits`). */
interface SubunitCount {
  includeSubunits?: boolean;
  countSubunits?: boolean;
}

/** How many the list would hold with the units below the unit too: when asked for a unit listed alone, else null. */
function subunitTotal(filter: SubunitCount & { orgUnitId?: string | null }, count: () => number): number | null {
  return filter.countSubunits && filter.orgUnitId && !filter.includeSubunits ? count() : null;
}

/**
 * Every word of the query starts a word of the name, email or title ("support lead" finds a Support Team Lead, "schn"
 * Ana Schneider, "ana@acme" her email) — not a word's middle: "ana" is not every Manager, Tanaka and Hana. Case and
 * accents are ignored ("jose" finds José).
 */
function matches(a: Actor, queryWords: readonly string[]): boolean {
  let words = actorWords.get(a);
  if (words === undefined) actorWords.set(a, (words = ` ${[a.displayName, a.email ?? '', a.title ?? ''].map(plainWords).join(' ')}`));
  return queryWords.every((word) => words.includes(` ${word}`));
}

/** An actor's searchable words, worked out once per record (a graph's records never change). */
const actorWords = new WeakMap<Actor, string>();

/**
 * The actors with a placement in effect in the unit (and, with `below`, in any unit under it); with `ever`, also
 * those placed there before or from a later day (as `include_inactive` asks).
 */
function placedIn(view: OrgView, index: GraphIndex, orgUnitId: string, below: boolean, ever: boolean): Set<string> {
  if (!view.graph.orgUnits.has(orgUnitId)) throw new NotFound('Org unit', orgUnitId);
  const units = below ? subtree(index, orgUnitId) : [orgUnitId];
  const placements = [...units].flatMap((id) => index.placementsByUnit.get(id) ?? []);
  return new Set(placements.filter((p) => listedOn(p, view.asOf, ever)).map((p) => p.actorId));
}

/**
 * One actor with manager, direct reports, placements and — with `costs.read` — compensation and loaded cost; for
 * someone who left by the day, no cost (null, with `cost_note`) and their pay ended (`ended_on`, not active).
 */
export async function getActor(ctx: ServiceContext, id: string, request: ViewRequest = {}) {
  authorize(ctx.principal, 'actors.read');
  const view = await openView(ctx, request);
  const actor = view.graph.actors.get(id);
  if (!actor) throw new NotFound('Actor', id);
  const index = indexGraph(view.graph);
  const reports = (index.linesByManager.get(id) ?? [])
    .filter((l) => inEffect(l, view.asOf))
    .map((l) => view.graph.actors.get(l.actorId))
    .filter((a): a is Actor => a !== undefined);
  const managerId = managerOf(index, id, view.asOf);
  const manager = managerId ? view.graph.actors.get(managerId) : undefined;
  const result: Record<string, unknown> = {
    ...actorOut(view, index, actor),
    manager: manager ? { id: manager.id, display_name: manager.displayName, title: manager.title } : null,
    direct_reports: sortByKey(reports, byName).map((a) => ({ id: a.id, display_name: a.displayName, title: a.title })),
  };
  if (can(ctx.principal, 'placements.read')) {
    result.placements = (index.placementsByActor.get(id) ?? [])
      .filter((p) => inEffect(p, view.asOf))
      .map((p) => presentPlacement(p, view.asOf, actor.fte));
    if (inEffect(actor, view.asOf)) {
      const { checks, totalAllocationPct } = placementChecksOf(index, id, view.asOf);
      result.total_allocation_pct = totalAllocationPct;
      result.placement_checks = checks;
    }
  }
  if (can(ctx.principal, 'costs.read')) {
    // Someone who has left costs nothing now (pay still open in the data ends with them), someone without pay an
    // unknown amount: null with a note saying which.
    Object.assign(result, presentActorCost(view.graph, actor, view.asOf, await loadCostSettings(ctx.db, ctx.tenant)));
    const left = leftBy(actor, view.asOf);
    result.compensation = (index.compensationsByActor.get(id) ?? []).map((c) => presentCompensation(c, view.asOf, left));
  }
  return { view, actor: result };
}

/**
 * With `indirect`, the lines of everyone below `managerId` on the day (their reports, their reports' reports, …), each
 * with its `depth` below the manager (1 = a direct report), level by level: "who reports to whom under Chen" in one
 * list rather than a call per manager.
 */
export async function listReportingLines(
  ctx: ServiceContext,
  filter: ListRequest & { managerId?: string | null; actorId?: string | null; indirect?: boolean } = {},
) {
  authorize(ctx.principal, 'actors.read');
  const view = await openView(ctx, filter);
  requireFilterRecords(view, { actors: filter.managerId });
  requireFilterRecords(view, { actors: filter.actorId });
  const index = indexGraph(view.graph);
  const depths = filter.indirect && filter.managerId ? linesBelow(index, filter.managerId, view.asOf) : null;
  const source = depths
    ? [...depths.keys()]
    : filter.managerId
      ? index.linesByManager.get(filter.managerId) ?? []
      : filter.actorId
        ? index.linesByActor.get(filter.actorId) ?? []
        : [...view.graph.reportingLines.values()];
  const lines = source.filter((l) => listedOn(l, view.asOf, filter.includeInactive) && (!filter.actorId || l.actorId === filter.actorId));
  const key = (l: (typeof lines)[number]) => [depths?.get(l) ?? 1, nameOf(view.graph, l.actorId), l.id] as const;
  const page = paginate('reporting lines', sortByKey(lines, key), key, filter);
  return { view, page: mapPage(page, (l) => ({ ...presentReportingLine(l, view.asOf), ...(depths ? { depth: depths.get(l)! } : {}) })), total: lines.length };
}

/** The lines in effect on `asOf` below `managerId`, each with its depth (a loop in the data is walked once). */
function linesBelow(index: GraphIndex, managerId: string, asOf: string) {
  const depths = new Map<ReportingLine, number>();
  const seen = new Set([managerId]);
  let level = [managerId];
  for (let depth = 1; level.length; depth++) {
    const next: string[] = [];
    for (const manager of level) {
      for (const line of index.linesByManager.get(manager) ?? []) {
        if (!inEffect(line, asOf) || seen.has(line.actorId)) continue;
        seen.add(line.actorId);
        depths.set(line, depth);
        next.push(line.actorId);
      }
    }
    level = next;
  }
  return depths;
}

export async function listPlacements(
  ctx: ServiceContext,
  filter: ListRequest & { actorId?: string | null; orgUnitId?: string | null; positionId?: string | null } = {},
) {
  authorize(ctx.principal, 'placements.read');
  const view = await openView(ctx, filter);
  requireFilterRecords(view, { actors: filter.actorId, orgUnits: filter.orgUnitId, positions: filter.positionId });
  const index = indexGraph(view.graph);
  const key = (p: Placement) => [nameOf(view.graph, p.actorId), p.id] as const;
  const everyone = !filter.actorId && !filter.orgUnitId && !filter.positionId;
  const source = filter.actorId
    ? index.placementsByActor.get(filter.actorId) ?? []
    : filter.orgUnitId
      ? index.placementsByUnit.get(filter.orgUnitId) ?? []
      : filter.positionId
        ? index.placementsByPosition.get(filter.positionId) ?? []
        : sortedOnce(view.graph, 'placements', () => view.graph.placements.values(), key);
  const placements = source.filter(
    (p) =>
      listedOn(p, view.asOf, filter.includeInactive) &&
      (!filter.orgUnitId || p.orgUnitId === filter.orgUnitId) &&
      (!filter.positionId || p.positionId === filter.positionId),
  );
  const page = paginate('placements', everyone ? placements : sortByKey(placements, key), key, filter);
  return {
    view,
    page: mapPage(page, (p) => presentPlacement(p, view.asOf, view.graph.actors.get(p.actorId)?.fte ?? null)),
    total: placements.length,
  };
}

const POSITION_STATUSES = ['filled', 'vacant', 'closed', 'open'] as const;

/**
 * Positions with their status; `status=open` means filled or vacant (not closed). `noBudgetedTeam`: only the seats
 * with no budgeted team yet (no org unit), which no unit's list holds.
 */
export async function listPositions(
  ctx: ServiceContext,
  filter: ListRequest & SubunitCount & { orgUnitId?: string | null; status?: string | null; noBudgetedTeam?: boolean } = {},
) {
  authorize(ctx.principal, 'positions.read');
  if (filter.noBudgetedTeam && filter.orgUnitId) {
    throw new InvalidInput('no_budgeted_team', 'lists the positions in no org unit: leave org_unit_id out with it (or this out, for the positions of that unit)');
  }
  const view = await openView(ctx, filter);
  requireFilterRecords(view, { orgUnits: filter.orgUnitId });
  const index = indexGraph(view.graph);
  const status = filter.status?.trim() || null;
  if (status && !(POSITION_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidInput('status', `must be one of ${POSITION_STATUSES.join(', ')}`);
  }
  const matching = (below: boolean) => {
    const units = filter.orgUnitId ? (below ? [...subtree(index, filter.orgUnitId)] : [filter.orgUnitId]) : null;
    const source = units
      ? units.flatMap((unit) => index.positionsByUnit.get(unit) ?? []).filter((p) => !filter.ids || filter.ids.includes(p.id))
      : (filter.ids ? pickRecords(view.graph.positions, filter.ids) : sortedOnce(view.graph, 'positions', () => view.graph.positions.values(), byTitle)).filter(
          (p) => !filter.noBudgetedTeam || p.orgUnitId === null,
        );
    const states = positionStatesOn(view);
    const withState = source.map((p) => {
      let state = states.get(p.id);
      if (!state) states.set(p.id, (state = positionState(view, index, p)));
      return { position: p, state };
    });
    return withState.filter(({ position, state }) =>
      everInEffect(position) &&
      (status === 'open' ? state.status !== 'closed' : status ? state.status === status : filter.includeInactive || state.status !== 'closed'),
    );
  };
  const kept = matching(filter.includeSubunits ?? false);
  const key = (x: (typeof kept)[number]) => byTitle(x.position);
  // Without a unit or ids the positions came in title order already.
  const page = paginate('positions', filter.orgUnitId || filter.ids ? sortByKey(kept, key) : kept, key, filter);
  const cost = can(ctx.principal, 'costs.read') ? await loadCostSettings(ctx.db, ctx.tenant) : undefined;
  const totalWithSubunits = subunitTotal(filter, () => matching(true).length);
  // The states are kept for later reads: what is handed out is a copy.
  const present = (x: (typeof kept)[number]) => presentPosition(x.position, ctx.principal, { ...x.state, filledBy: [...x.state.filledBy] }, cost);
  return { view, page: mapPage(page, present), total: kept.length, totalWithSubunits };
}

type PositionState = ReturnType<typeof positionState>;

/**
 * The states positions have on the view's day, kept per graph and day as they are worked out: a form's choices
 * read the list of 10,000 positions page after page, and each page worked out every position's state again. A few
 * days per graph are kept (graphs never change; a graph no longer read goes with its entry).
 */
function positionStatesOn(view: OrgView): Map<string, PositionState> {
  let days = positionStates.get(view.graph);
  if (!days) positionStates.set(view.graph, (days = new Map()));
  let states = days.get(view.asOf);
  if (!states) {
    if (days.size >= 4) days.delete(days.keys().next().value!);
    days.set(view.asOf, (states = new Map()));
  }
  return states;
}

const positionStates = new WeakMap<OrgGraph, Map<string, Map<string, PositionState>>>();

export function positionState(view: OrgView, index: GraphIndex, p: Position): { status: PositionStatus; filledBy: string[] } {
  if (!inEffect(p, view.asOf)) return { status: 'closed', filledBy: [] };
  const filledBy = (index.placementsByPosition.get(p.id) ?? [])
    .filter((pl) => inEffect(pl, view.asOf) && isActiveActor(view, pl.actorId))
    .map((pl) => pl.actorId);
  return { status: filledBy.length ? 'filled' : 'vacant', filledBy };
}

function isActiveActor(view: OrgView, actorId: string): boolean {
  const actor = view.graph.actors.get(actorId);
  return actor !== undefined && inEffect(actor, view.asOf);
}

/** Compensation records (needs `costs.read`), optionally of one actor, with history. */
export async function listCompensations(ctx: ServiceContext, filter: ListRequest & { actorId?: string | null } = {}) {
  authorize(ctx.principal, 'costs.read');
  authorize(ctx.principal, 'actors.read');
  const view = await openView(ctx, filter);
  requireFilterRecords(view, { actors: filter.actorId });
  const index = indexGraph(view.graph);
  const source = filter.actorId ? index.compensationsByActor.get(filter.actorId) ?? [] : [...view.graph.compensations.values()];
  // Pay left open in the data (an import, say) ends with its person: a leaver's is not current pay, as getActor says.
  const leftOn = (c: Compensation) => {
    const actor = view.graph.actors.get(c.actorId);
    return actor ? leftBy(actor, view.asOf) : null;
  };
  const history = filter.includeInactive || Boolean(filter.actorId);
  const records = source.filter((c) => listedOn(c, view.asOf, history) && (history || leftOn(c) === null));
  const key = (c: (typeof records)[number]) => [nameOf(view.graph, c.actorId), c.validFrom ?? '', c.id] as const;
  const page = paginate('compensation', sortByKey(records, key), key, filter);
  return { view, page: mapPage(page, (c) => presentCompensation(c, view.asOf, leftOn(c))) };
}

function nameOf(graph: OrgGraph, actorId: string): string {
  return graph.actors.get(actorId)?.displayName.toLowerCase() ?? '';
}
