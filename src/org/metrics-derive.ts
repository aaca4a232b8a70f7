import { loadedAnnualCost, type ActorCost } from './cost.js';
import { inEffect } from './dates.js';
import {
  cloneUnitAcc,
  costShare,
  mergeUnitAccInto,
  type ActorPlacements,
  type MetricsState,
  type OrgMetrics,
  type UnitMetrics,
} from './metrics.js';
import { countChecks } from './placement-checks.js';
import { supersedes } from './precedence.js';
import type { ReportingStructure } from './reporting.js';
import type { Actor, Compensation, Family, OrgGraph, Placement, Position, ReportingLine } from './types.js';
import { addHomedActor, addPlacementShare, addPosition, finalizeUnit, newUnitAcc, type UnitAcc } from './unit-acc.js';
import { visibleUnitTree, type UnitTree } from './unit-tree.js';

/**
 * The metrics of `target` — an overlay of the graph `state` was computed for, differing from it at most in the
 * records `changed` names — worked out from `state` in proportion to the changes instead of from scratch:
 *
 * 1. the actors whose contribution can differ ("dirty"): changed actors; actors of changed placements and
 *    compensations; actors whose manager changed, their old and new managers (span), and everyone below whose
 *    layer moved;
 * 2. the units whose own totals can differ: where dirty actors were or are homed or placed, where changed
 *    positions were or are, and positions whose filled state changed. Their own totals are the state's with what
 *    the dirty members added there replaced by what they add now — or, when totals alone cannot tell (a leaving
 *    member held the lowest or highest layer), recounted from the state's list of what went into the unit;
 * 3. the roll-up is redone for those units and their ancestors, each from the state's roll-up with its changed
 *    children's replaced (or from all its children, around units that moved or closed); every other unit keeps
 *    the state's figures — the very same objects, so a delta can skip them by identity.
 *
 * Returns null when the overlay is outside what this handles (an existing actor starting or ending, reporting
 * cycles, a unit that was hidden becoming visible, or too many dirty actors): the caller computes in full.
 * The result equals a full computation of `target`, except that sums over a recomputed unit may add the same
 * numbers in another order (floating-point noise far below the rounding of outputs).
 */
export function deriveOrgMetrics(state: MetricsState, target: OrgGraph, changed: Partial<Record<Family, ReadonlySet<string>>>): OrgMetrics | null {
  const { asOf, cost, graph: root } = state;
  const base = state.reporting;
  if (base.cycleRoots.size) return null;
  const maxDirty = Math.max(1_000, Math.floor(state.actors.size / 4));
  const none: ReadonlySet<string> = new Set();
  const dirty = new Set<string>();

  // Actors: which are active in the target (an existing actor starting or ending is left to a full computation).
  const actorsT = new Map<string, Actor | null>();
  for (const id of changed.actors ?? none) {
    const record = target.actors.get(id);
    const active = record && inEffect(record, asOf) ? record : null;
    const wasActive = state.actors.has(id);
    if (root.actors.has(id) && wasActive !== (active !== null)) return null;
    actorsT.set(id, active);
    if (active || wasActive) dirty.add(id);
  }
  const isActive = (id: string) => (actorsT.has(id) ? actorsT.get(id) !== null : state.actors.has(id));
  const actorOf = (id: string) => (actorsT.has(id) ? actorsT.get(id) ?? undefined : state.actors.get(id));

  // Placements: their actors are dirty; positions they fill may change state.
  const changedPlacements = changed.placements ?? none;
  const placementsFor = new Map<string, Placement[]>();
  const filledDelta = new Map<string, number>();
  const fill = (positionId: string | null, by: number) => {
    if (positionId !== null) filledDelta.set(positionId, (filledDelta.get(positionId) ?? 0) + by);
  };
  for (const id of changedPlacements) {
    const before = root.placements.get(id);
    const after = target.placements.get(id);
    if (before && inEffect(before, asOf) && state.actors.has(before.actorId)) {
      dirty.add(before.actorId);
      fill(before.positionId, -1);
    }
    if (after && inEffect(after, asOf) && isActive(after.actorId)) {
      dirty.add(after.actorId);
      push(placementsFor, after.actorId, after);
      fill(after.positionId, 1);
    }
  }

  // Compensations: the one in effect per affected actor.
  const changedCompensations = changed.compensations ?? none;
  const compensationsFor = new Map<string, Compensation[]>();
  const compensationActors = new Set<string>();
  for (const id of changedCompensations) {
    const before = root.compensations.get(id);
    const after = target.compensations.get(id);
    if (before && inEffect(before, asOf)) compensationActors.add(before.actorId);
    if (after && inEffect(after, asOf)) {
      compensationActors.add(after.actorId);
      push(compensationsFor, after.actorId, after);
    }
  }
  const compensationT = new Map<string, Compensation | undefined>();
  for (const actorId of compensationActors) {
    const chosen = state.compensations.chosen.get(actorId);
    let best: Compensation | undefined;
    const consider = (c: Compensation) => {
      if (supersedes(c, best)) best = c;
    };
    if (chosen && !changedCompensations.has(chosen.id)) consider(chosen);
    for (const c of state.compensations.contested.get(actorId) ?? []) if (!changedCompensations.has(c.id)) consider(c);
    for (const c of compensationsFor.get(actorId) ?? []) consider(c);
    compensationT.set(actorId, best);
    if (best !== chosen && isActive(actorId)) dirty.add(actorId);
  }
  const compensationOf = (id: string) => (compensationT.has(id) ? compensationT.get(id) : state.compensations.chosen.get(id));

  // Reporting lines: each affected actor's manager in the target.
  const changedLines = changed.reportingLines ?? none;
  const linesFor = new Map<string, ReportingLine[]>();
  const lineActors = new Set<string>();
  for (const id of changedLines) {
    const before = root.reportingLines.get(id);
    const after = target.reportingLines.get(id);
    if (before) lineActors.add(before.actorId);
    if (after) {
      lineActors.add(after.actorId);
      if (inEffect(after, asOf) && isActive(after.actorId) && isActive(after.managerId)) push(linesFor, after.actorId, after);
    }
  }
  const managerT = new Map<string, string | undefined>();
  const reportsDelta = new Map<string, number>();
  const addReports = (managerId: string | undefined, by: number) => {
    if (managerId !== undefined) reportsDelta.set(managerId, (reportsDelta.get(managerId) ?? 0) + by);
  };
  for (const actorId of lineActors) {
    if (!isActive(actorId)) continue;
    const chosen = base.lineOf.get(actorId);
    let best: ReportingLine | undefined;
    const consider = (line: ReportingLine) => {
      if (supersedes(line, best)) best = line;
    };
    if (chosen && !changedLines.has(chosen.id)) consider(chosen);
    for (const line of base.contested.get(actorId) ?? []) if (!changedLines.has(line.id)) consider(line);
    for (const line of linesFor.get(actorId) ?? []) consider(line);
    const next = (best as ReportingLine | undefined)?.managerId;
    const previous = base.managerOf.get(actorId);
    if (next === previous) continue;
    managerT.set(actorId, next);
    addReports(previous, -1);
    addReports(next, 1);
    dirty.add(actorId);
    if (previous !== undefined) dirty.add(previous);
    if (next !== undefined) dirty.add(next);
  }
  const managerOf = (id: string) => (managerT.has(id) ? managerT.get(id) : base.managerOf.get(id));
  const reportsT = (id: string) => (base.directReports.get(id) ?? 0) + (reportsDelta.get(id) ?? 0);

  // Layers: walk each re-managed (or new) actor's chain to the top, then push changes down the target's reports.
  const layerT = new Map<string, number>();
  const layerOf = (id: string) => layerT.get(id) ?? base.layerOf.get(id) ?? 1;
  const starts = [...managerT.keys()];
  for (const [id, active] of actorsT) if (active && !state.actors.has(id)) starts.push(id);
  for (const start of starts) {
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let at: string | undefined = start; at !== undefined; at = managerOf(at)) {
      if (seen.has(at)) return null; // the overlay closes a reporting cycle
      seen.add(at);
      chain.push(at);
    }
    for (let i = chain.length - 1, layer = 1; i >= 0; i--, layer++) layerT.set(chain[i]!, layer);
  }
  if (starts.length) {
    const newReports = new Map<string, string[]>();
    for (const [actorId, managerId] of managerT) if (managerId !== undefined) push(newReports, managerId, actorId);
    const queue = [...layerT.keys()].filter((id) => layerT.get(id) !== base.layerOf.get(id));
    for (let i = 0; i < queue.length; i++) {
      const managerId = queue[i]!;
      dirty.add(managerId);
      if (dirty.size > maxDirty) return null;
      const layer = layerOf(managerId) + 1;
      const hadReports = (base.directReports.get(managerId) ?? 0) > 0;
      const reports = [...(hadReports ? reportsIndex(state).get(managerId) ?? [] : []), ...(newReports.get(managerId) ?? [])];
      for (const report of reports) {
        if (managerOf(report) !== managerId || layerT.get(report) === layer) continue;
        layerT.set(report, layer);
        if (layer !== base.layerOf.get(report)) queue.push(report);
      }
    }
  }
  if (dirty.size > maxDirty) return null;

  // Each dirty actor's contribution in the target.
  const placementsT = new Map<string, ActorPlacements | undefined>();
  const costT = new Map<string, ActorCost>();
  const homedIn = new Map<string, string[]>();
  const placedIn = new Map<string, Placement[]>();
  const dirtyUnits = new Set<string>();
  /** Units where a dirty actor was homed or placed, or a changed position was: their members need checking. */
  const leaving = new Set<string>();
  const placementChecks = { ...state.metrics.placementChecks };
  for (const actorId of dirty) {
    const was = state.actors.has(actorId) ? state.placements.get(actorId) : undefined;
    if (state.actors.has(actorId)) countChecks(placementChecks, was, -1);
    if (was) {
      if (was.home) leaving.add(was.home.orgUnitId);
      for (const p of was.all) leaving.add(p.orgUnitId);
    }
    if (!actorOf(actorId)) continue;
    const all = was ? was.all.filter((p) => !changedPlacements.has(p.id)) : [];
    all.push(...(placementsFor.get(actorId) ?? []));
    if (!all.length) {
      countChecks(placementChecks, undefined, 1);
      continue;
    }
    const own: ActorPlacements = { all, home: undefined, allocationSum: 0 };
    for (const p of all) {
      own.allocationSum += p.allocationPct;
      if (p.isPrimary && supersedes(p, own.home)) own.home = p;
    }
    placementsT.set(actorId, own);
    countChecks(placementChecks, own, 1);
    costT.set(actorId, loadedAnnualCost(compensationOf(actorId), cost));
    if (own.home) {
      push(homedIn, own.home.orgUnitId, actorId);
      dirtyUnits.add(own.home.orgUnitId);
    }
    for (const p of all) {
      push(placedIn, p.orgUnitId, p);
      dirtyUnits.add(p.orgUnitId);
    }
  }

  // Positions: changed ones, and unchanged ones whose filled state moved.
  const filledNow = (id: string) => (state.filled.get(id) ?? 0) + (filledDelta.get(id) ?? 0) > 0;
  const changedPositions = new Set(changed.positions ?? none);
  for (const [id, by] of filledDelta) if (by !== 0 && filledNow(id) !== state.filled.has(id)) changedPositions.add(id);
  const positionsIn = new Map<string, Position[]>();
  for (const id of changedPositions) {
    const before = root.positions.get(id);
    const after = target.positions.get(id);
    if (before?.orgUnitId && inEffect(before, asOf)) leaving.add(before.orgUnitId);
    if (after?.orgUnitId && inEffect(after, asOf)) {
      dirtyUnits.add(after.orgUnitId);
      push(positionsIn, after.orgUnitId, after);
    }
  }

  // The target's visible tree: the state's when no change reshapes it, the state's with moves applied when units
  // only moved among visible units, else built again.
  const changedUnits = changed.orgUnits ?? none;
  let tree = state.tree;
  let visible = (id: string) => state.own.has(id);
  const reshaped = reshapedTree(state, target, changedUnits);
  if (reshaped) tree = reshaped;
  else if (reshaped === null) {
    tree = visibleUnitTree(target.orgUnits, asOf);
    const ids = new Set(tree.postOrder);
    visible = (id) => ids.has(id);
    for (const id of tree.postOrder) {
      if (state.own.has(id)) continue;
      if (root.orgUnits.has(id)) return null; // a unit that was hidden shows: its members were never listed
      dirtyUnits.add(id);
    }
  }

  // Own totals of the dirty units: the state's, less what the changed members added there, plus what they add
  // now. When that cannot be told (a leaving member held the unit's lowest or highest layer, or an unconvertible
  // currency), the unit is recounted from its members.
  for (const unitId of leaving) dirtyUnits.add(unitId);
  const one = new OneActorReporting();
  const outOf = new Map<string, UnitAcc>();
  const into = new Map<string, UnitAcc>();
  const part = (parts: Map<string, UnitAcc>, unitId: string): UnitAcc => {
    let acc = parts.get(unitId);
    if (!acc) parts.set(unitId, (acc = newUnitAcc()));
    return acc;
  };
  for (const actorId of dirty) {
    const was = state.actors.has(actorId) ? state.placements.get(actorId) : undefined;
    if (was) {
      const actor = state.actors.get(actorId)!;
      const actorCost = loadedAnnualCost(state.compensations.chosen.get(actorId), cost);
      const reporting = one.set(base.directReports.get(actorId) ?? 0, base.layerOf.get(actorId) ?? 1);
      if (was.home && state.own.has(was.home.orgUnitId)) addHomedActor(part(outOf, was.home.orgUnitId), actor, reporting, actorCost.kind === 'none');
      for (const p of was.all) if (state.own.has(p.orgUnitId)) addPlacementShare(part(outOf, p.orgUnitId), actor, p, costShare(p, was), actorCost);
    }
    const now = placementsT.get(actorId);
    if (now) {
      const actor = actorOf(actorId)!;
      const actorCost = costT.get(actorId)!;
      const reporting = one.set(reportsT(actorId), layerOf(actorId));
      if (now.home && visible(now.home.orgUnitId)) addHomedActor(part(into, now.home.orgUnitId), actor, reporting, actorCost.kind === 'none');
      for (const p of now.all) if (visible(p.orgUnitId)) addPlacementShare(part(into, p.orgUnitId), actor, p, costShare(p, now), actorCost);
    }
  }
  for (const id of changedPositions) {
    const before = root.positions.get(id);
    const after = target.positions.get(id);
    if (before?.orgUnitId && inEffect(before, asOf) && state.own.has(before.orgUnitId)) addPosition(part(outOf, before.orgUnitId), state.filled.has(id), before, cost);
    if (after?.orgUnitId && inEffect(after, asOf) && visible(after.orgUnitId)) addPosition(part(into, after.orgUnitId), filledNow(id), after, cost);
  }
  // Seats with no budgeted team: the state's totals with the changed ones replaced (positions hold no layers, so
  // only an unconvertible currency sends it to a count of every such seat of the target).
  let unassigned = state.unassigned;
  const unassignedOut = newUnitAcc();
  const unassignedIn = newUnitAcc();
  let unassignedChanged = false;
  for (const id of changedPositions) {
    const before = root.positions.get(id);
    const after = target.positions.get(id);
    if (before && before.orgUnitId === null && inEffect(before, asOf)) {
      addPosition(unassignedOut, state.filled.has(id), before, cost);
      unassignedChanged = true;
    }
    if (after && after.orgUnitId === null && inEffect(after, asOf)) {
      addPosition(unassignedIn, filledNow(id), after, cost);
      unassignedChanged = true;
    }
  }
  if (unassignedChanged) unassigned = replacePart(state.unassigned, unassignedOut, unassignedIn) ?? countUnassigned(target, asOf, cost, filledNow);
  const nobody: ReadonlySet<string> = new Set();
  const recount = (unitId: string): UnitAcc => {
    const acc = newUnitAcc();
    const members = state.members.get(unitId);
    const gone = leaving.has(unitId) ? dirty : nobody;
    const moved = leaving.has(unitId) ? changedPositions : nobody;
    // The rare path (see replacePart): members that stay are looked up in the state.
    for (const actor of members?.homed ?? []) {
      if (!gone.has(actor.id)) addHomedActor(acc, actor, base, !state.compensations.chosen.has(actor.id));
    }
    for (const actorId of homedIn.get(unitId) ?? []) {
      addHomedActor(acc, actorOf(actorId)!, one.set(reportsT(actorId), layerOf(actorId)), costT.get(actorId)!.kind === 'none');
    }
    for (const p of members?.placements ?? []) {
      if (gone.has(p.actorId)) continue;
      const actorCost = loadedAnnualCost(state.compensations.chosen.get(p.actorId), cost);
      addPlacementShare(acc, state.actors.get(p.actorId)!, p, costShare(p, state.placements.get(p.actorId)!), actorCost);
    }
    for (const p of placedIn.get(unitId) ?? []) {
      addPlacementShare(acc, actorOf(p.actorId)!, p, costShare(p, placementsT.get(p.actorId)!), costT.get(p.actorId)!);
    }
    for (const position of members?.positions ?? []) {
      if (!moved.has(position.id)) addPosition(acc, state.filled.has(position.id), position, cost);
    }
    for (const position of positionsIn.get(unitId) ?? []) addPosition(acc, filledNow(position.id), position, cost);
    return acc;
  };
  const ownT = new Map<string, UnitAcc>();
  for (const unitId of dirtyUnits) {
    if (!visible(unitId)) continue;
    const was = state.own.get(unitId);
    ownT.set(unitId, (was && replacePart(was, outOf.get(unitId), into.get(unitId))) ?? recount(unitId));
  }

  // Roll-up: units whose subtree holds a change, and their ancestors.
  const rollUp = new Set<string>();
  const markFrom = (start: string | null | undefined) => {
    for (let at = start, hops = 0; at && hops <= target.orgUnits.size; at = target.orgUnits.get(at)?.parentId, hops++) {
      if (visible(at)) {
        if (rollUp.has(at)) return;
        rollUp.add(at);
      }
    }
  };
  for (const id of ownT.keys()) markFrom(id);
  for (const id of changedUnits) {
    markFrom(id);
    markFrom(root.orgUnits.get(id)?.parentId);
  }
  const currency = cost.reportingCurrency;
  const rolled = new Map<string, UnitAcc>();
  // A unit keeps its children (the tree is the state's, or the state's with moves whose ends are recounted): its
  // roll-up is the state's with the changed own totals and changed children's roll-ups replaced.
  const sameChildren = tree === state.tree || reshaped !== null;
  const recounted = new Set<string>();
  if (reshaped) for (const { from, to } of movesOf(state, target, changedUnits) ?? []) recounted.add(from).add(to);
  const rolledChildren = new Map<string, string[]>();
  const rollUpUnit = (id: string): UnitMetrics => {
    const was = state.rolled.get(id);
    const children = tree.children.get(id) ?? [];
    // A unit without children rolls up to its own totals (a recomputed one is fresh, so it can serve as is).
    let acc: UnitAcc | null = children.length ? null : ownT.get(id) ?? null;
    if (!acc && was && sameChildren && !recounted.has(id)) {
      const out = newUnitAcc();
      const add = newUnitAcc();
      const own = ownT.get(id);
      if (own) {
        mergeUnitAccInto(out, state.own.get(id)!);
        mergeUnitAccInto(add, own);
      }
      for (const child of rolledChildren.get(id) ?? []) {
        mergeUnitAccInto(out, state.rolled.get(child)!);
        mergeUnitAccInto(add, rolled.get(child)!);
      }
      acc = replacePart(was, out, add);
    }
    if (!acc) {
      acc = cloneUnitAcc(ownT.get(id) ?? state.own.get(id) ?? newUnitAcc());
      for (const child of children) mergeUnitAccInto(acc, rolled.get(child) ?? state.rolled.get(child)!);
    }
    rolled.set(id, acc);
    const parentId = target.orgUnits.get(id)?.parentId;
    if (parentId && visible(parentId)) push(rolledChildren, parentId, id);
    return finalizeUnit(acc, currency);
  };
  let units: Map<string, UnitMetrics>;
  if (tree.postOrder.length === state.tree.postOrder.length && (tree === state.tree || reshaped)) {
    // The same units are visible: the state's figures with the rolled-up units replaced, deepest first.
    units = new Map(state.metrics.units);
    const depth = new Map<string, number>();
    const depthOf = (id: string): number => {
      let d = depth.get(id);
      if (d === undefined) {
        const parentId = target.orgUnits.get(id)?.parentId;
        d = parentId && visible(parentId) ? depthOf(parentId) + 1 : 0;
        depth.set(id, d);
      }
      return d;
    };
    const deepestFirst = [...rollUp].map((id) => ({ id, depth: depthOf(id) })).sort((x, y) => y.depth - x.depth);
    for (const { id } of deepestFirst) units.set(id, rollUpUnit(id));
  } else {
    units = new Map();
    for (const id of tree.postOrder) units.set(id, rollUp.has(id) ? rollUpUnit(id) : state.metrics.units.get(id)!);
  }
  const total = newUnitAcc();
  for (const id of tree.roots) mergeUnitAccInto(total, rolled.get(id) ?? state.rolled.get(id)!);
  mergeUnitAccInto(total, unassigned);
  const unassignedMetrics = unassigned === state.unassigned ? state.metrics.unassigned : finalizeUnit(unassigned, currency);
  return { asOf, currency, units, unassigned: unassignedMetrics, total: finalizeUnit(total, currency), reportingCycles: 0, placementChecks };
}

/**
 * The state's tree with `changedUnits` applied when that is simple: undefined when no change touches the tree
 * (renames), the tree with the moves when every moved unit and its new parent were visible (so visibility cannot
 * change), null when the tree must be built again (units created, removed, dated or moved otherwise).
 */
function reshapedTree(state: MetricsState, target: OrgGraph, changedUnits: ReadonlySet<string>): UnitTree | null | undefined {
  const moves = movesOf(state, target, changedUnits);
  if (moves === null) return null;
  if (!moves.length) return undefined;
  for (const { id } of moves) {
    // A move may not close a cycle (the engine refuses them, but the overlay could hold one): then build again.
    for (let at: string | null | undefined = target.orgUnits.get(id)?.parentId, hops = 0; at; at = target.orgUnits.get(at)?.parentId, hops++) {
      if (at === id || hops > state.own.size) return null;
    }
  }
  const children = new Map(state.tree.children);
  for (const { id, from, to } of moves) {
    children.set(from, (children.get(from) ?? []).filter((child) => child !== id));
    children.set(to, [...(children.get(to) ?? []), id]);
  }
  const postOrder: string[] = [];
  const stack: { id: string; expanded: boolean }[] = state.tree.roots.map((id) => ({ id, expanded: false })).reverse();
  while (stack.length) {
    const top = stack.pop()!;
    if (top.expanded) {
      postOrder.push(top.id);
      continue;
    }
    stack.push({ id: top.id, expanded: true });
    const kids = children.get(top.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i]!, expanded: false });
  }
  return { roots: state.tree.roots, children, postOrder };
}

/**
 * The reporting structure as `addHomedActor` reads it, for one actor at a time (`set` before each call): so the
 * figures of an actor already at hand are added by the one function that adds them, without map look-ups.
 * Only used without reporting cycles.
 */
class OneActorReporting {
  private reports = 0;
  private layer = 1;
  private readonly structure = {
    managerOf: new Map<string, string>(),
    directReports: { get: () => this.reports },
    layerOf: { get: () => this.layer },
    cycleRoots: { has: () => false },
    lineOf: new Map(),
    contested: new Map(),
  } as unknown as ReportingStructure;

  set(reports: number, layer: number): ReportingStructure {
    this.reports = reports;
    this.layer = layer;
    return this.structure;
  }
}

/** The parent changes among `changedUnits`, or null when a change is more than a move among visible units. */
function movesOf(state: MetricsState, target: OrgGraph, changedUnits: ReadonlySet<string>): { id: string; from: string; to: string }[] | null {
  const moves: { id: string; from: string; to: string }[] = [];
  for (const id of changedUnits) {
    const before = state.graph.orgUnits.get(id);
    const after = target.orgUnits.get(id);
    if (!before || !after || before.validFrom !== after.validFrom || before.validTo !== after.validTo) return null;
    if (before.parentId === after.parentId) continue;
    if (!state.own.has(id) || !before.parentId || !after.parentId || !state.own.has(after.parentId)) return null;
    moves.push({ id, from: before.parentId, to: after.parentId });
  }
  return moves;
}

/**
 * `acc` with the totals `out` (a part of what it holds) replaced by `add`, or null when that cannot be told from
 * totals alone: `out` held the lowest or highest layer and `add` does not reach it, or an unconvertible currency.
 * Sums are updated by subtraction and addition (floating-point noise far below the rounding of outputs).
 */
function replacePart(acc: UnitAcc, out: UnitAcc | undefined, add: UnitAcc | undefined): UnitAcc | null {
  const o = out ?? newUnitAcc();
  const a = add ?? newUnitAcc();
  if (o.money.unconvertible.size || o.vacantMoney.unconvertible.size) return null;
  // `out` is part of `acc`, so its lowest layer is never below acc's: equal means it may have held it.
  if (o.minLayer <= acc.minLayer && a.minLayer > acc.minLayer) return null;
  if (o.maxLayer >= acc.maxLayer && a.maxLayer < acc.maxLayer) return null;
  const minLayer = Math.min(acc.minLayer, a.minLayer);
  const maxLayer = Math.max(acc.maxLayer, a.maxLayer);
  const spans = new Map(acc.spans);
  for (const [span, count] of o.spans) {
    const left = (spans.get(span) ?? 0) - count;
    if (left) spans.set(span, left);
    else spans.delete(span);
  }
  for (const [span, count] of a.spans) spans.set(span, (spans.get(span) ?? 0) + count);
  const unconvertible = new Set(acc.money.unconvertible);
  for (const code of a.money.unconvertible) unconvertible.add(code);
  const vacantOut = new Set(acc.vacantMoney.unconvertible);
  for (const code of a.vacantMoney.unconvertible) vacantOut.add(code);
  // Every field by name: a field added to UnitAcc without a line here does not compile.
  return {
    headcount: acc.headcount - o.headcount + a.headcount,
    robots: acc.robots - o.robots + a.robots,
    agents: acc.agents - o.agents + a.agents,
    fte: acc.fte - o.fte + a.fte,
    effectiveFte: acc.effectiveFte - o.effectiveFte + a.effectiveFte,
    budgeted: acc.budgeted - o.budgeted + a.budgeted,
    filled: acc.filled - o.filled + a.filled,
    spans,
    minLayer,
    maxLayer,
    humanManagers: acc.humanManagers - o.humanManagers + a.humanManagers,
    humanIcs: acc.humanIcs - o.humanIcs + a.humanIcs,
    cycles: acc.cycles - o.cycles + a.cycles,
    money: { amount: acc.money.amount - o.money.amount + a.money.amount, parts: acc.money.parts - o.money.parts + a.money.parts, unconvertible },
    withoutCompensation: acc.withoutCompensation - o.withoutCompensation + a.withoutCompensation,
    vacantMoney: {
      amount: acc.vacantMoney.amount - o.vacantMoney.amount + a.vacantMoney.amount,
      parts: acc.vacantMoney.parts - o.vacantMoney.parts + a.vacantMoney.parts,
      unconvertible: vacantOut,
    },
  };
}

/** The totals of every seat of `target` in effect with no budgeted team, counted afresh. */
function countUnassigned(target: OrgGraph, asOf: string, cost: MetricsState['cost'], filledNow: (id: string) => boolean): UnitAcc {
  const acc = newUnitAcc();
  for (const position of target.positions.values()) {
    if (position.orgUnitId === null && inEffect(position, asOf)) addPosition(acc, filledNow(position.id), position, cost);
  }
  return acc;
}

/** Manager → direct reports of the state's reporting structure, built once per state. */
function reportsIndex(state: MetricsState): Map<string, string[]> {
  if (!state.reportsOf) {
    const index = new Map<string, string[]>();
    for (const [actorId, managerId] of state.reporting.managerOf) push(index, managerId, actorId);
    state.reportsOf = index;
  }
  return state.reportsOf;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
