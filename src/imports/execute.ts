import type { ServiceContext } from '../context.js';
import { today } from '../org/dates.js';
import { planLimitRefusal } from '../tenancy/plan-limits.js';
import { actorAllowance } from '../tenancy/plans.js';
import { assertMutableScenario } from '../scenarios/lifecycle.js';
import { loadScenario } from '../scenarios/store.js';
import type { ColumnMapping, ImportFormat } from './fields.js';
import { FOUND_THEN, finalizeLive, finalizeScenario } from './finalize.js';
import { dateOrderOf, type ParseContext } from './parse-row.js';
import { planImport, type ImportPlan } from './plan/plan.js';
import type { ProgressTracker } from './progress.js';
import { LiveSince, type ActorThen } from './plan/since.js';
import { actorsChangedSince, countRowsToProcess, importedRows, liveRecordsEnteredToday, rowsToProcess, type RunRow } from './store.js';
import { loadReferences, type References } from './target.js';

/**
 * The work of one run step, in the background: read the step's rows page by page, plan (parse → … →
 * compensations, nothing written), refuse an import beyond the actor allowance, then finalize in ONE transaction
 * (finalize.ts). A crash anywhere leaves Live and the rows exactly as they were.
 */
export async function executeStep(ctx: ServiceContext, run: RunRow, reprocess: boolean, tracker: ProgressTracker): Promise<RunRow> {
  const { db, tenant } = ctx;
  const total = await countRowsToProcess(db, tenant.id, run.id, reprocess);
  const references = await loadReferences(ctx, run.options.create_missing_types === true);
  const scenario = run.targetKind === 'scenario' && run.targetScenarioId ? await loadScenario(db, tenant.id, run.targetScenarioId) : null;
  if (scenario) assertMutableScenario(scenario);
  const live = scenario ? null : await ctx.graphs.live(tenant.id);
  if (live) tracker.reads(live.version);
  const base = scenario ? await ctx.graphs.scenario(scenario) : live!.graph;
  const parse = parseContext(run, references);
  const plan = await planImport({
    rows: () => rowsToProcess(db, tenant.id, run.id, reprocess),
    total,
    earlier: run.step > 1 ? () => importedRows(db, tenant.id, run.id) : undefined,
    parse,
    base,
    companyName: tenant.name,
    types: references.types,
    progress: (stage, done, of) => tracker.update(stage, done, of),
    enteredToday: scenario ? undefined : await liveRecordsEnteredToday(db, tenant.id, parse.today),
    since: live ? await liveSince(ctx, run, live.version) : scenario ? scenarioSince(run, scenario.name) : undefined,
  });
  if (!scenario) checkAllowance(ctx, plan);
  await tracker.update('finalize', 0, 1);
  const step = { run, plan, tracker, types: references.types.created };
  return scenario ? finalizeScenario(ctx, step, scenario, base) : finalizeLive(ctx, step, live!.version, base);
}

/** On reprocessing into Live, what changed in Live since the run's last step read it (none when nothing did). */
async function liveSince(ctx: ServiceContext, run: RunRow, now: number): Promise<LiveSince | undefined> {
  const read = run.liveVersionAfter;
  if (run.step < 2 || read === null || read >= now) return undefined;
  const { then, touched } = await actorsChangedSince(ctx.db, ctx.tenant.id, read);
  return LiveSince.live(read, now, then, touched);
}

/**
 * On reprocessing into a scenario, the people the quarantined rows found as the scenario was after the run's last step
 * (its edits, and Live's showing through, may have changed them since).
 */
function scenarioSince(run: RunRow, name: string): LiveSince | undefined {
  const then = run.summary?.[FOUND_THEN] as ActorThen[] | undefined;
  return run.step < 2 || !then?.length ? undefined : LiveSince.scenario(name, then);
}

export function parseContext(run: Pick<RunRow, 'mapping' | 'format' | 'headers' | 'options'>, references: References, day = today()): ParseContext {
  return {
    mapping: run.mapping as ColumnMapping[],
    format: run.format as ImportFormat,
    today: day,
    activeCurrencies: references.activeCurrencies,
    departmentTypes: new Set(references.types.departmentTypes.keys()),
    teamTypes: new Set(references.types.teamTypes.keys()),
    createMissingTypes: references.types.createMissing,
    headerCount: run.headers.length,
    typeNames: references.typeNames,
    dateOrder: dateOrderOf(run.options),
  };
}

/** Refused before anything is written: more active actors than the plan (or the tenant's override) allows. */
function checkAllowance(ctx: ServiceContext, plan: ImportPlan): void {
  const allowance = actorAllowance(ctx.tenant);
  const { before, after } = plan.activeActors;
  if (after > allowance && after > before) throw planLimitRefusal(ctx.tenant, ctx.principal, 'actors', after);
}
