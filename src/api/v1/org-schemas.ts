import { z } from '@hono/zod-openapi';
import { PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS, type PlacementCheck } from '../../org/placement-checks.js';
import { ACTOR_KINDS, COMPENSATION_KINDS, EMPLOYMENT_TYPES, ORG_UNIT_TYPES } from '../../org/types.js';

/**
 * Response schemas of the organisation reads, field for field what the presenters in src/org return. Money fields
 * are optional: they are present only for principals with `costs.read`.
 */

const date = z.string().nullable().openapi({ format: 'date', example: '2026-01-01' });
const dated = { active: z.boolean(), valid_from: date, valid_to: date };
const moneyNote = 'Only with `costs.read`.';

/**
 * A named schema or null. (`.nullable()` on a named schema loses the null in the generated 3.1 document: the
 * generator emits a bare $ref; a union with null comes out as `anyOf: [$ref, null]`.)
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

export const MoneySchema = z
  .object({ amount_minor: z.number().int().openapi({ description: 'Integer minor units (cents)' }), currency: z.string().openapi({ example: 'EUR' }) })
  .openapi('Money');

const MetricMoney = z.object({
  amount_minor: z.number().int().nullable().openapi({ description: 'Minor units in the reporting currency; null when nothing could be converted' }),
  currency: z.string(),
  unconvertible: z.array(z.string()).optional().openapi({ description: 'Currencies without an exchange rate, left out of the figure' }),
});

export const UnitMetricsSchema = z
  .object({
    headcount: z.number().int().openapi({ description: 'Distinct people whose primary placement is in the unit or below' }),
    robots: z.number().int(),
    agents: z.number().int(),
    fte: z.number(),
    effective_fte: z.number(),
    positions: z.object({ budgeted: z.number().int(), filled: z.number().int(), vacant: z.number().int(), vacancy_rate: z.number().nullable() }),
    span: z.object({
      managers: z.number().int(),
      reports: z.number().int(),
      average: z.number().nullable(),
      median: z.number().nullable(),
      buckets: z.record(z.string(), z.number().int()),
      narrow: z.number().int(),
      wide: z.number().int(),
    }),
    layers: z.number().int(),
    manager_to_ic: z.object({ managers: z.number().int(), ics: z.number().int(), ics_per_manager: z.number().nullable() }),
    cost: z
      .object({
        currency: z.string(),
        annual: MetricMoney.openapi({ description: 'Loaded annual cost of the people in seats' }),
        monthly: MetricMoney,
        per_fte: MetricMoney,
        without_compensation: z.number().int().openapi({ description: 'Actors with no pay in effect: their cost is unknown, left out of the cost figures' }),
        vacant_seats_annual: MetricMoney.openapi({
          description:
            'Budgeted, not paid: what the vacant seats (positions in effect nobody fills) would cost a year filled at their target pay, loaded as a ' +
            'person’s pay is (salary × (1 + burden %) or day rate × working days), converted to the reporting currency; never part of `annual` or ' +
            '`monthly`; a seat without target pay adds nothing',
        }),
      })
      .optional()
      .openapi({ description: moneyNote }),
  })
  .openapi('UnitMetrics', { description: 'Roll-up metrics of a unit and everything below it' });

/** Metrics are null without `org-metrics.read`. */
const metrics = orNull(UnitMetricsSchema).openapi({ description: 'null without `org-metrics.read`' });

export const OrgUnitSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(ORG_UNIT_TYPES),
    parent_id: z.string().nullable(),
    code: z.string().nullable(),
    ...dated,
    department: z
      .object({ department_type_id: z.string().nullable(), cost_center: z.string().nullable(), lead_actor_id: z.string().nullable(), description: z.string().nullable() })
      .optional(),
    team: z.object({ team_type_id: z.string().nullable(), purpose: z.string().nullable() }).optional(),
  })
  .openapi('OrgUnit');

const UnitRef = z.object({ id: z.string(), name: z.string(), type: z.enum(ORG_UNIT_TYPES) });

export const OrgUnitDetailSchema = OrgUnitSchema.extend({
  path: z.array(UnitRef).openapi({ description: 'Ancestors from the root down to the parent' }),
  children: z.array(UnitRef),
  metrics,
}).openapi('OrgUnitDetail');

export const UnitWithMetricsSchema = OrgUnitSchema.extend({ metrics }).openapi('OrgUnitWithMetrics');

export interface TreeNodeOut {
  id: string;
  name: string;
  type: (typeof ORG_UNIT_TYPES)[number];
  active: boolean;
  metrics: z.infer<typeof metrics>;
  child_count: number;
  children?: TreeNodeOut[];
}

export const TreeNodeSchema: z.ZodType<TreeNodeOut> = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(ORG_UNIT_TYPES),
    active: z.boolean(),
    metrics,
    child_count: z.number().int().openapi({ description: 'Children after type filtering (also on nodes cut by depth)' }),
    children: z
      .array(z.lazy(() => TreeNodeSchema))
      .optional()
      .openapi({ description: 'Absent on nodes cut by `depth`' }),
  })
  .openapi('OrgTreeNode');

export const OrgTreeSchema = z.object({ roots: z.array(TreeNodeSchema), total: metrics }).openapi('OrgTree');

export const ActorSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ACTOR_KINDS),
    display_name: z.string(),
    email: z.string().nullable(),
    title: z.string().nullable(),
    level: z.string().nullable(),
    fte: z.number().nullable().openapi({ description: 'Contracted FTE (0.01–3.00); robots and agents may have none' }),
    external_uid: z.string(),
    source_hris: z.string().nullable(),
    source_hris_id: z.string().nullable(),
    ...dated,
    manager_id: z.string().nullable(),
    primary_org_unit_id: z.string().nullable(),
  })
  .openapi('Actor');

export const PlacementSchema = z
  .object({
    id: z.string(),
    actor_id: z.string(),
    org_unit_id: z.string(),
    position_id: z.string().nullable(),
    is_primary: z.boolean(),
    allocation_pct: z.number(),
    effective_fte: z.number().openapi({ description: 'Actor FTE × allocation / 100' }),
    ...dated,
  })
  .openapi('Placement');

export const CompensationSchema = z
  .object({ id: z.string(), actor_id: z.string(), kind: z.enum(COMPENSATION_KINDS), amount: MoneySchema, ...dated })
  .openapi('Compensation');

const LoadedCostSchema = MetricMoney.extend({ unconvertible: z.array(z.string()) });

const ActorRef = z.object({ id: z.string(), display_name: z.string(), title: z.string().nullable() });

export const ActorDetailSchema = ActorSchema.extend({
  manager: ActorRef.nullable(),
  direct_reports: z.array(ActorRef),
  placements: z.array(PlacementSchema).optional().openapi({ description: 'Only with `placements.read`' }),
  total_allocation_pct: z
    .number()
    .optional()
    .openapi({
      description:
        'Only with `placements.read`, for an actor in effect on the day: the allocation % of their placements in effect, added up. Over 100 is allowed (over-allocation is kept visible, not refused).',
      example: 100,
    }),
  placement_checks: z
    .array(z.enum(PLACEMENT_CHECKS))
    .optional()
    .openapi({
      description: `Only with \`placements.read\`, for an actor in effect on the day: the placement checks they fail (empty when none) — ${PLACEMENT_CHECKS.map((c) => `\`${c}\`: ${PLACEMENT_CHECK_MEANING[c]}`).join('; ')}.`,
      example: [],
    }),
  annual_loaded_cost: orNull(LoadedCostSchema)
    .optional()
    .openapi({ description: `${moneyNote} null for someone who left by the day, or has no pay recorded on it (cost unknown, not 0): \`cost_note\` says which.` }),
  cost_note: z
    .string()
    .optional()
    .openapi({
      description: `${moneyNote} Only where \`annual_loaded_cost\` is null: that they left on that day and cost nothing now, or that no pay is recorded (cost unknown).`,
      example: 'Left on 2026-01-01: no current cost — their pay ended when they left.',
    }),
  compensation: z
    .array(CompensationSchema.extend({ ended_on: z.string().optional().openapi({ format: 'date', description: 'Pay still open when the actor left ended with them: the day they left (not active)' }) }))
    .optional()
    .openapi({ description: `${moneyNote} With history.` }),
}).openapi('ActorDetail');

export const ReportingLineSchema = z
  .object({ id: z.string(), actor_id: z.string(), manager_id: z.string(), ...dated })
  .openapi('ReportingLine');

export const PositionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    role_type: z.string().nullable(),
    org_unit_id: z.string().nullable(),
    planned_fte: z.number(),
    employment_type: z.enum(EMPLOYMENT_TYPES),
    status: z.enum(['filled', 'vacant', 'closed']),
    filled_by: z.array(z.string()).openapi({ description: 'Actors whose in-effect placement fills it' }),
    valid_from: date,
    valid_to: date,
    target_salary: orNull(MoneySchema).optional().openapi({ description: moneyNote }),
    day_rate: orNull(MoneySchema).optional().openapi({ description: moneyNote }),
    annual_loaded_cost: orNull(LoadedCostSchema)
      .optional()
      .openapi({
        description: `${moneyNote} What the seat costs a year as the cost figures count a person: the target salary plus the employer burden, or the day rate times the working days, in the reporting currency; null for a position budgeted without pay.`,
      }),
  })
  .openapi('Position');

/** How many actors fail each placement check: counted across the whole organisation, whatever unit is asked for. */
export const PlacementChecksSchema = z
  .object(
    Object.fromEntries(PLACEMENT_CHECKS.map((check) => [check, z.number().int().openapi({ description: `Actors whose ${PLACEMENT_CHECK_MEANING[check]}` })])) as Record<
      PlacementCheck,
      z.ZodNumber
    >,
  )
  .openapi('PlacementChecks', {
    description:
      'How many actors in effect on the day fail each placement check, across the whole organisation (also when `org_unit_id` is given; all 0 is clean). Allocation over 100% is allowed and kept visible here. `GET /api/v1/actors?placement_check=…` names them (needs `placements.read`).',
  });

export const OrgMetricsSchema = z
  .object({
    org_unit_id: z.string().nullable().openapi({ description: 'The unit rolled up, or null for the whole organisation' }),
    as_of: z.string().openapi({ format: 'date' }),
    scenario_id: z.string().nullable(),
    metrics,
    reporting_cycles: z.number().int().openapi({ description: 'Reporting cycles found (and broken) while computing spans and layers' }),
    placement_checks: PlacementChecksSchema,
  })
  .openapi('OrgMetrics');
