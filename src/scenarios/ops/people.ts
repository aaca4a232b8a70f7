import { InvalidInput } from '../../errors.js';
import { inEffect } from '../../org/dates.js';
import { ACTOR_KINDS, type Actor, type ActorKind, type Placement, type ReportingLine } from '../../org/types.js';
import {
  checkAllocation,
  checkFte,
  fieldOf,
  optionalId,
  requiredNumber,
  requiredString,
  type OpContext,
} from './context.js';

/** Actor, reporting-line and placement commands. Reporting lines never form a cycle; actors keep one primary. */

function currentLine(ctx: OpContext, actorId: string): ReportingLine | undefined {
  return ctx.wg.where('reportingLines', 'actorId', actorId).find((l) => inEffect(l, ctx.day));
}

function activePlacements(ctx: OpContext, actorId: string): Placement[] {
  return ctx.wg.where('placements', 'actorId', actorId).filter((p) => inEffect(p, ctx.day));
}

export function setManager(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const managerId = optionalId(ctx, 'manager_id');
  const line = currentLine(ctx, actor.id);
  if (!managerId) {
    if (line) ctx.wg.update('reportingLines', line.id, { validTo: ctx.day });
    return;
  }
  const manager = ctx.wg.requireActive('actors', managerId, fieldOf(ctx, 'manager_id'), 'actor', ctx.day);
  checkNoCycle(ctx, actor.id, manager.id);
  if (line) ctx.wg.update('reportingLines', line.id, { managerId: manager.id });
  else ctx.wg.create('reportingLines', { id: ctx.newId(), actorId: actor.id, managerId: manager.id, validFrom: ctx.command.date ?? null, validTo: null });
}

function checkNoCycle(ctx: OpContext, actorId: string, managerId: string): void {
  const seen = new Set<string>();
  for (let at: string | undefined = managerId; at && !seen.has(at); at = currentLine(ctx, at)?.managerId) {
    if (at === actorId) throw new InvalidInput(fieldOf(ctx, 'manager_id'), 'would make the actor report to themselves through the chain (a cycle)');
    seen.add(at);
  }
}

export function addPlacement(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  const isPrimary = ctx.command.is_primary ?? false;
  if (isPrimary && activePlacements(ctx, actor.id).some((p) => p.isPrimary)) {
    throw new InvalidInput(fieldOf(ctx, 'is_primary'), 'the actor already has a primary placement; use move_placement to move it');
  }
  const positionId = optionalId(ctx, 'position_id');
  if (positionId) ctx.wg.requireActive('positions', positionId, fieldOf(ctx, 'position_id'), 'position', ctx.day);
  const id = ctx.newId();
  ctx.wg.create('placements', {
    id,
    actorId: actor.id,
    orgUnitId: unit.id,
    positionId,
    isPrimary,
    allocationPct: checkAllocation(ctx, requiredNumber(ctx, 'allocation_pct')),
    validFrom: ctx.command.date ?? null,
    validTo: null,
  });
  ctx.created.push({ family: 'placements', id });
}

export function movePlacement(ctx: OpContext): void {
  const placement = ctx.wg.requireActive('placements', requiredString(ctx, 'placement_id'), fieldOf(ctx, 'placement_id'), 'placement', ctx.day);
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  ctx.wg.update('placements', placement.id, { orgUnitId: unit.id });
}

export function setAllocation(ctx: OpContext): void {
  const placement = ctx.wg.requireActive('placements', requiredString(ctx, 'placement_id'), fieldOf(ctx, 'placement_id'), 'placement', ctx.day);
  ctx.wg.update('placements', placement.id, { allocationPct: checkAllocation(ctx, requiredNumber(ctx, 'allocation_pct')) });
}

export function endPlacement(ctx: OpContext): void {
  const placement = ctx.wg.requireActive('placements', requiredString(ctx, 'placement_id'), fieldOf(ctx, 'placement_id'), 'placement', ctx.day);
  if (placement.isPrimary) {
    throw new InvalidInput(fieldOf(ctx, 'placement_id'), 'is the actor’s primary placement; move it, or deactivate the actor');
  }
  ctx.wg.update('placements', placement.id, { validTo: ctx.day });
}

export function setFte(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  ctx.wg.update('actors', actor.id, { fte: checkFte(ctx, requiredNumber(ctx, 'fte')) });
}

export function addActor(ctx: OpContext): void {
  const { command } = ctx;
  const kind = requiredString(ctx, 'kind') as ActorKind;
  if (!(ACTOR_KINDS as readonly string[]).includes(kind)) throw new InvalidInput(fieldOf(ctx, 'kind'), 'must be human, robot or agent');
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  const fte = command.fte == null ? (kind === 'human' ? 1 : null) : checkFte(ctx, command.fte);
  const email = command.email?.trim() || null;
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InvalidInput(fieldOf(ctx, 'email'), 'must be an email address');
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
    title: command.title?.trim() || null,
    level: null,
    validFrom: command.date ?? null,
    validTo: null,
  };
  const positionId = optionalId(ctx, 'position_id');
  if (positionId) ctx.wg.requireActive('positions', positionId, fieldOf(ctx, 'position_id'), 'position', ctx.day);
  ctx.wg.create('actors', actor);
  const placementId = ctx.newId();
  ctx.wg.create('placements', { id: placementId, actorId: id, orgUnitId: unit.id, positionId, isPrimary: true, allocationPct: 100, validFrom: actor.validFrom, validTo: null });
  const managerId = optionalId(ctx, 'manager_id');
  if (managerId) {
    ctx.wg.requireActive('actors', managerId, fieldOf(ctx, 'manager_id'), 'actor', ctx.day);
    ctx.wg.create('reportingLines', { id: ctx.newId(), actorId: id, managerId, validFrom: actor.validFrom, validTo: null });
  }
  ctx.created.push({ family: 'actors', id }, { family: 'placements', id: placementId });
}

export function deactivateActor(ctx: OpContext): void {
  const actor = ctx.wg.requireActive('actors', requiredString(ctx, 'actor_id'), fieldOf(ctx, 'actor_id'), 'actor', ctx.day);
  const reports = ctx.wg.where('reportingLines', 'managerId', actor.id).filter((l) => inEffect(l, ctx.day));
  const activeReports = reports.filter((l) => {
    const report = ctx.wg.get('actors', l.actorId);
    return report !== undefined && inEffect(report, ctx.day);
  });
  if (activeReports.length) {
    throw new InvalidInput(fieldOf(ctx, 'actor_id'), `still manages ${activeReports.length} active actor(s); give them another manager first`);
  }
  ctx.wg.update('actors', actor.id, { validTo: ctx.day });
  for (const placement of activePlacements(ctx, actor.id)) ctx.wg.update('placements', placement.id, { validTo: ctx.day });
  const line = currentLine(ctx, actor.id);
  if (line) ctx.wg.update('reportingLines', line.id, { validTo: ctx.day });
}
