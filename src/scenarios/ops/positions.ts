import { InvalidInput } from '../../errors.js';
import { inEffect } from '../../org/dates.js';
import { COMPENSATION_KINDS, EMPLOYMENT_TYPES, type CompensationKind, type EmploymentType, type Position } from '../../org/types.js';
import { changeFromDay, endOnDay, nextStartAfter } from './dated.js';
import { checkCurrency, checkFte, checkMinorAmount, fieldOf, requiredNumber, requiredString, type OpContext } from './context.js';

/** Position and compensation commands. A position is filled by a placement that references it. */

export function createPosition(ctx: OpContext): void {
  const { command } = ctx;
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  const employmentType = (command.employment_type ?? 'perm') as EmploymentType;
  if (!(EMPLOYMENT_TYPES as readonly string[]).includes(employmentType)) {
    throw new InvalidInput(fieldOf(ctx, 'employment_type'), 'must be perm or contractor');
  }
  const salary = command.target_salary_minor ?? null;
  const dayRate = command.day_rate_minor ?? null;
  if (salary !== null && dayRate !== null) throw new InvalidInput(fieldOf(ctx, 'day_rate_minor'), 'give a target salary or a day rate, not both');
  const money = salary !== null || dayRate !== null;
  const id = ctx.newId();
  ctx.wg.create('positions', {
    id,
    title: requiredString(ctx, 'title'),
    roleType: command.role_type?.trim() || null,
    orgUnitId: unit.id,
    plannedFte: checkFte(ctx, command.planned_fte ?? 1, 'planned_fte'),
    employmentType,
    targetSalaryMinor: salary === null ? null : checkMinorAmount(ctx, salary, 'target_salary_minor'),
    dayRateMinor: dayRate === null ? null : checkMinorAmount(ctx, dayRate, 'day_rate_minor'),
    currency: money ? checkCurrency(ctx) : null,
    validFrom: ctx.day,
    validTo: null,
  });
  ctx.created.push({ family: 'positions', id });
}

function fillers(ctx: OpContext, positionId: string): string[] {
  return ctx.wg
    .where('placements', 'positionId', positionId)
    .filter((p) => inEffect(p, ctx.day))
    .map((p) => p.actorId);
}

/**
 * The position a placement in `orgUnitId` may fill: active, vacant (no active placement references it) and budgeted
 * in that org unit. Otherwise an InvalidInput naming `position_id`.
 */
export function fillablePosition(ctx: OpContext, positionId: string, orgUnitId: string): Position {
  const position = ctx.wg.requireActive('positions', positionId, fieldOf(ctx, 'position_id'), 'position', ctx.day);
  if (fillers(ctx, position.id).length) {
    throw new InvalidInput(fieldOf(ctx, 'position_id'), 'is already filled by an active placement; choose a vacant position');
  }
  if (position.orgUnitId !== orgUnitId) {
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
  const position = fillablePosition(ctx, positionId, primary.orgUnitId);
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
 * next compensation already planned for a later day (so two never overlap); pay starting that day is changed in place.
 */
export function setCompensation(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const kind = requiredString(ctx, 'kind') as CompensationKind;
  if (!(COMPENSATION_KINDS as readonly string[]).includes(kind)) throw new InvalidInput(fieldOf(ctx, 'kind'), 'must be salary or day_rate');
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
    ctx.wg.update('compensations', sameDay.id, { kind, amountMinor, currency });
    return;
  }
  const id = ctx.newId();
  ctx.wg.create('compensations', { id, actorId: actor.id, kind, amountMinor, currency, validFrom: ctx.day, validTo: nextStartAfter(history, ctx.day) });
  ctx.created.push({ family: 'compensations', id });
}
