import { z } from 'zod';
import { getOrgMetrics } from '../../org/metrics-service.js';
import { rollupCosts } from '../../org/read-history.js';
import { ORG_UNIT_TYPES } from '../../org/types.js';
import { contextOf, contextOut, METRICS_NOTE, money, nextCursor, optionalId, pageFields, pageRequest, viewFields, viewRequest, withNames, withNamesOne } from '../fields.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** Org metrics and cost roll-ups. */

export const metricsTool = defineTool({
  name: 'org.metrics.get',
  title: 'Org metrics',
  description:
    'Metrics for the whole organisation or one org unit (rolled up over everything below it): headcount (humans, ' +
    'each counted once), robots and agents, FTE and effective FTE, positions and vacancy rate, span of control ' +
    '(average, median, buckets, narrow/wide), layers, manager:IC ratio and — with costs.read — monthly and annual ' +
    `loaded cost and cost per FTE. ${METRICS_NOTE} To see a scenario’s impact, call it with and without ` +
    '`scenario_id`. Per-unit cost lists come from `org.costs.rollup`; to name the narrow and wide managers, `org.spans.list`.',
  purpose: 'org-review',
  inputSchema: z.object({ ...viewFields, org_unit_id: optionalId('One org unit’s roll-up instead of the whole organisation.') }),
  outputSchema: z.object({
    context: contextOut,
    org_unit_id: z.string().optional(),
    org_unit_name: z.string().optional().describe('The name of the org unit asked for (with org-units.read)'),
    metrics: z.looseObject({ headcount: z.number(), fte: z.number(), layers: z.number() }),
    reporting_cycles: z.number().describe('Reporting-line cycles found (should be 0)'),
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
    };
  },
});

const costRow = z.looseObject({
  headcount: z.number(),
  fte: z.number(),
  currency: z.string(),
  annual: money,
  monthly: money,
  per_fte: money,
});

export const costRollupTool = defineTool({
  name: 'org.costs.rollup',
  title: 'Cost roll-up by org unit',
  description:
    'Annual and monthly loaded cost, cost per FTE (annual ÷ effective FTE), headcount and FTE per org unit, each unit including everything ' +
    'below it, in the reporting currency (figures in a currency without an exchange rate are listed as ' +
    '`unconvertible`, never counted as 0). Without `org_unit_id`: every active unit plus the organisation total; ' +
    'with it: that unit’s total and its direct children. Needs costs.read. Compare scenarios by passing ' +
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
    org_units: z.array(costRow.extend({ id: z.string(), name: z.string(), type: z.string() })),
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
      org_units: withNames(ctx.principal, result.view, result.page.items),
      next_cursor: result.page.nextCursor ?? undefined,
    };
  },
});

export const metricsTools = [metricsTool, costRollupTool];
