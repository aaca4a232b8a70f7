import { booleanFlag, integerFlag, stringFlag, UsageError, type ParsedArgs } from '../args.js';
import { configPath, requireLogin, type StoredLogin } from '../client/config-file.js';
import { ApiProblem, CliError, EXIT } from '../client/errors.js';
import { ApiClient, type Query } from '../client/http.js';
import { hint, printJson, printTable, type Column } from '../client/output.js';
import { nameKey } from '../../util/words.js';

/** What every client command gets: its arguments, the output mode and (lazily) the signed-in API client. */
export interface Run {
  args: ParsedArgs;
  /** The words after the group: `scenario show <id>` → ['show', '<id>']. */
  words: string[];
  json: boolean;
  configFile: string;
  login(): StoredLogin;
  client(): ApiClient;
}

export function createRun(args: ParsedArgs): Run {
  const configFile = configPath();
  let login: StoredLogin | null = null;
  const loginOnce = () => (login ??= requireLogin(configFile));
  return {
    args,
    words: args.positionals.slice(1),
    json: booleanFlag(args, 'json'),
    configFile,
    login: loginOnce,
    client: () => ApiClient.of(loginOnce()),
  };
}

/** The n-th word after the subcommand, or a usage error naming it. */
export function word(run: Run, index: number, name: string): string {
  const value = run.words[index];
  if (!value) throw new UsageError(`missing <${name}>`);
  return value;
}

/** `--scenario` (an id or a name, see scenarioRef) and `--as-of`: which organisation and day a read looks at. */
export async function viewQuery(run: Run): Promise<Query> {
  const asOf = stringFlag(run.args, 'as-of');
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of must be a date written YYYY-MM-DD');
  const scenario = stringFlag(run.args, 'scenario');
  return { scenario_id: scenario === undefined ? undefined : await scenarioRef(run, scenario, '--scenario'), as_of: asOf };
}

/**
 * A scenario (or snapshot) given by id, or by its name — ignoring case and spaces, as scenario names are compared —
 * as people know it ("2026-03 Platform realignment"). A name several have is taken for the one active planning
 * scenario among them; otherwise none or several: one line saying so, with the candidates' ids, exit 2.
 */
export async function scenarioRef(run: Run, value: string, option?: string): Promise<string> {
  const given = value.trim();
  if (!given || UUID.test(given)) return given;
  const { data } = await fetchAll(run.client(), '/api/v1/scenarios');
  const named = (data as { id: string; name: string; kind: string; state: string }[]).filter((s) => nameKey(s.name) === nameKey(given));
  const planning = named.filter((s) => s.kind === 'planning' && s.state === 'active');
  const found = named.length === 1 ? named : planning;
  if (found.length === 1) return found[0]!.id;
  if (named.length) {
    const candidates = named.slice(0, 5).map((s) => `${s.kind}${s.state === 'archived' ? ', archived' : ''} ${s.id}`);
    throw new CliError(`${named.length} scenarios are named "${given}": ${candidates.join('; ')}. Give ${option ? `${option} ` : ''}the id of the one you mean.`, EXIT.usage, 'ambiguous_name');
  }
  throw new CliError(`no scenario or snapshot is named "${given}". Find it with "orgonaut scenario list", then give ${option ? `${option} ` : ''}its id or exact name.`, EXIT.usage, 'not_found');
}

export function pageQuery(run: Run): Query {
  const limit = integerFlag(run.args, 'limit');
  if (limit !== undefined && (limit < 1 || limit > 500)) throw new UsageError('--limit must be from 1 to 500');
  return { limit, cursor: stringFlag(run.args, 'cursor') };
}

interface ListBody {
  data: unknown[];
  next_cursor: string | null;
  [key: string]: unknown;
}

/**
 * Fetches a list (every page with `--all`), then prints it: the API's JSON with `--json` (pages merged, so
 * `next_cursor` is null after `--all`), else a table and, when there is more, how to get the next page.
 */
export async function fetchList(run: Run, path: string, query: Query): Promise<ListBody> {
  if (booleanFlag(run.args, 'all')) return fetchAll(run.client(), path, { ...query, ...pageQuery(run) });
  return run.client().get<ListBody>(path, { ...query, ...pageQuery(run) });
}

/** Every page of a list (500 at a time), merged: `next_cursor` is null. */
export async function fetchAll(client: ApiClient, path: string, query: Query = {}): Promise<ListBody> {
  let body = await client.get<ListBody>(path, { ...query, limit: 500 });
  const data = [...body.data];
  while (body.next_cursor) {
    body = await client.get<ListBody>(path, { ...query, limit: 500, cursor: body.next_cursor });
    data.push(...body.data);
  }
  return { ...body, data, next_cursor: null };
}

export function printList<T>(run: Run, body: ListBody, columns: Column<T>[], empty?: string): void {
  if (run.json) return printJson(body);
  printTable(body.data as T[], columns, empty);
  if (body.next_cursor) hint(`More: add --cursor ${body.next_cursor} (or --all for every page).`);
}

export async function listCommand<T>(run: Run, path: string, query: Query, columns: Column<T>[], empty?: string): Promise<number> {
  printList(run, await fetchList(run, path, query), columns, empty);
  return 0;
}

/** Flags that never take a value; written `--flag=true` before parsing so they never swallow the next word. */
export const BOOLEAN_FLAGS = ['json', 'all', 'include-inactive', 'primary-only', 'no-browser', 'wait', 'revoke', 'help'];

export function normalizeBooleanFlags(argv: readonly string[]): string[] {
  return argv.map((arg) => (BOOLEAN_FLAGS.includes(arg.replace(/^--/, '')) && arg.startsWith('--') && !arg.includes('=') ? `${arg}=true` : arg));
}

export const ID: Column<Record<string, any>> = { header: 'ID', value: (r) => r.id };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An org-unit option (`--unit`, `--parent`, `--root`) as an id: an id as given, else the one unit of the view whose
 * name or code it is (case-insensitive) — people type "Platform", not a UUID. None or several: one line saying so,
 * with the candidates' ids, exit 2.
 */
export async function unitFlag(run: Run, name: string, view: Query): Promise<string | undefined> {
  const value = stringFlag(run.args, name)?.trim();
  if (!value || UUID.test(value)) return value;
  const { data } = await run.client().get<{ data: { id: string; name: string; code: string | null; type: string }[] }>('/api/v1/org-units', { ...view, q: value, include_inactive: 'true', limit: 20 });
  const wanted = value.toLowerCase();
  const exact = data.filter((u) => u.name.toLowerCase() === wanted || u.code?.toLowerCase() === wanted);
  if (exact.length === 1) return exact[0]!.id;
  const candidates = (exact.length ? exact : data).slice(0, 5).map((u) => `${u.name} (${u.type}) ${u.id}`);
  if (exact.length) throw new CliError(`${exact.length} org units are named "${value}": ${candidates.join('; ')}. Give --${name} the id of the one you mean.`, EXIT.usage, 'ambiguous_name');
  if (candidates.length) throw new CliError(`no org unit is named "${value}"; similar: ${candidates.join('; ')}. Give --${name} an id or an exact name.`, EXIT.usage, 'not_found');
  throw new CliError(`no org unit is named "${value}". Find it with "orgonaut live units --search <words>", then give --${name} its id or exact name.`, EXIT.usage, 'not_found');
}

/**
 * An actor option (`--actor`, `--manager`) as an id: an id as given, else the one actor of the view whose name or
 * email it is (case-insensitive, inactive ones too) — people type "Ana Schneider", not a UUID. None or several: one
 * line saying so, with the candidates' ids, exit 2.
 */
export async function actorFlag(run: Run, name: string, view: Query): Promise<string | undefined> {
  const value = stringFlag(run.args, name)?.trim();
  if (!value || UUID.test(value)) return value;
  const { data } = await run.client().get<{ data: { id: string; display_name: string; email: string | null }[] }>('/api/v1/actors', { ...view, q: value, include_inactive: 'true', limit: 20 });
  const wanted = value.toLowerCase();
  const exact = data.filter((a) => a.display_name.toLowerCase() === wanted || a.email?.toLowerCase() === wanted);
  if (exact.length === 1) return exact[0]!.id;
  const candidates = (exact.length ? exact : data).slice(0, 5).map((a) => `${a.display_name}${a.email ? ` <${a.email}>` : ''} ${a.id}`);
  if (exact.length) throw new CliError(`${exact.length} actors are named "${value}": ${candidates.join('; ')}. Give --${name} the id of the one you mean.`, EXIT.usage, 'ambiguous_name');
  if (candidates.length) throw new CliError(`no actor is named "${value}"; similar: ${candidates.join('; ')}. Give --${name} an id, an email or an exact name.`, EXIT.usage, 'not_found');
  throw new CliError(`no actor is named "${value}". Find them with "orgonaut live actors --search <words>", then give --${name} their id, email or exact name.`, EXIT.usage, 'not_found');
}

/**
 * A team-type option (`--team-type`) as an id: an id as given, else the team type of that name (case-insensitive) —
 * an unknown name is one line naming the types there are, exit 2, never an empty list.
 */
export async function teamTypeFlag(run: Run, name: string): Promise<string | undefined> {
  const value = stringFlag(run.args, name)?.trim();
  if (!value || UUID.test(value)) return value;
  const { data } = await fetchAll(run.client(), '/api/v1/team-types');
  const types = data as { id: string; name: string }[];
  const found = types.find((t) => t.name.toLowerCase() === value.toLowerCase());
  if (found) return found.id;
  const known = types.length ? `: ${types.map((t) => `"${t.name}"`).join(', ')}` : ' (none yet: create one with "orgonaut refs team-types --create <name>")';
  throw new CliError(`no team type is named "${value}". Give --${name} the name or id of one of the team types${known}.`, EXIT.usage, 'not_found');
}

/** Units by name for a table's UNIT column: those of `ids` only (see recordNames). */
export function unitNames(run: Run, view: Query, ids: Iterable<string | null | undefined>): Promise<Names> {
  return recordNames(run, '/api/v1/org-units', view, 'name', ids);
}

/** A record's name by id; an id not found (or not readable) stays an id. */
export type Names = (id: string | null | undefined) => string | null | undefined;

/** How many ids one `ids=` look-up asks for (the API's most). */
const IDS_PER_LOOKUP = 100;

/**
 * Records of one list by name (`field`) for a table column: only the records of `ids` (those a page refers to), read
 * with the list's `ids` batch look-up — inactive ones too, in the organisation read (`view`). For more ids than one
 * look-up takes (`--all` or `--limit 500` over a large list), the whole list is read instead, 500 a page: never more
 * requests than that.
 * An id the list does not hold stays an id, and so do all of them without the ability to read the list (403).
 */
export async function recordNames(run: Run, path: string, view: Query, field: string, ids: Iterable<string | null | undefined>): Promise<Names> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))];
  if (!wanted.length) return (id) => id;
  let data: unknown[];
  try {
    ({ data } =
      wanted.length > IDS_PER_LOOKUP
        ? await fetchAll(run.client(), path, { ...view, include_inactive: 'true' })
        : await run.client().get<ListBody>(path, { ...view, include_inactive: 'true', ids: wanted.join(','), limit: wanted.length }));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 403) return (id) => id;
    throw error;
  }
  const names = new Map((data as Record<string, string>[]).map((r) => [r.id!, r[field]!]));
  return (id) => (id ? names.get(id) ?? id : id);
}

/**
 * A scenario's (or snapshot's) name for a summary line, read by id, in quotes (unquoted for a table column with
 * `quoted: false`); the id itself when it cannot be read (not found, or the credential may not read scenarios).
 */
export async function scenarioName(run: Run, id: string, { quoted = true } = {}): Promise<string> {
  try {
    const { data } = await run.client().get<{ data: { name?: string } }>(`/api/v1/scenarios/${encodeURIComponent(id)}`);
    return data.name ? (quoted ? `"${data.name}"` : data.name) : id;
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 403 || error.status === 404)) return id;
    throw error;
  }
}

/** `--timeout <seconds>` of a `--wait` (0 and up; `seconds` when not given); refused without --wait, whose limit it is. */
export function waitSeconds(run: Run, wait: boolean, seconds: number): number {
  const given = integerFlag(run.args, 'timeout');
  if (given === undefined) return seconds;
  if (!wait) throw new UsageError('--timeout is how long --wait waits: add --wait, or leave --timeout out');
  if (given < 0) throw new UsageError('--timeout must be 0 or more seconds');
  return given;
}

/** A wait in words: `10 minutes`, `90 s`. */
export function duration(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} s`;
}
