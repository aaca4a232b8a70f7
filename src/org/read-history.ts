import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { authorize, can, type Principal } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { queryArrays } from '../db/connection.js';
import { auditEvents, currencies, lineageEntries, memberships, scenarios, tenantCurrencies, users } from '../db/schema/index.js';
import { InvalidInput, NotFound } from '../errors.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import { isUuid } from '../util/ids.js';
import { checkLimit, decodeCursor, encodeCursor, paginate, queryFingerprint, sortByKey, type PageRequest } from '../util/pagination.js';
import { addDays, inEffect, isIsoDate, ISO_DATE_RULE } from './dates.js';
import { entityOfCreated, snakeKeys } from './family-names.js';
import { indexGraph } from './graph-index.js';
import { orgMetricsFor, presentUnitMetrics } from './metrics-service.js';
import type { UnitMetrics } from './metrics.js';
import { checkUnitType, mapPage } from './read-structure.js';
import type { OrgGraph, OrgUnit } from './types.js';
import { openView, type ViewRequest } from './view.js';

/**
 * Reads about how Live evolved and how the tenant is set up: lineage, the activity log, the settings summary, the
 * org summary and cost roll-ups (scenarios are listed and shown by scenarios/lifecycle.ts, for every surface).
 * Stored before/after values and lineage deltas may hold money: it is dropped without `costs.read`, like every
 * other money figure.
 */

const newestFirst = (at: Date, id: string) => [-at.getTime(), id] as const;

/**
 * Lineage of Live: promotions, restores and imports, newest first. Each entry says who did it (`user`: their id and
 * name — their email when they gave no name —, null for the system and HRIS sync) and names the snapshot of the Live
 * it replaced `from_snapshot_id` and what became Live `to_scenario_id`, as promotion and restore task results do.
 */
export async function listLineage(ctx: ServiceContext, request: PageRequest = {}) {
  authorize(ctx.principal, 'scenarios.read');
  const rows = await ctx.db
    .select({ entry: lineageEntries, name: users.name, email: users.email })
    .from(lineageEntries)
    .leftJoin(users, eq(users.id, lineageEntries.userId))
    .where(eq(lineageEntries.tenantId, ctx.tenant.id));
  const key = (r: (typeof rows)[number]) => newestFirst(r.entry.appliedAt, r.entry.id);
  const page = paginate('lineage', sortByKey(rows, key), key, request);
  return {
    page: mapPage(page, ({ entry: r, name, email }) => ({
      id: r.id,
      type: r.type,
      from_snapshot_id: r.fromSnapshotId,
      to_scenario_id: r.toScenarioId,
      live_version: Number(r.liveVersion),
      user_id: r.userId,
      user: r.userId ? { id: r.userId, name: name ?? email ?? null } : null,
      applied_at: r.appliedAt,
      deltas: visibleMoney(r.deltas, ctx.principal),
    })),
  };
}

export interface ActivityFilter extends PageRequest {
  category?: string | null;
  entityType?: string | null;
  scenarioId?: string | null;
  /**
   * `live`: only the changes that reached Live (imports and HRIS sync into Live, promotions, restores), `scenarios`:
   * only what was done in or to scenarios (drafts, confirmed proposals, lifecycle); both are model events.
   */
  scope?: string | null;
  /** First day included (YYYY-MM-DD). */
  since?: string | null;
  /** Last day included (YYYY-MM-DD). */
  until?: string | null;
}

export const ACTIVITY_SCOPES = ['live', 'scenarios'] as const;

/** Record types whose record is a member (their user id). */
const MEMBER_EVENTS = ['membership', 'password_reset'] as const;

/**
 * The audit log, newest first. Keyset-paginated in the database (the log grows without bound); the cursor is the
 * event time in microseconds plus its id, so events in the same millisecond are neither skipped nor repeated.
 */
export async function listActivity(ctx: ServiceContext, filter: ActivityFilter = {}) {
  authorize(ctx.principal, 'activity.read');
  const limit = checkLimit(filter.limit);
  const query = queryFingerprint(filter);
  const micros = sql<string>`(extract(epoch from ${auditEvents.at}) * 1000000)::bigint::text`;
  const conditions: (SQL | undefined)[] = [eq(auditEvents.tenantId, ctx.tenant.id), ...activityFilters(filter)];
  if (filter.cursor) {
    const [atMicros, id] = decodeCursor(filter.cursor, 'activity', query);
    if (typeof atMicros !== 'string' || !/^\d+$/.test(atMicros) || typeof id !== 'string' || !isUuid(id)) {
      throw new InvalidInput('cursor', 'not a cursor this server issued; start again without it');
    }
    const at = sql`(extract(epoch from ${auditEvents.at}) * 1000000)::bigint`;
    conditions.push(or(sql`${at} < ${atMicros}::bigint`, and(sql`${at} = ${atMicros}::bigint`, sql`${auditEvents.id} < ${id}::uuid`)));
  }
  // Events about a member (membership, password reset) carry that member's user id as their record: name them.
  const member = alias(users, 'member');
  const rows = await ctx.db
    .select({ event: auditEvents, micros, email: users.email, name: users.name, memberEmail: member.email, memberName: member.name, scenarioName: scenarios.name })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.userId))
    .leftJoin(scenarios, and(eq(scenarios.tenantId, auditEvents.tenantId), eq(scenarios.id, auditEvents.scenarioId)))
    .leftJoin(member, and(inArray(auditEvents.entityType, [...MEMBER_EVENTS]), sql`${member.id}::text = ${auditEvents.entityId}`))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  // The scenario an event happened in, by name — for those who may read scenarios.
  const seesScenarios = can(ctx.principal, 'scenarios.read');
  return {
    page: {
      items: items.map((r) =>
        presentEvent(r.event, r.email ? { id: r.event.userId, email: r.email, name: r.name } : null, ctx.principal, r.memberEmail ? { id: r.event.entityId, email: r.memberEmail, name: r.memberName } : null),
      ),
      nextCursor: rows.length > limit && last ? encodeCursor([last.micros, last.event.id], 'activity', query) : null,
    },
    /** The name of each scenario the page's events happened in, by id (empty without scenarios.read). */
    scenarioNames: Object.fromEntries(seesScenarios ? items.flatMap((r) => (r.event.scenarioId && r.scenarioName ? [[r.event.scenarioId, r.scenarioName]] : [])) : []) as Record<string, string>,
  };
}

function activityFilters(filter: ActivityFilter): (SQL | undefined)[] {
  const category = filter.category?.trim();
  if (category && category !== 'security' && category !== 'model') throw new InvalidInput('category', 'must be security or model');
  const scenarioId = filter.scenarioId?.trim();
  if (scenarioId && !isUuid(scenarioId)) throw new InvalidInput('scenario_id', 'must be a scenario id');
  const scope = filter.scope?.trim() || null;
  if (scope && !(ACTIVITY_SCOPES as readonly string[]).includes(scope)) throw new InvalidInput('scope', `must be one of ${ACTIVITY_SCOPES.join(', ')}`);
  if (scope && category === 'security') throw new InvalidInput('scope', 'is about model changes: leave out category "security" (or scope)');
  if (scope === 'live' && scenarioId) throw new InvalidInput('scope', 'live leaves out scenario changes: pass scope "live" or a scenario_id, not both');
  // A promotion is recorded against the scenario it applied, yet it is what changed Live.
  const promotion = and(eq(auditEvents.entityType, 'scenario'), eq(auditEvents.action, 'promoted'));
  return [
    scope ? eq(auditEvents.category, 'model') : undefined,
    scope === 'live' ? or(isNull(auditEvents.scenarioId), promotion) : undefined,
    scope === 'scenarios' ? isNotNull(auditEvents.scenarioId) : undefined,
    category ? eq(auditEvents.category, category) : undefined,
    filter.entityType?.trim() ? eq(auditEvents.entityType, filter.entityType.trim()) : undefined,
    scenarioId ? eq(auditEvents.scenarioId, scenarioId) : undefined,
    filter.since ? gte(auditEvents.at, startOfDay(filter.since, 'since')) : undefined,
    filter.until ? lt(auditEvents.at, startOfDay(addDays(checkDay(filter.until, 'until'), 1), 'until')) : undefined,
  ];
}

function checkDay(day: string, field: string): string {
  if (!isIsoDate(day.trim())) throw new InvalidInput(field, ISO_DATE_RULE);
  return day.trim();
}

function startOfDay(day: string, field: string): Date {
  return new Date(`${checkDay(day, field)}T00:00:00Z`);
}

type EventUser = { id: string | null; email: string; name: string | null };

function presentEvent(e: typeof auditEvents.$inferSelect, user: EventUser | null, principal: Principal, member: EventUser | null = null) {
  return {
    id: e.id,
    at: e.at,
    category: e.category,
    entity_type: e.entityType,
    entity_id: e.entityId,
    action: e.action,
    user,
    /** The member the event is about (membership and password-reset events), or null. */
    member,
    principal_kind: e.principalKind,
    client_name: e.clientName,
    scenario_id: e.scenarioId,
    // Stored as the records were (camelCase, `displayName`); answered in the API's own field names (`display_name`).
    before: snakeKeys(visibleMoney(e.before, principal)),
    after: snakeKeys(visibleMoney(e.entityType === 'proposal' ? createdAsEntities(e.after) : e.after, principal)),
    metadata: visibleMoney(e.metadata, principal),
  };
}

/**
 * A confirmed proposal's outcome names the family of each record it created as the record types here (`org_unit`);
 * events recorded before it did held the engine's names (`org_units`).
 */
function createdAsEntities(after: unknown): unknown {
  const created = (after as { created?: unknown } | null)?.created;
  if (!Array.isArray(created)) return after;
  return { ...(after as object), created: created.map((c: { family?: unknown }) => (typeof c?.family === 'string' ? { ...c, family: entityOfCreated(c.family) } : c)) };
}

const MONEY_KEY = /amount|salary|day_?rate|(^|_)rates?($|_)|currency|cost|compensation|money|burden/i;

/** Stored JSON with every money-looking field removed unless the principal has `costs.read`. */
export function visibleMoney(value: unknown, principal: Principal): unknown {
  return can(principal, 'costs.read') ? value : withoutMoneyFields(value);
}

/**
 * JSON with every money-looking field removed, at any depth (cost deltas, their currency and unconvertible markers,
 * amounts, rates). Apply it to money-bearing parts (deltas, before/after values), not to whole documents whose keys
 * merely name a model family (`compensations` counts are not money).
 */
export function withoutMoneyFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMoneyFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !MONEY_KEY.test(key))
      .map(([key, v]) => [key, withoutMoneyFields(v)]),
  );
}

/** Plan, currencies (rates and cost settings with `costs.read`) and member counts. No secrets, no people. */
export async function getSettingsSummary(ctx: ServiceContext) {
  const { tenant, principal } = ctx;
  const seesCost = can(principal, 'costs.read');
  const currencyRows = await ctx.db
    .select({ code: tenantCurrencies.code, name: currencies.name, active: tenantCurrencies.active, rate: tenantCurrencies.rateToReporting })
    .from(tenantCurrencies)
    .innerJoin(currencies, eq(currencies.code, tenantCurrencies.code))
    .where(eq(tenantCurrencies.tenantId, tenant.id))
    .orderBy(tenantCurrencies.code);
  const memberRows = await ctx.db
    .select({ role: memberships.role, count: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.status, 'active')))
    .groupBy(memberships.role)
    .orderBy(memberships.role);
  const features = PLAN_FEATURES[tenant.plan];
  const limitOf = (n: number) => (Number.isFinite(n) ? n : 'unlimited');
  return {
    tenant: { slug: tenant.slug, name: tenant.name },
    plan: {
      name: tenant.plan,
      mcp: features.mcp,
      hris_sync: features.hrisSync,
      active_planning_scenarios: limitOf(features.activePlanningScenarios),
      actor_allowance: limitOf(tenant.actorAllowance ?? features.actorAllowance),
    },
    reporting_currency: tenant.reportingCurrency,
    currencies: currencyRows.map((c) => ({
      code: c.code,
      name: c.name,
      active: c.active,
      has_rate: c.code === tenant.reportingCurrency || c.rate !== null,
      ...(seesCost ? { rate_to_reporting: c.code === tenant.reportingCurrency ? 1 : c.rate === null ? null : Number(c.rate) } : {}),
    })),
    ...(seesCost ? { cost_settings: { burden_pct: tenant.burdenPct, working_days_per_year: tenant.workingDaysPerYear } } : {}),
    members: {
      total: memberRows.reduce((sum, r) => sum + Number(r.count), 0),
      by_role: Object.fromEntries(memberRows.map((r) => [r.role, Number(r.count)])),
    },
    mcp_tool_names: tenant.settings.mcpToolNames ?? 'underscore',
  };
}

const byName = (u: OrgUnit) => [u.name.toLowerCase(), u.id] as const;

/**
 * The big picture of Live or a scenario: totals and the placement-check counts (with org-metrics.read), the top two
 * levels of the structure and scenario counts.
 */
export async function summarizeOrg(ctx: ServiceContext, request: ViewRequest = {}) {
  authorize(ctx.principal, 'org-units.read');
  // The scenario counts come with the current Live version in one statement, which the view then reads Live at.
  const counted = can(ctx.principal, 'scenarios.read')
    ? await ctx.graphs.current.get(`live-version-and-scenario-counts:${ctx.tenant.id}`, () => liveVersionAndScenarioCounts(ctx))
    : null;
  const view = await openView(ctx, request, counted?.liveVersion);
  const metrics = await orgMetricsFor(ctx, view);
  const brief = (unit: OrgUnit) => {
    const m = presentUnitMetrics(metrics.units.get(unit.id), ctx.principal, metrics.currency);
    return { id: unit.id, name: unit.name, type: unit.type, headcount: m?.headcount, fte: m?.fte, annual_cost: m?.cost?.annual };
  };
  const topLevel = topTwoLevels(view.graph, view.asOf).map(({ root, children }) => ({ ...brief(root), children: children.map(brief) }));
  return {
    view,
    tenant: { slug: ctx.tenant.slug, name: ctx.tenant.name, plan: ctx.tenant.plan, reporting_currency: ctx.tenant.reportingCurrency },
    totals: presentUnitMetrics(metrics.total, ctx.principal, metrics.currency),
    // Counts of actors, like the totals (and as org metrics give them): who they are needs placements.read.
    placementChecks: can(ctx.principal, 'org-metrics.read') ? metrics.placementChecks : null,
    topLevel,
    scenarioCounts: counted?.counts ?? null,
  };
}

const topLevels = new WeakMap<OrgGraph, Map<string, { root: OrgUnit; children: OrgUnit[] }[]>>();
const DAYS_PER_GRAPH = 8;

/**
 * The org units in effect on `day` at the top (no parent, or a parent not in the graph) with their children in
 * effect, each level sorted by name. Memoised per graph (graphs are immutable) and day: finding the roots walks
 * every org unit, which a large organisation should not pay on every summary.
 */
function topTwoLevels(graph: OrgGraph, day: string): { root: OrgUnit; children: OrgUnit[] }[] {
  let byDay = topLevels.get(graph);
  if (!byDay) topLevels.set(graph, (byDay = new Map()));
  let levels = byDay.get(day);
  if (!levels) {
    const index = indexGraph(graph);
    const active = (u: OrgUnit) => inEffect(u, day);
    const roots = sortByKey(
      [...graph.orgUnits.values()].filter((u) => active(u) && (!u.parentId || !graph.orgUnits.has(u.parentId))),
      byName,
    );
    levels = roots.map((root) => ({ root, children: sortByKey((index.childrenOf.get(root.id) ?? []).filter(active), byName) }));
    if (byDay.size >= DAYS_PER_GRAPH) byDay.clear();
    byDay.set(day, levels);
  }
  return levels;
}

/**
 * The tenant's current Live version, and its scenarios and snapshots by kind and state counted by the database:
 * one statement, one row whatever their number — run on every summary, so a prepared one (see queryArrays).
 */
const LIVE_VERSION_AND_SCENARIO_COUNTS = `select t.live_version,
    count(s.id) filter (where s.kind = 'planning' and s.state = 'active')::int,
    count(s.id) filter (where s.kind = 'planning' and s.state = 'active' and s.submitted_at is not null)::int,
    count(s.id) filter (where s.kind = 'planning' and s.state = 'archived')::int,
    count(s.id) filter (where s.kind = 'applied')::int,
    count(s.id) filter (where s.kind = 'snapshot')::int
  from tenants t left join scenarios s on s.tenant_id = t.id
  where t.id = $1
  group by t.live_version`;

async function liveVersionAndScenarioCounts(ctx: ServiceContext) {
  const [row = []] = await queryArrays(ctx.db, LIVE_VERSION_AND_SCENARIO_COUNTS, [ctx.tenant.id], 'orgonaut_live_version_and_scenario_counts');
  const [v, pa, ps, pr, ap, sn] = row;
  return {
    liveVersion: Number(v ?? 0),
    counts: {
      planning_active: Number(pa ?? 0),
      planning_submitted: Number(ps ?? 0),
      planning_archived: Number(pr ?? 0),
      applied: Number(ap ?? 0),
      snapshots: Number(sn ?? 0),
    },
  };
}

/**
 * Loaded cost rolled up per org unit (each unit includes everything below it): every active unit, or one unit and
 * its direct children. Needs `costs.read`; figures in the reporting currency, unconvertible ones flagged.
 */
export interface CostRollupRequest extends ViewRequest, PageRequest {
  orgUnitId?: string | null;
  type?: string | null;
}

export async function rollupCosts(ctx: ServiceContext, request: CostRollupRequest = {}) {
  authorize(ctx.principal, 'costs.read');
  authorize(ctx.principal, 'org-units.read');
  authorize(ctx.principal, 'org-metrics.read');
  const view = await openView(ctx, request);
  const metrics = await orgMetricsFor(ctx, view);
  const unitId = request.orgUnitId?.trim() || null;
  const scopeUnit = unitId ? view.graph.orgUnits.get(unitId) : null;
  if (unitId && !scopeUnit) throw new NotFound('Org unit', unitId);
  const type = checkUnitType(request.type);
  const candidates = scopeUnit ? (indexGraph(view.graph).childrenOf.get(scopeUnit.id) ?? []) : [...view.graph.orgUnits.values()];
  const units = candidates.filter((u) => inEffect(u, view.asOf) && (!type || u.type === type));
  const row = (m: UnitMetrics | undefined) => {
    const out = presentUnitMetrics(m, ctx.principal, metrics.currency)!;
    return { headcount: out.headcount, fte: out.fte, effective_fte: out.effective_fte, ...out.cost! };
  };
  const page = paginate('cost roll-up', sortByKey(units, byName), byName, request);
  // Seats with no budgeted team are in the organisation's total and in no unit: their own row, when there are any.
  const unassigned = !scopeUnit && metrics.unassigned.positions.budgeted > 0 ? { positions: metrics.unassigned.positions.budgeted, ...row(metrics.unassigned) } : null;
  return {
    view,
    total: { ...(scopeUnit ? { id: scopeUnit.id, name: scopeUnit.name, type: scopeUnit.type } : { scope: 'organisation' }), ...row(unitId ? metrics.units.get(unitId) : metrics.total) },
    unassigned,
    page: mapPage(page, (u) => ({ id: u.id, name: u.name, type: u.type, parent_id: u.parentId, ...row(metrics.units.get(u.id)) })),
  };
}
