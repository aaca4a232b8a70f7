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
 * process open.
 */
export function startMaintenance(logger: Logger, jobs: readonly MaintenanceJob[], intervalMs = 5_000): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      for (const job of jobs) {
        try {
          await job.run();
        } catch (err) {
          logger.error({ err, job: job.name }, 'maintenance job failed');
        }
      }
      busy = false;
    })();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
