import { and, eq } from 'drizzle-orm';
import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { insertJsonRows } from '../db/live-store.js';
import { auditEvents, departmentTypes, teamTypes, tenantCurrencies } from '../db/schema/index.js';
import { today } from '../org/dates.js';
import { newId as freshId } from '../util/ids.js';
import { recordsOf, type Family, type OrgGraph } from '../org/types.js';
import type { ChangeCommand } from './commands.js';
import { ENTITY_TYPES } from '../org/family-names.js';
import { foldEdit, type RecordEdit } from './edits.js';
import { assertMutableScenario } from './lifecycle.js';
import type { ReferenceLists } from './ops/context.js';
import type { ScenarioChange } from './overlay.js';
import { parseCommands, runCommands, type BatchResult } from './run-commands.js';
import { loadScenario, saveChanges, type Scenario } from './store.js';

/** Applying a batch of change commands to a planning scenario: validate all, then save all in one transaction. */

export async function loadReferenceLists(ctx: ServiceContext): Promise<ReferenceLists> {
  const [currencies, departments, teams] = await Promise.all([
    ctx.db.select({ code: tenantCurrencies.code }).from(tenantCurrencies).where(and(eq(tenantCurrencies.tenantId, ctx.tenant.id), eq(tenantCurrencies.active, true))),
    ctx.db.select({ id: departmentTypes.id }).from(departmentTypes).where(eq(departmentTypes.tenantId, ctx.tenant.id)),
    ctx.db.select({ id: teamTypes.id }).from(teamTypes).where(eq(teamTypes.tenantId, ctx.tenant.id)),
  ]);
  return {
    activeCurrencies: new Set(currencies.map((c) => c.code)),
    departmentTypes: new Set(departments.map((d) => d.id)),
    teamTypes: new Set(teams.map((t) => t.id)),
  };
}

export interface PreparedBatch extends BatchResult {
  scenario: Scenario;
  commands: ChangeCommand[];
  /** The ids the batch created, in order: a proposal replays them so confirm creates the same records. */
  ids: string[];
  /** The scenario's graph before the batch (for before/after in the audit trail and previews). */
  before: OrgGraph;
}

/** Validates a batch against a scenario without saving anything. `ids` replays the ids of an earlier run. */
export async function prepareBatch(ctx: ServiceContext, scenarioId: string, raw: unknown, ids?: readonly string[]): Promise<PreparedBatch> {
  authorize(ctx.principal, 'scenarios.write');
  const commands: ChangeCommand[] = parseCommands(raw);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  assertMutableScenario(scenario);
  const before = await ctx.graphs.scenario(scenario);
  const used: string[] = [];
  let replay = 0;
  const newId = () => {
    const id = ids?.[replay++] ?? freshId();
    used.push(id);
    return id;
  };
  const result = runCommands(ctx.principal, before, commands, { today: today(), references: await loadReferenceLists(ctx), newId });
  return { ...result, scenario, commands, ids: used, before };
}

export interface BatchOutcome {
  scenario_id: string;
  revision: number;
  commands: number;
  records_changed: number;
  created: BatchResult['created'];
}

/**
 * Saves a prepared batch: folds its edits into the scenario's overlay and writes them, with one audit entry per
 * changed record (before/after, the user and — for AI changes — the MCP client), under the revision it was
 * validated against (a concurrent batch makes this one fail with nothing saved).
 */
export async function savePreparedBatch(
  ctx: ServiceContext,
  batch: PreparedBatch,
  inTransaction?: (tx: ServiceContext['db'], outcome: BatchOutcome) => Promise<void>,
): Promise<BatchOutcome> {
  const { scenario } = batch;
  const source = await ctx.graphs.source(scenario);
  const existing = new Map((await ctx.graphs.changes(scenario)).map((c) => [`${c.family}:${c.recordId}`, c]));
  // A record the batch created and removed again, with no change before it, leaves nothing to write or count.
  const folded = foldEdits(source.graph, existing, batch.edits, scenario.revision + 1).filter(
    (f) => f.change !== null || existing.has(`${f.family}:${f.recordId}`),
  );
  return ctx.db.transaction(async (tx) => {
    const revision = await saveChanges(tx, ctx.tenant.id, scenario.id, folded, scenario.revision);
    await auditBatch(ctx, tx, batch, revision);
    const outcome = { scenario_id: scenario.id, revision, commands: batch.commands.length, records_changed: folded.length, created: batch.created };
    await inTransaction?.(tx, outcome);
    return outcome;
  });
}

/** Parses, validates and saves a batch in one call (REST and pages). */
export async function applyBatch(ctx: ServiceContext, scenarioId: string, raw: unknown): Promise<BatchOutcome> {
  return savePreparedBatch(ctx, await prepareBatch(ctx, scenarioId, raw));
}

/** The final change of every record the edits touched (null: it no longer differs from the source). */
export function foldEdits(
  source: OrgGraph,
  existing: Map<string, ScenarioChange>,
  edits: readonly RecordEdit[],
  revision: number,
): { family: Family; recordId: string; change: ScenarioChange | null }[] {
  const touched = new Map<string, { family: Family; recordId: string; change: ScenarioChange | null }>();
  for (const edit of edits) {
    const key = `${edit.family}:${edit.recordId}`;
    const current = touched.has(key) ? touched.get(key)!.change ?? undefined : existing.get(key);
    const sourceRecord = recordsOf(source, edit.family).get(edit.recordId);
    touched.set(key, { family: edit.family, recordId: edit.recordId, change: foldEdit(current, sourceRecord, edit, revision) });
  }
  return [...touched.values()];
}

const AUDIT_FIELDS = [
  'tenantId',
  'category',
  'entityType',
  'entityId',
  'action',
  'userId',
  'principalKind',
  'clientId',
  'clientName',
  'scenarioId',
  'before',
  'after',
  'metadata',
  'requestId',
];

async function auditBatch(ctx: ServiceContext, tx: ServiceContext['db'], batch: PreparedBatch, revision: number) {
  const keys = new Map<string, { family: Family; id: string }>();
  for (const edit of batch.edits) keys.set(`${edit.family}:${edit.recordId}`, { family: edit.family, id: edit.recordId });
  const rows = [...keys.values()].flatMap(({ family, id }) => {
    const before = (batch.before[family] as Map<string, unknown>).get(id) ?? null;
    const after = (batch.graph[family] as Map<string, unknown>).get(id) ?? null;
    // A record the batch created and removed again (a change replaced the same day) was never there: nothing to log.
    if (before === null && after === null) return [];
    return [{
      tenantId: ctx.tenant.id,
      category: 'model',
      entityType: ENTITY_TYPES[family],
      entityId: id,
      action: before === null ? 'created' : after === null ? 'deleted' : 'updated',
      userId: ctx.principal.userId,
      principalKind: ctx.principal.kind,
      clientId: ctx.principal.clientId ?? null,
      clientName: ctx.principal.clientName ?? null,
      scenarioId: batch.scenario.id,
      before,
      after,
      metadata: { revision },
      requestId: ctx.requestId ?? null,
    }];
  });
  // One statement per 2,000 entries, the rows as one JSON parameter (see insertJsonRows).
  for (let i = 0; i < rows.length; i += 2_000) await insertJsonRows(tx, auditEvents, AUDIT_FIELDS, rows.slice(i, i + 2_000));
}
