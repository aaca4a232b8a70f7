import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { describeContext } from '../../access/whoami.js';
import { apiRouter } from '../router.js';
import { itemEnvelope, needs, problemResponses } from '../schemas.js';

const MeSchema = z
  .object({
    tenant: z.object({ slug: z.string(), name: z.string(), plan: z.string(), reporting_currency: z.string(), mcp_available: z.boolean() }),
    user: z.object({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
    role: z.string().nullable(),
    credential: z.string(),
    credential_expires_at: z.string().nullable().openapi({ description: 'When this credential stops working (a personal API token’s expiry); null when it does not expire.' }),
    abilities: z.array(z.string()),
  })
  .openapi('Me');

const me = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags: ['Context'],
  summary: 'Who am I: tenant, user, role and the effective abilities of this credential',
  description:
    'The tenant this request is served for, the signed-in user, their role, the kind of credential and when it expires, and the abilities it ' +
    'carries (the role’s, narrowed by a token). Any valid credential may ask: check here which routes a token can call.',
  security: [{ bearer: [] }],
  ...needs(),
  responses: { 200: { description: 'The request context', content: { 'application/json': { schema: itemEnvelope(MeSchema) } } }, ...problemResponses(401) },
});

export function meRoutes() {
  const router = apiRouter();
  router.openapi(me, async (c) => c.json({ data: await describeContext(serviceContext(c)) }, 200));
  return router;
}
