import { stringFlag, UsageError } from '../args.js';
import { namedByOption } from '../client/errors.js';
import { print, printJson, rate } from '../client/output.js';
import { ID, listCommand, word, type Run } from './shared.js';

/** `orgonaut refs department-types|team-types|currencies`: reference lists; types can be searched and created. */

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
