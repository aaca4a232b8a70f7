import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { mapPage } from '../org/read-structure.js';
import { FAMILIES, recordsOf, type Family, type OrgGraph } from '../org/types.js';
import { paginate, sortByKey, type PageRequest } from '../util/pagination.js';
import { ENTITY_TYPES, FAMILY_OF_ENTITY, MONEY_FIELDS, snake } from '../org/family-names.js';
import type { ScenarioChange } from './overlay.js';
import { deltaVisibility, labelOf } from './delta.js';
import { nameReferences } from './reference-names.js';
import { loadChanges, loadScenario } from './store.js';
import { typeNamesById } from '../tenancy/settings.js';
import { notAChoice } from '../util/choice.js';

/**
 * A scenario's own overlay, change by change: what it adds, changes (with the source value each field was edited
 * against) and removes — not folded with its source (that is the delta). Families are named as in deltas and
 * conflict resolutions (`org_unit`, `actor`…), fields in snake_case. Without `costs.read` compensation changes and
 * money fields are left out; a family the caller may not read (`deltaVisibility`, the delta's rule) is left out too.
 * Each change names its record as the delta does (`label`: "Checkout", "Ann Lee reports to Bo Chen") and the records
 * its fields point at (`names`: the units, people, positions and unit types of `parent_id`, `manager_id`…, by id), so no reader
 * has to look ids up.
 */


export const CHANGE_FAMILIES = FAMILIES.map((f) => ENTITY_TYPES[f]);


export async function listScenarioChanges(ctx: ServiceContext, scenarioId: string, filter: PageRequest & { family?: string | null } = {}) {
  authorize(ctx.principal, 'scenarios.read');
  const wanted = filter.family?.trim() || null;
  const family: Family | null = wanted ? FAMILY_OF_ENTITY.get(wanted) ?? null : null;
  if (wanted && !family) throw notAChoice('family', CHANGE_FAMILIES, wanted);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  const showMoney = can(ctx.principal, 'costs.read');
  // The families the delta would show this caller (an actor's change needs actors.read, as in the delta).
  const { readable } = deltaVisibility(ctx.principal);
  const changes = (await loadChanges(ctx.db, ctx.tenant.id, scenario.id)).filter(
    (c) => readable.has(c.family) && (showMoney || c.family !== 'compensations') && (!family || c.family === family),
  );
  const key = (c: ScenarioChange) => [ENTITY_TYPES[c.family], c.recordId] as const;
  const page = paginate('scenario changes', sortByKey(changes, key), key, { ...filter, scenarioId });
  if (!page.items.length) return { page: mapPage(page, (c) => presentChange(c, showMoney, [], readable)) };
  // Named in the scenario first, then in what it was compared with (a removed record is only there).
  const graphs =
    scenario.kind === 'planning'
      ? await ctx.graphs.scenarioWithSource(scenario).then(({ graph, source }) => [graph, source.graph])
      : [await ctx.graphs.scenario(scenario), (await ctx.graphs.live(ctx.tenant.id)).graph];
  const types = await typeNamesById(ctx);
  return { page: mapPage(page, (c) => presentChange(c, showMoney, graphs, readable, types)) };
}

/**
 * One change as every surface shows it: family and fields as in deltas, its record's `label` and the `names` of the
 * records its values and base refer to — only of families the caller may read (`readable`); an id that names nothing
 * in `graphs` is left out of `names`.
 */
export function presentChange(
  change: ScenarioChange,
  showMoney: boolean,
  graphs: readonly OrgGraph[],
  readable: ReadonlySet<Family>,
  types: ReadonlyMap<string, string> = new Map(),
) {
  const record = graphs.map((g) => recordsOf(g, change.family).get(change.recordId) as Record<string, unknown> | undefined).find(Boolean) ?? change.values ?? change.base;
  const names = nameReferences({}, [change.values, change.base].flatMap((fields) => Object.entries(fields ?? {})), graphs, readable, types);
  return {
    family: ENTITY_TYPES[change.family],
    record_id: change.recordId,
    label: record && graphs.length ? labelOf(record, graphs, readable.has('actors')) : null,
    op: change.op,
    values: fieldsOut(change.values, showMoney),
    base: fieldsOut(change.base, showMoney),
    names,
    revision: change.revision,
  };
}

function fieldsOut(fields: Record<string, unknown> | null, showMoney: boolean): Record<string, unknown> | null {
  if (!fields) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (showMoney || !MONEY_FIELDS.has(key)) out[snake(key)] = value ?? null;
  return out;
}
