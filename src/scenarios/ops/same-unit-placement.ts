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
export function placementInUnit(placements: readonly Placement[], actorId: string, orgUnitId: string, from: string): Placement | undefined {
  return placements.find((p) => p.actorId === actorId && p.orgUnitId === orgUnitId && onOrAfter(p, from));
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
