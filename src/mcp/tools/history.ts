import { z } from 'zod';
import { can } from '../../access/policy.js';
import { listRoleBundles } from '../../access/role-bundles.js';
import type { ServiceContext } from '../../context.js';
import { InvalidInput } from '../../errors.js';
import { camel } from '../../org/family-names.js';
import { ACTIVITY_SCOPES, getSettingsSummary, listActivity, listLineage } from '../../org/read-history.js';
import type { OrgGraph } from '../../org/types.js';
import { labelOf } from '../../scenarios/delta.js';
import { listScenarios } from '../../scenarios/lifecycle.js';
import { listScenarioRows, loadScenario } from '../../scenarios/store.js';
import { listTypes } from '../../tenancy/settings.js';
import { day, holdsNamedIds, item, nextCursor, optionalId, pageFields, pageRequest, withNamesFrom } from '../fields.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** How Live evolved (lineage, snapshots), the activity log and the settings review. */


export const lineageTool = defineTool({
  name: 'org.lineage.list',
  title: 'Lineage of Live',
  description:
    'How Live changed over time, newest first: each promotion of a scenario, snapshot restore or import, with the ' +
    'Live version it produced, the snapshot of what it replaced and its summary deltas (money only with costs.read); `from_snapshot_name` and `to_scenario_name` name the snapshot and the scenario. ' +
    'Open the snapshot with `scenario.get` or read it with any org tool via `scenario_id`.',
  purpose: 'history',
  inputSchema: z.object({ ...pageFields }),
  outputSchema: z.object({
    lineage: z.array(
      item({
        type: z.string(),
        live_version: z.number(),
        from_snapshot_name: z.string().optional().describe('The name of the snapshot of what the entry replaced (from_snapshot_id)'),
        to_scenario_name: z.string().optional().describe('The name of the scenario it applied or the snapshot it restored (to_scenario_id)'),
      }),
    ),
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { limit: 10 },
  async handler(ctx, input) {
    const { page } = await listLineage(ctx, pageRequest(input));
    // The snapshot and scenario of each entry by name ("promoted Reshape sales, replacing Before reshape"), not ids to look up.
    const names = page.items.length ? new Map((await listScenarioRows(ctx.db, ctx.tenant.id)).map((s) => [s.id, s.name])) : new Map<string, string>();
    const named = (entry: (typeof page.items)[number]) => {
      const snapshot = entry.from_snapshot_id ? names.get(entry.from_snapshot_id) : undefined;
      const scenario = entry.to_scenario_id ? names.get(entry.to_scenario_id) : undefined;
      const withSnapshot = snapshot ? besideId(entry, 'from_snapshot_id', 'from_snapshot_name', snapshot) : entry;
      return scenario ? besideId(withSnapshot, 'to_scenario_id', 'to_scenario_name', scenario) : withSnapshot;
    };
    return { lineage: page.items.map(named), next_cursor: page.nextCursor ?? undefined };
  },
});

const snapshotItem = item({ name: z.string(), kind: z.string(), state: z.string() });

export const snapshotsTool = defineTool({
  name: 'org.snapshots.list',
  title: 'List snapshots',
  description:
    'Snapshots — archived, read-only copies of Live taken before a promotion or on request — newest first. Pass a ' +
    'snapshot’s id as `scenario_id` to any org tool (for example `org.metrics.get`) to see the organisation as it ' +
    'was. Planning scenarios are listed by `scenario.list`.',
  purpose: 'history',
  inputSchema: z.object({ state: z.enum(['active', 'archived']).optional().describe('Only snapshots in this state.'), ...pageFields }),
  outputSchema: z.object({ snapshots: z.array(snapshotItem), next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { limit: 10 },
  async handler(ctx, input) {
    const page = await listScenarios(ctx, { ...pageRequest(input), kind: 'snapshot', state: input.state });
    return { snapshots: page.items, next_cursor: page.nextCursor ?? undefined };
  },
});

export const activityTool = defineTool({
  name: 'org.activity.list',
  title: 'Activity log',
  description:
    'The tenant’s audit trail, newest first: sign-ins, tokens and connected apps, role and plan changes, and every ' +
    'model change with before/after values, the user and the MCP client (money fields only with costs.read); ' +
    '`entity_name` names each record. A placement, reporting line or pay is named by its person; `scenario_name` names the scenario a change was made in; ' +
    'in before/after each person, unit or seat id has its name beside it (`actor_name`, `org_unit_name`, `position_title`, `manager_name`, `parent_name`); ' +
    'an update’s before/after hold only the fields it changed. Filter ' +
    'by category, record type, scenario or a date range; "what changed in Live last week?" is `scope: "live"` with ' +
    '`since` (changes drafted in scenarios are left out; `scope: "scenarios"` lists only those). Needs activity.read.',
  purpose: 'history',
  inputSchema: z.object({
    category: z.enum(['security', 'model']).optional().describe('security = access events; model = changes to the organisation.'),
    entity_type: z
      .string()
      .max(100)
      .optional()
      .describe(
        'Only events about this kind of record. Model: org_unit, department, team, actor, reporting_line, placement, position, ' +
          'compensation, scenario, snapshot, proposal, import_run, import_row, hris_webhook. Security: sign_in, sign_out, api_token, oauth_app, ' +
          'oauth_client, oauth_token, oauth_keys, membership, invitation, plan, password_reset, integration, settings.currency, ' +
          'settings.cost_settings, settings.mcp_tool_names, role_bundle.',
      ),
    scenario_id: optionalId('Only changes made in this scenario.'),
    scope: z
      .enum(ACTIVITY_SCOPES)
      .optional()
      .describe(
        'live = only changes that reached Live (imports and HRIS sync into Live, promotions, restores); scenarios = only ' +
          'what was done in or to scenarios (drafts, confirmed proposals, lifecycle). Both list model events. Omit for everything.',
      ),
    since: day('First day to include (YYYY-MM-DD).'),
    until: day('Last day to include (YYYY-MM-DD).'),
    ...pageFields,
  }),
  outputSchema: z.object({ events: z.array(item({ category: z.string(), action: z.string() })), next_cursor: nextCursor }),
  annotations: READ_ONLY,
  requires: ['activity.read'],
  example: { category: 'model', limit: 20 },
  async handler(ctx, input, call) {
    // An inverted range would read as "nothing happened".
    if (input.since && input.until && input.until < input.since) throw new InvalidInput('until', `must not be before since (${input.since})`);
    const { page, scenarioNames } = await listActivity(ctx, {
      ...pageRequest(input),
      category: input.category,
      entityType: input.entity_type,
      scenarioId: input.scenario_id,
      scope: input.scope,
      since: input.since,
      until: input.until,
    });
    const events = (await withRecordNames(ctx, page.items.map(withEntityName))).map(changedFieldsOnly);
    const promotionStep = call.catalog.renderNames(PROMOTION_STEP, call.names);
    return {
      events: events.map((event) => withPromotionStep(withScenarioName(event, scenarioNames), promotionStep)),
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

const PROMOTION_STEP = 'Its changes to Live, record by record: scenario.delta with this scenario_id and compare: "promotion".';

/**
 * A promotion's event holds only its totals ("what changed in Live last week?" finds it): it says where the records
 * it changed are, as a `next_step` after its scenario.
 */
function withPromotionStep<E extends { entity_type: string; action: string }>(event: E, step: string): E & { next_step?: string } {
  return event.entity_type === 'scenario' && event.action === 'promoted' ? { ...event, next_step: step } : event;
}

/**
 * An update's before/after with only the fields it changed (and their names beside changed ids): the whole record
 * twice was ~900 characters an event, most of it the same on both sides ("Lars Martin's FTE 1 → 0.5" with his
 * email, level, title and ids repeated). `entity_id` and `entity_name` say which record it is.
 */
function changedFieldsOnly<E extends { action: string; before?: unknown; after?: unknown }>(event: E): E {
  const { before, after } = event;
  if (event.action !== 'updated' || !isPlainRecord(before) || !isPlainRecord(after)) return event;
  const changed = new Set([...Object.keys(before), ...Object.keys(after)].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])));
  const pick = (state: Record<string, unknown>) => Object.fromEntries(Object.entries(state).filter(([key]) => changed.has(key)));
  return { ...event, before: pick(before), after: pick(after) };
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields that name a record in an event's before/after, in the order that best names it. */
const NAME_FIELDS = ['display_name', 'name', 'title'] as const;

/**
 * An event with `entity_name` beside `entity_id`: the record's name as the event left it (after, else before, else
 * its metadata) —
 * "Nora Dvořák's FTE changed", not an id to look up, also for records a scenario or a deletion took away since.
 */
function withEntityName<E extends { before?: unknown; after?: unknown; metadata?: unknown }>(event: E): E & { entity_name?: string } {
  // Security events (a token revoked or first used) name their record in the metadata.
  for (const state of [event.after, event.before, event.metadata]) {
    if (typeof state !== 'object' || state === null) continue;
    const name = NAME_FIELDS.map((field) => (state as Record<string, unknown>)[field]).find((value) => typeof value === 'string' && value !== '');
    if (typeof name !== 'string') continue;
    return besideId(event, 'entity_id', 'entity_name', name);
  }
  return event;
}

type ActivityEvent = { entity_type: string; scenario_id: string | null; before?: unknown; after?: unknown; entity_name?: string };

/**
 * Events about records without a name of their own (placements, reporting lines, pay, department and team details)
 * named by whose they are, as the scenario delta labels them ("Ann Lee in Platform (50 %)", "Ann Lee reports to Bo
 * Chen", "Pay of Ann Lee"); and in every event's before/after, each id of a person, unit or seat with its name beside
 * it as the org tools give them (`actor_name`, `org_unit_name`, `position_title`, `manager_name`, `parent_name`), so
 * "who moved where" needs no look-up per id. Names come from the scenario the change was made in, else Live; only of
 * records the caller may read (actors.read, org-units.read, positions.read), as their tools need. A record no graph
 * holds any more keeps its ids alone.
 */
async function withRecordNames<E extends ActivityEvent>(ctx: ServiceContext, events: E[]): Promise<E[]> {
  const showActors = can(ctx.principal, 'actors.read');
  const showUnits = can(ctx.principal, 'org-units.read');
  const showPositions = can(ctx.principal, 'positions.read');
  const needsName = (e: E) => e.entity_name === undefined && stateOf(e) !== null;
  const needsGraphs = events.filter((e) => needsName(e) || holdsNamedIds(e.before) || holdsNamedIds(e.after));
  if (!needsGraphs.length || (!showActors && !showUnits && !showPositions)) return events;
  const scenarioIds = [...new Set(needsGraphs.flatMap((e) => (e.scenario_id ? [e.scenario_id] : [])))];
  // Live and the page's scenarios load together (a page of drafts can span many scenarios).
  const [live, graphs] = await Promise.all([
    ctx.graphs.live(ctx.tenant.id).then((view) => view.graph),
    Promise.all(
      scenarioIds.map((id) =>
        // A scenario deleted since is "not found": its records are named from Live, if at all.
        loadScenario(ctx.db, ctx.tenant.id, id).then(
          (scenario) => ctx.graphs.scenario(scenario),
          (): OrgGraph | null => null,
        ),
      ),
    ),
  ]);
  const scenarioGraphs = new Map(scenarioIds.map((id, i) => [id, graphs[i] ?? null]));
  return events.map((event) => {
    const own = event.scenario_id ? scenarioGraphs.get(event.scenario_id) : null;
    const from = own ? [own, live] : [live];
    const named = withStateNames(ctx, event, from);
    const state = named.entity_name === undefined ? stateOf(named) : null;
    if (!state || (state.actorId !== undefined ? !showActors : !showUnits)) return named;
    // Pay is named as pay even when its amount was left out (no costs.read).
    const record = named.entity_type === 'compensation' ? { ...state, amountMinor: state.amountMinor ?? null } : state;
    const name = labelOf(record, from);
    return name ? besideId(named, 'entity_id', 'entity_name', name) : named;
  });
}

/** The event with the names of the ids its before/after hold beside them (withNamesFrom). */
function withStateNames<E extends ActivityEvent>(ctx: ServiceContext, event: E, graphs: OrgGraph[]): E {
  const named = (state: unknown) => (holdsNamedIds(state) ? withNamesFrom(ctx.principal, graphs, [state as object])[0] : state);
  return {
    ...event,
    ...(event.before !== undefined ? { before: named(event.before) } : {}),
    ...(event.after !== undefined ? { after: named(event.after) } : {}),
  };
}

/** The record an event left (after, else before), in the record's own field names, when it refers to an actor or unit. */
function stateOf(event: ActivityEvent): Record<string, unknown> | null {
  for (const state of [event.after, event.before]) {
    if (typeof state !== 'object' || state === null) continue;
    const record = Object.fromEntries(Object.entries(state).map(([key, value]) => [camel(key), value]));
    if (typeof record.actorId === 'string' || typeof record.orgUnitId === 'string') return record;
  }
  return null;
}

/** An event with `scenario_name` right after `scenario_id` (absent without scenarios.read or once deleted). */
function withScenarioName<E extends { scenario_id: string | null }>(event: E, names: Record<string, string>): E & { scenario_name?: string } {
  const name = event.scenario_id ? names[event.scenario_id] : undefined;
  return name ? besideId(event, 'scenario_id', 'scenario_name', name) : event;
}

/** The event with `field` right after the id it names, where a reader looks for it. */
function besideId<E extends object, F extends string>(event: E, idKey: string, field: F, name: string): E & Record<F, string> {
  const entries = Object.entries(event).flatMap(([key, value]) => (key === idKey ? [[key, value], [field, name]] : [[key, value]]));
  return Object.fromEntries(entries) as E & Record<F, string>;
}

export const settingsTool = defineTool({
  name: 'org.settings.get',
  title: 'Settings review',
  description:
    'How the tenant is set up: plan and what it includes, reporting currency, the currencies in use and whether each ' +
    'has an exchange rate (the rates, burden % and working days per year with costs.read), and how many members ' +
    'hold each role; with members.manage, each role’s abilities here and how they differ from the defaults (`roles`). It also lists the department and team types by id and name (the ids `scenario.action.plan` takes ' +
    'as department_type_id and team_type_id). Read it before interpreting costs from `org.costs.rollup` or `org.metrics.get`.',
  purpose: 'history',
  inputSchema: z.object({}),
  outputSchema: z.object({
    tenant: z.looseObject({ slug: z.string(), name: z.string() }),
    plan: z.looseObject({ name: z.string() }),
    reporting_currency: z.string(),
    currencies: z.array(z.looseObject({ code: z.string(), has_rate: z.boolean() })),
    cost_settings: z.looseObject({ burden_pct: z.number(), working_days_per_year: z.number() }).optional(),
    members: z.looseObject({ total: z.number() }),
    mcp_tool_names: z.string(),
    department_types: z.array(z.object({ id: z.string(), name: z.string() })),
    team_types: z.array(z.object({ id: z.string(), name: z.string() })),
    roles: z
      .array(z.object({ role: z.string(), default: z.boolean(), abilities: z.array(z.string()), added: z.array(z.string()).optional(), removed: z.array(z.string()).optional() }))
      .optional(),
  }),
  annotations: READ_ONLY,
  requires: [],
  example: {},
  async handler(ctx) {
    const [summary, departmentTypes, teamTypes] = await Promise.all([getSettingsSummary(ctx), listTypes(ctx, 'department'), listTypes(ctx, 'team')]);
    // The role bundles (read-only here; changed in Settings → Members or over REST), for those who manage members.
    const roles = can(ctx.principal, 'members.manage')
      ? (await listRoleBundles(ctx.db, ctx.tenant, { principal: ctx.principal })).map((b) => ({ role: b.role, default: b.default, abilities: b.abilities, ...(b.added.length ? { added: b.added } : {}), ...(b.removed.length ? { removed: b.removed } : {}) }))
      : undefined;
    return { ...summary, department_types: departmentTypes, team_types: teamTypes, ...(roles ? { roles } : {}) };
  },
});

export const historyTools = [lineageTool, snapshotsTool, activityTool, settingsTool];
