import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput } from '../errors.js';
import { inEffect } from './dates.js';
import type { Actor, OrgUnit } from './types.js';
import { openView } from './view.js';

/**
 * Finds org units and (with actors.read) actors in Live today by words, best match first — what the MCP `search`
 * tool answers. A record matches when every word occurs in one of its fields (a plural word also matches its
 * singular: "teams" finds a team); it ranks by how well its name matches: the whole query as the name, then as the
 * name's start, then every word starting a word of the name, then every word somewhere in the name, then the rest
 * (a word found only in the email, title, code, type or kind). Every record in effect is considered, however large
 * the organisation: the graph is in memory.
 */

export interface SearchMatches {
  orgUnits: OrgUnit[];
  /** Empty without actors.read. */
  actors: Actor[];
}

export const SEARCH_RESULTS_PER_KIND = 10;

export async function searchOrganisation(ctx: ServiceContext, query: string, perKind = SEARCH_RESULTS_PER_KIND): Promise<SearchMatches> {
  authorize(ctx.principal, 'org-units.read');
  const words = wordsOf(query);
  if (!words.length) throw new InvalidInput('query', 'must contain a word to look for');
  const { graph, asOf } = await openView(ctx);
  const phrase = words.join(' ');
  const orgUnits = best(
    graph.orgUnits.values(),
    (u) => inEffect(u, asOf),
    (u) => score(words, phrase, u.name, [u.code, u.type]),
    perKind,
  );
  const actors = can(ctx.principal, 'actors.read')
    ? best(graph.actors.values(), (a) => inEffect(a, asOf), (a) => score(words, phrase, a.displayName, [a.email, a.title, a.kind]), perKind)
    : [];
  return { orgUnits, actors };
}

function wordsOf(text: string): string[] {
  return text.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** The `limit` best-scoring records (score > 0), by score, then name, then id. */
function best<T extends { id: string }>(
  records: Iterable<T>,
  current: (record: T) => boolean,
  scoreOf: (record: T) => { score: number; name: string },
  limit: number,
): T[] {
  const hits: { record: T; score: number; name: string }[] = [];
  for (const record of records) {
    if (!current(record)) continue;
    const { score, name } = scoreOf(record);
    if (score > 0) hits.push({ record, score, name });
  }
  hits.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.record.id < b.record.id ? -1 : 1));
  return hits.slice(0, limit).map((h) => h.record);
}

/** 0 when some word is in no field; otherwise 1–5, how well the name matches (see the module comment). */
function score(words: string[], phrase: string, name: string, others: (string | null)[]): { score: number; name: string } {
  const lowerName = name.toLowerCase();
  const everything = [lowerName, ...others.filter((o): o is string => Boolean(o)).map((o) => o.toLowerCase())].join(' ');
  if (!words.every((w) => contains(everything, w))) return { score: 0, name: lowerName };
  if (lowerName === phrase) return { score: 5, name: lowerName };
  if (lowerName.startsWith(phrase)) return { score: 4, name: lowerName };
  const nameWords = lowerName.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.every((w) => nameWords.some((n) => n.startsWith(w) || (w.endsWith('s') && n.startsWith(w.slice(0, -1)))))) return { score: 3, name: lowerName };
  if (words.every((w) => contains(lowerName, w))) return { score: 2, name: lowerName };
  return { score: 1, name: lowerName };
}

function contains(text: string, word: string): boolean {
  return text.includes(word) || (word.length > 1 && word.endsWith('s') && text.includes(word.slice(0, -1)));
}
