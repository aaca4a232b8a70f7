import { z } from 'zod';
import type { Ability } from '../../access/abilities.js';
import { can, type Principal } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { NotFound } from '../../errors.js';
import { minorUnits, toMajor } from '../../org/cost.js';
import { getActor } from '../../org/read-people.js';
import { ancestors, getOrgUnit } from '../../org/read-structure.js';
import { SEARCH_RESULTS_PER_KIND, searchOrganisation, type SearchMatches } from '../../org/search.js';
import { withNamesOne } from '../fields.js';
import { defineTool, READ_ONLY, type ToolCall } from '../registry.js';

/**
 * `search` and `fetch` in the shape ChatGPT connectors and deep research expect: search(query) → results of
 * {id, title, url}; fetch(id) → {id, title, text, url, metadata}. Ids are typed (`org-unit:<uuid>`,
 * `actor:<uuid>`) so fetch knows what to load. Both read Live as of today.
 */

type Kind = 'org-unit' | 'actor';

/** The page of the web app that shows a record (the citation link assistants show). */
export function webUrl(origin: string, kind: Kind, id: string): string {
  return `${origin}/${kind === 'org-unit' ? 'org-units' : 'actors'}/${id}`;
}

/** The kinds of record `search` and `fetch` answer with, and the ability that reads each. */
const KINDS = [
  { kind: 'org-unit', part: 'org_unit', ability: 'org-units.read', records: 'org units (departments, teams, …)' },
  { kind: 'actor', part: 'actor', ability: 'actors.read', records: 'people, robots and agents' },
] as const satisfies readonly { kind: Kind; part: string; ability: Ability; records: string }[];

/** The kinds the caller may not read: what a result leaves out, and the ability that would show it. */
function withheldKinds(principal: Principal) {
  return KINDS.filter((k) => !can(principal, k.ability)).map((k) => ({
    part: k.part,
    needs: [k.ability],
    note: `${k.records} left out: they need ${k.ability}`,
  }));
}

export const searchTool = defineTool({
  name: 'search',
  title: 'Search the organisation',
  description:
    'Searches org units (by name, code or type; with org-units.read) and people, robots and agents (by name, email, ' +
    'title or kind; with actors.read) in Live, returning the 10 best of each as {id, title, url}, best first (the name itself, then names ' +
    'starting with the query, then the rest); a record matches when it contains every word of the query (e.g. ' +
    '"platform team", "support manager"); when none does, the records with the most of its words come back. ' +
    'Either ability is enough; `withheld` names a kind left out and the ability that would show it. ' +
    'Pass an id to `fetch` for the full record. ' +
    'For filtered, paginated lists use `org.units.list` or `org.actors.list`.',
  purpose: 'search',
  inputSchema: z.object({ query: z.string().min(1).max(200).describe('Words to look for, e.g. a team name or a person’s name.') }),
  outputSchema: z.object({
    results: z.array(z.object({ id: z.string(), title: z.string(), url: z.string() })),
    withheld: z
      .array(z.object({ part: z.string(), needs: z.array(z.string()), note: z.string() }))
      .describe('Kinds of record not searched because this connection may not read them, and the ability that would show them (empty: none)'),
  }),
  annotations: READ_ONLY,
  requires: [],
  requiresOneOf: KINDS.map((k) => k.ability),
  example: { query: 'platform' },
  async handler(ctx, input, call) {
    const { orgUnits, actors } = await searchWords(ctx, input.query);
    return {
      results: [
        ...orgUnits.map((u) => ({ id: `org-unit:${u.id}`, title: `${u.name} (${u.type})`, url: webUrl(call.origin, 'org-unit', u.id) })),
        ...actors.map((a) => ({ id: `actor:${a.id}`, title: a.title ? `${a.displayName} — ${a.title}` : a.displayName, url: webUrl(call.origin, 'actor', a.id) })),
      ],
      withheld: withheldKinds(ctx.principal),
    };
  },
});

/** Words a question carries that name nothing ("who leads the finance team" looks for finance and team). */
const FILLER_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'in', 'on', 'at', 'for', 'to', 'with', 'who', 'whom', 'what', 'which', 'where', 'is', 'are', 'does', 'do', 'our', 'all', 'list', 'show', 'find']);

/**
 * Every word must match; when no record has them all (assistants send questions: "who runs finance"), the records
 * found for the most of the query's words (of two or more letters, filler left out), best first.
 */
async function searchWords(ctx: ServiceContext, query: string): Promise<SearchMatches> {
  const all = await searchOrganisation(ctx, query);
  const words = [...new Set(query.toLowerCase().split(/\s+/))].filter((w) => w.length > 1 && !FILLER_WORDS.has(w));
  if (all.orgUnits.length || all.actors.length || !words.length) return all;
  // Deeper than one page per word, so a record with several of the words is not lost behind ten with one.
  const perWord = await Promise.all(words.map((word) => searchOrganisation(ctx, word, PER_WORD_CANDIDATES)));
  return { orgUnits: mostWords(perWord.map((found) => found.orgUnits)), actors: mostWords(perWord.map((found) => found.actors)) };
}

const PER_WORD_CANDIDATES = 200;

/** The records found by the most words, best first; among equals, in the order the words found them. */
function mostWords<T extends { id: string }>(lists: T[][]): T[] {
  const hits = new Map<string, { record: T; words: number }>();
  for (const record of lists.flat()) {
    const hit = hits.get(record.id);
    if (hit) hit.words++;
    else hits.set(record.id, { record, words: 1 });
  }
  return [...hits.values()]
    .sort((a, b) => b.words - a.words)
    .slice(0, SEARCH_RESULTS_PER_KIND)
    .map((hit) => hit.record);
}

export const fetchTool = defineTool({
  name: 'fetch',
  title: 'Fetch a record',
  description:
    'The full record behind a `search` result id (`org-unit:<id>` or `actor:<id>`; a bare id from the org tools works ' +
    'too) as readable text plus structured ' +
    'metadata: an org unit with its path, children and metrics (needs org-units.read), or an actor with manager, ' +
    'reports and placements (needs actors.read; money only with costs.read). For scenario reads use `org.units.get` ' +
    'or `org.actors.get` with `scenario_id`.',
  purpose: 'search',
  inputSchema: z.object({ id: z.string().min(1).max(120).describe('An id returned by search (org-unit:<uuid>, actor:<uuid>), or a bare org unit or actor id.') }),
  outputSchema: z.object({ id: z.string(), title: z.string(), text: z.string(), url: z.string(), metadata: z.record(z.string(), z.unknown()) }),
  annotations: READ_ONLY,
  requires: [],
  requiresOneOf: KINDS.map((k) => k.ability),
  // A typed id needs the ability of its kind.
  callRequires: (args) => KINDS.filter((k) => typeof args.id === 'string' && args.id.trim().startsWith(`${k.kind}:`)).map((k) => k.ability),
  example: { id: '<an id from search>' },
  async handler(ctx, input, call) {
    const value = input.id.trim();
    const match = /^(org-unit|actor):(.+)$/.exec(value);
    if (match) return match[1] === 'actor' ? fetchActor(ctx, match[2]!, call) : fetchOrgUnit(ctx, match[2]!, call);
    // A bare id, as the org tools give them: an org unit (with org-units.read), else an actor (with actors.read).
    const asUnit = can(ctx.principal, 'org-units.read') ? await orNotFound(fetchOrgUnit(ctx, value, call)) : undefined;
    const found = asUnit ?? (can(ctx.principal, 'actors.read') ? await orNotFound(fetchActor(ctx, value, call)) : undefined);
    if (!found) throw new NotFound('Record', value);
    return found;
  },
});

/** The record, or undefined when it does not exist. */
async function orNotFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFound) return undefined;
    throw error;
  }
}

async function fetchOrgUnit(ctx: ServiceContext, id: string, call: ToolCall) {
  const { unit, view } = await getOrgUnit(ctx, id);
  const m = unit.metrics;
  const lines = [
    `${unit.name} (${unit.type})`,
    `Path: ${[...unit.path.map((p) => p.name), unit.name].join(' › ')}`,
    `Children: ${unit.children.length ? unit.children.map((c) => `${c.name} (${c.type})`).join(', ') : 'none'}`,
    m ? `Headcount ${m.headcount} · FTE ${m.fte} · robots ${m.robots} · agents ${m.agents} · layers ${m.layers}` : null,
    m?.cost ? `Annual loaded cost: ${formatMoney(m.cost.annual)}` : null,
    unit.team?.purpose ? `Purpose: ${unit.team.purpose}` : null,
    unit.department?.cost_center ? `Cost centre: ${unit.department.cost_center}` : null,
  ];
  return {
    id: `org-unit:${unit.id}`,
    title: unit.name,
    text: joinLines(lines),
    url: webUrl(call.origin, 'org-unit', unit.id),
    // The record as `org.units.get` gives it, names beside ids (the parent, a department's lead).
    metadata: { record: 'org_unit', ...withNamesOne(ctx.principal, view, unit) },
  };
}

async function fetchActor(ctx: ServiceContext, id: string, call: ToolCall) {
  const { actor, view } = await getActor(ctx, id);
  const manager = actor.manager as { display_name: string } | null;
  const reports = actor.direct_reports as { display_name: string }[];
  const cost = actor.annual_loaded_cost as Money | undefined;
  const name = String(actor.display_name);
  const home = typeof actor.primary_org_unit_id === 'string' ? view.graph.orgUnits.get(actor.primary_org_unit_id) : undefined;
  const lines = [
    `${name} (${String(actor.kind)})`,
    actor.title ? `Title: ${String(actor.title)}` : null,
    actor.email ? `Email: ${String(actor.email)}` : null,
    // The unit's name, as the actor tools give it; its path with org-units.read.
    home ? `Org unit: ${[...(can(ctx.principal, 'org-units.read') ? ancestors(view, home) : []), home].map((u) => u.name).join(' › ')}` : null,
    actor.fte !== null ? `FTE: ${String(actor.fte)}` : null,
    `Manager: ${manager ? manager.display_name : 'none'}`,
    `Direct reports: ${reports.length ? reports.map((r) => r.display_name).join(', ') : 'none'}`,
    cost ? `Annual loaded cost: ${formatMoney(cost)}` : null,
  ];
  const actorId = String(actor.id);
  const url = webUrl(call.origin, 'actor', actorId);
  return { id: `actor:${actorId}`, title: name, text: joinLines(lines), url, metadata: { record: 'actor', ...withNamesOne(ctx.principal, view, actor) } };
}

type Money = { amount_minor: number | null; currency: string; unconvertible?: string[] };

/** A figure as text; one that leaves out pay in a currency without an exchange rate says so (never a silent total). */
function formatMoney({ amount_minor: amountMinor, currency, unconvertible = [] }: Money): string {
  const missing = unconvertible.length ? `no exchange rate for ${unconvertible.join(', ')}` : null;
  if (amountMinor === null) return missing ? `unknown (${missing})` : 'unknown';
  const amount = `${toMajor(amountMinor, currency).toLocaleString('en-US', { minimumFractionDigits: minorUnits(currency) })} ${currency}`;
  return missing ? `${amount}, not counting pay in ${unconvertible.join(', ')} (${missing})` : amount;
}

function joinLines(lines: (string | null)[]): string {
  return lines.filter((l): l is string => l !== null).join('\n');
}

export const searchTools = [searchTool, fetchTool];
