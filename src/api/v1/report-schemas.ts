import { z } from '@hono/zod-openapi';
import { ACTOR_KINDS, ORG_UNIT_TYPES } from '../../org/types.js';
import { SPAN_FILTERS } from '../../org/spans.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { orNull, UnitMetricsSchema } from './org-schemas.js';

/** Response and request schemas of the reference lists, the reports, lineage and the activity log. */

const date = z.string().nullable().openapi({ format: 'date', example: '2026-01-01' });
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-05-14T09:30:00.000Z' });
const moneyNote = 'Only with `costs.read`.';

export const CurrencySchema = z
  .object({
    code: z.string().openapi({ example: 'USD', description: 'ISO 4217' }),
    name: z.string().openapi({ example: 'US dollar' }),
    active: z.boolean(),
    reporting: z.boolean().openapi({ description: 'true for the tenant’s reporting currency' }),
    rate_to_reporting: z
      .number()
      .nullable()
      .openapi({ example: 0.92, description: 'Units of the reporting currency per one unit of this currency; null = no rate yet (figures in it are unconvertible)' }),
  })
  .openapi('Currency');

export const TypeSchema = z
  .object({ id: z.string().openapi({ example: '6f1c2f7e-3b9a-4c1e-9d51-0f7a2b4c8e11' }), name: z.string().openapi({ example: 'Product' }) })
  .openapi('OrgType', { description: 'A department type or team type: a tenant-scoped label that classifies, never parents' });

export const CreateTypeBody = z
  .object({ name: z.string().min(1).max(100).openapi({ example: 'Platform' }) })
  .strict()
  .openapi('CreateOrgType');

const UnitRef = z.object({ id: z.string(), name: z.string(), type: z.enum(ORG_UNIT_TYPES) }).openapi('OrgUnitRef');
const ActorRef = z.object({ id: z.string(), display_name: z.string(), title: z.string().nullable() });

const RosterPlacement = z.object({
  id: z.string(),
  org_unit: z.object({ id: z.string(), name: z.string().nullable(), type: z.enum(ORG_UNIT_TYPES).nullable() }),
  is_primary: z.boolean(),
  allocation_pct: z.number(),
  effective_fte: z.number().openapi({ description: 'Actor FTE × allocation / 100' }),
  in_scope: z.boolean().openapi({ description: 'true when the placement is in the unit asked for or below it' }),
  valid_from: date,
  valid_to: date,
  position: z
    .object({ id: z.string(), title: z.string(), role_type: z.string().nullable(), status: z.enum(['filled', 'vacant', 'closed']) })
    .nullable()
    .optional()
    .openapi({ description: 'The position the placement fills; only with `positions.read`' }),
});

export const RosterRowSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ACTOR_KINDS),
    display_name: z.string(),
    email: z.string().nullable(),
    title: z.string().nullable(),
    level: z.string().nullable(),
    fte: z.number().nullable(),
    manager: ActorRef.nullable(),
    direct_reports: z.number().int().openapi({ description: 'Direct reports in effect' }),
    primary_org_unit: orNull(UnitRef),
    placements: z.array(RosterPlacement).openapi({ description: 'Every placement in effect, primary first' }),
    annual_loaded_cost: z
      .object({ amount_minor: z.number().int().nullable(), currency: z.string(), unconvertible: z.array(z.string()) })
      .nullable()
      .optional()
      .openapi({ description: `${moneyNote} null for someone who left by the day, or has no pay recorded on it (cost unknown, not 0): \`cost_note\` says which.` }),
    cost_note: z
      .string()
      .optional()
      .openapi({ description: `${moneyNote} Only where \`annual_loaded_cost\` is null: why.`, example: 'No pay recorded on this day: cost unknown (not counted as 0).' }),
  })
  .openapi('RosterRow');

export const RosterSchema = z
  .object({
    data: z.array(RosterRowSchema),
    next_cursor: z.string().nullable(),
    org_unit: orNull(UnitRef).openapi({ description: 'The unit asked for; null for the whole organisation' }),
    as_of: z.string().openapi({ format: 'date' }),
    scenario_id: z.string().nullable(),
  })
  .openapi('Roster');

const metrics = orNull(UnitMetricsSchema);

export const UnitMetricsRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(ORG_UNIT_TYPES),
    parent_id: z.string().nullable(),
    depth: z.number().int().openapi({ description: '0 for a root' }),
    path: z.array(z.string()).openapi({ description: 'Names of the ancestors from the root down to the parent', example: ['Acme', 'Engineering'] }),
    active: z.boolean(),
    metrics,
  })
  .openapi('OrgUnitMetricsRow');

export const UnitMetricsReportSchema = z
  .object({
    data: z.array(UnitMetricsRowSchema),
    next_cursor: z.string().nullable(),
    total: metrics.openapi({ description: 'The whole organisation, or the unit asked for with everything below it' }),
    unassigned: metrics.nullable().openapi({
      description:
        'The positions with no budgeted team yet (their seats, and with costs.read their budget in `cost.vacant_seats_annual`): part of the whole organisation’s `total`, in no unit of `data`; null when there are none, or with `org_unit_id`',
    }),
    as_of: z.string().openapi({ format: 'date' }),
    scenario_id: z.string().nullable(),
  })
  .openapi('OrgUnitMetricsReport');

export const SpanManagerSchema = z
  .object({
    id: z.string().openapi({ description: 'The manager’s actor id' }),
    kind: z.enum(ACTOR_KINDS),
    display_name: z.string(),
    title: z.string().nullable(),
    home_org_unit: z
      .object({ id: z.string(), name: z.string().nullable() })
      .openapi({ description: 'The unit of the primary placement, where the metrics count the manager' }),
    direct_reports: z.number().int().openapi({ example: 16 }),
    span: z.enum(['narrow', 'wide', 'ok']).openapi({ description: `narrow: at most ${NARROW_SPAN_MAX} direct reports; wide: ${WIDE_SPAN_MIN} or more (the thresholds of the span metrics)` }),
    layer: z.number().int().openapi({ description: '1 = no manager above' }),
  })
  .openapi('SpanManager');

export const SpansReportSchema = z
  .object({
    data: z.array(SpanManagerSchema),
    next_cursor: z.string().nullable(),
    span: z.enum(SPAN_FILTERS).openapi({ description: 'The span filter applied' }),
    org_unit: orNull(z.object({ id: z.string(), name: z.string() })).openapi({ description: 'The unit asked for; null for the whole organisation' }),
    as_of: z.string().openapi({ format: 'date' }),
    scenario_id: z.string().nullable(),
  })
  .openapi('SpansReport');

export const LineageEntrySchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ enum: ['promotion', 'restore', 'import'] }),
    from_snapshot_id: z.string().nullable().openapi({ description: 'The snapshot of the Live that was replaced (a promotion’s or restore’s task result names it the same)' }),
    to_scenario_id: z.string().nullable().openapi({ description: 'What became Live: the applied scenario (promotion) or the restored snapshot (restore); null for an import' }),
    live_version: z.number().int(),
    user_id: z.string().nullable().openapi({ description: 'Who did it (as `user.id`); null for the system and HRIS sync' }),
    user: z
      .object({ id: z.string(), name: z.string().nullable().openapi({ description: 'Their name, or their email when they gave none' }) })
      .nullable()
      .openapi({ description: 'Who did it: the member who promoted, restored or imported; null for the system and HRIS sync', example: { id: '3f6c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f', name: 'Ada Lovelace' } }),
    applied_at: timestamp,
    deltas: z.unknown().openapi({ description: 'Summary deltas (headcount, FTE…); money figures only with `costs.read`' }),
  })
  .openapi('LineageEntry');

export const ActivityEventSchema = z
  .object({
    id: z.string(),
    at: timestamp,
    category: z.string().openapi({ enum: ['security', 'model'] }),
    entity_type: z.string().openapi({ example: 'actor' }),
    entity_id: z.string().nullable(),
    action: z.string().openapi({ example: 'updated', description: 'created, updated, deleted, restored, or a security verb (succeeded, failed, revoked…)' }),
    user: z.object({ id: z.string().nullable(), email: z.string(), name: z.string().nullable() }).nullable(),
    member: z
      .object({ id: z.string().nullable(), email: z.string(), name: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The member a membership or password-reset event is about (user is who did it)' }),
    principal_kind: z.string().nullable().openapi({ description: 'session, api_token, oauth, cli or system' }),
    client_name: z.string().nullable().openapi({ description: 'The MCP client, for changes made by an assistant' }),
    scenario_id: z.string().nullable(),
    scenario_name: z.string().nullable().openapi({ description: 'The name of the scenario the event happened in (with `scenarios.read`; null otherwise)', example: 'Q3 reorg' }),
    before: z.unknown().openapi({ description: 'Values before the change; money only with `costs.read`' }),
    after: z.unknown().openapi({ description: 'Values after the change; money only with `costs.read`' }),
    metadata: z.unknown(),
  })
  .openapi('ActivityEvent');
