import { z } from 'zod';
import type { Ability } from '../../access/abilities.js';
import { can, type Principal } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { NotFound } from '../../errors.js';
import { formatMinor } from '../../org/cost.js';
import { getActor } from '../../org/read-people.js';
import { ancestors, getOrgUnit } from '../../org/read-structure.js';
import { contains, SEARCH_RESULTS_PER_KIND, searchOrganisation } from '../../org/search.js';
import { similarNames } from '../../org/similar-names.js';
import { openView } from '../../org/view.js';
import type { Actor, OrgUnit } from '../../org/types.js';
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
    'title or kind; with actors.read) in Live, returning the 10 best of each as {id, title, url, reason}, best first (the name itself, then names ' +
    'starting with the query, then the rest); a record matches when it contains every word of the query (e.g. ' +
    '"platform team", "support manager"); when none does, the records with the most of its words come back. ' +
    'A type, kind or mail domain alone ("team") is no match while others have the words in a name, title, code or email; `reason` says where the words were found. ' +
    'A misspelt name ("Jon Smyth") gets `did_you_mean`: the close spellings (John Smith); one word nothing has, not even spelt a little differently ("Dana"), ' +
    'the records with its longest beginning ("dan": Daniel …) — to ask the person about. ' +
    'Either ability is enough; `withheld` names a kind left out and the ability that would show it. ' +
    'Pass an id to `fetch` for the full record. ' +
    'For filtered, paginated lists use `org.units.list` or `org.actors.list`.',
  purpose: 'search',
  inputSchema: z.object({ query: z.string().min(1).max(200).describe('Words to look for, e.g. a team name or a person’s name.') }),
  outputSchema: z.object({
    results: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        url: z.string(),
        reason: z.string().describe('Why it matched: where the words were found ("name: platform; type: team"), and for a partial match the words it lacks'),
      }),
    ),
    note: z.string().optional().describe('Said when nothing matched: what to try next'),
    did_you_mean: z
      .array(z.object({ id: z.string(), title: z.string(), url: z.string(), reason: z.string() }))
      .optional()
      .describe(
        'When no record has every word: the records whose names are close spellings of the query (a letter or two off per word); else, for one word, the records with its longest beginning (at least 3 letters). The person may have meant one of them',
      ),
    withheld: z
      .array(z.object({ part: z.string(), needs: z.array(z.string()), note: z.string() }))
      .describe('Kinds of record not searched because this connection may not read them, and the ability that would show them (empty: none)'),
  }),
  annotations: READ_ONLY,
  requires: [],
  requiresOneOf: KINDS.map((k) => k.ability),
  example: { query: 'platform' },
  async handler(ctx, input, call) {
    const { results, words, partial } = await searchResults(ctx, input.query, call.origin);
    // No record has every word: names a letter or two away may be what was meant ("Jon Smyth": John Smith).
    const close = results.length && !partial ? [] : await closeSpellings(ctx, words, call.origin);
    if (close.length) {
      const note =
        `${results.length ? 'No record has every word of' : 'Nothing has'} "${words.join(' ')}" in a name, title, code or email. ` +
        `Close spellings (did_you_mean): ${close.map((r) => r.title).join('; ')}. Ask the person whether they meant one of them before using its id.`;
      return { results, note, did_you_mean: close, withheld: withheldKinds(ctx.principal) };
    }
    if (results.length) return { results, withheld: withheldKinds(ctx.principal) };
    const near = words.length === 1 ? await nearNames(ctx, words[0]!, call.origin) : null;
    const note = near
      ? `Nothing has "${words[0]}" in a name, title, code or email. The nearest start with "${near.prefix}" (did_you_mean): ` +
        `${near.results.map((r) => r.title).join('; ')}. Ask the person whether they meant one of them before using its id.`
      : `Nothing has ${words.length > 1 ? 'these words' : 'this word'} in a name, title, code or email. Try part of a name ("plat" for Platform), ` +
        'fewer words, or list with `org.units.list` / `org.actors.list` (their `query` filters by name).';
    return { results, note: call.catalog.renderNames(note, call.names), ...(near ? { did_you_mean: near.results } : {}), withheld: withheldKinds(ctx.principal) };
  },
});

/** The answer to one query: units and actors merged best first, as `search` returns them. */
async function searchResults(ctx: ServiceContext, query: string, origin: string) {
  const { orgUnits, actors, words, partial } = await searchWords(ctx, query);
  const units = orgUnits.map(({ record: u, reason, rank }) => ({ rank, id: `org-unit:${u.id}`, title: `${u.name} (${u.type})`, url: webUrl(origin, 'org-unit', u.id), reason }));
  const people = actors.map(({ record: a, reason, rank }) => ({
    rank,
    id: `actor:${a.id}`,
    title: a.title ? `${a.displayName} — ${a.title}` : a.displayName,
    url: webUrl(origin, 'actor', a.id),
    reason,
  }));
  return { results: byRank(units, people).map(({ rank: _rank, ...result }) => result), words, partial };
}

/**
 * The records of Live today whose names are close spellings of the query's words (similarNames: only the kinds the
 * caller may read), as results with the reason — also one that is among the results for some of the words (Joan
 * Smyth for "Jon Smyth"): the person more likely meant it than the others there.
 */
async function closeSpellings(ctx: ServiceContext, words: string[], origin: string) {
  const view = await openView(ctx);
  const reason = `close spelling of "${words.join(' ')}"`;
  return similarNames(ctx.principal, view, words.join(' '), ['orgUnits', 'actors']).flatMap((similar) => {
    if (similar.kind === 'title' || !similar.id) return [];
    const kind: Kind = similar.kind;
    const id = `${kind}:${similar.id}`;
    const record = kind === 'actor' ? view.graph.actors.get(similar.id) : undefined;
    const title = kind === 'org-unit' ? `${similar.name} (${similar.type})` : record?.title ? `${similar.name} — ${record.title}` : similar.name;
    return [{ id, title, url: webUrl(origin, kind, similar.id), reason }];
  });
}

const NEAR_PREFIX_MIN = 3;
const NEAR_RESULTS = 5;

/**
 * For one word nothing has ("Dana" where the organisation has Daniels): the records that have its longest beginning
 * of at least three letters ("dan"), which the person may have meant — never given as matches.
 */
async function nearNames(ctx: ServiceContext, word: string, origin: string) {
  for (let length = word.length - 1; length >= NEAR_PREFIX_MIN; length--) {
    const prefix = word.slice(0, length);
    const { results } = await searchResults(ctx, prefix, origin);
    if (results.length) return { prefix, results: results.slice(0, NEAR_RESULTS) };
  }
  return null;
}

/** Units and actors, each list in its own order, merged best first (a unit first among equals). */
function byRank<T extends { rank: number }>(a: T[], b: T[]): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) merged.push(j >= b.length || (i < a.length && a[i]!.rank >= b[j]!.rank) ? a[i++]! : b[j++]!);
  return merged;
}

/** Words a question carries that name nothing ("who leads the finance team" looks for finance and team). */
const FILLER_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'in', 'on', 'at', 'for', 'to', 'with', 'who', 'whom', 'what', 'which', 'where', 'is', 'are', 'does', 'do', 'our', 'all', 'list', 'show', 'find']);

interface Found<T> {
  record: T;
  reason: string;
  /** How good a match, comparable between units and actors of one answer: higher is better. */
  rank: number;
}

/**
 * Every word must match; when no record has them all (assistants send questions: "who runs finance"), the records
 * with the most of the query's words (of two or more letters, filler left out), best first, each with the reason.
 * Either way a record needs a word in its own text — a name, title, code or the name part of an email — when any
 * record has one: a word found only in a type, kind or email domain ("team", "fixture" of `p1@fixture.test`) would
 * otherwise bring every team or everyone in.
 */
async function searchWords(
  ctx: ServiceContext,
  query: string,
): Promise<{ orgUnits: Found<OrgUnit>[]; actors: Found<Actor>[]; words: string[]; /** No record has every word: these have the most. */ partial: boolean }> {
  const all = await searchOrganisation(ctx, query, PER_WORD_CANDIDATES);
  const given = [...new Set(query.toLowerCase().split(/\s+/).filter(Boolean))];
  const words = given.filter((w) => w.length > 1 && !FILLER_WORDS.has(w));
  const shown = words.length ? words : given;
  if (all.orgUnits.length || all.actors.length || !words.length) {
    const phrase = given.join(' ');
    const orgUnits = all.orgUnits.map((record) => fullMatch(record, unitFields(record), shown, phrase));
    const actors = all.actors.map((record) => fullMatch(record, actorFields(record), shown, phrase));
    const anyOwn = [...orgUnits, ...actors].some((found) => found.own);
    const kept = <T>(list: (Found<T> & { own: boolean })[]) =>
      list
        .filter((found) => found.own || !anyOwn)
        .slice(0, SEARCH_RESULTS_PER_KIND)
        .map(({ record, reason, rank }) => ({ record, reason, rank }));
    return { orgUnits: kept(orgUnits), actors: kept(actors), words: shown, partial: false };
  }
  // Deeper than one page per word, so a record with several of the words is not lost behind ten with one.
  const perWord = await Promise.all(words.map((word) => searchOrganisation(ctx, word, PER_WORD_CANDIDATES)));
  return {
    orgUnits: mostWords(perWord.map((found) => found.orgUnits), words, unitFields),
    actors: mostWords(perWord.map((found) => found.actors), words, actorFields),
    words,
    partial: true,
  };
}

const PER_WORD_CANDIDATES = 200;

/** A searched field of a record; `own` when a word found there names the record (not its type, kind or mail domain). */
interface Field {
  label: string;
  text: string;
  own: boolean;
}

function unitFields(unit: OrgUnit): Field[] {
  return [
    { label: 'name', text: unit.name, own: true },
    { label: 'code', text: unit.code ?? '', own: true },
    { label: 'type', text: unit.type, own: false },
  ];
}

function actorFields(actor: Actor): Field[] {
  const [local = '', domain = ''] = (actor.email ?? '').split('@');
  return [
    { label: 'name', text: actor.displayName, own: true },
    { label: 'title', text: actor.title ?? '', own: true },
    { label: 'email', text: local, own: true },
    { label: 'email domain', text: domain, own: false },
    { label: 'kind', text: actor.kind, own: false },
  ];
}

/** The first field (in the order given: own text first) that has the word. */
function fieldOf(fields: Field[], word: string): Field | undefined {
  return fields.find((field) => contains(field.text.toLowerCase(), word));
}

/** "name: platform; type: team" — each field with the words found in it. */
function whereFound(fields: Field[], words: string[]): string {
  const byField = new Map<string, string[]>();
  for (const word of words) {
    const field = fieldOf(fields, word);
    if (field) byField.set(field.label, [...(byField.get(field.label) ?? []), word]);
  }
  return [...byField].map(([label, found]) => `${label}: ${found.join(', ')}`).join('; ');
}

/**
 * A record that has every word: the reason (the name itself, its start, or where each word is), its rank (as the
 * search ranks it: 5 the name, 4 its start, 3 every word in the name, 1 elsewhere) and whether a word is in its own text.
 */
function fullMatch<T>(record: T, fields: Field[], words: string[], phrase: string): Found<T> & { own: boolean } {
  const name = fields[0]!.text.toLowerCase();
  const own = words.some((word) => fieldOf(fields, word)?.own);
  if (name === phrase) return { record, reason: 'name is the query', rank: 5, own };
  if (name.startsWith(phrase)) return { record, reason: `name starts with "${phrase}"`, rank: 4, own };
  const rank = words.every((word) => contains(name, word)) ? 3 : 1;
  return { record, reason: whereFound(fields, words) || 'every word matches', rank, own };
}

/**
 * The candidates with the most words in their own text, best first: more words, then more of them in the name, then
 * the order the words' searches ranked them; a candidate with none in its own text is left out.
 */
function mostWords<T extends { id: string }>(lists: T[][], words: string[], fieldsOf: (record: T) => Field[]): Found<T>[] {
  const candidates = new Map<string, { record: T; rank: number }>();
  lists.forEach((list) => list.forEach((record, rank) => {
    const known = candidates.get(record.id);
    if (!known || rank < known.rank) candidates.set(record.id, { record, rank });
  }));
  const scored = [...candidates.values()].flatMap(({ record, rank }) => {
    const fields = fieldsOf(record);
    const hits = words.map((word) => fieldOf(fields, word));
    const own = hits.filter((field) => field?.own).length;
    if (!own) return [];
    const found = words.filter((_, i) => hits[i]);
    const missing = words.filter((_, i) => !hits[i]);
    const inName = hits.filter((field) => field?.label === 'name').length;
    const where = whereFound(fields, found);
    const reason = missing.length ? `${found.length} of ${words.length} words, not ${missing.map((w) => `"${w}"`).join(', ')} — ${where}` : `every word (filler aside) — ${where}`;
    return [{ record, reason, words: found.length, own, inName, rank }];
  });
  return scored
    .sort((a, b) => b.words - a.words || b.own - a.own || b.inName - a.inName || a.rank - b.rank)
    .slice(0, SEARCH_RESULTS_PER_KIND)
    .map(({ record, reason, words: count, own, inName }) => ({ record, reason, rank: count * 100 + own * 10 + inName }));
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
  const cost = actor.annual_loaded_cost as Money | null | undefined;
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
    cost ? `Annual loaded cost: ${formatMoney(cost)}` : typeof actor.cost_note === 'string' ? `Annual loaded cost: ${actor.cost_note}` : null,
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
  const amount = formatMinor(amountMinor, currency);
  return missing ? `${amount}, not counting pay in ${unconvertible.join(', ')} (${missing})` : amount;
}

function joinLines(lines: (string | null)[]): string {
  return lines.filter((l): l is string => l !== null).join('\n');
}

export const searchTools = [searchTool, fetchTool];
