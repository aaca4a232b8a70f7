import { z } from 'zod';
import type { Ability } from '../access/abilities.js';
import {
  abilitiesFor as commandAbilities,
  CHANGE_OP_NAMES,
  CHANGE_OPS,
  ChangeCommandSchema,
  type ChangeCommand,
  type ChangeOp,
} from '../scenarios/commands.js';
import { MAX_MINOR_AMOUNT } from '../scenarios/ops/context.js';
import { COMMAND_MONEY_FIELDS, fieldNotRead, notAFieldOf, OP_FIELD_LISTS, opsUsing, type ChangeField } from '../scenarios/op-fields.js';
import { isRecord, jsonList } from './registry.js';
import { clearsWhenBlank } from './blank-clears.js';

/**
 * The `changes` argument of `scenario.action.plan`: an array of flat `{ op, …fields }` objects (SPEC §5). The MCP
 * schema is the core ChangeCommandSchema made union-free — every field a plain optional primitive (no `nullable`,
 * so no `anyOf`), blank strings meaning "absent" (the boundary drops them) — plus, for the assistant, which fields
 * each op takes. The core schema and the ops re-validate every command (scenarios/run-commands.ts).
 */

type Field = ChangeField;

/** What each field means (the ops that use it are appended from OP_FIELD_LISTS). */
const FIELDS: Record<Field, string> = {
  org_unit_id:
    'An org unit id (from `org.units.list` with the same scenario_id). create_position: the budgeted team, optional (left out, the seat has no budgeted team yet). ' +
    'update_position: the unit to move the seat to; an empty string "" clears it (no budgeted team, only for a vacant seat).',
  parent_id: 'The parent org unit id (a company or department).',
  actor_id: 'An actor id (from `org.actors.list` with the same scenario_id).',
  manager_id: 'The manager’s actor id. In set_manager, omit it to remove the manager.',
  placement_id: 'A placement id (from `org.placements.list`).',
  position_id: 'A position id (from `org.positions.list`).',
  name: 'The org unit’s name.',
  type: 'department or team.',
  code: 'A short code for the org unit.',
  team_type_id: 'A team type id of this tenant: `org.settings.get` lists the team types by name (or copy the team_type_id of a team of that type from `org.teams.list`); in update_team an empty string "" clears it.',
  department_type_id:
    'A department type id of this tenant, required when creating a department: `org.settings.get` lists the department types by name (or copy the department_type_id of a department of that type from `org.departments.list`).',
  purpose: 'The team’s purpose; in update_team an empty string "" (or null) clears it.',
  cost_center: 'The department’s cost center; an empty string "" clears it.',
  lead_actor_id: 'The actor id of the department’s lead (active; need not be placed there); an empty string "" clears it.',
  description: 'The department’s description; an empty string "" clears it.',
  kind: 'add_actor: human, robot or agent. set_compensation: salary or day_rate.',
  display_name: 'The name shown for the actor.',
  email: 'The person’s email address, not another active actor’s (ignoring case; a leaver’s may be reused); in update_actor an empty string "" clears it.',
  title: 'add_actor, update_actor: the job title (in update_actor "" clears it). create_position, update_position: the position’s title.',
  level: 'The actor’s level or grade (free text); an empty string "" clears it.',
  fte: 'Contracted FTE, 0.01–3.00 (add_actor: default 1 for humans, none for robots and agents). set_fte: null or "" clears a robot’s or agent’s (a person needs one).',
  allocation_pct: 'Share of the actor’s FTE in this placement, 0–300 (%).',
  is_primary: 'Whether this is the actor’s primary placement (exactly one per actor). Default false.',
  planned_fte: 'Planned FTE of the seat, 0.01–3.00. Default 1 (create_position).',
  employment_type: 'perm or contractor. Default perm (create_position).',
  role_type: 'The role type of the seat (free text); in update_position an empty string "" clears it.',
  target_salary_minor:
    'Annual target salary in minor units of the currency (cents; whole yen for JPY), with currency; needs costs.read. Not with day_rate_minor; in update_position it replaces a day rate, and an empty string "" clears the seat’s target pay (salary or day rate, and its currency).',
  day_rate_minor:
    'Day rate in minor units of the currency (cents; whole yen for JPY), with currency; needs costs.read. In update_position it replaces a salary, and an empty string "" clears the seat’s target pay.',
  amount_minor: 'The annual salary or the day rate in minor units of the currency (cents; whole yen for JPY): 6500000 EUR is 65,000.00 EUR.',
  currency: 'ISO 4217 code of an active currency of the tenant (see `org.settings.get`).',
  ref:
    'A name for the record this change creates (letters, digits, - and _), so a later change of the same list can ' +
    'name it as "$<ref>" in an id field: ref "platform" on create_org_unit, then org_unit_id "$platform" on ' +
    'move_placement. The confirmed outcome\'s `created` shows each ref with its id.',
  date:
    'YYYY-MM-DD the change takes effect. Default today. Effective-dated: what was in effect that day ends there and ' +
    'the new value starts (reads as of earlier dates are unchanged). Only for the ops that list it: set_fte, ' +
    'move_org_unit, rename_org_unit and update_team change fields the model keeps no history of and refuse a date ' +
    'other than today; update_position, update_actor and update_department have no date (those fields have no history).',
};


/** For the ops that change a field the model keeps no history of (see `requireUndated` in scenarios/ops/dated.ts). */
const noHistory = (what: string) =>
  `${what} has no history: the change applies from today (and reads as of earlier dates show it too); a date other than today is refused.`;

/** For the placement changes (see `changeFromDay` in scenarios/ops/dated.ts). */
const fromDate = (placement: string, how: string) =>
  `From date (default today) ${placement} ends and a new placement continues it ${how} (a new id, returned in ` +
  '`created`; same actor, primary flag, position and allocation otherwise); reads as of earlier dates are unchanged. ' +
  'Later changes may still name the old placement_id.';

/** What to know about each op beyond its fields (OP_FIELD_LISTS in scenarios/op-fields.ts says which it reads). */
const OP_NOTES: Partial<Record<ChangeOp, string>> = {
  create_org_unit: 'A department needs department_type_id (the types by name are in `org.settings.get`); team_type_id (the same) and purpose are for teams, and refused on a department.',
  rename_org_unit: noHistory('An org unit’s name'),
  move_org_unit: `The subtree moves with it; the company cannot move. ${noHistory('An org unit’s parent')}`,
  close_org_unit: 'Only a unit without active child units or placements.',
  update_team: `Give team_type_id, purpose or both; an empty string "" clears either. ${noHistory('A team’s type and purpose')}`,
  set_manager: 'Without manager_id the manager is removed.',
  move_placement: `${fromDate('the placement', 'in the new org unit')} A position it filled in another unit stays there, vacant from the date.`,
  set_allocation: fromDate('the placement', 'with the new allocation'),
  end_placement: 'Not the primary placement: make another placement primary first (set_primary_placement), move it, or deactivate the actor.',
  set_primary_placement:
    'placement_id: one of the actor’s secondary placements; their current primary becomes secondary on the same day (one primary per actor). ' +
    'From date (default today) both placements end and new ones continue them with the flag flipped (new ids, returned in `created`; same unit, ' +
    'allocation and position); reads as of earlier dates are unchanged. Refused for the primary itself (`already_primary`).',
  set_fte: noHistory('An actor’s contracted FTE'),
  deactivate_actor: 'Ends their placements; they must manage nobody active. A department they lead is left without a lead (cleared from today; update_department gives it another).',
  create_position:
    'A target salary or day rate (with currency) needs costs.read. Without org_unit_id the seat has no budgeted team yet: it counts in the organisation’s ' +
    'total, and is filled only once update_position gives it an org_unit_id (fill_position refuses it until then).',
  fill_position: `The actor’s primary placement fills the vacant position. ${fromDate('that placement', 'holding the position')}`,
  close_position: 'Only a vacant position.',
  update_position: 'Give the fields to change; the others stay. The position keeps its id (and whoever fills it). Target pay needs ' +
      'costs.read: a new amount is in `currency` when given, else in the position’s own; target_salary_minor (or day_rate_minor) "" ' +
      'clears it, salary or day rate, with its currency (then give no currency). org_unit_id moves the seat to ' +
      'another open unit (merging teams: move the vacant seats, then close the old team); a seat that someone fills ' +
      'elsewhere does not move — move their placement there first (move_placement leaves the seat vacant), then ' +
      `update_position, then fill_position again, in one list. ${noHistory('A position’s fields')}`,
  update_actor:
    'Give the fields to change; the others stay, and the actor keeps their id, placements and pay (a promotion: a new title or level). ' +
    `Not for someone who has left. ${noHistory('An actor’s name, title, email and level')}`,
  update_department:
    'Give the fields to change; the others stay. A department keeps a type (department_type_id cannot be cleared). ' +
    `A team is changed with update_team, any unit’s name with rename_org_unit. ${noHistory('A department’s details')}`,
};

/** `op(required; optional)` for every op: the line the `op` field's description gives per op. */
const opSignature = (op: ChangeOp) => {
  const { required, optional } = OP_FIELD_LISTS[op];
  return `${op}(${required.join(', ')}${optional.length ? `; optional ${optional.join(', ')}` : ''})`;
};

/** The core field's type without optional/nullable: what the MCP schema advertises, made optional. */
function basePrimitive(schema: z.ZodType): z.ZodType {
  let at = schema;
  while (at instanceof z.ZodOptional || at instanceof z.ZodNullable) at = at.unwrap() as z.ZodType;
  return at;
}

const coreShape = ChangeCommandSchema.shape as Record<keyof ChangeCommand, z.ZodType>;

/** Money fields advertise the range the ops accept (a bare `int()` shows ±2^53 − 1, as if negative pay were fine). */
const minorAmount = z.number().int().min(0).max(MAX_MINOR_AMOUNT);

/**
 * A position's target pay: an amount as `minorAmount`, or blank (`""`, which the boundary also makes of `null`) to
 * clear it in update_position, handed on as the `null` the ops read as "clear". Advertised as the integer it
 * usually is: a union with the blank would put an `anyOf` in the JSON Schema, which some model APIs reject.
 */
const clearableAmount = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === '' || value === null || minorAmount.safeParse(value).success) return;
    ctx.addIssue({ code: 'custom', message: `must be a whole number of minor units (cents) from 0 to ${MAX_MINOR_AMOUNT.toLocaleString('en')}; in update_position "" clears the target pay` });
  })
  .meta({ type: 'integer', minimum: 0, maximum: MAX_MINOR_AMOUNT })
  .transform((value) => (value === '' ? null : value) as number | null);

/** An FTE, or blank (`""`, as the boundary keeps `null`): set_fte clears a robot's or agent's with it (SPEC §6); a number as advertised. */
const clearableFte = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === '' || value === null || (typeof value === 'number' && Number.isFinite(value))) return;
    ctx.addIssue({ code: 'custom', message: 'must be a number' });
  })
  .meta({ type: 'number' })
  .transform((value) => (value === '' ? null : value) as number | null);

/** The schema of a money field: a position's target pay may be cleared, other amounts (set_compensation's) not. */
const moneySchema = (field: Field): z.ZodType => (BLANK_CLEARS.includes(field) ? clearableAmount : minorAmount);

/**
 * A position's budgeted team, role type and target pay, a team's purpose and type, an actor's title, email and level, a
 * department's cost center, lead and description, a robot's or agent's FTE: blank ("" or null) clears them in
 * update_team, update_position, update_actor, update_department and set_fte (and is no value in the ops that create
 * records; a blank position title is refused).
 */
const BLANK_CLEARS: readonly Field[] = [
  'fte',
  'org_unit_id',
  'purpose',
  'team_type_id',
  'role_type',
  'target_salary_minor',
  'day_rate_minor',
  'title',
  'email',
  'level',
  'cost_center',
  'lead_actor_id',
  'description',
];
const clearable = <T extends z.ZodType>(schema: T, field: Field): T => (BLANK_CLEARS.includes(field) ? clearsWhenBlank(schema) : schema);

const fieldSchemas = Object.fromEntries(
  (Object.keys(FIELDS) as Field[]).map((field) => [
    field,
    clearable((COMMAND_MONEY_FIELDS.includes(field) ? moneySchema(field) : field === 'fte' ? clearableFte : basePrimitive(coreShape[field])).optional().describe(`${FIELDS[field]} Ops: ${opsUsing(field).join(', ')}.`), field),
  ]),
) as Record<Field, z.ZodOptional<z.ZodType>>;

/**
 * One change as the MCP schema shows it: `op` plus flat optional primitives; unknown fields refused, and so are
 * fields the op does not read (`set_fte` with a `manager_id` would otherwise plan an FTE change and silently drop the
 * manager the assistant meant to set). `date` is left to the ops, which explain why they refuse one.
 */
export const changeItem = z
  .strictObject({
    op: z.enum(CHANGE_OP_NAMES).describe(`What to change, and the fields each op takes: ${CHANGE_OP_NAMES.map(opSignature).join('; ')}.`),
    ...fieldSchemas,
  })
  .superRefine((change, ctx) => {
    // A blank purpose, team type or target pay the boundary kept (it clears them in update_team, update_position…)
    // is no value for the other ops.
    const given = (field: string) => {
      const value = change[field as keyof typeof change];
      return value !== undefined && !((value === '' || value === null) && BLANK_CLEARS.includes(field as Field));
    };
    const foreign = fieldNotRead(change, given);
    if (foreign) {
      // An assistant often sends the id it has (actor_id) for the one the op needs (placement_id): say where that is.
      const missing = OP_FIELD_LISTS[change.op].required.find((field) => change[field as keyof typeof change] === undefined && field in FIND_ID);
      const hint = missing ? `; find the ${missing} with ${FIND_ID[missing as keyof typeof FIND_ID]}` : '';
      ctx.addIssue({ code: 'custom', path: [foreign], message: `${notAFieldOf(change.op, foreign)}${hint}` });
    }
  });

/** Where the ids the ops need are listed. */
const FIND_ID = {
  placement_id: '`org.placements.list` (filter it by actor_id or org_unit_id)',
  position_id: '`org.positions.list` (filter it by org_unit_id)',
  actor_id: '`org.actors.list` or `search`',
  org_unit_id: '`org.units.list` or `search`',
} as const;

/** Per proposal. Larger reorganisations are planned as several proposals (SDK cap on argument elements: server.ts). */
export const MAX_CHANGES = 100;

export const changesField = z
  .array(changeItem)
  .min(1)
  .max(MAX_CHANGES)
  .describe(
    `1–${MAX_CHANGES} changes, validated and applied together (all or nothing), in order. To use a record created ` +
      'earlier in the same list (a new team to move people into, a new position to fill), give its change a `ref` ' +
      'and write "$<ref>" in the later change\'s id field.',
  );

/** The abilities a batch needs beyond the tool's own, known from its ops (for the OAuth step-up before the call). */
export function changeAbilities(args: Record<string, unknown>): Ability[] {
  const list = jsonList(args.changes);
  const changes = Array.isArray(list) ? list : [];
  const needed = new Set<Ability>();
  for (const change of changes) {
    if (!isRecord(change) || !(CHANGE_OP_NAMES as readonly unknown[]).includes(change.op)) continue;
    // A blank target pay clears it in update_position: a pay change too.
    const money = (value: unknown) => (typeof value === 'number' ? value : value === '' || value === null ? null : undefined);
    const currency = typeof change.currency === 'string' && change.currency.trim() ? change.currency : undefined;
    const command = { op: change.op as ChangeOp, target_salary_minor: money(change.target_salary_minor), day_rate_minor: money(change.day_rate_minor), currency };
    for (const ability of commandAbilities(command)) needed.add(ability);
  }
  return [...needed];
}

/** The op table `capability.explain` shows for `scenario.action.plan`. */
export function changeOpsReference() {
  return CHANGE_OP_NAMES.map((op) => ({
    op,
    summary: CHANGE_OPS[op].summary,
    required: OP_FIELD_LISTS[op].required,
    optional: OP_FIELD_LISTS[op].optional,
    also_needs: [...CHANGE_OPS[op].needs],
    note: OP_NOTES[op],
  }));
}
