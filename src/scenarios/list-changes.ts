import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput } from '../errors.js';
import { mapPage } from '../org/read-structure.js';
import { FAMILIES, type Family } from '../org/types.js';
import { paginate, sortByKey, type PageRequest } from '../util/pagination.js';
import { ENTITY_TYPES, FAMILY_OF_ENTITY, MONEY_FIELDS, snake } from '../org/family-names.js';
import type { ScenarioChange } from './overlay.js';
import { deltaVisibility } from './delta.js';
import { loadChanges, loadScenario } from './store.js';

/**
 * A scenario's own overlay, change by change: what it adds, changes (with the source value each field was edited
 * against) and removes — not folded with its source (that is the delta). Families are named as in deltas and
 * conflict resolutions (`org_unit`, `actor`…), fields in snake_case. Without `costs.read` compensation changes and
 * money fields are left out; a family the caller may not read (`deltaVisibility`, the delta's rule) is left out too.
 */


export const CHANGE_FAMILIES = FAMILIES.map((f) => ENTITY_TYPES[f]);


export async function listScenarioChanges(ctx: ServiceContext, scenarioId: string, filter: PageRequest & { family?: string | null } = {}) {
  authorize(ctx.principal, 'scenarios.read');
  const wanted = filter.family?.trim() || null;
  const family: Family | null = wanted ? FAMILY_OF_ENTITY.get(wanted) ?? null : null;
  if (wanted && !family) throw new InvalidInput('family', `must be one of ${CHANGE_FAMILIES.join(', ')}`);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  const showMoney = can(ctx.principal, 'costs.read');
  // The families the delta would show this caller (an actor's change needs actors.read, as in the delta).
  const { readable } = deltaVisibility(ctx.principal);
  const changes = (await loadChanges(ctx.db, ctx.tenant.id, scenario.id)).filter(
    (c) => readable.has(c.family) && (showMoney || c.family !== 'compensations') && (!family || c.family === family),
  );
  const key = (c: ScenarioChange) => [ENTITY_TYPES[c.family], c.recordId] as const;
  const page = paginate('scenario changes', sortByKey(changes, key), key, { ...filter, scenarioId });
  return { page: mapPage(page, (c) => presentChange(c, showMoney)) };
}

export function presentChange(change: ScenarioChange, showMoney: boolean) {
  return {
    family: ENTITY_TYPES[change.family],
    record_id: change.recordId,
    op: change.op,
    values: fieldsOut(change.values, showMoney),
    base: fieldsOut(change.base, showMoney),
    revision: change.revision,
  };
}

function fieldsOut(fields: Record<string, unknown> | null, showMoney: boolean): Record<string, unknown> | null {
  if (!fields) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (showMoney || !MONEY_FIELDS.has(key)) out[snake(key)] = value ?? null;
  return out;
}
