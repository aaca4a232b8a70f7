import type { ChangeCommand, ChangeOp } from './commands.js';
import { CHANGE_OP_NAMES } from './commands.js';

/**
 * The fields each change op reads (scenarios/ops/*), required first — one table for every surface: MCP builds its
 * per-op input notes on it, and REST and MCP both name an op's fields when a change carries one the op has not.
 */

export type ChangeField = Exclude<keyof ChangeCommand, 'op'>;

export interface OpFieldList {
  required: ChangeField[];
  optional: ChangeField[];
}

export const OP_FIELD_LISTS: Record<ChangeOp, OpFieldList> = {
  create_org_unit: { required: ['name', 'type', 'parent_id'], optional: ['code', 'department_type_id', 'team_type_id', 'purpose', 'ref', 'date'] },
  rename_org_unit: { required: ['org_unit_id', 'name'], optional: [] },
  move_org_unit: { required: ['org_unit_id', 'parent_id'], optional: [] },
  close_org_unit: { required: ['org_unit_id'], optional: ['date'] },
  update_team: { required: ['org_unit_id'], optional: ['team_type_id', 'purpose'] },
  set_manager: { required: ['actor_id'], optional: ['manager_id', 'date'] },
  add_placement: { required: ['actor_id', 'org_unit_id', 'allocation_pct'], optional: ['is_primary', 'position_id', 'ref', 'date'] },
  move_placement: { required: ['placement_id', 'org_unit_id'], optional: ['date'] },
  set_allocation: { required: ['placement_id', 'allocation_pct'], optional: ['date'] },
  end_placement: { required: ['placement_id'], optional: ['date'] },
  set_primary_placement: { required: ['placement_id'], optional: ['date'] },
  set_fte: { required: ['actor_id', 'fte'], optional: [] },
  add_actor: { required: ['kind', 'display_name', 'org_unit_id'], optional: ['fte', 'email', 'title', 'position_id', 'manager_id', 'ref', 'date'] },
  deactivate_actor: { required: ['actor_id'], optional: ['date'] },
  create_position: {
    required: ['title'],
    optional: ['org_unit_id', 'role_type', 'planned_fte', 'employment_type', 'target_salary_minor', 'day_rate_minor', 'currency', 'ref', 'date'],
  },
  fill_position: { required: ['position_id', 'actor_id'], optional: ['date'] },
  close_position: { required: ['position_id'], optional: ['date'] },
  update_position: {
    required: ['position_id'],
    optional: ['title', 'role_type', 'planned_fte', 'employment_type', 'target_salary_minor', 'day_rate_minor', 'currency', 'org_unit_id'],
  },
  set_compensation: { required: ['actor_id', 'kind', 'amount_minor', 'currency'], optional: ['date'] },
  update_actor: { required: ['actor_id'], optional: ['display_name', 'title', 'email', 'level'] },
  update_department: { required: ['org_unit_id'], optional: ['department_type_id', 'cost_center', 'lead_actor_id', 'description'] },
};

/** The command fields that carry an amount of money (integer minor units). */
export const COMMAND_MONEY_FIELDS: readonly ChangeField[] = ['target_salary_minor', 'day_rate_minor', 'amount_minor'];

/** The fields an op takes, required first. */
export const fieldsOf = (op: ChangeOp): ChangeField[] => [...OP_FIELD_LISTS[op].required, ...OP_FIELD_LISTS[op].optional];

/** The ops that read a field. */
export const opsUsing = (field: ChangeField): ChangeOp[] => CHANGE_OP_NAMES.filter((op) => fieldsOf(op).includes(field));

/**
 * The first field a change gives that its op does not read (`set_fte` with a `manager_id`), or undefined. `date`
 * counts as read by every op: an op without history refuses it with its own reason (`undated_only`). `given` says
 * what counts as a value on the surface (REST: not null; MCP: not blank either).
 */
export function fieldNotRead(change: { op: ChangeOp } & Record<string, unknown>, given: (field: string) => boolean): string | undefined {
  const takes = new Set<string>([...fieldsOf(change.op), 'date']);
  return Object.keys(change).find((field) => field !== 'op' && given(field) && !takes.has(field));
}

/** "is not a field of add_actor, which takes …", and where pay goes when the field looks like pay (`salary`). */
export function notAFieldOf(op: ChangeOp, field: string): string {
  const fields = fieldsOf(op);
  const own = fields.filter((f) => COMMAND_MONEY_FIELDS.includes(f));
  const pay = !/salary|pay|compensation|wage|amount|rate|cost/i.test(field)
    ? ''
    : own.length
      ? `; pay here is ${own.join(' or ')}, in minor units (cents) with currency`
      : '; pay is its own change: set_compensation with actor_id (the "$<ref>" of an add_actor in the same list), kind, amount_minor (cents) and currency';
  return `is not a field of ${op}, which takes ${fields.join(', ')}${pay}`;
}

/**
 * The reason for a field a change carries that no op has (`salary`), which a strict item schema refuses before the
 * op is looked at: named like a field the op does not read, when the change names a known op.
 */
export function unknownChangeField(change: unknown, field: string): string | undefined {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) return undefined;
  const op = (change as { op?: unknown }).op;
  if (typeof op !== 'string' || !(CHANGE_OP_NAMES as readonly string[]).includes(op)) return undefined;
  return notAFieldOf(op as ChangeOp, field);
}
