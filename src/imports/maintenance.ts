import type { Logger } from 'pino';
import type { Database } from '../db/connection.js';
import { removeAbandonedUploads } from './upload.js';
import { recoverInterruptedImports, STALE_AFTER_MS } from './worker.js';

/**
 * Import housekeeping every few seconds on every instance: fail runs whose process died (so they can be started
 * again), remove uploads that never finished arriving, and whatever else is registered (the HRIS batches). At
 * start-up an embedded database fails every run left processing at once: only this process can have opened it.
 */
export async function startImportMaintenance(
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
        logger.error({ err }, 'import maintenance failed');
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
