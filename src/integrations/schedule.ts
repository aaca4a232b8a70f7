import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import { hrisIntegrations, tenants } from '../db/schema/index.js';
import { InvalidInput } from '../errors.js';
import { startMaintenance } from '../maintenance.js';
import { PLAN_FEATURES, type Plan } from '../tenancy/plans.js';
import { findTenantById } from '../tenancy/tenants.js';
import { oneOf } from '../util/choice.js';
import { pullAndImport, recordSyncFailure, type BatchDeps } from './batches.js';
import type { IntegrationRow } from './store.js';

/**
 * Scheduled HRIS pulls: besides the webhook and "sync now", an integration can be pulled every hour or every day at a
 * chosen UTC hour, so changes whose webhook call was missed are caught up. Every instance runs the scheduler; an
 * instance claims a due integration by moving its `next_sync_at` on to the next slot in one conditional UPDATE (only
 * one instance's UPDATE still finds it due), then runs the same pull as "sync now" (`pullAndImport`: one run per
 * target). A failed pull is recorded in `last_sync` and tried again at the next slot — not sooner. Integrations that
 * are paused or disconnected, or whose tenant's plan has no HRIS sync, are not pulled.
 *
 * Slots are spread over the hour: each tenant's pulls run at its own stable minute past the hour (`syncMinute`, from
 * its tenant id), hourly at that minute of every hour, daily at that minute of the chosen UTC hour — so the tenants'
 * pulls do not all hit the HRIS vendors and the database at :00.
 */
export const SYNC_SCHEDULES = ['off', 'hourly', 'daily'] as const;
export type SyncSchedule = (typeof SYNC_SCHEDULES)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** How often each instance looks for due integrations. */
export const SCHEDULER_INTERVAL_MS = 30_000;
/** At most this many pulls per instance per round (the rest wait for the next round, or another instance). */
const PULLS_PER_ROUND = 20;

/**
 * The tenant's minute past the hour, 0–59: stable for a tenant (derived from its id), spread evenly over tenants.
 */
export function syncMinute(tenantId: string): number {
  return createHash('sha256').update(tenantId).digest().readUInt32BE(0) % 60;
}

/**
 * The first slot strictly after `now` for the tenant: the next `:minute` of an hour (hourly), or the next
 * `hour`:`minute` UTC (daily), `minute` being the tenant's `syncMinute`; null when off. The one place a slot is
 * counted: the claim stores it as `next_sync_at`, which is what REST, the settings page and the MCP status show.
 */
export function nextSyncSlot(tenantId: string, schedule: string, hour: number | null, now: Date): Date | null {
  const minute = syncMinute(tenantId);
  if (schedule === 'hourly') {
    const slot = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + minute * MINUTE_MS;
    return new Date(slot > now.getTime() ? slot : slot + HOUR_MS);
  }
  if (schedule !== 'daily') return null;
  const slot = new Date(now);
  slot.setUTCHours(hour ?? 0, minute, 0, 0);
  if (slot.getTime() <= now.getTime()) slot.setUTCDate(slot.getUTCDate() + 1);
  return slot;
}

export interface ScheduleInput {
  frequency?: string;
  /** The UTC hour of a daily sync, 0–23 (kept when switching to hourly or off). */
  hour_utc?: number | null;
}

/** The schedule a change asks for, checked; what it leaves out stays as it is. */
export function checkSchedule(input: ScheduleInput | undefined, existing: Pick<IntegrationRow, 'syncSchedule' | 'syncHour'> | null): { frequency: SyncSchedule; hour: number | null } {
  const frequency = oneOf('schedule.frequency', SYNC_SCHEDULES, input?.frequency ?? existing?.syncSchedule ?? 'off');
  const hour = input?.hour_utc !== undefined ? input.hour_utc : (existing?.syncHour ?? null);
  if (hour !== null && (typeof hour !== 'number' || !Number.isInteger(hour) || hour < 0 || hour > 23)) {
    throw new InvalidInput('schedule.hour_utc', 'must be a whole hour from 0 to 23 (UTC), e.g. 2 for 02:00 UTC');
  }
  if (frequency === 'daily' && hour === null) throw new InvalidInput('schedule.hour_utc', 'is needed for a daily sync: a whole hour from 0 to 23 (UTC), e.g. 2 for 02:00 UTC');
  return { frequency, hour };
}

/** Plans whose tenants are pulled on schedule. */
const PLANS_WITH_SYNC = (Object.keys(PLAN_FEATURES) as Plan[]).filter((plan) => PLAN_FEATURES[plan].hrisSync);

/**
 * Claims one due integration for this instance: moves its `next_sync_at` on to the next slot, on the condition that it
 * is still due, still connected and still on the schedule it was read with — of instances racing for it, only one
 * UPDATE matches (PostgreSQL re-checks the condition on the row another committed). Null when none is due.
 */
export async function claimDueIntegration(db: Db, now: Date): Promise<IntegrationRow | null> {
  const due = await db
    .select({ tenantId: hrisIntegrations.tenantId, schedule: hrisIntegrations.syncSchedule, hour: hrisIntegrations.syncHour })
    .from(hrisIntegrations)
    .innerJoin(tenants, eq(tenants.id, hrisIntegrations.tenantId))
    .where(and(ne(hrisIntegrations.syncSchedule, 'off'), eq(hrisIntegrations.status, 'connected'), lte(hrisIntegrations.nextSyncAt, now), inArray(tenants.plan, PLANS_WITH_SYNC)))
    .orderBy(asc(hrisIntegrations.nextSyncAt))
    .limit(10);
  for (const candidate of due) {
    const [claimed] = await db
      .update(hrisIntegrations)
      .set({ nextSyncAt: nextSyncSlot(candidate.tenantId, candidate.schedule, candidate.hour, now) })
      .where(
        and(
          eq(hrisIntegrations.tenantId, candidate.tenantId),
          eq(hrisIntegrations.syncSchedule, candidate.schedule),
          sql`${hrisIntegrations.syncHour} is not distinct from ${candidate.hour}`,
          eq(hrisIntegrations.status, 'connected'),
          lte(hrisIntegrations.nextSyncAt, now),
        ),
      )
      .returning();
    if (claimed) return claimed;
  }
  return null;
}

export interface SchedulerOptions {
  /** The clock (tests inject one). */
  now?: () => Date;
  /** True once the instance is shutting down: no further integration is claimed. */
  stopping?: () => boolean;
}

/**
 * One round: claims and pulls due integrations one after another until none is due (or the round's share is done),
 * waiting for each pull's runs to finish. A pull that fails is recorded on the integration. Returns how many were
 * pulled.
 */
export async function runDueHrisSyncs(deps: BatchDeps, options: SchedulerOptions = {}): Promise<number> {
  const now = options.now ?? (() => new Date());
  let pulled = 0;
  while (pulled < PULLS_PER_ROUND && !options.stopping?.()) {
    const integration = await claimDueIntegration(deps.db, now());
    if (!integration) break;
    pulled++;
    const tenant = await findTenantById(deps.db, integration.tenantId);
    if (!tenant) continue;
    try {
      const { done } = await pullAndImport(deps, tenant, integration, { userId: null, trigger: 'schedule' });
      await done;
    } catch (error) {
      await recordSyncFailure(deps.db, tenant.id, 'schedule', error);
      deps.logger?.warn({ tenantId: tenant.id, err: error }, 'scheduled HRIS sync failed; it is tried again at the next slot');
    }
  }
  return pulled;
}

/**
 * The scheduler every instance runs (started by the server): a round every `intervalMs`. `stop()` claims nothing
 * more and resolves once the pull running then has finished.
 */
export function startHrisScheduler(deps: BatchDeps & { logger: Logger }, options: SchedulerOptions & { intervalMs?: number } = {}): { stop(): Promise<void> } {
  let stopping = false;
  const loop = startMaintenance(
    deps.logger,
    [{ name: 'run scheduled HRIS syncs', run: async () => void (await runDueHrisSyncs(deps, { now: options.now, stopping: () => stopping || !!options.stopping?.() })) }],
    options.intervalMs ?? SCHEDULER_INTERVAL_MS,
  );
  return {
    stop: () => {
      stopping = true;
      return loop.stop();
    },
  };
}
