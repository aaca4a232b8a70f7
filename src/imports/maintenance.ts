import type { Logger } from 'pino';
import type { Database } from '../db/connection.js';
import { removeAbandonedUploads } from './upload.js';
import { recoverInterruptedImports } from './worker.js';
import { STALE_AFTER_MS } from '../util/heartbeat.js';

/**
 * Housekeeping every few seconds on every instance: fail import runs whose process died (so they can be started
 * again), remove uploads that never finished arriving, then the `extra` jobs the server registers (interrupted
 * background tasks, due HRIS batches). At start-up an embedded database fails every run left processing at once:
 * only this process can have opened it.
 */
export async function startMaintenance(
  database: Database,
  logger: Logger,
  extra: (() => Promise<void>)[] = [],
  intervalMs = 5_000,
): Promise<{ stop(): void }> {
  const recovered = await recoverInterruptedImports(database.db, database.kind === 'embedded' ? 0 : STALE_AFTER_MS);
  if (recovered) logger.warn({ runs: recovered }, 'import runs interrupted by a restart were marked failed');
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const failed = await recoverInterruptedImports(database.db, STALE_AFTER_MS);
        if (failed) logger.warn({ runs: failed }, 'import runs of a stopped process were marked failed');
        await removeAbandonedUploads(database.db);
        for (const task of extra) await task();
      } catch (err) {
        logger.error({ err }, 'maintenance failed');
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
