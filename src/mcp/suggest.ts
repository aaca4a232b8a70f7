import { editDistance } from '../util/edit-distance.js';

/**
 * The names an assistant probably meant when it wrote one this server does not have: a misspelling
 * (`org_units_lst` → `org_units_list`), else the names sharing the most of its words (`get_unit` →
 * `org_units_get`; people, persons and employees are actors here). Dots, underscores, hyphens and a plural `s`
 * do not count.
 */

const MAX_EDITS = 2;
const MAX_SUGGESTIONS = 3;
/** Words nearly every tool name has: sharing only these says nothing. */
const COMMON_WORDS = new Set(['org', 'list', 'get', 'orgonaut']);
/** Words assistants use for what the names call otherwise. */
const SYNONYMS: Record<string, string> = { people: 'actor', person: 'actor', employee: 'actor', staff: 'actor', human: 'actor' };

export function closestNames(name: string, known: readonly string[]): string[] {
  const wanted = normalised(name);
  const byEdits = known.map((candidate) => ({ candidate, distance: editDistance(wanted, normalised(candidate)) }));
  const fewest = Math.min(...byEdits.map((c) => c.distance));
  if (fewest <= MAX_EDITS) return byEdits.filter((c) => c.distance === fewest).map((c) => c.candidate).slice(0, MAX_SUGGESTIONS);
  // Most shared words first; among equals, sharing a common word too (`get_unit`: org_units_get), then fewer words.
  const words = wordsOf(name);
  const byWords = known
    .map((candidate) => {
      const theirs = wordsOf(candidate);
      const shared = theirs.filter((word) => words.includes(word));
      const rare = shared.filter((word) => !COMMON_WORDS.has(word)).length;
      return { candidate, rare, common: shared.length - rare, others: theirs.length - shared.length };
    })
    .filter((c) => c.rare > 0);
  const most = Math.max(0, ...byWords.map((c) => c.rare));
  return byWords
    .filter((c) => c.rare === most)
    .sort((a, b) => b.common - a.common || a.others - b.others)
    .map((c) => c.candidate)
    .slice(0, MAX_SUGGESTIONS);
}

function normalised(name: string): string {
  return name.trim().toLowerCase().replace(/[.\-\s]/g, '_');
}

/** The words of a name, singular (`units` → `unit`). */
function wordsOf(name: string): string[] {
  const singular = (word: string) => (word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word);
  const words = name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  return [...new Set(words.map((word) => SYNONYMS[word] ?? SYNONYMS[singular(word)] ?? singular(word)))];
}
