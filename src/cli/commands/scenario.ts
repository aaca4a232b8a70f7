import fs from 'node:fs';
import { booleanFlag, InputError, stringFlag, UsageError, unknownSubcommand } from '../args.js';
import { CliError, EXIT, StillRunning } from '../client/errors.js';
import { cell, familyLabel, fieldLabel, fieldText, fte, hint, metricLabel, money, print, printJson, printPairs, printTable, span, utcTime, type Column } from '../client/output.js';
import { duration, fetchList, ID, listCommand, printList, scenarioName, scenarioRef, waitSeconds, word, type Run } from './shared.js';
import { TASK_COLUMNS } from './tasks.js';

/**
 * `orgonaut scenario …`: the scenario lifecycle over REST — list, create, show, rename or edit, delta, changes, apply a batch of
 * change commands from a JSON file (or stdin), submit, archive, tasks and promote (with `--wait`).
 */

type Row = Record<string, any>;

const SCENARIO_COLUMNS: Column<Row>[] = [
  { header: 'NAME', value: (s: Row) => s.name },
  { header: 'KIND', value: (s: Row) => s.kind },
  { header: 'STATE', value: (s: Row) => (s.submitted ? `${s.state}, submitted` : s.state) },
  { header: 'REV', value: (s: Row) => s.revision, align: 'right' },
  { header: 'CREATED', value: (s: Row) => String(s.created_at).slice(0, 10) },
  ID,
];

const path = (id: string, rest = '') => `/api/v1/scenarios/${encodeURIComponent(id)}${rest}`;

const SUBCOMMANDS = ['list', 'create', 'show', 'rename', 'edit', 'delta', 'changes', 'apply', 'discard', 'submit', 'withdraw', 'archive', 'unarchive', 'tasks', 'promote'];

export async function scenarioCommand(run: Run): Promise<number> {
  const sub = word(run, 0, SUBCOMMANDS.join('|'));
  // Told before the scenario is looked up: `scenario dleta "Q3 plan"` is a typo of the command, not a missing scenario.
  if (!SUBCOMMANDS.includes(sub)) throw unknownSubcommand('scenario', sub, SUBCOMMANDS);
  if (sub === 'list') {
    return listCommand<Row>(run, '/api/v1/scenarios', { kind: stringFlag(run.args, 'kind'), state: stringFlag(run.args, 'state') }, SCENARIO_COLUMNS, 'No scenarios yet.');
  }
  if (sub === 'create') return create(run);
  const id = await scenarioRef(run, word(run, 1, 'scenario-id'));
  switch (sub) {
    case 'show':
      return show(run, id);
    case 'rename':
      return edit(run, id, { name: word(run, 2, 'new name') });
    case 'edit':
      return edit(run, id, editFields(run));
    case 'delta':
      return delta(run, id);
    case 'changes': {
      const family = stringFlag(run.args, 'family');
      const body = await fetchList(run, path(id, '/changes'), { family });
      // Each change names its record (`label`) and the records its fields point at (`names`): printed, not ids.
      printList<Row>(run, body, [
        { header: 'FAMILY', value: (c) => familyLabel(c.family) },
        { header: 'OP', value: (c) => c.op },
        { header: 'RECORD', value: (c) => c.label ?? c.record_id },
        { header: 'FIELDS', value: (c) => changedFields(c) },
      ], body.data.length || run.json ? undefined : await noChangesShown(run, id, family));
      return 0;
    }
    case 'apply':
      return apply(run, id, word(run, 2, 'file.json|-'));
    case 'discard':
      return discard(run, id, run.words.slice(2));
    case 'submit':
    case 'withdraw':
    case 'archive':
    case 'unarchive':
      return transition(run, id, sub);
    case 'tasks':
      return listCommand<Row>(run, path(id, '/tasks'), { status: stringFlag(run.args, 'status'), kind: stringFlag(run.args, 'kind') }, TASK_COLUMNS, 'No tasks for this scenario.');
    default: // 'promote' (every other word was refused above)
      return promote(run, id);
  }
}

/**
 * What an empty changes list says: that the scenario has none (of `family`) — or, when it has changes this token may
 * not read (the list leaves their families out; the scenario's `change_counts` counts them all), how many and where.
 */
async function noChangesShown(run: Run, id: string, family: string | undefined): Promise<string> {
  const none = family ? `No ${family} changes in this scenario.` : 'No changes in this scenario.';
  if (stringFlag(run.args, 'cursor')) return none;
  const { data } = await run.client().get<{ data: Row }>(path(id));
  const counts = Object.entries((data.change_counts ?? {}) as Record<string, Record<string, number>>).filter(([f]) => !family || f === family);
  const hidden = counts.reduce((sum, [, ops]) => sum + Object.values(ops).reduce((a, b) => a + b, 0), 0);
  if (!hidden) return none;
  const families = counts.map(([f]) => familyLabel(f).toLowerCase()).join(', ');
  return `None shown: its ${hidden} change${hidden === 1 ? '' : 's'} (${families}) ${hidden === 1 ? 'is' : 'are'} of records this token may not read ("orgonaut scenario show ${id}" counts them).`;
}

async function create(run: Run): Promise<number> {
  const name = stringFlag(run.args, 'name') ?? run.words.slice(1).join(' ');
  if (!name.trim()) throw new UsageError('scenario create needs a name: orgonaut scenario create "<name>" [--description d] [--from <scenario id|name>]');
  const body = await run.client().post<{ data: Row }>('/api/v1/scenarios', {
    name,
    ...(stringFlag(run.args, 'description') ? { description: stringFlag(run.args, 'description') } : {}),
    ...(stringFlag(run.args, 'from') ? { source_scenario_id: await scenarioRef(run, stringFlag(run.args, 'from')!, '--from') } : {}),
  });
  if (run.json) printJson(body);
  else print(`Created scenario "${body.data.name}" (${body.data.id}), branched from ${body.data.source?.kind === 'scenario' ? body.data.source.name ?? body.data.source.scenario_id : 'Live'}.`);
  return 0;
}

/** `scenario edit`'s fields: `--name` and `--description` as given (an empty description clears it), at least one. */
function editFields(run: Run): { name?: string; description?: string | null } {
  const name = stringFlag(run.args, 'name');
  const description = stringFlag(run.args, 'description');
  if (name === undefined && description === undefined) {
    throw new UsageError('scenario edit needs --name <new name>, --description <text> (--description "" clears it), or both');
  }
  return { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description: description.trim() ? description : null }) };
}

/** Renames a scenario or changes its description (PATCH); what changed is said, from the answer. */
async function edit(run: Run, id: string, fields: { name?: string; description?: string | null }): Promise<number> {
  const before = run.json ? null : (await run.client().get<{ data: Row }>(path(id))).data;
  const body = await run.client().patch<{ data: Row }>(path(id), fields);
  if (run.json) return printJson(body), 0;
  const s = body.data;
  const said: string[] = [];
  if (before && before.name !== s.name) said.push(`renamed "${before.name}" to "${s.name}"`);
  if (before && before.description !== s.description) said.push(s.description ? 'description changed' : 'description cleared');
  print(said.length ? `Scenario ${s.id}: ${said.join('; ')}.` : `Scenario "${s.name}" (${s.id}) already reads so; nothing changed.`);
  return 0;
}

async function show(run: Run, id: string): Promise<number> {
  const body = await run.client().get<{ data: Row }>(path(id));
  if (run.json) return printJson(body), 0;
  const s = body.data;
  printPairs([
    ['Name', s.name],
    ['Id', s.id],
    ['Kind', s.kind],
    ['State', s.submitted ? `${s.state}, submitted ${utcTime(s.submitted_at)}` : s.state],
    ['Source', s.source ? (s.source.kind === 'live' ? 'Live' : `${s.source.name ?? ''} (${s.source.scenario_id})`) : '-'],
    ['Editable', s.editable],
    ['Revision', s.revision],
    ['Created', utcTime(s.created_at)],
    ['Updated', utcTime(s.updated_at)],
    ['Description', s.description],
  ]);
  const counts = Object.entries((s.change_counts ?? {}) as Record<string, Record<string, number>>);
  print();
  if (!counts.length) print('No changes yet.');
  else printTable(counts, [
    { header: 'CHANGES', value: ([family]) => familyLabel(family) },
    { header: 'ADD', value: ([, c]) => c.add ?? 0, align: 'right' },
    { header: 'CHANGE', value: ([, c]) => c.change ?? 0, align: 'right' },
    { header: 'REMOVE', value: ([, c]) => c.remove ?? 0, align: 'right' },
  ]);
  return 0;
}

/** The names an answer gives the ids it points at (`names`, by id: a delta, a change); an id it does not name stays an id. */
const namesIn = (answer: Row) => (recordId: string) => (answer.names as Record<string, string> | undefined)?.[recordId];

const labelOf = (record: Row) => record.label ?? record.name ?? record.display_name ?? record.title ?? record.id ?? record.org_unit_id;

/**
 * The whole delta (of one `--family`): every page of its records (500 at a time) merged into the first page's answer,
 * with the names they point at; `next_cursor` is null.
 */
async function wholeDelta(run: Run, id: string): Promise<{ data: Row }> {
  const query = { compare: stringFlag(run.args, 'compare'), as_of: stringFlag(run.args, 'as-of'), family: stringFlag(run.args, 'family'), limit: 500 };
  const body = await run.client().get<{ data: Row }>(path(id, '/delta'), query);
  const families = body.data.families as Record<string, Record<string, Row[]>>;
  for (let page = body.data; page.next_cursor; ) {
    page = (await run.client().get<{ data: Row }>(path(id, '/delta'), { ...query, cursor: page.next_cursor })).data;
    for (const [family, records] of Object.entries(page.families as Record<string, Record<string, Row[]>>)) {
      const into = (families[family] ??= { added: [], removed: [], changed: [] });
      for (const kind of ['added', 'removed', 'changed']) (into[kind] ??= []).push(...(records[kind] ?? []));
    }
    body.data.names = { ...body.data.names, ...page.names };
  }
  body.data.next_cursor = null;
  return body;
}

async function delta(run: Run, id: string): Promise<number> {
  const body = await wholeDelta(run, id);
  if (run.json) return printJson(body), 0;
  const d = body.data;
  // A promotion's delta is against the snapshot of the Live it replaced: called a snapshot, not a scenario.
  const against = d.against.kind === 'live' ? 'Live' : `${d.against.kind === 'snapshot' ? 'the snapshot' : 'scenario'} "${d.against.name ?? d.against.scenario_id}"${d.compare === 'promotion' ? ' (what the promotion changed)' : ''}`;
  print(`Delta of "${d.scenario.name}" against ${against}, as of ${d.as_of}`);
  const lines: string[][] = [];
  const families = Object.entries(d.families as Record<string, Row>);
  // A unit, person or position a field points at is shown by the name the delta gives it, not by id.
  const names = namesIn(d);
  for (const [family, changes] of families) {
    const kind = familyLabel(family);
    for (const added of changes.added ?? []) lines.push([kind, '+', cell(labelOf(added)), 'added']);
    for (const removed of changes.removed ?? []) lines.push([kind, '-', cell(labelOf(removed)), 'removed']);
    for (const changed of changes.changed ?? []) {
      const fields = Object.entries(changed.fields as Record<string, { from: unknown; to: unknown }>).map(
        ([f, v]) => `${fieldLabel(f)}: ${fieldText(f, v.from, names)} → ${fieldText(f, v.to, names)}`,
      );
      lines.push([kind, '~', cell(labelOf(changed)), fields.join('; ')]);
    }
  }
  print();
  const withheld = (d.withheld ?? []) as Withheld[];
  // What this credential may not read is left out of the delta: "No differences" would then say too much.
  const familiesLeftOut = withheld.some((w) => w.part !== 'metrics' && w.part !== 'money');
  if (!lines.length) print(familiesLeftOut ? 'No differences in what this token may read.' : 'No differences.');
  else printTable(lines, [
    { header: 'FAMILY', value: (l) => l[0] },
    { header: '', value: (l) => l[1] },
    { header: 'RECORD', value: (l) => l[2] },
    { header: 'CHANGE', value: (l) => l[3] },
  ]);
  if (d.conflicts?.length) {
    print();
    print(`Conflicts (${d.conflicts.length}) — resolve before promoting:`);
    printTable(d.conflicts as Row[], [
      { header: 'FAMILY', value: (c) => familyLabel(c.family) },
      { header: 'RECORD', value: (c) => c.label ?? c.id },
      { header: 'FIELD', value: (c) => (c.field ? fieldLabel(c.field) : null) },
      // An amount in its own currency (`95,000.00 USD`), not bare minor units: `currencies` by side when one changed it.
      { header: 'SCENARIO', value: (c) => (c.field ? fieldText(c.field, c.scenario, names, c.currencies?.scenario ?? c.currency) : c.scenario) },
      { header: 'SOURCE', value: (c) => (c.field ? fieldText(c.field, c.source, names, c.currencies?.source ?? c.currency) : c.source) },
      { header: 'REASON', value: (c) => c.reason },
    ]);
  }
  const total = d.metrics?.total as Record<string, { from: number | null; to: number | null; delta: number | null }> | null;
  if (total) {
    const moved = Object.entries(total).filter(([, v]) => v.delta !== 0);
    // Money metrics come in minor units of the reporting currency: shown as money (`+14,875.00 EUR`), not cents.
    const currency = moved.some(([name]) => name.endsWith('_minor')) ? await reportingCurrency(run) : '';
    // FTE as every command prints it (`12.50`), the others as counts or ratios.
    const figure = (name: string, value: number | null, signed = false) => {
      if (value === null) return value;
      if (name.endsWith('_minor')) return `${signed && value > 0 ? '+' : ''}${money({ amount_minor: value, currency })}`;
      if (/(^|_)fte$/.test(name)) return fte(value, signed);
      if (name.startsWith('span_')) return span(value, signed);
      return signed && value > 0 ? `+${cell(value)}` : value;
    };
    print();
    if (!moved.length) print('Metrics: unchanged.');
    else printTable(moved, [
      { header: 'METRIC', value: ([name]) => metricLabel(name) },
      { header: 'FROM', value: ([name, v]) => figure(name, v.from), align: 'right' },
      { header: 'TO', value: ([name, v]) => figure(name, v.to), align: 'right' },
      { header: 'DELTA', value: ([name, v]) => figure(name, v.delta, true), align: 'right' },
    ]);
  }
  printWithheld(withheld);
  return 0;
}

interface Withheld {
  part: string;
  needs: string[];
}

/** What the delta's `withheld` says was left out for lack of abilities, grouped by the abilities that would show it. */
function printWithheld(withheld: readonly Withheld[]): void {
  if (!withheld.length) return;
  const PARTS: Record<string, string> = { metrics: 'Metric deltas', money: 'Money figures (budgets, cost deltas)' };
  const byNeeds = new Map<string, string[]>();
  for (const w of withheld) {
    const needs = w.needs.join(' and ');
    byNeeds.set(needs, [...(byNeeds.get(needs) ?? []), PARTS[w.part] ?? familyLabel(w.part)]);
  }
  print();
  print('Left out: this token may not read them.');
  printTable([...byNeeds], [
    { header: 'LEFT OUT', value: ([, parts]) => parts.join(', ') },
    { header: 'NEEDS', value: ([needs]) => needs },
  ]);
}

/**
 * A change's fields in words, in name order: a change's with the value it was edited against and its new one
 * (`FTE: 1.00 → 0.80`, `Parent unit: Engineering → Sales`), an added record's with its values (`Title: Guard`).
 */
function changedFields(change: Row): string {
  const values = (change.values ?? {}) as Row;
  const base = (change.base ?? {}) as Row;
  const names = namesIn(change);
  const currency = values.currency ?? base.currency;
  const fields = Object.keys(values)
    .filter((f) => f !== 'id' && (change.op !== 'add' || values[f] !== null))
    .map((f) => [fieldLabel(f), f] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  if (change.op === 'change' && change.base) return fields.map(([label, f]) => `${label}: ${fieldText(f, base[f], names, currency)} → ${fieldText(f, values[f], names, currency)}`).join(', ');
  return fields.map(([label, f]) => `${label}: ${fieldText(f, values[f], names, currency)}`).join(', ');
}

async function reportingCurrency(run: Run): Promise<string> {
  const me = await run.client().get<{ data: { tenant: { reporting_currency: string } } }>('/api/v1/me');
  return me.data.tenant.reporting_currency;
}

/** Reads the batch: `{ "changes": [...] }`, a bare array of commands, or one command object. */
export function readChanges(source: string): unknown[] {
  let text: string;
  try {
    text = source === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(source, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source === '-' ? 'stdin' : source} is not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(parsed)) return parsed;
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as Row).changes)) return (parsed as Row).changes as unknown[];
  if (parsed && typeof parsed === 'object' && typeof (parsed as Row).op === 'string') return [parsed];
  throw new InputError(`${source === '-' ? 'stdin' : source} must hold { "changes": [ { "op": … } ] }, an array of commands, or one command`);
}

async function apply(run: Run, id: string, source: string): Promise<number> {
  const changes = readChanges(source);
  const body = await run.client().post<{ data: Row }>(path(id, '/changes'), { changes });
  if (run.json) return printJson(body), 0;
  const o = body.data;
  print(`Applied ${o.commands} change${o.commands === 1 ? '' : 's'} to scenario ${await scenarioName(run, o.scenario_id)} (now revision ${o.revision}); ${o.records_changed} record${o.records_changed === 1 ? '' : 's'} changed.`);
  // `index` counts the batch's commands from 0 (as `changes[1]` in a refusal); people count the file's from 1.
  const opOf = (index: number) => ((changes[index] as Row | undefined)?.op as string | undefined) ?? null;
  for (const created of o.created as Row[]) {
    const op = opOf(created.index);
    print(`  created ${familyLabel(created.family).toLowerCase()} ${created.id} (command ${created.index + 1}${op ? `, ${op}` : ''})`);
  }
  return 0;
}

/**
 * Discards the scenario's changes to the records named `family:record_id` (as `scenario changes --json` lists them):
 * each takes its source's value again. A refusal names the records to discard with it.
 */
async function discard(run: Run, id: string, given: string[]): Promise<number> {
  if (!given.length) throw new UsageError('scenario discard needs the records whose change to discard: orgonaut scenario discard <id|name> <family>:<record-id>…');
  const records = given.map((r) => {
    const at = r.indexOf(':');
    if (at <= 0 || at === r.length - 1) throw new UsageError(`"${r}" is not <family>:<record-id> (e.g. placement:2b3c4d5e-…; "orgonaut scenario changes ${id} --json" lists them)`);
    return { family: r.slice(0, at), record_id: r.slice(at + 1) };
  });
  const body = await run.client().post<{ data: Row }>(path(id, '/changes/discard'), { records });
  if (run.json) return printJson(body), 0;
  const o = body.data;
  print(`Discarded the changes to ${o.discarded.length} record${o.discarded.length === 1 ? '' : 's'} of scenario ${await scenarioName(run, o.scenario_id)} (now revision ${o.revision}):`);
  const undone = { add: 'no longer added', change: 'as in the source again', remove: 'back' } as Record<string, string>;
  for (const d of o.discarded as Row[]) print(`  ${familyLabel(d.family).toLowerCase()} ${d.record_id}: ${undone[d.op] ?? d.op}`);
  return 0;
}

async function transition(run: Run, id: string, action: 'submit' | 'withdraw' | 'archive' | 'unarchive'): Promise<number> {
  const body = await run.client().post<{ data: Row }>(path(id, `/${action}`));
  if (run.json) return printJson(body), 0;
  const done = { submit: 'Submitted for review', withdraw: 'Taken back from review', archive: 'Archived', unarchive: 'Brought back' }[action];
  print(`${done}: "${body.data.name}" (${body.data.id}).`);
  return 0;
}

/** How long `scenario promote --wait` waits by default before handing back (exit 5): 10 minutes. */
const PROMOTE_WAIT_SECONDS = 600;

async function promote(run: Run, id: string): Promise<number> {
  const file = stringFlag(run.args, 'resolutions');
  let resolutions: unknown[] | undefined;
  if (file) {
    const parsed = readJson(file);
    resolutions = Array.isArray(parsed) ? parsed : ((parsed as Row)?.resolutions as unknown[] | undefined);
    if (!Array.isArray(resolutions)) throw new InputError(`${file} must hold { "resolutions": [...] } or an array`);
  }
  const wait = booleanFlag(run.args, 'wait');
  const seconds = waitSeconds(run, wait, PROMOTE_WAIT_SECONDS);
  const client = run.client();
  let task = (await client.post<{ data: Row }>(path(id, '/promote'), resolutions ? { resolutions } : {})).data;
  if (wait) {
    const deadline = Date.now() + seconds * 1000;
    while (!finished(task) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      task = (await client.get<{ data: Row }>(`/api/v1/tasks/${encodeURIComponent(task.id)}`)).data;
    }
  }
  if (run.json) printJson({ data: task });
  else if (task.status === 'succeeded') print(`Promoted ${await scenarioName(run, id)}: Live now includes it (task ${task.id}).`);
  else if (!finished(task) && !wait) {
    print(`Promotion of ${await scenarioName(run, id)} started (task ${task.id}, ${task.status}).`);
    hint(`Follow it with: orgonaut tasks show ${task.id}   (or add --wait)`);
  }
  if (task.status === 'failed') throw new CliError(`promotion failed: ${task.error ?? 'unknown error'} (task ${task.id}).`, EXIT.api, 'promotion_failed');
  // Ran out of time: not done, and said so with a code of its own (5), or a script would build on a Live that has not changed yet.
  if (wait && !finished(task)) {
    throw new StillRunning(
      `the promotion of ${await scenarioName(run, id)} is still ${task.status} after ${duration(seconds)} (task ${task.id}); it goes on without --wait. Keep polling with: orgonaut scenario tasks ${id} --kind promotion   (or orgonaut tasks show ${task.id})`,
      { task_id: task.id },
    );
  }
  return 0;
}

const finished = (task: Row) => task.status === 'succeeded' || task.status === 'failed';

function readJson(file: string): unknown {
  try {
    return JSON.parse(file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read JSON from ${file}: ${(error as Error).message}`);
  }
}
