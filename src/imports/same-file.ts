import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { ServiceContext } from '../context.js';
import { importRuns } from '../db/schema/index.js';
import { presentRun, type RunOut } from './present.js';
import { targetScenarioNames, type RunRow } from './store.js';

/** An earlier import of the very same file into the same target: importing it again would change nothing it set. */
export interface SameFileImport {
  run_id: string;
  file_name: string | null;
  finished_at: string | null;
}

/**
 * For a run not started yet: the latest completed (and not undone) run of the same file (same SHA-256) into the same target, so the
 * person is told before starting that this file was imported already (on …) — re-importing changes nothing, unless
 * the target changed since. Null for runs already started and for records an HRIS sent.
 */
export async function sameFileImported(ctx: ServiceContext, run: RunRow): Promise<SameFileImport | null> {
  if (run.status !== 'pending' || !run.fileSha256) return null;
  const [earlier] = await ctx.db
    .select({ id: importRuns.id, fileName: importRuns.fileName, finishedAt: importRuns.finishedAt })
    .from(importRuns)
    .where(
      and(
        eq(importRuns.tenantId, ctx.tenant.id),
        eq(importRuns.fileSha256, run.fileSha256),
        eq(importRuns.status, 'completed'),
        // An undone import left nothing in the target: importing the file again is no repeat.
        sql`(${importRuns.summary} -> 'undo') is null`,
        eq(importRuns.targetKind, run.targetKind),
        run.targetScenarioId ? eq(importRuns.targetScenarioId, run.targetScenarioId) : sql`${importRuns.targetScenarioId} is null`,
        ne(importRuns.id, run.id),
      ),
    )
    .orderBy(desc(importRuns.finishedAt))
    .limit(1);
  return earlier ? { run_id: earlier.id, file_name: earlier.fileName, finished_at: earlier.finishedAt?.toISOString() ?? null } : null;
}

/** The preview's warning for a file imported before: when, and what importing it again would do. */
export function sameFileWarning(same: SameFileImport, intoScenario: boolean): { code: string; message: string } {
  const when = same.finished_at ? ` on ${same.finished_at.slice(0, 10)} at ${same.finished_at.slice(11, 16)} UTC` : '';
  const where = intoScenario ? 'this scenario' : 'Live';
  return {
    code: 'same_file_imported',
    message: `This very file was imported into ${where} already${when} (import ${same.run_id}): importing it again changes nothing, except records changed in ${where} since, which it sets back to the file’s values.`,
  };
}

/** One run as its own answer (upload, read, settings, start): with the earlier import of the same file, if any. */
export async function presentRunWithSameFile(ctx: ServiceContext, run: RunRow): Promise<RunOut & { same_file_imported: SameFileImport | null }> {
  return { ...presentRun(run, ctx.principal, await targetScenarioNames(ctx.db, ctx.tenant.id, [run])), same_file_imported: await sameFileImported(ctx, run) };
}
