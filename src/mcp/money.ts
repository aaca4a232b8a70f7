/**
 * The one way an MCP result states money (docs/MCP.md, "Money"): a flat integer field in minor units whose name says
 * what the figure is and, for a cost, its period — `annual_cost_minor`, `monthly_cost_minor`,
 * `annual_cost_per_fte_minor`, `vacant_seats_annual_cost_minor`; pay as the change ops take it: `target_salary_minor`,
 * `day_rate_minor`, a compensation's `amount_minor` beside its `kind` — with the ISO currency code beside it as
 * `currency` on the same object. The shared presenters (REST's shapes) give `{amount_minor, currency}` objects under
 * names such as `annual`, `per_fte` or `annual_loaded_cost`; every tool result and resource goes through
 * `flatMoney` so no tool can state money another way.
 */

/** The flat name of a money figure a presenter gives under `key`; any other key gets `_minor` added. */
const FIGURE_NAMES: Readonly<Record<string, string>> = {
  annual: 'annual_cost_minor',
  monthly: 'monthly_cost_minor',
  per_fte: 'annual_cost_per_fte_minor',
  vacant_seats_annual: 'vacant_seats_annual_cost_minor',
  annual_cost: 'annual_cost_minor',
  annual_loaded_cost: 'annual_cost_minor',
  target_salary: 'target_salary_minor',
  day_rate: 'day_rate_minor',
  amount: 'amount_minor',
};

/** The field name a money figure under `key` becomes (also for the tools that word text from presenters' shapes). */
export function flatFigureName(key: string): string {
  return FIGURE_NAMES[key] ?? `${key}_minor`;
}

interface MoneyObject {
  amount_minor: number | null;
  currency: string;
  unconvertible?: string[];
}

const MONEY_KEYS = new Set(['amount_minor', 'currency', 'unconvertible']);

/** A presenter's money object: `{amount_minor, currency}` (and the currencies without a rate it leaves out), nothing else. */
function isMoney(value: unknown): value is MoneyObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return 'amount_minor' in value && typeof (value as MoneyObject).currency === 'string' && keys.every((key) => MONEY_KEYS.has(key));
}

/**
 * `value` with every money object flattened into its holder: `annual: {amount_minor: 5, currency: "EUR"}` becomes
 * `annual_cost_minor: 5` and the holder's `currency: "EUR"`. A figure in another currency than the holder's (a seat's
 * loaded cost in the reporting currency beside its target pay in USD) says its own as `<figure>_currency`
 * (`annual_cost_currency`). The currencies without an exchange rate that any figure leaves out are listed once, in
 * the holder's `unconvertible`.
 */
export function flatMoney(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatMoney);
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  let currency = typeof record.currency === 'string' ? record.currency : undefined;
  const unconvertible = new Set<string>(Array.isArray(record.unconvertible) ? (record.unconvertible as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(record)) {
    if (key === 'unconvertible') continue;
    if (!isMoney(field)) {
      out[key] = flatMoney(field);
      continue;
    }
    const name = flatFigureName(key);
    out[name] = field.amount_minor;
    if (currency === undefined) currency = out.currency = field.currency;
    else if (field.currency !== currency) out[`${name.slice(0, -'_minor'.length)}_currency`] = field.currency;
    for (const code of field.unconvertible ?? []) unconvertible.add(code);
  }
  if (unconvertible.size) out.unconvertible = [...unconvertible].sort();
  return out;
}

/**
 * A message the shared services word for REST (a plan preview's note: "as `annual_loaded_cost` in
 * `org.positions.list`") with each money field named as MCP results name it.
 */
export function inMcpMoneyNames(text: string): string {
  return text.replace(/`([a-z_]+)`/g, (quoted, field: string) => (field in FIGURE_NAMES && field.includes('_') ? `\`${FIGURE_NAMES[field]}\`` : quoted));
}
