import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { authorize, can, type Principal } from '../access/policy.js';
import { loadScenario } from './store.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../db/connection.js';
import { tasks } from '../db/schema/index.js';
import { isAppError, NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import { checkLimit, queryFingerprint, type Page } from '../util/pagination.js';
import { microsOf, newestFirstPage, olderThanCursor } from '../util/time-keyset.js';
import { metrics } from '../observability/metrics.js';
import { Heartbeat, STALE_AFTER_MS } from '../util/heartbeat.js';
import { WORKER_ID } from '../util/worker-id.js';
import { withoutMoneyFields } from '../org/read-history.js';
import { oneOf } from '../util/choice.js';

/**
 * Background tasks (promotion, restore, imports): a row any instance can report on, run in-process after the
 * request answers. The work itself is one transaction, so a task cut short by a crash leaves nothing half-applied.
 * While a process runs tasks it stamps their `heartbeat_at` every few seconds; a task left pending or running by a
 * process that stopped stamping it (it died) is marked failed by whichever instance looks next (`failInterruptedTasks`,
 * at start and every few seconds after).
 */
export const TASK_KINDS = ['promotion', 'restore', 'import'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
type TaskRow = typeof tasks.$inferSelect;

/** Stamps the tasks this process runs (their ids, on their databases). */
const heartbeat = new Heartbeat((db, ids) =>
  db
    .update(tasks)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(tasks.workerId, WORKER_ID), inArray(tasks.id, ids), inArray(tasks.status, ['pending', 'running']))),
);

/** Tasks this process is running, so a graceful shutdown can let them finish. */
const running = new Set<Promise<unknown>>();

export function runningTaskCount(): number {
  return running.size;
}

/** Waits for this process's tasks to finish, at most `timeoutMs`; true when none is left. */
export async function waitForRunningTasks(timeoutMs: number): Promise<boolean> {
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const outcome = await Promise.race([Promise.allSettled([...running]).then(() => 'done' as const), deadline]);
  return outcome === 'done';
}

/** A task for output; money in its result (lineage deltas) only with `costs.read`. */
export function presentTask(row: TaskRow, principal?: Principal) {
  const showMoney = !principal || can(principal, 'costs.read');
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    scenario_id: row.scenarioId,
    progress: row.progress,
    result: row.result ? (showMoney ? row.result : withoutMoney(row.result)) : null,
    error: row.error,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

export interface StartedTask {
  task: ReturnType<typeof presentTask>;
  /** Settles when the work is done (tests and the CLI can wait; requests do not). */
  done: Promise<ReturnType<typeof presentTask>>;
}

/** Creates the task row, then runs `work` without holding up the caller. */
export async function startTask(
  ctx: ServiceContext,
  kind: TaskKind,
  input: { scenarioId?: string | null; input?: Record<string, unknown> },
  work: (report: (progress: Record<string, unknown>) => Promise<void>) => Promise<Record<string, unknown>>,
): Promise<StartedTask> {
  const [row] = await ctx.db
    .insert(tasks)
    .values({
      tenantId: ctx.tenant.id,
      kind,
      scenarioId: input.scenarioId ?? null,
      userId: ctx.principal.userId,
      input: input.input ?? {},
      workerId: WORKER_ID,
      heartbeatAt: sql`now()`,
    })
    .returning();
  const id = row!.id;
  const where = and(eq(tasks.tenantId, ctx.tenant.id), eq(tasks.id, id));
  const done = (async () => {
    await ctx.db.update(tasks).set({ status: 'running', startedAt: sql`now()` }).where(where);
    let last: Record<string, unknown> = {};
    try {
      const result = await work(async (progress) => {
        last = progress;
        await ctx.db.update(tasks).set({ progress }).where(where);
      });
      // Succeeded: every stage is done — the progress says so rather than still naming the last stage it reported
      // (a promotion read 'applying' for good). A failed task keeps the stage it failed in.
      await ctx.db.update(tasks).set({ status: 'succeeded', result, progress: completedProgress(last), finishedAt: sql`now()` }).where(where);
      metrics.tasks.inc({ kind, outcome: 'succeeded' });
    } catch (error) {
      const message = isAppError(error) ? error.message : `internal error (request ${ctx.requestId ?? 'n/a'})`;
      if (!isAppError(error)) ctx.logger?.error({ err: error, task: id }, 'background task failed');
      await ctx.db.update(tasks).set({ status: 'failed', error: message, finishedAt: sql`now()` }).where(where);
      metrics.tasks.inc({ kind, outcome: 'failed' });
    }
    return getTaskRow(ctx.db, ctx.tenant.id, id).then((row) => presentTask(row));
  })();
  running.add(done);
  heartbeat.add(ctx.db, id);
  void done
    .catch(() => {})
    .finally(() => {
      running.delete(done);
      heartbeat.delete(ctx.db, id);
    });
  return { task: presentTask(row!), done };
}

/** A succeeded task's progress: what its work last reported, with `stage: 'done'` and `percent: 100`. */
export function completedProgress(last: Record<string, unknown>): Record<string, unknown> {
  return { ...last, stage: 'done', percent: 100 };
}

async function getTaskRow(db: Db, tenantId: string, id: string): Promise<TaskRow> {
  if (!isUuid(id)) throw new NotFound('Task', id);
  const [row] = await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, id)));
  if (!row) throw new NotFound('Task', id);
  return row;
}

export async function getTask(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.read');
  return presentTask(await getTaskRow(ctx.db, ctx.tenant.id, id), ctx.principal);
}

export async function listTasks(ctx: ServiceContext, filter: { scenarioId?: string | null } = {}) {
  authorize(ctx.principal, 'scenarios.read');
  if (filter.scenarioId) await loadScenario(ctx.db, ctx.tenant.id, filter.scenarioId);
  const where = filter.scenarioId
    ? and(eq(tasks.tenantId, ctx.tenant.id), eq(tasks.scenarioId, filter.scenarioId))
    : eq(tasks.tenantId, ctx.tenant.id);
  const rows = await ctx.db.select().from(tasks).where(where).orderBy(desc(tasks.createdAt)).limit(100);
  return rows.map((row) => presentTask(row, ctx.principal));
}

const createdMicros = microsOf(tasks.createdAt);

/**
 * One page of the tenant's tasks, newest first, optionally only those of a `status`, a `kind` or a scenario (another
 * tenant's scenario is not found). The cursor (the last task's creation time and id) is valid only for the same
 * filters; a walk has no gaps or repeats as tasks start.
 */
export async function pageTasks(
  ctx: ServiceContext,
  filter: { status?: string | null; kind?: string | null; scenarioId?: string | null; limit?: number; cursor?: string | null } = {},
): Promise<Page<ReturnType<typeof presentTask>>> {
  authorize(ctx.principal, 'scenarios.read');
  if (filter.scenarioId) await loadScenario(ctx.db, ctx.tenant.id, filter.scenarioId);
  const limit = checkLimit(filter.limit);
  if (filter.status) oneOf('status', TASK_STATUSES, filter.status);
  if (filter.kind) oneOf('kind', TASK_KINDS, filter.kind);
  const conditions: SQL[] = [eq(tasks.tenantId, ctx.tenant.id)];
  if (filter.status) conditions.push(eq(tasks.status, filter.status));
  if (filter.kind) conditions.push(eq(tasks.kind, filter.kind));
  if (filter.scenarioId) conditions.push(eq(tasks.scenarioId, filter.scenarioId));
  const query = queryFingerprint(filter);
  if (filter.cursor) {
    conditions.push(olderThanCursor(filter.cursor, 'tasks', query, tasks.createdAt, tasks.id));
  }
  const rows = await ctx.db
    .select({ row: tasks, micros: sql<string>`${createdMicros}::text` })
    .from(tasks)
    .where(and(...conditions))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit + 1);
  const page = newestFirstPage(rows, limit, ({ row }) => row.id, 'tasks', query);
  return { items: page.rows.map(({ row }) => presentTask(row, ctx.principal)), nextCursor: page.nextCursor };
}

/**
 * Fails tasks left pending or running by a process that is gone: another process's tasks not stamped within
 * `staleAfterMs` (0 on an embedded database at start-up: only one process can open it). Their transaction never
 * committed, so nothing was applied. Returns how many.
 */
export async function failInterruptedTasks(db: Db, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  const rows = await db
    .update(tasks)
    .set({ status: 'failed', error: 'Interrupted by a server restart; nothing was applied. Start it again.', finishedAt: sql`now()` })
    .where(
      and(
        inArray(tasks.status, ['pending', 'running']),
        sql`${tasks.workerId} is distinct from ${WORKER_ID}`,
        sql`coalesce(${tasks.heartbeatAt}, ${tasks.createdAt}) < now() - make_interval(secs => ${staleAfterMs / 1000}::double precision)`,
      ),
    )
    .returning({ id: tasks.id });
  return rows.length;
}

/**
 * On a shutdown that could not wait for them: this process's unfinished tasks are failed now (closing the database
 * next rolls their transactions back), so no instance has to wait for their heartbeat to go stale.
 */
export async function failTasksOfThisProcess(db: Db): Promise<number> {
  const rows = await db
    .update(tasks)
    .set({ status: 'failed', error: 'Interrupted by a server shutdown; nothing was applied. Start it again.', finishedAt: sql`now()` })
    .where(and(eq(tasks.workerId, WORKER_ID), inArray(tasks.status, ['pending', 'running'])))
    .returning({ id: tasks.id });
  return rows.length;
}

/** Drops money from a task result (deltas of cost) for someone without `costs.read`. */
function withoutMoney(result: Record<string, unknown>): Record<string, unknown> {
  const { deltas, ...rest } = result as { deltas?: Record<string, unknown> };
  if (!deltas) return rest;
  return { ...rest, deltas: withoutMoneyFields(deltas) };
}
