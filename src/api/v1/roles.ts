import { createRoute, z } from '@hono/zod-openapi';
import { ALL_ABILITIES } from '../../access/abilities.js';
import { listRoleBundles, OWNER_ONLY, resetRoleBundle, setRoleAbilities, type BundleChange } from '../../access/role-bundles.js';
import { ROLES } from '../../access/bundles.js';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import type { Context } from 'hono';
import { apiRouter } from '../router.js';
import { itemEnvelope, listEnvelope, needs, problemResponses } from '../schemas.js';
import { listBody } from './common.js';

const ability = z.enum(ALL_ABILITIES as [string, ...string[]]);

const RoleBundleSchema = z
  .object({
    role: z.enum(ROLES).openapi({ example: 'member' }),
    abilities: z.array(ability).openapi({ description: 'What the role grants in this tenant (before the plan and any token narrow it)', example: ['org-units.read', 'scenarios.read', 'mcp.access'] }),
    default: z.boolean().openapi({ description: 'Whether the bundle is the default one that ships (SPEC §3)' }),
    default_abilities: z.array(ability).openapi({ description: 'The default bundle of the role' }),
    added: z.array(ability).openapi({ description: 'Abilities this tenant added to the default', example: [] }),
    removed: z.array(ability).openapi({ description: 'Abilities this tenant took from the default', example: ['scenarios.write'] }),
    editable: z.boolean().openapi({ description: 'Whether this credential may change it (never the owner role; only roles below your own)' }),
    updated_at: z.string().nullable(),
  })
  .openapi('RoleBundle');

const ChangeSchema = z.object({
  data: RoleBundleSchema,
  changed: z.boolean().openapi({ description: 'false when the role already had exactly these abilities (nothing was written or audited)' }),
  added: z.array(ability),
  removed: z.array(ability),
});

const SetBody = z
  .object({
    abilities: z.array(z.string()).openapi({
      description: `Exactly the abilities the role grants from now on: any of ${ALL_ABILITIES.filter((a) => !OWNER_ONLY.includes(a)).join(', ')} (${OWNER_ONLY.join(' and ')} stay the owner's; legacymcp = mcp.access). An empty list is allowed.`,
      example: ['org-units.read', 'teams.read', 'actors.read', 'placements.read', 'positions.read', 'org-metrics.read', 'scenarios.read', 'api-tokens.create', 'mcp.access'],
    }),
  })
  .strict();

const roleParam = z.object({ role: z.string().openapi({ example: 'member', description: `One of ${ROLES.join(', ')} (the owner role cannot be changed)` }) });

const RULES =
  'Needs `members.manage`. The owner role is fixed (409); `billing.manage` and `ownership.transfer` stay the owner’s (400). You may change only roles below your own, ' +
  'never your own (an admin: manager, member, viewer; the owner: admin too), and grant only abilities you hold yourself (403 naming them). A refused change changes nothing; ' +
  'an accepted one is recorded in the audit log with the abilities before and after. Personal API tokens and connected apps keep their own ability lists: what they may do ' +
  '(role ∩ token ∩ plan) narrows with the role within a second, and never widens past the token’s list.';

const list = createRoute({
  method: 'get',
  path: '/api/v1/roles',
  tags: ['Roles'],
  summary: 'List the role bundles of this tenant, with how each differs from the default',
  description: `Every role (${ROLES.join(', ')}) with the abilities it grants here, the default bundle, and what was added or removed. Needs \`members.manage\`.`,
  security: [{ bearer: [] }],
  ...needs('members.manage'),
  responses: { 200: { description: 'The role bundles, owner first', content: { 'application/json': { schema: listEnvelope(RoleBundleSchema) } } }, ...problemResponses(401, 403) },
});

const put = createRoute({
  method: 'put',
  path: '/api/v1/roles/{role}',
  tags: ['Roles'],
  summary: 'Set the abilities a role grants',
  description: `Replaces the role’s bundle with exactly \`abilities\`. ${RULES} Idempotent: the same list again answers \`changed: false\`.`,
  security: [{ bearer: [] }],
  ...needs('members.manage'),
  request: { params: roleParam, body: { content: { 'application/json': { schema: SetBody } }, required: true } },
  responses: {
    200: { description: 'The role’s bundle now, and what changed', content: { 'application/json': { schema: ChangeSchema } } },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const reset = createRoute({
  method: 'post',
  path: '/api/v1/roles/{role}/reset',
  tags: ['Roles'],
  summary: 'Reset a role to its default bundle',
  description: `Puts the role’s bundle back to the default that ships (SPEC §3). ${RULES}`,
  security: [{ bearer: [] }],
  ...needs('members.manage'),
  request: { params: roleParam },
  responses: {
    200: { description: 'The role’s bundle now (the default), and what changed', content: { 'application/json': { schema: ChangeSchema } } },
    ...problemResponses(401, 403, 404, 409),
  },
});

const answer = (change: BundleChange) => ({ data: change.bundle, changed: change.changed, added: change.added, removed: change.removed });

const editor = (c: Context<AppEnv>) => {
  const ctx = serviceContext(c);
  return { ctx, by: { principal: ctx.principal, requestId: ctx.requestId ?? null } };
};

export function roleRoutes() {
  const router = apiRouter();
  router.openapi(list, async (c) => {
    const { ctx, by } = editor(c);
    const bundles = await listRoleBundles(ctx.db, ctx.tenant, by);
    return c.json(listBody(c, { items: bundles, nextCursor: null }), 200);
  });
  router.openapi(put, async (c) => {
    const { ctx, by } = editor(c);
    const change = await setRoleAbilities(ctx.db, ctx.tenant, c.req.valid('param').role, c.req.valid('json').abilities, by);
    return c.json(answer(change), 200);
  });
  router.openapi(reset, async (c) => {
    const { ctx, by } = editor(c);
    const change = await resetRoleBundle(ctx.db, ctx.tenant, c.req.valid('param').role, by);
    return c.json(answer(change), 200);
  });
  return router;
}
