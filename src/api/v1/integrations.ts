import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { InvalidInput } from '../../errors.js';
import { syncNow } from '../../integrations/batches.js';
import { getIntegration, putIntegration } from '../../integrations/settings.js';
import { MAX_WEBHOOK_BYTES, receiveWebhook, WebhookNotFound } from '../../integrations/webhook.js';
import { tooLarge } from '../../imports/csv/reader.js';
import { itemEnvelope, needs, ProblemSchema, problemResponses } from '../schemas.js';
import { json, SECURITY, v1Router } from './common.js';
import { ImportRunSchema, IntegrationBody, IntegrationSchema } from './import-schemas.js';

/**
 * The HRIS integration (reference/bamboohr-live-sync.md; plans with HRIS live sync): settings with write-only secrets,
 * "sync now", and BambooHR's webhook — the one /api/v1 route without a bearer token: it is authenticated by the
 * HMAC-SHA256 signature of its body, and its {tenant} must be the host's tenant.
 */

const tags = ['Integrations'];

const show = createRoute({
  method: 'get',
  path: '/api/v1/integrations/hris',
  tags,
  summary: 'The HRIS integration: provider, status, apply targets, last sync (secrets only as “set”)',
  description:
    'The tenant’s one HRIS connection (BambooHR): `status` `connected`, `paused` (webhook changes wait), `disconnected` or ' +
    '`not_connected` (none set up yet), the subdomain and API base URL, whether the API key and webhook secret are set (never their ' +
    'values), where incoming changes apply (Live, chosen scenarios, scenarios created from now on), the webhook URL to give BambooHR ' +
    '(`webhook_url`), changes waiting (`queued_events`), the pull `schedule` (off, hourly, or daily at `hour_utc`, with `next_sync_at`) and ' +
    '`last_sync` (when, how it went, whether sync now or the schedule started it, the import runs it started). Change it with `PUT`.',
  security: SECURITY,
  ...needs('integrations.manage'),
  responses: { 200: { description: 'The integration (status not_connected when there is none)', ...json(itemEnvelope(IntegrationSchema)) }, ...problemResponses(401, 403) },
});

const put = createRoute({
  method: 'put',
  path: '/api/v1/integrations/hris',
  tags,
  summary: 'Connect or change the HRIS integration (secrets are write-only)',
  description:
    'Fields left out keep their value; `api_key` / `webhook_secret` set to null remove them. Targets: Live, active planning scenarios, and/or scenarios created from now on. ' +
    '`schedule`: `{ "frequency": "off" | "hourly" | "daily", "hour_utc": 0–23 }` — a scheduled pull is the same as sync now and catches up ' +
    'changes whose webhook call was missed; hourly at the tenant’s fixed minute past each hour, daily at that minute of `hour_utc` UTC (`minute_utc` and `next_sync_at` in the answer; hour needed for daily; outside 0–23 → 400 on `schedule.hour_utc`).',
  security: SECURITY,
  ...needs('integrations.manage'),
  request: { body: { ...json(IntegrationBody), required: true } },
  responses: { 200: { description: 'The integration', ...json(itemEnvelope(IntegrationSchema)) }, ...problemResponses(400, 401, 403, 404) },
});

const sync = createRoute({
  method: 'post',
  path: '/api/v1/integrations/hris/sync',
  tags,
  summary: 'Sync now: pull every employee from the HRIS and import them into each target (background runs)',
  description:
    'Pulls every employee from BambooHR with the stored API key and starts one import run per apply target; follow each with ' +
    '`GET /api/v1/imports/{id}` (and `last_sync` on `GET /api/v1/integrations/hris`). Refused (409, nothing pulled) when no HRIS is ' +
    'connected, it is paused, the subdomain or API key is missing, or no target is chosen; 502 when BambooHR cannot be reached or refuses ' +
    'the key (the answer never carries the key or BambooHR’s reply).',
  security: SECURITY,
  ...needs('integrations.manage'),
  responses: {
    202: { description: 'The runs started, one per target; poll them', ...json(itemEnvelope(z.array(ImportRunSchema))) },
    ...problemResponses(401, 403, 409),
    502: { description: 'The HRIS could not be reached or refused the key', content: { 'application/problem+json': { schema: ProblemSchema } } },
  },
});

const webhook = createRoute({
  method: 'post',
  path: '/api/v1/integrations/bamboohr/webhook/{tenant}',
  tags,
  summary: 'BambooHR webhook: employee changes, signed with the webhook secret',
  description:
    'Body: `{ "employees": [{ "id": "123", "action": "Created|Updated|Deleted", "fields": { "firstName": …, "workEmail": …, "department": …, ' +
    '"supervisorEId": … } }] }`. Headers, as BambooHR signs: `X-BambooHR-Timestamp` (Unix seconds) and `X-BambooHR-Signature`, the hex ' +
    'HMAC-SHA256 with the webhook secret of the raw body followed by the timestamp. Changes are queued and acknowledged at once (202), ' +
    'a change with another action or no id is skipped and reported (in the answer and the activity log) without refusing the others, ' +
    'then applied in batches through the import pipeline. Wrong or missing signature, missing timestamp, or a timestamp more than 5 ' +
    'minutes from now (replay) → 401; {tenant} other ' +
    'than the host’s tenant, no integration or no webhook secret → 404.',
  security: [],
  request: {
    params: z.object({ tenant: z.string().max(64).openapi({ param: { name: 'tenant', in: 'path' }, description: 'The tenant slug (must be this host’s tenant)' }) }),
    headers: z.object({
      'x-bamboohr-signature': z.string().max(200).optional().openapi({ description: 'Hex HMAC-SHA256 of the raw body followed by the X-BambooHR-Timestamp value' }),
      'x-bamboohr-timestamp': z.string().max(40).optional().openapi({ description: 'Unix time in seconds when the call was signed; refused when more than 5 minutes from now' }),
    }),
  },
  responses: {
    202: {
      description: 'Queued: the changes accepted, and those skipped (an unknown action, no employee id) with why — the others are applied anyway',
      ...json(
        itemEnvelope(
          z.object({
            accepted: z.number().int(),
            skipped: z.number().int(),
            skipped_events: z.array(z.object({ index: z.number().int(), employee_id: z.string().nullable(), action: z.string().nullable(), reason: z.string() })).openapi({ description: 'The first 100 skipped changes' }),
          }),
        ),
      ),
    },
    ...problemResponses(400, 401, 404),
  },
});

/** The webhook: mounted before REST authentication (it has its own). */
export function integrationWebhookRoutes() {
  const router = v1Router();
  router.openAPIRegistry.registerPath(webhook);
  router.post('/api/v1/integrations/bamboohr/webhook/:tenant', async (c) => {
    const tenant = c.var.tenant;
    if (!tenant || c.var.tenantSource !== 'host' || c.req.param('tenant').toLowerCase() !== tenant.slug) throw new WebhookNotFound();
    const declared = Number(c.req.header('content-length') ?? '') || 0;
    if (declared > MAX_WEBHOOK_BYTES) throw tooLarge(declared, MAX_WEBHOOK_BYTES);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_WEBHOOK_BYTES) throw tooLarge(body.length, MAX_WEBHOOK_BYTES);
    if (!body.length) throw new InvalidInput('body', 'is empty');
    const { runtime } = c.var;
    const result = await receiveWebhook({ db: runtime.database.db, graphs: runtime.graphs, logger: runtime.logger }, tenant, body, {
      signature: c.req.header('x-bamboohr-signature'),
      timestamp: c.req.header('x-bamboohr-timestamp'),
    });
    return c.json({ data: result }, 202);
  });
  return router;
}

export function integrationRoutes() {
  const router = v1Router();
  router.openapi(show, async (c) => c.json({ data: await getIntegration(serviceContext(c), c.var.origin) }, 200));
  router.openapi(
    put,
    async (c) => c.json({ data: await putIntegration(serviceContext(c), c.req.valid('json'), c.var.origin) }, 200),
  );
  router.openapi(sync, async (c) => {
    const { runs, done } = await syncNow(serviceContext(c));
    done.catch((err: unknown) => c.var.logger.error({ err }, 'HRIS sync did not report back'));
    return c.json({ data: runs }, 202);
  });
  return router;
}
