import type { Logger } from 'pino';

/** One piece of housekeeping the maintenance loop runs on every instance. */
export interface MaintenanceJob {
  /** What it does, for the log when it fails. */
  name: string;
  run(): Promise<void>;
}

/**
 * Runs the jobs one after another every few seconds on every instance (a round is skipped while the last one is
 * still busy). A failing job is logged and does not keep the others from running. The timer does not hold the
 * process open. `stop()` runs no further job and resolves once the job running then has finished, so a shutdown
 * closes the database under no job (which would otherwise fail, and be logged as failing, at every stop).
 */
export function startMaintenance(logger: Logger, jobs: readonly MaintenanceJob[], intervalMs = 5_000): { stop(): Promise<void> } {
  let round: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (round || stopped) return;
    round = (async () => {
      for (const job of jobs) {
        if (stopped) break;
        try {
          await job.run();
        } catch (err) {
          logger.error({ err, job: job.name }, 'maintenance job failed');
        }
      }
    })().finally(() => {
      round = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
