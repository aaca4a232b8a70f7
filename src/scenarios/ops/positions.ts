import { InvalidInput } from '../../errors.js';
import { inEffect } from '../../org/dates.js';
import { COMPENSATION_KINDS, EMPLOYMENT_TYPES, type EmploymentType, type OrgUnit, type Placement, type Position } from '../../org/types.js';
import { quoted } from '../../util/words.js';
import { changeFromDay, earlier, endOnDay, nextStartAfter, onOrAfter, requireUndated } from './dated.js';
import { checkCurrency, checkFte, checkMinorAmount, fieldOf, optionalId, requiredString, requiredNumber, type OpContext } from './context.js';
import { OP_FIELD_LISTS } from '../op-fields.js';
import { refused } from './refusals.js';
import { refusePositionClosingBefore, refuseUnitClosingBefore } from './ends-before.js';
import { oneOf } from '../../util/choice.js';

/** Position and compensation commands. A position is filled by a placement that references it. */

/**
 * What create_position and update_position both check, written once: the unit a seat is budgeted in (active on
 * `day`), its employment type, and its target pay — a salary or a day rate, not both, each a valid amount.
 */
function budgetUnit(ctx: OpContext, unitId: string, day: string): OrgUnit {
  const unit = ctx.wg.requireActive('orgUnits', unitId, fieldOf(ctx, 'org_unit_id'), 'org unit', day);
  // The Unassigned bucket shows whoever has no placement; it is no team a seat is planned for (positions.md).
  if (unit.type === 'system') {
    throw new InvalidInput(
      fieldOf(ctx, 'org_unit_id'),
      `is the system unit ${quoted(unit.name)}, which is no team to budget a seat in: choose a department or team, or leave org_unit_id out for a seat with no budgeted team yet`,
    );
  }
  return unit;
}

function checkEmploymentType(ctx: OpContext, value: string): EmploymentType {
  return oneOf(fieldOf(ctx, 'employment_type'), EMPLOYMENT_TYPES, value);
}

function checkTargetPay(ctx: OpContext, salary: number | null, dayRate: number | null): Pick<Position, 'targetSalaryMinor' | 'dayRateMinor'> {
  if (salary !== null && dayRate !== null) throw new InvalidInput(fieldOf(ctx, 'day_rate_minor'), 'give a target salary or a day rate, not both');
  return {
    targetSalaryMinor: salary === null ? null : checkMinorAmount(ctx, salary, 'target_salary_minor'),
    dayRateMinor: dayRate === null ? null : checkMinorAmount(ctx, dayRate, 'day_rate_minor'),
  };
}

/**
 * A seat, budgeted in an org unit — or in none yet (`org_unit_id` left out or blank): a position can exist before the
 * team structure is settled (update_position budgets it later; it is filled only once it has a unit).
 */
export function createPosition(ctx: OpContext): void {
  const { command } = ctx;
  const unitId = optionalId(ctx, 'org_unit_id');
  const unit = unitId === null ? null : budgetUnit(ctx, unitId, ctx.day);
  if (unit) refuseUnitClosingBefore(ctx, 'org_unit_id', unit, 'position', null);
  const employmentType = checkEmploymentType(ctx, command.employment_type ?? 'perm');
  const pay = checkTargetPay(ctx, command.target_salary_minor ?? null, command.day_rate_minor ?? null);
  const money = pay.targetSalaryMinor !== null || pay.dayRateMinor !== null;
  const id = ctx.newId();
  ctx.wg.create('positions', {
    id,
    title: requiredString(ctx, 'title'),
    roleType: command.role_type?.trim() || null,
    orgUnitId: unit?.id ?? null,
    plannedFte: checkFte(ctx, command.planned_fte ?? 1, 'planned_fte'),
    employmentType,
    ...pay,
    currency: money ? checkCurrency(ctx) : null,
    validFrom: ctx.day,
    validTo: null,
  });
  ctx.created.push({ family: 'positions', id });
}

/** The fields update_position may change, as the command names them: its optional fields (op-fields.ts). */
const UPDATABLE = OP_FIELD_LISTS.update_position.optional;

/**
 * Changes an open position in place, keeping its id (and so its fillers, its history in the audit trail and what
 * promotion carries to Live): title, role type, planned FTE, employment type, target pay and the unit it is budgeted
 * in. A position's fields are kept without history (one value for all dates), so the change applies from today and
 * a `date` is refused (`requireUndated`). Fields not given stay as they are; the same value changes nothing.
 *
 * Target pay: a new salary replaces a day rate and the other way round (a seat has one or the other); null (in
 * either field, with no new amount) clears it — the salary or day rate the seat has, and its currency with it. A new
 * amount is in `currency` when given, else in the position's own; a currency alone is refused (it would re-read the
 * amount in another currency), and so is a currency with a clearing null.
 *
 * The budgeted unit: active on the day (or on the seat's first day, for a seat that opens later) and not closing
 * while the seat stays open; and a seat is filled only where it is budgeted (`fillablePosition`), so one that a
 * placement in another unit fills on or after the day does not move (`position_filled`): that placement moves first.
 * A blank `org_unit_id` (null or "") takes the seat out of its unit — no budgeted team yet — which a seat that
 * someone fills on or after the day cannot be.
 */
export function updatePosition(ctx: OpContext): void {
  const { command } = ctx;
  const positionId = requiredString(ctx, 'position_id');
  requireUndated(ctx, 'a position’s title, role type, planned FTE, employment type, target pay and budgeted unit');
  const position = ctx.wg.require('positions', positionId, fieldOf(ctx, 'position_id'), 'position');
  if (!onOrAfter(position, ctx.day)) {
    throw refused(
      fieldOf(ctx, 'position_id'),
      `that position was closed on ${position.validTo}, so it is not changed any more; open a new position for the seat instead`,
      { reason: 'not_active', kind: 'position', id: position.id, day: ctx.day, ended_on: position.validTo! },
    );
  }
  if (!UPDATABLE.some((field) => command[field] !== undefined)) {
    throw new InvalidInput(ctx.path, `names nothing to change: give one or more of ${UPDATABLE.join(', ')}`);
  }
  const fields: Partial<Position> = {};
  if (command.title !== undefined) {
    const title = command.title?.trim();
    if (!title) throw new InvalidInput(fieldOf(ctx, 'title'), 'cannot be empty: a position keeps a title (leave the field out to keep it)');
    fields.title = title;
  }
  if (command.role_type !== undefined) fields.roleType = command.role_type?.trim() || null;
  if (command.planned_fte !== undefined) fields.plannedFte = checkFte(ctx, command.planned_fte, 'planned_fte');
  if (command.employment_type !== undefined) fields.employmentType = checkEmploymentType(ctx, command.employment_type);
  Object.assign(fields, newTargetPay(ctx, position));
  if (command.org_unit_id !== undefined) {
    const unitId = optionalId(ctx, 'org_unit_id');
    if (unitId === null) fields.orgUnitId = position.orgUnitId === null ? null : unbudgeted(ctx, position);
    else if (unitId !== position.orgUnitId) fields.orgUnitId = newBudgetUnit(ctx, position, unitId).id;
  }
  const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => position[key as keyof Position] !== value)) as Partial<Position>;
  if (Object.keys(changed).length) ctx.wg.update('positions', position.id, changed);
}

/** The target pay (amounts and currency) update_position gives the seat; empty when it names none. */
function newTargetPay(ctx: OpContext, position: Position): Partial<Position> {
  const { command } = ctx;
  const salaryGiven = command.target_salary_minor !== undefined;
  const dayRateGiven = command.day_rate_minor !== undefined;
  if (!salaryGiven && !dayRateGiven && command.currency === undefined) return {};
  let salary = salaryGiven ? command.target_salary_minor! : position.targetSalaryMinor;
  let dayRate = dayRateGiven ? command.day_rate_minor! : position.dayRateMinor;
  // One or the other: a new salary replaces the day rate, a new day rate the salary.
  if (salaryGiven && !dayRateGiven && salary !== null) dayRate = null;
  if (dayRateGiven && !salaryGiven && dayRate !== null) salary = null;
  const newAmount = (salaryGiven && salary !== null) || (dayRateGiven && dayRate !== null);
  // A null with no new amount clears the seat's target pay, whichever kind it has (a salary or a day rate).
  if (!newAmount && (salaryGiven || dayRateGiven)) [salary, dayRate] = [null, null];
  if (command.currency !== undefined && !newAmount) {
    throw new InvalidInput(
      fieldOf(ctx, 'currency'),
      'goes with a new amount: give target_salary_minor or day_rate_minor in that currency too (a currency alone would re-read the amount in another currency)',
    );
  }
  const pay = checkTargetPay(ctx, salary, dayRate);
  if (pay.targetSalaryMinor === null && pay.dayRateMinor === null) return { ...pay, currency: null };
  if (command.currency !== undefined || !position.currency) return { ...pay, currency: checkCurrency(ctx) };
  return { ...pay, currency: position.currency };
}

/** The unit update_position moves the seat to, once checked (see `updatePosition`). */
function newBudgetUnit(ctx: OpContext, position: Position, unitId: string): OrgUnit {
  const firstDay = position.validFrom !== null && position.validFrom > ctx.day ? position.validFrom : ctx.day;
  const unit = budgetUnit(ctx, unitId, firstDay);
  if (unit.validTo !== null && (position.validTo === null || position.validTo > unit.validTo)) {
    throw new InvalidInput(
      fieldOf(ctx, 'org_unit_id'),
      `${quoted(unit.name)} closes on ${unit.validTo} while the position stays open${position.validTo ? ` until ${position.validTo}` : ''}: choose a unit that stays open, or close the position by then`,
    );
  }
  const elsewhere = holders(ctx, position.id).filter((p) => !fillsInItsUnit({ orgUnitId: unit.id }, p));
  if (elsewhere.length) {
    const who = elsewhere.map((p) => `${quoted(ctx.wg.get('actors', p.actorId)?.displayName ?? p.actorId)} (placement ${p.id} in ${quoted(ctx.wg.get('orgUnits', p.orgUnitId)?.name ?? p.orgUnitId)})`);
    throw refused(
      fieldOf(ctx, 'org_unit_id'),
      `the position is filled by ${who.join(', ')} on or after ${ctx.day}, and a position is filled only in the unit where it is budgeted: ` +
        `move the placement to ${quoted(unit.name)} first (move_placement, which leaves the seat vacant), then move the seat and fill it again, in one batch in that order`,
      { reason: 'position_filled', position_id: position.id, placements: elsewhere.map((p) => p.id), from: ctx.day, suggested_op: 'move_placement' },
    );
  }
  return unit;
}

/** Null — no budgeted team — for a seat nobody fills on or after the day; else refused (a seat is filled where it is budgeted). */
function unbudgeted(ctx: OpContext, position: Position): null {
  const filling = holders(ctx, position.id);
  if (filling.length) {
    const who = filling.map((p) => `${quoted(ctx.wg.get('actors', p.actorId)?.displayName ?? p.actorId)} (placement ${p.id})`);
    throw new InvalidInput(
      fieldOf(ctx, 'org_unit_id'),
      `cannot be cleared: the position is filled by ${who.join(', ')} on or after ${ctx.day}, and a filled position stays budgeted in the unit where it is filled; ` +
        'budget it in another unit instead, or clear it once the seat is vacant',
    );
  }
  return null;
}

/** The placements that hold the position on or after the command's day (in effect then, or planned for later). */
function holders(ctx: OpContext, positionId: string): Placement[] {
  return ctx.wg.where('placements', 'positionId', positionId).filter((p) => onOrAfter(p, ctx.day));
}

function fillers(ctx: OpContext, positionId: string): string[] {
  return ctx.wg
    .where('placements', 'positionId', positionId)
    .filter((p) => inEffect(p, ctx.day))
    .map((p) => p.actorId);
}

/**
 * The rule of where a seat is filled, written once: a position is filled only by a placement in the org unit where
 * it is budgeted. fill_position and update_position enforce it, and promotion re-checks it on the merged graph.
 */
export function fillsInItsUnit(position: Pick<Position, 'orgUnitId'>, placement: Pick<Placement, 'orgUnitId'>): boolean {
  return position.orgUnitId === placement.orgUnitId;
}

/**
 * The position a placement in `orgUnitId` running from the command's day until `until` (null: open-ended) may fill:
 * active, vacant all that time (no placement references it on the day, nor one planned to from a later day before
 * `until`), open all that time (not closing before `until`: `ends_before`) and budgeted in that org unit. Otherwise
 * an InvalidInput naming `position_id`.
 */
export function fillablePosition(ctx: OpContext, positionId: string, orgUnitId: string, until: string | null, self?: string): Position {
  const position = ctx.wg.requireActive('positions', positionId, fieldOf(ctx, 'position_id'), 'position', ctx.day);
  if (fillers(ctx, position.id).length) {
    throw new InvalidInput(fieldOf(ctx, 'position_id'), 'is already filled by an active placement; choose a vacant position');
  }
  const planned = holders(ctx, position.id).find((p) => p.actorId !== self && p.validFrom !== null && p.validFrom > ctx.day && (until === null || p.validFrom < until));
  if (planned) {
    const who = quoted(ctx.wg.get('actors', planned.actorId)?.displayName ?? planned.actorId);
    throw new InvalidInput(
      fieldOf(ctx, 'position_id'),
      `is filled by ${who} from ${planned.validFrom} (placement ${planned.id}, planned in this scenario), and a position has one filler at a time: ` +
        'choose another vacant position, or first take that filler out of the seat (move or end their placement) in the same batch',
    );
  }
  refusePositionClosingBefore(ctx, position, until);
  if (position.orgUnitId === null) {
    const placed = ctx.wg.get('orgUnits', orgUnitId);
    throw new InvalidInput(
      fieldOf(ctx, 'position_id'),
      'has no budgeted team yet (no org_unit_id), and a position is filled only in the unit where it is budgeted: ' +
        `budget it in ${placed ? quoted(placed.name) : orgUnitId} first (update_position with org_unit_id ${orgUnitId}), then fill it, in one batch in that order`,
    );
  }
  if (!fillsInItsUnit(position, { orgUnitId })) {
    const budgeted = ctx.wg.get('orgUnits', position.orgUnitId);
    const placed = ctx.wg.get('orgUnits', orgUnitId);
    throw new InvalidInput(
      fieldOf(ctx, 'position_id'),
      `is budgeted in ${budgeted?.name ?? position.orgUnitId}, not in ${placed?.name ?? orgUnitId} where the placement is; ` +
        'choose a position of that org unit, or place the actor where the position is',
    );
  }
  return position;
}

export function fillPosition(ctx: OpContext): void {
  const positionId = requiredString(ctx, 'position_id');
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const primary = ctx.wg.where('placements', 'actorId', actor.id).find((p) => p.isPrimary && inEffect(p, ctx.day));
  if (!primary) throw new InvalidInput(fieldOf(ctx, 'actor_id'), 'has no primary placement to fill the position with');
  const position = fillablePosition(ctx, positionId, primary.orgUnitId, primary.validTo, actor.id);
  // From the command's day: the primary placement in effect then ends and a new one holding the position starts.
  changeFromDay(ctx, 'placements', primary, { positionId: position.id });
}

export function closePosition(ctx: OpContext): void {
  const position = ctx.wg.requireActive('positions', requiredString(ctx, 'position_id'), fieldOf(ctx, 'position_id'), 'position', ctx.day);
  if (fillers(ctx, position.id).length) {
    throw new InvalidInput(fieldOf(ctx, 'position_id'), 'is filled; move or deactivate the person in it first');
  }
  endOnDay(ctx, 'positions', position);
}

/**
 * Ends the compensation in effect (if any) on the change's day and adds the new one from that day, running until the
 * next compensation already planned for a later day (so two never overlap) or until the actor leaves (a deactivation
 * planned for a later day: pay ends with them); pay starting that day is changed in place.
 */
export function setCompensation(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const kind = oneOf(fieldOf(ctx, 'kind'), COMPENSATION_KINDS, requiredString(ctx, 'kind'));
  const amountMinor = checkMinorAmount(ctx, requiredNumber(ctx, 'amount_minor'), 'amount_minor');
  if (amountMinor === 0) throw new InvalidInput(fieldOf(ctx, 'amount_minor'), 'must be more than zero');
  const currency = checkCurrency(ctx);
  const history = ctx.wg.where('compensations', 'actorId', actor.id);
  const current = history.filter((c) => inEffect(c, ctx.day));
  // Pay that itself starts that day (a correction of a change just made) is changed in place, as `changeFromDay`
  // does for placements and lines: no pay record in effect on no day, and one pay change reads as one.
  const sameDay = current.find((c) => c.validFrom === ctx.day);
  for (const other of current) if (other !== sameDay) ctx.wg.update('compensations', other.id, { validTo: ctx.day });
  if (sameDay) {
    // Back to the pay it replaced (a change undone the same day): the two are one again, as `changeFromDay` rejoins.
    const before = history.find((c) => c.id !== sameDay.id && c.validTo === ctx.day && c.kind === kind && c.amountMinor === amountMinor && c.currency === currency);
    if (before) {
      ctx.wg.update('compensations', before.id, { validTo: sameDay.validTo });
      ctx.wg.remove('compensations', sameDay.id);
    } else {
      ctx.wg.update('compensations', sameDay.id, { kind, amountMinor, currency });
    }
    return;
  }
  const id = ctx.newId();
  ctx.wg.create('compensations', { id, actorId: actor.id, kind, amountMinor, currency, validFrom: ctx.day, validTo: earlier(nextStartAfter(history, ctx.day), actor.validTo) });
  ctx.created.push({ family: 'compensations', id });
}
