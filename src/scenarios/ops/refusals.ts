import { InvalidInput, type AppError } from '../../errors.js';
import type { Family } from '../../org/types.js';
import type { ChangeOp } from '../commands.js';

/** A kind of record a change command names, as a refusal says it (`kind`). */
export type RecordKind = 'actor' | 'org_unit' | 'position' | 'placement';

/** The kind of record each family a change may name holds. */
export const RECORD_KIND: Partial<Record<Family, RecordKind>> = { actors: 'actor', orgUnits: 'org_unit', positions: 'position', placements: 'placement' };

/**
 * Why a change command was refused, machine-readable: the refusals a surface acts on carry one in the InvalidInput's
 * `details`, beside `field` (`{ field: 'changes[2].actor_id', reason: 'still_manages', reports: [ids], from:
 * '2027-01-01' }`), so REST problems and MCP `isError` results show it as it is. A surface that acts on a refusal —
 * the web tray's guidance — reads this, never the English message, which may be reworded. Ids and days only: names
 * and pay stay out (the ids are of the scenario's own records, which whoever may change it may read).
 *
 * Where the message names a change as the API spells it, so does a field here (`OP_DETAILS`): `op`, the refused
 * change's own; `suggested_op`, the change to use instead (`alternative_op`, another that also would); `later_op`,
 * another change of the batch.
 */
export type Refusal =
  /** The id names no record of that kind in the scenario. */
  | { reason: 'no_such_record'; kind: RecordKind; id: string }
  /**
   * The record exists but is not in effect on the change's `day`; a placement says when it ended and which continue
   * it, if several do; a closed position when it was closed (`ended_on`).
   */
  | { reason: 'not_active'; kind: RecordKind; id: string; day: string; ended_on?: string; continued_by?: string[] }
  /** A deactivation while actors still report to the leaver on or after the day (`reports`: their ids). */
  | { reason: 'still_manages'; reports: string[]; from: string }
  /** A placement made primary that is the actor's primary already on the change's `day` (`id`: the placement in effect then). */
  | { reason: 'already_primary'; kind: 'placement'; id: string; day: string }
  /** A second primary placement: the actor's primary is moved instead. */
  | { reason: 'has_primary_placement'; placement_id: string; suggested_op: 'move_placement' }
  /**
   * A placement added for an actor in an org unit where they have one already on or after the day (`placement_id`):
   * its allocation changes instead (`suggested_op`), or it is moved or ended first (`alternative_op`).
   */
  | {
      reason: 'placed_in_unit_already';
      placement_id: string;
      org_unit_id: string;
      from: string;
      suggested_op: 'set_allocation';
      alternative_op: 'end_placement';
      /** Set for a move_placement into that unit (an add_placement leaves it out): the change refused. */
      op?: 'move_placement';
      /** With `op`: the placement the change would have moved there. */
      moved_placement_id?: string;
    }
  /**
   * What the change makes would outlast what it hangs on (`kind`, `id`), which ends on `ends_on`, a later day than
   * the change's `day`: a placement, position or unit in (or under) an org unit that closes then, a reporting line
   * to a manager (an actor) who leaves then, a placement filling a position that closes then.
   */
  | { reason: 'ends_before'; kind: 'org_unit' | 'actor' | 'position'; id: string; ends_on: string; day: string }
  /**
   * A unit closed while child units or placements are in it on or after the day (their ids): each child unit moves
   * (`move_org_unit`) or closes first, each placement moves (`suggested_op`) or ends. The unit's open `positions` are
   * named too (empty when none), so one more attempt moves everything.
   */
  | { reason: 'unit_not_empty'; child_units: string[]; placements: string[]; positions: string[]; from: string; suggested_op: 'move_placement'; alternative_op: 'move_org_unit' }
  /**
   * A unit closed while positions are budgeted in it on or after the day (`positions`: their ids): move them to
   * another unit (`suggested_op`, which keeps each seat's id) or close them (`alternative_op`).
   */
  | { reason: 'open_positions'; positions: string[]; from: string; suggested_op: 'update_position'; alternative_op: 'close_position' }
  /**
   * A position moved to another unit while placements outside that unit fill it on or after the day (`placements`:
   * their ids); a seat is filled only where it is budgeted, so the placement moves first (`suggested_op`).
   */
  | { reason: 'position_filled'; position_id: string; placements: string[]; from: string; suggested_op: 'move_placement' }
  /**
   * A unit created, renamed or moved under a parent (`parent_id`) that has another active unit of that name (`id`,
   * ignoring case and spaces); `change`: the index of the change of the batch that creates that unit, when one does
   * (its id exists nowhere yet).
   */
  | { reason: 'name_taken'; kind: 'org_unit'; id: string; parent_id: string; change?: number }
  /**
   * An actor added or changed with an email another active actor has (`id`, ignoring case and surrounding spaces:
   * one address, one person); `change`: the index of the change of the batch that adds that actor, when one does.
   */
  | { reason: 'email_taken'; kind: 'actor'; id: string; change?: number }
  /** A field the change needs was not given. */
  | { reason: 'required'; op: ChangeOp }
  /** A date on a change to something kept without history (`date`: the one given): only today is honoured. */
  | { reason: 'undated_only'; op: ChangeOp; date: string }
  /** A deactivation dated before an earlier change of the batch about the same actor (`change`: its index, from 0). */
  | { reason: 'later_change_of_leaver'; change: number; later_op: ChangeOp; from: string };

export type RefusalReason = Refusal['reason'];

/** The fields of a refusal that name a change op, as its message does. */
export const OP_DETAILS = ['op', 'suggested_op', 'alternative_op', 'later_op'] as const;

/** An InvalidInput on `field` saying `reason` in words, with the refusal in its details. */
export function refused(field: string, reason: string, refusal: Refusal): InvalidInput {
  return new InvalidInput(field, reason, refusal);
}

/** The machine-readable reason an error carries, or null when it has none (any other error). */
export function refusalIn(error: AppError): Refusal | null {
  return typeof error.details.reason === 'string' ? (error.details as unknown as Refusal) : null;
}

/** The change ops a refusal's message names, by `OP_DETAILS` (the refused change's own, ones to use instead, another of the batch). */
export function opsNamedIn(error: AppError): ChangeOp[] {
  if (!refusalIn(error)) return [];
  return OP_DETAILS.map((key) => error.details[key]).filter((op): op is ChangeOp => typeof op === 'string');
}
