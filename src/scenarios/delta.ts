import type { Ability } from '../access/abilities.js';
import { authorize, can, type Principal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import type { MoneyFigure } from '../org/cost.js';
import { InvalidInput, NotFound } from '../errors.js';
import { everInEffect, isIsoDate, ISO_DATE_RULE, today } from '../org/dates.js';
import type { UnitMetrics } from '../org/metrics.js';
import { metricsOf } from '../org/metrics-service.js';
import { PLACEMENT_CHECKS } from '../org/placement-checks.js';
import { round } from '../org/present.js';
import { FAMILIES, recordsOf, type CostSettings, type Dated, type Family, type OrgGraph } from '../org/types.js';
import { typeNamesById } from '../tenancy/settings.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import { sameValue } from './edits.js';
import { ENTITY_TYPES, FAMILY_OF_ENTITY, MONEY_FIELDS, snake } from '../org/family-names.js';
import { presentWithSource } from './lifecycle.js';
import type { ScenarioChange } from './overlay.js';
import { loadScenario, type Scenario } from './store.js';
import { hasChangesToPromote } from './chain.js';
import { deltaReferences, nameReferences } from './reference-names.js';
import { promotionProblems } from './merge-check.js';
import { pageRecords, type DeltaPageRequest } from './delta-pages.js';
import { and, desc, eq } from 'drizzle-orm';
import { lineageEntries } from '../db/schema/index.js';
import { FAMILY_TABLES } from '../db/families.js';

/**
 * The delta of a scenario (one implementation for every surface): only the records and fields that differ from its
 * source's current state (default) or from Live, grouped by model family, with field conflicts and metric deltas
 * in total and per org unit. It shows only what the caller may read (SPEC §4.1, §5): a record family needs the
 * ability its org read tools need (`FAMILY_ABILITIES`), metric deltas need `org-metrics.read`, money needs
 * `costs.read`; `withheld` says what was left out and which abilities would show it.
 */
/**
 * What a delta compares with: the scenario's source as it is now (default), Live now, or — for an applied scenario
 * only — the Live its promotion replaced (what the promotion changed).
 */
export const COMPARE_MODES = ['source', 'live', 'promotion'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export interface DeltaRequest {
  scenarioId: string;
  compare?: CompareMode | null;
  asOf?: string | null;
  /** Only this org unit's metric deltas (listed even when nothing moved); not found when neither side has it. */
  orgUnitId?: string | null;
}


/**
 * `target` replaces the scenario's graph (a proposal's preview: the scenario with the batch applied) and
 * `alsoCompare` adds the records that batch touches to those compared.
 */
export async function scenarioDelta(
  ctx: ServiceContext,
  request: DeltaRequest,
  options: {
    target?: OrgGraph;
    alsoCompare?: { family: Family; recordId: string }[];
    /** Compare `target` with this graph instead (a batch's preview: the scenario before it), on `alsoCompare` only. */
    before?: OrgGraph;
    /** Add `names`: the name of every unit, person, position and unit type the delta's records, fields and conflicts point at, by id. */
    names?: boolean;
    /** Only one page of the records (`pageRecords`: `limit`, `cursor`, `family`), with `counts` and `next_cursor`; `names` then name that page's. */
    page?: DeltaPageRequest;
  } = {},
) {
  authorize(ctx.principal, 'scenarios.read');
  if (request.compare && !(COMPARE_MODES as readonly string[]).includes(request.compare)) {
    throw new InvalidInput('compare', 'must be source, live or promotion (applied scenarios only)');
  }
  const asOf = request.asOf?.trim() || today();
  if (!isIsoDate(asOf)) throw new InvalidInput('as_of', ISO_DATE_RULE);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, request.scenarioId);
  // A batch's preview (`before`) compares the scenario with itself before the batch.
  const compare = request.compare || (options.before ? 'source' : await defaultCompare(ctx, scenario));
  const comparison = await comparisonBase(ctx, scenario, compare);
  const { against, target: own } = comparison;
  const base = options.before ?? comparison.base;
  const changes = options.before ? [] : comparison.changes;
  const target = options.target ?? own ?? (await ctx.graphs.scenario(scenario));
  const unitId = request.orgUnitId?.trim() || null;
  if (unitId && !target.orgUnits.has(unitId) && !base.orgUnits.has(unitId)) throw new NotFound('Org unit', unitId);
  const showMoney = can(ctx.principal, 'costs.read');
  const { readable, withheld } = deltaVisibility(ctx.principal);
  const compared: readonly ScenarioChange[] | null =
    changes && options.alsoCompare ? [...changes, ...options.alsoCompare.map((c) => ({ ...c, op: 'add' as const, values: null, base: null, revision: 0 }))] : changes;
  const every = diffRecords(base, target, compared, showMoney, readable);
  const paged = options.page ? pageRecords(every, { scenarioId: scenario.id, compare }, options.page) : null;
  const families = paged?.families ?? every;
  // A planning scenario's conflicts are those its promotion meets: its own and those of the scenarios it builds on —
  // against its source or against Live alike (a branch with no change of its own is compared with Live by default).
  const conflicts =
    scenario.kind === 'planning' && !options.before && compare !== 'promotion'
      ? await chainConflicts(ctx, scenario, showMoney, readable.has('actors'), readable)
      : compare === 'source' && changes
        ? findConflicts(base, changes.filter((c) => readable.has(c.family)), showMoney, readable.has('actors'))
        : [];
  await nameRemovedInSource(ctx, scenario, conflicts, readable.has('actors'));
  // What promoting it would make invalid once merged with Live's changes since (said with the conflicts it meets).
  if (scenario.kind === 'planning' && !options.before && compare !== 'promotion') {
    const problems = await promotionProblems(ctx, scenario, { showActors: readable.has('actors') });
    conflicts.push(...problems.filter((p) => readable.has(FAMILY_OF_ENTITY.get(p.family)!)));
  }
  let metrics: ReturnType<typeof metricDeltas> | { total: null; by_org_unit: [] } = { total: null, by_org_unit: [] };
  if (can(ctx.principal, 'org-metrics.read')) {
    const cost = await loadCostSettings(ctx.db, ctx.tenant);
    const from = metricsOf(base, asOf, cost);
    const to = metricsOf(target, asOf, cost);
    const probe = can(ctx.principal, 'costs.read') ? probeCost(cost, from.total, to.total) : null;
    const probes = probe ? { from: metricsOf(base, asOf, probe), to: metricsOf(target, asOf, probe) } : null;
    metrics = metricDeltas(from, to, target, base, ctx.principal, unitId, probes);
  }
  // Named in the scenario first, then in what it is compared with (a removed record is only there).
  const names = options.names ? { names: nameReferences({}, deltaReferences(families, conflicts), [target, base], readable, await typeNamesById(ctx)) } : {};
  const pageParts = paged ? { counts: paged.counts, next_cursor: paged.next_cursor } : {};
  return { scenario: await presentWithSource(ctx, scenario), compare, against, as_of: asOf, families, ...pageParts, conflicts, metrics, withheld, ...names };
}

/**
 * What a delta compares with when the caller names nothing: the scenario's source — except for a planning scenario
 * started from another that holds no change of its own yet. Against its source it changes nothing (every figure
 * 0, no record), yet it carries its source's changes: it is compared with Live, so its figures say what promoting
 * it would do (the answer's `compare` and `against` say so). Every surface asks this one function.
 */
export async function defaultCompare(ctx: ServiceContext, scenario: Scenario): Promise<CompareMode> {
  if (scenario.kind !== 'planning' || !scenario.sourceScenarioId) return 'source';
  if ((await ctx.graphs.changes(scenario)).length) return 'source';
  return (await hasChangesToPromote(ctx, scenario)) ? 'live' : 'source';
}

/**
 * The abilities a family's records need in a delta: the same as the org read tools that list them
 * (`org.units.list`/`org.departments.list`, `org.teams.list`, `org.actors.list`, `org.reporting_lines.list`,
 * `org.placements.list`, `org.positions.list`, compensation with `costs.read` and `actors.read`).
 */
export const FAMILY_ABILITIES: Record<Family, readonly Ability[]> = {
  orgUnits: ['org-units.read'],
  departments: ['org-units.read'],
  teams: ['teams.read'],
  actors: ['actors.read'],
  reportingLines: ['actors.read'],
  placements: ['placements.read'],
  positions: ['positions.read'],
  compensations: ['costs.read', 'actors.read'],
};

/** A part of a delta left out for lack of abilities, and the abilities (missing now) that would show it. */
export interface WithheldPart {
  /** A family (`actor`, `placement`…), `metrics` (every metric delta) or `money` (pay fields and cost deltas). */
  part: string;
  needs: Ability[];
  note: string;
}

/**
 * What a principal may see of a delta: the readable families and what is withheld. Decided by abilities alone,
 * never by what the scenario changes (so it says nothing about records the caller may not see).
 */
export function deltaVisibility(principal: Principal): { readable: ReadonlySet<Family>; withheld: WithheldPart[] } {
  const readable = new Set<Family>();
  const withheld: WithheldPart[] = [];
  for (const family of FAMILIES) {
    const needs = FAMILY_ABILITIES[family].filter((a) => !can(principal, a));
    if (!needs.length) readable.add(family);
    else withheld.push({ part: ENTITY_TYPES[family], needs, note: `${ENTITY_TYPES[family]} records left out: they need ${needs.join(' and ')}` });
  }
  if (!can(principal, 'org-metrics.read')) {
    withheld.push({ part: 'metrics', needs: ['org-metrics.read'], note: 'metric deltas (headcount, FTE, spans, layers, cost) left out: they need org-metrics.read' });
  }
  if (!can(principal, 'costs.read')) {
    withheld.push({ part: 'money', needs: ['costs.read'], note: 'money left out (pay and budget fields, cost deltas): it needs costs.read' });
  }
  return { readable, withheld };
}

/**
 * What the scenario is compared with, the candidate records (its changes; null = every record) and — when it is
 * at hand — the scenario's own graph. Changes come from the graph store: loaded once per revision.
 */
async function comparisonBase(ctx: ServiceContext, scenario: Scenario, compare: 'source' | 'live' | 'promotion') {
  if (compare === 'promotion') {
    if (scenario.kind !== 'applied') throw new InvalidInput('compare', 'promotion compares an applied scenario with the Live it replaced; use source or live');
    const promoted = await promotionOf(ctx, scenario);
    if (promoted) return promoted;
  }
  if (scenario.kind !== 'planning') {
    // A snapshot or applied scenario is compared with Live as it is now.
    const { graph } = await ctx.graphs.live(ctx.tenant.id);
    const changes = scenario.kind === 'applied' ? await ctx.graphs.changes(scenario) : null;
    return { base: graph, changes, against: { kind: 'live' as const }, target: null };
  }
  if (compare === 'live') {
    const chain: ScenarioChange[] = [];
    for (let at: Scenario | null = scenario; at; at = at.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, at.sourceScenarioId) : null) {
      chain.push(...(await ctx.graphs.changes(at)));
    }
    return { base: (await ctx.graphs.live(ctx.tenant.id)).graph, changes: chain, against: { kind: 'live' as const }, target: null };
  }
  const { graph, source } = await ctx.graphs.scenarioWithSource(scenario);
  const parent = scenario.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, scenario.sourceScenarioId) : null;
  // A source promoted since is part of Live: the branch is compared with Live (as the graph store resolves it).
  const sourceScenario = parent?.kind === 'planning' ? parent : null;
  return {
    base: source.graph,
    changes: await ctx.graphs.changes(scenario),
    against: sourceScenario ? { kind: 'scenario' as const, scenario_id: sourceScenario.id, name: sourceScenario.name } : { kind: 'live' as const },
    target: graph,
  };
}

/**
 * An applied scenario's promotion: the Live it replaced (its lineage entry's snapshot) against Live as the promotion
 * left it, every record compared — what the promotion changed, whatever Live did since. Null without a lineage entry.
 */
async function promotionOf(ctx: ServiceContext, scenario: Scenario) {
  const [entry] = await ctx.db
    .select({ snapshotId: lineageEntries.fromSnapshotId, liveVersion: lineageEntries.liveVersion })
    .from(lineageEntries)
    .where(and(eq(lineageEntries.tenantId, ctx.tenant.id), eq(lineageEntries.type, 'promotion'), eq(lineageEntries.toScenarioId, scenario.id)))
    .orderBy(desc(lineageEntries.liveVersion))
    .limit(1);
  if (!entry?.snapshotId) return null;
  const snapshot = await loadScenario(ctx.db, ctx.tenant.id, entry.snapshotId);
  return {
    base: await ctx.graphs.atVersion(ctx.tenant.id, snapshot.liveVersion),
    changes: null,
    against: { kind: 'snapshot' as const, scenario_id: snapshot.id, name: snapshot.name },
    target: await ctx.graphs.atVersion(ctx.tenant.id, Number(entry.liveVersion)),
  };
}

type FamilyDelta = { added: Record<string, unknown>[]; removed: Record<string, unknown>[]; changed: Record<string, unknown>[] };

/** Compares the candidate records (null: every record) of two graphs, field by field. */
export function diffRecords(
  base: OrgGraph,
  target: OrgGraph,
  changes: readonly ScenarioChange[] | null,
  showMoney: boolean,
  readable: ReadonlySet<Family> = new Set(FAMILIES),
) {
  const result: Partial<Record<string, FamilyDelta>> = {};
  const showActors = readable.has('actors');
  for (const family of FAMILIES) {
    if ((family === 'compensations' && !showMoney) || !readable.has(family)) continue;
    const ids = changes ? new Set(changes.filter((c) => c.family === family).map((c) => c.recordId)) : new Set([...base[family].keys(), ...target[family].keys()]);
    const delta: FamilyDelta = { added: [], removed: [], changed: [] };
    for (const id of [...ids].sort()) {
      // A record in effect on no day (ending the day it starts: older data) is, for a delta, not there.
      const from = shown(recordsOf(base, family).get(id));
      const to = shown(recordsOf(target, family).get(id));
      if (!from && to) delta.added.push({ label: labelOf(to, [target, base], showActors), ...present(to, showMoney) });
      else if (from && !to) delta.removed.push({ label: labelOf(from, [base, target], showActors), ...present(from, showMoney) });
      else if (from && to) {
        const fields = changedFields(from, to, showMoney);
        if (Object.keys(fields).length) delta.changed.push({ id, label: labelOf(to, [target, base], showActors), fields });
      }
    }
    if (delta.added.length || delta.removed.length || delta.changed.length) result[ENTITY_TYPES[family]] = delta;
  }
  return result;
}

function shown<T extends Record<string, unknown>>(record: T | undefined): T | undefined {
  return record && 'validFrom' in record && !everInEffect(record as unknown as Dated) ? undefined : record;
}

function changedFields(from: Record<string, unknown>, to: Record<string, unknown>, showMoney: boolean) {
  const fields: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (!showMoney && MONEY_FIELDS.has(key)) continue;
    if (!sameValue(from[key], to[key])) fields[snakeField(key)] = { from: from[key] ?? null, to: to[key] ?? null };
  }
  return fields;
}

/** `snake(key)`, remembered: a delta names the same few record fields thousands of times. */
const snakeFields = new Map<string, string>();

function snakeField(key: string): string {
  let name = snakeFields.get(key);
  if (name === undefined) {
    name = snake(key);
    // Record fields are a fixed set; anything past that is not worth keeping.
    if (snakeFields.size < 1_000) snakeFields.set(key, name);
  }
  return name;
}

/**
 * Names the records a conflict says were removed from the source since (they are no longer there to name): by
 * Live as it was when the scenario branched, where they were — never "#1a2b3c4d" when that Live knew them. A record
 * that Live did not hold then (a source scenario added it, was promoted, and a restore took it out again) is named
 * by the last Live version that held it.
 */
export async function nameRemovedInSource(ctx: ServiceContext, scenario: Scenario, conflicts: Record<string, unknown>[], showActors: boolean): Promise<void> {
  const unnamed = conflicts.filter((c) => c.reason === 'removed_in_source' && !c.label);
  if (!unnamed.length) return;
  const then = await ctx.graphs.atVersion(ctx.tenant.id, scenario.liveVersion);
  for (const conflict of unnamed) {
    const family = FAMILY_OF_ENTITY.get(String(conflict.family));
    if (!family) continue;
    const id = String(conflict.id);
    let graph = then;
    let record = recordsOf(then, family).get(id);
    if (!record) {
      const last = await lastVersionHolding(ctx, family, id);
      graph = last === null ? then : await ctx.graphs.atVersion(ctx.tenant.id, last);
      record = recordsOf(graph, family).get(id);
    }
    if (record) conflict.label = labelOf(record, [graph], showActors);
  }
}

/** The last Live version in which a record of `family` existed (its newest row's last version), or null if none did. */
async function lastVersionHolding(ctx: ServiceContext, family: Family, recordId: string): Promise<number | null> {
  const t = FAMILY_TABLES[family];
  const [row] = await ctx.db
    .select({ from: t.versionFrom, to: t.versionTo })
    .from(t.table)
    .where(and(eq(t.tenantId, ctx.tenant.id), eq(t.key, recordId)))
    .orderBy(desc(t.versionFrom))
    .limit(1);
  if (!row) return null;
  return row.to === null ? Number(row.from) : Number(row.to) - 1;
}

/**
 * The conflicts promoting a planning scenario meets: its own with its source, then those of each planning scenario
 * it was started from with that one's source — their changes are promoted with it, so a field one of them changed
 * and Live changed since would otherwise be overwritten unasked. An ancestor's conflict says whose it is
 * (`in_scenario`); one on a field a nearer scenario's conflicts already hold is left to those.
 */
export async function chainConflicts(ctx: ServiceContext, scenario: Scenario, showMoney: boolean, showActors: boolean, readable?: ReadonlySet<Family>) {
  const conflicts: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (let at: Scenario | null = scenario; at?.kind === 'planning'; at = at.sourceScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, at.sourceScenarioId) : null) {
    const changes = (await ctx.graphs.changes(at)).filter((c) => !readable || readable.has(c.family));
    const found = findConflicts((await ctx.graphs.source(at)).graph, changes, showMoney, showActors);
    await nameRemovedInSource(ctx, at, found, showActors);
    for (const conflict of found) {
      const key = `${String(conflict.family)}:${String(conflict.id)}:${String(conflict.field)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      conflicts.push(at === scenario ? conflict : { ...conflict, in_scenario: { id: at.id, name: at.name } });
    }
  }
  return conflicts;
}

/** Fields changed both in the scenario and, since, in its source — for a person to resolve before promotion. */
export function findConflicts(source: OrgGraph, changes: readonly ScenarioChange[], showMoney: boolean, showActors = true) {
  const conflicts: Record<string, unknown>[] = [];
  for (const change of changes) {
    if (change.op !== 'change' || (!showMoney && change.family === 'compensations')) continue;
    const current = recordsOf(source, change.family).get(change.recordId);
    const entity = ENTITY_TYPES[change.family];
    if (!current) {
      conflicts.push({ family: entity, id: change.recordId, field: null, reason: 'removed_in_source' });
      continue;
    }
    for (const [field, baseValue] of Object.entries(change.base ?? {})) {
      if (!showMoney && MONEY_FIELDS.has(field)) continue;
      const mine = change.values?.[field];
      if (!sameValue(current[field], baseValue) && !sameValue(current[field], mine)) {
        conflicts.push({
          family: entity,
          id: change.recordId,
          label: labelOf(current, [source], showActors),
          field: snake(field),
          base: baseValue ?? null,
          scenario: mine ?? null,
          source: current[field] ?? null,
          ...amountCurrencies(field, current, change),
          reason: 'changed_in_both',
        });
      }
    }
  }
  return conflicts;
}

/**
 * The currency of a conflict's amounts (pay, target pay: minor units of the record's own currency), so every surface
 * can say "US$95,000" rather than a bare 9500000: `currency` when the three sides share one, else `currencies` by side
 * (the scenario or the source also changed the record's currency). Nothing for a field that is no amount.
 */
function amountCurrencies(field: string, current: Record<string, unknown>, change: ScenarioChange) {
  if (!field.endsWith('Minor')) return {};
  const code = (value: unknown) => (typeof value === 'string' ? value : null);
  const source = code(current.currency);
  // A side that did not change the currency has the one the record has in the source.
  const scenario = change.values && 'currency' in change.values ? code(change.values.currency) : source;
  const base = change.base && 'currency' in change.base ? code(change.base.currency) : source;
  if (base === scenario && scenario === source) return source ? { currency: source } : {};
  return { currencies: { base, scenario, source } };
}

function present(record: Record<string, unknown>, showMoney: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (Object.hasOwn(record, key) && (showMoney || !MONEY_FIELDS.has(key))) out[snakeField(key)] = record[key];
  return out;
}

/**
 * What a reader calls a record, on every surface (the web's delta and conflicts show it as it is): its name or
 * title; a department's or team's, its unit's name; a record without one by whose it is ("Pay of Ann Lee",
 * "Ann Lee in Platform (50 %)", "Ann Lee reports to Bo Chen"), never null when the graphs hold what it refers to.
 * Without `actors.read` (`showActors` false) an actor is named by an id prefix ("#1a2b3c4d"), as the pages do.
 */
export function labelOf(record: Record<string, unknown>, graphs: readonly OrgGraph[], showActors = true): string | null {
  const own = (record.name ?? record.displayName ?? record.title ?? null) as string | null;
  if (own) return own;
  if (typeof record.actorId !== 'string') return typeof record.orgUnitId === 'string' ? unitNameIn(graphs, record.orgUnitId) : null;
  const actor = actorNameIn(graphs, record.actorId, showActors);
  if (!actor) return null;
  if ('amountMinor' in record) return `Pay of ${actor}`;
  if ('allocationPct' in record) {
    const unit = unitNameIn(graphs, record.orgUnitId);
    return unit ? `${actor} in ${unit} (${record.allocationPct} %)` : actor;
  }
  if ('managerId' in record) {
    const manager = actorNameIn(graphs, record.managerId, showActors);
    return manager ? `${actor} reports to ${manager}` : `${actor} has no manager`;
  }
  return actor;
}

// labelOf runs per record of a delta: plain loops, no closures or arrays made per call.

/** The first name the graphs give a unit (a name, never ""), else null. */
function unitNameIn(graphs: readonly OrgGraph[], id: unknown): string | null {
  for (const graph of graphs) {
    const name = graph.orgUnits.get(id as string)?.name;
    if (name) return name;
  }
  return null;
}

/** The first display name the graphs give a person, else null; an id prefix without `actors.read`. */
function actorNameIn(graphs: readonly OrgGraph[], id: unknown, showActors: boolean): string | null {
  if (typeof id !== 'string') return null;
  if (!showActors) return `#${id.slice(0, 8)}`;
  for (const graph of graphs) {
    const name = graph.actors.get(id)?.displayName;
    if (name) return name;
  }
  return null;
}

type Metrics = ReturnType<typeof metricsOf>;

/** `a.localeCompare(b)` without building a collator per call. */
const collator = new Intl.Collator();

function metricDeltas(
  from: Metrics,
  to: Metrics,
  target: OrgGraph,
  base: OrgGraph,
  principal: Principal,
  onlyUnit: string | null,
  probes: { from: Metrics; to: Metrics } | null = null,
) {
  const money = can(principal, 'costs.read');
  const byUnit: Record<string, unknown>[] = [];
  const add = (id: string) => {
    const before = from.units.get(id);
    const after = to.units.get(id);
    // Metrics derived from the other side's share the figures of every unit the changes did not reach.
    if (before !== undefined && before === after && id !== onlyUnit) return;
    const d = unitDelta(before, after, money, id === onlyUnit, probes ? [probes.from.units.get(id), probes.to.units.get(id)] : null);
    if (d) byUnit.push({ org_unit_id: id, name: (target.orgUnits.get(id) ?? base.orgUnits.get(id))?.name ?? null, ...d });
  };
  if (onlyUnit) add(onlyUnit);
  else {
    for (const id of from.units.keys()) add(id);
    for (const id of to.units.keys()) if (!from.units.has(id)) add(id);
  }
  byUnit.sort((a, b) => collator.compare(String(a.name), String(b.name)) || collator.compare(String(a.org_unit_id), String(b.org_unit_id)));
  const total = unitDelta(from.total, to.total, money, true, probes ? [probes.from.total, probes.to.total] : null)!;
  // Placement checks count actors across the whole organisation: in the total only.
  for (const check of PLACEMENT_CHECKS) total[check] = pair(from.placementChecks[check], to.placementChecks[check]);
  return { total, by_org_unit: byUnit };
}

type Pair = {
  from: number | null;
  to: number | null;
  delta: number | null;
  /** Cost pairs: the reporting currency their minor units are in. */
  currency?: string;
  unconvertible?: string[];
  from_unconvertible?: string[];
  to_unconvertible?: string[];
};

function pair(from: number | null, to: number | null, digits = 2): Pair {
  const f = from === null ? null : round(from, digits);
  const t = to === null ? null : round(to, digits);
  return { from: f, to: t, delta: f === null || t === null ? null : round(t - f, digits) };
}

/**
 * A cost delta, in minor units of the reporting currency it names. A side without the unit counts 0. When a side holds currencies with no exchange rate (SPEC §6) its
 * figure is as org metrics give it (the convertible part; null when nothing was convertible), `unconvertible` lists
 * those currencies (both sides) and `from_unconvertible` / `to_unconvertible` say which side holds which. The delta
 * is then known only when the unconvertible part is the same on both sides (`probes`: the same figures with a stand-in
 * rate for each missing currency, see `probeCost`): then it is the change of the convertible part. Otherwise it is
 * null — unknown, never a number that silently counts those currencies as 0.
 */
export function moneyPair(from: MoneyFigure | undefined, to: MoneyFigure | undefined, probes: [MoneyFigure | undefined, MoneyFigure | undefined] | null = null): Pair {
  const fromOut = from?.unconvertible ?? [];
  const toOut = to?.unconvertible ?? [];
  // Minor units mean nothing without their currency: every money figure names it.
  const currency = from?.currency ?? to?.currency;
  const p = pair(from ? from.amountMinor : 0, to ? to.amountMinor : 0, 0);
  if (currency) p.currency = currency;
  if (!fromOut.length && !toOut.length) return p;
  return {
    ...p,
    delta: sameUnconvertiblePart(from, to, probes) ? round((to?.amountMinor ?? 0) - (from?.amountMinor ?? 0), 0) : null,
    unconvertible: [...new Set([...fromOut, ...toOut])].sort(),
    ...(fromOut.length ? { from_unconvertible: fromOut } : {}),
    ...(toOut.length ? { to_unconvertible: toOut } : {}),
  };
}

/** Whether both sides hold the same unconvertible part: same currencies, same stand-in amount (to rounding). */
function sameUnconvertiblePart(from: MoneyFigure | undefined, to: MoneyFigure | undefined, probes: [MoneyFigure | undefined, MoneyFigure | undefined] | null): boolean {
  if (!probes || String(from?.unconvertible ?? []) !== String(to?.unconvertible ?? [])) return false;
  const [probeFrom, probeTo] = probes;
  if (probeFrom?.unconvertible.length || probeTo?.unconvertible.length) return false;
  const hidden = (figure: MoneyFigure | undefined, probe: MoneyFigure | undefined) => (probe?.amountMinor ?? 0) - (figure?.amountMinor ?? 0);
  return Math.abs(hidden(from, probeFrom) - hidden(to, probeTo)) <= 2;
}

/**
 * Cost settings with a stand-in rate for every currency that has none on either side (null when none is missing):
 * only to tell whether the unconvertible part of a figure changed, never shown. Distinct irrational-looking rates
 * keep different currencies (or amounts) from adding up to the same stand-in total by chance.
 */
export function probeCost(cost: CostSettings, from: UnitMetrics, to: UnitMetrics): CostSettings | null {
  const missing = [
    ...new Set([...from.cost.annual.unconvertible, ...to.cost.annual.unconvertible, ...from.cost.vacantAnnual.unconvertible, ...to.cost.vacantAnnual.unconvertible]),
  ].sort();
  if (!missing.length) return null;
  const exchangeRates = { ...cost.exchangeRates };
  missing.forEach((code, i) => (exchangeRates[code] = Math.SQRT2 + Math.PI * (i + 1)));
  return { ...cost, exchangeRates };
}

/** Whether a pair moved. An unknown cost delta did: its unconvertible part (or which currencies) changed. */
export function movedPair(p: Pair): boolean {
  if (p.unconvertible && p.delta === null) return true;
  return p.delta !== 0 && !(p.from === null && p.to === null);
}

/**
 * The order of a delta's metric pairs, as unitDelta and the total write them: a preview read back from the database
 * (whose JSON orders keys by length) is put back in it, so every surface lists the same figures in the same order.
 */
export const METRIC_ORDER: readonly string[] = [
  'headcount', 'robots', 'agents', 'fte', 'effective_fte', 'vacant_positions', 'span_average', 'span_median', 'layers',
  'annual_cost_minor', 'monthly_cost_minor', 'without_compensation', 'vacant_seats_annual_cost_minor', ...PLACEMENT_CHECKS,
];

/** The metric deltas of one unit; null when nothing moved (unless `always`). */
function unitDelta(
  from: UnitMetrics | undefined,
  to: UnitMetrics | undefined,
  money: boolean,
  always = false,
  probes: [UnitMetrics | undefined, UnitMetrics | undefined] | null = null,
) {
  // Per unit the changes reach, so written out rather than through a helper and a picker per figure: a side without
  // the unit counts 0 (spans: null).
  const out: Record<string, Pair> = {
    headcount: pair(from ? from.headcount : 0, to ? to.headcount : 0),
    robots: pair(from ? from.robots : 0, to ? to.robots : 0),
    agents: pair(from ? from.agents : 0, to ? to.agents : 0),
    fte: pair(from ? from.fte : 0, to ? to.fte : 0),
    effective_fte: pair(from ? from.effectiveFte : 0, to ? to.effectiveFte : 0),
    vacant_positions: pair(from ? from.positions.vacant : 0, to ? to.positions.vacant : 0),
    span_average: pair(from?.span.average ?? null, to?.span.average ?? null),
    span_median: pair(from?.span.median ?? null, to?.span.median ?? null),
    layers: pair(from ? from.layers : 0, to ? to.layers : 0),
  };
  if (money) {
    out.annual_cost_minor = moneyPair(from?.cost.annual, to?.cost.annual, probes && [probes[0]?.cost.annual, probes[1]?.cost.annual]);
    out.monthly_cost_minor = moneyPair(from?.cost.monthly, to?.cost.monthly, probes && [probes[0]?.cost.monthly, probes[1]?.cost.monthly]);
    // Actors with no pay in effect: their cost is unknown, not 0 — a hire without pay moves this, not the cost.
    out.without_compensation = pair(from ? from.cost.withoutCompensation : 0, to ? to.cost.withoutCompensation : 0);
    // Budgeted, not paid: the vacant seats at their target pay (loaded, a year) — apart from the payroll cost above,
    // so creating 5 positions shows what they are budgeted at before anyone fills them.
    out.vacant_seats_annual_cost_minor = moneyPair(from?.cost.vacantAnnual, to?.cost.vacantAnnual, probes && [probes[0]?.cost.vacantAnnual, probes[1]?.cost.vacantAnnual]);
  }
  const moved = Object.values(out).some(movedPair);
  return moved || always ? out : null;
}
