import { and, asc, eq, gt, gte, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { rows as rawRows, type Db } from '../db/connection.js';
import { importRows, importRuns, lineageEntries, scenarios } from '../db/schema/index.js';
import { NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import type { RowResult, StoredRow } from './plan/plan.js';
import type { ActorThen } from './plan/since.js';

/** Reading and writing import runs and their rows. Every query is scoped to the tenant. */

export type RunRow = typeof importRuns.$inferSelect;
export type ImportRowRecord = typeof importRows.$inferSelect;

export const RUN_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RESOLUTIONS = ['pending', 'reprocessing', 'failed', 'fixed', 'ignored'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** A run of the tenant whose file has been received; anything else is "not found". */
export async function loadRun(db: Db, tenantId: string, id: string): Promise<RunRow> {
  if (!isUuid(id)) throw new NotFound('Import run', id);
  const [row] = await db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.tenantId, tenantId), eq(importRuns.id, id), isNotNull(importRuns.uploadedAt)));
  if (!row) throw new NotFound('Import run', id);
  return row;
}

/** The names of the scenarios some runs import into, by scenario id (one query; none for runs into Live). */
export async function targetScenarioNames(db: Db, tenantId: string, runs: readonly Pick<RunRow, 'targetScenarioId'>[]): Promise<Map<string, string>> {
  const ids = [...new Set(runs.map((r) => r.targetScenarioId).filter((id): id is string => !!id))];
  if (!ids.length) return new Map();
  const found = await db.select({ id: scenarios.id, name: scenarios.name }).from(scenarios).where(and(eq(scenarios.tenantId, tenantId), inArray(scenarios.id, ids)));
  return new Map(found.map((s) => [s.id, s.name]));
}

export async function updateRun(db: Db, tenantId: string, id: string, fields: Partial<RunRow>): Promise<RunRow> {
  // Nothing to set: an UPDATE without values is an error in Drizzle; the run is returned as it is.
  if (Object.values(fields).every((v) => v === undefined)) {
    const [row] = await db.select().from(importRuns).where(and(eq(importRuns.tenantId, tenantId), eq(importRuns.id, id)));
    if (!row) throw new NotFound('Import run', id);
    return row;
  }
  const [row] = await db.update(importRuns).set(fields).where(and(eq(importRuns.tenantId, tenantId), eq(importRuns.id, id))).returning();
  if (!row) throw new NotFound('Import run', id);
  return row;
}

/** How many first rows the mapping looks at for the columns only their values can map (manager-columns.ts). */
export const MAPPING_SAMPLE = 50;

/** The values of a run's first rows, in row order. */
export async function firstRowValues(db: Db, tenantId: string, runId: string, limit = MAPPING_SAMPLE): Promise<(string | null)[][]> {
  const rows = await db
    .select({ values: importRows.values })
    .from(importRows)
    .where(and(eq(importRows.tenantId, tenantId), eq(importRows.runId, runId)))
    .orderBy(asc(importRows.rowNumber))
    .limit(limit);
  return rows.map((r) => r.values);
}

/** Stores rows of a file: one statement per few thousand rows, the rows travelling as one JSON parameter. */
export async function insertRows(db: Db, tenantId: string, runId: string, rows: { rowNumber: number; line: number | null; values: (string | null)[] }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) {
    const batch = JSON.stringify(rows.slice(i, i + 5_000).map((r) => [r.rowNumber, r.line, r.values]));
    await db.execute(sql`
      insert into import_rows (tenant_id, run_id, row_number, line, values)
      select ${tenantId}::uuid, ${runId}::uuid, (e->>0)::int, (e->>1)::int, e->2 from jsonb_array_elements(${batch}::jsonb) as e`);
  }
}

/**
 * Rows a step works on: never processed, queued for reprocessing, and (on reprocessing) rows stranded by their manager
 * — missing, a leaver, or on a reporting loop that fixing another row of it may have broken.
 */
function toProcess(tenantId: string, runId: string, reprocess: boolean): SQL {
  const own = and(eq(importRows.tenantId, tenantId), eq(importRows.runId, runId))!;
  const stranded = and(eq(importRows.status, 'quarantined'), inArray(importRows.reasonCode, ['unknown_manager', 'inactive_manager', 'reporting_cycle']), inArray(importRows.resolution, ['pending', 'failed']));
  return and(own, reprocess ? or(eq(importRows.status, 'pending'), eq(importRows.resolution, 'reprocessing'), stranded) : or(eq(importRows.status, 'pending'), eq(importRows.resolution, 'reprocessing')))!;
}

export async function countRowsToProcess(db: Db, tenantId: string, runId: string, reprocess: boolean): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(importRows).where(toProcess(tenantId, runId, reprocess));
  return Number(row?.n ?? 0);
}

/** Rows a reviewer queued for reprocessing. */
export async function countQueuedRows(db: Db, tenantId: string, runId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(importRows)
    .where(and(eq(importRows.tenantId, tenantId), eq(importRows.runId, runId), eq(importRows.resolution, 'reprocessing')));
  return Number(row?.n ?? 0);
}

/**
 * Rows per page. A page's values and parsed rows should die young: 5,000-row pages outlived V8's young generation
 * and filled the old one with their garbage (~100 MB more peak RSS in the 100k-row benchmark, no faster).
 */
const PAGE = 1_000;

/** The rows of a step, page by page in row order (a large file is never read in one piece). */
export function rowsToProcess(db: Db, tenantId: string, runId: string, reprocess: boolean): AsyncIterable<StoredRow[]> {
  return pages(db, toProcess(tenantId, runId, reprocess));
}

/** Values of the rows a run already imported (a fixed row may not duplicate their identities). */
export function importedRows(db: Db, tenantId: string, runId: string): AsyncIterable<StoredRow[]> {
  return pages(db, and(eq(importRows.tenantId, tenantId), eq(importRows.runId, runId), eq(importRows.status, 'imported'))!);
}

async function* pages(db: Db, where: SQL): AsyncIterable<StoredRow[]> {
  let after = 0;
  for (;;) {
    const page = await db
      .select({ rowNumber: importRows.rowNumber, values: importRows.values, actorId: importRows.actorId })
      .from(importRows)
      .where(and(where, gt(importRows.rowNumber, after)))
      .orderBy(asc(importRows.rowNumber))
      .limit(PAGE);
    if (!page.length) return;
    yield page;
    after = page[page.length - 1]!.rowNumber;
    if (page.length < PAGE) return;
  }
}

/**
 * Writes what a step made of its rows, in the step's transaction, a few thousand rows per statement. A quarantined
 * row queued for reprocessing that fails again is `failed`; one that succeeds is `fixed` (keeping the reason it was
 * quarantined for); a first failure waits for review (`pending`). The row's state before the step is read by the
 * UPDATE itself (`r.` is the row as it was), so the step keeps nothing per row but its result. A quarantined row's
 * further problems (`reason_others`) are replaced with the step's, like its reason.
 */
export async function saveRowResults(tx: Db, tenantId: string, runId: string, step: number, results: ReadonlyMap<number, RowResult>): Promise<void> {
  const entries = results.entries();
  for (let batch = takeJson(entries, 5_000); batch; batch = takeJson(entries, 5_000)) {
    await tx.execute(sql`
      update import_rows r set
        status = v.status, outcome = v.outcome, actor_id = v.actor_id::uuid, step = ${step}, updated_at = now(),
        resolution = case when v.status = 'imported' then case when r.status = 'quarantined' then 'fixed' end
                          when r.resolution = 'reprocessing' then 'failed' else coalesce(r.resolution, 'pending') end,
        reason_code = case when v.status = 'imported' and r.status = 'quarantined' then r.reason_code else v.reason_code end,
        reason_field = case when v.status = 'imported' and r.status = 'quarantined' then r.reason_field else v.reason_field end,
        reason_detail = case when v.status = 'imported' and r.status = 'quarantined' then r.reason_detail else v.reason_detail end,
        reason_others = case when v.status = 'imported' and r.status = 'quarantined' then r.reason_others else v.reason_others end
      from jsonb_to_recordset(${batch}::jsonb) as v(n int, status text, outcome text, actor_id text, reason_code text, reason_field text, reason_detail text, reason_others jsonb)
      where r.tenant_id = ${tenantId} and r.run_id = ${runId} and r.row_number = v.n`);
  }
}

/** The next `n` results as the JSON of saveRowResults' recordset, or null when none are left. */
function takeJson(entries: Iterator<[number, RowResult]>, n: number): string | null {
  const batch: object[] = [];
  while (batch.length < n) {
    const next = entries.next();
    if (next.done) break;
    const [row, result] = next.value;
    batch.push(result.status === 'imported' ? { n: row, status: 'imported', outcome: result.outcome, actor_id: result.actorId } : { n: row, status: 'quarantined', reason_code: result.reason.code, reason_field: result.reason.field, reason_detail: result.reason.detail, reason_others: result.reason.others?.length ? result.reason.others : null });
  }
  return batch.length ? JSON.stringify(batch) : null;
}

export interface RowCounts {
  total: number;
  imported: number;
  quarantined: number;
  ignored: number;
  pending: number;
  byOutcome: Record<string, number>;
  byResolution: Record<string, number>;
  /** Reasons of rows still waiting in quarantine (pending, reprocessing or failed). */
  openReasons: Record<string, number>;
}

export async function countRows(db: Db, tenantId: string, runId: string): Promise<RowCounts> {
  const groups = await db
    .select({ status: importRows.status, outcome: importRows.outcome, resolution: importRows.resolution, reason: importRows.reasonCode, n: sql<number>`count(*)::int` })
    .from(importRows)
    .where(and(eq(importRows.tenantId, tenantId), eq(importRows.runId, runId)))
    .groupBy(importRows.status, importRows.outcome, importRows.resolution, importRows.reasonCode);
  const counts: RowCounts = { total: 0, imported: 0, quarantined: 0, ignored: 0, pending: 0, byOutcome: {}, byResolution: {}, openReasons: {} };
  for (const g of groups) {
    const n = Number(g.n);
    counts.total += n;
    if (g.status === 'imported' || g.status === 'quarantined' || g.status === 'ignored' || g.status === 'pending') counts[g.status] += n;
    if (g.outcome) counts.byOutcome[g.outcome] = (counts.byOutcome[g.outcome] ?? 0) + n;
    if (g.resolution) counts.byResolution[g.resolution] = (counts.byResolution[g.resolution] ?? 0) + n;
    if (g.status === 'quarantined' && g.reason) counts.openReasons[g.reason] = (counts.openReasons[g.reason] ?? 0) + n;
  }
  return counts;
}

/**
 * Live placements and reporting lines that came into Orgonaut today: their first Live version was written by a change
 * of today (an import, a promotion or a restore — each leaves a lineage entry). A different unit or manager for one of
 * them is a correction of what was entered today, not a move: it has no earlier days in Orgonaut to keep (with no
 * start date, reads of earlier days would otherwise show the mistake). Empty when Live did not change today.
 */
export async function liveRecordsEnteredToday(db: Db, tenantId: string, today: string): Promise<Set<string>> {
  const [first] = await db
    .select({ version: sql<number | string | null>`min(${lineageEntries.liveVersion})` })
    .from(lineageEntries)
    .where(and(eq(lineageEntries.tenantId, tenantId), gte(lineageEntries.appliedAt, new Date(`${today}T00:00:00Z`))));
  if (first?.version === null || first?.version === undefined) return new Set();
  const since = Number(first.version);
  const ids = new Set<string>();
  for (const table of ['placements', 'reporting_lines']) {
    const found = await rawRows<{ id: string }>(
      db,
      sql`select id from ${sql.raw(table)} where tenant_id = ${tenantId} group by id having min(version_from) >= ${since} and bool_or(version_to is null)`,
    );
    for (const { id } of found) ids.add(id);
  }
  return ids;
}

/**
 * Live's actors changed since `version` (a reprocessing step's look back at what the run read): each one current at
 * `version` and written since, as it was then, and the ids of every actor written since (added ones too).
 */
export async function actorsChangedSince(db: Db, tenantId: string, version: number): Promise<{ then: ActorThen[]; touched: Set<string> }> {
  const found = await rawRows<{ id: string; display_name: string; email: string | null; source_hris: string | null; source_hris_id: string | null; valid_to: string | null; then: boolean }>(
    db,
    sql`select id, display_name, email, source_hris, source_hris_id, valid_to::text as valid_to, version_from <= ${version} as then from actors
        where tenant_id = ${tenantId} and ((version_from <= ${version} and version_to > ${version}) or version_from > ${version})`,
  );
  const then = found.filter((a) => a.then).map((a) => ({ id: a.id, displayName: a.display_name, email: a.email, sourceHris: a.source_hris, sourceHrisId: a.source_hris_id, validTo: a.valid_to }));
  return { then, touched: new Set(found.map((a) => a.id)) };
}
