import type { Logger } from 'pino';
import type { Database } from '../db/connection.js';
import type { MaintenanceJob } from '../maintenance.js';
import { removeAbandonedUploads } from './upload.js';
import { recoverInterruptedImports } from './worker.js';
import { STALE_AFTER_MS } from '../util/heartbeat.js';

/**
 * The imports' housekeeping: at start-up, fail the runs a restart interrupted (on an embedded database every run
 * left processing, at once: only this process can have opened it); then, in the maintenance loop, fail runs whose
 * process died (so they can be started again) and remove uploads that never finished arriving.
 */
export async function importMaintenance(database: Database, logger: Logger): Promise<MaintenanceJob[]> {
  const recovered = await recoverInterruptedImports(database.db, database.kind === 'embedded' ? 0 : STALE_AFTER_MS);
  if (recovered) logger.warn({ runs: recovered }, 'import runs interrupted by a restart were marked failed');
  return [
    {
      name: 'fail import runs of stopped processes',
      run: async () => {
        const failed = await recoverInterruptedImports(database.db, STALE_AFTER_MS);
        if (failed) logger.warn({ runs: failed }, 'import runs of a stopped process were marked failed');
      },
    },
    { name: 'remove abandoned uploads', run: () => removeAbandonedUploads(database.db).then(() => undefined) },
  ];
}
