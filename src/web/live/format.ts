/** Formatting for pages: numbers, money, dates and signed deltas. Money arrives only when the service sent it. */

import { minorUnits, toMajor } from '../../org/cost.js';
import { PLACEMENT_CHECKS } from '../../org/placement-checks.js';
import { counted } from '../../util/words.js';

const numberFormats = new Map<number, Intl.NumberFormat>();

/** A number with at most `digits` decimals, grouped ("1,234.5"); an en dash for null. */
export function num(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let format = numberFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits });
    numberFormats.set(digits, format);
  }
  return format.format(value);
}

export function pct(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? '–' : `${num(value * 100, digits)} %`;
}

/** A member or user as a person reads them: "Ann Lee (ann@…)", or the email alone. */
export function personLabel(person: { name: string | null; email: string }): string {
  return person.name ? `${person.name} (${person.email})` : person.email;
}

/** "1 person" / "3 people" style counts. */
export const count = counted;

/** Minor units of a currency as an amount ("€1,234", "$12,000", "¥120,000"); cents only below 100 units. */
export function money(amountMinor: number | null | undefined, currency: string | null | undefined): string {
  if (amountMinor === null || amountMinor === undefined || !currency) return '–';
  const major = toMajor(amountMinor, currency);
  try {
    const digits = Math.abs(major) < 100 && !Number.isInteger(major) ? minorUnits(currency) : 0;
    return moneyFormat(`${currency}:${digits}`, () => ({ style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: digits })).format(major);
  } catch {
    return `${num(major, 2)} ${currency}`;
  }
}

/**
 * A currency format made once per currency and shape: building an Intl.NumberFormat costs far more than formatting
 * with one, and the tree of a large organisation formats an amount for each of its thousands of units. Throws, as
 * the constructor does, for a code that is no currency (nothing is kept then).
 */
function moneyFormat(key: string, options: () => Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = moneyFormats.get(key);
  if (!format) moneyFormats.set(key, (format = new Intl.NumberFormat('en-GB', options())));
  return format;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** A compact amount for dense places (tree nodes): "€1.2M", "€86K". */
export function moneyShort(amountMinor: number | null | undefined, currency: string | null | undefined): string {
  if (amountMinor === null || amountMinor === undefined || !currency) return '–';
  try {
    return moneyFormat(`${currency}:compact`, () => ({ style: 'currency', currency, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 })).format(toMajor(amountMinor, currency));
  } catch {
    return money(amountMinor, currency);
  }
}

/** A signed difference for deltas: "+2", "−0.5", "0". */
export function signed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0';
  return `${value > 0 ? '+' : '−'}${num(Math.abs(value), digits)}`;
}

export function signedMoney(amountMinor: number | null | undefined, currency: string): string {
  if (amountMinor === null || amountMinor === undefined) return '–';
  if (amountMinor === 0) return money(0, currency);
  return `${amountMinor > 0 ? '+' : '−'}${money(Math.abs(amountMinor), currency)}`;
}

/** A lineage cost delta: signed money, or — when a currency without an exchange rate makes it unknown — say which. */
export function lineageCost(deltas: { monthly_cost_minor?: number | null; monthly_cost_unconvertible?: string[]; currency?: string }, reporting: string): string {
  if (deltas.monthly_cost_minor === null && deltas.monthly_cost_unconvertible?.length) return `unknown (no ${deltas.monthly_cost_unconvertible.join(', ')} rate)`;
  return signedMoney(deltas.monthly_cost_minor, deltas.currency ?? reporting);
}

/**
 * How a planner reads a metric's rise: a cost (payroll, or the budget of vacant seats) that rises costs more and one
 * that falls is a saving; a problem count (actors failing a placement check) that rises is worse and one that falls
 * is better — read in the same colours as a cost; headcount, FTE, vacancies, spans and layers are neither good nor bad
 * in themselves — a reorganisation may mean to cut them or to grow them — so their moves are shown in a neutral colour.
 */
export type DeltaPolarity = 'cost' | 'problem' | 'neutral';

/** The metrics whose rise is a cost (keys as the delta service names them, and as lineage and import deltas do). */
const COST_METRICS: ReadonlySet<string> = new Set(['annual_cost_minor', 'monthly_cost_minor', 'vacant_seats_annual_cost_minor']);
/** The metrics that count problems to fix: the placement checks (the delta's total names them by check). */
const PROBLEM_METRICS: ReadonlySet<string> = new Set(PLACEMENT_CHECKS);

export function deltaPolarity(metric: string | undefined): DeltaPolarity {
  if (metric === undefined) return 'neutral';
  return COST_METRICS.has(metric) ? 'cost' : PROBLEM_METRICS.has(metric) ? 'problem' : 'neutral';
}

/**
 * The CSS class of a delta of `metric` (colour is never the only signal: the sign is written too): a rise of a cost or
 * of a problem count reads as worse (the warning colour of a cost increase), a fall as better (a saving's colour);
 * other metrics move in a neutral colour.
 */
export function deltaClass(value: number | null | undefined, metric?: string): string | undefined {
  if (!value) return undefined;
  if (deltaPolarity(metric) === 'neutral') return 'delta-neutral';
  return value > 0 ? 'delta-cost-rise' : 'delta-saving';
}

/** "2026-06-01 14:03" (UTC) from a Date or an ISO string. */
export function when(value: Date | string | null | undefined): string {
  if (!value) return '–';
  const iso = typeof value === 'string' ? value : value.toISOString();
  return iso.length > 10 ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : iso;
}

/**
 * How each scenario of a choice (Start from, Import into) reads: its name, when it was created and whether it was
 * submitted — two scenarios may share a name — and, should even that be the same, the start of its id.
 */
export function scenarioChoices(list: { id: string; name: string; created_at: string; submitted: boolean }[]): Map<string, string> {
  const base = (s: (typeof list)[number]) => `${s.name} · created ${when(s.created_at)}${s.submitted ? ' · submitted' : ''}`;
  const seen = new Map<string, number>();
  for (const s of list) seen.set(base(s), (seen.get(base(s)) ?? 0) + 1);
  return new Map(list.map((s) => [s.id, seen.get(base(s))! > 1 ? `${base(s)} · #${s.id.slice(0, 8)}` : base(s)]));
}

/** Names quoted in running text (util/words.ts): the pages and the names services give snapshots quote alike. */
export { quoted } from '../../util/words.js';

export function day(value: Date | string | null | undefined): string {
  if (!value) return '–';
  return (typeof value === 'string' ? value : value.toISOString()).slice(0, 10);
}

/** snake_case or camelCase field names as words: "allocation_pct" → "Allocation %". */
export function fieldLabel(field: string): string {
  const known: Record<string, string> = {
    allocation_pct: 'Allocation %',
    fte: 'FTE',
    planned_fte: 'Planned FTE',
    parent_id: 'Parent unit',
    org_unit_id: 'Org unit',
    actor_id: 'Actor',
    manager_id: 'Manager',
    position_id: 'Position',
    placement_id: 'Placement',
    is_primary: 'Primary',
    valid_from: 'Valid from',
    valid_to: 'Valid to',
    display_name: 'Name',
    target_salary_minor: 'Target salary',
    day_rate_minor: 'Day rate',
    amount_minor: 'Amount',
    role_type: 'Role type',
    employment_type: 'Employment type',
    team_type_id: 'Team type',
    department_type_id: 'Department type',
    cost_center: 'Cost centre',
    lead_actor_id: 'Lead',
    external_uid: 'External id',
    api_token: 'API token',
    effective_fte: 'Effective FTE',
    monthly_cost_minor: 'Monthly cost',
    annual_cost_minor: 'Annual cost',
    vacant_seats_annual_cost_minor: 'Budgeted cost of vacant seats (annual)',
    source_hris: 'Source HRIS',
    oauth_app: 'OAuth app',
    oauth_client: 'Pre-registered OAuth client',
    oauth_token: 'OAuth token',
    oauth_keys: 'OAuth keys',
    hris_webhook: 'HRIS webhook',
    ip: 'IP address',
  };
  const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (known[snake]) return known[snake];
  const words = snake.replace(/_id$/, '').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function kindLabel(kind: string): string {
  return kind === 'human' ? 'person' : kind;
}
