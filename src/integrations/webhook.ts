import { createHmac, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { hrisEvents, hrisIntegrations } from '../db/schema/index.js';
import { systemPrincipal } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import { AppError, InvalidInput } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GraphStore } from '../org/graph-store.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import type { Tenant } from '../tenancy/tenants.js';
import { toEmployee } from './bamboohr.js';
import { scheduleFlush } from './batches.js';
import { loadIntegration, openConfig } from './store.js';

/**
 * The BambooHR webhook (`POST /api/v1/integrations/bamboohr/webhook/{tenant}`), signed as BambooHR signs it:
 * `X-BambooHR-Signature` is the hex HMAC-SHA256, with the integration's webhook secret, of the raw body followed by
 * the `X-BambooHR-Timestamp` header (Unix seconds), compared in constant time. A missing timestamp, or one more than
 * five minutes from now, is refused like a bad signature (401): a captured call cannot be replayed later. Accepted
 * employee changes are queued and acknowledged at once; a batch applies them shortly after through the import
 * pipeline (batches.ts), one run per apply target.
 */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
const MAX_EVENTS = 5_000;
/** How far the signed timestamp may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** What the sender of a refused call should check (it signs calls with a secret; it has no bearer token). */
const WEBHOOK_FIX = 'Sign the call as BambooHR does — X-BambooHR-Signature: hex HMAC-SHA256 of the raw body followed by X-BambooHR-Timestamp (Unix seconds, within 5 minutes of now) — with the webhook secret set for this integration.';

export interface WebhookDeps {
  db: Db;
  graphs: GraphStore;
  logger?: Logger;
}

/** The signature BambooHR sends: hex HMAC-SHA256(secret, rawBody + timestamp). */
export function signBody(secret: string, body: Uint8Array | string, timestamp: string): string {
  return createHmac('sha256', secret).update(body).update(timestamp, 'utf8').digest('hex');
}

export interface SignedHeaders {
  signature: string | null | undefined;
  timestamp: string | null | undefined;
}

/** Why a call is not accepted as signed, or null when it is. */
export function signatureProblem(secret: string, body: Uint8Array, headers: SignedHeaders, now: number = Date.now()): string | null {
  const timestamp = headers.timestamp?.trim();
  if (!timestamp) return 'The X-BambooHR-Timestamp header is missing.';
  if (!/^\d{1,12}$/.test(timestamp)) return 'The X-BambooHR-Timestamp header is not a Unix time in seconds.';
  if (Math.abs(now / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) return 'The X-BambooHR-Timestamp is more than 5 minutes from now (a replayed or delayed call).';
  if (!headers.signature) return 'The X-BambooHR-Signature header is missing.';
  const given = headers.signature.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return 'The webhook signature does not match the body and timestamp.';
  const expected = Buffer.from(signBody(secret, body, timestamp), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'The webhook signature does not match the body and timestamp.';
  return null;
}

export function signatureMatches(secret: string, body: Uint8Array, headers: SignedHeaders, now?: number): boolean {
  return signatureProblem(secret, body, headers, now) === null;
}

/** An employee change of a delivery that was not queued, and why (it is reported, the others are applied). */
export interface SkippedEvent {
  /** Its position in `employees` (from 0). */
  index: number;
  employee_id: string | null;
  action: string | null;
  reason: string;
}

/** How many skipped changes a response and the activity entry list (the count is always exact). */
const SKIPPED_LISTED = 100;

/**
 * Verifies, queues the delivery's known changes and acknowledges them. A change this receiver does not know (an
 * action other than Created/Updated/Deleted, no employee id) is skipped — not a reason to refuse the others, which
 * BambooHR would otherwise send again and again — and reported: in the answer, and as an activity entry
 * (`hris_webhook` / `events_skipped`).
 */
/**
 * The webhook's 404: no plan with HRIS sync, no connected BambooHR integration with a webhook secret, or `{tenant}` not
 * the host's organisation. One answer whatever the cause (it is unauthenticated), saying where the webhook is set up —
 * not NotFound's "check the id", which means nothing to the person testing their HRIS's webhook.
 */
export class WebhookNotFound extends AppError {
  constructor() {
    super(
      'not_found',
      404,
      'There is no HRIS webhook at this address.',
      'In Orgonaut, connect BambooHR with a webhook secret (Settings → Integrations → HRIS, on a plan with HRIS sync), and give BambooHR the webhook URL shown there, on this organisation’s own host.',
    );
  }
}

export async function receiveWebhook(deps: WebhookDeps, tenant: Tenant, body: Uint8Array, headers: SignedHeaders): Promise<{ accepted: number; skipped: number; skipped_events: SkippedEvent[] }> {
  if (!PLAN_FEATURES[tenant.plan].hrisSync) throw new WebhookNotFound();
  const integration = await loadIntegration(deps.db, tenant.id);
  if (!integration || integration.provider !== 'bamboohr' || integration.status === 'disconnected') throw new WebhookNotFound();
  const { webhook_secret: secret } = await openConfig(deps.db, integration);
  if (!secret) throw new WebhookNotFound();
  const problem = signatureProblem(secret, body, headers);
  if (problem) throw new AppError('unauthenticated', 401, problem, WEBHOOK_FIX);
  const { events, skipped } = parseEvents(body);
  for (let i = 0; i < events.length; i += 500) {
    await deps.db.insert(hrisEvents).values(events.slice(i, i + 500).map((e) => ({ tenantId: tenant.id, provider: 'bamboohr', ...e })));
  }
  await deps.db.update(hrisIntegrations).set({ lastWebhookAt: new Date() }).where(eq(hrisIntegrations.tenantId, tenant.id));
  const listed = skipped.slice(0, SKIPPED_LISTED);
  if (skipped.length) {
    await recordAudit(deps.db, {
      tenantId: tenant.id,
      category: 'model',
      entityType: 'hris_webhook',
      entityId: 'bamboohr',
      action: 'events_skipped',
      principal: systemPrincipal(tenant.id, tenant.plan),
      metadata: { accepted: events.length, skipped: skipped.length, events: listed },
    });
    deps.logger?.warn({ tenantId: tenant.id, accepted: events.length, skipped: skipped.length }, 'HRIS webhook: changes skipped');
  }
  if (events.length && integration.status === 'connected') scheduleFlush(deps, tenant.id);
  return { accepted: events.length, skipped: skipped.length, skipped_events: listed };
}

const ACTIONS: Record<string, 'created' | 'updated' | 'deleted'> = { created: 'created', updated: 'updated', deleted: 'deleted', inserted: 'created', changed: 'updated', removed: 'deleted' };

type QueuedEvent = { employeeId: string; action: 'created' | 'updated' | 'deleted'; fields: Record<string, string | null> };

/**
 * `{ employees: [{ id, action: Created|Updated|Deleted, fields: {…} }] }` → the events to queue, and the changes
 * skipped (unknown action, no employee id). A body that is not such an object at all is refused (400).
 */
function parseEvents(body: Uint8Array): { events: QueuedEvent[]; skipped: SkippedEvent[] } {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new InvalidInput('body', 'is not valid JSON');
  }
  const employees = (payload as { employees?: unknown } | null)?.employees;
  if (!Array.isArray(employees)) throw new InvalidInput('employees', 'must be a list of employee changes');
  if (employees.length > MAX_EVENTS) throw new InvalidInput('employees', `must hold at most ${MAX_EVENTS} changes per call`);
  const events: QueuedEvent[] = [];
  const skipped: SkippedEvent[] = [];
  employees.forEach((raw: unknown, index) => {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as { id?: unknown; action?: unknown; fields?: unknown };
    const id = typeof e.id === 'number' || typeof e.id === 'string' ? String(e.id).trim() : '';
    const actionText = e.action === undefined || e.action === null ? null : String(e.action).slice(0, 40);
    const skip = (reason: string) => skipped.push({ index, employee_id: id ? id.slice(0, 100) : null, action: actionText, reason });
    if (!id || id.length > 100) return void skip('has no employee id (the BambooHR employee id is required)');
    const action = ACTIONS[(actionText ?? 'updated').toLowerCase()];
    if (!action) return void skip(`action “${actionText}” is not one this receiver applies (Created, Updated or Deleted)`);
    const fields = typeof e.fields === 'object' && e.fields !== null ? toEmployee(e.fields as Record<string, unknown>) : {};
    events.push({ employeeId: id, action, fields });
  });
  return { events, skipped };
}
