import { can, type Principal } from '../access/policy.js';
import { MONEY_IMPORT_FIELDS, type ColumnMapping, type ImportField } from './fields.js';
import type { ProgressState } from './progress.js';
import { dateOrderOf } from './parse-row.js';
import { REASONS, type ReasonCode } from './reasons.js';
import type { ImportRowRecord, Resolution, RunRow } from './store.js';
import { withoutMoneyFields } from '../org/read-history.js';
import { CHANGED_UNITS, FOUND_THEN } from './finalize.js';

/**
 * What leaves the server about runs and rows. Pay never leaves without `costs.read`: the money figure of the
 * summary's deltas and the cells of pay columns are dropped. A scenario target is named (`targetScenarioNames`) for a
 * principal who may read scenarios.
 */
export function presentRun(run: RunRow, principal: Principal, scenarioNames: ReadonlyMap<string, string> = new Map()) {
  const showMoney = can(principal, 'costs.read');
  const progress = run.progress as Partial<ProgressState>;
  return {
    id: run.id,
    status: run.status as 'pending' | 'processing' | 'completed' | 'failed',
    source: run.source,
    format: run.format,
    file: { name: run.fileName, bytes: run.fileBytes, sha256: run.fileSha256, delimiter: run.delimiter, rows: run.rowCount },
    target: presentTarget(run, principal, scenarioNames),
    mapping: run.mapping.map((m) => ({ column: m.column, header: m.header, field: m.field as ImportField | null })),
    options: { create_missing_types: run.options.create_missing_types === true, date_order: dateOrderOf(run.options) },
    step: run.step,
    progress: { stage: progress.stage ?? null, percent: progress.percent ?? (run.status === 'completed' ? 100 : 0), stages: progress.stages ?? [], live_version: progress.live_version ?? null },
    summary: run.summary ? (showMoney ? shownSummary(run.summary) : withoutMoney(shownSummary(run.summary))) : null,
    error: run.error ? { code: run.errorCode ?? 'failed', message: run.error } : null,
    task_id: run.taskId,
    snapshot_id: run.snapshotId,
    live_version_before: run.liveVersionBefore,
    live_version_after: run.liveVersionAfter,
    created_by: run.createdBy,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}

export type RunOut = ReturnType<typeof presentRun>;

/**
 * Where a run imports, the same on every surface (REST, the operational status, sync answers) whatever started it:
 * Live with a null scenario id and name, or a scenario by id, named for a principal who may read scenarios.
 */
export function presentTarget(run: Pick<RunRow, 'targetKind' | 'targetScenarioId'>, principal: Principal, scenarioNames: ReadonlyMap<string, string>) {
  return run.targetKind === 'scenario'
    ? { kind: 'scenario' as const, scenario_id: run.targetScenarioId, scenario_name: (can(principal, 'scenarios.read') && run.targetScenarioId && scenarioNames.get(run.targetScenarioId)) || null }
    : { kind: 'live' as const, scenario_id: null, scenario_name: null };
}

/** The summary as clients see it: what the run keeps for its later steps (record ids) stays inside. */
function shownSummary(summary: Record<string, unknown>): Record<string, unknown> {
  if (!(CHANGED_UNITS in summary) && !(FOUND_THEN in summary)) return summary;
  const { [CHANGED_UNITS]: _kept, [FOUND_THEN]: _found, ...shown } = summary;
  return shown;
}

/**
 * The summary without pay: the money figure (and its currency) of the deltas is dropped from the summary and from
 * every step of it (each step records its own deltas).
 */
function withoutMoney(summary: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = stripDeltas(summary);
  if (Array.isArray(summary.steps)) out.steps = summary.steps.map((s: unknown) => (s && typeof s === 'object' && !Array.isArray(s) ? stripDeltas(s as Record<string, unknown>) : s));
  return out;
}

function stripDeltas(entry: Record<string, unknown>): Record<string, unknown> {
  const { deltas, ...rest } = entry as { deltas?: unknown };
  if (deltas === undefined) return rest;
  if (deltas === null || typeof deltas !== 'object' || Array.isArray(deltas)) return { ...rest, deltas };
  return { ...rest, deltas: withoutMoneyFields(deltas) };
}

/** A row with its cells by header (pay columns hidden without `costs.read`) and, when quarantined, why and what to do. */
export function presentRow(row: ImportRowRecord, mapping: readonly ColumnMapping[], principal: Principal) {
  const showMoney = can(principal, 'costs.read');
  const cells = (values: readonly (string | null)[]) =>
    mapping.map((m) => ({ column: m.column, header: m.header, field: m.field, value: !showMoney && m.field && MONEY_IMPORT_FIELDS.has(m.field) ? null : (values[m.column] ?? null), hidden: !showMoney && !!m.field && MONEY_IMPORT_FIELDS.has(m.field as ImportField) }));
  const code = row.reasonCode as ReasonCode | null;
  return {
    row_number: row.rowNumber,
    line: row.line,
    status: row.status as 'pending' | 'imported' | 'quarantined' | 'ignored',
    outcome: row.outcome as 'created' | 'updated' | 'unchanged' | null,
    resolution: row.resolution as Resolution | null,
    reason: code ? presentReason({ code, field: row.reasonField, detail: row.reasonDetail ?? '', others: row.reasonOthers }, principal) : null,
    actor_id: row.actorId,
    cells: cells(row.values),
    original_cells: row.original ? cells(row.original) : null,
    step: row.step,
    updated_at: row.updatedAt.toISOString(),
  };
}

export type RowOut = ReturnType<typeof presentRow>;

type StoredProblem = { code: string; field: string | null; detail: string };

/**
 * A problem with what to do about it (null for a code this version does not know). The detail of a problem in a pay
 * column quotes the cell: without `costs.read` it is not shown (the code, field and fix still are).
 */
function presentProblem(p: StoredProblem, showMoney: boolean) {
  const hidden = !showMoney && p.field !== null && MONEY_IMPORT_FIELDS.has(p.field as ImportField);
  return { code: p.code as ReasonCode, field: p.field, detail: hidden ? null : p.detail, fix: (REASONS as Record<string, { fix: string }>)[p.code]?.fix ?? null };
}

/**
 * A row's reason for people and programs: its first problem (what summaries count) with what to do, and `others`,
 * every further problem found on the row, each with what to do — empty when the reason is the only one.
 */
export function presentReason(q: StoredProblem & { others?: readonly StoredProblem[] | null }, principal: Principal) {
  const showMoney = can(principal, 'costs.read');
  return { ...presentProblem(q, showMoney), others: (q.others ?? []).map((p) => presentProblem(p, showMoney)) };
}
