import { z } from 'zod';
import { can, type Principal } from '../../access/policy.js';
import { inEffect } from '../../org/dates.js';
import { getOrgMetrics } from '../../org/metrics-service.js';
import { rollupCosts } from '../../org/read-history.js';
import { ORG_UNIT_TYPES } from '../../org/types.js';
import type { OrgView } from '../../org/view.js';
import { contextOf, contextOut, costFields, costOut, emptyOrgNote, METRICS_NOTE, nextCursor, optionalId, pageFields, pageRequest, viewFields, viewRequest, withNames, withNamesOne } from '../fields.js';
import { placementChecksOut } from '../placement-checks.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** Org metrics and cost roll-ups. */

const closedUnitOut = z
  .string()
  .optional()
  .describe(
    'Present when the org unit asked for is not in effect on the day (closed, or not yet started), or without one when no unit of the organisation is: why the figures are 0',
  );

/**
 * A unit closed by then (in a scenario that merged it away, say) or not yet started rolls up nothing: every figure
 * 0, which reads as an empty team unless the answer says why.
 */
function closedUnitNote(principal: Principal, view: OrgView, orgUnitId: string | undefined): string | undefined {
  const unit = orgUnitId ? view.graph.orgUnits.get(orgUnitId) : undefined;
  if (!unit || inEffect(unit, view.asOf)) return undefined;
  const name = can(principal, 'org-units.read') ? unit.name : 'This org unit';
  const when = unit.validTo !== null && unit.validTo <= view.asOf ? `closed on ${unit.validTo}` : `starts on ${unit.validFrom}`;
  return `${name} is not in effect on ${view.asOf} (${when}), so every figure here is 0. Pass an as_of when it is in effect for its figures then.`;
}

/** The vacant seats' budget (org/metrics.ts `cost.vacantAnnual`), as both tools name it. */
const VACANT_NOTE =
  '`vacant_seats_annual_cost_minor` — budgeted, not paid: what the vacant seats (positions in effect nobody fills) would cost a year filled at ' +
  'their target pay, loaded as a person’s pay is; never part of the annual cost, and a seat without target pay adds nothing.';

export const metricsTool = defineTool({
  name: 'org.metrics.get',
  title: 'Org metrics',
  description:
    'Metrics for the whole organisation or one org unit (rolled up over everything below it): headcount (humans, ' +
    'each counted once), robots and agents, FTE and effective FTE, positions and vacancy rate, span of control ' +
    '(average, median, buckets, narrow/wide), layers, manager:IC ratio and — with costs.read — monthly and annual ' +
    `loaded cost and cost per FTE of the people in seats. Apart from that cost, ${VACANT_NOTE} ${METRICS_NOTE} ` +
    '`placement_checks` counts, across the whole organisation, the actors over- or under-allocated, unplaced or with no primary placement. To see a scenario’s impact, call it with and without ' +
    '`scenario_id`. Per-unit cost lists come from `org.costs.rollup`; to name the narrow and wide managers, `org.spans.list`.',
  purpose: 'org-review',
  inputSchema: z.object({ ...viewFields, org_unit_id: optionalId('One org unit’s roll-up instead of the whole organisation.') }),
  outputSchema: z.object({
    context: contextOut,
    org_unit_id: z.string().optional(),
    org_unit_name: z.string().optional().describe('The name of the org unit asked for (with org-units.read)'),
    metrics: z.looseObject({
      headcount: z.number(),
      fte: z.number(),
      layers: z.number(),
      cost: costOut.optional(),
    }),
    reporting_cycles: z.number().describe('Reporting-line cycles found (should be 0)'),
    placement_checks: placementChecksOut.describe(`${placementChecksOut.description} Also when org_unit_id is given: the whole organisation’s.`),
    note: closedUnitOut,
  }),
  annotations: READ_ONLY,
  requires: ['org-metrics.read'],
  example: {},
  async handler(ctx, input) {
    const result = await getOrgMetrics(ctx, { ...viewRequest(input), orgUnitId: input.org_unit_id });
    const orgUnitId = input.org_unit_id?.trim() || undefined;
    return {
      context: contextOf(result.view),
      ...(orgUnitId ? withNamesOne(ctx.principal, result.view, { org_unit_id: orgUnitId }) : {}),
      metrics: result.metrics!,
      reporting_cycles: result.reportingCycles,
      placement_checks: result.placementChecks,
      note: orgUnitId ? closedUnitNote(ctx.principal, result.view, orgUnitId) : emptyOrgNote(result.view),
    };
  },
});

const costRow = z.looseObject({ headcount: z.number(), fte: z.number(), ...costFields });

export const costRollupTool = defineTool({
  name: 'org.costs.rollup',
  title: 'Cost roll-up by org unit',
  description:
    'Annual and monthly loaded cost, cost per FTE (annual ÷ effective FTE), headcount and FTE per org unit, each unit including everything ' +
    'below it, in the reporting currency (figures in a currency without an exchange rate are listed as ' +
    '`unconvertible`, never counted as 0). Without `org_unit_id`: every active unit plus the organisation total (and `unassigned`: the seats with no budgeted team yet, in the total and in no unit); ' +
    'with it: that unit’s total and its direct children. Each row has its figures flat (`annual_cost_minor`, `monthly_cost_minor`, `annual_cost_per_fte_minor`, `currency`), and ' + VACANT_NOTE + ' Needs costs.read. Compare scenarios by passing ' +
    '`scenario_id`; see `org.settings.get` for burden % and rates.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    org_unit_id: optionalId('Roll up this org unit and list its direct children.'),
    type: z.enum(ORG_UNIT_TYPES).optional().describe('Only list units of this type.'),
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    total: costRow,
    unassigned: costRow
      .extend({ positions: z.number().describe('How many seats in effect have no budgeted team') })
      .optional()
      .describe('Positions with no budgeted team yet (only without org_unit_id, when there are any): in the total, in no unit; their vacant_seats_annual_cost_minor is their budget'),
    org_units: z.array(costRow.extend({ id: z.string(), name: z.string(), type: z.string() })),
    note: closedUnitOut,
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['costs.read', 'org-units.read', 'org-metrics.read'],
  example: { type: 'department' },
  async handler(ctx, input) {
    const result = await rollupCosts(ctx, { ...viewRequest(input), ...pageRequest(input), orgUnitId: input.org_unit_id, type: input.type });
    return {
      context: contextOf(result.view),
      total: result.total,
      unassigned: result.unassigned ?? undefined,
      org_units: withNames(ctx.principal, result.view, result.page.items),
      note: input.org_unit_id?.trim() ? closedUnitNote(ctx.principal, result.view, input.org_unit_id.trim()) : emptyOrgNote(result.view),
      next_cursor: result.page.nextCursor ?? undefined,
    };
  },
});

export const metricsTools = [metricsTool, costRollupTool];
