import type { Actor, OrgUnit, Position } from '../../org/types.js';
import { quoted } from '../../util/words.js';
import { fieldOf, type OpContext } from './context.js';
import { refused } from './refusals.js';

/**
 * What a change makes must not outlast what it hangs on: a placement, a position, a child unit or a moved unit in an
 * org unit that closes on a later day (a close_org_unit already planned in the scenario), a reporting line to a
 * manager who leaves on a later day (a planned deactivate_actor), a placement filling a seat that closes later. The
 * unit is active on the change's day, so `requireActive` lets it through; without this the record would run on
 * past the end — a person placed in a closed team, a report whose manager has gone — which no later change
 * may see (close_org_unit and deactivate_actor check only when they are made). One rule, written once, for every
 * op that puts something under a unit, a manager or a seat.
 */

/** Whether a record ending on `endsOn` (null: open-ended) ends before something running until `until` (null: open) does. */
export function endsBefore(endsOn: string | null, until: string | null): boolean {
  return endsOn !== null && (until === null || until > endsOn);
}

/** What the refused change would have made, as its message says it: “the placement”, “the reporting line”. */
type Made = 'placement' | 'position' | 'org unit' | 'reporting line' | 'actor';

const SPAN = (ctx: OpContext, until: string | null) => (until === null ? `from ${ctx.day} on` : `from ${ctx.day} until ${until}`);

/**
 * Refuses on `field` a change that puts a `made` running from the change's day until `until` (null: open) in an org
 * unit that closes before then (`ends_before`, naming the unit and the day it closes).
 */
export function refuseUnitClosingBefore(ctx: OpContext, field: string, unit: OrgUnit, made: Made, until: string | null): void {
  if (!endsBefore(unit.validTo, until)) return;
  throw refused(
    fieldOf(ctx, field),
    `${quoted(unit.name)} closes on ${unit.validTo} (its closing is planned in this scenario), and the ${made} this change makes would run on ${SPAN(ctx, until)}, ` +
      'past its closing: choose an org unit that stays open',
    { reason: 'ends_before', kind: 'org_unit', id: unit.id, ends_on: unit.validTo!, day: ctx.day },
  );
}

/** Refuses on `manager_id` a reporting line running until `until` to a manager who leaves before then. */
export function refuseManagerLeavingBefore(ctx: OpContext, manager: Actor, until: string | null): void {
  if (!endsBefore(manager.validTo, until)) return;
  throw refused(
    fieldOf(ctx, 'manager_id'),
    `${quoted(manager.displayName)} leaves on ${manager.validTo} (their leaving is planned in this scenario), and the reporting line this change makes would run on ${SPAN(ctx, until)}, ` +
      `leaving the actor reporting to someone who has gone: choose a manager who stays, or first give the actor their manager from ${manager.validTo} (a manager change dated ${manager.validTo}) in the same batch`,
    { reason: 'ends_before', kind: 'actor', id: manager.id, ends_on: manager.validTo!, day: ctx.day },
  );
}

/** Refuses on `position_id` a placement running until `until` filling a position that closes before then. */
export function refusePositionClosingBefore(ctx: OpContext, position: Position, until: string | null): void {
  if (!endsBefore(position.validTo, until)) return;
  throw refused(
    fieldOf(ctx, 'position_id'),
    `that position closes on ${position.validTo} (its closing is planned in this scenario), and the placement filling it would run on ${SPAN(ctx, until)}, ` +
      'holding a seat that no longer exists: choose a vacant position that stays open, or leave the position out',
    { reason: 'ends_before', kind: 'position', id: position.id, ends_on: position.validTo!, day: ctx.day },
  );
}
