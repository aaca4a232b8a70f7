import { inEffect } from '../../org/dates.js';
import type { FamilyRecords, Placement } from '../../org/types.js';
import { fieldOf, type OpContext } from './context.js';
import { refused } from './refusals.js';

/**
 * Effective-dated changes to records that keep their history as a chain of records (reporting lines, placements):
 * a change takes effect on the command's day (`date`, default today) and never rewrites earlier days.
 */

type SplitFamily = 'placements' | 'reportingLines';

/** The family name the caller sees in a command's `created` list. */
const CREATED_AS: Record<SplitFamily, string> = { placements: 'placements', reportingLines: 'reporting_lines' };

/**
 * Changes `fields` of `record` (in effect on the command's day) from that day on: the record ends on the day and a
 * new record with the new values starts there, running until the old one would have ended; a record that itself
 * starts that day is changed in place (no one-day fragments). The new record gets a new id (reported in the
 * command's `created` list) and is remembered as the old one's successor, so later commands of the same batch that
 * name the old id reach it (see `requirePlacement`). Returns the id holding the new values from the day on.
 */
export function changeFromDay<F extends SplitFamily>(ctx: OpContext, family: F, record: FamilyRecords[F], fields: Partial<FamilyRecords[F]>): string {
  if (record.validFrom === ctx.day) {
    ctx.wg.update(family, record.id, fields);
    return rejoinPredecessor(ctx, family, ctx.wg.get(family, record.id)!);
  }
  ctx.wg.update(family, record.id, { validTo: ctx.day } as Partial<FamilyRecords[F]>);
  const id = ctx.newId();
  ctx.wg.create(family, { ...record, ...fields, id, validFrom: ctx.day, validTo: record.validTo } as FamilyRecords[F]);
  ctx.created.push({ family: CREATED_AS[family], id });
  ctx.successors.set(record.id, id);
  return id;
}

/** The fields that make two records of a chain hold the same thing (all but their id and dates). */
const sameHolding = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).every((k) => k === 'id' || k === 'validFrom' || k === 'validTo' || a[k] === b[k]);

/**
 * A record changed in place on the day it starts, back to what the record it continues holds (moved on a day, then
 * moved back the same day): the two are one again — the earlier runs on until the later would have ended and the
 * later is removed — rather than a split that changes nothing. Returns the id holding the values from the day on.
 */
function rejoinPredecessor<F extends SplitFamily>(ctx: OpContext, family: F, record: FamilyRecords[F]): string {
  const before = predecessorOf(ctx, family, record);
  if (!before || !sameHolding(before as unknown as Record<string, unknown>, record as unknown as Record<string, unknown>)) return record.id;
  ctx.wg.update(family, before.id, { validTo: record.validTo } as Partial<FamilyRecords[F]>);
  ctx.wg.remove(family, record.id);
  ctx.successors.delete(before.id);
  return before.id;
}

/** The record of the actor's chain that `record` continues: same primary flag (placements), ending the day it starts. */
export function predecessorOf<F extends SplitFamily>(ctx: OpContext, family: F, record: FamilyRecords[F]): FamilyRecords[F] | undefined {
  return ctx.wg
    .where(family, 'actorId', record.actorId)
    .find((r) => r.id !== record.id && r.validTo === record.validFrom && (!('isPrimary' in r) || r.isPrimary === (record as { isPrimary?: boolean }).isPrimary));
}

/**
 * The placement a command names in `field`, as in effect on the command's day. A placement that was changed from a
 * day (moved, re-allocated or filled by `changeFromDay`) ends there and is continued by a new record; a command that
 * names the old id for a day on or after that reaches the continuation: within the batch exactly (the batch's
 * `successors`), across batches when exactly one placement continues it (same actor and primary flag, starting the
 * day it ended). So `move_placement` then `set_allocation` on the same placement id both apply.
 */
export function requirePlacement(ctx: OpContext, field: 'placement_id', id: string): Placement {
  const named = ctx.wg.require('placements', id, fieldOf(ctx, field), 'placement');
  const seen = new Set<string>();
  let at: Placement = named;
  while (!inEffect(at, ctx.day)) {
    seen.add(at.id);
    if (at.validTo === null || at.validTo > ctx.day) break; // not started yet on the day
    const mapped = ctx.wg.get('placements', ctx.successors.get(at.id));
    const next = mapped ? [mapped] : continuations(ctx, at);
    if (next.length !== 1 || seen.has(next[0]!.id)) {
      const continuedBy = next.length > 1 ? next.map((p) => p.id) : null;
      const which = continuedBy ? `; it is continued by placements ${continuedBy.join(', ')} — name one of them` : '';
      throw refused(fieldOf(ctx, field), `that placement is not active on ${ctx.day} (it ended on ${at.validTo})${which}`, {
        reason: 'not_active',
        kind: 'placement',
        id,
        day: ctx.day,
        ended_on: at.validTo!,
        ...(continuedBy ? { continued_by: continuedBy } : {}),
      });
    }
    at = next[0]!;
  }
  if (!inEffect(at, ctx.day)) throw refused(fieldOf(ctx, field), `that placement is not active on ${ctx.day}`, { reason: 'not_active', kind: 'placement', id, day: ctx.day });
  return at;
}

/**
 * Ends a dated record on the command's day. A record that starts that day (or later) would then be in effect on no
 * day — a zero-length record that reads, metrics and history would have to step around — so it is removed instead:
 * the later change on the same day replaces the earlier one rather than leaving a fragment of it.
 */
export function endOnDay<F extends 'placements' | 'reportingLines' | 'positions' | 'orgUnits' | 'actors'>(ctx: OpContext, family: F, record: FamilyRecords[F]): void {
  if (record.validFrom !== null && record.validFrom >= ctx.day) ctx.wg.remove(family, record.id);
  else ctx.wg.update(family, record.id, { validTo: ctx.day } as Partial<FamilyRecords[F]>);
}

/**
 * Ends a record on the command's day (`endOnDay`), and with it what was planned to continue it: a dated change
 * planned for a later day (a continuation from `changeFromDay`, or for an actor's own records anything starting
 * later) is cancelled — removed, since it would be in effect on no day — rather than coming back after the end.
 */
export function endFromDay<F extends SplitFamily>(ctx: OpContext, family: F, record: FamilyRecords[F] | null, later: FamilyRecords[F][] = []): void {
  if (record && inEffect(record, ctx.day)) endOnDay(ctx, family, record);
  for (const next of later) {
    if (next.validFrom !== null && next.validFrom > ctx.day && ctx.wg.get(family, next.id)) ctx.wg.remove(family, next.id);
  }
}

/** The first day after `day` on which one of `records` starts (cancelled, zero-length records aside); null: none. */
export function nextStartAfter(records: readonly { validFrom: string | null; validTo: string | null }[], day: string): string | null {
  let next: string | null = null;
  for (const r of records) {
    if (r.validFrom !== null && r.validFrom > day && r.validTo !== r.validFrom && (next === null || r.validFrom < next)) next = r.validFrom;
  }
  return next;
}

/** The earlier of two ends (null: open-ended). */
export function earlier(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

/** Whether a record is in effect on `day` or on some later day (a cancelled, zero-length record never is). */
export function onOrAfter(record: { validFrom: string | null; validTo: string | null }, day: string): boolean {
  return (record.validTo === null || record.validTo > day) && !(record.validFrom !== null && record.validTo === record.validFrom);
}

/** The placements planned to continue `placement` after it would have ended (changes from later days), in order. */
export function plannedContinuations(ctx: OpContext, placement: Placement): Placement[] {
  const out: Placement[] = [];
  const seen = new Set([placement.id]);
  for (let at = placement; at.validTo !== null; ) {
    const next = ctx.wg.get('placements', ctx.successors.get(at.id)) ?? singleOrNone(continuations(ctx, at));
    if (!next || seen.has(next.id)) break;
    seen.add(next.id);
    out.push(next);
    at = next;
  }
  return out;
}

function singleOrNone<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

/**
 * The placements that continue `placement` from the day it ended: same actor and primary flag, starting that day (not
 * cancelled). On a day the actor's primary changed hands (set_primary_placement), each of the two placements is
 * continued by the one holding the same but the flag — not by the other's continuation, which has its flag.
 */
function continuations(ctx: OpContext, placement: Placement): Placement[] {
  const own = ctx.wg.where('placements', 'actorId', placement.actorId);
  const started = own.filter((p) => p.id !== placement.id && p.validFrom !== null && p.validFrom === placement.validTo && p.validTo !== p.validFrom);
  const flipOf = (a: Placement, b: Placement) => a.isPrimary !== b.isPrimary && sameHolding({ ...a, isPrimary: b.isPrimary }, b as unknown as Record<string, unknown>);
  const flipped = started.filter((p) => flipOf(p, placement));
  if (flipped.length) return flipped;
  const ended = own.filter((p) => p.id !== placement.id && p.validTo === placement.validTo);
  return started.filter((p) => p.isPrimary === placement.isPrimary && !ended.some((e) => flipOf(p, e)));
}

/**
 * For a change to a field the model keeps no history of (an actor's FTE, an org unit's parent, name or team
 * metadata): the record holds one value for all dates, so a `date` other than today cannot be honoured. Refuses
 * one, naming `what` changes and why; without a date (or with today's) the change applies from today.
 */
export function requireUndated(ctx: OpContext, what: string): void {
  const date = ctx.command.date;
  if (date === undefined || date === ctx.wg.today) return;
  const when = date < ctx.wg.today ? 'a past date' : 'a future date';
  throw refused(
    fieldOf(ctx, 'date'),
    `${ctx.command.op} cannot take effect on ${when} (${date}): ${what} has no effective-dated history (one value for ` +
      'all dates), so the date cannot be honoured; leave date empty — the change applies from today (and, without ' +
      'history, reads as of earlier dates show it too)',
    { reason: 'undated_only', op: ctx.command.op, date },
  );
}
