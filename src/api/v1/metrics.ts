import { createRoute } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { getOrgMetrics } from '../../org/metrics-service.js';
import { itemEnvelope, needs, problemResponses } from '../schemas.js';
import { idFilter, json, SECURITY, v1Router, viewOf, ViewQuery } from './common.js';
import { OrgMetricsSchema } from './org-schemas.js';

/**
 * Org metrics: headcount, FTE, vacancies, spans, layers, manager:IC and (with costs.read) cost, rolled up; and the
 * placement checks, counted across the whole organisation.
 */

const orgMetrics = createRoute({
  method: 'get',
  path: '/api/v1/org-metrics',
  tags: ['Org metrics'],
  summary: 'Org metrics for the whole organisation or one unit’s roll-up',
  description:
    'Headcount counts each person once; FTE sums effective FTE of placements in the unit and below. Cost figures only ' +
    'with `costs.read`: the loaded cost of the people in seats (`cost.annual`, `cost.monthly`, `cost.per_fte`) and, apart from it, ' +
    '`cost.vacant_seats_annual` — what the vacant seats would cost a year filled at their target pay: budgeted, not paid, never part of ' +
    '`cost.annual`. `placement_checks` counts the actors who are over-allocated, under-allocated, unplaced or without a primary placement ' +
    'across the whole organisation, also when `org_unit_id` is given; `GET /api/v1/actors?placement_check=…` names them. Pass `scenario_id` to read a scenario or snapshot (needs `scenarios.read` too) and `as_of` for another day.',
  security: SECURITY,
  ...needs('org-metrics.read'),
  request: { query: ViewQuery.extend({ org_unit_id: idFilter('Roll up this unit and everything below it (default: the whole organisation)') }) },
  responses: { 200: { description: 'The metrics', ...json(itemEnvelope(OrgMetricsSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

export function metricsRoutes() {
  const router = v1Router();
  router.openapi(orgMetrics, async (c) => {
    const q = c.req.valid('query');
    const orgUnitId = q.org_unit_id?.trim() || null;
    const { view, metrics, reportingCycles, placementChecks } = await getOrgMetrics(serviceContext(c), { ...viewOf(q), orgUnitId });
    const data = {
      org_unit_id: orgUnitId,
      as_of: view.asOf,
      scenario_id: view.scenario?.id ?? null,
      metrics,
      reporting_cycles: reportingCycles,
      placement_checks: placementChecks,
    };
    return c.json({ data }, 200);
  });
  return router;
}
