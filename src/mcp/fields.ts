import { z } from 'zod';
import { inEffect, ISO_DATE_RULE } from '../org/dates.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../org/unit-acc.js';
import { MAX_LIMIT } from '../util/pagination.js';
import { can, type Principal } from '../access/policy.js';
import type { OrgView } from '../org/view.js';
import type { OrgGraph } from '../org/types.js';
import { movedPair } from '../scenarios/delta.js';
import type { SimilarName } from '../org/similar-names.js';
import { counted, quoted } from '../util/words.js';

/**
 * Input fields and output pieces shared by the tool families, so every tool spells `scenario_id`, `as_of`,
 * `limit` and `cursor` the same way. Inputs are flat and optional fields are plain `optional()` (never
 * `nullable()`, which would put an `anyOf` in the JSON Schema that some model APIs reject).
 */

const ID_MAX = 100;

export const id = (description: string) => z.string().min(1).max(ID_MAX).describe(description);
export const optionalId = (description: string) => z.string().max(ID_MAX).optional().describe(description);

export const scenarioId = optionalId(
  'A scenario to read instead of Live (from `scenario.list` or `org.snapshots.list`). Omit for Live.',
);
/**
 * An optional day, YYYY-MM-DD. Too long ("2027-01-04T00:00:00Z", "next quarter") is refused with the same rule as
 * any other malformed day, so its fix tells today's date, not a character count.
 */
export const day = (description: string) =>
  z
    .string()
    .trim()
    .max(10, ISO_DATE_RULE)
    .regex(/^\d{4}-\d{2}-\d{2}$/, ISO_DATE_RULE)
    .optional()
    .describe(description);
export const asOf = day('Read the organisation as of this day (YYYY-MM-DD). Omit for today.');
/**
 * Items an MCP list page holds unless `limit` says otherwise: half REST's 50. A page of 50 teams with their metrics
 * was ~35,000 characters on the demo organisation — an assistant's context is precious, and `total`, `next_cursor`
 * and the filters reach the rest.
 */
export const MCP_DEFAULT_LIMIT = 25;

export const limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .optional()
  .describe(`Items per page, 1–${MAX_LIMIT} (default ${MCP_DEFAULT_LIMIT}).`);
export const cursor = z
  .string()
  .max(2000)
  .optional()
  .describe('The `next_cursor` of the previous page, to continue a list with the same filters (another filter needs a fresh walk). Omit for the first page.');
export const includeInactive = z
  .boolean()
  .optional()
  .describe('Also return records not in effect on the day (ended or not yet started). Default false.');

/** The view fields every scenario-aware tool accepts. */
export const viewFields = { scenario_id: scenarioId, as_of: asOf };
export const pageFields = { limit, cursor };

/** What the roll-up metric names mean, for the descriptions of the tools that return them. */
export const METRICS_NOTE =
  'fte sums the contracted FTE of the actors homed there, effective_fte the FTE × allocation of every placement ' +
  '(cost per FTE divides the annual cost by effective_fte; monthly = annual / 12); ' +
  `span counts direct reports per manager: narrow = managers with at most ${NARROW_SPAN_MAX}, wide = managers with ${WIDE_SPAN_MIN} or more.`;

/** Which organisation a result describes. */
export const contextOut = z
  .object({
    scenario_id: z.string().optional(),
    scenario_name: z.string().optional(),
    scenario_kind: z.string().optional(),
    as_of: z.string(),
    note: z
      .string()
      .optional()
      .describe('Present when a scenario read without as_of has changes dated later, which the answer does not reflect: their days, and the as_of that shows them'),
  })
  .describe('Live (no scenario_id) or the scenario read, and the day');

/** The view each context describes, for the boundary's note on a scenario's later-dated changes (later-changes.ts). */
const contextViews = new WeakMap<object, OrgView>();

export function contextOf(view: OrgView) {
  const context = {
    scenario_id: view.scenario?.id,
    scenario_name: view.scenario?.name,
    scenario_kind: view.scenario?.kind,
    as_of: view.asOf,
  };
  contextViews.set(context, view);
  return context;
}

/** The view a result's `context` (from contextOf) describes, if it is one. */
export function viewOfContext(context: unknown): OrgView | undefined {
  return typeof context === 'object' && context !== null ? contextViews.get(context) : undefined;
}

export const emptyOrgOut = z
  .string()
  .optional()
  .describe('Present when no org unit is in effect on the day (before the organisation’s first units start, or after the last closed): why every figure is 0, and the days that have figures');

/**
 * A day before the organisation's first unit starts (or after its last closed) reads as an organisation of 0 people
 * — "headcount at the start of 1999: 0" — unless the answer says there was nothing yet, and from when there is.
 * Undefined when any unit is in effect on the day, or the organisation has no units at all.
 */
export function emptyOrgNote(view: OrgView): string | undefined {
  let first: string | undefined;
  let last: string | undefined;
  for (const unit of view.graph.orgUnits.values()) {
    if (inEffect(unit, view.asOf)) return undefined;
    if (unit.validFrom !== null && unit.validFrom > view.asOf) first = first === undefined || unit.validFrom < first ? unit.validFrom : first;
    else if (unit.validTo !== null) last = last === undefined || unit.validTo > last ? unit.validTo : last;
  }
  const zero = `No org unit of the organisation is in effect on ${view.asOf}`;
  if (first !== undefined) return `${zero}: its first start on ${first}, so every figure here is 0. Pass an as_of on or after ${first} for its figures.`;
  if (last !== undefined) return `${zero}: the last closed on ${last}, so every figure here is 0. Pass an as_of before ${last} for its figures.`;
  return undefined;
}

export const nextCursor = z.string().optional().describe('Pass as `cursor` to get the next page; absent on the last page.');

/** A list's `total`: how many records match its filters over all pages, so an assistant can say "20 of 143". */
export const totalOut = (records: string) => z.number().describe(`How many ${records} match the filters, over all pages (this page holds at most \`limit\`)`);

/** A list item: the fields every item has, the rest passed through as the presenters shape them. */
export const item = (fields: z.ZodRawShape = {}) => z.looseObject({ id: z.string(), ...fields });

/**
 * How every money figure reads (money.ts, docs/MCP.md "Money"), said where an assistant reads before the figures —
 * the connection's instructions and the guides' tips — not only in output schemas, which many clients never show the
 * model: 1174520250 EUR read as euros is a hundred times too much.
 */
export const MONEY_UNITS =
  'Money is a `*_minor` field: an integer in minor units of the `currency` beside it (123456 EUR is 1,234.56 EUR; JPY and KRW count whole units). ' +
  'Its name says the period: `annual_cost_minor` a year, `monthly_cost_minor` a month (annual / 12), `annual_cost_per_fte_minor` a year per effective FTE, ' +
  '`vacant_seats_annual_cost_minor` a year of the vacant seats (budgeted, not paid); costs are loaded (pay plus burden). Pay is named as the change ops take it: ' +
  '`target_salary_minor` (a year), `day_rate_minor` (a working day), a compensation’s `amount_minor` with its `kind` (salary: a year; day_rate: a day).';

const MINOR = 'integer, minor units of `currency`';

/** A money figure's output field (money.ts): absent when it cannot be computed (cost per FTE of nobody) or without costs.read. */
export const minorOut = (description: string) => z.number().optional().describe(`${description} (${MINOR})`);

/** The currencies without an exchange rate a holder's figures leave out (never counted as 0). */
export const unconvertibleOut = z
  .array(z.string())
  .optional()
  .describe('Currencies without an exchange rate whose amounts the figures beside it leave out: those figures are incomplete, never counted as 0');

/** The loaded-cost figures of a unit or an organisation as every tool gives them: a `cost` block or a cost roll-up row. */
export const costFields = {
  currency: z.string().describe('The reporting currency of the `*_minor` figures beside it'),
  annual_cost_minor: minorOut('Loaded cost a year of the people in seats (pay plus burden; day rates × working days)'),
  monthly_cost_minor: minorOut('Loaded cost a month: annual / 12'),
  annual_cost_per_fte_minor: minorOut('Annual loaded cost per effective FTE'),
  vacant_seats_annual_cost_minor: minorOut(
    'Budgeted, not paid: the vacant seats at their target pay, loaded, a year; never part of annual_cost_minor; a seat without target pay adds nothing',
  ),
  without_compensation: z.number().optional().describe('Actors with no pay in effect: their cost is unknown, not 0, and left out of the figures'),
  unconvertible: unconvertibleOut,
};

export const costOut = z.looseObject(costFields).describe(`Only with costs.read. ${MONEY_UNITS}`);

/** The view + paging arguments as the services name them. */
export function viewRequest(input: { scenario_id?: string; as_of?: string }) {
  return { scenarioId: input.scenario_id, asOf: input.as_of };
}

export function pageRequest(input: { limit?: number; cursor?: string }) {
  return { limit: input.limit ?? MCP_DEFAULT_LIMIT, cursor: input.cursor };
}

/** Inputs that choose what is read or how a page goes on, not which records: never offered as a way to narrow. */
const NOT_NARROWING = new Set(['scenario_id', 'as_of', 'limit', 'cursor', 'include_inactive', 'metrics', 'compare', 'depth']);

/**
 * A page cut short says so in what the assistant reads (structuredContent and so the text): `truncated: true` and
 * `more` — how many it holds (of how many, where the tool counts them), the call for the next page and the
 * arguments that narrow the list instead. Left as it is when the tool said it already (`more`), or on a last page.
 */
export function withPageHint<T extends object>(output: T, inputShape: Record<string, unknown>): T {
  const record = output as Record<string, unknown>;
  const cursor = record.next_cursor;
  if (typeof cursor !== 'string' || cursor === '' || 'more' in record) return output;
  // scenario.delta words its own next page in `next_step`.
  if (typeof record.next_step === 'string' && record.next_step.includes(cursor)) return { ...output, truncated: true };
  const list = Object.entries(record).find(([, value]) => Array.isArray(value) && value.length > 0);
  const shown = list ? `${(list[1] as unknown[]).length} ${list[0].replace(/_/g, ' ')}` : 'a page';
  const total = typeof record.total === 'number' ? ` of ${record.total}` : '';
  const narrowing = Object.keys(inputShape).filter((key) => !NOT_NARROWING.has(key));
  const narrow = narrowing.length ? `, or narrow with ${narrowing.map((key) => `\`${key}\``).join(', ')}` : '';
  return {
    ...output,
    truncated: true,
    more: `This page shows ${shown}${total}: for the next, call again with the same arguments and \`cursor\` set to \`next_cursor\` (a larger \`limit\` takes more at once)${narrow}.`,
  };
}

export const truncatedOut = {
  truncated: z.boolean().optional().describe('true when the answer is cut short: `more` says how to read the rest or narrow it'),
  more: z.string().optional().describe('With truncated: how much is shown of how much, the call for the next page and the arguments that narrow it'),
};

/**
 * The per-unit metric deltas of a scenario delta or a plan preview with only the metrics that moved: a unit lists
 * every metric when one of them moved, and the unchanged rest ("layers 4 → 4, delta 0" in every unit) is noise to a
 * reader. The totals keep every metric.
 */
export function movedMetricsOnly<T extends object>(units: readonly T[]): T[] {
  return units.map(
    (unit) => Object.fromEntries(Object.entries(unit).filter(([, value]) => !isMetricPair(value) || movedPair(value))) as T,
  );
}

function isMetricPair(value: unknown): value is Parameters<typeof movedPair>[0] {
  return typeof value === 'object' && value !== null && 'delta' in value;
}

/** The id fields (and lists of ids) that get a name beside them, and what names them. */
const NAMED_IDS = {
  actor_id: { name: 'actor_name', family: 'actors' },
  manager_id: { name: 'manager_name', family: 'actors' },
  lead_actor_id: { name: 'lead_name', family: 'actors' },
  org_unit_id: { name: 'org_unit_name', family: 'orgUnits' },
  primary_org_unit_id: { name: 'primary_org_unit_name', family: 'orgUnits' },
  parent_id: { name: 'parent_name', family: 'orgUnits' },
  position_id: { name: 'position_title', family: 'positions' },
  /** A position's filling actors: their names in the same order. */
  filled_by: { name: 'filled_by_names', family: 'actors' },
  /** A team's and a department's type (the tenant's settings, when the tool passes them). */
  team_type_id: { name: 'team_type_name', family: 'types' },
  department_type_id: { name: 'department_type_name', family: 'types' },
} as const;

/** The tenant's department and team type names by id (tenancy/settings.ts `listTypes`), for `withNames`. */
export type TypeNames = ReadonlyMap<string, string>;

/**
 * Records with the name of each actor, org unit and position they refer to (`actor_name` beside `actor_id`, a
 * placement's `position_title`, a position's `filled_by_names`), also in the
 * objects and lists they hold (a department's `lead_name`, an actor's placements), as the view has them, so a
 * reader of "who reports to whom" or "who sits where" need not look every id up; not beside a record shown inline.
 * Names only of records the caller may read (actors.read, org-units.read, positions.read).
 */
export function withNames<T extends object>(principal: Principal, view: OrgView, items: readonly T[], types?: TypeNames): T[] {
  return withNamesFrom(principal, [view.graph], items, types);
}

/**
 * withNames over several graphs, the first that has a record naming it: an activity event's before/after from the
 * scenario it happened in, else Live (a record a scenario added is in no other graph).
 */
export function withNamesFrom<T extends object>(principal: Principal, graphs: readonly OrgGraph[], items: readonly T[], types?: TypeNames): T[] {
  const nameOf = idNamer(principal, graphs, types);
  const named = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(named);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = named(field);
    for (const [field, { name }] of Object.entries(NAMED_IDS)) {
      // Not when the record is inline already (`manager` beside `manager_id`).
      const inline = name in out || (field.endsWith('_id') && field.slice(0, -3) in out);
      const value = out[field];
      const found = inline ? undefined : Array.isArray(value) ? allNamed(value.map((id) => nameOf(field, id))) : nameOf(field, value);
      if (found !== undefined) out[name] = found;
    }
    return out;
  };
  return items.map((item) => named(item) as T);
}

/** Whether a record holds an id withNames would name (an activity event's before/after worth a graph load). */
export function holdsNamedIds(record: unknown): boolean {
  return typeof record === 'object' && record !== null && Object.keys(NAMED_IDS).some((field) => field in record);
}

/** The names of a list of ids, when every one has a name. */
function allNamed(names: (string | undefined)[]): string[] | undefined {
  return names.every((name) => name !== undefined) ? (names as string[]) : undefined;
}

/**
 * The name of the actor, org unit or position (its title) an id field (`manager_id`, `parent_id`…) holds, if the
 * caller may read it: from the first of `graphs` that has the record.
 */
function idNamer(principal: Principal, graphs: readonly OrgGraph[], types?: TypeNames): (field: string, id: unknown) => string | undefined {
  const readable = {
    actors: can(principal, 'actors.read'),
    orgUnits: can(principal, 'org-units.read'),
    positions: can(principal, 'positions.read'),
    types: types !== undefined,
  };
  const inGraphs = (pick: (graph: OrgGraph, id: string) => string | undefined) => (id: string) => {
    for (const graph of graphs) {
      const name = pick(graph, id);
      if (name !== undefined) return name;
    }
    return undefined;
  };
  const nameIn = {
    actors: inGraphs((graph, id) => graph.actors.get(id)?.displayName),
    orgUnits: inGraphs((graph, id) => graph.orgUnits.get(id)?.name),
    positions: inGraphs((graph, id) => graph.positions.get(id)?.title),
    types: (id: string) => types?.get(id),
  };
  return (field, id) => {
    const named = NAMED_IDS[field as keyof typeof NAMED_IDS];
    if (!named || typeof id !== 'string' || !readable[named.family]) return undefined;
    return nameIn[named.family](id);
  };
}

type FamilyDelta = { added?: Record<string, unknown>[]; changed?: Record<string, unknown>[]; removed?: Record<string, unknown>[] };

/**
 * A delta's field changes that hold an actor, org unit or position id, with the names beside them (`parent_id:
 * {from, to, from_name, to_name}`: "Platform moved from Engineering to Product" without two look-ups); its added and
 * removed records named as withNames names a listed one (an added position's `org_unit_name`), as far as `view` has
 * the records they refer to; with `types` (`typeNamesById`), a department's or team's type too (`team_type_id`:
 * `from_name` → `to_name`), as REST's delta `names` does.
 */
export function withChangeNames<F extends Partial<Record<string, FamilyDelta>>>(
  principal: Principal,
  view: OrgView,
  families: F,
  types?: TypeNames,
  /**
   * A plan's preview: the scenario as the proposal would leave it (`view` is the scenario before it). What the
   * proposal adds, and a changed field's `to`, are named from it first — a team the batch creates or renames has its
   * new name, as `scenario.delta` gives it once confirmed; what it removes, and a `from`, from `view` first.
   */
  after?: OrgGraph,
): F {
  const before = after ? [view.graph, after] : [view.graph];
  const later = after ? [after, view.graph] : [view.graph];
  const fromName = idNamer(principal, before, types);
  const toName = idNamer(principal, later, types);
  const named = (fields: Record<string, { from: unknown; to: unknown }>) =>
    Object.fromEntries(
      Object.entries(fields).map(([field, change]) => [field, { ...change, from_name: fromName(field, change.from), to_name: toName(field, change.to) }]),
    );
  return Object.fromEntries(
    Object.entries(families).map(([family, delta]) => [
      family,
      {
        ...delta,
        added: delta?.added && withNamesFrom(principal, later, delta.added, types),
        changed: delta?.changed?.map((record) => ({ ...record, fields: named((record.fields ?? {}) as Record<string, { from: unknown; to: unknown }>) })),
        removed: delta?.removed && withNamesFrom(principal, before, delta.removed, types),
      },
    ]),
  ) as F;
}

/** One record through withNames. */
export function withNamesOne<T extends object>(principal: Principal, view: OrgView, record: T, types?: TypeNames): T {
  return withNames(principal, view, [record], types)[0]!;
}

export const noMatchOut = z
  .string()
  .optional()
  .describe('Present when a `query` matched nothing: whether someone not in effect on the day matches, or what to try instead');

/**
 * What an empty first page of a name search says (a list's `query`): that records not in effect on the day match
 * (someone who left: include_inactive), or what to try — fewer words, `search`, which also answers with the records
 * that have most of the words. Undefined when the page is not an empty first page of a query.
 */
export async function noMatchNote(request: {
  records: string;
  /** `"platform" in its name`: how a record would have matched the query. */
  matching: (query: string) => string;
  input: { query?: string; cursor?: string; include_inactive?: boolean };
  listed: number;
  /** Other filters narrowed the list. */
  filtered: boolean;
  asOf: string;
  /** How many records match in any period (asked only when the page is empty and include_inactive was not passed). */
  matchesInAnyPeriod: () => Promise<number>;
  /** The names in effect on the day closest to the query (similarNames), asked only when nothing matches in any period. */
  similar?: (query: string) => SimilarName[];
}): Promise<string | undefined> {
  const { records, input, listed, filtered, asOf } = request;
  const query = input.query?.trim();
  if (!query || listed || input.cursor) return undefined;
  const others = filtered ? ' with the other filters' : '';
  if (!input.include_inactive && (await request.matchesInAnyPeriod()) > 0) {
    return `No ${records} in effect on ${asOf} has ${request.matching(query)}${others}, but one that has ended or not yet started does: pass include_inactive: true, or another as_of.`;
  }
  const none = `No ${records} has ${request.matching(query)}${others}.`;
  const similar = request.similar?.(query) ?? [];
  if (similar.length) return `${none} ${didYouMean(similar)} These are close spellings in effect on ${asOf}: check with the person before using one.`;
  return `${none} Try fewer words or part of a name, or \`search\` (it also answers with the records that have most of the words).`;
}

/** "Did you mean “John Smith” (actor:…) or “Joan Smyth” (actor:…)?", each with the id `search` and the id arguments take. */
export function didYouMean(similar: readonly SimilarName[]): string {
  const named = similar.map((s) =>
    s.kind === 'title'
      ? `the title ${quoted(s.name)} (${counted(s.holders ?? 0, 'actor')})`
      : `${quoted(s.name)} (${s.kind}:${s.id}${s.type ? `, ${s.type}` : ''})`,
  );
  const choices = named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
  return `Did you mean ${choices}?`;
}
