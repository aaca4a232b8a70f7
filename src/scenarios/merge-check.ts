import type { ServiceContext } from '../context.js';
import { Conflict } from '../errors.js';
import { inEffect, today } from '../org/dates.js';
import { ENTITY_TYPES } from '../org/family-names.js';
import type { Actor, Dated, Family, OrgGraph } from '../org/types.js';
import { counted, quoted } from '../util/words.js';
import { chainChanges } from './chain.js';
import { labelOf } from './delta.js';
import { onOrAfter } from './ops/dated.js';
import { endsBefore } from './ops/ends-before.js';
import { cycleProblem, emailHolder, emailKey, reportingCycle } from './ops/people.js';
import { fillsInItsUnit } from './ops/positions.js';
import { combinedAllocation, placementInUnit } from './ops/same-unit-placement.js';
import { siblingNamed, siblingProblem, unitCycle } from './ops/structure.js';
import { applyOverlay, derivationOf, type ScenarioChange } from './overlay.js';
import type { Scenario } from './store.js';
import { WorkingGraph } from './working-graph.js';

/**
 * A scenario's graph is Live now with the scenario's changes on top (SPEC §6): fields it did not change follow Live.
 * Changes to different records or fields on the two sides meet no field conflict, yet together they may make a Live
 * neither side could have made alone — a reporting or org-unit cycle, two active sibling units with one name, two
 * active people with one email, a placement, line or pay pointing at a unit, person or position no longer active, or
 * outlasting one whose end is planned for a later day (`ends_before`), a second primary placement, a person placed twice
 * in one unit (`placed_in_unit_already`), a position filled twice or from a unit other than the one it is budgeted in. Promotion
 * re-checks the merged graph with the rules of the change commands (ops/) around what the promotion writes, and each
 * problem it would bring into Live is a conflict of its own (`invalid_after_merge`) that a person resolves by changing
 * the scenario — not by choosing a side, which cannot undo a created record.
 */
export type MergeProblem = {
  family: string;
  id: string;
  label: string | null;
  field: string;
  reason: 'invalid_after_merge';
  /** What is wrong, in words: "points at the org unit “Tiger Team”, which is not active on 2026-11-30". */
  problem: string;
};

type Ref = { family: Family; recordId: string };

/** A record of each family checked, as a problem says it (“this placement would run on past it”). */
const WHAT: Partial<Record<Family, string>> = {
  orgUnits: 'org unit',
  placements: 'placement',
  positions: 'position',
  reportingLines: 'reporting line',
  compensations: 'pay',
};

/**
 * The problems the merged graph has around the `changes` a promotion writes (their records and the records pointing
 * at them) that neither Live now nor the scenario as it was made (its changes on the Live it was started from) has:
 * only what the merge brings in — never old data, nor a state the change commands let the scenario make.
 * `showActors` false names people by an id prefix, as the pages do without `actors.read`.
 */
export function mergeProblems(
  graphs: { live: OrgGraph; asMade: OrgGraph; merged: OrgGraph },
  changes: readonly Ref[],
  day: string,
  showActors = true,
): MergeProblem[] {
  const changed = new Set(changes.map((c) => `${c.family}:${c.recordId}`));
  const scope = scopeOf(new WorkingGraph(graphs.merged, day), changes);
  const found = problemsIn(graphs.merged, scope, changed, day, showActors, [graphs.live, graphs.asMade]);
  if (!found.length) return [];
  // Live's and the scenario's own problems matter only where the merged graph has one. A record's problems depend on
  // the records before it in the scope (a pair is reported once, by the first), so the scope up to the last record
  // with a problem gives them exactly as the whole scope would — usually there is none, and nothing more is checked.
  const recordKey = (family: string, id: string) => `${family}:${id}`;
  const withProblem = new Set(found.map((p) => recordKey(p.family, p.id)));
  let last = scope.length - 1;
  while (last > 0 && !withProblem.has(recordKey(ENTITY_TYPES[scope[last]!.family], scope[last]!.recordId))) last--;
  const prefix = scope.slice(0, last + 1);
  const key = (p: MergeProblem) => `${p.family}:${p.id}:${p.field}`;
  const known = new Set([graphs.live, graphs.asMade].flatMap((g) => problemsIn(g, prefix, changed, day, showActors, []).map(key)));
  return found.filter((p) => !known.has(key(p)));
}

/**
 * What promoting the scenario would bring into Live that the engine refuses (see `mergeProblems`): none while Live
 * is where the scenario was started from. `merged` and `chain` when the caller has them (the promotion task).
 */
export async function promotionProblems(
  ctx: ServiceContext,
  scenario: Scenario,
  options: { showActors?: boolean; live?: { graph: OrgGraph; version: number }; merged?: OrgGraph; chain?: ScenarioChange[]; asMade?: OrgGraph } = {},
): Promise<MergeProblem[]> {
  const live = options.live ?? (await ctx.graphs.live(ctx.tenant.id));
  if (live.version === scenario.liveVersion) return [];
  const merged = options.merged ?? (await ctx.graphs.scenario(scenario));
  const showActors = options.showActors ?? true;
  const day = today();
  // The same merged graph (one revision of the scenario, its chain included) against the same Live gives the same
  // problems: remembered, so re-reading a delta does not pay for the check again.
  const key = `${live.version}|${day}|${showActors}`;
  const known = problemsOfMerged.get(merged)?.get(key);
  if (known && !options.chain && !options.asMade) return known;
  const chain = options.chain ?? (await chainChanges(ctx, scenario));
  if (!chain.length) return [];
  const asMade = options.asMade ?? (await scenarioAsMade(ctx, scenario, chain));
  const problems = mergeProblems({ live: live.graph, asMade, merged }, chain, day, showActors);
  if (!options.chain && !options.asMade) {
    const byKey = problemsOfMerged.get(merged) ?? new Map<string, MergeProblem[]>();
    problemsOfMerged.set(merged, byKey.set(key, problems));
  }
  return problems;
}

/** `promotionProblems` by the merged graph (a scenario revision as the graph store holds it) and Live version. */
const problemsOfMerged = new WeakMap<OrgGraph, Map<string, MergeProblem[]>>();

/**
 * The scenario as its changes were made: they and those it builds on (nearest last) on the Live it was started from.
 * Taken before "take the source's value" choices are folded in — a choice can itself combine into an invalid state.
 */
export async function scenarioAsMade(ctx: ServiceContext, scenario: Scenario, chain?: ScenarioChange[]): Promise<OrgGraph> {
  const changes = chain ?? (await chainChanges(ctx, scenario));
  return applyOverlay(await ctx.graphs.atVersion(ctx.tenant.id, scenario.liveVersion), [...changes].reverse());
}

/** Promotion refused for what the merge would bring into Live: a 409 listing each problem as a conflict; nothing done. */
export function mergeConflict(problems: readonly MergeProblem[]): Conflict {
  return new Conflict(
    `${counted(problems.length, 'change')} would leave Live invalid once combined with what Live changed since the scenario was created; nothing was promoted.`,
    'Change the scenario so that each problem listed in conflicts is gone — the scenario shows Live’s changes already — then promote again. Choosing a side does not resolve these.',
    { conflicts: problems },
  );
}

/**
 * The changed records, and the records of the merged graph that point at a changed unit, person or position (each
 * changed record followed by those pointing at it). The look-ups are made together, one per family (`whereAny`).
 */
function scopeOf(wg: WorkingGraph, changes: readonly Ref[]): Ref[] {
  const idsOf = (family: Family) => new Set(changes.filter((c) => c.family === family).map((c) => c.recordId));
  const units = idsOf('orgUnits');
  const actors = idsOf('actors');
  const positions = idsOf('positions');
  const placements = wg.whereAny('placements', { orgUnitId: units, actorId: actors, positionId: positions });
  const positionsIn = wg.whereAny('positions', { orgUnitId: units }).get('orgUnitId');
  const children = wg.whereAny('orgUnits', { parentId: units }).get('parentId');
  const lines = wg.whereAny('reportingLines', { actorId: actors, managerId: actors });
  const pay = wg.whereAny('compensations', { actorId: actors }).get('actorId');
  const led = wg.whereAny('departments', { leadActorId: actors }).get('leadActorId');
  const scope = new Map<string, Ref>();
  const add = (family: Family, recordId: string) => scope.set(`${family}:${recordId}`, { family, recordId });
  const addAll = (family: Family, records: readonly { id: string }[] | undefined) => {
    for (const record of records ?? []) add(family, record.id);
  };
  for (const { family, recordId } of changes) {
    add(family, recordId);
    if (family === 'orgUnits') {
      addAll('placements', placements.get('orgUnitId')?.get(recordId));
      addAll('positions', positionsIn?.get(recordId));
      addAll('orgUnits', children?.get(recordId));
    } else if (family === 'actors') {
      addAll('placements', placements.get('actorId')?.get(recordId));
      addAll('reportingLines', lines.get('actorId')?.get(recordId));
      addAll('reportingLines', lines.get('managerId')?.get(recordId));
      addAll('compensations', pay?.get(recordId));
      for (const department of led?.get(recordId) ?? []) add('departments', department.orgUnitId);
    } else if (family === 'positions') {
      addAll('placements', placements.get('positionId')?.get(recordId));
    }
  }
  return [...scope.values()];
}

/**
 * A department (of a unit active from the day on) led by someone not active on the day — one side made them the lead
 * (update_department), the other deactivated them — as update_department refuses such a lead.
 */
function leadProblem(graph: OrgGraph, unitId: string, day: string, actorName: (id: string) => string): string | null {
  const department = graph.departments.get(unitId);
  const unit = graph.orgUnits.get(unitId);
  if (!department?.leadActorId || !unit || !onOrAfter(unit, day)) return null;
  const lead = graph.actors.get(department.leadActorId);
  if (lead && inEffect(lead, day)) return null;
  return (
    `is led by ${actorName(department.leadActorId)}, who ${lead ? `is not active on ${day}` : 'would no longer exist'}: ` +
    'in the scenario, give the department another lead or none (update_department)'
  );
}

function problemsIn(graph: OrgGraph, scope: readonly Ref[], changed: ReadonlySet<string>, day: string, showActors: boolean, names: readonly OrgGraph[]): MergeProblem[] {
  const wg = new WorkingGraph(graph, day);
  const problems: MergeProblem[] = [];
  const pairs = new Set<string>();
  // Named by the graph checked, else by the others (a record removed since is named where it still is).
  const named = <T>(pick: (g: OrgGraph) => T | undefined, id: string) => quoted(String([graph, ...names].map(pick).find((n) => n != null) ?? id));
  const actorName = (id: string) => (showActors ? named((g) => g.actors.get(id)?.displayName, id) : `#${id.slice(0, 8)}`);
  const unitName = (id: string) => named((g) => g.orgUnits.get(id)?.name, id);
  const positionName = (id: string) => named((g) => g.positions.get(id)?.title, id);
  let sharers: ((actor: Actor) => boolean) | undefined;
  for (const { family, recordId } of scope) {
    if (family === 'departments') {
      const lead = leadProblem(graph, recordId, day, actorName);
      if (lead) problems.push({ family: ENTITY_TYPES.departments, id: recordId, label: labelOf({ orgUnitId: recordId }, [graph, ...names], showActors), field: 'lead_actor_id', reason: 'invalid_after_merge', problem: lead });
      continue;
    }
    const record = (graph[family] as unknown as Map<string, Dated & Record<string, unknown>>).get(recordId);
    // Removed, or over before the day: nothing of it is in Live from now on.
    if (!record || !('validTo' in record) || !onOrAfter(record, day)) continue;
    const start = record.validFrom !== null && record.validFrom > day ? record.validFrom : day;
    const isChanged = changed.has(`${family}:${recordId}`);
    const report = (field: string, problem: string) =>
      problems.push({ family: ENTITY_TYPES[family], id: recordId, label: labelOf(record, [graph, ...names], showActors), field, reason: 'invalid_after_merge', problem });
    /**
     * The record it points at must be active while it is (as a change command requires it active on its day; a unit
     * closed or a person deactivated takes what points at them along, so `whole` asks for the whole span — the
     * change commands' `ends_before` rule: nothing put in a unit, under a manager or into a seat outlasts it).
     */
    const pointsAt = (field: string, target: Family, id: string, what: string, name: (id: string) => string, whole = true): boolean => {
      const other = (graph[target] as Map<string, Dated>).get(id);
      const off = !other ? start : !inEffect(other, start) ? start : whole && endsBefore(other.validTo, record.validTo) ? other.validTo : null;
      if (off === null) return true;
      const why = !other ? 'would no longer exist' : off === start ? `is not active on ${off}` : `${target === 'actors' ? 'leaves' : 'closes'} on ${off} while this ${WHAT[family] ?? 'record'} would run on past it`;
      report(field, `points at ${what} ${name(id)}, which ${why}`);
      return false;
    };
    /** Once per pair of records that may not overlap: whether `other` is in effect on a day `record` is (from the day on). */
    const overlaps = (other: Dated & { id: string }) => {
      if (other.id === recordId || !onOrAfter(other, day)) return false;
      const otherStart = other.validFrom !== null && other.validFrom > day ? other.validFrom : day;
      const meet = (other.validTo === null || start < other.validTo) && (record.validTo === null || otherStart < record.validTo);
      const pair = [recordId, other.id].sort().join(':');
      if (!meet || pairs.has(pair)) return false;
      pairs.add(pair);
      return true;
    };
    switch (family) {
      case 'orgUnits': {
        const unit = graph.orgUnits.get(recordId)!;
        if (!unit.parentId || !pointsAt('parent_id', 'orgUnits', unit.parentId, 'the parent unit', unitName)) break;
        if (!isChanged) break;
        const cycle = unitCycle(wg, unit.id, unit.parentId);
        if (cycle) report('parent_id', `would put the org unit under itself (a cycle): ${[unit, ...cycle].map((u) => quoted(u.name)).join(' → ')}`);
        const clash = siblingNamed(wg, unit.parentId, unit.name, start, unit.id);
        if (clash && !pairs.has([unit.id, clash.id].sort().join(':'))) {
          pairs.add([unit.id, clash.id].sort().join(':'));
          report('name', siblingProblem(graph.orgUnits.get(unit.parentId)!, clash));
        }
        break;
      }
      case 'placements': {
        const placement = graph.placements.get(recordId)!;
        pointsAt('actor_id', 'actors', placement.actorId, 'the person', actorName);
        pointsAt('org_unit_id', 'orgUnits', placement.orgUnitId, 'the org unit', unitName);
        if (placement.positionId && pointsAt('position_id', 'positions', placement.positionId, 'the position', positionName)) {
          const other = wg.where('placements', 'positionId', placement.positionId).find(overlaps);
          if (other) report('position_id', `the position ${positionName(placement.positionId)} is filled by ${actorName(other.actorId)} already from ${other.validFrom ?? start}: one placement fills a position`);
          // One side moved the seat to another unit, the other filled it where it was (or the other way round).
          const seat = graph.positions.get(placement.positionId)!;
          if (!fillsInItsUnit(seat, placement)) {
            const budgeted = seat.orgUnitId ? unitName(seat.orgUnitId) : null;
            report(
              'position_id',
              `fills the position ${positionName(seat.id)} (${seat.id}) from ${unitName(placement.orgUnitId)}, where this placement (${placement.id}) is, ` +
                `while the position would be budgeted ${budgeted ? `in ${budgeted}` : 'in no unit'}: a position is filled only in the unit where it is budgeted — ` +
                `in the scenario, budget the position in ${unitName(placement.orgUnitId)} again (update_position)${budgeted ? `, or move the placement to ${budgeted} (move_placement)` : ''}`,
            );
          }
        }
        // One side placed (or moved) the person into a unit where the other placed them too: counted there twice.
        if (isChanged) {
          const pairOf = (p: { id: string }) => [recordId, p.id].sort().join(':');
          const others = wg.where('placements', 'actorId', placement.actorId).filter((p) => p.id !== recordId && !pairs.has(pairOf(p)));
          const there = placementInUnit(others, placement.actorId, placement.orgUnitId, start, placement.validTo);
          if (there) {
            pairs.add(pairOf(there));
            const since = there.validFrom !== null && there.validFrom > start ? `, from ${there.validFrom}` : '';
            const combined = combinedAllocation(placement, there);
            report(
              'org_unit_id',
              `${actorName(placement.actorId)} would be placed in ${unitName(placement.orgUnitId)} twice at the same time — this placement (${placement.id}, ` +
                `${placement.allocationPct} %) and placement ${there.id} (${there.allocationPct} %${since}) — counting them there twice: one placement per person and org unit — ` +
                `in the scenario, end one of them (end_placement) and give the other the combined allocation (set_allocation, ${combined} %), or move one elsewhere (move_placement)`,
            );
          }
        }
        if (placement.isPrimary) {
          const other = wg.where('placements', 'actorId', placement.actorId).find((p) => p.isPrimary && overlaps(p));
          if (other) report('is_primary', `${actorName(placement.actorId)} would have a second primary placement (in ${unitName(other.orgUnitId)}) at the same time: a person has one`);
        }
        break;
      }
      case 'reportingLines': {
        const line = graph.reportingLines.get(recordId)!;
        const valid = pointsAt('actor_id', 'actors', line.actorId, 'the person', actorName) && pointsAt('manager_id', 'actors', line.managerId, 'the manager', actorName);
        const cycle = valid && isChanged ? reportingCycle(wg, line.actorId, line.managerId, start, line.validTo) : null;
        if (cycle) report('manager_id', cycleProblem(wg, cycle, start, actorName));
        break;
      }
      case 'positions': {
        const unitId = graph.positions.get(recordId)!.orgUnitId;
        if (unitId) pointsAt('org_unit_id', 'orgUnits', unitId, 'the org unit', unitName);
        break;
      }
      case 'actors': {
        // One side gave the person an email the other gave someone else (an import, a hire): one email, one person.
        const actor = graph.actors.get(recordId)!;
        const shared = isChanged && actor.email && (sharers ??= emailSharers(graph, scope, changed))(actor);
        const holder = shared ? emailHolder(wg, actor.email!, actor, day, actor.id) : undefined;
        if (holder && !pairs.has([recordId, holder.id].sort().join(':'))) {
          pairs.add([recordId, holder.id].sort().join(':'));
          report('email', `has the email ${actorName(holder.id)} (${holder.id}) has too, at the same time: one email is one person — in the scenario, give this actor another email or none (update_actor)`);
        }
        break;
      }
      case 'compensations':
        // Pay may not start after its person left. It may outlive them here: deactivate_actor ends a leaver's pay, but
        // pay Live holds open past a leaving day (imported so) is not the scenario's to fix, and would block promotion.
        pointsAt('actor_id', 'actors', graph.compensations.get(recordId)!.actorId, 'the person', actorName, false);
        break;
    }
  }
  return problems;
}

/**
 * Whether anyone else in `graph` has the email of one of the `scope`'s changed actors (ignoring case and surrounding
 * spaces), on any day: `emailHolder` then says whether they hold it at the same time. Usually nobody has, and then
 * `emailHolder` (which indexes every actor of the graph by email) is not needed. Found in one pass over the root's
 * actors (a plain Map: the graph loaded from the database that `graph` overlays) for those few emails, plus the
 * actors changed since the root, whose current record counts instead.
 */
function emailSharers(graph: OrgGraph, scope: readonly Ref[], changedInScope: ReadonlySet<string>): (actor: Actor) => boolean {
  const derivation = derivationOf(graph);
  const rootActors = derivation?.root.actors ?? graph.actors;
  const changed = derivation?.changed.actors ?? new Set<string>();
  const wanted = new Set<string>();
  for (const { family, recordId } of scope) {
    if (family !== 'actors' || !changedInScope.has(`actors:${recordId}`)) continue;
    const email = graph.actors.get(recordId)?.email;
    if (email) wanted.add(emailKey(email));
  }
  const holders = new Map<string, string[]>();
  const note = (key: string, id: string) => {
    const ids = holders.get(key);
    if (ids) ids.push(id);
    else holders.set(key, [id]);
  };
  if (wanted.size) {
    for (const actor of rootActors.values()) {
      if (!actor.email || changed.has(actor.id)) continue;
      const key = emailKey(actor.email);
      if (wanted.has(key)) note(key, actor.id);
    }
    // A root actor changed since has the email its current record has, not its root one.
    for (const id of changed) {
      const email = graph.actors.get(id)?.email;
      if (!email) continue;
      const key = emailKey(email);
      if (wanted.has(key)) note(key, id);
    }
  }
  return (actor) => holders.get(emailKey(actor.email ?? ''))?.some((id) => id !== actor.id) ?? false;
}
