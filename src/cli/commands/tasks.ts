import { stringFlag, UsageError, unknownSubcommand } from '../args.js';
import { fte, print, printJson, printPairs, utcTime, type Column } from '../client/output.js';
import { fetchList, ID, printList, scenarioName, word, type Run } from './shared.js';

/**
 * `orgonaut tasks list|show`: the background tasks of the tenant (promotions, restores, an import's undo) — what is
 * still running, what failed and why — and one task followed by id (what `scenario promote` hands back).
 */

type Row = Record<string, any>;

/** The columns of a task list (here and `scenario tasks`). */
export const TASK_COLUMNS: Column<Row>[] = [
  { header: 'KIND', value: (t) => t.kind },
  { header: 'STATUS', value: (t) => t.status },
  { header: 'CREATED', value: (t) => utcTime(t.created_at, true) },
  { header: 'FINISHED', value: (t) => utcTime(t.finished_at, true) },
  { header: 'ERROR', value: (t) => t.error },
  ID,
];

export async function tasksCommand(run: Run): Promise<number> {
  const sub = word(run, 0, 'list|show');
  if (sub === 'list') {
    const filtered = stringFlag(run.args, 'status') || stringFlag(run.args, 'kind');
    const body = await fetchList(run, '/api/v1/tasks', { status: stringFlag(run.args, 'status'), kind: stringFlag(run.args, 'kind') });
    // Which scenario (or snapshot) each task is about, by name: the API gives its id (--json keeps it).
    const ids = run.json ? [] : [...new Set((body.data as Row[]).map((t) => t.scenario_id).filter((id): id is string => typeof id === 'string' && id !== ''))];
    const names = new Map(await Promise.all(ids.map(async (id) => [id, await scenarioName(run, id, { quoted: false })] as const)));
    const [kind, status, ...rest] = TASK_COLUMNS;
    printList<Row>(run, body, [kind!, status!, { header: 'SCENARIO', value: (t) => names.get(t.scenario_id) ?? t.scenario_id }, ...rest], filtered ? 'No tasks match.' : 'No background tasks yet.');
    return 0;
  }
  if (sub !== 'show') throw unknownSubcommand('tasks', sub, ['list', 'show']);
  const body = await run.client().get<{ data: Row }>(`/api/v1/tasks/${encodeURIComponent(word(run, 1, 'task-id'))}`);
  if (run.json) return printJson(body), 0;
  const t = body.data;
  const result = (t.result ?? {}) as Row;
  // The scenario, the snapshot taken and the applied scenario by name (the API gives their ids; --json keeps them).
  const [scenario, snapshot, applied] = await Promise.all(
    [t.scenario_id, result.snapshot_id, result.applied_scenario_id].map((id) => (typeof id === 'string' && id ? scenarioName(run, id) : id)),
  );
  printPairs([
    ['Id', t.id],
    ['Kind', t.kind],
    ['Status', t.status],
    ['Scenario', scenario],
    ['Created', utcTime(t.created_at, true)],
    ['Started', utcTime(t.started_at, true)],
    ['Finished', utcTime(t.finished_at, true)],
    ...(t.error ? ([['Error', t.error]] as [string, unknown][]) : []),
    ...(t.finished_at ? [] : ([['Stage', t.progress?.stage]] as [string, unknown][])),
    ...(result.live_version !== undefined ? ([['Live version', result.live_version]] as [string, unknown][]) : []),
    ...(result.snapshot_id ? ([['Snapshot taken', snapshot]] as [string, unknown][]) : []),
    ...(result.applied_scenario_id ? ([['Applied scenario', applied]] as [string, unknown][]) : []),
    ...(result.deltas ? ([['Headcount change', result.deltas.headcount], ['FTE change', fte(result.deltas.fte, true)]] as [string, unknown][]) : []),
  ]);
  if (!t.finished_at) print(`Still ${t.status}: run "orgonaut tasks show ${t.id}" again in a moment.`);
  return 0;
}
