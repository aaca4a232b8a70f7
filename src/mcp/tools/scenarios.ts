import { z } from 'zod';
import { COMPARE_MODES, scenarioDelta } from '../../scenarios/delta.js';
import { getScenario, listScenarios } from '../../scenarios/lifecycle.js';
import { SCENARIO_KINDS } from '../../scenarios/store.js';
import { asOf, cursor, id, item, limit, movedMetricsOnly, nextCursor, optionalId, pageFields, pageRequest, truncatedOut, withChangeNames } from '../fields.js';
import { countedRecords, DELTA_PAGE_DEFAULT, deltaFamily, pageDelta, type DeltaCounts } from '../../scenarios/delta-pages.js';
import { CHANGE_FAMILIES } from '../../scenarios/list-changes.js';
import { MAX_LIMIT } from '../../util/pagination.js';
import { PLACEMENT_CHECK_PAIRS } from '../placement-checks.js';
import type { ServiceContext } from '../../context.js';
import { typeNamesById } from '../../tenancy/settings.js';
import { openView } from '../../org/view.js';
import { daysAfter, shownDays } from '../later-changes.js';
import { defineTool, READ_ONLY } from '../registry.js';
import type { Ability } from '../../access/abilities.js';
import type { Principal } from '../../access/policy.js';
import { describeMissingAbility } from '../result.js';

/** Finding scenarios and seeing what they change. Every org tool reads a scenario when given its `scenario_id`. */

const editable = z
  .boolean()
  .describe(
    'Whether you can draft changes in it with `scenario.action.plan`: an active planning scenario, and your role and ' +
      'this connection have ai.scenarios.draft and scenarios.write (`kind` and `state` say what it is whoever asks)',
  );
const scenarioItem = item({ name: z.string(), kind: z.string(), state: z.string(), editable, revision: z.number() });

/** What drafting in a scenario needs (`scenario.action.plan`'s own abilities, before those of each change). */
const DRAFT_ABILITIES: readonly Ability[] = ['ai.scenarios.draft', 'scenarios.write'];

/** The draft abilities this caller's connection lacks (its role, or its token or OAuth scopes). */
export function missingDraftAbilities(principal: Principal): Ability[] {
  return DRAFT_ABILITIES.filter((ability) => !principal.abilities.has(ability));
}

/**
 * A scenario as this caller may use it: `editable` (the scenario can still change) only where the caller can draft
 * too, so an assistant never picks a scenario it would be refused on (a viewer sees no editable scenario).
 */
export function editableFor<T extends { editable: boolean }>(scenario: T, principal: Principal): T {
  return scenario.editable && missingDraftAbilities(principal).length > 0 ? { ...scenario, editable: false } : scenario;
}

/** A delta whose `scenario` is as this caller may use it (`editableFor`). */
export function deltaForCaller<D extends { scenario: { editable: boolean } }>(delta: D, principal: Principal): D {
  return { ...delta, scenario: editableFor(delta.scenario, principal) };
}

/** Why this caller cannot draft, and who or what would change that: absent when it can. */
function cannotDraft(principal: Principal, renderNames: (text: string) => string) {
  const missing = missingDraftAbilities(principal);
  if (!missing.length) return undefined;
  const quote = (abilities: readonly Ability[]) => abilities.map((a) => `"${a}"`).join(' and ');
  const needs = `No scenario is \`editable\` for you: drafting changes (\`scenario.action.plan\`) needs ${quote(DRAFT_ABILITIES)}`;
  // What the role lacks first: a step-up or a new token cannot fix that; who can grant it, from the tenant's bundles.
  const inRoleOnly = missing.filter((ability) => !principal.roleAbilities.has(ability));
  if (inRoleOnly.length) {
    return { message: renderNames(`${needs}, and your role does not have ${quote(inRoleOnly)}.`), fix: describeMissingAbility([inRoleOnly[0]!], principal).fix, missing };
  }
  const fix =
    principal.kind === 'oauth'
      ? `Your role includes ${quote(missing)} but this connection was not granted them: reconnect the app and allow ${quote(missing)}.`
      : `Your role includes ${quote(missing)} but this token was not granted them: create a personal API token that includes ${quote(missing)} (Settings → API and MCP).`;
  return { message: renderNames(`${needs}, and this ${principal.kind === 'oauth' ? 'connection' : 'token'} was not granted ${quote(missing)}.`), fix, missing };
}

export const scenarioListTool = defineTool({
  name: 'scenario.list',
  title: 'List scenarios',
  description:
    'Scenarios of the tenant, newest first: planning scenarios (`editable` while active and you can draft — ' +
    '`you_can_draft` says whether you can, and `cannot_draft` why not; `submitted` when sent for review), applied ones (promoted, locked) and snapshots, with their source and revision. Then use ' +
    '`scenario.get` for what one changes and `scenario.delta` for the changed records and metric deltas; pass its id ' +
    'as `scenario_id` to any org tool (e.g. `org.units.tree`) to read its organisation.',
  purpose: 'scenario-review',
  inputSchema: z.object({
    kind: z.enum(SCENARIO_KINDS).optional().describe('Only planning, applied or snapshot scenarios.'),
    state: z.enum(['active', 'archived']).optional().describe('Only active or archived scenarios.'),
    ...pageFields,
  }),
  outputSchema: z.object({
    scenarios: z.array(scenarioItem),
    you_can_draft: z.boolean().describe('Whether you can draft changes in planning scenarios at all (ai.scenarios.draft and scenarios.write)'),
    cannot_draft: z
      .object({ message: z.string(), fix: z.string(), missing: z.array(z.string()) })
      .optional()
      .describe('When you cannot draft: the abilities missing, and who can grant them or how to reconnect with them'),
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { kind: 'planning', state: 'active' },
  async handler(ctx, input, call) {
    const page = await listScenarios(ctx, { ...pageRequest(input), kind: input.kind, state: input.state });
    const refusal = cannotDraft(ctx.principal, (text) => call.catalog.renderNames(text, call.names));
    return {
      scenarios: page.items.map((s) => editableFor(s, ctx.principal)),
      you_can_draft: !refusal,
      cannot_draft: refusal,
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

export const scenarioGetTool = defineTool({
  name: 'scenario.get',
  title: 'Scenario details',
  description:
    'One scenario: kind, state, whether it can still be edited, what it branched from, its revision and how many ' +
    'records its overlay adds, changes and removes per family (`change_counts`), and how many changes promoting it would ' +
    'apply (`changes_to_promote`: a branch with none of its own carries its source’s). Find ids with `scenario.list` or ' +
    '`org.snapshots.list`; see the changes themselves with `scenario.delta`.',
  purpose: 'scenario-review',
  inputSchema: z.object({ scenario_id: id('The scenario or snapshot to show.') }),
  outputSchema: z.object({
    scenario: scenarioItem.extend({
      change_counts: z.record(z.string(), z.record(z.string(), z.number())),
      changes_to_promote: z.number().describe('The changes promoting it would apply: its own and those of the planning scenarios it was started from'),
    }),
  }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { scenario_id: '<an id from scenario.list>' },
  async handler(ctx, input) {
    return { scenario: editableFor(await getScenario(ctx, input.scenario_id.trim()), ctx.principal) };
  },
});

const compare = z
  .enum(COMPARE_MODES)
  .optional()
  .describe(
    'source (default): against the current state of what the scenario branched from — a branch with no change of its own yet is compared with Live instead, ' +
      'as against its source it changes nothing (the answer’s `compare` says which); live: against Live now; promotion (applied scenarios only): ' +
      'against the Live its promotion replaced, i.e. what the promotion changed. Snapshots and applied scenarios are otherwise compared with Live now.',
  );
const deltaView = {
  scenario_id: id('The scenario or snapshot to compare.'),
  compare,
  as_of: asOf.describe('The day the metrics are computed for (YYYY-MM-DD). Omit for today.'),
};

/**
 * Org units a delta lists in `by_org_unit` unless asked for more: those that moved most. A scenario changing the FTE of
 * 400 people on a 3,000-person organisation moved 254 units — ~45,000 characters of per-unit deltas.
 */
export const UNITS_DEFAULT = 20;

const unitLimit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .optional()
  .describe(`Org units in \`by_org_unit\`, those that moved most first, 1–${MAX_LIMIT} (default ${UNITS_DEFAULT}); \`by_org_unit_count\` says how many moved.`);

const unitsCutOut = {
  by_org_unit_count: z.number().optional().describe('How many org units moved in all (by_org_unit holds the ones that moved most, up to by_org_unit_limit)'),
};

type UnitDelta = { org_unit_id: string } & Record<string, unknown>;

/** How far a unit moved, for "moved most first": headcount, then effective FTE, FTE and annual cost. */
function movement(unit: UnitDelta): number[] {
  const size = (field: string) => Math.abs(((unit[field] as { delta?: number } | undefined)?.delta ?? 0) as number);
  return [size('headcount'), size('effective_fte'), size('fte'), size('annual_cost_minor')];
}

/**
 * The `limit` units of a delta that moved most (headcount first), with how many moved and, when some are left
 * out, what says so and how to see them (a larger by_org_unit_limit, or one org_unit_id).
 */
function unitsMovedMost(units: readonly UnitDelta[], limit = UNITS_DEFAULT, renderNames: (text: string) => string = (t) => t) {
  // None (nothing moved, or the metrics withheld): no count to give.
  if (units.length <= limit) return { by_org_unit: [...units], ...(units.length ? { by_org_unit_count: units.length } : {}) };
  const ranked = units
    .map((unit, i) => ({ unit, i, key: movement(unit) }))
    .sort((a, b) => {
      for (let k = 0; k < a.key.length; k++) if (a.key[k] !== b.key[k]) return b.key[k]! - a.key[k]!;
      return a.i - b.i;
    });
  return {
    by_org_unit: ranked.slice(0, limit).map((r) => r.unit),
    by_org_unit_count: units.length,
    more: renderNames(
      `by_org_unit shows the ${limit} org units that moved most (headcount, then effective FTE, FTE and annual cost) of the ${units.length} that moved; ` +
        `the totals are the whole scenario’s. Pass \`by_org_unit_limit\` (up to ${MAX_LIMIT}) for more, or \`org_unit_id\` to \`scenario.metrics.delta\` for one unit’s figures.`,
    ),
  };
}

const currencies = z.array(z.string());
const metricPair = z.looseObject({
  from: z.number().optional(),
  to: z.number().optional(),
  delta: z.number().optional(),
  unconvertible: currencies
    .optional()
    .describe(
      'Cost deltas: currencies with no exchange rate (from_unconvertible / to_unconvertible: on which side). from/to cover only the convertible part (absent when none); the delta is given when the unconvertible part is the same on both sides, else absent (unknown)',
    ),
  from_unconvertible: currencies.optional(),
  to_unconvertible: currencies.optional(),
});
const metricDeltas = z
  .record(z.string(), metricPair)
  .describe(
    'Per metric: from → to and the delta (money only with costs.read, in minor units of the reporting `currency` the pair names; a cost delta with `unconvertible` currencies is unknown, never 0; `without_compensation` counts the actors with no pay in effect, whose cost the cost figures leave out; `vacant_seats_annual_cost_minor` is budgeted, not paid: what the vacant positions would cost a year filled at their target pay, loaded, never part of `annual_cost_minor`). ' +
      `In the total only: ${PLACEMENT_CHECK_PAIRS} — organisation-wide counts of actors failing each placement check (lower is better; \`org.actors.list\` with \`placement_check\` names them)`,
  );
const withheld = z
  .array(z.object({ part: z.string(), needs: z.array(z.string()), note: z.string() }))
  .describe('What was left out because the credential lacks a read ability: record families, metrics or money, each with the abilities that would show it');
const unitDeltas = z
  .array(z.looseObject({ org_unit_id: z.string(), name: z.string().optional() }))
  .describe('The org units whose roll-up metrics moved, each with its metric deltas');
const comparedOut = {
  scenario: scenarioItem,
  compare: z.enum(COMPARE_MODES),
  against: z.looseObject({ kind: z.string() }).describe('What the scenario is compared with: live, or its source scenario'),
  as_of: z.string(),
};
const familyDelta = z
  .object({ added: z.array(z.looseObject({})).optional(), removed: z.array(z.looseObject({})).optional(), changed: z.array(z.looseObject({ id: z.string() })).optional() })
  .describe('The records of one family the scenario adds, removes and changes; a list with none is absent');

const unchangedOut = {
  note: z
    .string()
    .optional()
    .describe(
      'Present when the scenario differs in nothing from what it is compared with (no records, conflicts or metric moves), or when some of its changes take effect after `as_of`, which the metrics then leave out',
    ),
  next_step: z.string().optional().describe('With `note`: what to do instead (e.g. the `as_of` on which every change has taken effect)'),
};

type Delta = Awaited<ReturnType<typeof scenarioDelta>>;

/**
 * Whether the delta holds nothing at all — no record, conflict or moved metric — and no record family was withheld
 * (a caller who may not read the records could not tell). Its zero totals and unmoved units then say nothing.
 */
function unchanged(delta: Delta): boolean {
  const pairs = Object.values((delta.metrics.total ?? {}) as Record<string, { from?: unknown; to?: unknown }>);
  return (
    Object.keys(delta.families).length === 0 &&
    delta.conflicts.length === 0 &&
    !delta.withheld.some((w) => w.part !== 'metrics' && w.part !== 'money') &&
    pairs.every((p) => JSON.stringify(p.from) === JSON.stringify(p.to))
  );
}

/** The note and next step of a delta that holds nothing, in the client's tool names. */
function unchangedNote(delta: Delta, renderNames: (text: string) => string) {
  const against = delta.against.kind === 'live' ? 'Live' : 'its source scenario';
  return {
    note: `This scenario changes nothing against ${against} on ${delta.as_of}: no records, conflicts or metric moves.`,
    next_step: renderNames(
      delta.scenario.editable
        ? 'Draft changes with `scenario.action.plan`, or pass another `as_of` or `compare`.'
        : delta.scenario.kind === 'planning' && delta.scenario.state === 'active'
          ? // An active planning scenario the caller cannot draft in (scenario.list's `cannot_draft` says why).
            'Pass another `as_of` or `compare`.'
          : 'Pass another `as_of` or `compare`, or draft changes in an editable scenario from `scenario.list`.',
    ),
  };
}

/**
 * The days after the delta's `as_of` on which its records start or end: an added record's dates, a changed
 * `valid_from` / `valid_to`. A restructure planned for next quarter, read today, moves no metric at all.
 */
function laterChangeDays(delta: Delta): string[] {
  const dates: unknown[] = [];
  for (const family of Object.values(delta.families)) {
    for (const record of family?.added ?? []) dates.push(record.valid_from, record.valid_to);
    for (const record of family?.changed ?? []) {
      const fields = (record.fields ?? {}) as Record<string, { to?: unknown } | undefined>;
      dates.push(fields.valid_from?.to, fields.valid_to?.to);
    }
  }
  return daysAfter(delta.as_of, dates);
}

/**
 * The note and next step of a delta whose metrics, taken on `as_of`, leave out changes that take effect later (none
 * when the metrics were withheld, or every change has taken effect by then).
 */
function laterChangesNote(delta: Delta, records: string) {
  const days = laterChangeDays(delta);
  if (!days.length || !delta.metrics.total) return {};
  const last = days[days.length - 1]!;
  const shown = shownDays(days);
  return {
    note:
      `Some of this scenario’s changes take effect after ${delta.as_of} (on ${shown}), so the metrics here, taken on ${delta.as_of}, ` +
      `leave them out (${records}).`,
    next_step: `Pass as_of "${last}" (the day the last change takes effect) to see the impact of them all, or another day to see it then.`,
  };
}

/**
 * The note and next step of a page cut short: how many records it holds of how many, and the call for the next
 * page (or one family's records). None on the last page.
 */
function pageNote(page: { families: Delta['families']; counts: DeltaCounts; next_cursor: string | null }, family: string | null, renderNames: (text: string) => string) {
  if (!page.next_cursor) return {};
  const shown = Object.values(page.families).reduce((n, f) => n + (f ? f.added.length + f.removed.length + f.changed.length : 0), 0);
  const others = Object.keys(page.counts).filter((name) => name !== family);
  return {
    note:
      `This page holds ${shown} of the ${countedRecords(page.counts, family)} changed records${family ? ` of ${family}` : ''}; ` +
      '`counts` gives each family’s totals, and the conflicts and metrics here are the whole scenario’s.',
    next_step: renderNames(
      `Call \`scenario.delta\` again with the same arguments and cursor "${page.next_cursor}" for the next page` +
        (!family && others.length > 1 ? `, or pass \`family\` (${others.join(', ')}) to read one family’s records.` : '.'),
    ),
  };
}

/** Two notes (and next steps) said together, either possibly absent. */
function bothNotes(a: { note?: string; next_step?: string }, b: { note?: string; next_step?: string }) {
  const join = (x?: string, y?: string) => [x, y].filter(Boolean).join(' ') || undefined;
  const note = join(a.note, b.note);
  return note ? { note, next_step: join(a.next_step, b.next_step) } : {};
}

export const scenarioDeltaTool = defineTool({
  name: 'scenario.delta',
  title: 'Scenario delta',
  description:
    'What a scenario changes, and only that: the records it adds, removes and changes (field by field, from → to), ' +
    'grouped by family (org_unit, actor, placement, position, reporting_line…), the conflicts (fields changed both ' +
    'in the scenario and, since it branched, in its source — a person resolves them before promotion) and the ' +
    'metric deltas in total and per org unit. It shows only what the credential may read: each family needs the ' +
    'read ability of its org tools (actor and reporting_line: actors.read; placement: placements.read; position: ' +
    'positions.read; org_unit/department: org-units.read; team: teams.read), metrics need org-metrics.read, money ' +
    '(pay, cost deltas) costs.read; `withheld` lists what was left out and the abilities that would show it. Use it after ' +
    '`scenario.get`; `scenario.metrics.delta` gives the metric part alone, and `scenario.action.plan` drafts further changes. ' +
    `Records come ${DELTA_PAGE_DEFAULT} at a time (\`limit\`), across families: \`counts\` gives each family’s totals, and a page ` +
    'cut short has a `next_cursor` to pass as `cursor`; `family` keeps one family’s records. Conflicts and metrics are whole on every page.',
  purpose: 'scenario-review',
  inputSchema: z.object({
    ...deltaView,
    family: z
      .enum(CHANGE_FAMILIES as [string, ...string[]])
      .optional()
      .describe('Only this family’s records (conflicts, metrics and `counts` stay the whole scenario’s).'),
    limit: limit.describe(`Records per page, across families, 1–${MAX_LIMIT} (default ${DELTA_PAGE_DEFAULT}).`),
    cursor: cursor.describe('The `next_cursor` of the previous page, with the same `compare` and `family`. Omit for the first page.'),
    by_org_unit_limit: unitLimit,
  }),
  outputSchema: z.object({
    ...comparedOut,
    families: z.record(z.string(), familyDelta),
    counts: z
      .record(z.string(), z.object({ added: z.number(), removed: z.number(), changed: z.number() }))
      .describe('How many records each family adds, removes and changes in all (every family with any, whatever this page or `family` holds)'),
    next_cursor: nextCursor,
    conflicts: z.array(
      z.looseObject({
        family: z.string(),
        id: z.string(),
        reason: z.string(),
        currency: z.string().optional().describe('A conflict on an amount (a `*_minor` field): the currency of base, scenario and source (`currencies` by side instead when a side changed it)'),
      }),
    ),
    metrics: z
      .object({
        total: metricDeltas.optional(),
        by_org_unit: unitDeltas,
        ...unitsCutOut,
        by_org_unit_more: z.string().optional().describe('Present when by_org_unit leaves out units that moved less: how many moved, and how to see them'),
      })
      .describe('Metric deltas; without org-metrics.read `total` is absent and `by_org_unit` empty'),
    withheld,
    ...unchangedOut,
  }),
  annotations: READ_ONLY,
  requires: ['scenarios.read'],
  example: { scenario_id: '<an id from scenario.list>', compare: 'live' },
  async handler(ctx, input, call) {
    const family = deltaFamily(input.family);
    const delta = deltaForCaller(await scenarioDelta(ctx, { scenarioId: input.scenario_id.trim(), compare: input.compare, asOf: input.as_of }), ctx.principal);
    const renderNames = (text: string) => call.catalog.renderNames(text, call.names);
    if (unchanged(delta)) {
      const { scenario, compare, against, as_of, withheld } = delta;
      const metrics = { by_org_unit: [] };
      return { scenario, compare, against, as_of, families: {}, counts: {}, conflicts: [], metrics, withheld, ...unchangedNote(delta, renderNames) };
    }
    // The later-changes note reads every record (not only this page's); the page then keeps `limit` of them.
    const later = laterChangesNote(delta, '`families` lists every change, whatever its day');
    const page = pageDelta(delta, { family, limit: input.limit, cursor: input.cursor });
    const presented = await presentDelta(ctx, page, input.by_org_unit_limit, renderNames);
    return { ...presented, next_cursor: page.next_cursor ?? undefined, ...bothNotes(pageNote(page, family, renderNames), later) };
  },
});

export const scenarioMetricsDeltaTool = defineTool({
  name: 'scenario.metrics.delta',
  title: 'Scenario metric and cost deltas',
  description:
    'How a scenario moves the numbers: headcount, robots, agents, FTE, effective FTE, vacant positions, span of ' +
    'control, layers and — with costs.read — annual and monthly loaded cost, each as from → to and delta, for the ' +
    'whole organisation and per org unit that moved (or for one `org_unit_id`, even if it did not move). A cost ' +
    'that involves a currency without an exchange rate lists it in `unconvertible`, and has no delta when that part ' +
    'changed: unknown, never 0. `without_compensation` counts actors with no pay, whose cost is unknown: a hire ' +
    'without pay moves it, not the cost. `vacant_seats_annual_cost_minor` is the budgeted cost of vacant seats at their ' +
    'target pay, apart from the cost of the people in seats: new positions move it before anyone fills them. The total ' +
    `also has ${PLACEMENT_CHECK_PAIRS}: organisation-wide counts of actors failing each placement check (lower is better). For the ` +
    'changed records use `scenario.delta`; for full figures call `org.metrics.get` with the `scenario_id`.',
  purpose: 'scenario-review',
  inputSchema: z.object({ ...deltaView, org_unit_id: optionalId('Only this org unit’s roll-up deltas.'), by_org_unit_limit: unitLimit }),
  outputSchema: z.object({ ...comparedOut, total: metricDeltas, by_org_unit: unitDeltas, ...unitsCutOut, ...truncatedOut, withheld, ...unchangedOut }),
  annotations: READ_ONLY,
  requires: ['scenarios.read', 'org-metrics.read'],
  example: { scenario_id: '<an id from scenario.list>' },
  async handler(ctx, input, call) {
    const delta = deltaForCaller(
      await scenarioDelta(ctx, { scenarioId: input.scenario_id.trim(), compare: input.compare, asOf: input.as_of, orgUnitId: input.org_unit_id }),
      ctx.principal,
    );
    const { scenario, against, as_of } = delta;
    // Only what concerns the numbers: which record families were withheld does not matter here.
    const withheldHere = delta.withheld.filter((w) => w.part === 'metrics' || w.part === 'money');
    // Nothing changed (and no one unit asked for): no zero totals, a note instead.
    if (!input.org_unit_id && unchanged(delta)) {
      return { scenario, compare: delta.compare, against, as_of, total: {}, by_org_unit: [], withheld: withheldHere, ...unchangedNote(delta, (t) => call.catalog.renderNames(t, call.names)) };
    }
    // One unit asked for by id shows all its figures, moved or not.
    const byUnit = input.org_unit_id ? delta.metrics.by_org_unit : movedMetricsOnly(delta.metrics.by_org_unit);
    const later = laterChangesNote(delta, call.catalog.renderNames('`scenario.delta` lists the changes', call.names));
    const { more, ...units } = unitsMovedMost(byUnit as UnitDelta[], input.by_org_unit_limit, (t) => call.catalog.renderNames(t, call.names));
    const cut = more ? { truncated: true, more } : {};
    return { scenario, compare: delta.compare, against, as_of, total: delta.metrics.total ?? {}, ...units, ...cut, withheld: withheldHere, ...later };
  },
});

/**
 * A scenario delta as the MCP surface shows it (the tool and the delta resource): per unit, the moved metrics only;
 * a changed id field with the names of both records, as the scenario has them (a unit it created or renamed too).
 */
export async function presentDelta<D extends Awaited<ReturnType<typeof scenarioDelta>>>(
  ctx: ServiceContext,
  delta: D,
  unitLimit?: number,
  renderNames?: (text: string) => string,
): Promise<D> {
  const view = await openView(ctx, { scenarioId: delta.scenario.id, asOf: delta.as_of });
  const { more, ...units } = unitsMovedMost(movedMetricsOnly(delta.metrics.by_org_unit) as UnitDelta[], unitLimit, renderNames);
  return {
    ...delta,
    families: withChangeNames(ctx.principal, view, delta.families, await typeNamesById(ctx)),
    metrics: { ...delta.metrics, ...units, ...(more ? { by_org_unit_more: more } : {}) },
  };
}

export const scenarioTools = [scenarioListTool, scenarioGetTool, scenarioDeltaTool, scenarioMetricsDeltaTool];
