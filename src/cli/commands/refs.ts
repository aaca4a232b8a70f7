import { stringFlag, UsageError } from '../args.js';
import { CliError, EXIT, namedByOption } from '../client/errors.js';
import { print, printJson, rate } from '../client/output.js';
import { fetchAll, ID, listCommand, word, type Run } from './shared.js';

/**
 * `orgonaut refs department-types|team-types|currencies`: reference lists; types can be searched, created, renamed
 * and removed (`refs department-types rename <id|name> "<new name>"`, `… remove <id|name>`).
 */

type Row = Record<string, any>;

export async function refsCommand(run: Run): Promise<number> {
  const sub = word(run, 0, 'department-types|team-types|currencies');
  if (sub === 'currencies') {
    return listCommand<Row>(run, '/api/v1/currencies', {}, [
      { header: 'CODE', value: (c) => c.code },
      { header: 'NAME', value: (c) => c.name },
      { header: 'ACTIVE', value: (c) => c.active },
      { header: 'REPORTING', value: (c) => c.reporting },
      { header: 'RATE', value: (c) => rate(c.rate_to_reporting) ?? 'no rate', align: 'right' },
    ]);
  }
  if (sub !== 'department-types' && sub !== 'team-types') throw new UsageError(`unknown reference list "${sub}" (department-types, team-types or currencies)`);
  const action = run.words[1];
  if (action === 'rename' || action === 'remove') return editType(run, sub, action);
  if (action !== undefined) throw new UsageError(`unknown action "${action}" for "refs ${sub}" (rename or remove; list with no action)`);
  const create = stringFlag(run.args, 'create');
  if (create !== undefined) {
    if (!create.trim()) throw new UsageError('--create needs the name of the type to create: --create "<name>"');
    const body = await run.client()
      .post<{ data: { id: string; name: string } }>(`/api/v1/${sub}`, { name: create })
      .catch((error: unknown) => Promise.reject(namedByOption(error, { name: create }, { name: 'create' })));
    if (run.json) printJson(body);
    else print(`Created ${sub === 'department-types' ? 'department' : 'team'} type "${body.data.name}" (${body.data.id}).`);
    return 0;
  }
  return listCommand<Row>(run, `/api/v1/${sub}`, { q: stringFlag(run.args, 'search') }, [{ header: 'NAME', value: (t) => t.name }, ID], 'No types match.');
}

type TypeRow = { id: string; name: string };

/**
 * Renames or removes a department or team type named by its id or name (case-insensitive). The server decides the
 * rest (settings.manage; a taken name, a type in use): its refusal is printed with what to do, exit 1.
 */
async function editType(run: Run, sub: 'department-types' | 'team-types', action: 'rename' | 'remove'): Promise<number> {
  const kind = sub === 'department-types' ? 'department' : 'team';
  const given = word(run, 2, 'id|name').trim();
  const newName = action === 'rename' ? word(run, 3, 'new name') : undefined;
  const type = await typeRef(run, sub, given);
  const path = `/api/v1/${sub}/${encodeURIComponent(type.id)}`;
  const body =
    action === 'rename'
      ? await run.client().patch<{ data: TypeRow }>(path, { name: newName })
      : await run.client().delete<{ data: TypeRow }>(path);
  if (run.json) printJson(body);
  else if (action === 'rename') print(`Renamed ${kind} type "${type.name || body.data.id}" to "${body.data.name}" (${body.data.id}).`);
  else print(`Removed ${kind} type "${body.data.name || type.name}" (${body.data.id}).`);
  return 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A type by id (as given: an id not of this tenant is the server's 404) or by name; an unknown name is one line naming the types, exit 2. */
async function typeRef(run: Run, sub: 'department-types' | 'team-types', given: string): Promise<TypeRow> {
  const kind = sub === 'department-types' ? 'department' : 'team';
  const types = (await fetchAll(run.client(), `/api/v1/${sub}`)).data as TypeRow[];
  const found = types.find((t) => t.id === given.toLowerCase()) ?? types.find((t) => t.name.toLowerCase() === given.toLowerCase());
  if (found) return found;
  if (UUID.test(given)) return { id: given, name: '' };
  const known = types.length ? `: ${types.map((t) => `"${t.name}"`).join(', ')}` : ` (none yet: create one with "orgonaut refs ${sub} --create <name>")`;
  throw new CliError(`no ${kind} type is named "${given}". Give the name or id of one of the ${kind} types${known}.`, EXIT.usage, 'not_found');
}
