import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS } from '../../org/placement-checks.js';
import { getActor, listActors, listCompensations, listPlacements, listPositions, listReportingLines } from '../../org/read-people.js';
import { ACTOR_KINDS } from '../../org/types.js';
import { itemEnvelope, listEnvelope, needs, pagedResponse, problemResponses } from '../schemas.js';
import { IdParam, idFilter, idsFilter, json, ListQuery, listBody, pageOf, queryBool, SECURITY, v1Router, viewOf, ViewQuery } from './common.js';
import { ActorDetailSchema, ActorSchema, CompensationSchema, PlacementSchema, PositionSchema, ReportingLineSchema } from './org-schemas.js';

/** People and seats: actors, reporting lines, placements, positions and compensation — in Live or a scenario. */

const viewNote = 'Pass `scenario_id` to read a scenario or snapshot (needs `scenarios.read` too) and `as_of` for another day.';
const includeInactive = queryBool('true = also records not in effect on `as_of` (default false)');
const errors = problemResponses(400, 401, 403, 404);

/** Each placement check with what it finds, for the filter's documentation. */
const placementCheckWords = PLACEMENT_CHECKS.map((check) => `\`${check}\` — ${PLACEMENT_CHECK_MEANING[check]}`).join('; ');

const actors = createRoute({
  method: 'get',
  path: '/api/v1/actors',
  tags: ['Actors'],
  summary: 'List people, robots and AI agents',
  description:
    'Actors sorted by name, with their manager and primary org unit. `placement_check` lists who fails one placement check on `as_of` ' +
    '(needs `placements.read` too: 403 naming it otherwise); `GET /api/v1/org-metrics` counts them in `placement_checks`. ' +
    viewNote,
  security: SECURITY,
  ...needs('actors.read'),
  request: {
    query: ListQuery.extend({
      kind: z.enum(ACTOR_KINDS).optional().openapi({ description: 'Only actors of this kind' }),
      org_unit_id: idFilter('Only actors placed in this unit (any placement in effect)'),
      q: z.string().max(200).optional().openapi({ description: 'Words that each start a word of the name, email or title (case and accents ignored): `schn` finds Ana Schneider, `support lead` a Support Team Lead' }),
      without_manager: queryBool('true = only actors who report to no one on `as_of` (the top of the organisation, and gaps such as people imported without a manager)'),
      placement_check: z
        .enum(PLACEMENT_CHECKS)
        .optional()
        .openapi({
          description: `Only actors who fail this placement check on \`as_of\` (needs \`placements.read\`): ${placementCheckWords}. Allocation over 100% is allowed; this keeps it visible.`,
          example: 'over_allocated',
        }),
      include_inactive: includeInactive,
      ids: idsFilter('actors'),
    }),
  },
  responses: { 200: pagedResponse('A page of actors', listEnvelope(ActorSchema)), ...errors },
});

const actor = createRoute({
  method: 'get',
  path: '/api/v1/actors/{id}',
  tags: ['Actors'],
  summary: 'One actor with manager, direct reports, placements and (with costs.read) compensation',
  description: `A person, robot or AI agent with their manager, direct reports (by name), placements (with \`placements.read\`; for an actor in effect also \`total_allocation_pct\` and the \`placement_checks\` they fail) and, with \`costs.read\`, annual loaded cost and compensation history. 404 when the id is not an actor of this organisation. ${viewNote}`,
  security: SECURITY,
  ...needs('actors.read'),
  request: { params: IdParam, query: ViewQuery },
  responses: { 200: { description: 'The actor', ...json(itemEnvelope(ActorDetailSchema)) }, ...errors },
});

const reportingLines = createRoute({
  method: 'get',
  path: '/api/v1/reporting-lines',
  tags: ['Reporting lines'],
  summary: 'List solid-line reporting lines',
  description: `Who reports to whom: one line per actor and manager, filtered by manager (their direct reports) or by actor. ${viewNote}`,
  security: SECURITY,
  ...needs('actors.read'),
  request: {
    query: ListQuery.extend({
      manager_id: idFilter('Only the lines of this manager’s direct reports'),
      actor_id: idFilter('Only this actor’s lines'),
      include_inactive: includeInactive,
    }),
  },
  responses: { 200: pagedResponse('A page of reporting lines', listEnvelope(ReportingLineSchema)), ...errors },
});

const placements = createRoute({
  method: 'get',
  path: '/api/v1/placements',
  tags: ['Placements'],
  summary: 'List placements (who is placed where, with allocation)',
  description: `Each placement puts an actor in an org unit (optionally filling a position) with an allocation; \`effective_fte\` is the actor’s FTE × allocation. Filter by actor, unit or position. ${viewNote}`,
  security: SECURITY,
  ...needs('placements.read'),
  request: {
    query: ListQuery.extend({
      actor_id: idFilter('Only this actor’s placements'),
      org_unit_id: idFilter('Only placements in this unit'),
      position_id: idFilter('Only placements filling this position'),
      include_inactive: includeInactive,
    }),
  },
  responses: { 200: pagedResponse('A page of placements', listEnvelope(PlacementSchema)), ...errors },
});

const positions = createRoute({
  method: 'get',
  path: '/api/v1/positions',
  tags: ['Positions'],
  summary: 'List budgeted positions with their status',
  description: `\`status=open\` means filled or vacant (not closed). Target salary and day rate only with \`costs.read\`. ${viewNote}`,
  security: SECURITY,
  ...needs('positions.read'),
  request: {
    query: ListQuery.extend({
      org_unit_id: idFilter('Only positions budgeted in this unit'),
      no_budgeted_team: queryBool('true = only positions with no budgeted team yet (`org_unit_id` null), which no unit’s list holds; not with `org_unit_id`'),
      status: z.enum(['filled', 'vacant', 'closed', 'open']).optional().openapi({ description: 'Only positions in this status' }),
      include_inactive: includeInactive,
      ids: idsFilter('positions'),
    }),
  },
  responses: { 200: pagedResponse('A page of positions', listEnvelope(PositionSchema)), ...errors },
});

const compensations = createRoute({
  method: 'get',
  path: '/api/v1/compensations',
  tags: ['Compensation'],
  summary: 'List compensation records (salaries and day rates)',
  description: `Needs \`costs.read\` and \`actors.read\`. With \`actor_id\`, the actor’s whole history. ${viewNote}`,
  security: SECURITY,
  ...needs('costs.read', 'actors.read'),
  request: { query: ListQuery.extend({ actor_id: idFilter('Only this actor’s records (with history)'), include_inactive: includeInactive }) },
  responses: { 200: pagedResponse('A page of compensation records', listEnvelope(CompensationSchema)), ...errors },
});

const blankless = (value: string | undefined) => value?.trim() || null;

export function peopleRoutes() {
  const router = v1Router();
  router.openapi(actors, async (c) => {
    const q = c.req.valid('query');
    const filter = {
      kind: q.kind,
      orgUnitId: blankless(q.org_unit_id),
      query: q.q,
      withoutManager: q.without_manager,
      placementCheck: q.placement_check,
      includeInactive: q.include_inactive,
      ids: q.ids,
    };
    const { page } = await listActors(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(actor, async (c) => {
    const { actor } = await getActor(serviceContext(c), c.req.valid('param').id, viewOf(c.req.valid('query')));
    return c.json({ data: actor as z.infer<typeof ActorDetailSchema> }, 200);
  });
  router.openapi(reportingLines, async (c) => {
    const q = c.req.valid('query');
    const filter = { managerId: blankless(q.manager_id), actorId: blankless(q.actor_id), includeInactive: q.include_inactive };
    const { page } = await listReportingLines(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(placements, async (c) => {
    const q = c.req.valid('query');
    const filter = { actorId: blankless(q.actor_id), orgUnitId: blankless(q.org_unit_id), positionId: blankless(q.position_id), includeInactive: q.include_inactive };
    const { page } = await listPlacements(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(positions, async (c) => {
    const q = c.req.valid('query');
    const filter = { orgUnitId: blankless(q.org_unit_id), noBudgetedTeam: q.no_budgeted_team, status: q.status, includeInactive: q.include_inactive, ids: q.ids };
    const { page } = await listPositions(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(compensations, async (c) => {
    const q = c.req.valid('query');
    const filter = { actorId: blankless(q.actor_id), includeInactive: q.include_inactive };
    const { page } = await listCompensations(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  return router;
}
