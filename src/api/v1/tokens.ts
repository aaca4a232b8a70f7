import { createRoute, z } from '@hono/zod-openapi';
import { createApiToken, listApiTokens, revokeApiToken } from '../../access/api-tokens.js';
import { serviceContext } from '../../access/middleware.js';
import { ALL_ABILITIES } from '../../access/abilities.js';
import { apiRouter } from '../router.js';
import { listBody } from './common.js';
import { itemEnvelope, listEnvelope, needs, problemResponses } from '../schemas.js';

const TokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the secret, to recognise it' }),
    abilities: z.array(z.string()),
    user_id: z.string().uuid(),
    user_email: z.string().optional(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiToken');

const CreateTokenBody = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: 'CI reporting' }),
    abilities: z
      .array(z.string())
      .min(1)
      .openapi({ description: `A subset of your role's abilities: ${ALL_ABILITIES.join(', ')} (legacymcp = mcp.access)`, example: ['org-units.read', 'mcp.access'] }),
    expires_at: z.string().datetime({ offset: true }).nullable().optional().openapi({ example: '2027-01-01T00:00:00Z' }),
  })
  .strict();

const create = createRoute({
  method: 'post',
  path: '/api/v1/tokens',
  tags: ['API tokens'],
  summary: 'Create a personal API token',
  description: 'The secret is in the response once and never again; only a hash is stored.',
  security: [{ bearer: [] }],
  ...needs('api-tokens.create'),
  request: { body: { content: { 'application/json': { schema: CreateTokenBody } }, required: true } },
  responses: {
    201: {
      description: 'Created; `secret` is shown only now',
      content: { 'application/json': { schema: z.object({ data: TokenSchema, secret: z.string().openapi({ example: 'orgo_pat_…' }) }) } },
    },
    ...problemResponses(400, 401, 403),
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/tokens',
  tags: ['API tokens'],
  summary: 'List your API tokens (owners and admins: all=true for every token of the tenant)',
  description: 'Anyone signed in sees their own tokens (never their secrets); `all=true` needs `members.manage` and lists every token of the tenant, with its owner’s email.',
  security: [{ bearer: [] }],
  ...needs(),
  request: {
    query: z.object({
      all: z.enum(['true', 'false']).optional().openapi({ description: 'true = every token of the tenant, not only yours (needs `members.manage`)' }),
    }),
  },
  responses: { 200: { description: 'Tokens, newest first', content: { 'application/json': { schema: listEnvelope(TokenSchema) } } }, ...problemResponses(400, 401, 403) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api/v1/tokens/{id}',
  tags: ['API tokens'],
  summary: 'Revoke an API token',
  description:
    'Revokes the token at once: requests with it are refused (401) from then on. Your own tokens; owners and admins (`members.manage`) any token of the tenant. ' +
    'Sent with a personal token, revoking another token needs `api-tokens.create` on it (403 naming it); a token can always revoke itself. ' +
    'Idempotent: revoking a revoked token answers with it unchanged.',
  security: [{ bearer: [] }],
  ...needs(),
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: itemEnvelope(TokenSchema) } } }, ...problemResponses(401, 403, 404) },
});

export function tokenRoutes() {
  const router = apiRouter();
  router.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const result = await createApiToken(serviceContext(c), {
      name: body.name,
      abilities: body.abilities,
      expiresAt: body.expires_at ? new Date(body.expires_at) : null,
    });
    return c.json({ data: result.token, secret: result.secret }, 201, { 'cache-control': 'no-store' });
  });
  router.openapi(list, async (c) => {
    const tokens = await listApiTokens(serviceContext(c), { all: c.req.valid('query').all === 'true' });
    // Not paged (a member has few tokens): the list envelope every list answers, with no next page.
    return c.json(listBody(c, { items: tokens, nextCursor: null }), 200);
  });
  router.openapi(revoke, async (c) => {
    const token = await revokeApiToken(serviceContext(c), c.req.valid('param').id);
    return c.json({ data: token }, 200);
  });
  return router;
}
