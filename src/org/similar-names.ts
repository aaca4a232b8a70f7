import { can, type Principal } from '../access/policy.js';
import { editDistance } from '../util/edit-distance.js';
import { inEffect } from './dates.js';
import type { Actor, Dated, OrgGraph, OrgUnitType } from './types.js';

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

type Holder = Dated & { id: string; type?: string };

interface NameIndex {
  kind: SimilarName['kind'];
  /** The names, one per entry: a record's, or a title. */
  names: string[];
  /** The records that carry each name: a record (one per name) or the holders of a title (several). */
  holders: (at: number) => readonly Holder[];
  /** Word → the entries whose name has it. */
  postings: Map<string, number[]>;
  /** The distinct words by length, for comparing a query word only with words of about its length. */
  byLength: Map<number, string[]>;
}

const indexes = new WeakMap<OrgGraph, Partial<Record<SimilarFamily, NameIndex[]>>>();

/**
 * The closest names to `query` in the families the caller may read, at most MAX_SIMILAR_NAMES, closest first;
 * `unitType` keeps only org units of that type (a misspelt team in a list of teams is not a department).
 */
export function similarNames(
  principal: Principal,
  view: { graph: OrgGraph; asOf: string },
  query: string,
  families: readonly SimilarFamily[],
  { unitType }: { unitType?: OrgUnitType } = {},
): SimilarName[] {
  const words = [...new Set(wordsOf(query))];
  if (!words.length || words.length > MAX_QUERY_WORDS || words.every((word) => word.length < 3)) return [];
  const readable = { actors: can(principal, 'actors.read'), orgUnits: can(principal, 'org-units.read') };
  const found = families
    .filter((family) => readable[family])
    .flatMap((family) => indexesOf(view.graph, family))
    .flatMap((index) => closest(index, words, view.asOf, unitType));
  return found
    .sort((a, b) => a.distance - b.distance || a.extra - b.extra || (a.kind === 'title' ? 1 : 0) - (b.kind === 'title' ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MAX_SIMILAR_NAMES)
    .map(({ extra: _extra, ...similar }) => similar);
}

/** The words of a name or query: lower-cased, accents dropped ("Zoë" reads "zoe"), split at anything not a letter or digit. */
function wordsOf(text: string): string[] {
  const lower = text.toLowerCase();
  // Most names are plain ASCII: split without the (much slower) Unicode normalisation.
  if (ASCII.test(lower)) return lower.split(/[^a-z0-9]+/).filter(Boolean);
  return lower.normalize('NFD').replace(/\p{M}/gu, '').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

const ASCII = /^[\x00-\x7f]*$/;

/** How many letters a query word may be away from a name's word: none for one or two letters, else one, two from six. */
function allowedEdits(word: string): number {
  return word.length <= 2 ? 0 : word.length <= 5 ? 1 : 2;
}

function closest(index: NameIndex, words: string[], day: string, unitType?: OrgUnitType): (SimilarName & { extra: number })[] {
  const near = words.map((word) => nearWords(index, word));
  if (near.some((distances) => distances.size === 0)) return [];
  // All the query's letters may be off by one in three at most: "jon smyth" (8 letters) by 2.
  const budget = Math.max(1, Math.floor(words.join('').length / 3));
  const rarest = near.reduce((a, b) => (postingCount(index, a) <= postingCount(index, b) ? a : b));
  const candidates = new Set<number>();
  for (const word of rarest.keys()) for (const at of index.postings.get(word)!) candidates.add(at);
  const found: (SimilarName & { extra: number })[] = [];
  for (const at of candidates) {
    const name = index.names[at]!;
    const nameWords = wordsOf(name);
    let distance = 0;
    for (const distances of near) {
      let best = Infinity;
      for (const word of nameWords) best = Math.min(best, distances.get(word) ?? Infinity);
      distance += best;
    }
    if (distance === 0 || distance > budget) continue;
    const current = index.holders(at).filter((record) => inEffect(record, day) && (!unitType || index.kind !== 'org-unit' || record.type === unitType));
    if (!current.length) continue;
    const extra = Math.max(0, nameWords.length - words.length);
    if (index.kind === 'title') found.push({ kind: 'title', name, holders: current.length, distance, extra });
    else found.push({ kind: index.kind, name, id: current[0]!.id, type: current[0]!.type, distance, extra });
  }
  return found;
}

function postingCount(index: NameIndex, distances: Map<string, number>): number {
  let count = 0;
  for (const word of distances.keys()) count += index.postings.get(word)!.length;
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

/** The name indexes of one family of a graph (actors: their names, and their titles), built on first use. */
function indexesOf(graph: OrgGraph, family: SimilarFamily): NameIndex[] {
  let byFamily = indexes.get(graph);
  if (!byFamily) indexes.set(graph, (byFamily = {}));
  return (byFamily[family] ??= buildIndexes(graph, family));
}

function buildIndexes(graph: OrgGraph, family: SimilarFamily): NameIndex[] {
  if (family === 'orgUnits') {
    const units = [...graph.orgUnits.values()];
    return [indexOver('org-unit', units.map((unit) => unit.name), (at) => [units[at]!])];
  }
  const actors = [...graph.actors.values()];
  const titles = new Map<string, { title: string; holders: Actor[] }>();
  for (const actor of actors) {
    const title = actor.title?.trim();
    if (!title) continue;
    const key = title.toLowerCase();
    const known = titles.get(key);
    if (known) known.holders.push(actor);
    else titles.set(key, { title, holders: [actor] });
  }
  const held = [...titles.values()];
  return [
    indexOver('actor', actors.map((actor) => actor.displayName), (at) => [actors[at]!]),
    indexOver('title', held.map((t) => t.title), (at) => held[at]!.holders),
  ];
}

/** An index of `names` (one entry each): the entries of each word, and the words by length. */
function indexOver(kind: NameIndex['kind'], names: string[], holders: NameIndex['holders']): NameIndex {
  const postings = new Map<string, number[]>();
  names.forEach((name, at) => {
    for (const word of wordsOf(name)) {
      const list = postings.get(word);
      if (!list) postings.set(word, [at]);
      // A word twice in one name ("van der van") is one posting.
      else if (list[list.length - 1] !== at) list.push(at);
    }
  });
  const byLength = new Map<number, string[]>();
  for (const word of postings.keys()) {
    const list = byLength.get(word.length);
    if (list) list.push(word);
    else byLength.set(word.length, [word]);
  }
  return { kind, names, holders, postings, byLength };
}
