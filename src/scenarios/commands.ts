import { z } from 'zod';
import type { Ability } from '../access/abilities.js';
import { ISO_DATE_RULE } from '../org/dates.js';

/**
 * The typed change commands of a scenario batch (the "change tray"). On the wire a command is one flat object
 * `{ op, …fields }` — no unions, so every client and model API accepts the schema — and each op's required fields
 * are checked per op (`requireFields`). Ids of records a command creates are chosen by the server; a command may
 * name what it creates (`ref`) for later commands of its batch to use as `$<ref>` in their id fields.
 */
export const CHANGE_OPS = {
  create_org_unit: { needs: [], summary: 'Create a department or team under a parent org unit' },
  rename_org_unit: { needs: [], summary: 'Rename an org unit (from today: names have no history, no date)' },
  move_org_unit: { needs: [], summary: 'Move an org unit (and its subtree) under another parent (from today: parents have no history, no date)' },
  close_org_unit: { needs: ['scenarios.delete'], summary: 'Close an empty org unit from a date' },
  update_team: { needs: [], summary: "Change a team's type or purpose (from today: no history, no date)" },
  set_manager: { needs: [], summary: "Change an actor's solid-line manager (empty manager_id removes it)" },
  add_placement: { needs: [], summary: 'Place an actor in an org unit with an allocation' },
  move_placement: { needs: [], summary: 'Move a placement to another org unit from a date (a new placement continues it)' },
  set_allocation: { needs: [], summary: "Change a placement's allocation (0–300 %) from a date (a new placement continues it)" },
  end_placement: { needs: ['scenarios.delete'], summary: 'End a secondary placement from a date' },
  set_primary_placement: {
    needs: [],
    summary: "Make an actor's secondary placement their primary from a date; their current primary becomes secondary (new placements continue both)",
  },
  set_fte: {
    needs: [],
    summary: "Set an actor's contracted FTE (0.01–3.00), or clear a robot's or agent's (null), from today (FTE has no history, no date)",
  },
  add_actor: { needs: [], summary: 'Add a person, robot or AI agent with a primary placement' },
  deactivate_actor: { needs: ['scenarios.delete'], summary: 'Deactivate an actor from a date, ending their placements, reporting line and pay' },
  create_position: { needs: [], summary: 'Create a budgeted position (a seat) in an org unit, or with no budgeted team yet' },
  fill_position: { needs: [], summary: "Fill a vacant position with an actor's primary placement from a date" },
  close_position: { needs: ['scenarios.delete'], summary: 'Close a vacant position from a date' },
  update_position: {
    needs: [],
    summary:
      "Change a position's title, role type, planned FTE, employment type, target pay or budgeted org unit, keeping its id (from today: a position's fields have no history, no date)",
  },
  set_compensation: { needs: ['costs.read'], summary: "Change an actor's salary or day rate from a date" },
  update_actor: {
    needs: [],
    summary: "Change an actor's name, job title, email or level, keeping its id (from today: these fields have no history, no date)",
  },
  update_department: {
    needs: [],
    summary: "Change a department's type, cost center, lead or description (from today: no history, no date)",
  },
} as const satisfies Record<string, { needs: Ability[]; summary: string }>;

export type ChangeOp = keyof typeof CHANGE_OPS;
export const CHANGE_OP_NAMES = Object.keys(CHANGE_OPS) as [ChangeOp, ...ChangeOp[]];

const id = z.string().max(64);
const optionalText = (max: number) => z.string().max(max).optional();

/** One command: `op` plus the flat fields that op uses (see CHANGE_OPS and docs). */
export const ChangeCommandSchema = z
  .object({
    op: z.enum(CHANGE_OP_NAMES).describe('What to change; see capability.explain for each op.'),
    org_unit_id: id
      .nullable()
      .optional()
      .describe(
        'The org unit to change, or where a placement/actor/position goes; create_position: the budgeted team, optional (left out: no budgeted team yet); in update_position null or an empty string clears it',
      ),
    parent_id: id.optional().describe('New parent org unit (create_org_unit, move_org_unit)'),
    actor_id: id.optional(),
    manager_id: id.nullable().optional().describe('set_manager / add_actor: the manager; empty or null removes'),
    placement_id: id.optional(),
    position_id: id.optional(),
    name: optionalText(200).describe('create_org_unit / rename_org_unit'),
    type: z.string().max(20).optional().describe('create_org_unit: department | team'),
    code: optionalText(50),
    team_type_id: id.nullable().optional().describe('create_org_unit / update_team: a team type of the tenant; in update_team null or an empty string clears it'),
    department_type_id: id.nullable().optional().describe('create_org_unit: required for a department; update_department: its new type'),
    cost_center: z.string().max(100).nullable().optional().describe("update_department: the department's cost center; null or an empty string clears it"),
    lead_actor_id: id.nullable().optional().describe("update_department: the actor who leads the department (active); null or an empty string clears it"),
    description: z.string().max(2000).nullable().optional().describe("update_department: the department's description; null or an empty string clears it"),
    purpose: z.string().max(2000).nullable().optional().describe("create_org_unit / update_team: the team's purpose; in update_team null or an empty string clears it"),
    kind: z.string().max(20).optional().describe('add_actor: human | robot | agent; set_compensation: salary | day_rate'),
    display_name: optionalText(200).describe('add_actor / update_actor: the name shown for the actor'),
    email: z.string().max(254).nullable().optional().describe('add_actor / update_actor; in update_actor null or an empty string clears it'),
    title: z
      .string()
      .max(200)
      .nullable()
      .optional()
      .describe('add_actor / update_actor: the job title (in update_actor null or an empty string clears it); create_position / update_position: the position’s title'),
    level: z.string().max(100).nullable().optional().describe('update_actor: the level or grade; null or an empty string clears it'),
    fte: z.number().nullable().optional().describe("0.01–3.00; set_fte: null clears a robot's or agent's FTE (a person needs one)"),
    allocation_pct: z.number().optional().describe('0–300'),
    is_primary: z.boolean().optional(),
    planned_fte: z.number().optional(),
    employment_type: z.string().max(20).optional().describe('perm | contractor'),
    role_type: z.string().max(100).nullable().optional().describe('create_position / update_position; in update_position null or an empty string clears it'),
    target_salary_minor: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe(
        "Integer minor units (cents); in update_position a salary replaces a day rate, and null (with no new amount) clears the seat's target pay — salary or day rate — and its currency",
      ),
    day_rate_minor: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe("Integer minor units (cents); in update_position a day rate replaces a salary, and null (with no new amount) clears the seat's target pay and its currency"),
    amount_minor: z.number().int().optional().describe('set_compensation: integer minor units (cents)'),
    currency: z.string().max(3).optional().describe('ISO 4217 code of an active tenant currency'),
    ref: z
      .string()
      .max(40)
      .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, - and _ only')
      .optional()
      .describe(
        'create_org_unit, add_actor, add_placement, create_position: a name for the record this change creates, so later changes of the same batch can name it as "$<ref>" in an id field (e.g. ref "platform", then org_unit_id "$platform")',
      ),
    date: z
      .string()
      .max(10, ISO_DATE_RULE)
      .optional()
      .describe(
        'YYYY-MM-DD the change takes effect (default today); set_fte, move_org_unit, rename_org_unit, update_team, update_position, update_actor and update_department refuse any other day than today (no history)',
      ),
  })
  .strict();

export type ChangeCommand = z.infer<typeof ChangeCommandSchema>;

export const MAX_BATCH = 2_000;

/**
 * The abilities a command needs beyond `scenarios.write`. Pay needs `costs.read` (SPEC §3: nobody edits pay they
 * cannot see): a new position's target pay, and any change to a position's target pay — a new amount, clearing it
 * (null), or its currency.
 */
export function abilitiesFor(command: Pick<ChangeCommand, 'op' | 'target_salary_minor' | 'day_rate_minor' | 'currency'>): Ability[] {
  const needs: Ability[] = ['scenarios.write', ...CHANGE_OPS[command.op].needs];
  const money =
    command.op === 'create_position'
      ? command.target_salary_minor != null || command.day_rate_minor != null
      : command.op === 'update_position' && (command.target_salary_minor !== undefined || command.day_rate_minor !== undefined || command.currency !== undefined);
  if (money) needs.push('costs.read');
  return needs;
}
