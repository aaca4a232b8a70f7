import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { ACTIVITY_SCOPES, listActivity, listLineage, withoutMoneyFields } from '../../org/read-history.js';
import { listEnvelope, needs, pagedResponse, PageQuery, problemResponses } from '../schemas.js';
import { idFilter, IsoDate, json, listBody, SECURITY, v1Router } from './common.js';
import { ActivityEventSchema, LineageEntrySchema } from './report-schemas.js';

/** How Live evolved: lineage (promotions, restores, imports) and the activity log (event-level detail). */

const lineage = createRoute({
  method: 'get',
  path: '/api/v1/lineage',
  tags: ['Lineage and activity'],
  summary: 'Lineage of Live: promotions, snapshot restores and imports, newest first',
  description: 'Each entry links the snapshot of the Live it replaced and the applied scenario or restored snapshot. Money deltas only with `costs.read`.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { query: PageQuery },
  responses: { 200: pagedResponse('A page of lineage entries', listEnvelope(LineageEntrySchema)), ...problemResponses(400, 401, 403) },
});

const activity = createRoute({
  method: 'get',
  path: '/api/v1/activity',
  tags: ['Lineage and activity'],
  summary: 'The activity log: who changed what and when, newest first',
  description:
    'Model changes (created, updated, deleted, restored with before/after values) and security events (sign-ins, tokens, ' +
    'connected apps, role and plan changes). Money values only with `costs.read`.',
  security: SECURITY,
  ...needs('activity.read'),
  request: {
    query: PageQuery.extend({
      category: z.enum(['security', 'model']).optional().openapi({ description: 'Only model changes or only security events' }),
      entity_type: z.string().max(64).optional().openapi({ description: 'Only events about this kind of record', example: 'actor' }),
      scenario_id: idFilter('Only events recorded in this scenario'),
      scope: z.enum(ACTIVITY_SCOPES).optional().openapi({
        description:
          '`live`: only changes that reached Live (imports and HRIS sync into Live, promotions, restores) — "what changed in Live last week" is `scope=live&since=…`; `scenarios`: only what was done in or to scenarios. Omit for everything.',
      }),
      since: IsoDate.optional().openapi({ description: 'First day included, `YYYY-MM-DD` (UTC)' }),
      until: IsoDate.optional().openapi({ description: 'Last day included, `YYYY-MM-DD` (UTC)' }),
    }),
  },
  responses: { 200: pagedResponse('A page of events', listEnvelope(ActivityEventSchema)), ...problemResponses(400, 401, 403) },
});

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);

/**
 * Lineage deltas name the currency of their cost delta; without `costs.read` the cost delta is gone, and so goes
 * the currency beside it (no money field, and no hint of one, for a principal who may not see money).
 */
function deltasFor(deltas: unknown, seesCost: boolean): unknown {
  return seesCost ? deltas : withoutMoneyFields(deltas);
}

export function historyRoutes() {
  const router = v1Router();
  router.openapi(lineage, async (c) => {
    const q = c.req.valid('query');
    const ctx = serviceContext(c);
    const { page } = await listLineage(ctx, { limit: q.limit, cursor: q.cursor ?? null });
    const seesCost = can(ctx.principal, 'costs.read');
    const data = page.items.map((e) => ({ ...e, applied_at: iso(e.applied_at), deltas: deltasFor(e.deltas, seesCost) }));
    return c.json(listBody(c, { items: data, nextCursor: page.nextCursor }), 200);
  });
  router.openapi(activity, async (c) => {
    const q = c.req.valid('query');
    const { page, scenarioNames } = await listActivity(serviceContext(c), {
      limit: q.limit,
      cursor: q.cursor ?? null,
      category: q.category,
      entityType: q.entity_type,
      scenarioId: q.scenario_id,
      scope: q.scope,
      since: q.since,
      until: q.until,
    });
    const data = page.items.map((e) => ({ ...e, at: iso(e.at), scenario_name: (e.scenario_id && scenarioNames[e.scenario_id]) || null }));
    return c.json(listBody(c, { items: data, nextCursor: page.nextCursor }), 200);
  });
  return router;
}
