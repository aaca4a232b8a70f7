import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { rosterReport, unitMetricsReport } from '../../org/read-reports.js';
import { listSpans, MAX_DIRECT_REPORTS, SPAN_FILTERS } from '../../org/spans.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { ACTOR_KINDS, ORG_UNIT_TYPES } from '../../org/types.js';
import { needs, pagedResponse, problemResponses, wholeNumber } from '../schemas.js';
import { idFilter, json, ListQuery, listBody, pageOf, queryBool, SECURITY, v1Router, viewOf } from './common.js';
import { RosterSchema, SpansReportSchema, UnitMetricsReportSchema } from './report-schemas.js';

/** Reports (SPEC §6): the roster of a unit and below, the metrics of every org unit and the managers by span — in Live or a scenario. */

const tags = ['Reports'];
const viewNote = 'Pass `scenario_id` to read a scenario or snapshot (needs `scenarios.read` too) and `as_of` for another day.';

const roster = createRoute({
  method: 'get',
  path: '/api/v1/reports/roster',
  tags,
  summary: 'Roster: the actors of a unit and everything below it, with placements, positions and managers',
  description:
    'One row per actor in effect, sorted by name: manager, direct reports, primary unit and every placement in effect ' +
    '(`in_scope` marks those in the unit asked for or below). Positions need `positions.read`; the annual loaded cost ' +
    `\`costs.read\`. Without \`org_unit_id\`, every actor of the organisation. ${viewNote}`,
  security: SECURITY,
  ...needs('actors.read', 'placements.read'),
  request: {
    query: ListQuery.extend({
      org_unit_id: idFilter('The unit whose roster to list, with everything below it (default: the whole organisation)'),
      primary_only: queryBool('true = only actors whose primary placement is in scope, as headcount counts (default false)'),
      kind: z.enum(ACTOR_KINDS).optional().openapi({ description: 'Only actors of this kind' }),
    }),
  },
  responses: { 200: pagedResponse('A page of the roster', RosterSchema), ...problemResponses(400, 401, 403, 404) },
});

const unitMetrics = createRoute({
  method: 'get',
  path: '/api/v1/reports/org-unit-metrics',
  tags,
  summary: 'Org-unit metrics: roll-up metrics for every org unit, as one flat list',
  description:
    'Each row rolls up the unit and everything below it (headcount counts each person once), with its parent, depth ' +
    `and path; \`total\` is the whole organisation or the unit asked for. Cost figures only with \`costs.read\`, among them \`cost.vacant_seats_annual\`: what each unit’s vacant seats would cost a year at their target pay — budgeted, not paid, never part of \`cost.annual\`. ${viewNote}`,
  security: SECURITY,
  ...needs('org-units.read', 'org-metrics.read'),
  request: {
    query: ListQuery.extend({
      type: z.enum(ORG_UNIT_TYPES).optional().openapi({ description: 'Only units of this type' }),
      org_unit_id: idFilter('Only this unit and the units below it'),
      include_inactive: queryBool('true = also units not in effect on `as_of` (default false)'),
    }),
  },
  responses: { 200: pagedResponse('A page of org units with their metrics', UnitMetricsReportSchema), ...problemResponses(400, 401, 403, 404) },
});

const spans = createRoute({
  method: 'get',
  path: '/api/v1/reports/spans',
  tags,
  summary: 'Spans of control: the managers with too few or too many direct reports, named',
  description:
    `The managers behind the \`span.narrow\` and \`span.wide\` counts of the metrics (narrow: at most ${NARROW_SPAN_MAX} direct ` +
    `reports, wide: ${WIDE_SPAN_MIN} or more), each with direct reports, span class, layer and home unit. \`span=outliers\` ` +
    '(default): wide managers, most reports first, then narrow ones, fewest first; `narrow` or `wide`: one kind; `all`: every ' +
    'manager, most reports first; ties by name. With `org_unit_id`, only managers homed in that unit or below. ' +
    viewNote,
  security: SECURITY,
  ...needs('org-metrics.read', 'actors.read'),
  request: {
    query: ListQuery.extend({
      span: z.enum(SPAN_FILTERS).optional().openapi({ description: 'outliers (default: narrow and wide), narrow, wide or all' }),
      org_unit_id: idFilter('Only managers homed in this unit or below it'),
      min_direct_reports: wholeNumber(0, MAX_DIRECT_REPORTS)
        .optional()
        .openapi({ description: 'Only managers with at least this many direct reports ("spans over 8" = 9); without `span`, every class', example: 9 }),
      max_direct_reports: wholeNumber(0, MAX_DIRECT_REPORTS)
        .optional()
        .openapi({ description: 'Only managers with at most this many direct reports; without `span`, every class' }),
    }),
  },
  responses: { 200: pagedResponse('A page of managers with their spans', SpansReportSchema), ...problemResponses(400, 401, 403, 404) },
});

export function reportRoutes() {
  const router = v1Router();
  router.openapi(roster, async (c) => {
    const q = c.req.valid('query');
    const { view, orgUnit, page } = await rosterReport(serviceContext(c), {
      ...viewOf(q),
      ...pageOf(q),
      orgUnitId: q.org_unit_id,
      primaryOnly: q.primary_only,
      kind: q.kind,
    });
    return c.json({ ...listBody(c, page), org_unit: orgUnit, as_of: view.asOf, scenario_id: view.scenario?.id ?? null }, 200);
  });
  router.openapi(unitMetrics, async (c) => {
    const q = c.req.valid('query');
    const { view, total, unassigned, page } = await unitMetricsReport(serviceContext(c), {
      ...viewOf(q),
      ...pageOf(q),
      type: q.type,
      orgUnitId: q.org_unit_id,
      includeInactive: q.include_inactive,
    });
    return c.json({ ...listBody(c, page), total, unassigned, as_of: view.asOf, scenario_id: view.scenario?.id ?? null }, 200);
  });
  router.openapi(spans, async (c) => {
    const q = c.req.valid('query');
    const { view, span, orgUnit, page } = await listSpans(serviceContext(c), {
      ...viewOf(q),
      ...pageOf(q),
      orgUnitId: q.org_unit_id,
      span: q.span,
      minReports: q.min_direct_reports,
      maxReports: q.max_direct_reports,
    });
    return c.json({ ...listBody(c, page), span, org_unit: orgUnit, as_of: view.asOf, scenario_id: view.scenario?.id ?? null }, 200);
  });
  return router;
}
