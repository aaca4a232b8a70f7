import { minorUnits } from '../org/cost.js';
import { addDays, isIsoDate } from '../org/dates.js';
import { ACTOR_KINDS, type ActorKind, type CompensationKind, type EmploymentType } from '../org/types.js';
import { headerCurrency, headerDateOrder, headerSaysPercent, organisationName, type ColumnMapping, type ImportField, type ImportFormat } from './fields.js';
import { periodInAmount, periodNamed, periodOfPayType, PERIOD_NAMES, PERIODS_PER_YEAR, type PayPeriod } from './pay-period.js';
import { quarantine, reject, RowRejected, type Quarantine } from './reasons.js';

/**
 * One row's raw cells → a typed, validated `RowInput`, or the reason it goes to quarantine. Pure.
 *
 * Cells: null = absent (a partial HRIS event: leave the field as it is); '' = written blank. A blank cell leaves an
 * existing record's field unchanged too, except the manager (blank = no manager: a top-level leader) and the team
 * (blank with a department = placed in the department itself).
 */

export interface NamedUnit {
  name: string;
  /** Normalised name for matching: lowercased, whitespace collapsed. */
  key: string;
}

/**
 * Who a row says the manager is: nobody (a top-level leader), or an email, an employee id and/or a name. The name
 * (`personKey` of it) is used only when the row gives neither email nor id.
 */
export type ManagerRef = { none: true } | { none: false; email: string | null; employeeId: string | null; name: string | null };

export interface RowInput {
  rowNumber: number;
  sourceHris: string | null;
  sourceHrisId: string | null;
  email: string | null;
  emailKey: string | null;
  employeeId: string | null;
  kind?: ActorKind;
  displayName?: string;
  fte?: number | null;
  title?: string;
  level?: string;
  roleType?: string;
  validFrom?: string | null;
  /** A date, null (active: clear a past end) or undefined (unchanged). */
  validTo?: string | null;
  /**
   * An inactive status without an end date: the day an actor without an end date ends (today). An actor who already
   * has an end date keeps it (set only when `validTo` is undefined).
   */
  inactiveFrom?: string;
  department?: NamedUnit & { parent: NamedUnit | null; typeName: string | null; costCenter: string | null };
  team?: NamedUnit & { typeName: string | null };
  allocationPct?: number;
  employmentType?: EmploymentType;
  manager?: ManagerRef;
  pay?: { kind: CompensationKind; amountMinor: number; currency: string; effective: string | null };
}

export interface RowKeys {
  emailKey: string | null;
  /** `hris\u0000id` when the row has a complete source identity. */
  sourceKey: string | null;
  /** The employee id of an Orgonaut CSV row (the external id; BambooHR's is the source identity). */
  employeeIdKey?: string | null;
}

export interface ParseContext {
  mapping: readonly ColumnMapping[];
  format: ImportFormat;
  today: string;
  activeCurrencies: ReadonlySet<string>;
  /** Lowercased type names the tenant has. */
  departmentTypes: ReadonlySet<string>;
  teamTypes: ReadonlySet<string>;
  createMissingTypes: boolean;
  headerCount: number;
  /** The tenant's type names as written, to name them when a row's is not one. */
  typeNames?: { departments: readonly string[]; teams: readonly string[] };
  /**
   * How the file writes dates with the year last (03/05/2024), when the person importing said so; else refused. A
   * column whose header states its format (`Start date (DD/MM/YYYY)`) is read as it says, whatever this is.
   */
  dateOrder?: DateOrder | null;
}

/** Which comes first in a date written with the year last: the month (US, 03/05/2024 = March 5) or the day (3 May). */
export type DateOrder = 'month_first' | 'day_first';
export const DATE_ORDERS: readonly DateOrder[] = ['month_first', 'day_first'];

/** How a date field's dates with the year last are read: the order its column's header states, else the run's. */
export interface ColumnDateOrder {
  order: DateOrder | null;
  /** The header that states the order, when it is the header's. */
  header: string | null;
}

/** The order a date field's column is read in (`ColumnDateOrder`). */
export function columnDateOrder(ctx: Pick<ParseContext, 'mapping' | 'dateOrder'>, field: ImportField): ColumnDateOrder {
  const header = headerOf(ctx.mapping, field);
  const stated = header ? headerDateOrder(header) : null;
  return stated === 'day_first' || stated === 'month_first' ? { order: stated, header } : { order: ctx.dateOrder ?? null, header: null };
}

/** A run's date order option, when it is one. */
export function dateOrderOf(options: Record<string, unknown>): DateOrder | null {
  return (DATE_ORDERS as readonly unknown[]).includes(options.date_order) ? (options.date_order as DateOrder) : null;
}

/**
 * A row that reads well, or the reason it goes to quarantine. The reason is the row's first problem (the one run
 * summaries count); `reason.others` holds every further problem its cells have on their own — a bad FTE, an unknown
 * currency and a blank email are all said at once, not one per reprocess.
 */
export type ParsedRow =
  | { rowNumber: number; keys: RowKeys; input: RowInput; reason: null }
  /**
   * `partial`: what a quarantined row that has an identity says where its cells read well (a field at fault is left
   * out), so the checks across rows (duplicates, managers, loops) can say their problems with the row's own.
   */
  | { rowNumber: number; keys: RowKeys; input: null; reason: Quarantine; partial?: RowInput };

/** Runs one check of a row; a problem it finds is noted and the row's other checks still run. */
type Attempt = (check: () => void) => void;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An email as mail clients and spreadsheets write it besides the bare address — `Amy Lee <amy@x.com>` (Outlook's
 * copy), `<amy@x.com>`, `mailto:amy@x.com` (a link's target) —: the address. (`mailto:amy@x.com` read as an
 * address made a person whom the next file, with amy@x.com, did not find.)
 */
function bareEmail(value: string): string {
  const angled = /^[^<>]*<\s*([^<>\s]+)\s*>$/.exec(value)?.[1] ?? value;
  return angled.replace(/^mailto:/i, '');
}

/** Whether a cell holds an email, as the import reads it (`bareEmail`). */
export function holdsEmail(value: string): boolean {
  return EMAIL.test(bareEmail(value.trim()));
}

/** Why a cell is not an email, in the words of what to look for. */
function notAnEmail(value: string): string {
  const why = /\s/.test(value) ? ' (it contains a space)' : !value.includes('@') ? ' (it has no @)' : /@[^@.]+$/.test(value) ? ' (its domain has no ending such as .com)' : '';
  return `“${value.slice(0, 60)}” is not a valid email address${why}`;
}

/** What follows a surname's comma without being a first name: `King, Jr.`, `Acme, Inc.`. */
const NAME_SUFFIX = /^(jr|sr|ii|iii|iv|phd|ph\.d|md|esq|mba|msc|bsc|cpa|inc|ltd|llc|gmbh|ag|plc)\.?$/i;

/**
 * A name written `Last, First` as HR exports list people (`Müller, Anna`, BambooHR's and HiBob's): the name as
 * people write it (`Anna Müller`), or null when it is not one (no comma, several, a suffix after it).
 */
export function lastFirst(value: string): { name: string } | null {
  const match = /^([^,]*\p{L}[^,]*),([^,]*\p{L}[^,]*)$/u.exec(value.trim());
  if (!match) return null;
  const [last, first] = [match[1]!.trim().replace(/\s+/g, ' '), match[2]!.trim().replace(/\s+/g, ' ')];
  return NAME_SUFFIX.test(first) ? null : { name: `${first} ${last}` };
}

/** A person's name as the import compares names (a manager named by name): one form, case and spacing ignored. */
export function personKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * A manager's name as the row writes it (`Lovelace, Ada` is Ada Lovelace), from manager_name or the two name parts:
 * like a cell, blank ('') when the mapped cells are blank, null when absent, undefined when none is mapped.
 */
function managerNameOf(cell: Cell): string | null | undefined {
  const whole = cell('manager_name');
  if (whole && holdsEmail(whole)) return undefined; // an email, read as the manager's email
  if (whole) return lastFirst(whole)?.name ?? whole.replace(/\s+/g, ' ');
  const parts = [cell('manager_first_name'), cell('manager_last_name')];
  if (parts.some(Boolean)) return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ');
  const cells = [whole, ...parts];
  return cells.find((v) => v === '') ?? cells.find((v) => v === null);
}

export function sourceKeyOf(hris: string, id: string): string {
  return `${hris.toLowerCase()}\u0000${id}`;
}

export function unitKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').normalize('NFC').toLowerCase();
}

export function parseRow(rowNumber: number, values: readonly (string | null)[], ctx: ParseContext): ParsedRow {
  const columns = columnIndex(ctx.mapping);
  const cell = (field: ImportField): string | null | undefined => {
    const column = columns.get(field);
    if (column === undefined) return undefined;
    const value = values[column];
    // One spelling of “ü” whichever system saved the file (macOS writes u + ¨): else “Qualität” from a Mac is a second
    // department beside the one a Windows export made, looking the same.
    return value === null || value === undefined ? (value === null ? null : '') : value.trim().normalize('NFC');
  };
  const keys: RowKeys = { emailKey: null, sourceKey: null };
  const problems: Quarantine[] = [];
  const attempt: Attempt = (check) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof RowRejected)) throw error;
      problems.push(error.reason);
    }
  };
  // Cells past the header: the row's cells are shifted, so what else its columns seem to say is not worth listing.
  if (values.length > ctx.headerCount && values.slice(ctx.headerCount).some((v) => v !== null && v.trim() !== '')) {
    return { rowNumber, keys, input: null, reason: quarantine('malformed_row', null, `has ${values.length} cells but the header has ${ctx.headerCount}`) };
  }
  // The header again (two exports pasted one under the other): no person, and its cells are no values to list.
  if (repeatsHeader(values, ctx.mapping)) {
    const identity = columns.has('email') ? 'email' : columns.has('source_hris_id') ? 'source_hris_id' : 'employee_id';
    return { rowNumber, keys, input: null, reason: quarantine(identity === 'email' ? 'missing_required_field' : 'missing_required_identity', identity, 'this row repeats the header row (files pasted one under the other?), not a person — ignore it, or delete the line from the file') };
  }
  let input: RowInput | null = null;
  attempt(() => {
    input = parseIdentity(rowNumber, cell, ctx, keys, columns, values);
  });
  // A totals row is no person: what its other cells seem to say (a sum in the pay column) is not worth listing.
  if (!input && totalsLabel(values)) return { rowNumber, keys, input: null, reason: problems[0]! };
  // A row without an identity is still read through, to say what else is wrong with it.
  const read: RowInput = input ?? { rowNumber, sourceHris: null, sourceHrisId: null, email: null, emailKey: null, employeeId: null };
  parsePerson(read, cell, ctx, attempt);
  parsePlacement(read, cell, ctx, attempt);
  parsePay(read, cell, ctx, attempt);
  if (!problems.length) return { rowNumber, keys, input: read, reason: null };
  const [first, ...others] = problems;
  return { rowNumber, keys, input: null, reason: others.length ? { ...first!, others } : first!, ...(input ? { partial: read } : {}) };
}

const indexes = new WeakMap<readonly ColumnMapping[], Map<ImportField, number>>();

function columnIndex(mapping: readonly ColumnMapping[]): Map<ImportField, number> {
  let map = indexes.get(mapping);
  if (!map) {
    map = new Map();
    for (const m of mapping) if (m.field && !map.has(m.field)) map.set(m.field, m.column);
    indexes.set(mapping, map);
  }
  return map;
}

type Cell = (field: ImportField) => string | null | undefined;

/**
 * The label of a spreadsheet's totals line (“Total”, “Grand total: 42”, “Summe”), when its first filled cell is one;
 * such a row has no person in it.
 */
function totalsLabel(values: readonly (string | null)[]): string | null {
  const first = values.find((v) => v !== null && v.trim() !== '')?.trim();
  return first && /^(grand\s+)?(totals?|sum|summe|gesamt|insgesamt|totaal|totale)\b/i.test(first) ? first : null;
}

/**
 * The name cells of a row that stands for a vacant position rather than a person, as HR exports and hand-kept org
 * sheets list them (“Vacant”, “Open position”, “TBH”, “To be hired”, German “Vakant”, “N.N.”); null for a person.
 */
function vacancyLabel(cell: Cell): string | null {
  const name = [cell('name'), cell('first_name'), cell('last_name')].filter(Boolean).join(' ').trim();
  return name && VACANCY.test(name) ? name : null;
}

const VACANCY = /^(vacant|vacancy|open (position|role|req|headcount)|tbh|tbd|tba|to be (hired|determined|announced)|new hire|vakant|vakanz|offene stelle|n\.? ?n\.?)(?![a-z])/i;

/** Whether a row's cells are the header's (at least two, every filled cell its column's header, any case). */
function repeatsHeader(values: readonly (string | null)[], mapping: readonly ColumnMapping[]): boolean {
  let same = 0;
  for (const m of mapping) {
    const value = values[m.column]?.trim().toLowerCase();
    if (!value) continue;
    if (value !== m.header.trim().toLowerCase()) return false;
    same++;
  }
  return same >= 2;
}

/** A non-blank value, or undefined. */
function given(value: string | null | undefined): string | undefined {
  return value ? value : undefined;
}

function parseIdentity(rowNumber: number, cell: Cell, ctx: ParseContext, keys: RowKeys, columns: Map<ImportField, number>, values: readonly (string | null)[]): RowInput {
  const cellEmail = given(cell('email'));
  const email = cellEmail === undefined ? null : bareEmail(cellEmail);
  const employeeId = given(cell('employee_id')) ?? null;
  if (ctx.format === 'orgonaut' && employeeId) keys.employeeIdKey = employeeId;
  let sourceHris = given(cell('source_hris'))?.toLowerCase() ?? null;
  let sourceHrisId = given(cell('source_hris_id')) ?? null;
  if (ctx.format === 'bamboohr' && !sourceHrisId && employeeId) {
    sourceHrisId = employeeId;
    sourceHris ??= 'bamboohr';
  }
  if (ctx.format === 'bamboohr' && sourceHrisId && !sourceHris) sourceHris = 'bamboohr';
  if (!!sourceHris !== !!sourceHrisId) {
    reject('missing_required_identity', sourceHris ? 'source_hris_id' : 'source_hris', sourceHris ? 'source_hris is given without source_hris_id' : 'source_hris_id is given without source_hris');
  }
  const hasSource = sourceHris !== null && sourceHrisId !== null;
  if (hasSource) keys.sourceKey = sourceKeyOf(sourceHris!, sourceHrisId!);
  if (email !== null) {
    if (!EMAIL.test(email)) {
      // A spreadsheet's totals line whose label sits in the email column (“Total”): no person, say so.
      const totals = hasSource ? null : totalsLabel(values);
      if (totals) reject('missing_required_field', 'email', `“${email.slice(0, 40)}” is not an email: this looks like a totals row (“${totals.slice(0, 40)}”), not a person — ignore it`);
      if (!hasSource) reject('missing_required_field', 'email', `${notAnEmail(email)}, and it is this row’s only identity`);
      reject('invalid_email', 'email', notAnEmail(email));
    }
    keys.emailKey = email.toLowerCase();
  }
  if (email === null && !hasSource) {
    const sourceColumns = columns.has('source_hris_id') || (ctx.format === 'bamboohr' && columns.has('employee_id'));
    const totals = totalsLabel(values);
    if (totals) {
      reject(sourceColumns ? 'missing_required_identity' : 'missing_required_field', 'email', `is blank: this looks like a totals row (“${totals.slice(0, 40)}”), not a person — ignore it`);
    }
    const vacancy = vacancyLabel(cell);
    if (vacancy) {
      reject(sourceColumns ? 'missing_required_identity' : 'missing_required_field', 'email', `is blank: this looks like a vacant position (“${vacancy.slice(0, 40)}”), not a person — the import brings in people only: ignore the row, and add the position to its unit in Orgonaut`);
    }
    if (sourceColumns) reject('missing_required_identity', 'email', 'has neither a valid email nor a complete source identity (source_hris + source_hris_id, or PersonID)');
    const byId = employeeId ? ' (an employee id is not one in an Orgonaut CSV: add source_hris + source_hris_id columns, or import the file as BambooHR)' : '';
    reject('missing_required_field', 'email', `is blank, and email is this file’s only identity${byId}`);
  }
  return { rowNumber, sourceHris, sourceHrisId, email, emailKey: keys.emailKey, employeeId };
}

function parsePerson(input: RowInput, cell: Cell, ctx: ParseContext, attempt: Attempt): void {
  const kind = given(cell('kind'));
  if (kind !== undefined) attempt(() => void (input.kind = parseKind(kind)));
  const name = given(cell('name'));
  const first = given(cell('first_name'));
  const last = given(cell('last_name'));
  if (name) input.displayName = (input.kind === 'robot' || input.kind === 'agent' ? null : lastFirst(name))?.name ?? name.replace(/\s+/g, ' ');
  else if (first || last) input.displayName = [first, last].filter(Boolean).join(' ').replace(/\s+/g, ' ');
  const fte = given(cell('fte'));
  if (fte !== undefined) {
    const header = headerOf(ctx.mapping, 'fte');
    attempt(() => void (input.fte = parseFte(fte, header && headerSaysPercent(header) ? header : null, header)));
  }
  // A spreadsheet cell may hold line breaks (“Engineer⏎Flight software”): a title is one line.
  input.title = given(cell('job_title'))?.replace(/\s+/g, ' ');
  input.level = given(cell('level'))?.replace(/\s+/g, ' ');
  input.roleType = given(cell('role_type'))?.replace(/\s+/g, ' ');
  const start = given(cell('start_date'));
  if (start !== undefined) attempt(() => void (input.validFrom = parseDate(start, 'start_date', columnDateOrder(ctx, 'start_date'), ctx.today)));
  // HR systems write the last day employed (BambooHR's termination date): the person counts that day, and the
  // model's end (the first day no longer in effect) is the day after.
  const end = given(cell('end_date'));
  let lastDay: string | null | undefined;
  if (end !== undefined) attempt(() => void (lastDay = parseDate(end, 'end_date', columnDateOrder(ctx, 'end_date'), ctx.today)));
  if (lastDay !== undefined) input.validTo = lastDay === null ? null : addDays(lastDay, 1);
  const employment = given(cell('employment_type'));
  // Without a status, BambooHR's employment status Terminated (what a leaver's says; webhooks may send only it) is one.
  const status = given(cell('status')) ?? (employment?.toLowerCase() === 'terminated' ? employment : undefined);
  if (status !== undefined) {
    attempt(() => {
      const active = parseStatus(status);
      if (!active) {
        // No end date in the file (blank, or BambooHR's 0000-00-00): an existing end date stays, else today.
        if (input.validTo === undefined || input.validTo === null) {
          input.validTo = undefined;
          input.inactiveFrom = ctx.today;
        }
      } else if (input.validTo === undefined) input.validTo = null;
    });
  }
  attempt(() => {
    if (input.validFrom && lastDay && lastDay < input.validFrom) {
      reject('invalid_date', 'end_date', `the last day ${lastDay} is before the start date ${input.validFrom}`);
    }
    if (input.validFrom && input.inactiveFrom && input.inactiveFrom <= input.validFrom) {
      reject('invalid_date', 'status', `inactive ends the person today (${input.inactiveFrom}), which is not after the start date ${input.validFrom}: give an end date or correct the status`);
    }
  });
  if (employment !== undefined) {
    attempt(() => {
      const employmentType = parseEmployment(employment);
      if (employmentType) input.employmentType = employmentType;
    });
  }
  // The manager's email written in the name column (how a name several people share is fixed in the review): the email.
  const nameCell = cell('manager_name');
  const managerCell = cell('manager_email') || (nameCell && holdsEmail(nameCell) ? nameCell : undefined) || cell('manager_email');
  const managerEmail = managerCell ? bareEmail(managerCell) : managerCell;
  const managerId = cell('manager_employee_id');
  const managerName = managerNameOf(cell);
  const present = [managerEmail, managerId, managerName].some((v) => v !== undefined && v !== null);
  if (present) {
    if (!managerEmail && !managerId && !managerName) {
      input.manager = { none: true };
    } else {
      attempt(() => {
        if (managerEmail && !EMAIL.test(managerEmail)) reject('invalid_email', 'manager_email', notAnEmail(managerEmail));
        input.manager = { none: false, email: managerEmail ? managerEmail.toLowerCase() : null, employeeId: managerId || null, name: managerName || null };
      });
    }
  }
}

function parsePlacement(input: RowInput, cell: Cell, ctx: ParseContext, attempt: Attempt): void {
  const departmentCell = given(cell('department'));
  const department = departmentCell === undefined ? undefined : organisationName(departmentCell, headerOf(ctx.mapping, 'department')).name;
  const team = given(cell('team'));
  if (department !== undefined) {
    attempt(() => {
      const parent = given(cell('parent_department'));
      const typeName = given(cell('department_type')) ?? null;
      if (typeName && !ctx.createMissingTypes && !ctx.departmentTypes.has(typeName.toLowerCase())) {
        reject('unknown_department_type', 'department_type', `“${typeName}” is not a department type of this tenant${knownTypes(ctx.typeNames?.departments)}`);
      }
      input.department = {
        name: department.replace(/\s+/g, ' '),
        key: unitKey(department),
        parent: parent && unitKey(parent) !== unitKey(department) ? { name: parent.replace(/\s+/g, ' '), key: unitKey(parent) } : null,
        typeName,
        costCenter: given(cell('cost_center')) ?? null,
      };
    });
  }
  if (team !== undefined) {
    attempt(() => {
      const typeName = given(cell('team_type')) ?? null;
      if (typeName && !ctx.createMissingTypes && !ctx.teamTypes.has(typeName.toLowerCase())) {
        reject('unknown_team_type', 'team_type', `“${typeName}” is not a team type of this tenant${knownTypes(ctx.typeNames?.teams)}`);
      }
      input.team = { name: team.replace(/\s+/g, ' '), key: unitKey(team), typeName };
    });
  }
  const allocation = given(cell('allocation_pct'));
  if (allocation !== undefined) {
    attempt(() => {
      input.allocationPct = parseAllocation(allocation);
    });
  }
}

/** “ (it has: A, B, C)”, “ (it has none yet)”, or nothing when the names are not known. */
function knownTypes(names: readonly string[] | undefined): string {
  if (!names) return '';
  if (!names.length) return ' (it has none yet)';
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  return ` (it has: ${sorted.length > 12 ? `${sorted.slice(0, 12).join(', ')}…` : sorted.join(', ')})`;
}

/** The pay columns: in the currency's main unit (as HR systems write it) or in minor units (cents). */
const PAY_FIELDS = [
  { field: 'base_salary', kind: 'salary', minor: false },
  { field: 'daily_rate', kind: 'day_rate', minor: false },
  { field: 'base_salary_cents', kind: 'salary', minor: true },
  { field: 'daily_rate_cents', kind: 'day_rate', minor: true },
] as const satisfies readonly { field: ImportField; kind: CompensationKind; minor: boolean }[];

/** A pay column the row gives a value in. */
type PayCell = { field: (typeof PAY_FIELDS)[number]['field']; kind: CompensationKind; minor: boolean; text: string };

function parsePay(input: RowInput, cell: Cell, ctx: ParseContext, attempt: Attempt): void {
  // Built one literal at a time: PAY_FIELDS.map(f => ({ ...f, text })).filter(…) put ~700 bytes a row into V8's old
  // generation (parsed twice per run: 100k rows left ~100 MB of garbage there, collected only at a full GC).
  const given_: PayCell[] = [];
  for (const f of PAY_FIELDS) {
    const text = given(cell(f.field));
    if (text !== undefined) given_.push({ field: f.field, kind: f.kind, minor: f.minor, text });
  }
  if (!given_.length) return;
  const pay = given_[0]!;
  let text = pay.text;
  let written: string | null = null;
  let dollar = false;
  let amountPeriod: PayPeriod | null = null;
  let amountRead = false;
  attempt(() => {
    if (given_.length > 1) reject('invalid_amount', given_[1]!.field, `give one pay amount per row, not both ${given_[0]!.field} and ${given_[1]!.field}`);
    ({ text, period: amountPeriod } = periodInAmount(text));
    if (!pay.minor) ({ text, written, dollar } = currencyOf(text, pay.field));
    if (pay.minor && !/^\d{1,13}(\.0+)?$/.test(text)) {
      const major = pay.kind === 'salary' ? 'base_salary' : 'daily_rate';
      reject('invalid_amount', pay.field, `“${text.slice(0, 40)}” is not a whole number of cents${/[.,]\d{1,2}$|\d[,.' ]\d{3}/.test(text) ? ` (an amount as HR systems write it? map the column to ${major})` : ''}`);
    }
    amountRead = true;
  });
  const shown = pay.text;
  const payHeader = headerOf(ctx.mapping, pay.field);
  // What the amount is for: said by a pay period column, the amount itself or the pay type; refused by the hour.
  let period: SaidPeriod | null = null;
  attempt(() => {
    period = payPeriodOf(cell, ctx, amountPeriod);
    if (period?.period === 'hour') {
      reject('hourly_pay', pay.field, `“${shown.slice(0, 40)}” in “${(payHeader ?? pay.field).slice(0, 40)}” is pay by the hour (${period.said}): Orgonaut keeps an annual base salary or a day rate, so give this person’s annual salary (with the period Year) or day rate (with the period Day)`);
    }
    if (period && pay.kind === 'day_rate' && period.period !== 'day') {
      reject('invalid_pay_period', 'pay_period', `the day rate in “${(payHeader ?? pay.field).slice(0, 40)}” is pay per ${PERIOD_NAMES[period.period]} (${period.said}): map the column to base_salary, or give the period Day`);
    }
  });
  let currency: string | null = null;
  attempt(() => {
    const column = given(cell('currency'))?.toUpperCase();
    if (column && written && column !== written) reject('invalid_currency', 'currency', `the amount says ${written} but the currency column says ${column.slice(0, 8)}`);
    // “Annual salary (EUR)”: the column's header says the currency of its amounts.
    const header = pay.minor ? null : payHeader;
    const headed = header ? headerCurrency(header) : null;
    if (headed && (column ?? written) && (column ?? written) !== headed) {
      reject('invalid_currency', 'currency', `the column “${header!.slice(0, 40)}” is in ${headed} but ${column ? 'the currency column' : 'the amount'} says ${(column ?? written)!.slice(0, 8)}`);
    }
    // A bare $ is US dollars unless the row says which dollar; beside a currency that is no dollar, it is a mistake.
    const against = column ?? headed;
    if (dollar && against && !DOLLAR_CURRENCIES.has(against)) {
      reject('invalid_currency', 'currency', `the amount says $ but ${column ? 'the currency column says' : `the column “${header!.slice(0, 40)}” is in`} ${against.slice(0, 8)}`);
    }
    const named = column ?? written ?? headed ?? (dollar ? 'USD' : null);
    if (!named) reject('invalid_currency', 'currency', `is required with pay: map a currency column, write it with the amount (85000 EUR), or name it in the pay column’s header (“${pay.field === 'base_salary' ? 'Annual salary' : 'Day rate'} (EUR)”)`);
    if (!ctx.activeCurrencies.has(named)) reject('invalid_currency', 'currency', `${named.slice(0, 8)} is not an active currency of this tenant (active: ${[...ctx.activeCurrencies].sort().join(', ') || 'none'})`);
    currency = named;
  });
  let amountMinor: number | null = null;
  // A main-unit amount is read with its currency's decimals: it is checked once the currency is known.
  if (amountRead && (pay.minor || currency)) attempt(() => void (amountMinor = pay.minor ? Number.parseInt(text, 10) : majorToMinor(text, currency!, pay.field, shown)));
  const effective = given(cell('pay_effective_date'));
  let effectiveDay: string | null = null;
  if (effective !== undefined) attempt(() => void (effectiveDay = parseDate(effective, 'pay_effective_date', columnDateOrder(ctx, 'pay_effective_date'), ctx.today)));
  const unit = (period as SaidPeriod | null)?.period ?? null;
  if (amountMinor !== null && currency && unit !== 'hour') {
    // Orgonaut keeps an annual salary: an amount for a month or a quarter is the year's ×12 or ×4; one for a day, a day rate.
    const kind: CompensationKind = unit === 'day' ? 'day_rate' : pay.kind;
    const perYear = unit && unit !== 'day' && pay.kind === 'salary' ? PERIODS_PER_YEAR[unit] : 1;
    input.pay = { kind, amountMinor: amountMinor * perYear, currency, effective: effectiveDay };
  }
}

/** A pay amount's period and what says it (“Pay Per” says Month), for the messages. */
interface SaidPeriod {
  period: PayPeriod;
  said: string;
}

/**
 * The period of a row's pay amount: its pay period column's (refused when unreadable or at odds with a period written in
 * the amount), else the amount's own (“5,000/month”), else its pay type's (Hourly, Daily); null when nothing says one
 * (an annual salary, or the day rate of a daily_rate column).
 */
function payPeriodOf(cell: Cell, ctx: ParseContext, inAmount: PayPeriod | null): SaidPeriod | null {
  const column = given(cell('pay_period'));
  const header = (headerOf(ctx.mapping, 'pay_period') ?? 'pay_period').slice(0, 40);
  if (column !== undefined) {
    const period = periodNamed(column);
    if (!period) reject('invalid_pay_period', 'pay_period', `“${column.slice(0, 40)}” in “${header}” is not a period the import reads: write Year, Month, Quarter, Week, Day or Hour`);
    if (inAmount && inAmount !== period) reject('invalid_pay_period', 'pay_period', `the amount says per ${PERIOD_NAMES[inAmount]} but “${header}” says ${column.slice(0, 40)}`);
    return { period, said: `“${header}” says ${column.slice(0, 40)}` };
  }
  if (inAmount) return { period: inAmount, said: `the amount says per ${PERIOD_NAMES[inAmount]}` };
  const type = given(cell('pay_type'));
  const typed = type === undefined ? null : periodOfPayType(type);
  return typed ? { period: typed, said: `“${(headerOf(ctx.mapping, 'pay_type') ?? 'pay_type').slice(0, 40)}” says ${type!.slice(0, 40)}` } : null;
}

const SYMBOLS: Record<string, string | null> = { '€': 'EUR', '£': 'GBP', $: null, '¥': null };
/** The currencies a bare $ may stand for: beside any other, it is a mistake. */
const DOLLAR_CURRENCIES: ReadonlySet<string> = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'MXN', 'TWD', 'CLP', 'COP', 'ARS', 'BRL']);
/** Dollars that say which: US$, C$ / CA$, A$ / AU$, NZ$, S$ / SG$, HK$, MX$. */
const NAMED_DOLLARS: Record<string, string> = { US: 'USD', C: 'CAD', CA: 'CAD', A: 'AUD', AU: 'AUD', NZ: 'NZD', S: 'SGD', SG: 'SGD', HK: 'HKD', MX: 'MXN' };

/**
 * An amount with its currency written in: `85000 EUR`, `USD 85,000`, `€85.000`, `US$85,000` → the amount and the code
 * (if it says one); `dollar` when it says only `$` — US dollars, unless the row names another dollar.
 */
function currencyOf(value: string, field: string): { text: string; written: string | null; dollar: boolean } {
  let text = value.trim();
  let written: string | null = null;
  const namedDollar = /^([A-Za-z]{1,2})\$\s*(.*)$/.exec(text);
  if (namedDollar && NAMED_DOLLARS[namedDollar[1]!.toUpperCase()]) return { text: namedDollar[2]!.trim(), written: NAMED_DOLLARS[namedDollar[1]!.toUpperCase()]!, dollar: false };
  const code = /^([A-Za-z]{3})\s*(.*)$/.exec(text) ?? /^(.*?)\s*([A-Za-z]{3})$/.exec(text);
  if (code) {
    const [letters, rest] = /^[A-Za-z]{3}/.test(text) ? [code[1]!, code[2]!] : [code[2]!, code[1]!];
    if (/\d/.test(rest)) {
      written = letters.toUpperCase();
      text = rest;
    }
  }
  let dollar = false;
  const symbol = /^([€£$¥])\s*(.*)$/.exec(text) ?? /^(.*?)\s*([€£$¥])$/.exec(text);
  if (symbol) {
    const [sign, rest] = /^[€£$¥]/.test(text) ? [symbol[1]!, symbol[2]!] : [symbol[2]!, symbol[1]!];
    const named = SYMBOLS[sign] ?? null;
    if (named && written && named !== written) reject('invalid_amount', field, `“${value.slice(0, 40)}” names two currencies`);
    written ??= named;
    dollar = sign === '$' && !written;
    text = rest;
  }
  return { text: text.trim(), written, dollar };
}

/**
 * An amount in the currency's main unit as spreadsheets and HR systems write it → whole minor units: 85000,
 * 85000.50, 85,000.00, 85.000,00, 85 000, 85'000. A lone separator before exactly three digits groups thousands
 * (85,000 and 85.000 are both 85 thousand); before one or two digits it is the decimal separator (85,5 is 85.50).
 */
function majorToMinor(text: string, currency: string, field: string, shown: string): number {
  const bad = (why = '') => reject('invalid_amount', field, `“${shown.slice(0, 40)}” is not an amount${why} (write it like 85000, 85,000.00 or 85.000,00)`);
  const compact = text.replace(/[\s\u00a0\u202f'’]/g, (m, offset: number) => (/\d/.test(text[offset - 1] ?? '') && /^\d{3}(\D|$)/.test(text.slice(offset + 1)) ? '' : m));
  if (!/^\d[\d.,]*$/.test(compact)) bad(/^-/.test(compact) ? ' (pay cannot be negative)' : '');
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let decimal: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
  else {
    const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
    if (sep && compact.split(sep).length === 2 && !/^\d{3}$/.test(compact.slice(compact.lastIndexOf(sep) + 1))) decimal = sep;
  }
  const [whole, fraction = ''] = decimal ? [compact.slice(0, compact.lastIndexOf(decimal)), compact.slice(compact.lastIndexOf(decimal) + 1)] : [compact, ''];
  const thousands = decimal === '.' ? ',' : decimal === ',' ? '.' : /[.,]/.exec(whole)?.[0];
  if (thousands && whole.includes(thousands) && !new RegExp(`^\\d{1,3}(\\${thousands}\\d{3})+$`).test(whole)) bad();
  const digits = thousands ? whole.split(thousands).join('') : whole;
  if (!/^\d{1,13}$/.test(digits) || !/^\d*$/.test(fraction) || (decimal && !fraction)) bad();
  const unit = minorUnits(currency);
  const cents = fraction.replace(/0+$/, '');
  if (cents.length > unit) bad(unit ? ` (${currency} has ${unit} decimals)` : ` (${currency} has no decimals)`);
  return Number(digits) * 10 ** unit + (cents ? Number(cents.padEnd(unit, '0')) : 0);
}

const KINDS: Record<string, ActorKind> = { person: 'human', employee: 'human', people: 'human', bot: 'robot', ai: 'agent', 'ai agent': 'agent', ai_agent: 'agent' };

function parseKind(value: string): ActorKind {
  const v = value.toLowerCase();
  if ((ACTOR_KINDS as readonly string[]).includes(v)) return v as ActorKind;
  const kind = KINDS[v];
  if (!kind) reject('invalid_kind', 'kind', `“${value.slice(0, 40)}” is not human, robot or agent`);
  return kind;
}

const PERM = new Set(['perm', 'permanent', 'employee', 'full-time', 'full time', 'fulltime', 'part-time', 'part time', 'parttime', 'regular', 'fixed-term', 'fixed term', 'intern', 'salaried', 'hourly', 'temporary', 'seasonal', 'trainee', 'apprentice']);
const CONTRACTOR = new Set(['contractor', 'contract', 'freelance', 'freelancer', 'consultant', 'contingent']);
/** HRIS employment statuses that tell a state, not a type (BambooHR's employmentHistoryStatus of a leaver): no change. */
const STATE_NOT_TYPE = new Set(['terminated', 'inactive', 'former', 'furloughed', 'on leave', 'leave of absence', 'suspended']);

/** The employment type a cell names; undefined for a status that says nothing about it (the type is left alone). */
function parseEmployment(value: string): EmploymentType | undefined {
  const v = value.trim().toLowerCase();
  if (PERM.has(v)) return 'perm';
  if (CONTRACTOR.has(v)) return 'contractor';
  if (STATE_NOT_TYPE.has(v)) return undefined;
  // HR systems' longer spellings: Rippling's “Salaried, full-time”, Workday's “Contingent Worker”, Personio's “external”.
  const words = v.split(/[^a-z]+/).filter(Boolean);
  if (words.some((w) => CONTRACTOR_WORDS.has(w))) return 'contractor';
  if (words.some((w) => PERM_WORDS.has(w))) return 'perm';
  return reject('invalid_employment_type', 'employment_type', `“${value.slice(0, 40)}” is not perm (employee) or contractor`);
}

const CONTRACTOR_WORDS = new Set(['contractor', 'contingent', 'freelance', 'freelancer', 'consultant', 'external', 'agency', 'extern', 'freiberufler', 'freiberuflich', 'prestataire']);
const PERM_WORDS = new Set(['employee', 'permanent', 'internal', 'regular', 'salaried', 'hourly', 'full', 'part', 'fulltime', 'parttime', 'fixed', 'temporary', 'temp', 'intern', 'internship', 'trainee', 'apprentice', 'working', 'student', 'minijob', 'minijobber', 'festangestellt', 'angestellt', 'unbefristet', 'befristet', 'vollzeit', 'teilzeit', 'werkstudent', 'praktikant', 'auszubildender', 'cdi', 'cdd']);

/** Active or not. A person on leave, furloughed or on probation is still employed: active. */
const ACTIVE_STATUSES = new Set([
  'active', 'current', 'employed', 'on leave', 'leave', 'leave of absence', 'parental leave', 'maternity leave', 'paternity leave', 'sick leave',
  'sabbatical', 'furloughed', 'probation', 'on probation', 'suspended', 'onboarding', 'notice period', 'serving notice', 'new hire',
  'garden leave', 'on garden leave', 'offboarding', 'pre hire', 'prehire',
  'aktiv', 'actif', 'activo', // German, French, Spanish exports
]);
const INACTIVE_STATUSES = new Set([
  'inactive', 'terminated', 'former', 'former employee', 'ex employee', 'left', 'deleted', 'resigned', 'retired', 'separated', 'dismissed',
  'deceased', 'laid off', 'exited', 'offboarded', 'withdrawn',
  'inaktiv', 'inactif', 'inactivo', 'ausgeschieden', // German, French, Spanish exports
]);

function parseStatus(value: string): boolean {
  // “On_Leave”, “ex-employee”, “Parental  leave” are the spellings of the lists.
  const v = value.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
  if (ACTIVE_STATUSES.has(v)) return true;
  if (INACTIVE_STATUSES.has(v)) return false;
  return reject('invalid_status', 'status', `“${value.slice(0, 40)}” is not active or inactive`);
}

/**
 * YYYY-MM-DD (a timestamp's day too), and the spellings that cannot be misread: year first with any separator
 * (2024/3/5), the day-first dotted dates of European spreadsheets (05.03.2024) and the month in words (05-Mar-2024,
 * March 5, 2024). Slashes (or dashes) with the year
 * last are refused — 03/05/2024 is March or May depending on who saved the file — unless the person importing said
 * which comes first (`order`).
 */
function parseDate(value: string, field: string, column: ColumnDateOrder, today: string): string | null {
  const { order, header } = column;
  // As the order was said: by the column's header (which may write it with dots: MM.DD.YYYY), or chosen for the import.
  const asSaid = header ? `as the column’s header “${header.slice(0, 40)}” says` : 'as chosen for this import';
  if (value === '0000-00-00') return null; // BambooHR's empty date
  const pad = (n: string) => n.padStart(2, '0');
  // A spreadsheet's midnight (`2024-03-05 00:00:00`, `05.03.2024 00:00`, US Excel's `3/5/2024 0:00` or
  // `3/5/2024 12:00:00 AM`) is the day; the checks below read the date without it.
  const date = value.replace(/ (?:0?0:00(:00)?|12:00(:00)? ?AM)$/i, '');
  const yearFirst = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(date);
  const yearLast = order ? (header ? /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/ : /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/).exec(date) : null;
  const dotted = yearLast ? null : /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(date);
  const [month, dayOfMonth] = yearLast ? (order === 'month_first' ? [yearLast[1]!, yearLast[2]!] : [yearLast[2]!, yearLast[1]!]) : ['', ''];
  const named = namedMonthDate(date);
  const day = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(date)
    ? date.slice(0, 10)
    : named ? named
    : yearFirst ? `${yearFirst[1]}-${pad(yearFirst[2]!)}-${pad(yearFirst[3]!)}`
    : dotted ? `${dotted[3]}-${pad(dotted[2]!)}-${pad(dotted[1]!)}`
    : yearLast ? `${yearLast[3]}-${pad(month)}-${pad(dayOfMonth)}`
    : date;
  if (!isIsoDate(day)) {
    const shortYear = twoDigitYear(date, today);
    if (shortYear) {
      const slashed = !order && /^\d{1,2}[/-]\d{1,2}[/-]\d{2}$/.test(date) ? ', and say in the import’s settings whether the day or the month comes first (“Dates like 03/05/2024”)' : '';
      reject('invalid_date', field, `“${value.slice(0, 40)}” has a two-digit year, and the import does not guess the century: write the year with four digits — ${shortYear} if that is the year meant${slashed}`);
    }
    const ambiguous = yearLast
      ? ` (read ${order === 'month_first' ? 'month' : 'day'} first, ${asSaid})`
      : /^\d{1,2}\/\d{1,2}\/\d{2,4}$/.test(date)
      ? ' (with slashes, whether the day or the month comes first depends on who saved the file: say which in the import’s settings, “Dates like 03/05/2024”)'
      : /^\d{5}(\.\d+)?$/.test(value)
        ? ' (a spreadsheet’s day number: format the column as a date, YYYY-MM-DD, before saving the file)'
        : '';
    const impossible = /^\d{4}-\d{2}-\d{2}$/.test(day) ? noSuchDay(day) : null;
    if (impossible && yearLast) {
      const other = header ? `the format in the header if the file writes the ${order === 'month_first' ? 'day' : 'month'} first` : 'the order in the import’s settings if it is the other way round';
      reject('invalid_date', field, `“${value.slice(0, 40)}” read ${order === 'month_first' ? 'month' : 'day'} first, ${asSaid}, is no day of the calendar (${impossible}): correct the date in the file, or ${other}`);
    }
    if (impossible) reject('invalid_date', field, `“${value.slice(0, 40)}” is no day of the calendar (${impossible}): correct it in the file`);
    reject('invalid_date', field, `“${value.slice(0, 40)}” is not a date written YYYY-MM-DD${ambiguous}`);
  }
  return day;
}

/**
 * A date written with a two-digit year last (05-Mar-24, 3/5/24, 05.03.24, March 5, 24), as the same date with the year
 * in full — the nearest 19xx or 20xx to today's century, for the message only: the import never reads it. Null when
 * it is not one.
 */
function twoDigitYear(value: string, today: string): string | null {
  const match = /^(\d{1,2}[-/.\s]+(?:\d{1,2}|[a-z]{3,9}\.?)|[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?)([-/.\s]+)(\d{2})$/i.exec(value);
  if (!match) return null;
  const year = 2000 + Number(match[3]);
  // A start or end day more than ten years ahead is more likely last century's.
  const full = year > Number(today.slice(0, 4)) + 10 ? year - 100 : year;
  return `${match[1]}${match[2]}${full}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A date with its month in words, as spreadsheets format them — `05-Mar-2024`, `5 March 2024`, `March 5, 2024`,
 * `Mar 5 2024` —: never misread, whoever saved it. Null when it is not one.
 */
function namedMonthDate(value: string): string | null {
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th)?[-\s./]+([a-z]{3,9})\.?[-\s.,/]+(\d{4})$/i.exec(value);
  const monthFirst = /^([a-z]{3,9})\.?[-\s./]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s./]+(\d{4})$/i.exec(value);
  const [day, name, year] = dayFirst ? [dayFirst[1]!, dayFirst[2]!, dayFirst[3]!] : monthFirst ? [monthFirst[2]!, monthFirst[1]!, monthFirst[3]!] : [];
  if (!name) return null;
  const key = name.toLowerCase();
  const month = MONTHS.findIndex((m) => m.toLowerCase() === key || m.slice(0, 3).toLowerCase() === key || (key === 'sept' && m === 'September'));
  return month < 0 ? null : `${year}-${String(month + 1).padStart(2, '0')}-${day!.padStart(2, '0')}`;
}

/** What is wrong with a day written in the right shape that the calendar does not have (2024-02-30, month 13). */
function noSuchDay(day: string): string | null {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return date < 1 || date > days ? `${MONTHS[month - 1]} ${year} has ${days} days` : null;
}

function parseDecimal(value: string, code: 'invalid_fte' | 'invalid_allocation', field: string): number {
  const text = /^\d+,\d+$/.test(value) ? value.replace(',', '.') : value;
  if (!/^\d+(\.\d+)?$/.test(text)) reject(code, field, `“${value.slice(0, 40)}” is not a number`);
  const n = Number(text);
  if (Math.abs(Math.round(n * 100) - n * 100) > 1e-6) reject(code, field, `${value} has more than two decimals`);
  return Math.round(n * 100) / 100;
}

/** A whole number a percentage of full time would be (80, 100, 50.0), not an FTE: 10 to 300. */
export const looksLikePercent = (value: string) => /^\d+([.,]0+)?$/.test(value) && Number(value.replace(',', '.')) >= 10 && Number(value.replace(',', '.')) <= 300;

/** The header of the column a field is read from. */
function headerOf(mapping: readonly ColumnMapping[], field: ImportField): string | null {
  const column = columnIndex(mapping).get(field);
  return column === undefined ? null : (mapping.find((m) => m.column === column)?.header ?? null);
}

/**
 * 0.8, 0,8 or a whole percentage (80 %, or 80 in a column whose header says it holds percentages: `percentHeader`),
 * from 0.01 to 3.00. A bare 80 in a plain FTE column is refused, saying it looks like a percentage and how to write
 * it: read as 80 FTE it is out of range, and guessed as 0.8 a file of 1s and 100s would be read two ways.
 */
function parseFte(cellValue: string, percentHeader: string | null, header: string | null): number {
  // “0.8 FTE”: the unit is the column's.
  const value = cellValue.replace(/\s*fte$/i, '');
  const signed = /^(.*?)\s*%$/.exec(value)?.[1];
  const percent = signed ?? (percentHeader ? value : undefined);
  if (percent === undefined) {
    const n = parseDecimal(value, 'invalid_fte', 'fte');
    if (looksLikePercent(value) && n > 3) {
      const renamed = header && !/%/.test(header) ? `${header.trim().slice(0, 30)} %` : 'FTE %';
      reject('invalid_fte', 'fte', `${value} must be from 0.01 to 3.00, and looks like a percentage: write ${n / 100} or ${n} % (or head the column “${renamed}” if it holds percentages)`);
    }
    return checkRange(n, 0.01, 3, 'invalid_fte', 'fte', 'must be from 0.01 to 3.00');
  }
  const n = parseDecimal(percent, 'invalid_fte', 'fte');
  // “0.8” or “1” in a column of percentages: a fraction of full time written where percentages were said to be (no
  // one works 1 % of full time).
  if (signed === undefined && n > 0 && n <= 3) {
    const whole = Math.round(n * 100);
    reject('invalid_fte', 'fte', `“${value.slice(0, 40)}” would be ${value.slice(0, 10)} % of full time in “${percentHeader!.slice(0, 40)}”, a column of percentages: write ${whole} (or ${whole} %) for ${n} FTE — or, if the column holds fractions of full time, head it “FTE”`);
  }
  if (!Number.isInteger(n)) reject('invalid_fte', 'fte', `“${value.slice(0, 40)}” is not a whole percentage (an FTE has two decimals at most): write ${Math.round(n)} % or ${Math.round(n) / 100}`);
  if (n < 1 || n > 300) reject('invalid_fte', 'fte', `${value.slice(0, 40)} must be from 1 % to 300 %`);
  return n / 100;
}

/**
 * An allocation, a percentage from 0 to 300 (80 or 80 %). A number above 0 up to 3 without its sign (0.5, 1.0, 1) is
 * refused: an export writing allocations as fractions of full time means 50 %, not 0.5 %.
 */
function parseAllocation(cellValue: string): number {
  const signed = /^(.*?)\s*%$/.exec(cellValue)?.[1];
  const n = parseDecimal(signed ?? cellValue, 'invalid_allocation', 'allocation_pct');
  if (signed === undefined && n > 0 && n <= 3) {
    const percent = Math.round(n * 10000) / 100;
    reject('invalid_allocation', 'allocation_pct', `${cellValue.slice(0, 20)} looks like a fraction of full time, but the allocation is a percentage (0 to 300): write ${percent} (or ${percent} %)`);
  }
  return checkRange(n, 0, 300, 'invalid_allocation', 'allocation_pct', 'must be from 0 to 300 (percent)');
}

function checkRange(n: number, min: number, max: number, code: 'invalid_fte' | 'invalid_allocation', field: string, message: string): number {
  if (n < min || n > max) reject(code, field, `${n} ${message}`);
  return n;
}
