import { can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, MissingAbility } from '../errors.js';
import { inEffect } from './dates.js';
import type { Actor, Dated, OrgGraph, OrgUnit } from './types.js';
import { openView } from './view.js';

/**
 * Finds org units (with org-units.read) and actors (with actors.read) in Live today by words, best match first — what the MCP `search`
 * tool answers. A record matches when every word occurs in one of its fields (a plural word also matches its
 * singular: "teams" finds a team); it ranks by how well its name matches: the whole query as the name, then as the
 * name's start, then every word starting a word of the name, then every word somewhere in the name, then the rest
 * (a word found only in the email, title, code, type or kind). Every record in effect is considered, however large
 * the organisation: the graph is in memory, and its lower-cased text is prepared once per graph.
 */

export interface SearchMatches {
  /** Empty without org-units.read. */
  orgUnits: OrgUnit[];
  /** Empty without actors.read. */
  actors: Actor[];
}

export const SEARCH_RESULTS_PER_KIND = 10;

export async function searchOrganisation(ctx: ServiceContext, query: string, perKind = SEARCH_RESULTS_PER_KIND): Promise<SearchMatches> {
  const units = can(ctx.principal, 'org-units.read');
  const people = can(ctx.principal, 'actors.read');
  if (!units && !people) throw new MissingAbility('org-units.read');
  const words = wordsOf(query);
  if (!words.length) throw new InvalidInput('query', 'must contain a word to look for');
  const { graph, asOf } = await openView(ctx);
  const index = searchIndexOf(graph);
  const phrase = words.join(' ');
  return {
    orgUnits: units ? best(index.orgUnits, words, phrase, asOf, perKind) : [],
    actors: people ? best(index.actors, words, phrase, asOf, perKind) : [],
  };
}

function wordsOf(text: string): string[] {
  return text.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** A record as search reads it: its name and all its searchable text, lower-cased once per graph. */
interface Entry<T> {
  record: T;
  name: string;
  /** The name's words, each after a space (" data platform"): a word starts one when " " + word occurs. */
  nameWords: string;
  text: string;
}

const indexes = new WeakMap<OrgGraph, { orgUnits: Entry<OrgUnit>[]; actors: Entry<Actor>[] }>();

/** The search entries of a graph, built on its first search (graphs are immutable). */
function searchIndexOf(graph: OrgGraph) {
  let index = indexes.get(graph);
  if (!index) {
    const entry = <T>(record: T, name: string, others: (string | null)[]): Entry<T> => {
      const lower = name.toLowerCase();
      const nameWords = ` ${lower.split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(' ')}`;
      return { record, name: lower, nameWords, text: [lower, ...others.filter(Boolean)].join(' ').toLowerCase() };
    };
    index = {
      orgUnits: [...graph.orgUnits.values()].map((u) => entry(u, u.name, [u.code, u.type])),
      actors: [...graph.actors.values()].map((a) => entry(a, a.displayName, [a.email, a.title, a.kind])),
    };
    indexes.set(graph, index);
  }
  return index;
}

/** The `limit` best matches in effect on `day`, by score, then name, then id (kept sorted while scanning). */
function best<T extends Dated & { id: string }>(entries: Entry<T>[], words: string[], phrase: string, day: string, limit: number): T[] {
  const top: { entry: Entry<T>; score: number }[] = [];
  const before = (a: { entry: Entry<T>; score: number }, b: { entry: Entry<T>; score: number }) =>
    a.score !== b.score ? a.score > b.score : a.entry.name !== b.entry.name ? a.entry.name < b.entry.name : a.entry.record.id < b.entry.record.id;
  for (const entry of entries) {
    if (!words.every((w) => contains(entry.text, w)) || !inEffect(entry.record, day)) continue;
    const hit = { entry, score: score(words, phrase, entry) };
    if (top.length === limit && !before(hit, top[limit - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(hit, top[at - 1]!)) at--;
    top.splice(at, 0, hit);
    if (top.length > limit) top.pop();
  }
  return top.map((h) => h.entry.record);
}

/** How well the name matches a record that has every word somewhere: 1–5 (see the module comment). */
function score(words: string[], phrase: string, { name, nameWords }: Entry<unknown>): number {
  if (name === phrase) return 5;
  if (name.startsWith(phrase)) return 4;
  if (words.every((w) => contains(nameWords, w, ' '))) return 3;
  if (words.every((w) => contains(name, w))) return 2;
  return 1;
}

/** Whether `text` has `word` (or its singular, for a plural), right after `before` when given. */
export function contains(text: string, word: string, before = ''): boolean {
  return text.includes(before + word) || (word.length > 1 && word.endsWith('s') && text.includes(before + word.slice(0, -1)));
}
