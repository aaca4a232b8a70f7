import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { authorize } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { createType, listCurrencies, listTypes, removeType, renameType } from '../../tenancy/settings.js';
import { paginate, sortByKey } from '../../util/pagination.js';
import { itemEnvelope, listEnvelope, needs, pagedResponse, PageQuery, problemResponses } from '../schemas.js';
import { IdParam, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { CreateTypeBody, CurrencySchema, TypeSchema } from './report-schemas.js';

/**
 * Reference lists: the tenant's currencies with their exchange rates, and the department and team types that
 * classify units (search them, and — with `settings.manage` — create, rename or remove one). Types are tenant settings, the same in
 * Live and every scenario.
 */

const tags = ['Reference lists'];
const search = z.string().max(200).optional().openapi({ description: 'Name contains (case-insensitive)', example: 'prod' });

const currencies = createRoute({
  method: 'get',
  path: '/api/v1/currencies',
  tags,
  summary: 'The tenant’s currencies with their exchange rates into the reporting currency',
  description: 'Money in other currencies is converted with these rates; a currency without a rate makes figures in it unconvertible.',
  security: SECURITY,
  ...needs('costs.read'),
  request: { query: PageQuery },
  responses: { 200: pagedResponse('A page of currencies, by code', listEnvelope(CurrencySchema)), ...problemResponses(400, 401, 403) },
});

type Kind = 'department' | 'team';
const READ: Record<Kind, 'org-units.read' | 'teams.read'> = { department: 'org-units.read', team: 'teams.read' };
const PATH: Record<Kind, string> = { department: '/api/v1/department-types', team: '/api/v1/team-types' };

function listRoute(kind: Kind) {
  return createRoute({
    method: 'get',
    path: PATH[kind],
    tags,
    summary: `Search ${kind} types`,
    description: kind === 'department' ? 'Department types classify departments in charts, the matrix and reports.' : 'Team types classify how teams operate (stream-aligned, platform, enabling…).',
    security: SECURITY,
    ...needs(READ[kind]),
    request: { query: PageQuery.extend({ q: search }) },
    responses: { 200: pagedResponse(`A page of ${kind} types, by name`, listEnvelope(TypeSchema)), ...problemResponses(400, 401, 403) },
  });
}

function createTypeRoute(kind: Kind) {
  return createRoute({
    method: 'post',
    path: PATH[kind],
    tags,
    summary: `Create a ${kind} type`,
    description: 'Names are unique per tenant, ignoring case (409 when the name is taken). Audited.',
    security: SECURITY,
    ...needs('settings.manage'),
    request: { body: { ...json(CreateTypeBody), required: true } },
    responses: { 201: { description: 'Created', ...json(itemEnvelope(TypeSchema)) }, ...problemResponses(400, 401, 403, 409) },
  });
}

function renameTypeRoute(kind: Kind) {
  return createRoute({
    method: 'patch',
    path: `${PATH[kind]}/{id}`,
    tags,
    summary: `Rename a ${kind} type`,
    description:
      `Every ${kind} of this type reads the new name (in Live, its history and scenarios alike). Names are unique per tenant, ignoring case ` +
      '(409 naming the type that has it in `existing_type`); the same name is no change. Another tenant’s id is a 404. Audited.',
    security: SECURITY,
    ...needs('settings.manage'),
    request: { params: IdParam, body: { ...json(CreateTypeBody), required: true } },
    responses: { 200: { description: 'The type with its new name', ...json(itemEnvelope(TypeSchema)) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
}

function removeTypeRoute(kind: Kind) {
  return createRoute({
    method: 'delete',
    path: `${PATH[kind]}/{id}`,
    tags,
    summary: `Remove a ${kind} type no ${kind} has`,
    description:
      `Refused (409, \`in_use\` counting where) while a ${kind} has the type in Live, an earlier version of one has it (history and ` +
      'snapshots read it) or a planning scenario’s changes give it; the problem says where and what to do (give them another type, or ' +
      'rename this one instead). Another tenant’s id is a 404. Audited.',
    security: SECURITY,
    ...needs('settings.manage'),
    request: { params: IdParam },
    responses: { 200: { description: 'Removed: the type as it was', ...json(itemEnvelope(TypeSchema)) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
}

const byName = (t: { id: string; name: string }) => [t.name.toLowerCase(), t.id] as const;

async function typePage(ctx: ServiceContext, kind: Kind, q: { q?: string; limit?: number; cursor?: string }) {
  authorize(ctx.principal, READ[kind]);
  const rows = await listTypes(ctx, kind, q.q);
  return paginate(`${kind} types`, sortByKey(rows, byName), byName, { ...pageOf(q), q: q.q });
}

export function referenceRoutes() {
  const router = v1Router();
  router.openapi(currencies, async (c) => {
    const ctx = serviceContext(c);
    authorize(ctx.principal, 'costs.read');
    const rows = await listCurrencies(ctx);
    const key = (r: { code: string }) => [r.code] as const;
    return c.json(listBody(c, paginate('currencies', sortByKey(rows, key), key, pageOf(c.req.valid('query')))), 200);
  });
  for (const kind of ['department', 'team'] as const) {
    router.openapi(listRoute(kind), async (c) => c.json(listBody(c, await typePage(serviceContext(c), kind, c.req.valid('query'))), 200));
    const create = createTypeRoute(kind);
    router.openapi(
      create,
      async (c) => {
        const type = await createType(serviceContext(c), kind, c.req.valid('json').name);
        return c.json({ data: type }, 201);
      },
    );
    router.openapi(renameTypeRoute(kind), async (c) => {
      const type = await renameType(serviceContext(c), kind, c.req.valid('param').id, c.req.valid('json').name);
      return c.json({ data: type }, 200);
    });
    router.openapi(removeTypeRoute(kind), async (c) => {
      const ctx = serviceContext(c);
      const { id } = c.req.valid('param');
      // The name as it was, for the answer: removeType checks the ability, the id (404) and its uses (409).
      const before = (await listTypes(ctx, kind)).find((t) => t.id === id);
      await removeType(ctx, kind, id);
      return c.json({ data: before ?? { id, name: '' } }, 200);
    });
  }
  return router;
}
