import { and, asc, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { currentLiveVersion } from '../db/live-store.js';
import { importRuns, lineageEntries } from '../db/schema/index.js';
import { Conflict, InvalidInput, isAppError, MissingAbility } from '../errors.js';
import { restoreSnapshot } from '../scenarios/promotion.js';
import { loadScenario } from '../scenarios/store.js';
import { startTask, type StartedTask } from '../scenarios/tasks.js';
import { checkLimit, queryFingerprint } from '../util/pagination.js';
import { microsOf, newestFirstPage, olderThanCursor } from '../util/time-keyset.js';
import { executeStep } from './execute.js';
import { detectMapping, fieldReference, MONEY_IMPORT_FIELDS, type ColumnMapping, type ImportFormat } from './fields.js';
import { checkMapping } from './mapping.js';
import { DATE_ORDERS, type DateOrder } from './parse-row.js';
import { presentRun, type RunOut } from './present.js';
import { presentRunWithSameFile } from './same-file.js';
import { initialProgress, ProgressTracker } from './progress.js';
import { mapManagerColumns } from './manager-columns.js';
import { countQueuedRows, countRowsToProcess, firstRowValues, loadRun, RUN_STATUSES, targetScenarioNames, updateRun, type RunRow, type RunStatus } from './store.js';
import { resolveTarget, type TargetRequest } from './target.js';
import { importHeartbeat, WORKER_ID } from './worker.js';

/** Import runs: read, list, adjust (mapping, options, target), start, reprocess fixed rows, undo. */

/** The field reference, for mapping editors. */
export function importFields(ctx: ServiceContext) {
  authorize(ctx.principal, 'imports.manage');
  return fieldReference();
}

export async function getRun(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'imports.manage');
  return presentRunWithSameFile(ctx, await loadRun(ctx.db, ctx.tenant.id, id));
}

export async function listRuns(ctx: ServiceContext, filter: { status?: string | null; limit?: number; cursor?: string | null } = {}) {
  authorize(ctx.principal, 'imports.manage');
  const limit = checkLimit(filter.limit);
  if (filter.status && !(RUN_STATUSES as readonly string[]).includes(filter.status)) throw new InvalidInput('status', `must be one of ${RUN_STATUSES.join(', ')}`);
  const conditions = [eq(importRuns.tenantId, ctx.tenant.id), sql`${importRuns.uploadedAt} is not null`];
  if (filter.status) conditions.push(eq(importRuns.status, filter.status));
  const query = queryFingerprint(filter);
  if (filter.cursor) {
    conditions.push(olderThanCursor(filter.cursor, 'import-runs', query, importRuns.createdAt, importRuns.id));
  }
  const rows = await ctx.db
    .select({ row: importRuns, micros: sql<string>`${microsOf(importRuns.createdAt)}::text` })
    .from(importRuns)
    .where(and(...conditions))
    .orderBy(desc(importRuns.createdAt), desc(importRuns.id))
    .limit(limit + 1);
  const page = newestFirstPage(rows, limit, ({ row }) => row.id, 'import-runs', query);
  const names = await targetScenarioNames(ctx.db, ctx.tenant.id, page.rows.map(({ row }) => row));
  return { items: page.rows.map(({ row }) => presentRun(row, ctx.principal, names)), nextCursor: page.nextCursor };
}

/** The uploaded file name of each run among `ids` (one look-up; a run without one is left out), for pages naming them. */
export async function importFileNames(ctx: ServiceContext, ids: readonly string[]): Promise<Map<string, string>> {
  authorize(ctx.principal, 'imports.manage');
  const wanted = [...new Set(ids)];
  if (!wanted.length) return new Map();
  const rows = await ctx.db
    .select({ id: importRuns.id, fileName: importRuns.fileName })
    .from(importRuns)
    .where(and(eq(importRuns.tenantId, ctx.tenant.id), inArray(importRuns.id, wanted)));
  return new Map(rows.flatMap((r) => (r.fileName ? [[r.id, r.fileName] as const] : [])));
}

export interface RunPatch {
  mapping?: { column: number; field: string | null }[];
  options?: { create_missing_types?: boolean; format?: ImportFormat; date_order?: DateOrder | null };
  target?: TargetRequest;
}

/** Changes the mapping, options or target of a run that is not running and has not imported anything yet. */
export async function updateRunSettings(ctx: ServiceContext, id: string, patch: RunPatch): Promise<RunOut> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, id);
  if (run.status === 'processing' || run.status === 'completed' || run.step > 0) {
    throw new Conflict('This import has already run; its mapping and target can no longer change.', 'Upload the file again to import it differently.');
  }
  const fields: Partial<RunRow> = {};
  if (patch.options?.format !== undefined) {
    if (patch.options.format !== 'orgonaut' && patch.options.format !== 'bamboohr') throw new InvalidInput('options.format', 'must be orgonaut or bamboohr');
    fields.format = patch.options.format;
  }
  if (patch.options?.create_missing_types !== undefined) fields.options = { ...run.options, create_missing_types: patch.options.create_missing_types === true };
  if (patch.options?.date_order !== undefined) {
    const order = patch.options.date_order;
    if (order !== null && !DATE_ORDERS.includes(order)) throw new InvalidInput('options.date_order', 'must be month_first, day_first or null (dates with the year last are refused)');
    fields.options = { ...run.options, ...fields.options, date_order: order };
  }
  const formatChanged = fields.format !== undefined && fields.format !== run.format;
  const baseMapping = formatChanged ? mapManagerColumns(detectMapping(run.headers, fields.format as ImportFormat), await firstRowValues(ctx.db, ctx.tenant.id, run.id)) : (run.mapping as ColumnMapping[]);
  if (patch.mapping || formatChanged) fields.mapping = checkMapping(run.headers, patch.mapping ?? [], baseMapping);
  if (patch.target) {
    const target = await resolveTarget(ctx, patch.target);
    fields.targetKind = target.kind;
    fields.targetScenarioId = target.scenario?.id ?? null;
  }
  // An empty patch (`{}`, `{"options":{}}`) changes nothing: the run as it is.
  if (Object.keys(fields).length === 0) return presentRunWithSameFile(ctx, run);
  return presentRunWithSameFile(ctx, await updateRun(ctx.db, ctx.tenant.id, id, fields));
}

export interface StartedRun {
  run: RunOut;
  /** Settles when the step is done (tests and the CLI can wait; requests do not). */
  done: Promise<RunOut>;
}

/** Starts a pending run, or starts a failed one again (its rows are as they were before the failed attempt). */
export function startRun(ctx: ServiceContext, id: string): Promise<StartedRun> {
  return beginStep(ctx, id, false);
}

/** Imports the rows a reviewer fixed (and rows stranded by a manager who was quarantined) in a new step. */
export function reprocessRun(ctx: ServiceContext, id: string): Promise<StartedRun> {
  return beginStep(ctx, id, true);
}

async function beginStep(ctx: ServiceContext, id: string, asked: boolean): Promise<StartedRun> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, id);
  // Starting a failed run again repeats the step that failed: a reprocessing one (a step completed before it) takes
  // the rows stranded by their manager again too, as reprocessing does.
  const reprocess = asked || (run.status === 'failed' && run.summary !== null);
  if (undoOf(run)) throw new Conflict('This import has been undone; it can no longer import rows.', 'Upload the file again to import it anew.', { run_status: run.status });
  const allowed: RunStatus[] = reprocess ? ['completed', 'failed'] : ['pending', 'failed'];
  if (!allowed.includes(run.status as RunStatus)) {
    // Each refusal says what to do in the state the run is in ("wait for the run to finish" to a run never started, or
    // "fix its rows" to one still running, led nowhere).
    const [message, fix] =
      run.status === 'processing'
        ? ['This import is already running.', 'Wait for it to finish (poll the run); then fix or ignore its quarantined rows and reprocess them.']
        : reprocess
          ? ['This import has not run yet, so it has no rows to reprocess.', 'Start it first; the rows it quarantines can then be fixed and reprocessed.']
          : ['This import has already run.', 'Fix or ignore its quarantined rows and reprocess them instead.'];
    throw new Conflict(message, fix, { run_status: run.status });
  }
  checkMappingUsable(ctx, run);
  if (run.targetKind === 'scenario') await resolveTarget(ctx, { kind: 'scenario', scenario_id: run.targetScenarioId ?? '' });
  if ((reprocess ? await countQueuedRows(ctx.db, ctx.tenant.id, run.id) : await countRowsToProcess(ctx.db, ctx.tenant.id, run.id, false)) === 0) {
    throw new Conflict(
      reprocess ? 'No rows are waiting to be reprocessed.' : 'No rows are left to import.',
      reprocess
        ? 'Queue the quarantined rows to import first — on the review page “Save fix and queue” (also for a row that needs no change, such as the one to keep of two duplicates once the other is ignored), over the API PATCH /api/v1/imports/{id}/rows/{row} — then reprocess.'
        : undefined,
    );
  }
  const claimed = await claim(ctx, run.id, allowed);
  const started = await startTask(ctx, 'import', { scenarioId: claimed.targetScenarioId, input: { import_run_id: run.id, step: claimed.step } }, async () => {
    const tracker = new ProgressTracker((progress) => writeProgress(ctx, run.id, { ...progress }));
    importHeartbeat.add(ctx.db, run.id);
    try {
      const done = await executeStep(ctx, claimed, reprocess, tracker);
      return { import_run_id: run.id, step: done.step, status: done.status, rows: (done.summary as { rows?: unknown } | null)?.rows ?? null };
    } catch (error) {
      const message = isAppError(error) ? error.message : `internal error (request ${ctx.requestId ?? 'n/a'})`;
      await updateRun(ctx.db, ctx.tenant.id, run.id, { status: 'failed', error: message, errorCode: isAppError(error) ? error.code : 'internal_error', finishedAt: new Date(), workerId: null, progress: tracker.snapshot() as unknown as Record<string, unknown> });
      throw error;
    } finally {
      importHeartbeat.delete(ctx.db, run.id);
    }
  });
  const withTask = await updateRun(ctx.db, ctx.tenant.id, run.id, { taskId: started.task.id });
  const done = started.done.then(async () => presentRun(await loadRun(ctx.db, ctx.tenant.id, run.id), ctx.principal, await targetScenarioNames(ctx.db, ctx.tenant.id, [run])));
  return { run: await presentRunWithSameFile(ctx, withTask), done };
}

async function writeProgress(ctx: ServiceContext, id: string, progress: Record<string, unknown>): Promise<void> {
  await ctx.db
    .update(importRuns)
    .set({ progress, heartbeatAt: sql`now()` })
    .where(and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.id, id), eq(importRuns.status, 'processing')));
}

/** Marks the run processing for this process — one run per tenant at a time (Live writes are serialised anyway). */
async function claim(ctx: ServiceContext, id: string, allowed: RunStatus[]): Promise<RunRow> {
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`orgonaut-import:${ctx.tenant.id}`}))`);
    const [busy] = await tx
      .select({ id: importRuns.id })
      .from(importRuns)
      .where(and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.status, 'processing')))
      .limit(1);
    if (busy) throw new Conflict('Another import of this tenant is running; start this one when it has finished.', 'Wait for the other run to complete.', { running_import_id: busy.id });
    const [row] = await tx
      .update(importRuns)
      .set({ status: 'processing', step: sql`${importRuns.step} + 1`, workerId: WORKER_ID, heartbeatAt: sql`now()`, startedAt: sql`now()`, finishedAt: null, error: null, errorCode: null, progress: { ...initialProgress() } })
      .where(and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.id, id), inArray(importRuns.status, allowed)))
      .returning();
    if (!row) throw new Conflict('This import changed state meanwhile; reload it.');
    return row;
  });
}

/** The mapping must name an identity column; pay columns need `costs.read` (nobody imports pay they cannot see). */
function checkMappingUsable(ctx: ServiceContext, run: RunRow): void {
  const fields = new Set((run.mapping as ColumnMapping[]).map((m) => m.field).filter(Boolean));
  const identity = fields.has('email') || fields.has('source_hris_id') || (run.format === 'bamboohr' && fields.has('employee_id'));
  if (!identity) {
    throw new InvalidInput('mapping', 'map at least one identity column: email, source_hris + source_hris_id, or (BambooHR) PersonID / employee_id');
  }
  if ([...fields].some((f) => MONEY_IMPORT_FIELDS.has(f as never)) && !can(ctx.principal, 'costs.read')) throw new MissingAbility('costs.read');
}

/** What `summary.undo` records once an undo of the run was started (cleared again if the restore fails). */
export interface RunUndo {
  task_id: string | null;
  requested_at: string;
  requested_by: string | null;
}

export function undoOf(run: Pick<RunRow, 'summary'>): RunUndo | null {
  const undo = (run.summary as { undo?: RunUndo } | null)?.undo;
  return undo && typeof undo === 'object' ? undo : null;
}

/**
 * Undo an import into Live: restore the snapshot taken before it (a background task; needs `snapshots.restore`).
 * Only while Live is still as the import left it — restoring the snapshot would otherwise also throw away what was
 * imported, promoted or restored since — and only once: the run is marked undone (`summary.undo`) before the restore
 * starts, atomically, and the mark is taken back if the restore fails.
 */
export async function undoRun(ctx: ServiceContext, id: string): Promise<StartedTask> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, id);
  if (run.targetKind !== 'live' || !run.snapshotId) {
    throw new Conflict(run.targetKind !== 'live' ? 'Only imports into Live are undone by restoring a snapshot; edit the scenario instead.' : 'This import has not changed Live, so there is nothing to undo.');
  }
  authorize(ctx.principal, 'snapshots.restore');
  const snapshotId = run.snapshotId;
  if (undoOf(run)) throw alreadyUndone(run);
  if (run.status === 'processing') throw new Conflict('This import is running; it can be undone once it has finished.', 'Wait for the run to finish.', { run_status: run.status });
  const live = await currentLiveVersion(ctx.db, ctx.tenant.id);
  const changed = await liveChangedSinceRun(ctx, run, live);
  if (changed) throw changed;
  const undo: RunUndo = { task_id: null, requested_at: new Date().toISOString(), requested_by: ctx.principal.userId ?? null };
  const own = and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.id, run.id));
  const [marked] = await ctx.db
    .update(importRuns)
    .set({ summary: sql`coalesce(${importRuns.summary}, '{}'::jsonb) || jsonb_build_object('undo', ${JSON.stringify(undo)}::jsonb)` })
    .where(and(own, sql`(${importRuns.summary} -> 'undo') is null`, ne(importRuns.status, 'processing'), eq(importRuns.liveVersionAfter, live)))
    .returning();
  if (!marked) {
    const now = await loadRun(ctx.db, ctx.tenant.id, run.id);
    throw undoOf(now) ? alreadyUndone(now) : new Conflict('This import changed state meanwhile; reload it.');
  }
  const unmark = () => ctx.db.update(importRuns).set({ summary: sql`${importRuns.summary} - 'undo'` }).where(own);
  let started: StartedTask;
  try {
    started = await restoreSnapshot(ctx, snapshotId, { expectLiveVersion: live });
  } catch (error) {
    await unmark();
    throw error;
  }
  await ctx.db
    .update(importRuns)
    .set({ summary: sql`jsonb_set(${importRuns.summary}, '{undo,task_id}', ${JSON.stringify(started.task.id)}::jsonb)` })
    .where(and(own, sql`(${importRuns.summary} -> 'undo') is not null`));
  const done = started.done.then(async (task) => {
    if (task.status !== 'succeeded') await unmark();
    return task;
  });
  return { task: started.task, done };
}

/**
 * Why an import into Live can no longer be undone because Live changed since it (another import, a promotion or a
 * restore, after it or between its steps), as undo refuses it; null while Live (at version `live`) is as the run left it.
 */
async function liveChangedSinceRun(ctx: ServiceContext, run: RunRow, live: number): Promise<Conflict | null> {
  if (!run.snapshotId) return null;
  const since = await liveWritesSince(ctx, run, run.snapshotId);
  return run.liveVersionAfter === null || live !== run.liveVersionAfter || since.others.length || since.lastOwn !== live ? liveChanged(run, live, since.others) : null;
}

/**
 * Live now, for a run into Live's progress page: its current version (a step reading an older one will be refused),
 * and why undo would be refused because Live changed since the run — null when it would not, or undo is not the
 * question (the run is running, undone, or changed nothing).
 */
export async function liveSinceRun(ctx: ServiceContext, id: string): Promise<{ version: number; undoRefused: Conflict | null }> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, id);
  const version = await currentLiveVersion(ctx.db, ctx.tenant.id);
  const undoable = run.targetKind === 'live' && run.snapshotId && !undoOf(run) && run.status !== 'processing';
  return { version, undoRefused: undoable ? await liveChangedSinceRun(ctx, run, version) : null };
}

function alreadyUndone(run: RunRow): Conflict {
  const undo = undoOf(run);
  return new Conflict('This import has already been undone.', 'Nothing is left to undo. To go back further, restore a snapshot from Snapshots.', { undo_task_id: undo?.task_id ?? null, undone_at: undo?.requested_at ?? null });
}

/**
 * The Live writes after the run's snapshot (every write leaves a lineage entry): the run's own (its steps that changed
 * Live) and the others' — another import, a promotion, a restore — which restoring the snapshot would throw away.
 */
async function liveWritesSince(ctx: ServiceContext, run: RunRow, snapshotId: string) {
  const snapshot = await loadScenario(ctx.db, ctx.tenant.id, snapshotId);
  const entries = await ctx.db
    .select({ type: lineageEntries.type, liveVersion: lineageEntries.liveVersion, runId: sql<string | null>`${lineageEntries.deltas} ->> 'import_run_id'` })
    .from(lineageEntries)
    .where(and(eq(lineageEntries.tenantId, ctx.tenant.id), gt(lineageEntries.liveVersion, snapshot.liveVersion)))
    .orderBy(asc(lineageEntries.liveVersion));
  const own = entries.filter((e) => e.type === 'import' && e.runId === run.id);
  const others = entries.filter((e) => !(e.type === 'import' && e.runId === run.id)).map((e) => ({ type: e.type, live_version: Number(e.liveVersion) }));
  return { others, lastOwn: own.length ? Number(own[own.length - 1]!.liveVersion) : null };
}

function liveChanged(run: RunRow, live: number, others: { type: string; live_version: number }[]): Conflict {
  const what = others.length ? ` by ${others.length === 1 ? `a later ${others[0]!.type}` : `${others.length} later writes (${[...new Set(others.map((o) => o.type))].join(', ')})`}` : '';
  return new Conflict(
    `Live changed since this import${what} (Live is now at version ${live}), so undoing it would also throw away everything imported, promoted or restored since.`,
    'Restore a snapshot from Snapshots instead — the snapshot taken before this import, or a later one — after checking what it would undo.',
    { live_version_after: run.liveVersionAfter, live_version: live, snapshot_id: run.snapshotId, changes_since: others.slice(0, 20) },
  );
}
