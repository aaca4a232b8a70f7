import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { importRuns, tasks } from '../db/schema/index.js';
import { rows as rawRows } from '../db/connection.js';
import { Heartbeat, STALE_AFTER_MS } from '../util/heartbeat.js';
import { WORKER_ID } from '../util/worker-id.js';

/**
 * Liveness of runs being processed. Each process has a worker id; while it works on runs it stamps their
 * `heartbeat_at` every few seconds. A run still `processing` whose worker stopped stamping it (the process died:
 * its transaction never committed, so nothing was applied) is failed, and can be started again.
 */
export { WORKER_ID };

/** Stamps the runs this process is processing (their ids, on their databases). */
export const importHeartbeat = new Heartbeat((db, ids) =>
  db
    .update(importRuns)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(importRuns.workerId, WORKER_ID), eq(importRuns.status, 'processing'), inArray(importRuns.id, ids))),
);

const INTERRUPTED = 'The server stopped while this import was running; nothing was applied. Start it again.';

/**
 * Fails runs left `processing` by a process that is gone: every run of another worker not stamped within
 * `staleAfterMs` (0 on an embedded database at start-up: only one process can open it). Their tasks fail with them.
 */
export async function recoverInterruptedImports(db: Db, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  const failed = await rawRows<{ tenant_id: string; id: string; task_id: string | null }>(
    db,
    sql`update import_runs set status = 'failed', error = ${INTERRUPTED}, error_code = 'interrupted', finished_at = now(), worker_id = null
        where status = 'processing' and worker_id is distinct from ${WORKER_ID}
          and (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => ${staleAfterMs / 1000}::double precision))
        returning tenant_id, id, task_id`,
  );
  for (const run of failed) {
    if (!run.task_id) continue;
    await db
      .update(tasks)
      .set({ status: 'failed', error: INTERRUPTED, finishedAt: sql`now()` })
      .where(and(eq(tasks.tenantId, run.tenant_id), eq(tasks.id, run.task_id), inArray(tasks.status, ['pending', 'running'])));
  }
  return failed.length;
}
