import { InvalidInput } from '../../errors.js';
import { inEffect } from '../../org/dates.js';
import { ACTOR_KINDS, type Actor, type Dated, type Placement, type ReportingLine } from '../../org/types.js';
import {
  checkAllocation,
  checkFte,
  fieldOf,
  optionalId,
  requiredNumber,
  requiredString,
  type OpContext,
} from './context.js';
import { changeFromDay, earlier, endFromDay, endOnDay, nextStartAfter, predecessorOf, onOrAfter, plannedContinuations, requirePlacement, requireUndated } from './dated.js';
import { fillablePosition, fillsInItsUnit } from './positions.js';
import { counted, quoted } from '../../util/words.js';
import type { WorkingGraph } from '../working-graph.js';
import { refused } from './refusals.js';
import { refuseManagerLeavingBefore, refuseUnitClosingBefore } from './ends-before.js';
import { refuseMoveOntoPlacementInUnit } from './same-unit-placement.js';
import { OP_FIELD_LISTS } from '../op-fields.js';
import { oneOf } from '../../util/choice.js';

/** Actor, reporting-line and placement commands. Reporting lines never form a cycle; actors keep one primary. */

function currentLine(ctx: OpContext, actorId: string): ReportingLine | undefined {
  return ctx.wg.where('reportingLines', 'actorId', actorId).find((l) => inEffect(l, ctx.day));
}

function activePlacements(ctx: OpContext, actorId: string): Placement[] {
  return ctx.wg.where('placements', 'actorId', actorId).filter((p) => inEffect(p, ctx.day));
}

/**
 * Changes the actor's manager from the command's day (`date`, default today): the line in effect that day ends
 * there and a new one starts (a line that itself starts that day is changed in place). Refused when it would make a
 * reporting cycle on that day or any later day (see `checkNoCycle`).
 */
export function setManager(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const managerId = optionalId(ctx, 'manager_id');
  const line = currentLine(ctx, actor.id);
  if (!managerId) {
    if (line) endOnDay(ctx, 'reportingLines', line);
    return;
  }
  const manager = ctx.wg.requireActive('actors', managerId, fieldOf(ctx, 'manager_id'), 'actor', ctx.day);
  if (line?.managerId === manager.id) return;
  // The new line runs until the current one would have ended, or (no current line) until the actor's next line —
  // or until the actor leaves (a deactivation planned for a later day), whichever comes first.
  const until = line ? line.validTo : earlier(nextStartAfter(ctx.wg.where('reportingLines', 'actorId', actor.id), ctx.day), actor.validTo);
  refuseManagerLeavingBefore(ctx, manager, until);
  checkNoCycle(ctx, actor.id, manager.id, until);
  if (line) {
    changeFromDay(ctx, 'reportingLines', line, { managerId: manager.id });
    return;
  }
  const id = ctx.newId();
  ctx.wg.create('reportingLines', { id, actorId: actor.id, managerId: manager.id, validFrom: ctx.day, validTo: until });
  ctx.created.push({ family: 'reporting_lines', id });
}

/**
 * Refuses `actorId → managerId` from the command's day until `until` (exclusive; null: open) if the manager's chain
 * reaches the actor on any day of that span (see `reportingCycle`).
 */
function checkNoCycle(ctx: OpContext, actorId: string, managerId: string, until: string | null): void {
  const cycle = reportingCycle(ctx.wg, actorId, managerId, ctx.day, until);
  if (cycle) throw new InvalidInput(fieldOf(ctx, 'manager_id'), cycleProblem(ctx.wg, cycle, ctx.day));
}

/** A reporting cycle: the actors in it, from the one who would report to themselves back to them, and its first day. */
export interface ReportingCycle {
  chain: string[];
  day: string;
}

/**
 * Whether `actorId → managerId`, from `from` until `until` (exclusive; null: open), closes a loop: the manager's
 * chain reaches the actor on some day of that span. The chain only changes on a day where a line of someone in it
 * starts or ends, so it is walked on the first day and again on each such day found (as of the chains walked so far).
 * One rule for a manager change and for a promotion's merged Live (merge-check.ts).
 */
export function reportingCycle(wg: WorkingGraph, actorId: string, managerId: string, from: string, until: string | null): ReportingCycle | null {
  const days = [from];
  const queued = new Set(days);
  const consider = (day: string | null) => {
    if (day === null || day <= from || (until !== null && day >= until) || queued.has(day)) return;
    queued.add(day);
    days.push(day);
  };
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    const seen = new Set<string>();
    for (let at: string | undefined = managerId; at && !seen.has(at); ) {
      if (at === actorId) return { chain: [actorId, ...seen, actorId], day };
      seen.add(at);
      let next: string | undefined;
      for (const l of wg.where('reportingLines', 'actorId', at)) {
        consider(l.validFrom);
        consider(l.validTo);
        if (inEffect(l, day)) next = l.managerId;
      }
      at = next;
    }
  }
  return null;
}

/** Who closes the loop, by name: would make the actor report to themselves through “Ann” → “Bo” → “Ann” (a cycle). */
export function cycleProblem(wg: WorkingGraph, cycle: ReportingCycle, from: string, name = (id: string) => quoted(wg.get('actors', id)?.displayName ?? id)): string {
  const when = cycle.day === from ? '' : ` from ${cycle.day}`;
  return `would make the actor report to themselves through the chain ${cycle.chain.map(name).join(' → ')} (a cycle${when})`;
}

/**
 * A placement of an active actor in an org unit from the command's day. It runs until the actor leaves (a
 * deactivation already planned for a later day ends it then, as deactivate_actor ends their placements), and neither
 * it nor the position it fills may outlast its unit or that seat (`ends_before`).
 */
export function addPlacement(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  const until = actor.validTo;
  refuseUnitClosingBefore(ctx, 'org_unit_id', unit, 'placement', until);
  const isPrimary = ctx.command.is_primary ?? false;
  const primary = isPrimary ? activePlacements(ctx, actor.id).find((p) => p.isPrimary) : undefined;
  if (primary) {
    throw refused(fieldOf(ctx, 'is_primary'), 'the actor already has a primary placement; use move_placement to move it', {
      reason: 'has_primary_placement',
      placement_id: primary.id,
      suggested_op: 'move_placement',
    });
  }
  const positionId = optionalId(ctx, 'position_id');
  if (positionId) fillablePosition(ctx, positionId, unit.id, until);
  const id = ctx.newId();
  ctx.wg.create('placements', {
    id,
    actorId: actor.id,
    orgUnitId: unit.id,
    positionId,
    isPrimary,
    allocationPct: checkAllocation(ctx, requiredNumber(ctx, 'allocation_pct')),
    validFrom: ctx.day,
    validTo: until,
  });
  ctx.created.push({ family: 'placements', id });
}

/**
 * Moves a placement to another org unit from the command's day (`date`, default today): the placement in effect
 * that day ends there and a new one (new id, in `created`; same actor, primary flag and allocation) starts in the
 * new unit — see `changeFromDay`. A position it filled stays where it is budgeted: when that is another unit, the
 * seat is left vacant from the day (a position is filled only from its own unit). The same unit changes nothing.
 */
export function movePlacement(ctx: OpContext): void {
  const placement = requirePlacement(ctx, 'placement_id', requiredString(ctx, 'placement_id'));
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  if (placement.orgUnitId === unit.id) return;
  refuseUnitClosingBefore(ctx, 'org_unit_id', unit, 'placement', placement.validTo);
  refuseMoveOntoPlacementInUnit(ctx, placement, unit.id);
  const seat = placement.positionId ? ctx.wg.get('positions', placement.positionId) : undefined;
  const leavesSeat = Boolean(placement.positionId) && !(seat && fillsInItsUnit(seat, { orgUnitId: unit.id }));
  const backToSeat = seatMovedBackTo(ctx, placement, unit.id);
  changeFromDay(ctx, 'placements', placement, { orgUnitId: unit.id, ...(leavesSeat ? { positionId: null } : backToSeat ? { positionId: backToSeat } : {}) });
}

/**
 * A move undone on the day it took effect (moved out of the seat's unit, then back the same day): the seat the
 * placement left that day is taken up again, as if it had never moved — still open and nobody else in it that day —
 * so undoing a move leaves no vacancy behind (and the placement whole again: see `changeFromDay`).
 */
function seatMovedBackTo(ctx: OpContext, placement: Placement, orgUnitId: string): string | null {
  if (placement.validFrom !== ctx.day || placement.positionId !== null) return null;
  const left = predecessorOf(ctx, 'placements', placement)?.positionId;
  const seat = left ? ctx.wg.get('positions', left) : undefined;
  if (!seat || !inEffect(seat, ctx.day) || !fillsInItsUnit(seat, { orgUnitId })) return null;
  const taken = ctx.wg.where('placements', 'positionId', seat.id).some((p) => p.id !== placement.id && inEffect(p, ctx.day));
  return taken ? null : seat.id;
}

/** Changes a placement's allocation from the command's day, like `movePlacement`. The same allocation changes nothing. */
export function setAllocation(ctx: OpContext): void {
  const placement = requirePlacement(ctx, 'placement_id', requiredString(ctx, 'placement_id'));
  const allocationPct = checkAllocation(ctx, requiredNumber(ctx, 'allocation_pct'));
  if (placement.allocationPct === allocationPct) return;
  changeFromDay(ctx, 'placements', placement, { allocationPct });
}

export function endPlacement(ctx: OpContext): void {
  const placement = requirePlacement(ctx, 'placement_id', requiredString(ctx, 'placement_id'));
  if (placement.isPrimary) {
    throw new InvalidInput(fieldOf(ctx, 'placement_id'), 'is the actor’s primary placement; make another of their placements primary first (set_primary_placement), move it, or deactivate the actor');
  }
  // Changes planned for the placement after the day (a later move or allocation) are cancelled with it.
  endFromDay(ctx, 'placements', placement, plannedContinuations(ctx, placement));
}

/**
 * Makes a secondary placement the actor's primary from the command's day (`date`, default today), and their current
 * primary secondary on the same day, so they keep exactly one (SPEC §6). Effective-dated like `movePlacement`: each
 * of the two placements ends on the day and a new one (new id, in `created`) continues it with the flag flipped —
 * same unit, allocation and position — so reads as of earlier days keep the old primary. Changes already planned
 * for either placement after the day (a later move or allocation) keep the new flag. Refused for a placement that is
 * the primary already (`already_primary`), not active on the day, or of an actor who is not.
 */
export function setPrimaryPlacement(ctx: OpContext): void {
  const placement = requirePlacement(ctx, 'placement_id', requiredString(ctx, 'placement_id'));
  ctx.wg.requireActive('actors', placement.actorId, fieldOf(ctx, 'placement_id'), 'actor', ctx.day);
  if (placement.isPrimary) {
    throw refused(fieldOf(ctx, 'placement_id'), `is the actor’s primary placement already on ${ctx.day}`, {
      reason: 'already_primary',
      kind: 'placement',
      id: placement.id,
      day: ctx.day,
    });
  }
  const primary = activePlacements(ctx, placement.actorId).find((p) => p.isPrimary);
  // What is planned after the day is read before the splits, which end both placements on the day.
  const flips = [
    { record: placement, isPrimary: true, later: plannedContinuations(ctx, placement) },
    ...(primary ? [{ record: primary, isPrimary: false, later: plannedContinuations(ctx, primary) }] : []),
  ];
  for (const { record, isPrimary, later } of flips) {
    changeFromDay(ctx, 'placements', record, { isPrimary });
    for (const next of later) if (ctx.wg.get('placements', next.id)) ctx.wg.update('placements', next.id, { isPrimary });
  }
}

/**
 * An actor has one contracted FTE, without history: the change applies from today and a `date` is refused. `fte:
 * null` clears a robot's or agent's (SPEC §6: they may have none — one given an FTE by mistake or by an import); a
 * person needs one. Leaving `fte` out is still "required": only an explicit null clears.
 */
export function setFte(ctx: OpContext): void {
  requireUndated(ctx, 'an actor’s contracted FTE');
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  ctx.wg.update('actors', actor.id, { fte: ctx.command.fte === null ? noFteFor(ctx, actor) : checkFte(ctx, requiredNumber(ctx, 'fte')) });
}

function noFteFor(ctx: OpContext, actor: Actor): null {
  if (actor.kind === 'human') {
    throw refused(fieldOf(ctx, 'fte'), 'a person needs a contracted FTE (0.01–3.00); only a robot or agent may have none', { reason: 'required', op: ctx.command.op });
  }
  return null;
}

export function addActor(ctx: OpContext): void {
  const { command } = ctx;
  const kind = oneOf(fieldOf(ctx, 'kind'), ACTOR_KINDS, requiredString(ctx, 'kind'));
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  refuseUnitClosingBefore(ctx, 'org_unit_id', unit, 'placement', null);
  const fte = command.fte == null ? (kind === 'human' ? 1 : null) : checkFte(ctx, command.fte);
  const email = checkEmail(ctx, { validFrom: ctx.day, validTo: null });
  const id = ctx.newId();
  const actor: Actor = {
    id,
    kind,
    displayName: requiredString(ctx, 'display_name'),
    email,
    externalUid: `orgonaut-${id}`,
    sourceHris: null,
    sourceHrisId: null,
    fte,
    title: optionalText(command.title),
    level: null,
    validFrom: ctx.day,
    validTo: null,
  };
  const positionId = optionalId(ctx, 'position_id');
  if (positionId) fillablePosition(ctx, positionId, unit.id, null);
  ctx.wg.create('actors', actor);
  noteEmail(ctx.wg, id, email);
  const placementId = ctx.newId();
  ctx.wg.create('placements', { id: placementId, actorId: id, orgUnitId: unit.id, positionId, isPrimary: true, allocationPct: 100, validFrom: actor.validFrom, validTo: null });
  ctx.created.push({ family: 'actors', id }, { family: 'placements', id: placementId });
  const managerId = optionalId(ctx, 'manager_id');
  if (managerId) {
    refuseManagerLeavingBefore(ctx, ctx.wg.requireActive('actors', managerId, fieldOf(ctx, 'manager_id'), 'actor', ctx.day), null);
    const lineId = ctx.newId();
    ctx.wg.create('reportingLines', { id: lineId, actorId: id, managerId, validFrom: actor.validFrom, validTo: null });
    ctx.created.push({ family: 'reporting_lines', id: lineId });
  }
}

/** A text field that may be left empty: trimmed; blank (or null) is none. add_actor and update_actor alike. */
const optionalText = (value: string | null | undefined): string | null => value?.trim() || null;

/**
 * The command's email, as add_actor and update_actor take it: trimmed, blank (or null) is none, else an address that
 * no other actor active while this one is (`span`, from the day on) has — see `emailHolder`; `self`: the actor changed,
 * whose own address (in any case) is theirs to keep, even where data imported earlier gave it to someone else too.
 */
function checkEmail(ctx: OpContext, span: Dated, self?: Actor): string | null {
  const email = optionalText(ctx.command.email);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InvalidInput(fieldOf(ctx, 'email'), 'must be an email address');
  const kept = email !== null && self?.email != null && emailKey(self.email) === emailKey(email);
  const holder = email && !kept ? emailHolder(ctx.wg, email, span, ctx.day, self?.id) : undefined;
  if (holder) {
    const change = ctx.createdBy.get(holder.id);
    throw refused(fieldOf(ctx, 'email'), emailProblem(holder), { reason: 'email_taken', kind: 'actor', id: holder.id, ...(change === undefined ? {} : { change }) });
  }
  return email;
}

/** An email as emails are matched (as imports match a person by email): surrounding spaces and case ignored. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Per batch (its working graph): email key → the actors that had it at some point, read against their current record. */
const emailIndexes = new WeakMap<WorkingGraph, Map<string, Set<string>>>();

function actorsByEmail(wg: WorkingGraph): Map<string, Set<string>> {
  let index = emailIndexes.get(wg);
  if (!index) {
    emailIndexes.set(wg, (index = new Map()));
    for (const actor of wg.values('actors')) if (actor.email) noteEmail(wg, actor.id, actor.email);
  }
  return index;
}

/** Keeps the batch's email index current when an actor gets an email (a stale entry is read against the actor). */
function noteEmail(wg: WorkingGraph, actorId: string, email: string | null): void {
  const index = emailIndexes.get(wg);
  if (!index || !email) return;
  const key = emailKey(email);
  const ids = index.get(key);
  if (ids) ids.add(actorId);
  else index.set(key, new Set([actorId]));
}

/**
 * Another actor with `email` (ignoring case and surrounding spaces) in the organisation on some day `span` is, from
 * `day` on: one address is one person — an import matches people by it. A leaver's address may be given to someone
 * who starts after they left (deactivated actors do not hold it). One rule for the change commands and for a
 * promotion's merged Live (merge-check.ts).
 */
export function emailHolder(wg: WorkingGraph, email: string, span: Dated, day: string, self?: string): Actor | undefined {
  const start = later(span.validFrom, day);
  for (const id of actorsByEmail(wg).get(emailKey(email)) ?? []) {
    const other = wg.get('actors', id);
    if (!other?.email || id === self || emailKey(other.email) !== emailKey(email) || !onOrAfter(other, day)) continue;
    if ((other.validTo === null || other.validTo > start) && (span.validTo === null || later(other.validFrom, day) < span.validTo)) return other;
  }
  return undefined;
}

const later = (from: string | null, day: string): string => (from !== null && from > day ? from : day);

/** Why an email is refused, naming who has it already: “Ann Lee” (id) has that email already, … */
export function emailProblem(holder: Actor, name = quoted(holder.displayName)): string {
  return `${name} (${holder.id}) has that email already, and one email is one person: give another email, or change or clear theirs first (update_actor)`;
}

/**
 * Changes an actor's name, job title, email or level in place, keeping their id (their placements, lines, pay and
 * history stay theirs): "Ann becomes Staff Engineer". These fields are kept without history (one value for all
 * dates), so the change applies from today and a `date` is refused (`requireUndated`), as set_fte. The actor is in
 * effect today or planned to start later; someone who has left is not changed any more. Fields not given stay as
 * they are; the same value changes nothing. The fields are read as add_actor reads them: a name is required (blank
 * is refused), a title, email or level left blank (or null) is cleared, an email must be an address.
 */
export function updateActor(ctx: OpContext): void {
  const { command } = ctx;
  const actorId = requiredString(ctx, 'actor_id');
  requireUndated(ctx, 'an actor’s name, title, email and level');
  const actor = ctx.wg.require('actors', actorId, fieldOf(ctx, 'actor_id'), 'actor');
  if (!onOrAfter(actor, ctx.day)) {
    throw refused(fieldOf(ctx, 'actor_id'), `that actor left on ${actor.validTo}, so their details are not changed any more`, {
      reason: 'not_active',
      kind: 'actor',
      id: actor.id,
      day: ctx.day,
      ended_on: actor.validTo!,
    });
  }
  const updatable = OP_FIELD_LISTS.update_actor.optional;
  if (!updatable.some((field) => command[field] !== undefined)) {
    throw new InvalidInput(ctx.path, `names nothing to change: give one or more of ${updatable.join(', ')}`);
  }
  const fields: Partial<Actor> = {};
  if (command.display_name !== undefined) {
    const name = command.display_name.trim();
    if (!name) throw new InvalidInput(fieldOf(ctx, 'display_name'), 'cannot be empty: an actor keeps a name (leave the field out to keep it)');
    fields.displayName = name;
  }
  if (command.title !== undefined) fields.title = optionalText(command.title);
  if (command.email !== undefined) fields.email = checkEmail(ctx, actor, actor);
  if (command.level !== undefined) fields.level = optionalText(command.level);
  const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => actor[key as keyof Actor] !== value)) as Partial<Actor>;
  if (Object.keys(changed).length) ctx.wg.update('actors', actor.id, changed);
  if (changed.email) noteEmail(ctx.wg, actor.id, changed.email);
}

/**
 * A department the leaver leads (one in effect on the day or planned for later) is left without a lead, in the same
 * change: a lead is an active actor (update_department), and the delta shows the department's lead gone. A lead is
 * kept without history, so it is cleared from today even when the deactivation is dated later; give the department
 * another lead with update_department. The proposal notes name each department left so (proposals.ts).
 */
function clearLeads(ctx: OpContext, actorId: string): void {
  for (const department of ctx.wg.where('departments', 'leadActorId', actorId)) {
    const unit = ctx.wg.get('orgUnits', department.orgUnitId);
    if (unit && onOrAfter(unit, ctx.day)) ctx.wg.update('departments', department.orgUnitId, { leadActorId: null });
  }
}

/**
 * A leaver's pay ends when they leave, as their placements do: the pay in effect on the day ends there (its history
 * kept), and pay planned to start on or after the day (a raise from a later day) is cancelled — so the pay records,
 * the delta and every cost figure agree that nothing is paid after the leaving day. An actor deactivated on the day
 * they start never was: all their pay is removed, rather than left in effect on no day.
 */
function endPay(ctx: OpContext, actor: Actor): void {
  const neverStarted = actor.validFrom !== null && actor.validFrom >= ctx.day;
  for (const pay of ctx.wg.where('compensations', 'actorId', actor.id)) {
    if (neverStarted || (pay.validFrom !== null && pay.validFrom >= ctx.day)) ctx.wg.remove('compensations', pay.id);
    else if (pay.validTo === null || pay.validTo > ctx.day) ctx.wg.update('compensations', pay.id, { validTo: ctx.day });
  }
}

/**
 * Ends the actor's time in the organisation on the command's day (`date`, default today): refused while anyone
 * active reports to them; their placements, line and pay end there (later plans for them are cancelled), and a
 * department they lead is left without a lead (`clearLeads`).
 */
export function deactivateActor(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  // Reports on the day or planned for later (a line starting after the day) alike.
  const reports = ctx.wg.where('reportingLines', 'managerId', actor.id).filter((l) => onOrAfter(l, ctx.day));
  // Each report once, however many of their lines run to the leaver (one now, one planned back for later).
  const activeReports = [
    ...new Set(
      reports
        .filter((l) => {
          const report = ctx.wg.get('actors', l.actorId);
          return report !== undefined && onOrAfter(report, ctx.day);
        })
        .map((l) => l.actorId),
    ),
  ];
  if (activeReports.length) {
    throw refused(fieldOf(ctx, 'actor_id'), `still manages ${counted(activeReports.length, 'active actor')} on or after ${ctx.day}; give them another manager first`, {
      reason: 'still_manages',
      reports: activeReports,
      from: ctx.day,
    });
  }
  // What is in effect ends on the day; what was planned for later (dated moves, allocations, managers) is cancelled.
  const placements = ctx.wg.where('placements', 'actorId', actor.id);
  for (const placement of placements.filter((p) => inEffect(p, ctx.day))) endFromDay(ctx, 'placements', placement);
  endFromDay(ctx, 'placements', null, placements);
  const lines = ctx.wg.where('reportingLines', 'actorId', actor.id);
  const line = currentLine(ctx, actor.id);
  if (line) endFromDay(ctx, 'reportingLines', line);
  endFromDay(ctx, 'reportingLines', null, lines);
  endPay(ctx, actor);
  clearLeads(ctx, actor.id);
  endOnDay(ctx, 'actors', actor);
}
