import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, NotFound } from '../errors.js';
import { loadScenario, type Scenario } from '../scenarios/store.js';
import { isIsoDate, ISO_DATE_RULE, today } from './dates.js';
import type { OrgGraph } from './types.js';

/** Which organisation a read looks at: Live (no scenario) or a scenario of the tenant, as of a date. */
export interface ViewRequest {
  scenarioId?: string | null;
  asOf?: string | null;
}

/** The organisation of one context as of one day, ready to read. */
export interface OrgView {
  graph: OrgGraph;
  asOf: string;
  /** null = Live. */
  scenario: Scenario | null;
}

/**
 * Opens Live or a scenario as of a day (default today). A scenario must belong to the tenant (another tenant's id
 * is "not found") and needs `scenarios.read`. Blank strings count as absent (assistants often send "").
 * `liveVersion`: the current Live version, when the caller has just read it with other data (one query, not two).
 */
export async function openView(ctx: ServiceContext, request: ViewRequest = {}, liveVersion?: number): Promise<OrgView> {
  const asOf = request.asOf?.trim() || today();
  if (!isIsoDate(asOf)) throw new InvalidInput('as_of', ISO_DATE_RULE);
  const scenarioId = request.scenarioId?.trim();
  if (!scenarioId) {
    const { graph } = await ctx.graphs.live(ctx.tenant.id, liveVersion);
    return { graph, asOf, scenario: null };
  }
  authorize(ctx.principal, 'scenarios.read');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  return { graph: await ctx.graphs.scenario(scenario), asOf, scenario };
}

const FILTER_RECORDS = { orgUnits: 'Org unit', actors: 'Actor', positions: 'Position' } as const;

/**
 * A list filtered by an id that names no record of the view is "not found", not an empty page: a reader that passed
 * the wrong kind of id, another tenant's, or one from another scenario would otherwise report "none". Blank = absent.
 */
/** The records of `family` to list: those with `ids` (a batch look-up; unknown ids left out), else all of them. */
export function pickRecords<T>(records: ReadonlyMap<string, T>, ids?: readonly string[] | null): T[] {
  if (!ids) return [...records.values()];
  return ids.flatMap((id) => {
    const record = records.get(id);
    return record === undefined ? [] : [record];
  });
}

export function requireFilterRecords(view: OrgView, ids: Partial<Record<keyof typeof FILTER_RECORDS, string | null | undefined>>): void {
  for (const [family, id] of Object.entries(ids) as [keyof typeof FILTER_RECORDS, string | null | undefined][]) {
    const trimmed = id?.trim();
    if (trimmed && !view.graph[family].has(trimmed)) throw new NotFound(FILTER_RECORDS[family], trimmed);
  }
}
