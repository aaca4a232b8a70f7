import { minorUnits, toMajor } from '../../org/cost.js';

/**
 * How the client commands print: `--json` prints the API's JSON with keys sorted at every level (deterministic,
 * for scripts and agents); otherwise aligned tables and short summaries for people. Hints go to stderr so stdout
 * stays clean to pipe.
 */

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(sortKeys(value), null, 2)}\n`);
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function hint(line: string): void {
  process.stderr.write(`${line}\n`);
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  align?: 'left' | 'right';
  /** Left out when no row has a value (money columns for a credential without `costs.read`). */
  optional?: boolean;
  /** Free text (a name, a title, an email): cut with `…` when the table is wider than the terminal (see `table`). */
  text?: boolean;
}

export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

/**
 * An aligned table: a header row, then one line per row; numbers right-aligned. Wider than `maxWidth` (the terminal's,
 * when stdout is one), its widest free-text columns (`text`) are narrowed and their cells cut with `…` — a line
 * that wraps is unreadable; ids, figures and other columns stay whole. Piped (no terminal), nothing is cut.
 */
export function table<T>(rows: readonly T[], allColumns: Column<T>[], maxWidth = terminalWidth()): string {
  const columns = allColumns.filter((c) => !c.optional || rows.some((row) => c.value(row) != null));
  const full = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const natural = columns.map((c, i) => Math.max(c.header.length, ...full.map((r) => r[i]!.length)));
  const floors = columns.map((c, i) => (c.text ? Math.min(natural[i]!, Math.max(c.header.length, MIN_TEXT_WIDTH)) : natural[i]!));
  const widths = maxWidth === undefined ? natural : narrowed(natural, floors, maxWidth);
  const cells = full.map((r) => r.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v)));
  const right = columns.map((c, i) => c.align === 'right' || (c.align === undefined && rows.length > 0 && rows.every((row) => typeof c.value(row) === 'number' || c.value(row) == null) && rows.some((row) => typeof c.value(row) === 'number')));
  const line = (values: string[]) =>
    values
      .map((v, i) => (right[i] ? v.padStart(widths[i]!) : i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** How narrow a free-text column may get to fit the terminal (its header's width, if wider). */
const MIN_TEXT_WIDTH = 8;

/** The terminal's width when stdout is one; undefined when piped or redirected (scripts get every line whole). */
export function terminalWidth(): number | undefined {
  const { isTTY, columns } = process.stdout;
  return isTTY && typeof columns === 'number' && columns > 0 ? columns : undefined;
}

/** `widths` with the widest column above its floor narrowed, one character at a time, until the row (two spaces between columns) fits `maxWidth`. */
function narrowed(widths: readonly number[], floors: readonly number[], maxWidth: number): number[] {
  const fit = [...widths];
  for (let over = fit.reduce((sum, w) => sum + w, 2 * (fit.length - 1)) - maxWidth; over > 0; over--) {
    let widest = -1;
    for (let i = 0; i < fit.length; i++) if (fit[i]! > floors[i]! && (widest === -1 || fit[i]! > fit[widest]!)) widest = i;
    if (widest === -1) break;
    fit[widest]!--;
  }
  return fit;
}

export function printTable<T>(rows: readonly T[], columns: Column<T>[], empty = 'Nothing to show.'): void {
  print(rows.length ? table(rows, columns) : empty);
}

/** `key  value` lines, aligned. */
export function printPairs(pairs: [string, unknown][]): void {
  const width = Math.max(...pairs.map(([k]) => k.length));
  for (const [key, value] of pairs) print(`${key.padEnd(width)}  ${cell(value)}`);
}

/** Integer minor units as `1,234.50 EUR` (`120,000 JPY`: the yen has none); null amounts (unconvertible) as `?`. */
export function money(figure: { amount_minor: number | null; currency: string } | null | undefined): string {
  if (!figure) return '-';
  if (figure.amount_minor === null) return `? ${figure.currency}`;
  const digits = minorUnits(figure.currency);
  const major = toMajor(figure.amount_minor, figure.currency);
  return `${major.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${figure.currency}`;
}

/** "2027-02-27 14:03 UTC" from an ISO timestamp ("2027-02-27 14:03:27 UTC" with `seconds`); `-` for none. */
export function utcTime(iso: string | null | undefined, seconds = false): string {
  return iso ? `${iso.slice(0, seconds ? 19 : 16).replace('T', ' ')} UTC` : '-';
}

/**
 * A figure with a fixed number of decimals, so a column of them lines up and `1` never sits beside `0.85`; with
 * `signed`, a rise gets a `+`. Never `-0.00`; nothing for a missing figure. The kinds below say how many decimals.
 */
export function decimals(value: unknown, places: number, signed = false): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const factor = 10 ** places;
  const rounded = Math.round(value * factor) / factor;
  const text = (rounded === 0 ? 0 : rounded).toFixed(places);
  return signed && rounded > 0 ? `+${text}` : text;
}

/** An FTE figure as every command prints one: two decimals (`1.00`, `0.80`, `12.50`; signed `+0.50`, `-0.20`, `0.00`). */
export function fte(value: unknown, signed = false): string | undefined {
  return decimals(value, 2, signed);
}

/** A span of control (direct reports per manager, average or median) as every command prints one: `10.50`, `5.44`, `3.00`. */
export function span(value: unknown, signed = false): string | undefined {
  return decimals(value, 2, signed);
}

/** An exchange rate (units of the reporting currency per unit): four decimals, `1.0000` beside `1.1700` and `0.0062`. */
export function rate(value: unknown): string | undefined {
  return decimals(value, 4);
}

/** A record field's value as a change shows it: FTE fields (`fte`, `planned_fte`) as FTE, anything else as a cell. */
export function fieldValue(field: string, value: unknown): string {
  return /(^|_)fte$/.test(field) && typeof value === 'number' ? fte(value)! : cell(value);
}

/** What the model families are called for people (the API's keys: `org_unit`, `reporting_line`…). */
const FAMILY_LABELS: Record<string, string> = {
  org_unit: 'Org unit',
  department: 'Department',
  team: 'Team',
  actor: 'Actor',
  reporting_line: 'Reporting line',
  placement: 'Placement',
  position: 'Position',
  compensation: 'Pay',
};

/** A family's name in words (`Org unit`, `Reporting line`, `Pay`); an unknown key in words too. */
export function familyLabel(key: string): string {
  return FAMILY_LABELS[key] ?? words(key);
}

/** What a record's fields are called for people (the API's keys: `parent_id`, `allocation_pct`…). */
const FIELD_LABELS: Record<string, string> = {
  parent_id: 'Parent unit',
  org_unit_id: 'Unit',
  actor_id: 'Actor',
  manager_id: 'Manager',
  lead_actor_id: 'Lead',
  position_id: 'Position',
  team_type_id: 'Team type',
  department_type_id: 'Department type',
  name: 'Name',
  display_name: 'Name',
  fte: 'FTE',
  planned_fte: 'Planned FTE',
  allocation_pct: 'Allocation',
  is_primary: 'Primary',
  valid_from: 'From',
  valid_to: 'Until',
  target_salary_minor: 'Target salary',
  day_rate_minor: 'Day rate',
  amount_minor: 'Amount',
  external_uid: 'External id',
  source_hris: 'Source HRIS',
  source_hris_id: 'Source HRIS id',
};

/** A record field's name in words (`Parent unit`, `Allocation`, `Planned FTE`); any other key in words too. */
export function fieldLabel(key: string): string {
  return FIELD_LABELS[key] ?? words(key);
}

/**
 * A record field's value as a person reads it: an id the record points at by its name (`names`, when known),
 * money fields as money in the record's `currency`, allocation as a percentage, FTE with two decimals.
 */
export function fieldText(field: string, value: unknown, names: (id: string) => string | null | undefined = () => undefined, currency?: unknown): string {
  if (typeof value === 'string' && field.endsWith('_id')) return cell(names(value) ?? value);
  if (field.endsWith('_minor') && typeof value === 'number' && typeof currency === 'string') return money({ amount_minor: value, currency });
  if (field.endsWith('_pct') && typeof value === 'number') return `${cell(value)} %`;
  return fieldValue(field, value);
}

/** A key in words: `vacancyRate` and `cost_per_fte_minor` → `Vacancy rate`, `Cost per FTE`. */
function words(key: string): string {
  const text = key
    .replace(/_minor$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\s]+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/\bfte\b/g, 'FTE');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the metrics of a delta are called for people (the API's keys: `effective_fte`, `annual_cost_minor`…). */
const METRIC_LABELS: Record<string, string> = {
  headcount: 'Headcount',
  robots: 'Robots',
  agents: 'AI agents',
  fte: 'FTE',
  effective_fte: 'Effective FTE',
  vacant_positions: 'Vacant positions',
  span_average: 'Span of control (average)',
  span_median: 'Span of control (median)',
  layers: 'Layers',
  annual_cost_minor: 'Annual cost',
  monthly_cost_minor: 'Monthly cost',
  without_compensation: 'Without pay (actors)',
  // Budgeted, not paid: the vacant seats at their target pay, apart from the cost of the people in seats.
  vacant_seats_annual_cost_minor: 'Vacant seats, budgeted (annual, not paid)',
  // Placement checks: actors across the whole organisation (the delta's total only).
  over_allocated: 'Over-allocated (actors)',
  under_allocated: 'Under-allocated (actors)',
  unplaced: 'Unplaced (actors)',
  no_primary: 'No primary placement (actors)',
};

/** A metric's label: the known ones by name, any other key (`vacancyRate`, `cost_per_fte_minor`) in words. */
export function metricLabel(key: string): string {
  return METRIC_LABELS[key] ?? words(key);
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '-' : `${Math.round(ratio * 1000) / 10} %`;
}
