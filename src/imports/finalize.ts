import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import type { Db } from '../db/connection.js';
import { writeLive } from '../db/live-store.js';
import { departmentTypes, lineageEntries, teamTypes } from '../db/schema/index.js';
import { Conflict } from '../errors.js';
import { FAMILIES, type Family, type OrgGraph } from '../org/types.js';
import { foldEdits } from '../scenarios/apply-batch.js';
import { lineageDeltas } from '../scenarios/promotion.js';
import { loadChanges, saveChanges, type Scenario } from '../scenarios/store.js';
import { insertScenario } from '../scenarios/store.js';
import type { ImportPlan } from './plan/plan.js';
import type { ActorThen } from './plan/since.js';
import type { TypeRegistry } from './plan/structure.js';
import type { ProgressTracker } from './progress.js';
import { REASONS, type ReasonCode } from './reasons.js';
import { countRows, saveRowResults, updateRun, type RunRow } from './store.js';

/**
 * The finalize stage: ONE transaction writes the import and every row's outcome, and completes the run.
 * Into Live: a snapshot of Live first (O(1): a Live version), the changed records as one new Live version, a lineage
 * entry (type `import`) and an activity-log entry. Nothing changed → no snapshot, no new version. Into a scenario:
 * the records folded into its overlay, like any change batch.
 */
export interface Step {
  run: RunRow;
  plan: ImportPlan;
  tracker: ProgressTracker;
  types: TypeRegistry['created'];
}

export async function finalizeLive(ctx: ServiceContext, step: Step, liveVersion: number, base: OrgGraph): Promise<RunRow> {
  const { run, plan } = step;
  const changed = plan.changes.size > 0;
  const target = changed ? plan.changes.target() : base;
  const deltas = changed ? await lineageDeltas(ctx, base, target) : null;
  const written = await ctx.db.transaction(async (tx) => {
    let version = liveVersion;
    let snapshotId: string | null = null;
    if (changed) {
      const snapshot = await insertScenario(tx, ctx.tenant.id, {
        name: `Live before import ${run.fileName ? `“${run.fileName}”` : run.id.slice(0, 8)}`,
        description: snapshotDescription(run),
        kind: 'snapshot',
        liveVersion,
        createdBy: ctx.principal.userId,
      });
      snapshotId = snapshot.id;
      await insertTypes(tx, ctx.tenant.id, step.types);
      version = await writeLive(tx, ctx.tenant.id, plan.changes.liveWrite());
      if (version !== liveVersion + 1) throw new Conflict('Live changed while this import was running; nothing was applied.', 'Start the import again.');
      await tx.insert(lineageEntries).values({ tenantId: ctx.tenant.id, type: 'import', fromSnapshotId: snapshotId, toScenarioId: null, liveVersion: version, userId: ctx.principal.userId, deltas: { ...deltas, import_run_id: run.id } });
    }
    const live = { version_before: liveVersion, version_after: version, snapshot_id: snapshotId, changed };
    return complete(ctx, tx, step, { live, deltas }, { snapshotId: run.snapshotId ?? snapshotId, liveVersionBefore: run.liveVersionBefore ?? liveVersion, liveVersionAfter: version });
  });
  if (changed) ctx.graphs.prime(ctx.tenant.id, written.liveVersionAfter!, target);
  return written;
}

export async function finalizeScenario(ctx: ServiceContext, step: Step, scenario: Scenario, base: OrgGraph): Promise<RunRow> {
  const { plan } = step;
  const source = await ctx.graphs.source(scenario);
  const existing = new Map((await loadChanges(ctx.db, ctx.tenant.id, scenario.id)).map((c) => [`${c.family}:${c.recordId}`, c]));
  const folded = foldEdits(source.graph, existing, plan.changes.edits(), scenario.revision + 1);
  const deltas = plan.changes.size ? await lineageDeltas(ctx, base, plan.changes.target()) : null;
  return ctx.db.transaction(async (tx) => {
    let revision = scenario.revision;
    if (folded.length) {
      await insertTypes(tx, ctx.tenant.id, step.types);
      revision = await saveChanges(tx, ctx.tenant.id, scenario.id, folded, scenario.revision);
    }
    return complete(ctx, tx, step, { scenario: { scenario_id: scenario.id, revision, records_changed: folded.length }, deltas }, {}, foundThen(step.run, plan, base));
  });
}

/** Row outcomes, the run's summary, its completion and the activity-log entry — inside the step's transaction. */
async function complete(ctx: ServiceContext, tx: Db, step: Step, result: Record<string, unknown>, fields: Partial<RunRow>, kept: Record<string, unknown> = {}): Promise<RunRow> {
  const { run, plan } = step;
  await saveRowResults(tx, ctx.tenant.id, run.id, run.step, plan.rows);
  // `kept`: for the run's later steps only, never in the activity log or shown (present.ts).
  const summary = { ...(await buildSummary(tx, ctx, step, result)), ...kept };
  await recordAudit(tx, {
    tenantId: ctx.tenant.id,
    category: 'model',
    entityType: 'import_run',
    entityId: run.id,
    action: run.step > 1 ? 'reprocessed' : 'imported',
    principal: ctx.principal,
    scenarioId: run.targetKind === 'scenario' ? run.targetScenarioId : null,
    after: { step: run.step, source: run.source, file_name: run.fileName, rows: summary.rows, families: summary.families, ...result },
    requestId: ctx.requestId ?? null,
  });
  return updateRun(tx, ctx.tenant.id, run.id, { ...fields, status: 'completed', summary, progress: { ...step.tracker.finished() }, finishedAt: new Date(), workerId: null, error: null, errorCode: null });
}

/**
 * What the snapshot says it was taken before, for a person: the file and when it came, as the imports list shows it
 * (the run's id is kept where it links: the lineage entry and the run's own page).
 */
function snapshotDescription(run: RunRow): string {
  const file = run.fileName ? `“${run.fileName}”` : 'a file';
  const at = `${run.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const what = `${run.step > 1 ? 'reprocessing rows of ' : ''}the import of ${file}, ${run.source === 'upload' ? 'uploaded' : 'received'} ${at}`;
  return `Taken automatically before ${what}. Restore it to undo the import.`;
}

type Counts = { created: number; updated: number; unchanged: number; quarantined: number };

async function buildSummary(tx: Db, ctx: ServiceContext, step: Step, result: Record<string, unknown>) {
  const { run, plan } = step;
  const rows = await countRows(tx, ctx.tenant.id, run.id);
  const previous = (run.summary?.families ?? {}) as Partial<Record<Family, Counts>>;
  const earlierChanged = run.summary?.[CHANGED_UNITS] as ChangedUnits | undefined;
  const families = {} as Record<Family, Counts>;
  for (const family of FAMILIES) {
    const now = plan.families[family];
    const was = previous[family];
    // A step counts what it went through that earlier steps had not (plan.ts): the run's totals add its steps up. A
    // unit an earlier step went through and this one changes is one record: counted once, in the run's column for it.
    let { created, updated, unchanged } = { created: (was?.created ?? 0) + now.created, updated: (was?.updated ?? 0) + now.updated, unchanged: (was?.unchanged ?? 0) + now.unchanged };
    if (earlierChanged) {
      const changedBefore = new Set(earlierChanged[family] ?? []);
      for (const id of plan.revisited[family] ?? []) {
        if (changedBefore.has(id)) updated--; // created or updated by an earlier step: counted there
        else unchanged--; // an earlier step counted it unchanged: updated now
      }
    }
    families[family] = { created, updated, unchanged, quarantined: 0 };
  }
  for (const [code, n] of Object.entries(rows.openReasons)) {
    const family = REASONS[code as ReasonCode]?.family;
    if (family) families[family].quarantined += n;
  }
  const stepRows = { processed: plan.rows.size, imported: 0, quarantined: 0 };
  for (const r of plan.rows.values()) stepRows[r.status]++;
  const steps = [...((run.summary?.steps as unknown[]) ?? []), { step: run.step, finished_at: new Date().toISOString(), rows: stepRows, families: plan.families, ...result }];
  // The run's deltas add its steps' up, as its rows and families do (each step keeps its own in `steps`): a run that
  // created 6 people over two steps says headcount +6, not the last step's +4.
  const deltas = steps.length > 1 ? (steps as { deltas?: Deltas | null }[]).reduce<Deltas | null>((total, s) => addDeltas(total, s.deltas), null) : result.deltas;
  // So does `live`: the version before the first step and after the last — a reprocess that changed nothing more
  // still says the run made the version its first step made.
  const live = steps.length > 1 && result.live ? runLive(steps as { live?: LiveStep }[]) : undefined;
  // Kept for a later step while rows could still come back (quarantined or ignored rows can be fixed); not shown.
  const reviewable = rows.quarantined + rows.ignored + rows.pending > 0;
  const changedUnits = reviewable ? unitsChanged(earlierChanged, plan) : undefined;
  return {
    rows: {
      total: rows.total,
      imported: rows.imported,
      created: rows.byOutcome.created ?? 0,
      updated: rows.byOutcome.updated ?? 0,
      unchanged: rows.byOutcome.unchanged ?? 0,
      quarantined: rows.quarantined,
      ignored: rows.ignored,
      not_processed: rows.pending,
    },
    families,
    quarantine: { reasons: rows.openReasons, resolutions: rows.byResolution },
    ...result,
    ...(deltas !== undefined ? { deltas } : {}),
    ...(live ? { live } : {}),
    steps,
    ...(changedUnits ? { [CHANGED_UNITS]: changedUnits } : {}),
  };
}

type LiveStep = { version_before: number; version_after: number; snapshot_id: string | null; changed: boolean };

/**
 * What a run's steps did to Live, as one: the version before the first and after the last that changed it (else after
 * the last), the snapshot taken before the first change (restoring it undoes the run).
 */
function runLive(steps: readonly { live?: LiveStep }[]): LiveStep {
  const lives = steps.flatMap((s) => (s.live ? [s.live] : []));
  const changed = lives.filter((l) => l.changed);
  return {
    version_before: lives[0]!.version_before,
    version_after: (changed.at(-1) ?? lives.at(-1)!).version_after,
    snapshot_id: changed[0]?.snapshot_id ?? null,
    changed: changed.length > 0,
  };
}

type Deltas = { headcount?: number; fte?: number; effective_fte?: number; monthly_cost_minor?: number | null; monthly_cost_unconvertible?: string[]; currency?: string };

/**
 * Two steps' metric deltas as one (null: a step that changed nothing). Money adds up in one reporting currency, and
 * is unknown (null) when a step's is, with every currency that could not be converted.
 */
function addDeltas(before: Deltas | null | undefined, step: Deltas | null | undefined): Deltas | null {
  if (!before) return step ?? null;
  if (!step) return before;
  const sum = (a: number | undefined, b: number | undefined) => Math.round(((a ?? 0) + (b ?? 0)) * 100) / 100;
  const money = typeof before.monthly_cost_minor === 'number' && typeof step.monthly_cost_minor === 'number' && before.currency === step.currency ? before.monthly_cost_minor + step.monthly_cost_minor : null;
  const unconvertible = [...new Set([...(before.monthly_cost_unconvertible ?? []), ...(step.monthly_cost_unconvertible ?? [])])];
  return {
    headcount: sum(before.headcount, step.headcount),
    fte: sum(before.fte, step.fte),
    effective_fte: sum(before.effective_fte, step.effective_fte),
    monthly_cost_minor: money,
    ...(unconvertible.length ? { monthly_cost_unconvertible: unconvertible } : {}),
    currency: step.currency,
  };
}

/**
 * `summary.changed_units`: per unit family, the ids of the records the run's steps created or changed, so that a later
 * step changing one again does not count it twice (org units are only created or gone through by an import).
 */
export const CHANGED_UNITS = 'changed_units';

/**
 * `summary.found_then` (scenario runs): the people the rows left quarantined found — this step's and earlier steps' —
 * as the scenario is once the step is done; a reprocess compares them with the scenario as it is then (since.ts), as
 * one into Live compares with the Live version the last step left. Live runs need none: Live keeps its versions.
 */
export const FOUND_THEN = 'found_then';

function foundThen(run: RunRow, plan: ImportPlan, base: OrgGraph): Record<string, unknown> {
  const after = plan.changes.size ? plan.changes.target() : base;
  const ids = new Set([...((run.summary?.[FOUND_THEN] as ActorThen[] | undefined) ?? []).map((a) => a.id), ...plan.foundByQuarantined]);
  const found: ActorThen[] = [];
  for (const id of ids) {
    const actor = after.actors.get(id);
    if (actor) found.push({ id, displayName: actor.displayName, email: actor.email, sourceHris: actor.sourceHris, sourceHrisId: actor.sourceHrisId, validTo: actor.validTo });
  }
  return found.length ? { [FOUND_THEN]: found } : {};
}
type ChangedUnits = Partial<Record<Family, string[]>>;
const UNIT_FAMILIES = ['departments', 'teams'] as const satisfies readonly Family[];

function unitsChanged(earlier: ChangedUnits | undefined, plan: ImportPlan): ChangedUnits {
  const out: ChangedUnits = {};
  for (const family of UNIT_FAMILIES) {
    const ids = new Set([...(earlier?.[family] ?? []), ...plan.changes.changedIds(family)]);
    if (ids.size) out[family] = [...ids];
  }
  return out;
}

async function insertTypes(tx: Db, tenantId: string, types: TypeRegistry['created']): Promise<void> {
  if (types.departmentTypes.length) await tx.insert(departmentTypes).values(types.departmentTypes.map((t) => ({ tenantId, id: t.id, name: t.name })));
  if (types.teamTypes.length) await tx.insert(teamTypes).values(types.teamTypes.map((t) => ({ tenantId, id: t.id, name: t.name })));
}

