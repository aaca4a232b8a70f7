import type { Placement } from '../../org/types.js';
import { fieldOf, optionalId, type OpContext } from './context.js';
import { onOrAfter } from './dated.js';
import { refused } from './refusals.js';

/**
 * One placement per actor and org unit at a time: a second one there would count the same person twice in the
 * unit's FTE and split their cost over two rows that mean one seat. The allocation of the one there says how much
 * of them the unit has.
 */

/**
 * The placement of `actorId` in `orgUnitId` that a new placement running from `from` (open-ended) would overlap:
 * one in effect that day, or one planned to start later. Undefined when there is none.
 */
export function placementInUnit(placements: readonly Placement[], actorId: string, orgUnitId: string, from: string, until: string | null = null): Placement | undefined {
  return placements.find(
    (p) => p.actorId === actorId && p.orgUnitId === orgUnitId && onOrAfter(p, from) && (until === null || p.validFrom === null || p.validFrom < until),
  );
}

/**
 * Refuses an add_placement for an actor who already has a placement in that org unit on or after the change's day,
 * naming `org_unit_id` and the placement there, with what to do instead: change its allocation, or move or end it
 * first. Run once `addPlacement` has checked the change (its own refusals come first) and added the placement
 * (`ctx.created`), which does not count; a refusal drops the whole batch, so that placement is never saved.
 */
export function refuseSecondPlacementInUnit(ctx: OpContext): void {
  const actorId = optionalId(ctx, 'actor_id');
  const unitId = optionalId(ctx, 'org_unit_id');
  if (!actorId || !unitId) return;
  const added = new Set(ctx.created.map((c) => c.id));
  const others = ctx.wg.where('placements', 'actorId', actorId).filter((p) => !added.has(p.id));
  const there = placementInUnit(others, actorId, unitId, ctx.day);
  if (!there) return;
  const since = there.validFrom !== null && there.validFrom > ctx.day ? `, from ${there.validFrom}` : '';
  throw refused(
    fieldOf(ctx, 'org_unit_id'),
    `the actor already has a placement in that org unit on ${ctx.day} (placement ${there.id}, ${there.allocationPct} %${since}), and a second one there would count them twice: ` +
      'change its allocation instead (set_allocation), or move it elsewhere (move_placement) or end it (end_placement) before this change',
    { reason: 'placed_in_unit_already', placement_id: there.id, org_unit_id: unitId, from: ctx.day, suggested_op: 'set_allocation', alternative_op: 'end_placement' },
  );
}

/** The allocation one placement would carry for two of a person in one unit: their sum, within the 300 % a placement may have. */
export function combinedAllocation(a: { allocationPct: number }, b: { allocationPct: number }): number {
  return Math.min(a.allocationPct + b.allocationPct, 300);
}

/**
 * Refuses a move_placement of `moved` into `orgUnitId` where the same actor has another placement overlapping what the
 * move makes (from the change's day until `moved` would have ended): moved there, the actor would be placed twice in
 * one unit. Named on `org_unit_id`, with the placement there and what to do instead: end the moved one and give the
 * one there the combined allocation, or move or end the one there first.
 */
export function refuseMoveOntoPlacementInUnit(ctx: OpContext, moved: Placement, orgUnitId: string): void {
  const others = ctx.wg.where('placements', 'actorId', moved.actorId).filter((p) => p.id !== moved.id);
  const there = placementInUnit(others, moved.actorId, orgUnitId, ctx.day, moved.validTo);
  if (!there) return;
  const since = there.validFrom !== null && there.validFrom > ctx.day ? `, from ${there.validFrom}` : '';
  throw refused(
    fieldOf(ctx, 'org_unit_id'),
    `the actor already has a placement in that org unit on ${ctx.day} (placement ${there.id}, ${there.allocationPct} %${since}), and moving placement ${moved.id} ` +
      `(${moved.allocationPct} %) there would count them twice: to bring the two together, end placement ${moved.id} (end_placement` +
      `${moved.isPrimary ? ', after making the one there the primary placement' : ''}) and give placement ${there.id} the combined allocation ` +
      `(set_allocation, ${combinedAllocation(moved, there)} %); or move or end placement ${there.id} before this change`,
    {
      reason: 'placed_in_unit_already',
      placement_id: there.id,
      org_unit_id: orgUnitId,
      from: ctx.day,
      suggested_op: 'set_allocation',
      alternative_op: 'end_placement',
      op: 'move_placement',
      moved_placement_id: moved.id,
    },
  );
}
