import { can, type Principal } from '../access/policy.js';
import { editDistance } from '../util/edit-distance.js';
import { inEffect } from './dates.js';
import type { Dated, OrgGraph } from './types.js';

/**
 * The names a query that matched nothing was probably meant to be ("Jon Smyth" → John Smith, Joan Smyth): records in
 * effect on the day whose name has, for every word of the query, a word a few letters away (a typo, a missing or
 * swapped letter), closest first. An actor's title counts as a name of its own ("Sofware Enginer" → the title
 * Software Engineer). Only the families the caller may read are compared (actors: actors.read; org units:
 * org-units.read), so a suggestion never shows a name the caller could not list.
 *
 * Bounded work on a large organisation: the distinct words of a graph's names are indexed once per graph (graphs are
 * immutable), each query word is compared only with the indexed words of about its length, and only the records
 * having a near word of the query's rarest one are scored.
 */

export type SimilarFamily = 'actors' | 'orgUnits';

export interface SimilarName {
  /** A record's name, or a title actors hold. */
  kind: 'actor' | 'org-unit' | 'title';
  name: string;
  /** The actor or org unit (absent for a title). */
  id?: string;
  /** An org unit's type. */
  type?: string;
  /** A title: how many actors in effect on the day hold it. */
  holders?: number;
  /** Letters changed over all the query's words (at least 1: a name that has every word matched already). */
  distance: number;
}

export const MAX_SIMILAR_NAMES = 3;
/** A query of more words is a question, not a misspelt name. */
const MAX_QUERY_WORDS = 5;

interface Entry {
  kind: SimilarName['kind'];
  name: string;
  words: string[];
  /** The records that carry the name (one, or the holders of a title). */
  records: (Dated & { id: string; type?: string })[];
}

interface NameIndex {
  entries: Entry[];
  /** Word → the entries whose name has it. */
  postings: Map<string, number[]>;
  /** The distinct words by length, for comparing a query word only with words of about its length. */
  byLength: Map<number, string[]>;
}

const indexes = new WeakMap<OrgGraph, Partial<Record<SimilarFamily, NameIndex>>>();

/** The closest names to `query` in the families the caller may read, at most MAX_SIMILAR_NAMES, closest first. */
export function similarNames(
  principal: Principal,
  view: { graph: OrgGraph; asOf: string },
  query: string,
  families: readonly SimilarFamily[],
): SimilarName[] {
  const words = [...new Set(wordsOf(query))];
  if (!words.length || words.length > MAX_QUERY_WORDS || words.every((word) => word.length < 3)) return [];
  const readable = { actors: can(principal, 'actors.read'), orgUnits: can(principal, 'org-units.read') };
  const found = families.filter((family) => readable[family]).flatMap((family) => closest(indexOf(view.graph, family), words, view.asOf));
  return found
    .sort((a, b) => a.distance - b.distance || a.extra - b.extra || (a.kind === 'title' ? 1 : 0) - (b.kind === 'title' ? 1 : 0) || a.name.localeCompare(b.name))
    .slice(0, MAX_SIMILAR_NAMES)
    .map(({ extra: _extra, ...similar }) => similar);
}

/** The words of a name or query: lower-cased, accents dropped ("Zoë" reads "zoe"), split at anything not a letter or digit. */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** How many letters a query word may be away from a name's word: none for one or two letters, else one, two from six. */
function allowedEdits(word: string): number {
  return word.length <= 2 ? 0 : word.length <= 5 ? 1 : 2;
}

function closest(index: NameIndex, words: string[], day: string): (SimilarName & { extra: number })[] {
  const near = words.map((word) => nearWords(index, word));
  if (near.some((distances) => distances.size === 0)) return [];
  // All the query's letters may be off by one in three at most: "jon smyth" (8 letters) by 2.
  const budget = Math.max(1, Math.floor(words.join('').length / 3));
  const rarest = near.reduce((a, b) => (postingCount(index, a) <= postingCount(index, b) ? a : b));
  const candidates = new Set<number>();
  for (const word of rarest.keys()) for (const at of index.postings.get(word) ?? []) candidates.add(at);
  const found: (SimilarName & { extra: number })[] = [];
  for (const at of candidates) {
    const entry = index.entries[at]!;
    let distance = 0;
    for (const distances of near) {
      let best = Infinity;
      for (const word of entry.words) best = Math.min(best, distances.get(word) ?? Infinity);
      distance += best;
    }
    if (distance === 0 || distance > budget) continue;
    const current = entry.records.filter((record) => inEffect(record, day));
    if (!current.length) continue;
    const extra = Math.max(0, entry.words.length - words.length);
    if (entry.kind === 'title') found.push({ kind: 'title', name: entry.name, holders: current.length, distance, extra });
    else found.push({ kind: entry.kind, name: entry.name, id: entry.records[0]!.id, type: entry.records[0]!.type, distance, extra });
  }
  return found;
}

function postingCount(index: NameIndex, distances: Map<string, number>): number {
  let count = 0;
  for (const word of distances.keys()) count += index.postings.get(word)?.length ?? 0;
  return count;
}

/** The indexed words within the edits a query word allows, with their distance. */
function nearWords(index: NameIndex, word: string): Map<string, number> {
  const allowed = allowedEdits(word);
  const distances = new Map<string, number>();
  for (let length = word.length - allowed; length <= word.length + allowed; length++) {
    for (const candidate of index.byLength.get(length) ?? []) {
      const distance = editDistance(word, candidate, allowed);
      if (distance <= allowed) distances.set(candidate, distance);
    }
  }
  return distances;
}

/** The name index of one family of a graph, built on first use. */
function indexOf(graph: OrgGraph, family: SimilarFamily): NameIndex {
  let byFamily = indexes.get(graph);
  if (!byFamily) indexes.set(graph, (byFamily = {}));
  return (byFamily[family] ??= buildIndex(entriesOf(graph, family)));
}

function entriesOf(graph: OrgGraph, family: SimilarFamily): Entry[] {
  if (family === 'orgUnits') {
    return [...graph.orgUnits.values()].map((unit) => ({ kind: 'org-unit', name: unit.name, words: wordsOf(unit.name), records: [unit] }));
  }
  const entries: Entry[] = [];
  const titles = new Map<string, Entry>();
  for (const actor of graph.actors.values()) {
    entries.push({ kind: 'actor', name: actor.displayName, words: wordsOf(actor.displayName), records: [actor] });
    const title = actor.title?.trim();
    if (!title) continue;
    const key = title.toLowerCase();
    const known = titles.get(key);
    if (known) known.records.push(actor);
    else titles.set(key, { kind: 'title', name: title, words: wordsOf(title), records: [actor] });
  }
  return [...entries, ...titles.values()];
}

function buildIndex(entries: Entry[]): NameIndex {
  const postings = new Map<string, number[]>();
  entries.forEach((entry, at) => {
    for (const word of new Set(entry.words)) {
      const list = postings.get(word);
      if (list) list.push(at);
      else postings.set(word, [at]);
    }
  });
  const byLength = new Map<number, string[]>();
  for (const word of postings.keys()) {
    const list = byLength.get(word.length);
    if (list) list.push(word);
    else byLength.set(word.length, [word]);
  }
  return { entries, postings, byLength };
}
