import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { respondWithProblem } from '../../api/problem.js';
import { AppError, InvalidInput } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { ORG_UNIT_TYPES, type OrgUnitType } from '../../org/types.js';
import { isUuid } from '../../util/ids.js';
import { plainWords } from '../../util/words.js';
import { RECORD_KINDS, recordChoices, type Choice, type RecordKind } from '../live/options.js';
import { ID_SEPARATOR } from './tray-ops.js';

/**
 * Suggestions for the change tray's typed fields (a person, placement, position or unit, past a few dozen records):
 * the page gives the first few (`SUGGESTIONS_IN_PAGE`) and the address of the rest, `GET /scenarios/:id/suggest?kind=
 * actor&q=car`, which app.js asks as the person types. Its answers are read from the scenario's graph and read as the
 * page's own suggestions do (`suggestionsOf`): what a field sends back is what the page resolves to one record.
 */

/** How many suggestions a typed field's list holds in the page: a start, not the whole list (a megabyte at 10,000 actors). */
export const SUGGESTIONS_IN_PAGE = 20;

/** How many suggestions one search answers: a short list to pick from, as a person narrows it by typing on. */
export const SUGGESTIONS_PER_SEARCH = 20;

const MAX_QUERY = 200;

/** The choices of a unit field that names some unit types only (a team's parent: a company or department). */
export function ofUnitTypes<C extends Choice>(choices: readonly C[], types: readonly OrgUnitType[] | undefined): C[] {
  return types ? choices.filter((o) => o.type !== undefined && types.includes(o.type as OrgUnitType)) : [...choices];
}

/**
 * How each suggestion reads, which is what its field sends: the record's label, which the page resolves to the one
 * record of that label (`resolveTypedNames`, case aside) — followed by its id ("Name · Title — <id>") only where
 * that would not do: a label two records of the list share, or one the page would not read as a name.
 */
export function suggestionsOf(options: readonly Choice[]): string[] {
  const seen = new Map<string, number>();
  for (const o of options) seen.set(o.label.toLowerCase(), (seen.get(o.label.toLowerCase()) ?? 0) + 1);
  return options.map((o) => {
    const plain = o.label && o.label === o.label.trim() && !o.label.includes(ID_SEPARATOR) && !o.label.startsWith('$') && !isUuid(o.label);
    return plain && seen.get(o.label.toLowerCase()) === 1 ? o.label : `${o.label}${ID_SEPARATOR}${o.value}`;
  });
}

/** A choice as searched: what its field sends, and its label as plain words (with a space before, to find a word's start). */
interface Entry {
  value: string;
  label: string;
  id: string;
  words: string;
}

/**
 * The entries of a list of choices (of some unit types): worked out once per list, as the lists are read once per
 * graph (`recordChoices`) and each keystroke searches one again.
 */
function entriesOf(choices: readonly Choice[], types: readonly OrgUnitType[] | undefined): Entry[] {
  let byTypes = entriesMemo.get(choices);
  if (!byTypes) entriesMemo.set(choices, (byTypes = new Map()));
  const key = types?.join(',') ?? '';
  let entries = byTypes.get(key);
  if (!entries) {
    const offered = ofUnitTypes(choices, types);
    const texts = suggestionsOf(offered);
    byTypes.set(key, (entries = offered.map((o, i) => ({ value: texts[i]!, label: o.label, id: o.value, words: ` ${plainWords(o.label)}` }))));
  }
  return entries;
}

const entriesMemo = new WeakMap<readonly Choice[], Map<string, Entry[]>>();

/**
 * The suggestions a typed text finds, best first, at most `limit`: the record whose id it is; then labels it begins;
 * labels with a word it begins; labels whose words all start with one of its words, in any order ("lopez em" finds
 * Emily Lopez); labels holding it anywhere. In each group, in the list's order. Case and accents do not matter.
 */
export function searchEntries(entries: readonly Entry[], typed: string, limit = SUGGESTIONS_PER_SEARCH): { value: string; label: string }[] {
  const query = plainWords(typed);
  const id = typed.trim().toLowerCase();
  if (!query) return [];
  const words = query.split(' ');
  const groups: Entry[][] = [[], [], [], [], []];
  for (const e of entries) {
    const group =
      e.id === id ? 0
      : e.words.startsWith(` ${query}`) ? 1
      : e.words.includes(` ${query}`) ? 2
      : words.length > 1 && words.every((w) => e.words.includes(` ${w}`)) ? 3
      : e.words.includes(query) ? 4
      : -1;
    if (group >= 0 && groups[group]!.length < limit) groups[group]!.push(e);
    // The first groups full: nothing later can come before them.
    if (groups[0]!.length + groups[1]!.length >= limit) break;
  }
  return groups.flat().slice(0, limit).map((e) => ({ value: e.value, label: e.label }));
}

/** The suggestions the address of a typed field (`suggestUrl`) answers for a typed text. */
export function searchChoices(choices: readonly Choice[], typed: string, types?: readonly OrgUnitType[]): { value: string; label: string }[] {
  return searchEntries(entriesOf(choices, types), typed);
}

/** Where a typed field of a kind (and, for a unit field, its unit types) asks for suggestions. */
export function suggestUrl(scenarioId: string, kind: RecordKind, types?: readonly OrgUnitType[]): string {
  return `/scenarios/${scenarioId}/suggest?kind=${kind}${types ? `&types=${types.join(',')}` : ''}`;
}

interface SuggestQuery {
  kind: RecordKind;
  q: string;
  types?: OrgUnitType[];
}

function parseQuery(query: Record<string, string>): SuggestQuery {
  const kind = query.kind?.trim() ?? '';
  if (!(RECORD_KINDS as readonly string[]).includes(kind)) throw new InvalidInput('kind', `must be one of ${RECORD_KINDS.join(', ')}`);
  const q = query.q?.trim() ?? '';
  if (!q || q.length > MAX_QUERY) throw new InvalidInput('q', `type from 1 to ${MAX_QUERY} characters of a name, or an id`);
  const raw = query.types?.trim();
  if (!raw) return { kind: kind as RecordKind, q };
  const types = raw.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !(ORG_UNIT_TYPES as readonly string[]).includes(t));
  if (kind !== 'unit' || unknown.length) {
    throw new InvalidInput('types', kind !== 'unit' ? 'only a unit search takes unit types' : `must be unit types among ${ORG_UNIT_TYPES.join(', ')} (not ${unknown.join(', ')})`);
  }
  return { kind: 'unit', q, types: types as OrgUnitType[] };
}

/**
 * `GET /scenarios/:id/suggest?kind=&q=[&types=]` → `{ suggestions: [{ value, label }] }`: behind the pages' session
 * sign-in, as the tray; what the principal may read (no placements without placements.read, no positions without
 * positions.read; labels never carry pay). Refusals are JSON problems: a bad kind or text 400, another
 * organisation's scenario 404.
 */
export function suggestRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id/suggest', async (c) => {
    try {
      const { kind, q, types } = parseQuery(c.req.query());
      const choices = await recordChoices(serviceContext(c), { scenarioId: c.req.param('id') }, kind);
      return c.json({ suggestions: searchChoices(choices, q, types) }, 200, { 'cache-control': 'private, no-store' });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return respondWithProblem(c, error);
      throw error;
    }
  });
  return web;
}
