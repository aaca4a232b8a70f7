import type { Ability } from '../../access/abilities.js';
import { InvalidInput, type AppError } from '../../errors.js';
import { toMinor } from '../../org/cost.js';
import { CHANGE_OPS, MAX_BATCH, type ChangeOp } from '../../scenarios/commands.js';
import { PARENT_TYPES } from '../../scenarios/ops/structure.js';
import type { OrgUnitType } from '../../org/types.js';
import type { Names } from '../live/context.js';
import { kindLabel, money, num, quoted } from '../live/format.js';
import { today } from '../../org/dates.js';
import { lastChangeDay } from '../../scenarios/last-change-day.js';
import { opsNamedIn, refusalIn } from '../../scenarios/ops/refusals.js';
import { counted } from '../../util/words.js';

/**
 * The change tray's forms, as data: for each command a title and the fields a person fills in. A filled form
 * becomes one flat command `{ op, …fields }` (the same the REST API and MCP take); ids come from choices,
 * amounts are typed in currency units and sent in minor units. All validation of meaning is the service's.
 */
export type FieldKind =
  | 'unit'
  | 'actor'
  | 'placement'
  | 'position'
  | 'vacancy'
  | 'text'
  | 'email'
  | 'number'
  | 'money'
  | 'currency'
  | 'department_type'
  | 'team_type'
  | 'date'
  | 'choice'
  | 'checkbox';

export interface TrayField {
  /** Form field name; also the command field unless `command` says otherwise. */
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  hint?: string;
  choices?: [string, string][];
  /** The command field (money: `target_salary` in the form is `target_salary_minor` in the command). */
  command?: string;
  min?: number;
  max?: number;
  step?: string;
  /** When a field that is not always required is needed ("for a department"), said instead of "optional". */
  neededWhen?: string;
  /** Abilities the field needs beyond the op's (money fields need `costs.read`). */
  needs?: Ability[];
  /** Unit fields: the org unit types offered (a team's parent is a company or department; update_team takes a team). */
  unitTypes?: readonly OrgUnitType[];
  /**
   * Fields that clear what they set when left empty (sent as null: a robot's or agent's FTE) — unless the field named
   * in `unless` is filled in too (a team's purpose is kept when only its type is changed).
   */
  emptyClears?: { unless?: string };
  /** Fields of the op's companion change (TrayOp.companion): the field of the companion op's form this one fills. */
  companion?: string;
  /** Read by the page to stage further changes (a leaver's reports' new manager), not a field of the command. */
  pageOnly?: boolean;
  /** Sent only when one of these form fields is filled in too (a currency goes with a new amount, not alone). */
  onlyWith?: string[];
  /** Choice fields: what the empty choice says (default "Default"; "No change" in a form that changes a record). */
  emptyLabel?: string;
  /**
   * Checkboxes that clear what the form fields named here set: ticked, the command field is sent as null (a
   * position's target pay); refused with any of those fields filled in too.
   */
  clears?: string[];
}

export interface TrayOp {
  op: ChangeOp;
  title: string;
  fields: TrayField[];
  /**
   * A second change the same form stages about the record its own change creates (a hire's pay), when the field
   * `when` is filled in: `op`, naming the new record as `$<ref>` in `refField`, from the fields marked `companion`
   * (and the same date). Empty: the form stages its own change only.
   */
  companion?: { op: ChangeOp; refField: string; when: string };
  /**
   * A form that changes a record and names what to change in optional fields: with none filled in it stages nothing,
   * said on `field` with `message` before the service is asked (whose words name the API's fields).
   */
  needsChange?: { field: string; message: string };
}

/** The team-type choice that clears a team's type (an empty choice keeps it as it is). */
export const NO_TEAM_TYPE = 'none';

const date: TrayField = { name: 'date', label: 'Takes effect on', kind: 'date', hint: 'Empty: today' };
/** Changes about an actor, who may be a hire staged in the tray: theirs take effect from their first day (`commandsFromForm`). */
const actorDate: TrayField = { ...date, hint: 'Empty: today — for a hire staged in the tray, their first day' };
/** A hire's own first day: reporting to a hire staged in the tray, not before that manager's (`commandsFromForm`). */
const hireDate: TrayField = { ...date, hint: 'Empty: today — or, reporting to a hire staged in the tray, that hire’s first day' };
/**
 * Org unit parents and names, team metadata and an actor's FTE keep no history: those changes apply from today and
 * the service refuses another date, so their forms offer none (scenarios/ops/dated.ts, requireUndated).
 */
const FROM_TODAY = 'Applies from today; no history is kept, so earlier dates show it too';
const MONEY: Ability[] = ['costs.read'];
/** Units a person designs (not the system unit Orgonaut keeps), and those that can move or close (not the company). */
const DESIGNED: readonly OrgUnitType[] = ['company', 'department', 'team'];
const MOVABLE: readonly OrgUnitType[] = ['department', 'team'];

export const TRAY_OPS: TrayOp[] = [
  {
    op: 'move_org_unit',
    title: 'Move an org unit',
    fields: [
      { name: 'org_unit_id', label: 'Unit to move', kind: 'unit', required: true, unitTypes: MOVABLE },
      { name: 'parent_id', label: 'New parent unit', kind: 'unit', required: true, hint: FROM_TODAY, unitTypes: PARENT_TYPES },
    ],
  },
  {
    op: 'rename_org_unit',
    title: 'Rename an org unit',
    fields: [
      { name: 'org_unit_id', label: 'Unit', kind: 'unit', required: true, unitTypes: DESIGNED },
      { name: 'name', label: 'New name', kind: 'text', required: true, hint: FROM_TODAY },
    ],
  },
  {
    op: 'create_org_unit',
    title: 'Create a department or team',
    fields: [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'type', label: 'Type', kind: 'choice', required: true, choices: [['team', 'Team'], ['department', 'Department']] },
      { name: 'parent_id', label: 'Parent unit', kind: 'unit', required: true, unitTypes: PARENT_TYPES },
      { name: 'department_type_id', label: 'Department type', kind: 'department_type', neededWhen: 'for a department', hint: 'The types are kept in Settings → Organisation' },
      { name: 'team_type_id', label: 'Team type', kind: 'team_type', neededWhen: 'optional, for a team', emptyLabel: 'None', hint: 'The types are kept in Settings → Organisation' },
      { name: 'purpose', label: 'Purpose', kind: 'text', neededWhen: 'optional, for a team', hint: 'What the team is for' },
      { name: 'code', label: 'Code', kind: 'text' },
      date,
    ],
  },
  {
    op: 'update_team',
    title: 'Change a team’s type or purpose',
    fields: [
      { name: 'org_unit_id', label: 'Team', kind: 'unit', required: true, unitTypes: ['team'] },
      { name: 'team_type_id', label: 'Team type', kind: 'team_type', hint: 'The types are kept in Settings → Organisation' },
      {
        name: 'purpose',
        label: 'Purpose',
        kind: 'text',
        hint: `Empty: clears the team’s purpose — or, when you choose a team type, keeps it as it is. ${FROM_TODAY}`,
        emptyClears: { unless: 'team_type_id' },
      },
    ],
  },
  {
    op: 'close_org_unit',
    title: 'Close an empty org unit',
    fields: [{ name: 'org_unit_id', label: 'Unit', kind: 'unit', required: true, unitTypes: MOVABLE }, date],
  },
  {
    op: 'set_manager',
    title: 'Change a manager',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true },
      { name: 'manager_id', label: 'New manager', kind: 'actor', hint: 'Empty: no manager' },
      actorDate,
    ],
  },
  {
    op: 'move_placement',
    title: 'Move a placement to another unit',
    fields: [
      { name: 'placement_id', label: 'Placement', kind: 'placement', required: true },
      { name: 'org_unit_id', label: 'New unit', kind: 'unit', required: true },
      date,
    ],
  },
  {
    op: 'set_allocation',
    title: 'Set an allocation',
    fields: [
      { name: 'placement_id', label: 'Placement', kind: 'placement', required: true },
      { name: 'allocation_pct', label: 'Allocation %', kind: 'number', required: true, min: 0, max: 300, step: '0.01' },
      date,
    ],
  },
  {
    op: 'add_placement',
    title: 'Add a placement (shared allocation)',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true },
      { name: 'org_unit_id', label: 'Unit', kind: 'unit', required: true },
      { name: 'allocation_pct', label: 'Allocation %', kind: 'number', required: true, min: 0, max: 300, step: '0.01' },
      { name: 'position_id', label: 'Position', kind: 'vacancy', hint: 'A vacant position this placement fills' },
      { name: 'is_primary', label: 'Primary placement', kind: 'checkbox' },
      actorDate,
    ],
  },
  {
    op: 'end_placement',
    title: 'End a secondary placement',
    fields: [{ name: 'placement_id', label: 'Placement', kind: 'placement', required: true }, date],
  },
  {
    op: 'set_primary_placement',
    title: 'Make a placement primary',
    fields: [
      { name: 'placement_id', label: 'Placement', kind: 'placement', required: true, hint: 'A secondary placement; the actor’s primary one becomes secondary on the same day' },
      date,
    ],
  },
  {
    op: 'set_fte',
    title: 'Set contracted FTE',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true },
      {
        name: 'fte',
        label: 'FTE',
        kind: 'number',
        neededWhen: 'for a person',
        min: 0.01,
        max: 3,
        step: '0.01',
        hint: `Empty: no FTE, for a robot or agent (a person needs one). ${FROM_TODAY}`,
        emptyClears: {},
      },
    ],
  },
  {
    op: 'add_actor',
    title: 'Add a person, robot or agent',
    fields: [
      { name: 'display_name', label: 'Name', kind: 'text', required: true },
      { name: 'kind', label: 'Kind', kind: 'choice', required: true, choices: [['human', 'Person'], ['robot', 'Robot'], ['agent', 'AI agent']] },
      { name: 'org_unit_id', label: 'Unit (primary placement)', kind: 'unit', required: true },
      { name: 'title', label: 'Title', kind: 'text' },
      { name: 'email', label: 'Email', kind: 'email' },
      { name: 'fte', label: 'FTE', kind: 'number', min: 0.01, max: 3, step: '0.01', hint: 'Empty: 1 for a person, none for robots and agents' },
      { name: 'manager_id', label: 'Manager', kind: 'actor', hint: 'Empty: no manager — they start a reporting tree of their own, which layers and spans count' },
      { name: 'position_id', label: 'Position', kind: 'vacancy', hint: 'A vacant position they fill' },
      { name: 'pay_amount', companion: 'amount', command: 'amount_minor', label: 'Pay amount', kind: 'money', needs: MONEY, hint: 'Empty: no pay yet — the cost figures leave them out until they have some' },
      { name: 'pay_kind', companion: 'kind', label: 'Kind of pay', kind: 'choice', neededWhen: 'with a pay amount', needs: MONEY, choices: [['salary', 'Annual salary'], ['day_rate', 'Day rate']] },
      { name: 'pay_currency', companion: 'currency', label: 'Pay currency', kind: 'currency', neededWhen: 'with a pay amount', needs: MONEY },
      hireDate,
    ],
    companion: { op: 'set_compensation', refField: 'actor_id', when: 'pay_amount' },
  },
  {
    op: 'deactivate_actor',
    title: 'Deactivate an actor',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true },
      {
        name: 'reports_to',
        label: 'Their direct reports move to',
        kind: 'actor',
        pageOnly: true,
        neededWhen: 'when they manage anyone',
        hint: 'Each person reporting to them then gets this manager from the same day (one change each in the tray)',
      },
      date,
    ],
  },
  {
    op: 'create_position',
    title: 'Create a position',
    fields: [
      { name: 'title', label: 'Title', kind: 'text', required: true },
      {
        name: 'org_unit_id',
        label: 'Budgeted team',
        kind: 'unit',
        emptyLabel: 'No budgeted team yet',
        hint: 'Empty: no budgeted team yet — the seat counts in the organisation’s total, and is filled once it is budgeted in a unit (Change a position)',
      },
      { name: 'role_type', label: 'Role type', kind: 'text' },
      { name: 'planned_fte', label: 'Planned FTE', kind: 'number', min: 0.01, max: 3, step: '0.01', hint: 'Empty: 1' },
      { name: 'employment_type', label: 'Employment', kind: 'choice', choices: [['perm', 'Permanent'], ['contractor', 'Contractor']] },
      { name: 'target_salary', command: 'target_salary_minor', label: 'Target salary a year', kind: 'money', needs: MONEY },
      { name: 'day_rate', command: 'day_rate_minor', label: 'Day rate', kind: 'money', needs: MONEY, hint: 'A salary or a day rate, not both' },
      { name: 'currency', label: 'Currency', kind: 'currency', needs: MONEY },
      date,
    ],
  },
  {
    op: 'fill_position',
    title: 'Fill a vacant position',
    fields: [
      { name: 'position_id', label: 'Position', kind: 'vacancy', required: true },
      { name: 'actor_id', label: 'Actor (their primary placement fills it)', kind: 'actor', required: true },
      actorDate,
    ],
  },
  {
    op: 'close_position',
    title: 'Close a vacant position',
    fields: [{ name: 'position_id', label: 'Position', kind: 'position', required: true }, date],
  },
  {
    op: 'update_position',
    title: 'Change a position',
    fields: [
      { name: 'position_id', label: 'Position', kind: 'position', required: true, hint: `It keeps its id, and whoever fills it. Fields left empty stay as they are. ${FROM_TODAY}` },
      {
        name: 'org_unit_id',
        label: 'Move the seat to',
        kind: 'unit',
        hint: 'Empty: stays where it is budgeted. A seat someone fills moves only with them: move their placement there first (that leaves the seat vacant), then this, then fill it again',
      },
      { name: 'title', label: 'New title', kind: 'text' },
      { name: 'role_type', label: 'New role type', kind: 'text' },
      { name: 'planned_fte', label: 'Planned FTE', kind: 'number', min: 0.01, max: 3, step: '0.01' },
      { name: 'employment_type', label: 'Employment', kind: 'choice', emptyLabel: 'No change', choices: [['perm', 'Permanent'], ['contractor', 'Contractor']] },
      { name: 'target_salary', command: 'target_salary_minor', label: 'New target salary a year', kind: 'money', needs: MONEY, hint: 'Replaces a day rate' },
      { name: 'day_rate', command: 'day_rate_minor', label: 'New day rate', kind: 'money', needs: MONEY, hint: 'Replaces a target salary; a salary or a day rate, not both' },
      { name: 'currency', label: 'Currency of the new pay', kind: 'currency', needs: MONEY, onlyWith: ['target_salary', 'day_rate'], hint: 'Goes with a new salary or day rate' },
      {
        name: 'clear_pay',
        command: 'target_salary_minor',
        label: 'Clear the target pay',
        kind: 'checkbox',
        needs: MONEY,
        clears: ['target_salary', 'day_rate'],
        hint: 'The seat then has no target salary or day rate (nor currency): its budget is left out of the vacant seats’ cost',
      },
      {
        name: 'clear_unit',
        command: 'org_unit_id',
        label: 'No budgeted team yet',
        kind: 'checkbox',
        clears: ['org_unit_id'],
        hint: 'Takes a vacant seat out of its unit: it counts in the organisation’s total, in no unit, until it is budgeted again',
      },
    ],
    needsChange: { field: 'org_unit_id', message: 'Fill in what to change: a unit to move the seat to, a new title, role type, planned FTE, employment or pay.' },
  },
  {
    op: 'update_actor',
    title: 'Change a person’s details',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true, hint: `They keep their id, placements and pay. Fields left empty stay as they are. ${FROM_TODAY}` },
      { name: 'title', label: 'New job title', kind: 'text' },
      { name: 'level', label: 'New level', kind: 'text' },
      { name: 'display_name', label: 'New name', kind: 'text' },
      { name: 'email', label: 'New email', kind: 'email' },
    ],
    needsChange: { field: 'title', message: 'Fill in what to change: a new job title, level, name or email.' },
  },
  {
    op: 'update_department',
    title: 'Change a department’s details',
    fields: [
      { name: 'org_unit_id', label: 'Department', kind: 'unit', required: true, unitTypes: ['department'], hint: `Fields left empty stay as they are. ${FROM_TODAY}` },
      { name: 'lead_actor_id', label: 'New lead', kind: 'actor', emptyLabel: 'No change' },
      { name: 'department_type_id', label: 'Department type', kind: 'department_type', emptyLabel: 'No change', hint: 'The types are kept in Settings → Organisation' },
      { name: 'cost_center', label: 'New cost center', kind: 'text' },
      { name: 'description', label: 'New description', kind: 'text' },
    ],
    needsChange: { field: 'lead_actor_id', message: 'Fill in what to change: a new lead, department type, cost center or description.' },
  },
  {
    op: 'set_compensation',
    title: 'Change pay',
    fields: [
      { name: 'actor_id', label: 'Actor', kind: 'actor', required: true },
      { name: 'kind', label: 'Kind', kind: 'choice', required: true, choices: [['salary', 'Annual salary'], ['day_rate', 'Day rate']] },
      { name: 'amount', command: 'amount_minor', label: 'Amount', kind: 'money', required: true },
      { name: 'currency', label: 'Currency', kind: 'currency', required: true },
      actorDate,
    ],
  },
];

export const TRAY_OP_BY_NAME = new Map(TRAY_OPS.map((o) => [o.op, o]));

/** Whether a principal with these abilities may use the op at all (`scenarios.write` is checked by the page). */
export function opAllowed(op: ChangeOp, has: (a: Ability) => boolean): boolean {
  return (CHANGE_OPS[op].needs as readonly Ability[]).every(has);
}

export function fieldAllowed(field: TrayField, has: (a: Ability) => boolean): boolean {
  return (field.needs ?? []).every(has);
}

export type Draft = Record<string, string>;

/** Long lists are typed with suggestions reading "Name · Title — <id>"; the id after the separator is what counts. */
export const ID_SEPARATOR = ' — ';
const REFERENCE_KINDS = new Set<FieldKind>(['unit', 'actor', 'placement', 'position', 'vacancy']);
export type Command = Record<string, unknown> & { op: string };

/** The largest amount of money a form takes, in units (the commands' limit, 1e12 minor units). */
const MAX_MONEY_UNITS = 10_000_000_000;

/** The id in a reference field: typed suggestions read "Name · Title — <id>". */
export function referenceOf(raw: string): string {
  return raw.includes(ID_SEPARATOR) ? raw.slice(raw.lastIndexOf(ID_SEPARATOR) + ID_SEPARATOR.length).trim() : raw.trim();
}

/** A filled form as a command, or the first field a person has to correct. */
export function commandFromForm(spec: TrayOp, draft: Draft, has: (a: Ability) => boolean): { command: Command } | { field: string; message: string } {
  const command: Command = { op: spec.op };
  for (const field of spec.fields) {
    if (!fieldAllowed(field, has) || field.companion || field.pageOnly) continue;
    if (field.onlyWith && !field.onlyWith.some((name) => (draft[name] ?? '').trim())) continue;
    const raw = (draft[field.name] ?? '').trim();
    const target = field.command ?? field.name;
    if (field.kind === 'checkbox') {
      const filled = raw && field.clears?.map((name) => spec.fields.find((f) => f.name === name)).find((f) => f && (draft[f.name] ?? '').trim());
      if (filled) return { field: filled.name, message: `${filled.label} or ${field.label.toLowerCase()}, not both.` };
      if (raw) command[target] = field.clears ? null : true;
      continue;
    }
    if (!raw) {
      if (field.required) return { field: field.name, message: `${field.label} is required.` };
      const unless = field.emptyClears?.unless;
      if (field.emptyClears && !(unless && (draft[unless] ?? '').trim())) command[target] = null;
      continue;
    }
    if (field.kind === 'number' || field.kind === 'money') {
      // FTE and allocations are small numbers: a comma there is a decimal comma ("0,8"), which dropping it as a
      // thousands separator would read as 8 — refused; money keeps its thousands separators ("72,500").
      if (field.kind === 'number' && raw.includes(',')) return { field: field.name, message: `${field.label} must use a decimal point, not a comma (0.8, not 0,8).` };
      const value = Number(raw.replace(/[\s,_]/g, ''));
      if (!Number.isFinite(value)) return { field: field.name, message: `${field.label} must be a number.` };
      // Money is typed in units (euros, dollars) and stored in minor units: its range is said in what was typed.
      if (field.kind === 'money' && (value < 0 || value > MAX_MONEY_UNITS)) {
        return { field: field.name, message: `${field.label} must be an amount from 0 to ${MAX_MONEY_UNITS.toLocaleString('en')}.` };
      }
      // In the form's currency (the yen has no minor unit); money without a currency is refused by the service.
      command[target] = field.kind === 'money' ? toMinor(value, (draft.currency ?? '').trim().toUpperCase() || 'EUR') : value;
      continue;
    }
    if (field.kind === 'team_type') {
      command[target] = raw === NO_TEAM_TYPE ? null : raw;
      continue;
    }
    command[target] = REFERENCE_KINDS.has(field.kind) ? referenceOf(raw) : raw;
  }
  const required = new Set(spec.fields.filter((f) => f.required).map((f) => f.command ?? f.name));
  if (spec.needsChange && !Object.keys(command).some((key) => key !== 'op' && !required.has(key))) return { ...spec.needsChange };
  return { command };
}

/**
 * The ops whose staged changes get a `ref`, so later changes of the tray can name what they create — a hire, a new
 * team or department, a new position — and the ref's prefix (`$hire-1`, `$unit-1`, `$position-1`).
 */
const NAMED_OPS: ReadonlyMap<string, string> = new Map<ChangeOp, string>([
  ['add_actor', 'hire'],
  ['create_org_unit', 'unit'],
  ['create_position', 'position'],
]);
const ID_FIELDS = ['org_unit_id', 'parent_id', 'actor_id', 'manager_id', 'placement_id', 'position_id'];

/**
 * A filled form as the changes it stages — its own, named with a `ref` unique in the tray when it creates a hire, and
 * its companion (the hire's pay) naming that ref — or the first field a person has to correct.
 */
export function commandsFromForm(spec: TrayOp, draft: Draft, has: (a: Ability) => boolean, staged: readonly Command[]): { commands: Command[] } | { field: string; message: string } {
  const built = commandFromForm(spec, draft, has);
  if (!('command' in built)) return built;
  const own = built.command;
  // A change about a hire staged in the tray takes effect from their first day when no date is given: before it
  // they do not exist, and "today" would be refused for a hire who starts later.
  // A hire reporting to a staged hire starts no earlier than that manager, for the same reason.
  const firstDay = (spec.fields.includes(actorDate) || spec.fields.includes(hireDate)) && !own.date ? firstDayOfStagedHires(own, staged) : null;
  if (firstDay) own.date = firstDay;
  const prefix = NAMED_OPS.get(spec.op);
  if (!prefix) return { commands: [own] };
  const taken = new Set(staged.map((c) => c.ref));
  let n = staged.filter((c) => c.op === spec.op).length + 1;
  while (taken.has(`${prefix}-${n}`)) n++;
  own.ref = `${prefix}-${n}`;
  const companion = companionOf(spec, has);
  if (!companion || !(draft[spec.companion!.when] ?? '').trim()) return { commands: [own] };
  const values = Object.fromEntries(companion.fields.map((f) => [f.name, draft[formFieldOf(spec, 1, f.command ?? f.name)?.name ?? ''] ?? '']));
  const second = commandFromForm(companion, values, has);
  if (!('command' in second)) {
    const field = spec.fields.find((f) => f.companion === second.field) ?? spec.fields.find((f) => f.name === second.field);
    return { field: field?.name ?? second.field, message: second.message };
  }
  // The companion takes the hire's day, the form's or the one taken from a staged manager.
  return { commands: [own, { ...second.command, ...(own.date ? { date: own.date } : {}), [spec.companion!.refField]: `$${own.ref}` }] };
}

/** The latest first day of the staged hires a command names (`$<ref>`), when they were staged with one. */
function firstDayOfStagedHires(command: Command, staged: readonly Command[]): string | null {
  const days = new Map(staged.filter((c) => typeof c.ref === 'string' && typeof c.date === 'string').map((c) => [`$${c.ref as string}`, c.date as string]));
  const named = ID_FIELDS.map((f) => (typeof command[f] === 'string' ? days.get((command[f] as string).trim()) : undefined)).filter((d): d is string => d !== undefined);
  return named.length ? named.sort().at(-1)! : null;
}

/**
 * The actors the tray deactivates (`$<ref>` or id, as staged) → the day they go (an undated deactivation: the day it is
 * staged on) and which change does it; an actor deactivated twice goes on the earlier day. The one reading of a staged
 * deactivation that the refusals (`stagedAbsence`) and the actor choices (`withStagedLeavers`) share.
 */
export function stagedLeavers(staged: readonly Command[], stagedOn = today()): Map<string, { day: string; index: number }> {
  const leavers = new Map<string, { day: string; index: number }>();
  staged.forEach((c, index) => {
    if (c.op !== 'deactivate_actor' || typeof c.actor_id !== 'string') return;
    const actor = c.actor_id.trim();
    const day = typeof c.date === 'string' ? c.date : stagedOn;
    const known = leavers.get(actor);
    if (!known || day < known.day) leavers.set(actor, { day, index });
  });
  return leavers;
}

/**
 * Why an actor a change names (`$<ref>` or an id) is not there on `day` when the tray itself is the reason — a staged
 * deactivation from that day or earlier, or a hire staged to start later —, in words with what to do; null otherwise.
 */
export function stagedAbsence(actor: string, day: string, staged: readonly Command[], names: Names, stagedOn = today()): string | null {
  const ref = actor.trim();
  const leaving = stagedLeavers(staged, stagedOn).get(ref);
  if (leaving && leaving.day <= day) {
    return `${names.actor(ref)} is deactivated in this tray from ${leaving.day} (change ${leaving.index + 1}): remove that staged deactivation, or date this change before ${leaving.day}.`;
  }
  const hire = staged.find((c) => typeof c.ref === 'string' && `$${c.ref}` === ref && typeof c.date === 'string' && c.date > day);
  if (hire) return `${names.actor(ref)} is a hire staged in this tray who starts on ${hire.date as string}: date this change on or after that day.`;
  return null;
}

/**
 * The first change staged in the tray about `actor` — naming them (`actor_id`) or one of their placements — that takes
 * effect after `day` (an undated one: the day it is staged on): what deactivating them from `day` would leave without
 * effect, since the batch ends them first (the engine cancels their later placement and manager changes, and pay from
 * a later day never counts). Null when there is none. `placementActor` gives a placement's actor.
 */
export function laterStagedChange(actor: string, day: string, staged: readonly Command[], placementActor: (placementId: string) => string | undefined, stagedOn = today()): { index: number; day: string } | null {
  const ref = actor.trim();
  const about = (c: Command) =>
    (typeof c.actor_id === 'string' && c.actor_id.trim() === ref) || (typeof c.placement_id === 'string' && placementActor(c.placement_id.trim()) === ref);
  const index = staged.findIndex((c) => about(c) && (typeof c.date === 'string' ? c.date : stagedOn) > day);
  if (index < 0) return null;
  const later = staged[index]!;
  return { index, day: typeof later.date === 'string' ? later.date : stagedOn };
}

/** The day the last staged change takes effect, when that is after `stagedOn` (today); null when all take effect by then. */
export function lastStagedDay(staged: readonly Command[], stagedOn = today()): string | null {
  return lastChangeDay(staged, stagedOn);
}

/** The companion form of an op (its `companion` fields under the companion op's names, all needed, and the date). */
function companionOf(spec: TrayOp, has: (a: Ability) => boolean): TrayOp | null {
  if (!spec.companion || !opAllowed(spec.companion.op, has)) return null;
  const fields = spec.fields.filter((f) => f.companion && fieldAllowed(f, has));
  if (!fields.length) return null;
  const own = spec.fields.filter((f) => f.name === 'date');
  return { op: spec.companion.op, title: spec.title, fields: [...fields.map((f) => ({ ...f, name: f.companion!, companion: undefined, required: true })), ...own] };
}

/**
 * The form field of `spec` that a command field of the changes it stages came from: `part` 0 is the form's own
 * change, 1 its companion (`amount_minor` of the pay → the hire form's Pay amount).
 */
export function formFieldOf(spec: TrayOp, part: number, commandField: string): TrayField | undefined {
  if (part === 0) return spec.fields.find((f) => !f.companion && !f.pageOnly && (f.command ?? f.name) === commandField);
  if (commandField === 'date') return spec.fields.find((f) => f.name === 'date');
  return spec.fields.find((f) => f.companion && (f.command ?? f.companion) === commandField);
}

/** The hires staged in the tray, offered wherever an actor is chosen, as `$<ref>` (the service resolves it), with a later first day said. */
export function stagedHires(staged: readonly Command[]): { value: string; label: string }[] {
  return staged
    .filter((c) => c.op === 'add_actor' && typeof c.ref === 'string')
    .map((c) => ({
      value: `$${c.ref as string}`,
      label: `${typeof c.display_name === 'string' ? c.display_name : c.ref} (staged hire${typeof c.date === 'string' ? `, starts ${c.date}` : ''})`,
    }));
}

/**
 * Actor choices with those the tray deactivates marked with the day they go ("f1 (deactivated in this tray from
 * 2030-01-01)"): still offered, for a change dated before it, but no longer looking like anyone else.
 */
export function withStagedLeavers<C extends { value: string; label: string }>(choices: readonly C[], staged: readonly Command[], stagedOn = today()): C[] {
  const leaving = stagedLeavers(staged, stagedOn);
  return choices.map((o) => (leaving.has(o.value) ? { ...o, label: `${o.label} (deactivated in this tray from ${leaving.get(o.value)!.day})` } : o));
}

/**
 * The units and positions staged in the tray, offered in the unit and position fields of later forms (a team created
 * in the tray, then people moved or hired into it, a position opened there and filled) as `$<ref>`, said to be staged.
 */
export function stagedRecords(staged: readonly Command[]): { unit: { value: string; label: string; type: string }[]; position: { value: string; label: string }[] } {
  const named = (op: string) => staged.filter((c) => c.op === op && typeof c.ref === 'string');
  const from = (c: Command) => (typeof c.date === 'string' ? `, from ${c.date}` : '');
  return {
    unit: named('create_org_unit').map((c) => ({ value: `$${c.ref as string}`, label: `${String(c.name ?? c.ref)} (staged ${String(c.type ?? 'unit')}${from(c)})`, type: String(c.type ?? '') })),
    position: named('create_position').map((c) => ({ value: `$${c.ref as string}`, label: `${String(c.title ?? c.ref)} (staged position${from(c)})` })),
  };
}

/** Names that also know what the tray stages by its `$<ref>`: hires, units and positions. */
export function withStagedNames<N extends Names>(names: N, staged: readonly Command[]): N {
  const refs = new Map(staged.filter((c) => typeof c.ref === 'string').map((c) => [`$${c.ref as string}`, String(c.display_name ?? c.name ?? c.title ?? c.ref)]));
  const known = (fallback: (id: string | null | undefined) => string) => (id: string | null | undefined) => (id && refs.has(id.trim()) ? refs.get(id.trim())! : fallback(id));
  return { ...names, actor: known(names.actor), unit: known(names.unit), position: known(names.position) };
}

/** The tray without change `index`, and without the later changes naming what it created (a removed hire's pay). */
export function removeStaged(staged: readonly Command[], index: number): { staged: Command[]; dependents: number } {
  const refs = new Set<string>();
  const gone = new Set<number>();
  staged.forEach((c, i) => {
    const names = (v: unknown) => typeof v === 'string' && refs.has(v.trim());
    if (i !== index && !ID_FIELDS.some((f) => names(c[f]))) return;
    gone.add(i);
    if (typeof c.ref === 'string') refs.add(`$${c.ref}`);
  });
  return { staged: staged.filter((_, i) => !gone.has(i)), dependents: gone.size - (gone.has(index) ? 1 : 0) };
}

/** The staged list from the tray's hidden field (only shape is checked here; the service validates the rest). */
export function parseStaged(raw: unknown): Command[] {
  if (typeof raw !== 'string' || !raw.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidInput('staged', 'the list of staged changes could not be read; start again');
  }
  if (!Array.isArray(value) || value.length > MAX_BATCH || !value.every((c) => typeof c === 'object' && c !== null && typeof (c as Command).op === 'string')) {
    throw new InvalidInput('staged', 'the list of staged changes could not be read; start again');
  }
  return value as Command[];
}

/** A staged command in words ("Move Mobile under Sales"). */
export function describeCommand(c: Command, names: Names, showMoney: boolean, teamTypes: ReadonlyMap<string, string> = new Map()): string {
  const s = (key: string) => (typeof c[key] === 'string' ? (c[key] as string) : '');
  const from = c.date ? ` from ${s('date')}` : '';
  const cash = (key: string) => (showMoney && typeof c[key] === 'number' ? money(c[key] as number, s('currency') || null) : '');
  switch (c.op) {
    case 'move_org_unit':
      return `Move ${names.unit(s('org_unit_id'))} under ${names.unit(s('parent_id'))}${from}`;
    case 'rename_org_unit':
      return `Rename ${names.unit(s('org_unit_id'))} to ${quoted(s('name'))}`;
    case 'create_org_unit': {
      const type = c.team_type_id ? ` (team type ${quoted(teamTypes.get(s('team_type_id')) ?? s('team_type_id'))})` : '';
      return `Create ${s('type') || 'unit'} ${quoted(s('name'))}${type} under ${names.unit(s('parent_id'))}${from}`;
    }
    case 'close_org_unit':
      return `Close ${names.unit(s('org_unit_id'))}${from}`;
    case 'update_team': {
      const type = c.team_type_id === null ? 'no team type' : c.team_type_id ? `team type ${quoted(teamTypes.get(s('team_type_id')) ?? s('team_type_id'))}` : '';
      const purpose = c.purpose === null ? 'no purpose' : typeof c.purpose === 'string' ? `purpose ${quoted(s('purpose'))}` : '';
      return `Give ${names.unit(s('org_unit_id'))} ${[type, purpose].filter(Boolean).join(' and ')}`;
    }
    case 'set_manager':
      return s('manager_id') ? `${names.actor(s('actor_id'))} reports to ${names.actor(s('manager_id'))}${from}` : `${names.actor(s('actor_id'))} has no manager${from}`;
    case 'move_placement':
      return `Move ${names.placement(s('placement_id'))} to ${names.unit(s('org_unit_id'))}${from}`;
    case 'set_allocation':
      return `Set ${names.placement(s('placement_id'))} to ${num(c.allocation_pct as number)} %${from}`;
    case 'add_placement':
      return `Place ${names.actor(s('actor_id'))} in ${names.unit(s('org_unit_id'))} at ${num(c.allocation_pct as number)} %${c.is_primary ? ' (primary)' : ''}${from}`;
    case 'end_placement':
      return `End ${names.placement(s('placement_id'))}${from}`;
    case 'set_primary_placement':
      return `Make ${names.placement(s('placement_id'))} primary${from}`;
    case 'set_fte':
      return c.fte === null ? `Clear ${names.actor(s('actor_id'))}’s FTE${from}` : `Set ${names.actor(s('actor_id'))}’s FTE to ${num(c.fte as number)}${from}`;
    case 'add_actor':
      return `Add ${kindLabel(s('kind') || 'human')} ${quoted(s('display_name'))} to ${names.unit(s('org_unit_id'))}${s('title') ? ` as ${s('title')}` : ''}${s('manager_id') ? `, reporting to ${names.actor(s('manager_id'))}` : ''}${from}`;
    case 'deactivate_actor':
      return `Deactivate ${names.actor(s('actor_id'))}${from}`;
    case 'create_position': {
      const pay = cash('target_salary_minor') || cash('day_rate_minor');
      const unit = s('org_unit_id') ? `in ${names.unit(s('org_unit_id'))}` : 'with no budgeted team yet';
      return `Create position ${quoted(s('title'))} ${unit}${pay ? ` at ${pay}` : ''}${from}`;
    }
    case 'fill_position':
      return `Fill ${names.position(s('position_id'))} with ${names.actor(s('actor_id'))}${from}`;
    case 'close_position':
      return `Close position ${names.position(s('position_id'))}${from}`;
    case 'update_position':
      return `Change position ${names.position(s('position_id'))}: ${positionChanges(c, names, showMoney).join(', ')}`;
    case 'update_actor':
      return `Change ${names.actor(s('actor_id'))}: ${detailChanges(c, { title: 'job title', level: 'level', display_name: 'name', email: 'email' }).join(', ')}`;
    case 'update_department': {
      const parts = detailChanges(c, { cost_center: 'cost center', description: 'description' });
      if (s('lead_actor_id')) parts.unshift(`led by ${names.actor(s('lead_actor_id'))}`);
      if (s('department_type_id')) parts.unshift('a new department type');
      return `Change ${names.unit(s('org_unit_id'))}: ${parts.join(', ')}`;
    }
    case 'set_compensation':
      if (s('actor_id').startsWith('$')) {
        const pay = cash('amount_minor');
        return `Pay ${names.actor(s('actor_id'))} ${s('kind') === 'day_rate' ? 'a day rate' : 'an annual salary'}${pay ? ` of ${pay}` : ''}${from}`;
      }
      return `Change ${names.actor(s('actor_id'))}’s ${s('kind') === 'day_rate' ? 'day rate' : 'salary'}${cash('amount_minor') ? ` to ${cash('amount_minor')}` : ''}${from}`;
    default:
      return c.op;
  }
}

/** The text fields an update_actor or update_department changes, in words ("job title “Staff Engineer”"). */
function detailChanges(c: Command, words: Record<string, string>): string[] {
  const parts = Object.entries(words).flatMap(([key, what]) =>
    c[key] === null || c[key] === '' ? [`no ${what}`] : typeof c[key] === 'string' ? [`${what} ${quoted((c[key] as string).trim())}`] : [],
  );
  return parts.length ? parts : ['nothing'];
}

/** What an update_position changes, in words ("move to Platform", "title “SRE”", "target salary €80,000.00"). */
function positionChanges(c: Command, names: Names, showMoney: boolean): string[] {
  const s = (key: string) => (typeof c[key] === 'string' ? (c[key] as string).trim() : '');
  const parts: string[] = [];
  if (s('org_unit_id')) parts.push(`move to ${names.unit(s('org_unit_id'))}`);
  else if (c.org_unit_id === null || c.org_unit_id === '') parts.push('no budgeted team');
  if (s('title')) parts.push(`title ${quoted(s('title'))}`);
  if (c.role_type === null || c.role_type === '') parts.push('no role type');
  else if (s('role_type')) parts.push(`role type ${quoted(s('role_type'))}`);
  if (typeof c.planned_fte === 'number') parts.push(`planned FTE ${num(c.planned_fte)}`);
  if (s('employment_type')) parts.push(s('employment_type') === 'contractor' ? 'contractor' : 'permanent');
  const pay = (key: string, what: string) => {
    if (typeof c[key] === 'number') parts.push(showMoney ? `${what} ${money(c[key] as number, s('currency') || null)}` : `a new ${what}`);
  };
  pay('target_salary_minor', 'target salary');
  pay('day_rate_minor', 'day rate');
  // A null with no new amount clears the seat's pay, salary or day rate (scenarios/ops/positions.ts).
  const cleared = [c.target_salary_minor, c.day_rate_minor].some((v) => v === null) && ![c.target_salary_minor, c.day_rate_minor].some((v) => typeof v === 'number');
  if (cleared) parts.push('no target pay');
  return parts.length ? parts : ['nothing'];
}

/** The form label of a command field named in a service error (`changes[2].allocation_pct`). */
export function labelOfCommandField(op: string, field: string): string {
  const spec = TRAY_OP_BY_NAME.get(op as ChangeOp);
  return (spec && formFieldOf(spec, 0, field)?.label) ?? field;
}

/**
 * What the service refused, for this page: the reason without the field its message names ("Invalid changes[0].fte:
 * must be…" → "must be…"), with the changes it names as the API spells them — which its details say
 * (`opsNamedIn`): "use move_placement to move it" — named as this page's forms are, and a unit that has a name
 * already by its name alone (`unitNamedAlready`).
 */
export function reasonOf(error: AppError): string {
  const reason = error instanceof InvalidInput ? error.reasonText : error.message;
  return opsNamedIn(error).reduce((text, op) => {
    const form = TRAY_OP_BY_NAME.get(op);
    return form ? text.replaceAll(op, `“${form.title}”`) : text;
  }, unitNamedAlready(error, reason));
}

/**
 * A unit refused a name its parent has already (`name_taken`), or a person an email someone has already
 * (`email_taken`): the service's words name that unit or person and add its id, for API callers to act on; on this
 * page the name says it, and an id means nothing — least of all one of a record the tray itself creates, which exists
 * nowhere yet: that one is said to be the tray's change (its batch is the tray's list, staged changes first).
 */
function unitNamedAlready(error: AppError, reason: string): string {
  const refused = refusalIn(error);
  if (refused?.reason !== 'name_taken' && refused?.reason !== 'email_taken') return reason;
  return reason.replace(` (${refused.id})`, refused.change === undefined ? '' : `, which change ${refused.change + 1} of this tray creates`);
}

/**
 * A leaver refused because people still report to them (`still_manages`), said for the Deactivate form's field that
 * moves them ("Ada still manages 2 active actors on or after 2030-01-01 — choose here who they move to …"), from the
 * refusal's details; null for any other refusal.
 */
export function leaverReportsReason(error: AppError, leaver: string): string | null {
  const refused = refusalIn(error);
  if (refused?.reason !== 'still_manages') return null;
  return `${leaver} still manages ${counted(refused.reports.length, 'active actor')} on or after ${refused.from} — choose here who they move to (one change each in the tray).`;
}
