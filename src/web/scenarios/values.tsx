import { can } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { openView } from '../../org/view.js';
import { namesOf, type Names } from '../live/context.js';
import { fieldLabel, money, when } from '../live/format.js';
import { typeNamesById } from '../../tenancy/settings.js';

/**
 * How record fields of deltas, conflicts, changes and audit entries read on a page: references by name, money as
 * amounts (the services have already removed money for principals without `costs.read`), empty as "empty".
 */

/** Names of records, and of the tenant's department and team types (which records point at by id). */
export type ValueNames = Names & { type?: (id: string) => string };

/** Names from a scenario's graph and Live's (removed records are only in Live), when the role may read actors. */
export async function scenarioNames(ctx: ServiceContext, scenarioId: string | null): Promise<ValueNames> {
  const live = await openView(ctx, {});
  const graphs = scenarioId ? [(await openView(ctx, { scenarioId })).graph, live.graph] : [live.graph];
  const names = namesOf(...graphs);
  const types = await typeNamesById(ctx);
  const type = (id: string) => types.get(id) ?? id;
  return can(ctx.principal, 'actors.read')
    ? { ...names, type }
    : { ...names, type, actor: (id) => (id ? `#${id.slice(0, 8)}` : '–'), placement: (id) => (id ? `#${id.slice(0, 8)}` : '–') };
}

const REFERENCES: Record<string, keyof Names> = {
  parent_id: 'unit',
  parentId: 'unit',
  org_unit_id: 'unit',
  orgUnitId: 'unit',
  actor_id: 'actor',
  actorId: 'actor',
  manager_id: 'actor',
  managerId: 'actor',
  lead_actor_id: 'actor',
  leadActorId: 'actor',
  position_id: 'position',
  positionId: 'position',
  placement_id: 'placement',
  placementId: 'placement',
};

/** Fields naming a department or team type. */
const TYPE_FIELDS = new Set(['department_type_id', 'departmentTypeId', 'team_type_id', 'teamTypeId']);

const MINOR = /(^|_)minor$|Minor$/;

/** The metric `without_compensation` on every scenario page: actors whose cost is unknown, so the cost figures leave them out. */
export const WITHOUT_PAY = 'Actors without pay (cost left out)';

/**
 * The metric `vacant_seats_annual_cost_minor` on every scenario page: what the vacant positions would cost a year filled
 * at their target pay — budgeted, not paid, so never part of the annual or monthly cost.
 */
export const VACANT_SEATS = 'Vacant seats, budgeted (annual, not paid)';

/** One field's value as text; money fields (minor units) in `currency` (the record's own, else the tenant's). */
export function fieldValue(field: string, value: unknown, names: ValueNames | null, currency: string): string {
  if (value === null || value === undefined || value === '') return 'empty';
  const ref = REFERENCES[field];
  if (ref && typeof value === 'string' && names) return names[ref](value);
  if (TYPE_FIELDS.has(field) && typeof value === 'string' && names?.type) return names.type(value);
  if (MINOR.test(field) && typeof value === 'number') return money(value, currency);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return when(value); // a time, not a day
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A record's fields (a delta's added/removed row, an audit entry's before/after) as a definition list. */
export function RecordFields(props: { record: Record<string, unknown>; names: ValueNames | null; currency: string; skip?: string[] }) {
  const skip = new Set(['id', ...(props.skip ?? [])]);
  const entries = Object.entries(props.record).filter(([k, v]) => !skip.has(k) && v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return <span class="hint">no fields</span>;
  return (
    <dl class="fields">
      {entries.map(([k, v]) => (
        <>
          <dt>{fieldLabel(k)}</dt>
          <dd>{fieldValue(k, v, props.names, typeof props.record.currency === 'string' ? props.record.currency : props.currency)}</dd>
        </>
      ))}
    </dl>
  );
}
