import { recordsOf, type Family, type OrgGraph } from '../org/types.js';
import { snake } from '../org/family-names.js';
import { labelOf } from './delta.js';

/** Fields that point at another record (snake_case, as every surface shows them), and the family that record is in. */
export const REFERENCE_FIELDS: Readonly<Record<string, Family>> = {
  parent_id: 'orgUnits',
  org_unit_id: 'orgUnits',
  actor_id: 'actors',
  manager_id: 'actors',
  lead_actor_id: 'actors',
  position_id: 'positions',
};

/**
 * Fields that point at a department or team type — tenant settings, not records of the graph — and the family whose
 * readers may see the type (the abilities the type lists need: `org-units.read`, `teams.read`).
 */
export const TYPE_FIELDS: Readonly<Record<string, Family>> = {
  department_type_id: 'departments',
  team_type_id: 'teams',
};

/**
 * Adds to `names` the name of each record the `fields` (field, value pairs; camelCase or snake_case) point at — a
 * unit's or person's name, a position's title, as `labelOf` calls it, from the first of `graphs` that holds it; a
 * department's or team's type by its name in `types` (`typeNamesById`) — only of families the caller may read
 * (`readable`); an id that names nothing in `graphs` or `types` is left out. The changes list and the delta both name
 * their ids with this (`names`, by id), so no reader has to look them up.
 */
export function nameReferences(
  names: Record<string, string>,
  fields: Iterable<readonly [string, unknown]>,
  graphs: readonly OrgGraph[],
  readable: ReadonlySet<Family>,
  types: ReadonlyMap<string, string> = new Map(),
): Record<string, string> {
  for (const [field, id] of fields) {
    const typeOf = TYPE_FIELDS[snake(field)];
    if (typeOf) {
      const name = typeof id === 'string' && readable.has(typeOf) ? types.get(id) : undefined;
      if (name) names[id as string] = name;
      continue;
    }
    const family = REFERENCE_FIELDS[snake(field)];
    if (!family || typeof id !== 'string' || !readable.has(family) || names[id]) continue;
    const target = graphs.map((g) => recordsOf(g, family).get(id) as Record<string, unknown> | undefined).find(Boolean);
    const name = target && labelOf(target, graphs);
    if (name) names[id] = name;
  }
  return names;
}

type DeltaFamilies = Partial<Record<string, { added: Record<string, unknown>[]; removed: Record<string, unknown>[]; changed: Record<string, unknown>[] }>>;

/** The (field, value) pairs of a delta that may point at a record: added and removed records, changed fields, conflicts. */
export function deltaReferences(families: DeltaFamilies, conflicts: readonly Record<string, unknown>[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (const delta of Object.values(families)) {
    for (const record of [...(delta?.added ?? []), ...(delta?.removed ?? [])]) pairs.push(...Object.entries(record));
    for (const changed of delta?.changed ?? []) {
      for (const [field, change] of Object.entries((changed.fields ?? {}) as Record<string, { from: unknown; to: unknown }>)) pairs.push([field, change.from], [field, change.to]);
    }
  }
  for (const conflict of conflicts) {
    if (typeof conflict.field === 'string') pairs.push([conflict.field, conflict.base], [conflict.field, conflict.scenario], [conflict.field, conflict.source]);
  }
  return pairs;
}
