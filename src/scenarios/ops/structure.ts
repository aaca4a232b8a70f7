import { InvalidInput } from '../../errors.js';
import type { Department, OrgUnit, OrgUnitType } from '../../org/types.js';
import { OP_FIELD_LISTS } from '../op-fields.js';
import { fieldOf, optionalId, requiredString, type OpContext } from './context.js';
import { endOnDay, onOrAfter, requireUndated } from './dated.js';
import { refused } from './refusals.js';
import { refuseUnitClosingBefore } from './ends-before.js';
import { counted, listed, quoted } from '../../util/words.js';
import { nameKey } from '../../util/words.js';
import type { WorkingGraph } from '../working-graph.js';
import { oneOf } from '../../util/choice.js';

/** Org unit and team commands: create, rename, move (no cycles), close (no orphans), team metadata. */

/** The org unit types a department or team may sit under (create_org_unit, move_org_unit; the tray offers only these). */
export const ALLOWED_PARENTS: Record<'department' | 'team', readonly OrgUnitType[]> = {
  department: ['company', 'department'],
  team: ['company', 'department'],
};

/** Any unit a department or team may sit under. */
export const PARENT_TYPES: readonly OrgUnitType[] = [...new Set([...ALLOWED_PARENTS.department, ...ALLOWED_PARENTS.team])];

function checkParent(ctx: OpContext, type: OrgUnitType, parent: OrgUnit): void {
  const allowed = ALLOWED_PARENTS[type as 'department' | 'team'];
  if (allowed && !allowed.includes(parent.type)) {
    throw new InvalidInput(fieldOf(ctx, 'parent_id'), `a ${type} cannot sit under a ${parent.type}; choose a ${allowed.join(' or ')}`);
  }
}

/**
 * Two active units of one parent may not share a name (ignoring case and spaces, as scenario names): lists, pickers
 * and charts could not tell them apart. Refused on `field`, naming the unit that has the name — in the details too
 * (`name_taken`), with the change of the batch that creates it, if one does, so a page can name it instead of an id
 * that exists nowhere yet; `self` is the unit renamed or moved. Siblings on the day or planned for later count.
 */
function refuseSiblingName(ctx: OpContext, parent: OrgUnit, name: string, field: string, self?: string): void {
  const clash = siblingNamed(ctx.wg, parent.id, name, ctx.day, self);
  if (!clash) return;
  const change = ctx.createdBy.get(clash.id);
  throw refused(fieldOf(ctx, field), siblingProblem(parent, clash), {
    reason: 'name_taken',
    kind: 'org_unit',
    id: clash.id,
    parent_id: parent.id,
    ...(change === undefined ? {} : { change }),
  });
}

/** The other active unit of `parentId` (on `day` or planned for later) named `name`, ignoring case and spaces, if any. */
export function siblingNamed(wg: WorkingGraph, parentId: string, name: string, day: string, self?: string): OrgUnit | undefined {
  const key = nameKey(name);
  return wg.where('orgUnits', 'parentId', parentId).find((u) => u.id !== self && onOrAfter(u, day) && nameKey(u.name) === key);
}

export function siblingProblem(parent: OrgUnit, clash: OrgUnit): string {
  return `${quoted(parent.name)} already has an active unit named ${quoted(clash.name)} (${clash.id}): choose another name, or rename or close that one first`;
}

/** The units from `parentId` up to `unitId` when putting the unit there would put it under itself; null when it would not. */
export function unitCycle(wg: WorkingGraph, unitId: string, parentId: string): OrgUnit[] | null {
  const chain: OrgUnit[] = [];
  for (let at = wg.get('orgUnits', parentId); at && !chain.includes(at); at = wg.get('orgUnits', at.parentId)) {
    chain.push(at);
    if (at.id === unitId) return chain;
  }
  return null;
}

export function createOrgUnit(ctx: OpContext): void {
  const name = requiredString(ctx, 'name');
  const type = oneOf(fieldOf(ctx, 'type'), ['department', 'team'] as const, requiredString(ctx, 'type'));
  const parent = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'parent_id'), fieldOf(ctx, 'parent_id'), 'org unit', ctx.day);
  checkParent(ctx, type, parent);
  refuseUnitClosingBefore(ctx, 'parent_id', parent, 'org unit', null);
  refuseSiblingName(ctx, parent, name, 'name');
  refuseOtherTypesFields(ctx, type);
  // A department's type is required (reference: departments and department types); checked before anything is made.
  const departmentTypeId = type === 'department' ? requiredDepartmentType(ctx) : null;
  const id = ctx.newId();
  const { wg, command } = ctx;
  wg.create('orgUnits', { id, parentId: parent.id, type, name, code: command.code?.trim() || null, validFrom: ctx.day, validTo: null });
  if (type === 'department') {
    wg.create('departments', { orgUnitId: id, departmentTypeId, costCenter: null, leadActorId: null, description: null });
  } else {
    wg.create('teams', { orgUnitId: id, teamTypeId: checkTeamType(ctx), purpose: command.purpose?.trim() || null });
  }
  ctx.created.push({ family: 'org_units', id });
}

/**
 * A system unit (the Unassigned bucket, where whoever has no placement is shown) belongs to Orgonaut, not to the
 * organisation's design: it is not renamed, moved or closed.
 */
function requireDesignedUnit(ctx: OpContext, unit: OrgUnit, what: string): void {
  if (unit.type === 'system') {
    throw new InvalidInput(fieldOf(ctx, 'org_unit_id'), `is the system unit “${unit.name}”, which Orgonaut keeps: it cannot be ${what}`);
  }
}

/** Org units keep one name, parent and team metadata, without history: these changes refuse a `date` (see `requireUndated`). */
export function renameOrgUnit(ctx: OpContext): void {
  requireUndated(ctx, 'an org unit’s name');
  const unit = ctx.wg.require('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit');
  requireDesignedUnit(ctx, unit, 'renamed');
  const name = requiredString(ctx, 'name');
  const parent = ctx.wg.get('orgUnits', unit.parentId);
  if (parent && onOrAfter(unit, ctx.day)) refuseSiblingName(ctx, parent, name, 'name', unit.id);
  ctx.wg.update('orgUnits', unit.id, { name });
}

export function moveOrgUnit(ctx: OpContext): void {
  requireUndated(ctx, 'an org unit’s parent');
  const unit = ctx.wg.require('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit');
  requireDesignedUnit(ctx, unit, 'moved');
  const parent = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'parent_id'), fieldOf(ctx, 'parent_id'), 'org unit', ctx.day);
  if (unit.type === 'company') throw new InvalidInput(fieldOf(ctx, 'org_unit_id'), 'the company is the root and cannot move');
  checkParent(ctx, unit.type, parent);
  if (unitCycle(ctx.wg, unit.id, parent.id)) throw new InvalidInput(fieldOf(ctx, 'parent_id'), 'would put the org unit under itself (a cycle)');
  if (parent.id !== unit.parentId && onOrAfter(unit, ctx.day)) refuseUnitClosingBefore(ctx, 'parent_id', parent, 'org unit', unit.validTo);
  if (parent.id !== unit.parentId && onOrAfter(unit, ctx.day)) refuseSiblingName(ctx, parent, unit.name, 'parent_id', unit.id);
  ctx.wg.update('orgUnits', unit.id, { parentId: parent.id });
}

export function closeOrgUnit(ctx: OpContext): void {
  const unit = ctx.wg.requireActive('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit', ctx.day);
  if (unit.type === 'company') throw new InvalidInput(fieldOf(ctx, 'org_unit_id'), 'the company cannot be closed');
  requireDesignedUnit(ctx, unit, 'closed');
  // On the day or planned for later (a placement moved in from a later date counts too). Everything still in the
  // unit is named in one refusal, so the planner moves it all in one more attempt, not one kind per attempt.
  const children = ctx.wg.where('orgUnits', 'parentId', unit.id).filter((u) => onOrAfter(u, ctx.day));
  const placed = ctx.wg.where('placements', 'orgUnitId', unit.id).filter((p) => onOrAfter(p, ctx.day));
  const open = ctx.wg.where('positions', 'orgUnitId', unit.id).filter((p) => onOrAfter(p, ctx.day));
  const seats = open.length ? `${counted(open.length, 'open position')}: ${open.map((p) => `${p.title} (${p.id})`).join(', ')}` : '';
  if (children.length || placed.length) {
    const what = listed([
      ...(children.length ? [counted(children.length, 'active child unit')] : []),
      ...(placed.length ? [counted(placed.length, 'active placement')] : []),
      ...(seats ? [seats] : []),
    ]);
    throw refused(fieldOf(ctx, 'org_unit_id'), `still has ${what} on or after ${ctx.day}; move them first so nothing is orphaned`, {
      reason: 'unit_not_empty',
      child_units: children.map((u) => u.id),
      placements: placed.map((p) => p.id),
      positions: open.map((p) => p.id),
      from: ctx.day,
      suggested_op: 'move_placement',
      alternative_op: 'move_org_unit',
    });
  }
  if (open.length) {
    throw refused(
      fieldOf(ctx, 'org_unit_id'),
      `still has ${seats}; move them to another unit (update_position, which ` +
        'keeps each seat) or close them first (close_position), so no budgeted seat is orphaned',
      { reason: 'open_positions', positions: open.map((p) => p.id), from: ctx.day, suggested_op: 'update_position', alternative_op: 'close_position' },
    );
  }
  // A unit closed on the day it starts never was: removed with its department or team record.
  if (unit.validFrom !== null && unit.validFrom >= ctx.day) {
    if (ctx.wg.get('departments', unit.id)) ctx.wg.remove('departments', unit.id);
    if (ctx.wg.get('teams', unit.id)) ctx.wg.remove('teams', unit.id);
  }
  endOnDay(ctx, 'orgUnits', unit);
}

export function updateTeam(ctx: OpContext): void {
  requireUndated(ctx, 'a team’s type and purpose');
  const unit = ctx.wg.require('orgUnits', requiredString(ctx, 'org_unit_id'), fieldOf(ctx, 'org_unit_id'), 'org unit');
  if (unit.type !== 'team') throw new InvalidInput(fieldOf(ctx, 'org_unit_id'), 'is not a team');
  const fields: { teamTypeId?: string | null; purpose?: string | null } = {};
  if (ctx.command.team_type_id !== undefined) fields.teamTypeId = checkTeamType(ctx);
  // null or an empty (blank) purpose clears it, on every surface alike.
  if (ctx.command.purpose !== undefined) fields.purpose = ctx.command.purpose?.trim() || null;
  if (!Object.keys(fields).length) throw new InvalidInput(fieldOf(ctx, 'team_type_id'), 'give team_type_id or purpose to change');
  if (ctx.wg.get('teams', unit.id)) ctx.wg.update('teams', unit.id, fields);
  else ctx.wg.create('teams', { orgUnitId: unit.id, teamTypeId: null, purpose: null, ...fields });
}

/**
 * Changes a department's details — its type, cost center, lead and description — in place, from today (kept without
 * history, as a team's: a `date` is refused). A department keeps a type (one of the tenant's; it cannot be cleared);
 * a blank (or null) cost center, lead or description clears it. The lead is an actor in effect today (leadership
 * metadata only: they need not be placed in the department). A team is refused with the op that changes one; the
 * name is rename_org_unit's. Fields not given stay; the same value changes nothing.
 */
export function updateDepartment(ctx: OpContext): void {
  const { command } = ctx;
  const unitId = requiredString(ctx, 'org_unit_id');
  requireUndated(ctx, 'a department’s type, cost center, lead and description');
  const unit = ctx.wg.require('orgUnits', unitId, fieldOf(ctx, 'org_unit_id'), 'org unit');
  if (unit.type !== 'department') {
    const instead = unit.type === 'team' ? ': use update_team for a team’s type and purpose' : '';
    throw new InvalidInput(fieldOf(ctx, 'org_unit_id'), `is a ${unit.type}, not a department${instead} (a unit’s name is changed with rename_org_unit)`);
  }
  if (!onOrAfter(unit, ctx.day)) {
    throw refused(fieldOf(ctx, 'org_unit_id'), `that department was closed on ${unit.validTo}, so it is not changed any more`, {
      reason: 'not_active',
      kind: 'org_unit',
      id: unit.id,
      day: ctx.day,
      ended_on: unit.validTo!,
    });
  }
  const updatable = OP_FIELD_LISTS.update_department.optional;
  if (!updatable.some((field) => command[field] !== undefined)) {
    throw new InvalidInput(ctx.path, `names nothing to change: give one or more of ${updatable.join(', ')} (a name is changed with rename_org_unit)`);
  }
  const fields: Partial<Department> = {};
  if (command.department_type_id !== undefined) fields.departmentTypeId = requiredDepartmentType(ctx, 'a department keeps a type: give another of this tenant’s department types (settings), or leave the field out to keep it');
  if (command.cost_center !== undefined) fields.costCenter = command.cost_center?.trim() || null;
  if (command.description !== undefined) fields.description = command.description?.trim() || null;
  if (command.lead_actor_id !== undefined) {
    const leadId = optionalId(ctx, 'lead_actor_id');
    fields.leadActorId = leadId && ctx.wg.requireActive('actors', leadId, fieldOf(ctx, 'lead_actor_id'), 'actor', ctx.day).id;
  }
  const department = ctx.wg.get('departments', unit.id);
  if (!department) {
    ctx.wg.create('departments', { orgUnitId: unit.id, departmentTypeId: null, costCenter: null, leadActorId: null, description: null, ...fields });
    return;
  }
  const changed = Object.fromEntries(Object.entries(fields).filter(([key, value]) => department[key as keyof Department] !== value)) as Partial<Department>;
  if (Object.keys(changed).length) ctx.wg.update('departments', unit.id, changed);
}

/**
 * A team's type or purpose given for a new department (or a department type for a new team) would be dropped without
 * a word — the unit made without what was asked: refused on that field, saying what the other type has instead.
 */
function refuseOtherTypesFields(ctx: OpContext, type: 'department' | 'team'): void {
  const { command } = ctx;
  if (type === 'department') {
    if (command.team_type_id?.trim()) throw new InvalidInput(fieldOf(ctx, 'team_type_id'), 'is for a team; a department has a department type (department_type_id)');
    if (command.purpose?.trim()) throw new InvalidInput(fieldOf(ctx, 'purpose'), 'is for a team; a department has none');
  } else if (command.department_type_id?.trim()) {
    throw new InvalidInput(fieldOf(ctx, 'department_type_id'), 'is for a department; a team may have a team type (team_type_id)');
  }
}

function requiredDepartmentType(ctx: OpContext, missing = 'is required for a department: give one of this tenant’s department types (settings)'): string {
  const departmentTypeId = optionalId(ctx, 'department_type_id');
  if (!departmentTypeId) throw new InvalidInput(fieldOf(ctx, 'department_type_id'), missing);
  if (!ctx.references.departmentTypes.has(departmentTypeId)) {
    throw new InvalidInput(fieldOf(ctx, 'department_type_id'), 'no such department type in this tenant');
  }
  return departmentTypeId;
}

function checkTeamType(ctx: OpContext): string | null {
  const teamTypeId = optionalId(ctx, 'team_type_id');
  if (teamTypeId && !ctx.references.teamTypes.has(teamTypeId)) {
    throw new InvalidInput(fieldOf(ctx, 'team_type_id'), 'no such team type in this tenant');
  }
  return teamTypeId;
}
