import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import { ENTITY_TYPES } from '../org/family-names.js';
import type { Family } from '../org/types.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { currentLiveVersion } from '../db/live-store.js';
import { scenarioChanges, scenarios } from '../db/schema/index.js';
import { Conflict, InvalidInput, NotFound, ReadOnlyContext } from '../errors.js';
import { planLimitRefusal } from '../tenancy/plan-limits.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import { isUuid } from '../util/ids.js';
import { paginate, sortByKey, type PageRequest } from '../util/pagination.js';
import { assertHasChanges, chainChanges } from './chain.js';
import { insertScenario, listScenarioRows, loadScenario, SCENARIO_KINDS, type Scenario } from './store.js';
import { assertNameFree, lockScenarioNames } from './unique-name.js';
import { oneOf } from '../util/choice.js';

/** Scenario lifecycle (SPEC §6): create within the plan's cap, edit its name and description, submit, archive / unarchive, snapshots. */

export function presentScenario(s: Scenario, sourceName?: string | null) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    kind: s.kind,
    state: s.state,
    submitted: s.submittedAt !== null,
    submitted_at: s.submittedAt?.toISOString() ?? null,
    // What it branched from, kept after promotion; a snapshot is a copy of Live, not a branch.
    source: s.kind !== 'snapshot' ? (s.sourceScenarioId ? { kind: 'scenario', scenario_id: s.sourceScenarioId, name: sourceName ?? null } : { kind: 'live' }) : null,
    editable: isMutable(s),
    revision: s.revision,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    archived_at: s.archivedAt?.toISOString() ?? null,
    promoted_at: s.promotedAt?.toISOString() ?? null,
  };
}

/** A scenario for output, naming the scenario it was started from, as reading it does. */
export async function presentWithSource(ctx: ServiceContext, s: Scenario) {
  const source = s.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, s.sourceScenarioId) : null;
  return presentScenario(s, source?.name);
}

export function isMutable(s: Scenario): boolean {
  return s.kind === 'planning' && s.state === 'active';
}

/** Named guard: only an active planning scenario can change. */
export function assertMutableScenario(s: Scenario): void {
  if (s.kind !== 'planning') throw new ReadOnlyContext(s.kind === 'snapshot' ? 'snapshot' : 'applied scenario');
  if (s.state !== 'active') throw new ReadOnlyContext('archived scenario', 'Unarchive it first (it counts against the plan’s active planning scenarios again), then try again.');
}

export async function listScenarios(ctx: ServiceContext, filter: PageRequest & { kind?: string | null; state?: string | null } = {}) {
  authorize(ctx.principal, 'scenarios.read');
  if (filter.kind) oneOf('kind', SCENARIO_KINDS, filter.kind);
  if (filter.state) oneOf('state', ['active', 'archived'], filter.state);
  const all = await listScenarioRows(ctx.db, ctx.tenant.id);
  const names = new Map(all.map((s) => [s.id, s.name]));
  const kept = all.filter((s) => (!filter.kind || s.kind === filter.kind) && (!filter.state || s.state === filter.state));
  const key = (s: Scenario) => [-s.createdAt.getTime(), s.id] as const;
  const page = paginate('scenarios', sortByKey(kept, key), key, filter);
  return { items: page.items.map((s) => presentScenario(s, s.sourceScenarioId ? names.get(s.sourceScenarioId) : null)), nextCursor: page.nextCursor };
}

/**
 * The names of the tenant's scenarios among `ids`, in one query, however old they are (a page naming the scenarios it
 * shows asks for those, not for a list of the latest); an id naming no scenario of the tenant is left out.
 */
export async function scenarioNamesById(ctx: ServiceContext, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  authorize(ctx.principal, 'scenarios.read');
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && isUuid(id)))];
  if (wanted.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: scenarios.id, name: scenarios.name })
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, ctx.tenant.id), inArray(scenarios.id, wanted)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A scenario with its change counts by model family. */
export async function getScenario(ctx: ServiceContext, id: string) {
  return (await readScenario(ctx, id)).scenario;
}

/** A scenario as `getScenario` gives it, with the rows it was read from (for pages that work on them too). */
export async function readScenario(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.read');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  const source = scenario.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, scenario.sourceScenarioId) : null;
  const counts = await ctx.db
    .select({ family: scenarioChanges.family, op: scenarioChanges.op, n: count() })
    .from(scenarioChanges)
    .where(and(eq(scenarioChanges.tenantId, ctx.tenant.id), eq(scenarioChanges.scenarioId, id)))
    .groupBy(scenarioChanges.family, scenarioChanges.op);
  const changes: Record<string, Record<string, number>> = {};
  const showMoney = can(ctx.principal, 'costs.read');
  for (const { family, op, n } of counts) {
    if (family === 'compensations' && !showMoney) continue;
    (changes[ENTITY_TYPES[family as Family]] ??= {})[op] = Number(n);
  }
  // What promoting it would apply: its own changes and those of the planning scenarios it was started from (a branch
  // with none of its own still carries its source's).
  const toPromote = scenario.kind === 'planning' ? (await chainChanges(ctx, scenario)).length : 0;
  return { scenario: { ...presentScenario(scenario, source?.name), change_counts: changes, changes_to_promote: toPromote }, row: scenario, source };
}

async function activePlanningCount(db: ServiceContext['db'], tenantId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, tenantId), eq(scenarios.kind, 'planning'), eq(scenarios.state, 'active')));
  return Number(row?.n ?? 0);
}

/** Refuses one more active planning scenario beyond the plan's cap; called under lockScenarioNames, like the name check. */
async function checkCap(db: ServiceContext['db'], ctx: ServiceContext): Promise<void> {
  const cap = PLAN_FEATURES[ctx.tenant.plan].activePlanningScenarios;
  const active = await activePlanningCount(db, ctx.tenant.id);
  if (active >= cap) throw planLimitRefusal(ctx.tenant, ctx.principal, 'active planning scenarios', active + 1);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new InvalidInput('name', 'give a name of 1–200 characters, e.g. "2026-03 platform-realignment"');
  return trimmed;
}

export async function createScenario(
  ctx: ServiceContext,
  input: { name: string; description?: string | null; sourceScenarioId?: string | null },
) {
  authorize(ctx.principal, 'scenarios.write');
  const name = checkName(input.name);
  const sourceId = input.sourceScenarioId?.trim() || null;
  const source = sourceId ? await sourceOf(ctx, sourceId) : null;
  // The cap and the name are checked and taken in one transaction under the tenant's lock, so two creates at once
  // can neither both take the last place of the plan nor both take one name.
  const scenario = await ctx.db.transaction(async (tx) => {
    await lockScenarioNames(tx, ctx.tenant.id);
    await checkCap(tx, ctx);
    await assertNameFree(tx, ctx.tenant.id, name);
    return insertScenario(tx, ctx.tenant.id, {
      name,
      description: input.description?.trim() || null,
      kind: 'planning',
      sourceScenarioId: sourceId,
      liveVersion: await currentLiveVersion(tx, ctx.tenant.id),
      createdBy: ctx.principal.userId,
    });
  });
  await audit(ctx, scenario, 'created', { name, source_scenario_id: sourceId });
  return presentScenario(scenario, source?.name);
}

/** What `editScenario` may change; a field left out (undefined) stays as it is, a null or empty description clears it. */
export interface ScenarioEdit {
  name?: string | null;
  description?: string | null;
}

export const DESCRIPTION_MAX = 2000;

/**
 * Renames a planning scenario or changes its description (SPEC §3: `scenarios.write` creates, edits and archives).
 * An active one takes its new name under the lock create and unarchive take, so the names of active planning
 * scenarios stay unique; an archived one may be renamed freely (archived names may repeat) — which is also how one
 * comes back while an active scenario has its old name. Editing during review is fine (editing continues until
 * promotion). A promoted (applied) scenario and a snapshot keep their names: the history, Lineage and the audit log
 * name them so. Changing nothing records nothing.
 */
export async function editScenario(ctx: ServiceContext, id: string, edit: ScenarioEdit) {
  authorize(ctx.principal, 'scenarios.write');
  if (edit.name == null && edit.description === undefined) {
    throw new InvalidInput('name', 'give a new name, a new description, or both');
  }
  const name = edit.name == null ? undefined : checkName(edit.name);
  const description = edit.description === undefined ? undefined : checkDescription(edit.description);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  if (scenario.kind !== 'planning') {
    throw new ReadOnlyContext(
      scenario.kind === 'snapshot' ? 'snapshot' : 'applied scenario',
      'A promoted scenario and a snapshot keep the name and description they had: Lineage and the activity log refer to them by it.',
    );
  }
  const fields: { name?: string; description?: string | null } = {};
  if (name !== undefined && name !== scenario.name) fields.name = name;
  if (description !== undefined && description !== scenario.description) fields.description = description;
  if (Object.keys(fields).length === 0) return presentWithSource(ctx, scenario);
  const row = await ctx.db.transaction(async (tx) => {
    if (fields.name !== undefined && scenario.state === 'active') {
      await lockScenarioNames(tx, ctx.tenant.id);
      await assertNameFree(tx, ctx.tenant.id, fields.name, scenario.id, 'naming');
    }
    return updateState(tx, ctx, scenario, fields);
  });
  const before = Object.fromEntries(Object.keys(fields).map((k) => [k, scenario[k as keyof typeof fields]]));
  await audit(ctx, scenario, 'edited', fields, before);
  return presentWithSource(ctx, { ...scenario, ...row, liveVersion: Number(row.liveVersion), revision: Number(row.revision) } as Scenario);
}

function checkDescription(description: string | null): string | null {
  const trimmed = description?.trim() || null;
  if (trimmed && trimmed.length > DESCRIPTION_MAX) throw new InvalidInput('description', `keep it to ${DESCRIPTION_MAX} characters (it has ${trimmed.length})`);
  return trimmed;
}

/** A scenario to branch from: a planning one of this tenant (what was promoted is Live now; a snapshot is restored). */
async function sourceOf(ctx: ServiceContext, id: string): Promise<Scenario> {
  const source = await loadScenario(ctx.db, ctx.tenant.id, id).catch((error: unknown) => {
    throw error instanceof NotFound ? new InvalidInput('source_scenario_id', 'no scenario with this id in this tenant; leave it out to start from Live') : error;
  });
  if (source.kind === 'applied') throw new InvalidInput('source_scenario_id', 'this scenario was promoted and is part of Live now; leave it out to start from Live');
  if (source.kind === 'snapshot') throw new InvalidInput('source_scenario_id', 'a snapshot cannot be planned on; restore it first, or leave it out to start from Live');
  return source;
}

export async function createSnapshot(ctx: ServiceContext, input: { name?: string | null; description?: string | null }) {
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await insertScenario(ctx.db, ctx.tenant.id, {
    name: checkName(input.name?.trim() || `Live on ${new Date().toISOString().slice(0, 10)}`),
    description: input.description?.trim() || null,
    kind: 'snapshot',
    liveVersion: await currentLiveVersion(ctx.db, ctx.tenant.id),
    createdBy: ctx.principal.userId,
  });
  await audit(ctx, scenario, 'created', { kind: 'snapshot' });
  return presentScenario(scenario);
}

export async function submitScenario(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  assertMutableScenario(scenario);
  // Submitting again changes nothing: no second 'submitted' event, the submission time and ETag stay.
  if (scenario.submittedAt) return presentWithSource(ctx, scenario);
  // A review of nothing: what could be approved would be refused at promotion.
  await assertHasChanges(ctx, scenario, 'submit');
  return setState(ctx, scenario, { submittedAt: new Date() }, 'submitted');
}

/** Takes a submitted scenario back from review (the review asked for more work, or it was submitted too early). */
export async function withdrawScenario(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  assertMutableScenario(scenario);
  if (!scenario.submittedAt) return presentWithSource(ctx, scenario);
  return setState(ctx, scenario, { submittedAt: null }, 'withdrawn');
}

export async function archiveScenario(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  if (scenario.kind !== 'planning') throw new ReadOnlyContext(scenario.kind === 'snapshot' ? 'snapshot' : 'applied scenario');
  if (scenario.state === 'archived') return presentWithSource(ctx, scenario);
  // Archiving ends a review (the page asks to archive a submitted scenario only once its review is over): brought
  // back, it is not "submitted for review" on the strength of a review that ended; it is submitted again when ready.
  return setState(ctx, scenario, { state: 'archived', archivedAt: new Date(), ...(scenario.submittedAt ? { submittedAt: null } : {}) }, 'archived');
}

/** Only planning scenarios come back, and only within the plan's cap; snapshots and applied scenarios never do. */
export async function unarchiveScenario(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, id);
  if (scenario.kind !== 'planning') throw new Conflict(`A ${scenario.kind === 'snapshot' ? 'snapshot' : 'applied scenario'} cannot be unarchived.`);
  if (scenario.state === 'active') return presentWithSource(ctx, scenario);
  // Its name may have been given to another scenario while it was archived: the cap and the name are checked and
  // taken back under the lock create takes, so an unarchive and a create (or two unarchives) at once cannot both
  // succeed past the cap or with one name.
  const fields = { state: 'active', archivedAt: null } as const;
  const row = await ctx.db.transaction(async (tx) => {
    await lockScenarioNames(tx, ctx.tenant.id);
    await checkCap(tx, ctx);
    await assertNameFree(tx, ctx.tenant.id, scenario.name, scenario.id);
    return updateState(tx, ctx, scenario, fields);
  });
  return stateSet(ctx, scenario, row, fields, 'restored');
}

async function setState(ctx: ServiceContext, scenario: Scenario, fields: Partial<typeof scenarios.$inferInsert>, action: string) {
  return stateSet(ctx, scenario, await updateState(ctx.db, ctx, scenario, fields), fields, action);
}

async function updateState(db: ServiceContext['db'], ctx: ServiceContext, scenario: Scenario, fields: Partial<typeof scenarios.$inferInsert>) {
  const [row] = await db
    .update(scenarios)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(and(eq(scenarios.tenantId, ctx.tenant.id), eq(scenarios.id, scenario.id)))
    .returning();
  return row!;
}

/** Records a state change and presents the scenario as it is now. */
async function stateSet(ctx: ServiceContext, scenario: Scenario, row: typeof scenarios.$inferSelect, fields: unknown, action: string) {
  await audit(ctx, scenario, action, fields);
  return presentWithSource(ctx, { ...scenario, ...row, liveVersion: Number(row.liveVersion), revision: Number(row.revision) } as Scenario);
}

async function audit(ctx: ServiceContext, scenario: Scenario, action: string, after: unknown, before?: unknown) {
  await recordAudit(ctx.db, {
    tenantId: ctx.tenant.id,
    category: 'model',
    entityType: 'scenario',
    entityId: scenario.id,
    action,
    principal: ctx.principal,
    scenarioId: scenario.id,
    ...(before === undefined ? {} : { before }),
    after,
    requestId: ctx.requestId,
  });
}
