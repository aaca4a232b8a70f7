import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { getOrgUnit, listDepartments, listOrgUnits, listTeams, orgUnitTree } from '../../org/read-structure.js';
import { ORG_UNIT_TYPES, type OrgUnitType } from '../../org/types.js';
import { itemEnvelope, listEnvelope, needs, pagedResponse, problemResponses, wholeNumber } from '../schemas.js';
import { IdParam, idFilter, idsFilter, json, ListQuery, listBody, pageOf, queryBool, SECURITY, v1Router, viewOf, ViewQuery } from './common.js';
import { OrgTreeSchema, OrgUnitDetailSchema, OrgUnitSchema, UnitWithMetricsSchema } from './org-schemas.js';

/** The structural hierarchy: org units (list, tree, detail), departments and teams — in Live or a scenario. */

const tags = ['Org units'];
const viewNote = 'Pass `scenario_id` to read a scenario or snapshot (needs `scenarios.read` too) and `as_of` for another day.';
const includeInactive = queryBool('true = also records not in effect on `as_of` (default false)');
const unitQuery = (example: string) =>
  z.string().max(200).optional().openapi({ description: 'Name contains (case-insensitive), or the exact code', example });

const list = createRoute({
  method: 'get',
  path: '/api/v1/org-units',
  tags,
  summary: 'List org units',
  description: `Org units sorted by name, filtered by type, parent or a name/code search. ${viewNote}`,
  security: SECURITY,
  ...needs('org-units.read'),
  request: {
    query: ListQuery.extend({
      type: z.enum(ORG_UNIT_TYPES).optional().openapi({ description: 'Only units of this type' }),
      parent_id: idFilter('Only direct children of this unit'),
      q: unitQuery('platform'),
      include_inactive: includeInactive,
      ids: idsFilter('org units'),
    }),
  },
  responses: { 200: pagedResponse('A page of org units', listEnvelope(OrgUnitSchema)), ...problemResponses(400, 401, 403, 404) },
});

const TYPE_LIST = new RegExp(`^(${ORG_UNIT_TYPES.join('|')})(,(${ORG_UNIT_TYPES.join('|')}))*$`);

const tree = createRoute({
  method: 'get',
  path: '/api/v1/org-units/tree',
  tags,
  summary: 'The org unit tree with roll-up metrics',
  description:
    'Nested org units with roll-up metrics per node (null without `org-metrics.read`; cost only with `costs.read`). ' +
    '`type` keeps only nodes of those types, each attached to its nearest kept ancestor; `depth` cuts the tree. ' +
    viewNote,
  security: SECURITY,
  ...needs('org-units.read'),
  request: {
    query: ViewQuery.extend({
      depth: wholeNumber(1, 50).optional().openapi({ description: 'Levels to return (1 = roots only)', example: 2 }),
      type: z
        .string()
        .regex(TYPE_LIST, `must be one or more of ${ORG_UNIT_TYPES.join(', ')}, comma-separated`)
        .optional()
        .openapi({ description: 'Comma-separated unit types to keep', example: 'department,team' }),
      only_active: queryBool('false = also units not in effect on `as_of` (default true)'),
      root_id: idFilter('Start from this unit instead of the roots'),
    }),
  },
  responses: { 200: { description: 'The tree', ...json(itemEnvelope(OrgTreeSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

const detail = createRoute({
  method: 'get',
  path: '/api/v1/org-units/{id}',
  tags,
  summary: 'One org unit with its path, children and roll-up metrics',
  description: `The unit, its ancestors from the root down (\`path\`), its direct children and the metrics of the unit and everything below it (null without \`org-metrics.read\`; cost only with \`costs.read\`). 404 when the id is not a unit of this organisation. ${viewNote}`,
  security: SECURITY,
  ...needs('org-units.read'),
  request: { params: IdParam, query: ViewQuery },
  responses: { 200: { description: 'The org unit', ...json(itemEnvelope(OrgUnitDetailSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

const departments = createRoute({
  method: 'get',
  path: '/api/v1/departments',
  tags: ['Departments'],
  summary: 'List departments with their metrics',
  description: `The org units of type department, sorted by name, optionally those whose name contains \`q\`, each with the roll-up metrics of the department and everything below it (null without \`org-metrics.read\`; cost only with \`costs.read\`). ${viewNote}`,
  security: SECURITY,
  ...needs('org-units.read'),
  request: { query: ListQuery.extend({ q: unitQuery('engineering'), include_inactive: includeInactive }) },
  responses: { 200: pagedResponse('A page of departments', listEnvelope(UnitWithMetricsSchema)), ...problemResponses(400, 401, 403, 404) },
});

const teams = createRoute({
  method: 'get',
  path: '/api/v1/teams',
  tags: ['Teams'],
  summary: 'List teams with their metrics',
  description: `The org units of type team, sorted by name, optionally those whose name contains \`q\` or of one team type, each with its roll-up metrics (null without \`org-metrics.read\`; cost only with \`costs.read\`). ${viewNote}`,
  security: SECURITY,
  ...needs('teams.read'),
  request: {
    query: ListQuery.extend({
      q: unitQuery('platform'),
      team_type_id: idFilter('Only teams of this team type'),
      without_manager: queryBool('true = only teams nobody homed in them manages (their people report to someone outside the team, or to no one); needs `org-metrics.read`'),
      include_inactive: includeInactive,
    }),
  },
  responses: { 200: pagedResponse('A page of teams', listEnvelope(UnitWithMetricsSchema)), ...problemResponses(400, 401, 403, 404) },
});

export function structureRoutes() {
  const router = v1Router();
  router.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const filter = { type: q.type, parentId: q.parent_id, query: q.q, includeInactive: q.include_inactive, ids: q.ids };
    const { page } = await listOrgUnits(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(tree, async (c) => {
    const q = c.req.valid('query');
    const types = q.type ? (q.type.split(',') as OrgUnitType[]) : null;
    const request = { ...viewOf(q), depth: q.depth, types, onlyActive: q.only_active, rootId: q.root_id?.trim() || null };
    const { roots, total } = await orgUnitTree(serviceContext(c), request);
    return c.json({ data: { roots, total } }, 200);
  });
  router.openapi(detail, async (c) => {
    const { unit } = await getOrgUnit(serviceContext(c), c.req.valid('param').id, viewOf(c.req.valid('query')));
    return c.json({ data: unit }, 200);
  });
  router.openapi(departments, async (c) => {
    const q = c.req.valid('query');
    const { page } = await listDepartments(serviceContext(c), { ...viewOf(q), ...pageOf(q), query: q.q, includeInactive: q.include_inactive });
    return c.json(listBody(c, page), 200);
  });
  router.openapi(teams, async (c) => {
    const q = c.req.valid('query');
    const filter = { query: q.q, teamTypeId: q.team_type_id?.trim() || null, withoutManager: q.without_manager, includeInactive: q.include_inactive };
    const { page } = await listTeams(serviceContext(c), { ...viewOf(q), ...pageOf(q), ...filter });
    return c.json(listBody(c, page), 200);
  });
  return router;
}
