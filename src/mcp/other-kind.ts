import { can, type Principal } from '../access/policy.js';
import type { Ability } from '../access/abilities.js';
import type { ServiceContext } from '../context.js';
import { AppError, InvalidInput, NotFound } from '../errors.js';
import type { OrgGraph } from '../org/types.js';
import { openView } from '../org/view.js';
import { listScenarioRows } from '../scenarios/store.js';
import { isRecord } from './registry.js';

/**
 * An id of one kind passed where another is asked ("who reports to the Platform team?" with the team's id as
 * manager_id) is "not found" — true, but it reads as if the record did not exist. When the id is a record of another
 * kind the caller may read, the error says which kind, names it (a structured field: tenant text stays out of
 * messages) and where that kind of id goes — also for a change given to `scenario.action.plan` and for `fetch`. A name
 * given as an id ("Platform" as org_unit_id, a scenario's name as scenario_id) is said to be one, with the ids of the
 * records that have it (`did_you_mean`).
 */
interface Kind {
  what: string;
  is: string;
  article: string;
  ability: Ability;
  /** Where its records are, to find one by a name given as an id ("Platform" as org_unit_id); none for placements. */
  family?: 'orgUnits' | 'actors' | 'positions';
  /** The record's name, or undefined when the graph has no such record. */
  nameIn: (graph: OrgGraph, id: string, principal: Principal) => string | undefined;
  /** Ids the record points at that are the usual next step (a placement's actor), as structured fields. */
  linksIn?: (graph: OrgGraph, id: string) => Record<string, string>;
  use: string;
  /** Where ids of this kind are listed, said when another kind of id was given for one. */
  find: string;
}

const KINDS: Kind[] = [
  {
    what: 'Org unit',
    family: 'orgUnits',
    is: 'org_unit',
    article: 'an org unit',
    ability: 'org-units.read',
    nameIn: (graph, id) => graph.orgUnits.get(id)?.name,
    use: 'Its `name` says which unit; pass it as org_unit_id — `org.actors.list` lists its people, `org.spans.list` its managers, `org.units.get` the unit.',
    find: '`org.units.list` or `search`',
  },
  {
    what: 'Actor',
    family: 'actors',
    is: 'actor',
    article: 'an actor',
    ability: 'actors.read',
    nameIn: (graph, id) => graph.actors.get(id)?.displayName,
    use: 'Its `name` says who; pass it as actor_id or manager_id — `org.actors.get` shows their unit, manager and reports.',
    find: '`org.actors.list` or `search`',
  },
  {
    what: 'Position',
    family: 'positions',
    is: 'position',
    article: 'a position',
    ability: 'positions.read',
    nameIn: (graph, id) => graph.positions.get(id)?.title,
    use: 'Its `name` is the title; pass it as position_id — `org.positions.list` shows it and who fills it.',
    find: '`org.positions.list` (filter it by org_unit_id)',
  },
  {
    what: 'Placement',
    is: 'placement',
    article: 'a placement',
    ability: 'placements.read',
    nameIn: (graph, id, principal) => {
      const placement = graph.placements.get(id);
      if (!placement) return undefined;
      // Who and where, as far as the caller may read them (`org.placements.list` names them the same way).
      const who = can(principal, 'actors.read') ? graph.actors.get(placement.actorId)?.displayName : undefined;
      const where = can(principal, 'org-units.read') ? graph.orgUnits.get(placement.orgUnitId)?.name : undefined;
      return [who, where].filter(Boolean).join(' in ') || 'placement';
    },
    linksIn: (graph, id) => {
      const placement = graph.placements.get(id)!;
      return { actor_id: placement.actorId, org_unit_id: placement.orgUnitId };
    },
    use:
      'A placement is someone’s seat in a unit (`name` says whose and where): for the person pass its `actor_id`, for the unit its `org_unit_id`; ' +
      'a placement id goes in placement_id of a `scenario.action.plan` change (move_placement, set_allocation, end_placement, set_primary_placement).',
    find: '`org.placements.list` (filter it by actor_id or org_unit_id)',
  },
];

/** The kinds `fetch` reads: a bare id of one of them that is not found is nothing of theirs. */
const FETCHED = new Set(['org_unit', 'actor']);

/** The kind asked for (null: `fetch`, which reads org units and actors) and the id given, and the error that says what that id is instead. */
interface WrongId {
  asked: Kind | null;
  id: string;
  explained: (kind: Kind, name: string, links: Record<string, string>) => AppError;
  /** The id given is the name of these records. */
  named: (records: NamedRecord[]) => AppError;
}

interface NamedRecord {
  id: string;
  is: string;
  name: string;
}

/**
 * "org unit <id>", for a name given where its id goes: the kinds and ids only, as the names stay in `did_you_mean`
 * (tenant text stays out of messages).
 */
function idsOf(records: NamedRecord[]): string {
  return `the ${records.length === 1 ? 'record' : 'records'} of that name: ${records.map((r) => `${r.is.replace('_', ' ')} ${r.id}`).join(', ')}`;
}

/**
 * A tool's "not found", or a planned change's "no actor with id … in this scenario" (`WorkingGraph.require`), which
 * keeps its code and `changes[i].field` so the assistant still knows which change to correct.
 */
function wrongId(error: unknown): WrongId | null {
  if (error instanceof NotFound && typeof error.details.id === 'string') {
    // `fetch` of a bare id that is no org unit or actor: "Record … not found".
    const fetched = error.message.startsWith('Record ');
    const asked = fetched ? null : KINDS.find((kind) => error.message.startsWith(`${kind.what} `));
    const id = error.details.id;
    if (asked === undefined) return null;
    const what = asked?.what ?? 'Record';
    const use = (kind: Kind) => (fetched ? `${kind.use} \`fetch\` reads only org units and actors.` : kind.use);
    return {
      asked,
      id,
      explained: (kind, name, links) => new AppError('not_found', 404, `${what} "${id}" not found: that id is ${kind.article}.`, use(kind), { id, is: kind.is, name, ...links }),
      named: (records) =>
        new AppError('not_found', 404, `${what} "${id}" not found: that is a name, not an id.`, `Pass the id instead (${idsOf(records)}).`, { id, did_you_mean: records }),
    };
  }
  if (error instanceof InvalidInput && typeof error.details.id === 'string' && error.details.id !== '') {
    const { missing, id } = error.details;
    const asked = KINDS.find((kind) => kind.what.toLowerCase() === missing);
    if (!asked) return null;
    const fix = (kind: Kind) => `${kind.use} Correct "${error.field}" with ${asked.article} id. Find one with ${asked.find}.`;
    return {
      asked,
      id,
      explained: (kind, name, links) =>
        new AppError('invalid_input', 400, `${error.message}: that id is ${kind.article}.`, fix(kind), { ...error.details, id, is: kind.is, name, ...links }),
      named: (records) =>
        new AppError('invalid_input', 400, `${error.message}: that is a name, not an id.`, `Correct "${error.field}" with the id (${idsOf(records)}).`, {
          ...error.details,
          did_you_mean: records,
        }),
    };
  }
  return null;
}

export async function explainOtherKind(error: unknown, ctx: ServiceContext, args: unknown): Promise<unknown> {
  if (error instanceof NotFound && error.message.startsWith('Scenario ')) return explainScenarioName(error, ctx);
  const wrong = wrongId(error);
  if (!wrong) return error;
  const { asked, id } = wrong;
  try {
    const scenarioId = isRecord(args) && typeof args.scenario_id === 'string' ? args.scenario_id : null;
    const { graph } = await openView(ctx, { scenarioId });
    for (const kind of KINDS) {
      if (kind === asked || (asked === null && FETCHED.has(kind.is)) || !can(ctx.principal, kind.ability)) continue;
      // A `search` id (`actor:<id>`) passed where another kind goes is that record too.
      const bare = id.replace(/^(actor|org-unit):/, '');
      const name = kind.nameIn(graph, bare, ctx.principal);
      if (name !== undefined) return wrong.explained(kind, name, kind.linksIn?.(graph, bare) ?? {});
    }
    const named = recordsNamed(graph, id, asked, ctx.principal);
    if (named.length) return wrong.named(named);
  } catch {
    // The view cannot be read (another scenario id problem): the plain "not found" stands.
  }
  return error;
}

/** How many records of one name an answer lists (a common name could match many people). */
const MAX_NAMED = 5;

/**
 * The records whose name is `text` (case and surrounding spaces aside) — "Platform" passed as org_unit_id — of the
 * kind asked first, then of the other kinds the caller may read.
 */
function recordsNamed(graph: OrgGraph, text: string, asked: Kind | null, principal: Principal): NamedRecord[] {
  const wanted = text.trim().toLowerCase();
  // An id of nothing (another tenant's, a deleted record's) is no name: no need to read every record.
  if (!wanted || /^(actor:|org-unit:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(wanted)) return [];
  const found: NamedRecord[] = [];
  for (const kind of asked ? [asked, ...KINDS.filter((k) => k !== asked)] : KINDS) {
    if (!kind.family || !can(principal, kind.ability)) continue;
    for (const id of graph[kind.family].keys()) {
      const name = kind.nameIn(graph, id, principal);
      if (name?.toLowerCase() === wanted) found.push({ id, is: kind.is, name });
      if (found.length === MAX_NAMED) return found;
    }
  }
  return found;
}

/** What an assistant writes as scenario_id meaning Live (no scenario of the organisation has that name). */
const LIVE_WORDS = new Set(['live', 'baseline', 'base', 'current', 'production', 'null', 'none']);

/**
 * "live" as scenario_id: Live is read without one, and never changed over MCP — not "find scenario ids", which sends
 * the assistant looking for a scenario that does not exist.
 */
function liveIsNoScenario(error: NotFound, given: string): AppError {
  return new AppError(
    'not_found',
    404,
    `${error.message.replace(/\.$/, '')}: Live is not a scenario.`,
    'To read Live, leave `scenario_id` out: every org tool reads Live by default. Live is never changed over MCP: draft changes in a ' +
      'planning scenario with `editable: true` from `scenario.list` (none? ask the person to create one in the web app).',
    { id: given, is: 'live' },
  );
}

/** A scenario's name given as scenario_id ("Reshape sales"): the scenarios of that name, with their ids. */
async function explainScenarioName(error: NotFound, ctx: ServiceContext): Promise<unknown> {
  const given = error.details.id;
  if (typeof given !== 'string' || !can(ctx.principal, 'scenarios.read')) return error;
  const wanted = given.trim().toLowerCase();
  try {
    const named = (await listScenarioRows(ctx.db, ctx.tenant.id)).filter((s) => s.name.toLowerCase() === wanted).slice(0, MAX_NAMED);
    if (!named.length) return LIVE_WORDS.has(wanted) ? liveIsNoScenario(error, given) : error;
    const ids = named.map((s) => `${s.kind}${s.state === 'active' ? '' : ` (${s.state})`} ${s.id}`).join(', ');
    return new AppError('not_found', 404, `${error.message.replace(/\.$/, '')}: that is a name, not an id.`, `Pass its id as scenario_id (the scenarios of that name: ${ids}).`, {
      id: given,
      did_you_mean: named.map((s) => ({ id: s.id, is: s.kind, name: s.name, state: s.state })),
    });
  } catch {
    return error;
  }
}
