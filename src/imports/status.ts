import { and, desc, eq, sql } from 'drizzle-orm';
import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { importRuns } from '../db/schema/index.js';
import { presentSchedule } from '../integrations/settings.js';
import { loadIntegration, queuedEventCount } from '../integrations/store.js';
import { presentTarget } from './present.js';
import { targetScenarioNames } from './store.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';

/**
 * Operational status for people and assistants (MCP's read-only status tool): the HRIS integration's health, its pull
 * schedule and next sync, and last sync, and the recent import runs with their state — read-only, no secrets, no row contents, no money. Needs
 * `activity.read` (who may read the activity log may see how data got in).
 */
export async function operationalStatus(ctx: ServiceContext, options: { recentRuns?: number } = {}) {
  authorize(ctx.principal, 'activity.read');
  const limit = Math.min(Math.max(options.recentRuns ?? 10, 1), 50);
  const hrisAvailable = PLAN_FEATURES[ctx.tenant.plan].hrisSync;
  const integration = hrisAvailable ? await loadIntegration(ctx.db, ctx.tenant.id) : null;
  const runs = await ctx.db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.tenantId, ctx.tenant.id), sql`${importRuns.uploadedAt} is not null`))
    .orderBy(desc(importRuns.createdAt), desc(importRuns.id))
    .limit(limit);
  const names = await targetScenarioNames(ctx.db, ctx.tenant.id, runs);
  const [processing] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(importRuns)
    .where(and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.status, 'processing')));
  return {
    hris: {
      available_on_plan: hrisAvailable,
      integration: integration
        ? {
            provider: integration.provider,
            status: integration.status,
            apply_to: { live: integration.applyToLive, scenarios: integration.applyScenarioIds.length, future_scenarios: integration.applyFutureScenarios },
            schedule: presentSchedule(integration),
            last_sync: { at: integration.lastSyncAt?.toISOString() ?? null, status: integration.lastSyncStatus, error: integration.lastSyncError, trigger: integration.lastSyncTrigger },
            last_webhook_at: integration.lastWebhookAt?.toISOString() ?? null,
            queued_events: await queuedEventCount(ctx.db, ctx.tenant.id),
          }
        : null,
    },
    imports: {
      processing: Number(processing?.n ?? 0),
      recent_runs: runs.map((run) => {
        const rows = (run.summary as { rows?: Record<string, number> } | null)?.rows ?? null;
        const progress = run.progress as { stage?: string | null; percent?: number };
        return {
          id: run.id,
          status: run.status,
          source: run.source,
          format: run.format,
          file_name: run.fileName,
          target: presentTarget(run, ctx.principal, names),
          rows: run.rowCount,
          stage: run.status === 'processing' ? (progress.stage ?? null) : null,
          percent: run.status === 'completed' ? 100 : (progress.percent ?? 0),
          imported: rows?.imported ?? null,
          quarantined: rows?.quarantined ?? null,
          error: run.error ? { code: run.errorCode, message: run.error } : null,
          created_at: run.createdAt.toISOString(),
          finished_at: run.finishedAt?.toISOString() ?? null,
        };
      }),
    },
  };
}

export type OperationalStatus = Awaited<ReturnType<typeof operationalStatus>>;
