import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { systemPrincipal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { rows as rawRows, type Db } from '../db/connection.js';
import { hrisEvents, hrisIntegrations, importRuns, scenarios } from '../db/schema/index.js';
import { Conflict, isAppError } from '../errors.js';
import type { RunOut } from '../imports/present.js';
import { startRun } from '../imports/runs.js';
import type { TargetInput } from '../imports/target.js';
import { createRunFromRecords } from '../imports/upload.js';
import type { GraphStore } from '../org/graph-store.js';
import { findTenantById, type Tenant } from '../tenancy/tenants.js';
import { DEFAULT_BAMBOO_URL, employeesToRecords, fetchEmployees, type Employee } from './bamboohr.js';
import { requireHrisSync } from './settings.js';
import { loadIntegration, openConfig, type IntegrationRow } from './store.js';

/**
 * Applying HRIS changes: queued webhook events and "sync now" pulls become import runs (the same pipeline, rules and
 * quarantine as a CSV), one run per apply target — Live, chosen scenarios, scenarios created since "all future
 * scenarios" was switched on — so a batch takes one snapshot of Live, not one per event.
 */
export interface BatchDeps {
  db: Db;
  graphs: GraphStore;
  logger?: Logger;
}

const DEBOUNCE_MS = 1_000;
const timers = new Map<string, NodeJS.Timeout>();

/** Applies a tenant's queued events shortly (events arriving meanwhile join the same batch). */
export function scheduleFlush(deps: BatchDeps, tenantId: string, delayMs = DEBOUNCE_MS): void {
  if (timers.has(tenantId)) return;
  const timer = setTimeout(() => {
    timers.delete(tenantId);
    flushHrisEvents(deps, tenantId).catch((err: unknown) => deps.logger?.error({ err, tenantId }, 'HRIS batch failed'));
  }, delayMs);
  timer.unref();
  timers.set(tenantId, timer);
}

/** The system acting for the integration, attributed to `userId` when a person asked for it. */
function integrationContext(deps: BatchDeps, tenant: Tenant, userId: string | null = null): ServiceContext {
  return { db: deps.db, graphs: deps.graphs, tenant, principal: { ...systemPrincipal(tenant.id, tenant.plan), userId }, logger: deps.logger };
}

/**
 * Takes every queued event of the tenant (atomically: one batch per event), merges the events of each employee in
 * order, and imports them into each target in turn. Returns the runs once they have finished.
 */
export async function flushHrisEvents(deps: BatchDeps, tenantId: string): Promise<RunOut[]> {
  const tenant = await findTenantById(deps.db, tenantId);
  const integration = tenant ? await loadIntegration(deps.db, tenantId) : null;
  if (!tenant || !integration || integration.status !== 'connected') return [];
  if (await runInProgress(deps.db, tenantId)) {
    scheduleFlush(deps, tenantId, 2_000);
    return [];
  }
  // Applied nowhere (neither Live nor a scenario chosen): the changes wait, counted on the settings page, until a
  // person chooses where they go — never taken and dropped.
  const targets = await integrationTargets(deps.db, integration);
  if (!targets.length) return [];
  const batchId = randomUUID();
  const taken = await deps.db
    .update(hrisEvents)
    .set({ status: 'batched', batchId, batchedAt: sql`now()` })
    .where(and(eq(hrisEvents.tenantId, tenantId), eq(hrisEvents.status, 'queued')))
    .returning();
  if (!taken.length) return [];
  taken.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id.localeCompare(b.id));
  const byEmployee = new Map<string, Employee>();
  for (const event of taken) {
    const merged: Employee = { ...byEmployee.get(event.employeeId), ...event.fields, id: event.employeeId };
    if (event.action === 'deleted') merged.status = 'Inactive';
    byEmployee.set(event.employeeId, merged);
  }
  const ctx = integrationContext(deps, tenant);
  const runs = await createRuns(ctx, targets, 'hris_webhook', `BambooHR webhook batch (${taken.length} change${taken.length === 1 ? '' : 's'})`, [...byEmployee.values()]);
  await deps.db
    .update(hrisEvents)
    .set({ runIds: runs.map((r) => r.id) })
    .where(and(eq(hrisEvents.tenantId, tenantId), eq(hrisEvents.batchId, batchId)));
  return processInTurn(ctx, runs);
}

/** Pulls every employee from BambooHR now and imports them into each target (in the background). */
export async function syncNow(ctx: ServiceContext): Promise<{ runs: RunOut[]; done: Promise<RunOut[]> }> {
  requireHrisSync(ctx);
  const integration = await loadIntegration(ctx.db, ctx.tenant.id);
  if (!integration || integration.status === 'disconnected') throw new Conflict('No HRIS is connected.', 'Connect BambooHR in Settings → Integrations first.');
  if (integration.status === 'paused') throw new Conflict('The HRIS integration is paused.', 'Resume it (status connected) to sync.');
  return pullAndImport(ctx, ctx.tenant, integration, { userId: ctx.principal.userId, trigger: 'manual' });
}

/** What started a pull: a person (sync now) or the integration's schedule (schedule.ts). */
export type SyncTrigger = 'manual' | 'schedule';

/**
 * The pull behind "sync now" and the schedule: every employee from BambooHR, imported into each target as one run per
 * target (the same pipeline as a file, one snapshot of Live). Records `last_sync` (running, then completed or failed).
 * Refused (Conflict, nothing recorded) without a subdomain, an API key or a target; HrisUnreachable when BambooHR
 * cannot be reached or refuses the key. `done` settles when the runs have finished.
 */
export async function pullAndImport(
  deps: BatchDeps,
  tenant: Tenant,
  integration: IntegrationRow,
  how: { userId: string | null; trigger: SyncTrigger },
): Promise<{ runs: RunOut[]; done: Promise<RunOut[]> }> {
  const config = await openConfig(deps.db, integration);
  if (!config.subdomain || !config.api_key) throw new Conflict('The HRIS integration has no subdomain or API key.', 'Enter both in Settings → Integrations.');
  const targets = await integrationTargets(deps.db, integration);
  if (!targets.length) throw new Conflict('HRIS changes apply nowhere: neither Live nor a scenario is chosen.', 'Choose Live or scenarios under "Apply incoming changes to" in Settings → Integrations.');
  const where = eq(hrisIntegrations.tenantId, tenant.id);
  await deps.db.update(hrisIntegrations).set({ lastSyncAt: new Date(), lastSyncStatus: 'running', lastSyncError: null, lastSyncTrigger: how.trigger }).where(where);
  try {
    const employees = await fetchEmployees({ baseUrl: config.base_url ?? DEFAULT_BAMBOO_URL, subdomain: config.subdomain, apiKey: config.api_key });
    const system = integrationContext(deps, tenant, how.userId);
    const runs = employees.length ? await createRuns(system, targets, 'hris_sync', `BambooHR ${how.trigger === 'schedule' ? 'scheduled sync' : 'sync'} (${employees.length} employees)`, employees) : [];
    await deps.db.update(hrisIntegrations).set({ lastSyncRunIds: runs.map((r) => r.id), ...(runs.length ? {} : { lastSyncStatus: 'completed' }) }).where(where);
    const done = processInTurn(system, runs).then(async (finished) => {
      const failed = finished.find((r) => r.status === 'failed');
      await deps.db.update(hrisIntegrations).set({ lastSyncStatus: failed ? 'failed' : 'completed', lastSyncError: failed?.error?.message ?? null }).where(where);
      return finished;
    });
    done.catch((err: unknown) => deps.logger?.error({ err }, 'HRIS sync failed'));
    return { runs, done };
  } catch (error) {
    await recordSyncFailure(deps.db, tenant.id, how.trigger, error);
    throw error;
  }
}

/** `last_sync` says the pull failed, and why (an AppError's message; never a secret or the HRIS's answer). */
export async function recordSyncFailure(db: Db, tenantId: string, trigger: SyncTrigger, error: unknown): Promise<void> {
  await db
    .update(hrisIntegrations)
    .set({ lastSyncStatus: 'failed', lastSyncError: isAppError(error) ? error.message : 'internal error', lastSyncTrigger: trigger })
    .where(eq(hrisIntegrations.tenantId, tenantId));
}

async function createRuns(ctx: ServiceContext, targets: TargetInput[], source: 'hris_webhook' | 'hris_sync', fileName: string, employees: Employee[]): Promise<RunOut[]> {
  const { headers, rows } = employeesToRecords(employees);
  const runs: RunOut[] = [];
  for (const target of targets) {
    runs.push(await createRunFromRecords(ctx, { source, fileName, headers, rows, target, format: 'bamboohr' }));
  }
  return runs;
}

/** Live (when chosen), the chosen scenarios still open, and scenarios created since "all future scenarios" was set. */
export async function integrationTargets(db: Db, integration: IntegrationRow): Promise<TargetInput[]> {
  const targets: TargetInput[] = integration.applyToLive ? [{ kind: 'live' }] : [];
  const open = await db
    .select({ id: scenarios.id, createdAt: scenarios.createdAt })
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, integration.tenantId), eq(scenarios.kind, 'planning'), eq(scenarios.state, 'active')))
    .orderBy(asc(scenarios.createdAt));
  const chosen = new Set(integration.applyScenarioIds);
  const since = integration.applyFutureScenarios ? integration.futureScenariosSince : null;
  for (const s of open) if (chosen.has(s.id) || (since && s.createdAt >= since)) targets.push({ kind: 'scenario', scenario_id: s.id });
  return targets;
}

/** Runs the batch's runs one after another (one import per tenant at a time); a run that cannot start stays pending. */
async function processInTurn(ctx: ServiceContext, runs: RunOut[]): Promise<RunOut[]> {
  const finished: RunOut[] = [];
  for (const run of runs) {
    try {
      finished.push(await (await startRun(ctx, run.id)).done);
    } catch (error) {
      if (!isAppError(error)) throw error;
      ctx.logger?.warn({ run: run.id, code: error.code }, 'HRIS run could not start; it stays pending');
      finished.push(run);
    }
  }
  return finished;
}

async function runInProgress(db: Db, tenantId: string): Promise<boolean> {
  const [row] = await db.select({ id: importRuns.id }).from(importRuns).where(and(eq(importRuns.tenantId, tenantId), eq(importRuns.status, 'processing'))).limit(1);
  return !!row;
}

/**
 * Maintenance (every few seconds, any instance): batches events that waited longer than the debounce (their
 * process may have died before flushing) and starts HRIS runs left pending (they could not start, or their process
 * died between creating and starting them).
 */
export async function applyDueHrisWork(deps: BatchDeps): Promise<void> {
  const due = await rawRows<{ tenant_id: string }>(
    deps.db,
    sql`select distinct e.tenant_id from hris_events e join hris_integrations i on i.tenant_id = e.tenant_id
        where e.status = 'queued' and i.status = 'connected' and e.received_at < now() - interval '3 seconds'`,
  );
  for (const { tenant_id } of due) await flushHrisEvents(deps, tenant_id);
  const pending = await deps.db
    .select({ tenantId: importRuns.tenantId, id: importRuns.id })
    .from(importRuns)
    .where(and(eq(importRuns.status, 'pending'), inArray(importRuns.source, ['hris_webhook', 'hris_sync']), sql`${importRuns.uploadedAt} < now() - interval '10 seconds'`))
    .orderBy(asc(importRuns.createdAt))
    .limit(20);
  for (const run of pending) {
    const tenant = await findTenantById(deps.db, run.tenantId);
    if (!tenant || (await runInProgress(deps.db, run.tenantId))) continue;
    const ctx = integrationContext(deps, tenant);
    await startRun(ctx, run.id).then(
      (started) => void started.done.catch(() => {}),
      () => {},
    );
  }
}
