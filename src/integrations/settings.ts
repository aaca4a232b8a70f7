import { authorize } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { hrisIntegrations } from '../db/schema/index.js';
import { AppError, InvalidInput } from '../errors.js';
import { isUuid } from '../util/ids.js';
import { assertMutableScenario } from '../scenarios/lifecycle.js';
import { loadScenario } from '../scenarios/store.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import { checkBaseUrl, DEFAULT_BAMBOO_URL } from './bamboohr.js';
import { checkSchedule, nextSyncSlot, syncMinute, type ScheduleInput } from './schedule.js';
import { loadIntegration, openConfig, queuedEventCount, sealConfig, type HrisConfig, type IntegrationRow } from './store.js';

/**
 * Settings → Integrations (reference/bamboohr-live-sync.md): one HRIS integration per tenant, on plans with HRIS live
 * sync, managed with `integrations.manage`. Credentials and the webhook secret are write-only: they are stored sealed
 * (AES-256-GCM) and never returned, logged or audited — responses only say whether each is set.
 */
export class HrisSyncUnavailable extends AppError {
  constructor(plan: string) {
    super('plan_feature', 403, `HRIS live sync is not included in the ${plan} plan.`, 'Ask the owner to move to the business, enterprise or agency plan.', { feature: 'hris_sync', plan });
  }
}

export function requireHrisSync(ctx: ServiceContext): void {
  if (!PLAN_FEATURES[ctx.tenant.plan].hrisSync) throw new HrisSyncUnavailable(ctx.tenant.plan);
  authorize(ctx.principal, 'integrations.manage');
}

export const INTEGRATION_STATUSES = ['connected', 'paused', 'disconnected'] as const;

export interface IntegrationInput {
  provider?: string;
  status?: string;
  subdomain?: string | null;
  base_url?: string | null;
  /** Write-only. Omitted: unchanged; null or "": removed. */
  api_key?: string | null;
  webhook_secret?: string | null;
  apply_to?: { live?: boolean; scenario_ids?: string[]; future_scenarios?: boolean };
  /** Scheduled pulls: off, hourly, or daily at `hour_utc` (0–23). */
  schedule?: ScheduleInput;
}

export async function getIntegration(ctx: ServiceContext, origin?: string) {
  requireHrisSync(ctx);
  const row = await loadIntegration(ctx.db, ctx.tenant.id);
  return presentIntegration(ctx, row, row ? await openConfig(ctx.db, row) : null, origin);
}

export async function putIntegration(ctx: ServiceContext, input: IntegrationInput, origin?: string) {
  requireHrisSync(ctx);
  const existing = await loadIntegration(ctx.db, ctx.tenant.id);
  const config: HrisConfig = existing ? await openConfig(ctx.db, existing) : { subdomain: null, base_url: null, api_key: null, webhook_secret: null };
  const changed: string[] = [];
  const provider = input.provider ?? existing?.provider ?? 'bamboohr';
  if (provider !== 'bamboohr') throw new InvalidInput('provider', 'must be bamboohr (Dynamics 365 HR is reconciled nightly and not configurable here yet)');
  const status = input.status ?? existing?.status ?? 'connected';
  if (!(INTEGRATION_STATUSES as readonly string[]).includes(status)) throw new InvalidInput('status', `must be one of ${INTEGRATION_STATUSES.join(', ')}`);
  if (input.subdomain !== undefined) {
    const subdomain = input.subdomain?.trim().toLowerCase() || null;
    if (subdomain && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) throw new InvalidInput('subdomain', 'must be your BambooHR subdomain, e.g. acme for acme.bamboohr.com');
    config.subdomain = subdomain;
    changed.push('subdomain');
  }
  if (input.base_url !== undefined) {
    config.base_url = input.base_url?.trim() ? checkBaseUrl(input.base_url.trim()) : null;
    changed.push('base_url');
  }
  if (input.api_key !== undefined) {
    if (input.api_key && (input.api_key.length > 512 || /\s/.test(input.api_key))) throw new InvalidInput('api_key', 'must be the API key BambooHR shows (no spaces, at most 512 characters)');
    config.api_key = input.api_key || null;
    changed.push('api_key');
  }
  if (input.webhook_secret !== undefined) {
    if (input.webhook_secret && (input.webhook_secret.length < 16 || input.webhook_secret.length > 512)) throw new InvalidInput('webhook_secret', 'must be 16 to 512 characters');
    config.webhook_secret = input.webhook_secret || null;
    changed.push('webhook_secret');
  }
  const applyTo = await checkTargets(ctx, input.apply_to, existing);
  if (input.apply_to) changed.push('apply_to');
  if (input.status && input.status !== existing?.status) changed.push('status');
  const schedule = checkSchedule(input.schedule, existing);
  if (input.schedule) changed.push('schedule');
  // The next slot is counted afresh when the schedule changes or the integration is connected (again); a paused or
  // disconnected one is not pulled, and resuming it does not pull at once for the slots it missed.
  const reschedule = !existing || schedule.frequency !== existing.syncSchedule || schedule.hour !== existing.syncHour || (status === 'connected' && existing.status !== 'connected') || !existing.nextSyncAt;
  const values = {
    provider,
    status,
    configEncrypted: await sealConfig(ctx.db, ctx.tenant.id, config),
    applyToLive: applyTo.live,
    applyScenarioIds: applyTo.scenarioIds,
    applyFutureScenarios: applyTo.future,
    futureScenariosSince: applyTo.future ? (existing?.applyFutureScenarios ? existing.futureScenariosSince : new Date()) : null,
    syncSchedule: schedule.frequency,
    syncHour: schedule.hour,
    nextSyncAt: reschedule ? nextSyncSlot(ctx.tenant.id, schedule.frequency, schedule.hour, new Date()) : existing.nextSyncAt,
    updatedBy: ctx.principal.userId,
    updatedAt: new Date(),
  };
  const [row] = await ctx.db
    .insert(hrisIntegrations)
    .values({ tenantId: ctx.tenant.id, ...values })
    .onConflictDoUpdate({ target: hrisIntegrations.tenantId, set: values })
    .returning();
  await recordAudit(ctx.db, {
    tenantId: ctx.tenant.id,
    category: 'security',
    entityType: 'integration',
    entityId: provider,
    action: existing ? 'updated' : 'connected',
    principal: ctx.principal,
    metadata: { changed, status, schedule: schedule.frequency, ...(schedule.frequency === 'daily' ? { hour_utc: schedule.hour } : {}) },
    requestId: ctx.requestId ?? null,
  });
  return presentIntegration(ctx, row!, config, origin);
}

async function checkTargets(ctx: ServiceContext, input: IntegrationInput['apply_to'], existing: IntegrationRow | null) {
  const live = input?.live ?? existing?.applyToLive ?? true;
  const future = input?.future_scenarios ?? existing?.applyFutureScenarios ?? false;
  const ids = input?.scenario_ids ?? existing?.applyScenarioIds ?? [];
  if (!Array.isArray(ids) || ids.length > 100) throw new InvalidInput('apply_to.scenario_ids', 'must be a list of at most 100 scenario ids');
  if (typeof live !== 'boolean' || typeof future !== 'boolean') throw new InvalidInput('apply_to', 'live and future_scenarios must be true or false');
  if (input?.scenario_ids) {
    for (const [i, id] of ids.entries()) {
      if (typeof id !== 'string' || !isUuid(id)) throw new InvalidInput(`apply_to.scenario_ids[${i}]`, 'must be a scenario id');
      assertMutableScenario(await loadScenario(ctx.db, ctx.tenant.id, id));
    }
  }
  return { live, future, scenarioIds: [...new Set(ids)] };
}

/** The integration for output: no secret, only whether each is set. */
async function presentIntegration(ctx: ServiceContext, row: IntegrationRow | null, config: HrisConfig | null, origin?: string) {
  const webhookUrl = origin ? `${origin}/api/v1/integrations/bamboohr/webhook/${ctx.tenant.slug}` : null;
  return {
    provider: row?.provider ?? null,
    status: (row?.status ?? 'not_connected') as 'connected' | 'paused' | 'disconnected' | 'not_connected',
    subdomain: config?.subdomain ?? null,
    base_url: config?.base_url ?? (row ? DEFAULT_BAMBOO_URL : null),
    api_key_set: !!config?.api_key,
    webhook_secret_set: !!config?.webhook_secret,
    webhook_url: webhookUrl,
    apply_to: { live: row?.applyToLive ?? true, scenario_ids: row?.applyScenarioIds ?? [], future_scenarios: row?.applyFutureScenarios ?? false },
    schedule: presentSchedule(row),
    last_sync: {
      at: row?.lastSyncAt?.toISOString() ?? null,
      status: row?.lastSyncStatus ?? null,
      error: row?.lastSyncError ?? null,
      trigger: (row?.lastSyncTrigger ?? null) as 'manual' | 'schedule' | null,
      run_ids: row?.lastSyncRunIds ?? [],
    },
    last_webhook_at: row?.lastWebhookAt?.toISOString() ?? null,
    queued_events: row ? await queuedEventCount(ctx.db, ctx.tenant.id) : 0,
    updated_at: row?.updatedAt.toISOString() ?? null,
  };
}

/**
 * The schedule: `minute_utc` is the tenant's minute past the hour its pulls run at (null while off); `next_sync_at` —
 * the stored slot the scheduler claims at — only while it is on and the integration is connected (otherwise nothing is
 * pulled).
 */
export function presentSchedule(row: IntegrationRow | null) {
  const frequency = (row?.syncSchedule ?? 'off') as 'off' | 'hourly' | 'daily';
  return {
    frequency,
    hour_utc: row?.syncHour ?? null,
    minute_utc: frequency !== 'off' && row ? syncMinute(row.tenantId) : null,
    next_sync_at: frequency !== 'off' && row?.status === 'connected' ? (row.nextSyncAt?.toISOString() ?? null) : null,
  };
}

export type IntegrationOut = Awaited<ReturnType<typeof presentIntegration>>;
