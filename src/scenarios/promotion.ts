import { and, eq, inArray, sql } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { writeLive, type LiveWrite } from '../db/live-store.js';
import { lineageEntries, scenarios, tasks } from '../db/schema/index.js';
import { AppError, Conflict, InvalidInput, MissingAbility } from '../errors.js';
import { planLimitRefusal } from '../tenancy/plan-limits.js';
import { inEffect, today } from '../org/dates.js';
import { metricsOf } from '../org/metrics-service.js';
import { FAMILIES, recordsOf, type Family, type OrgGraph } from '../org/types.js';
import { actorAllowance } from '../tenancy/plans.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import { savePreparedBatch } from './apply-batch.js';
import { camel, FAMILY_OF_ENTITY, MONEY_FIELDS, snake } from '../org/family-names.js';

const MONEY_FIELD_NAMES = new Set([...MONEY_FIELDS].map(snake));
import { chainConflicts, moneyPair, probeCost } from './delta.js';
import { sameValue, type RecordEdit } from './edits.js';
import { assertHasChanges, chainChanges, NothingToDo } from './chain.js';
import { assertMutableScenario } from './lifecycle.js';
import type { ScenarioChange } from './overlay.js';
import { insertScenario, loadScenario, type Scenario } from './store.js';
import { startTask } from './tasks.js';
import { mergeConflict, promotionProblems, scenarioAsMade } from './merge-check.js';
import { counted, quoted } from '../util/words.js';

/**
 * Changing Live (web and REST only, never MCP): promotion = snapshot Live → apply the scenario → lock it as applied;
 * restore = snapshot Live → write the snapshot's state. Each runs as a background task whose work is one
 * transaction, and leaves a lineage entry with headcount, FTE and cost deltas.
 */
export interface ConflictResolution {
  family: string;
  id: string;
  field: string;
  /** keep the scenario's value, or take the value Live has now */
  choice: 'scenario' | 'live';
}

export async function promoteScenario(ctx: ServiceContext, scenarioId: string, resolutions: ConflictResolution[] = []) {
  authorize(ctx.principal, 'scenarios.promote');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  if (scenario.kind === 'applied') throw alreadyPromoted(scenario);
  assertMutableScenario(scenario);
  await assertHasChanges(ctx, scenario, 'promote');
  const source = await ctx.graphs.source(scenario);
  const conflicts = await chainConflicts(ctx, scenario, true, can(ctx.principal, 'actors.read'));
  // Nobody resolves pay they cannot see: conflicts on money need `costs.read`.
  const hidden = can(ctx.principal, 'costs.read') ? [] : conflicts.filter((c) => c.family === 'compensation' || MONEY_FIELD_NAMES.has(String(c.field)));
  if (hidden.length) throw new MissingAbility('costs.read');
  const key = (c: Record<string, unknown>) => `${String(c.family)}:${String(c.id)}:${String(c.field)}`;
  const chosen = new Map(resolutions.map((r) => [key({ ...r }), r]));
  for (const r of resolutions) {
    if (r.choice !== 'scenario' && r.choice !== 'live') throw new InvalidInput('resolutions', 'each choice must be "scenario" or "live"');
  }
  // What the merge with Live's changes since would make invalid: resolved by changing the scenario, not by a choice.
  const problems = await promotionProblems(ctx, scenario, { showActors: can(ctx.principal, 'actors.read') });
  const open = conflicts.filter((c) => !chosen.has(key(c)));
  // Resolutions sent that name no conflict (a misspelt family or field, a stale file) are said back, never dropped.
  const known = new Set(conflicts.map(key));
  const unmatched = resolutions.filter((r) => !known.has(key({ ...r })));
  if (open.length) {
    const fix = unmatched.length
      ? `${counted(unmatched.length, 'resolution')} sent ${unmatched.length === 1 ? 'matches' : 'match'} no conflict (see unmatched_resolutions): copy family, id and field from each conflict, and choose "scenario" (keep the scenario’s value) or "live".`
      : 'Send one resolution per conflict: its family, id and field as listed in conflicts, and choice "scenario" (keep the ' +
        'scenario’s value) or "live" (take the source’s value: Live’s, or that of the scenario it was started from).';
    const invalid = problems.length ? ` ${counted(problems.length, 'change')} would also leave Live invalid (change the scenario for ${problems.length === 1 ? 'it' : 'those'}).` : '';
    throw new Conflict(`${counted(open.length, 'field')} changed both in the scenario and in its source since; resolve them before promoting.${invalid}`, fix, {
      conflicts: [...open, ...problems],
      ...(unmatched.length ? { unmatched_resolutions: unmatched } : {}),
    });
  }
  // Every conflict is resolved, yet some resolutions name none: the sender meant something this promotion does not
  // have, so nothing is done rather than promoting past their mistake.
  if (unmatched.length) throw unmatchedResolutions(scenario, unmatched, conflicts.length);
  const takeLive = conflicts.filter((c) => chosen.get(key(c))?.choice === 'live');
  // A merged Live the change commands would refuse, or beyond the plan's actor allowance: refused now rather than as a
  // failed task (both checked again when applying, after any "take the source's value" choices are folded in).
  if (!takeLive.length && problems.length) throw mergeConflict(problems);
  if (!takeLive.length) checkAllowance(ctx, await ctx.graphs.scenario(scenario), (await ctx.graphs.live(ctx.tenant.id)).graph);
  await assertNoPromotionRunning(ctx, scenario);
  return startTask(ctx, 'promotion', { scenarioId, input: { resolutions } }, async (report) => {
    // Checked again when the work starts: a promotion of it that finished meanwhile made it applied (or it was archived).
    const current = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
    if (current.kind === 'applied') throw alreadyPromoted(current);
    assertMutableScenario(current);
    // The scenario as made is taken before choices change it (without any, the check takes it itself when needed).
    const asMade = takeLive.length ? await scenarioAsMade(ctx, current) : undefined;
    if (takeLive.length) await resolveWithSource(ctx, current, takeLive, source.graph);
    await report({ stage: 'applying' });
    // Resolving every conflict with the source's value may leave no change: the person decided that, and it is promoted.
    return applyScenarioToLive(ctx, await loadScenario(ctx.db, ctx.tenant.id, scenarioId), asMade);
  });
}

/**
 * A scenario is promoted once: asking again while its promotion is still pending or running (a second click, a
 * retried request) is refused, naming that task, rather than queueing a second promotion of what is already applied.
 */
async function assertNoPromotionRunning(ctx: ServiceContext, scenario: Scenario): Promise<void> {
  const [running] = await ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.tenantId, ctx.tenant.id), eq(tasks.scenarioId, scenario.id), eq(tasks.kind, 'promotion'), inArray(tasks.status, ['pending', 'running'])))
    .limit(1);
  if (!running) return;
  throw new AppError(
    'promotion_running',
    409,
    `${quoted(scenario.name)} is being promoted already; a scenario is promoted once.`,
    `Wait for that promotion to finish (task ${running.id}); if it fails, promote it again.`,
    { scenario_id: scenario.id, task_id: running.id },
  );
}

/** A resolution key as said in a message: `family/id/field`, or a mark when it holds more than an identifier's characters. */
const keyText = (r: ConflictResolution) => ([r.family, r.id, r.field].every((part) => /^[A-Za-z0-9_-]{1,64}$/.test(String(part))) ? `${r.family}/${r.id}/${r.field}` : '(a key with other characters)');

/** Resolutions that match no conflict of the promotion (all of its conflicts resolved): a 400 naming them, nothing done. */
function unmatchedResolutions(scenario: Scenario, unmatched: ConflictResolution[], conflicts: number): AppError {
  const shown = unmatched.slice(0, 5).map(keyText).join(', ') + (unmatched.length > 5 ? `, and ${unmatched.length - 5} more` : '');
  const has = !conflicts ? 'no conflict' : conflicts === 1 ? '1 conflict, resolved by another of the resolutions' : `${conflicts} conflicts, all resolved by the other resolutions`;
  return new AppError(
    'invalid_input',
    400,
    `${counted(unmatched.length, 'resolution')} ${unmatched.length === 1 ? 'matches' : 'match'} no conflict of this promotion (family/id/field): ${shown}. The scenario has ${has}; nothing was promoted.`,
    `See the conflicts it has now in its delta (GET /api/v1/scenarios/${scenario.id}/delta, \`conflicts\`; \`orgonaut scenario delta ${scenario.id}\`) and send one resolution for each of those only — none when it has none.`,
    { field: 'resolutions', unmatched_resolutions: unmatched },
  );
}

/** Promoting again what was promoted: said as such (not only "read-only"), with the way on. */
function alreadyPromoted(scenario: Scenario): AppError {
  const when = scenario.promotedAt ? ` on ${scenario.promotedAt.toISOString().slice(0, 10)}` : '';
  return new AppError(
    'already_promoted',
    409,
    `${quoted(scenario.name)} was already promoted to Live${when}; a scenario is promoted once.`,
    'Its changes are in Live now (see the lineage). To change Live again, create a new scenario from Live and promote that.',
    { scenario_id: scenario.id, promoted_at: scenario.promotedAt?.toISOString() ?? null },
  );
}

/** Folds "take the source's value" resolutions into the scenario, so what is applied is what was decided. */
async function resolveWithSource(ctx: ServiceContext, scenario: Scenario, conflicts: Record<string, unknown>[], source: OrgGraph) {
  const edits: RecordEdit[] = conflicts.map((c) => {
    const family = FAMILY_OF_ENTITY.get(String(c.family))!;
    const field = camel(String(c.field));
    // The value of the conflict's own source: for one of a scenario it builds on, that one's source (Live).
    const value = 'source' in c ? c.source : recordsOf(source, family).get(String(c.id))?.[field];
    return { kind: 'update', family, recordId: String(c.id), fields: { [field]: value ?? null } };
  });
  const graph = await ctx.graphs.scenario(scenario);
  await savePreparedBatch(ctx, { scenario, commands: [], edits, graph, created: [], ids: [], before: graph });
}

/** `asMade`: the scenario as made, before any choices were folded in (see `scenarioAsMade`). */
async function applyScenarioToLive(ctx: ServiceContext, scenario: Scenario, asMade?: OrgGraph) {
  const live = await ctx.graphs.live(ctx.tenant.id);
  const target = await ctx.graphs.scenario(scenario);
  checkAllowance(ctx, target, live.graph);
  const chain = await chainChanges(ctx, scenario);
  // All or nothing: a merged Live the change commands would refuse is not written.
  const problems = await promotionProblems(ctx, scenario, { live, merged: target, chain, asMade });
  if (problems.length) throw mergeConflict(problems);
  const write = liveWrite(live.graph, target, chain);
  const deltas = await lineageDeltas(ctx, live.graph, target);
  return ctx.db.transaction(async (tx) => {
    const snapshot = await insertScenario(tx, ctx.tenant.id, {
      name: `Live before promoting ${quoted(scenario.name)}`,
      description: `Taken automatically before ${quoted(scenario.name)} was promoted to Live. Restore it to undo the promotion.`,
      kind: 'snapshot',
      liveVersion: live.version,
      createdBy: ctx.principal.userId,
    });
    const version = await writeLiveAt(tx, ctx, live.version, write);
    // Only a planning scenario becomes applied: another instance's promotion of it that committed first wins, this one rolls back.
    const [applied] = await tx
      .update(scenarios)
      .set({ kind: 'applied', state: 'archived', liveVersion: version, promotedAt: sql`now()`, archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(scenarios.tenantId, ctx.tenant.id), eq(scenarios.id, scenario.id), eq(scenarios.kind, 'planning')))
      .returning({ id: scenarios.id });
    if (!applied) throw alreadyPromoted(await loadScenario(tx, ctx.tenant.id, scenario.id));
    await tx.insert(lineageEntries).values({ tenantId: ctx.tenant.id, type: 'promotion', fromSnapshotId: snapshot.id, toScenarioId: scenario.id, liveVersion: version, userId: ctx.principal.userId, deltas });
    await recordAudit(tx, { tenantId: ctx.tenant.id, category: 'model', entityType: 'scenario', entityId: scenario.id, action: 'promoted', principal: ctx.principal, scenarioId: scenario.id, after: { live_version: version, snapshot_id: snapshot.id, ...deltas } });
    // `snapshot_id` as it always was; `from_snapshot_id` and `to_scenario_id` as the lineage entry names them.
    return { snapshot_id: snapshot.id, applied_scenario_id: scenario.id, from_snapshot_id: snapshot.id, to_scenario_id: scenario.id, live_version: version, records_written: countWrite(write), deltas };
  }).then((result) => {
    ctx.graphs.prime(ctx.tenant.id, result.live_version, target);
    return result;
  });
}

export async function restoreSnapshot(ctx: ServiceContext, snapshotId: string, options: { expectLiveVersion?: number } = {}) {
  authorize(ctx.principal, 'snapshots.restore');
  const snapshot = await loadScenario(ctx.db, ctx.tenant.id, snapshotId);
  if (snapshot.kind !== 'snapshot') throw new InvalidInput('snapshot_id', 'is not a snapshot; only snapshots can be restored');
  // A snapshot Live already matches: refused before anything is written (no archive of Live, no version, no lineage).
  if (!countWrite((await restoreWrite(ctx, snapshot)).write)) throw new NothingToDo(snapshot.id, 'restore');
  return startTask(ctx, 'restore', { scenarioId: snapshotId }, async () => {
    const { live, target, write } = await restoreWrite(ctx, snapshot);
    // An undo restores only the Live it checked (an import's own result); anything written since stays.
    if (options.expectLiveVersion !== undefined && live.version !== options.expectLiveVersion) {
      throw new Conflict('Live changed since this was checked; nothing was restored.', 'Look at what changed (Lineage) and restore a snapshot from Snapshots if you still want to.');
    }
    if (!countWrite(write)) throw new NothingToDo(snapshot.id, 'restore'); // Live came to match it meanwhile
    const deltas = await lineageDeltas(ctx, live.graph, target);
    return ctx.db.transaction(async (tx) => {
      const archived = await insertScenario(tx, ctx.tenant.id, {
        name: `Live before restoring ${quoted(snapshot.name)}`,
        description: `Taken automatically before the snapshot ${quoted(snapshot.name)} was restored. Restore it to undo the restore.`,
        kind: 'snapshot',
        liveVersion: live.version,
        createdBy: ctx.principal.userId,
      });
      const version = await writeLiveAt(tx, ctx, live.version, write);
      await tx.insert(lineageEntries).values({ tenantId: ctx.tenant.id, type: 'restore', fromSnapshotId: archived.id, toScenarioId: snapshot.id, liveVersion: version, userId: ctx.principal.userId, deltas });
      await recordAudit(tx, { tenantId: ctx.tenant.id, category: 'model', entityType: 'snapshot', entityId: snapshot.id, action: 'restored', principal: ctx.principal, after: { live_version: version, archived_live_snapshot_id: archived.id, ...deltas } });
      return { snapshot_id: archived.id, restored_snapshot_id: snapshot.id, from_snapshot_id: archived.id, to_scenario_id: snapshot.id, live_version: version, records_written: countWrite(write), deltas };
    }).then((result) => {
      ctx.graphs.prime(ctx.tenant.id, result.live_version, target);
      return result;
    });
  });
}

/** Whether Live already matches the snapshot record for record, so restoring it would change nothing. */
export async function snapshotMatchesLive(ctx: ServiceContext, snapshot: Scenario): Promise<boolean> {
  return countWrite((await restoreWrite(ctx, snapshot)).write) === 0;
}

/** Live now, the snapshot's state, and the records that make the one the other (none when Live is at its version). */
async function restoreWrite(ctx: ServiceContext, snapshot: Scenario) {
  const live = await ctx.graphs.live(ctx.tenant.id);
  const target = await ctx.graphs.atVersion(ctx.tenant.id, snapshot.liveVersion);
  return { live, target, write: live.version === snapshot.liveVersion ? {} : liveWrite(live.graph, target, null) };
}

/** Writes Live only if nobody else did since we read it (promotion and restore compute against one version). */
async function writeLiveAt(tx: ServiceContext['db'], ctx: ServiceContext, expected: number, write: LiveWrite): Promise<number> {
  const version = await writeLive(tx, ctx.tenant.id, write);
  if (version !== expected + 1) throw new Conflict('Live changed while this ran; nothing was applied.', 'Start it again.');
  return version;
}

/**
 * Refuses a Live beyond the plan's actor allowance — only when the promotion adds to it, as imports do: a tenant
 * already over its allowance (a lower plan or override since) can still promote a rename or a reduction.
 */
function checkAllowance(ctx: ServiceContext, target: OrgGraph, live: OrgGraph): void {
  const allowance = actorAllowance(ctx.tenant);
  const day = today();
  const activeIn = (graph: OrgGraph) => {
    let active = 0;
    for (const actor of graph.actors.values()) if (inEffect(actor, day)) active++;
    return active;
  };
  const after = activeIn(target);
  if (after > allowance && after > activeIn(live)) throw planLimitRefusal(ctx.tenant, ctx.principal, 'actors', after);
}


/** The records that make Live equal `target`: among the candidates (null: all), those that differ. */
export function liveWrite(live: OrgGraph, target: OrgGraph, candidates: ScenarioChange[] | null): LiveWrite {
  const write: LiveWrite = {};
  for (const family of FAMILIES) {
    const ids = candidates ? new Set(candidates.filter((c) => c.family === family).map((c) => c.recordId)) : new Set([...live[family].keys(), ...target[family].keys()]);
    const upsert: unknown[] = [];
    const remove: string[] = [];
    for (const id of ids) {
      const now = recordsOf(live, family).get(id);
      const next = recordsOf(target, family).get(id);
      if (!next) {
        if (now) remove.push(id);
      } else if (!now || Object.keys(next).some((k) => !sameValue(now[k], next[k]))) {
        upsert.push(next);
      }
    }
    if (upsert.length || remove.length) (write as Record<Family, unknown>)[family] = { upsert, remove };
  }
  return write;
}

function countWrite(write: LiveWrite): number {
  return Object.values(write).reduce((n, part) => n + (part?.upsert?.length ?? 0) + (part?.remove?.length ?? 0), 0);
}

/** Headcount, FTE and cost deltas between two states of Live: the summary of a lineage entry (promotion, restore, import). */
export async function lineageDeltas(ctx: ServiceContext, from: OrgGraph, to: OrgGraph) {
  const cost = await loadCostSettings(ctx.db, ctx.tenant);
  const day = today();
  const a = metricsOf(from, day, cost).total;
  const b = metricsOf(to, day, cost).total;
  // A currency without an exchange rate (SPEC §6): the delta is known only when the part it cannot convert is the same
  // before and after; otherwise null, with the currencies — never a difference that counts them as 0. The marker's
  // name holds "cost", so lineage readers drop it with the money without costs.read.
  const probe = probeCost(cost, a, b);
  const monthly = moneyPair(a.cost.monthly, b.cost.monthly, probe ? [metricsOf(from, day, probe).total.cost.monthly, metricsOf(to, day, probe).total.cost.monthly] : null);
  return {
    headcount: b.headcount - a.headcount,
    fte: Math.round((b.fte - a.fte) * 100) / 100,
    effective_fte: Math.round((b.effectiveFte - a.effectiveFte) * 100) / 100,
    monthly_cost_minor: monthly.delta,
    ...(monthly.unconvertible ? { monthly_cost_unconvertible: monthly.unconvertible } : {}),
    currency: cost.reportingCurrency,
  };
}

