import { z } from 'zod';
import { can, type Principal } from '../../access/policy.js';
import { InvalidInput } from '../../errors.js';
import { inEffect } from '../../org/dates.js';
import { indexGraph, subtree } from '../../org/graph-index.js';
import { getActor, listActors, listPlacements, listPositions, listReportingLines, primaryUnitOf } from '../../org/read-people.js';
import { PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS } from '../../org/placement-checks.js';
import { ACTOR_KINDS } from '../../org/types.js';
import type { OrgView } from '../../org/view.js';
import { contextOf, contextOut, id, includeInactive, item, minorOut, MONEY_UNITS, nextCursor, unconvertibleOut, noMatchNote, noMatchOut, optionalId, pageFields, pageRequest, totalOut, viewFields, viewRequest, withNames, withNamesOne } from '../fields.js';
import { similarNames } from '../../org/similar-names.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** People and seats: actors, reporting lines, placements and positions. */

const actorItem = item({ kind: z.string(), display_name: z.string() });

/** An actor in depth: with costs.read, the loaded cost and the pay history, as MONEY_UNITS says. */
const actorDetail = actorItem.extend({
  annual_cost_minor: minorOut('With costs.read: the loaded cost a year on the day (absent when unknown: `cost_note` says why)'),
  currency: z.string().optional().describe('The reporting currency of annual_cost_minor'),
  unconvertible: unconvertibleOut,
  cost_note: z.string().optional().describe('Why there is no annual_cost_minor: left, or no pay recorded on the day (unknown, not 0)'),
  compensation: z
    .array(
      item({
        kind: z.string().describe('salary: amount_minor is a year’s base salary for the contracted FTE; day_rate: per working day'),
        amount_minor: z.number().describe('Integer, minor units of this record’s own `currency`'),
        currency: z.string(),
      }),
    )
    .optional()
    .describe('With costs.read: the pay history, as set_compensation takes it'),
});

/** A seat's pay and cost with costs.read: target pay in the seat's own currency, loaded cost in the reporting one. */
const positionItem = item({
  title: z.string(),
  status: z.string(),
  target_salary_minor: minorOut('With costs.read: target salary a year'),
  day_rate_minor: minorOut('With costs.read: target day rate, per working day'),
  currency: z.string().optional().describe('The seat’s own currency: of target_salary_minor / day_rate_minor, and of annual_cost_minor unless annual_cost_currency says otherwise'),
  annual_cost_minor: minorOut('With costs.read: the seat’s loaded cost a year at its target pay'),
  annual_cost_currency: z.string().optional().describe('The reporting currency of annual_cost_minor, when it is not the seat’s own `currency`'),
  unconvertible: unconvertibleOut,
});

const subunitsOut = z
  .object({ more: z.number(), note: z.string() })
  .optional()
  .describe('Present when org_unit_id was given without include_subunits and the units below it hold more matches: how many, and how to include them');

/** "How many vacancies in Engineering?" is answered by the first page, not by paging through every one to count. */

const inactiveOut = z
  .string()
  .optional()
  .describe('Present when the page is empty because the actor asked about was not in the organisation on the day: when they were, and how to see their records');

/**
 * An empty first page for one actor (actor_id, manager_id) who was not in the organisation on the day — someone who
 * left reads as "no reporting line" — says when they were and how to see their records.
 */
function inactiveNote(principal: Principal, view: OrgView, input: { cursor?: string; include_inactive?: boolean }, listed: number, actorId: string | undefined, records: string) {
  const actor = actorId ? view.graph.actors.get(actorId.trim().replace(/^actor:/, '')) : undefined;
  if (!actor || listed || input.cursor || input.include_inactive || inEffect(actor, view.asOf)) return undefined;
  const who = can(principal, 'actors.read') ? actor.displayName : 'That actor';
  const when = actor.validTo !== null && actor.validTo <= view.asOf ? `left on ${actor.validTo}` : `joins on ${actor.validFrom}`;
  return `${who} is not in the organisation on ${view.asOf} (${when}), so has no ${records} then: pass include_inactive: true for their history, or an as_of when they were in it.`;
}

/**
 * A unit's list without `include_subunits` holds only what sits in the unit itself: a department's people and seats
 * are mostly in its teams, so "vacant positions in Engineering" read as none. When the caller did not choose
 * (include_subunits absent) and the units below hold more, the first page says how many and how to include them.
 */
function subunitsNote(view: OrgView, input: { org_unit_id?: string; cursor?: string }, listed: { total: number; totalWithSubunits: number | null }, noun: string) {
  const unitId = input.org_unit_id?.trim();
  const more = listed.totalWithSubunits === null ? 0 : listed.totalWithSubunits - listed.total;
  if (!unitId || input.cursor || more <= 0) return undefined;
  const name = view.graph.orgUnits.get(unitId)?.name ?? 'this org unit';
  return { more, note: `${more} more ${noun}${more === 1 ? '' : 's'} in the units below ${name}, not listed here: pass include_subunits: true to include them.` };
}

/**
 * Whether to count the units below: the caller did not choose include_subunits either way. Asked on every page alike,
 * as the cursor is bound to the request; the note is said on the first.
 */
function asksSubunits(input: { include_subunits?: boolean }): boolean {
  return input.include_subunits === undefined;
}

const elsewhereOut = z
  .object({
    count: z.number(),
    actors: z.array(z.looseObject({ id: z.string(), display_name: z.string() })),
    headcount_homed_here: z.number(),
    note: z.string(),
  })
  .optional()
  .describe(
    'With org_unit_id (first page, no query): the humans listed who are homed in another unit (their primary placement is elsewhere, or they have none) and placed here by a secondary placement — `org.metrics.get` counts headcount where each human is homed, so it leaves them out; `headcount_homed_here` is the humans it counts',
  );

/**
 * "How many people are in Engineering?" read 89 from the roster's `total` and 88 from `org.metrics.get`: the list
 * holds everyone placed in the unit, the headcount only the humans homed there (primary placement). On the first
 * page of a unit's list — filtered by nothing else that the headcount does not share — says who makes the
 * difference and where they are homed. Not for robots and agents (never headcount) or a list with a query,
 * `without_manager` or `placement_check`.
 */
function homedElsewhere(
  principal: Principal,
  view: OrgView,
  input: {
    org_unit_id?: string;
    include_subunits?: boolean;
    kind?: string;
    query?: string;
    without_manager?: boolean;
    placement_check?: string;
    include_inactive?: boolean;
    cursor?: string;
  },
) {
  const unitId = input.org_unit_id?.trim();
  if (!unitId || input.cursor || input.query?.trim() || input.without_manager || input.placement_check || input.include_inactive || (input.kind && input.kind !== 'human')) return undefined;
  const index = indexGraph(view.graph);
  const units = input.include_subunits ? subtree(index, unitId) : new Set([unitId]);
  const humans = new Set<string>();
  for (const id of units) {
    for (const placement of index.placementsByUnit.get(id) ?? []) {
      const actor = view.graph.actors.get(placement.actorId);
      if (actor?.kind === 'human' && inEffect(placement, view.asOf) && inEffect(actor, view.asOf)) humans.add(actor.id);
    }
  }
  const elsewhere = [...humans]
    .map((id) => ({ actor: view.graph.actors.get(id)!, home: primaryUnitOf(index, id, view.asOf) }))
    .filter(({ home }) => home === null || !units.has(home))
    .sort((a, b) => a.actor.displayName.localeCompare(b.actor.displayName));
  if (!elsewhere.length) return undefined;
  const showUnits = can(principal, 'org-units.read');
  const unitName = (id: string | null) => (id && showUnits ? view.graph.orgUnits.get(id)?.name : undefined);
  const shown = elsewhere.slice(0, 10);
  const named = shown.map(({ actor, home }) => `${actor.displayName} (${home ? (unitName(home) ?? 'another unit') : 'no primary placement'})`);
  const more = elsewhere.length > shown.length ? ` and ${elsewhere.length - shown.length} more` : '';
  const here = humans.size - elsewhere.length;
  const where = unitName(unitId) ?? 'this org unit';
  const one = elsewhere.length === 1;
  return {
    count: elsewhere.length,
    actors: shown.map(({ actor, home }) => ({ id: actor.id, display_name: actor.displayName, home_org_unit_id: home ?? undefined, home_org_unit_name: unitName(home) })),
    headcount_homed_here: here,
    note:
      `${elsewhere.length} of the humans listed ${one ? 'is' : 'are'} homed in another unit and placed in ${where} by a secondary placement: ` +
      `${named.join(', ')}${more}. \`org.metrics.get\` counts headcount where each human is homed, so its headcount for ${where} is ${here}, ` +
      `without ${one ? 'them' : 'these'}.`,
  };
}

export const actorsListTool = defineTool({
  name: 'org.actors.list',
  title: 'List actors',
  description:
    'Actors — people, robots and AI agents — with title, FTE, manager and primary org unit (ids and names), sorted by name and ' +
    'paginated. Filter by kind, by org unit (anyone placed in it; with `include_subunits` also in the units below, ' +
    'e.g. everyone in a department), search name, email and title, `without_manager` for who reports to no one, or ' +
    '`placement_check` for who is over-allocated, under-allocated, unplaced or has no primary placement (the counts are in `org.metrics.get`). Use ' +
    '`org.actors.get` for one actor with reports, placements and (with costs.read) pay; `org.reporting_lines.list` ' +
    'for who reports to whom.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    kind: z.enum(ACTOR_KINDS).optional().describe('Only humans, robots or agents.'),
    org_unit_id: optionalId('Only actors placed in this org unit (directly, any placement).'),
    include_subunits: z
      .boolean()
      .optional()
      .describe('With org_unit_id: also actors placed in any unit below it (a department’s teams). Default false.'),
    without_manager: z
      .boolean()
      .optional()
      .describe('true: only actors with no reporting line in effect on the day (manager_id null): the top of the organisation, and gaps such as people imported without a manager.'),
    placement_check: z
      .enum(PLACEMENT_CHECKS)
      .optional()
      .describe(
        `Only actors failing this placement check on the day (needs placements.read): ${PLACEMENT_CHECKS.map((c) => `${c} — ${PLACEMENT_CHECK_MEANING[c]}`).join('; ')}. Over 100% is allowed; this keeps it visible.`,
      ),
    query: z.string().max(200).optional().describe('Words to find in the name, email or title, each the start of a word there (case and accents ignored): "nora dvorak", "support lead", "schn".'),
    include_inactive: includeInactive,
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    total: totalOut('actors (placed in the unit by any placement, robots and agents too: `org.metrics.get` counts the humans homed there as headcount)'),
    actors: z.array(actorItem),
    subunits: subunitsOut,
    homed_elsewhere: elsewhereOut,
    note: noMatchOut,
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['actors.read'],
  callRequires: (args) => (typeof args.placement_check === 'string' && args.placement_check ? ['placements.read'] : []),
  example: { kind: 'human', limit: 20 },
  async handler(ctx, input, call) {
    const request = {
      ...viewRequest(input),
      kind: input.kind,
      orgUnitId: input.org_unit_id,
      includeSubunits: input.include_subunits,
      query: input.query,
      withoutManager: input.without_manager,
      placementCheck: input.placement_check,
    };
    const listed = await listActors(ctx, { ...request, ...pageRequest(input), countSubunits: asksSubunits(input), includeInactive: input.include_inactive });
    const { view, page } = listed;
    const note = await noMatchNote({
      records: 'actor',
      matching: (query) => `every word of "${query}" in their name, email or title`,
      input,
      listed: page.items.length,
      filtered: Boolean(input.kind || input.org_unit_id?.trim() || input.without_manager || input.placement_check),
      asOf: view.asOf,
      matchesInAnyPeriod: async () => (await listActors(ctx, { ...request, limit: 1, includeInactive: true })).page.items.length,
      similar: (query) => similarNames(ctx.principal, view, query, ['actors']),
    });
    return {
      context: contextOf(view),
      total: listed.total,
      actors: withNames(ctx.principal, view, page.items),
      subunits: subunitsNote(view, input, listed, 'actor'),
      homed_elsewhere: withRenderedNote(homedElsewhere(ctx.principal, view, input), (text) => call.catalog.renderNames(text, call.names)),
      note: note && call.catalog.renderNames(note, call.names),
      next_cursor: page.nextCursor ?? undefined,
    };
  },
});

function withRenderedNote<T extends { note: string }>(value: T | undefined, render: (text: string) => string): T | undefined {
  return value && { ...value, note: render(value.note) };
}

export const actorGetTool = defineTool({
  name: 'org.actors.get',
  title: 'Actor details',
  description:
    'One actor in depth: kind, title, level, FTE, manager, direct reports, placements (with placements.read: also their ' +
    '`total_allocation_pct` and the `placement_checks` they fail, e.g. over_allocated) and, ' +
    'with costs.read, compensation history (`amount_minor` with its `kind` and `currency`) and `annual_cost_minor`, the loaded cost a year. ' +
    `Find ids with \`org.actors.list\` or \`search\`. ${MONEY_UNITS}`,
  purpose: 'org-review',
  inputSchema: z.object({ actor_id: id('The actor to show.'), ...viewFields }),
  outputSchema: z.object({ context: contextOut, actor: actorDetail }),
  annotations: READ_ONLY,
  requires: ['actors.read'],
  example: { actor_id: '<an id from org.actors.list>' },
  async handler(ctx, input) {
    const { view, actor } = await getActor(ctx, input.actor_id.trim(), viewRequest(input));
    return { context: contextOf(view), actor: withNamesOne(ctx.principal, view, actor) };
  },
});

export const reportingLinesTool = defineTool({
  name: 'org.reporting_lines.list',
  title: 'List reporting lines',
  description:
    'Solid-line reporting (actor → manager, both with their names) with effective dates, sorted by the reporting actor’s name. Pass ' +
    '`manager_id` for someone’s direct reports (with `include_indirect: true`, everyone below them at every level in one list, ' +
    'each line with its `depth`: "who reports to whom under Chen") or `actor_id` for one person’s line history (with include_inactive). ' +
    'Span of control and layers are summarised by `org.metrics.get`.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    manager_id: optionalId('Only lines to this manager (their direct reports; with include_indirect, everyone below them).'),
    include_indirect: z
      .boolean()
      .optional()
      .describe(
        'With manager_id: also the lines below the direct reports, at every level (their reports, and theirs), as in effect on the day, ' +
          'level by level; each line has `depth` (1 = a direct report of manager_id, 2 = one of theirs, …). Default false.',
      ),
    actor_id: optionalId('Only the lines of this actor.'),
    include_inactive: includeInactive,
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    total: totalOut('reporting lines (with manager_id: their direct reports; with include_indirect too, everyone below them)'),
    reporting_lines: z.array(item({ actor_id: z.string(), manager_id: z.string(), depth: z.number().optional() })),
    note: inactiveOut,
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['actors.read'],
  example: { limit: 50 },
  async handler(ctx, input) {
    if (input.include_indirect && !input.manager_id) {
      throw new InvalidInput('include_indirect', 'walks down from one manager: pass manager_id (the person at the top, from `search` or `org.actors.list`) with it');
    }
    const { view, page, total } = await listReportingLines(ctx, {
      ...viewRequest(input),
      ...pageRequest(input),
      managerId: input.manager_id,
      actorId: input.actor_id,
      includeInactive: input.include_inactive,
      indirect: input.include_indirect,
    });
    const note =
      inactiveNote(ctx.principal, view, input, page.items.length, input.actor_id, 'reporting line') ??
      inactiveNote(ctx.principal, view, input, page.items.length, input.manager_id, 'direct reports');
    return { context: contextOf(view), total, reporting_lines: withNames(ctx.principal, view, page.items), note, next_cursor: page.nextCursor ?? undefined };
  },
});

export const placementsTool = defineTool({
  name: 'org.placements.list',
  title: 'List placements',
  description:
    'Placements — which actor sits in which org unit (ids and names), primary or not, with allocation % and effective FTE — filtered ' +
    'by actor, org unit or position. Use it to see shared people and capacity per unit; `org.positions.list` shows ' +
    'the budgeted seats they fill.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    actor_id: optionalId('Only placements of this actor.'),
    org_unit_id: optionalId('Only placements in this org unit (not below it).'),
    position_id: optionalId('Only placements filling this position.'),
    include_inactive: includeInactive,
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    total: totalOut('placements'),
    placements: z.array(item({ actor_id: z.string(), org_unit_id: z.string(), allocation_pct: z.number() })),
    note: inactiveOut,
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['placements.read'],
  example: { limit: 50 },
  async handler(ctx, input) {
    const { view, page, total } = await listPlacements(ctx, {
      ...viewRequest(input),
      ...pageRequest(input),
      actorId: input.actor_id,
      orgUnitId: input.org_unit_id,
      positionId: input.position_id,
      includeInactive: input.include_inactive,
    });
    const note = inactiveNote(ctx.principal, view, input, page.items.length, input.actor_id, 'placements');
    return { context: contextOf(view), total, placements: withNames(ctx.principal, view, page.items), note, next_cursor: page.nextCursor ?? undefined };
  },
});

export const positionsTool = defineTool({
  name: 'org.positions.list',
  title: 'List positions',
  description:
    'Positions — budgeted seats — with status (filled, vacant, closed), who fills them, planned FTE, employment type ' +
    'and, with costs.read, target pay and loaded cost. Target pay is `target_salary_minor` (a year) or `day_rate_minor` (a working day) in the seat’s `currency`; ' +
    '`annual_cost_minor` is the loaded cost a year (with the burden or working days, in the reporting currency — `annual_cost_currency` when that is not the seat’s — as `org.costs.rollup` counts ' +
    'cost). A seat with no budgeted team yet has no `org_unit_id` and says `no_budgeted_team: true` (it is in no unit’s list). ' +
    'Filter by org unit (with `include_subunits` also the units below it, e.g. a department’s vacancies sit in its teams) or status (`open` = filled or vacant). ' +
    'Vacancy rates per unit come from `org.metrics.get`.',
  purpose: 'org-review',
  inputSchema: z.object({
    ...viewFields,
    org_unit_id: optionalId('Only positions budgeted in this org unit (directly; see include_subunits).'),
    include_subunits: z
      .boolean()
      .optional()
      .describe('With org_unit_id: also positions budgeted in any unit below it (a department’s teams, as its vacancy metrics count them). Default false.'),
    no_budgeted_team: z.boolean().optional().describe('true: only the seats with no budgeted team yet (in no unit’s list). Not with org_unit_id.'),
    status: z.enum(['filled', 'vacant', 'closed', 'open']).optional().describe('Only positions in this state.'),
    include_inactive: includeInactive,
    ...pageFields,
  }),
  outputSchema: z.object({
    context: contextOut,
    total: totalOut('positions'),
    positions: z.array(positionItem),
    subunits: subunitsOut,
    next_cursor: nextCursor,
  }),
  annotations: READ_ONLY,
  requires: ['positions.read'],
  example: { status: 'vacant' },
  async handler(ctx, input) {
    const listed = await listPositions(ctx, {
      ...viewRequest(input),
      ...pageRequest(input),
      orgUnitId: input.org_unit_id,
      noBudgetedTeam: input.no_budgeted_team,
      includeSubunits: input.include_subunits,
      countSubunits: asksSubunits(input),
      status: input.status,
      includeInactive: input.include_inactive,
    });
    const { view, page } = listed;
    const noun = input.status ? `${input.status} position` : 'position';
    // A seat with no unit says so (its null org_unit_id is left out of the result, like every null).
    const items = page.items.map((p) => (p.org_unit_id === null ? { ...p, no_budgeted_team: true } : p));
    return { context: contextOf(view), total: listed.total, positions: withNames(ctx.principal, view, items), subunits: subunitsNote(view, input, listed, noun), next_cursor: page.nextCursor ?? undefined };
  },
});

export const peopleTools = [actorsListTool, actorGetTool, reportingLinesTool, placementsTool, positionsTool];
