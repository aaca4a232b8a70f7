import { and, asc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { importRows } from '../db/schema/index.js';
import { AppError, Conflict, InvalidInput, MissingAbility } from '../errors.js';
import { checkLimit, decodeCursor, encodeCursor, queryFingerprint } from '../util/pagination.js';
import { MONEY_IMPORT_FIELDS, type ColumnMapping } from './fields.js';
import { presentReason, presentRow, type RowOut } from './present.js';
import { undoOf } from './runs.js';
import { parseContext } from './execute.js';
import { parseRow } from './parse-row.js';
import { countRows, loadRun, RESOLUTIONS, type RunRow } from './store.js';
import { loadReferences } from './target.js';
import { OrgIndex } from './plan/org-index.js';
import { addProblem } from './plan/resolve.js';
import { departmentNamedLikeTeam } from './plan/structure.js';
import type { Quarantine } from './reasons.js';
import { loadScenario } from '../scenarios/store.js';
import type { OrgGraph } from '../org/types.js';

/**
 * Quarantine review (reference/fix-common-import-errors.md): list a run's rows by status or resolution, fix a
 * quarantined row's cells in place (it is queued for reprocessing), or ignore it. Reprocessing is a run step
 * (runs.ts `reprocessRun`) with the same rules as the import.
 */
const ROW_STATUSES = ['pending', 'imported', 'quarantined', 'ignored'] as const;

export async function listRows(
  ctx: ServiceContext,
  runId: string,
  filter: { status?: string | null; resolution?: string | null; quarantined?: boolean; limit?: number; cursor?: string | null } = {},
) {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  const limit = checkLimit(filter.limit);
  if (filter.status && !(ROW_STATUSES as readonly string[]).includes(filter.status)) throw new InvalidInput('status', `must be one of ${ROW_STATUSES.join(', ')}`);
  if (filter.resolution && !(RESOLUTIONS as readonly string[]).includes(filter.resolution)) throw new InvalidInput('resolution', `must be one of ${RESOLUTIONS.join(', ')}`);
  const conditions = [eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id)];
  if (filter.quarantined) conditions.push(isNotNull(importRows.resolution));
  if (filter.status) conditions.push(eq(importRows.status, filter.status));
  if (filter.resolution) conditions.push(eq(importRows.resolution, filter.resolution));
  // The run is part of the query: a cursor of one run's rows is not another run's.
  const query = queryFingerprint({ ...filter, runId: run.id });
  if (filter.cursor) {
    const [after] = decodeCursor(filter.cursor, 'import-rows', query);
    if (typeof after !== 'number') throw new InvalidInput('cursor', 'not a cursor this server issued; start again without it');
    conditions.push(gt(importRows.rowNumber, after));
  }
  const rows = await ctx.db.select().from(importRows).where(and(...conditions)).orderBy(asc(importRows.rowNumber)).limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map((r) => presentRow(r, run.mapping as ColumnMapping[], ctx.principal)), nextCursor: rows.length > limit && last ? encodeCursor([last.rowNumber], 'import-rows', query) : null };
}

/** How many of a run's quarantined rows have each resolution now (the run's summary holds them as of its last step). */
export async function countRowsByResolution(ctx: ServiceContext, runId: string): Promise<Record<string, number>> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  return (await countRows(ctx.db, ctx.tenant.id, run.id)).byResolution;
}

export async function getRow(ctx: ServiceContext, runId: string, rowNumber: number): Promise<RowOut> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  return presentRow(await loadRow(ctx, run, rowNumber), run.mapping as ColumnMapping[], ctx.principal);
}

/**
 * Fixes a quarantined row in place: `values` keyed by header, mapped field name or column index. The row is queued
 * (`reprocessing`) for the next reprocess step. An ignored row can be fixed and queued again.
 */
export async function fixRow(ctx: ServiceContext, runId: string, rowNumber: number, values: Record<string, string | null>): Promise<RowOut> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  const row = await reviewable(ctx, run, rowNumber);
  const mapping = run.mapping as ColumnMapping[];
  // Cells beyond the header (a malformed row) are dropped once a person has reviewed the row.
  const next = row.values.slice(0, run.headers.length);
  while (next.length < run.headers.length) next.push('');
  const changed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const column = columnOf(mapping, key);
    if (column === null) throw new InvalidInput(`values.${key.slice(0, 40)}`, 'is not a column of this file (use a header, a mapped field name or a column index)');
    // Named by its header too: a column index alone (`values.8`) means nothing to the person who typed it.
    const header = mapping[column]?.header;
    const named = header && header !== key ? `(“${header.slice(0, 40)}”) ` : '';
    if (value !== null && typeof value !== 'string') throw new InvalidInput(`values.${key.slice(0, 40)}`, `${named}must be a string`);
    if (value !== null && value.length > 10_000) throw new InvalidInput(`values.${key.slice(0, 40)}`, `${named}must be at most 10,000 characters`);
    const field = mapping[column]?.field;
    if (field && MONEY_IMPORT_FIELDS.has(field) && !can(ctx.principal, 'costs.read')) throw new MissingAbility('costs.read');
    next[column] = value ?? '';
    changed.push(mapping[column]?.header ?? String(column));
  }
  const [updated] = await ctx.db
    .update(importRows)
    .set({ values: next, original: row.original ?? row.values, resolution: 'reprocessing', status: 'quarantined', resolvedBy: ctx.principal.userId, updatedAt: sql`now()` })
    .where(and(eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id), eq(importRows.rowNumber, rowNumber)))
    .returning();
  await audit(ctx, run, rowNumber, 'fixed', { columns: changed });
  return presentRow(updated!, mapping, ctx.principal);
}

/**
 * Rows queued for reprocessing read again as they are now, each alone, with the import's rules: null when a row reads
 * well, else the reason it would still be quarantined — its cells, and a department it would create beside a team of
 * that name in the organisation it imports into. What needs the whole file — duplicates, managers, loops — is
 * checked when the rows are reprocessed.
 */
export async function checkQueuedRows(ctx: ServiceContext, runId: string, rows: readonly RowOut[]): Promise<Map<number, RowReason | null>> {
  authorize(ctx.principal, 'imports.manage');
  const queued = rows.filter((r) => r.resolution === 'reprocessing');
  const checks = new Map<number, RowReason | null>();
  if (!queued.length) return checks;
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  const parse = parseContext(run, await loadReferences(ctx, run.options.create_missing_types === true));
  const stored = await ctx.db
    .select({ rowNumber: importRows.rowNumber, values: importRows.values })
    .from(importRows)
    .where(and(eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id), inArray(importRows.rowNumber, queued.map((r) => r.row_number))));
  // The organisation the run imports into, read only when a queued row names a department (built once).
  let index: OrgIndex | null = null;
  const target = async () => (index ??= new OrgIndex(await targetGraph(ctx, run), parse.today));
  for (const row of stored) {
    const parsed = parseRow(row.rowNumber, row.values, parse);
    const problems = new Map<number, Quarantine>(parsed.reason ? [[row.rowNumber, parsed.reason]] : []);
    // A department beside a team of its name is known from the row and the organisation alone, as the import checks it.
    const cells = parsed.input ?? parsed.partial;
    const clash = cells?.department ? departmentNamedLikeTeam(cells, await target()) : undefined;
    if (clash) addProblem(problems, row.rowNumber, clash);
    const reason = problems.get(row.rowNumber);
    checks.set(row.rowNumber, reason ? presentReason(reason, ctx.principal) : null);
  }
  return checks;
}

/** The graph a run imports into: its scenario's, else Live's. */
async function targetGraph(ctx: ServiceContext, run: RunRow): Promise<OrgGraph> {
  if (run.targetKind === 'scenario' && run.targetScenarioId) return ctx.graphs.scenario(await loadScenario(ctx.db, ctx.tenant.id, run.targetScenarioId));
  return (await ctx.graphs.live(ctx.tenant.id)).graph;
}

export type RowReason = NonNullable<RowOut['reason']>;

/** Leaves a quarantined row out of the import for good (it can still be fixed and queued again). */
export async function ignoreRow(ctx: ServiceContext, runId: string, rowNumber: number): Promise<RowOut> {
  authorize(ctx.principal, 'imports.manage');
  const run = await loadRun(ctx.db, ctx.tenant.id, runId);
  await reviewable(ctx, run, rowNumber);
  const [updated] = await ctx.db
    .update(importRows)
    .set({ resolution: 'ignored', status: 'ignored', resolvedBy: ctx.principal.userId, updatedAt: sql`now()` })
    .where(and(eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id), eq(importRows.rowNumber, rowNumber)))
    .returning();
  await audit(ctx, run, rowNumber, 'ignored', {});
  return presentRow(updated!, run.mapping as ColumnMapping[], ctx.principal);
}

/** A row number the run does not have: say which numbers it has (not "check the id; it must belong to this tenant"). */
function noSuchRow(run: RunRow, rowNumber: number): AppError {
  const rows = run.rowCount === 0 ? 'its file has no data rows' : run.rowCount === 1 ? 'its file has one data row, number 1' : `its file has ${run.rowCount} data rows, numbered 1 to ${run.rowCount}`;
  return new AppError('not_found', 404, `This import has no row ${rowNumber}: ${rows}.`, 'Row numbers count the data rows from 1 (the header is not counted); the run’s row list shows each row’s number.', { id: String(rowNumber) });
}

async function loadRow(ctx: ServiceContext, run: RunRow, rowNumber: number) {
  if (!Number.isInteger(rowNumber) || rowNumber < 1) throw noSuchRow(run, rowNumber);
  const [row] = await ctx.db
    .select()
    .from(importRows)
    .where(and(eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id), eq(importRows.rowNumber, rowNumber)));
  if (!row) throw noSuchRow(run, rowNumber);
  return row;
}

async function reviewable(ctx: ServiceContext, run: RunRow, rowNumber: number) {
  if (run.status === 'processing') throw new Conflict('This import is running; review its rows when it has finished.');
  // Its rows could be fixed but never imported (reprocessing an undone run is refused): say so now, not after the work.
  if (undoOf(run)) throw new Conflict('This import has been undone; its rows can no longer be fixed or imported.', 'Upload the file again to import it anew.', { run_status: run.status });
  const row = await loadRow(ctx, run, rowNumber);
  if (row.resolution === null || row.resolution === 'fixed') {
    const imported = row.status === 'imported';
    throw new Conflict(
      'Only quarantined rows can be fixed or ignored; this row was ' + (imported ? 'imported.' : 'not processed yet.'),
      imported
        ? 'To change what it imported, edit the record in Orgonaut or import a corrected file.'
        : 'Start the import first: its rows are checked when it runs, and those it quarantines can then be fixed or ignored.',
      { row_status: row.status },
    );
  }
  return row;
}

function columnOf(mapping: ColumnMapping[], key: string): number | null {
  if (/^\d+$/.test(key)) {
    const n = Number(key);
    return n < mapping.length ? n : null;
  }
  return mapping.find((m) => m.header === key)?.column ?? mapping.find((m) => m.field === key)?.column ?? null;
}

async function audit(ctx: ServiceContext, run: RunRow, rowNumber: number, action: string, metadata: Record<string, unknown>) {
  await recordAudit(ctx.db, {
    tenantId: ctx.tenant.id,
    category: 'model',
    entityType: 'import_row',
    entityId: `${run.id}:${rowNumber}`,
    action,
    principal: ctx.principal,
    scenarioId: run.targetKind === 'scenario' ? run.targetScenarioId : null,
    metadata: { import_run_id: run.id, row_number: rowNumber, ...metadata },
    requestId: ctx.requestId ?? null,
  });
}
