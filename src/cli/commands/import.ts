import fs from 'node:fs';
import path from 'node:path';
import { booleanFlag, InputError, listFlag, stringFlag, UsageError } from '../args.js';
import { ApiProblem, CliError, EXIT, StillRunning } from '../client/errors.js';
import type { ApiClient } from '../client/http.js';
import { hint, print, printJson, printPairs, printTable, utcTime, type Column } from '../client/output.js';
import { CsvParser } from '../../imports/csv/parser.js';
import { FAMILIES, FAMILY_LABELS, reasonFix, reasonTitle } from '../../imports/reasons.js';
import { duration, fetchList, ID, printList, scenarioRef, waitSeconds, word, type Run } from './shared.js';

/**
 * `orgonaut import …`: CSV imports over REST. `import <file>` uploads the file (as text/csv, bytes untouched),
 * applies `--mapping` edits, shows the detected mapping and the preview's quarantine counts, starts the run and,
 * with `--wait`, follows it to the end. `import status <run-id>` and `import list` read runs. A run's quarantine is
 * reviewed as the web review does it: `import quarantine <run-id>` lists the rows, `import fix <run-id> <row> --set
 * field=value…` fixes one in place, `import ignore <run-id> <row>` leaves one out, `import reprocess <run-id>` imports
 * the fixed rows.
 */

type Row = Record<string, any>;

const runPath = (id: string, rest = '') => `/api/v1/imports/${encodeURIComponent(id)}${rest}`;
const POLL_MS = 500;
/** How long `import --wait` waits by default before handing back (exit 5): 30 minutes. */
const WAIT_SECONDS = 30 * 60;

const runColumns: Column<Row>[] = [
  { header: 'FILE', value: (r) => r.file?.name },
  { header: 'SOURCE', value: (r) => r.source },
  { header: 'STATUS', value: (r) => (r.status === 'processing' ? `processing ${r.progress?.percent ?? 0}%` : r.status) },
  { header: 'TARGET', value: (r) => targetLabel(r) },
  { header: 'ROWS', value: (r) => r.file?.rows, align: 'right' },
  { header: 'IMPORTED', value: (r) => r.summary?.rows?.imported, align: 'right' },
  { header: 'QUARANTINED', value: (r) => r.summary?.rows?.quarantined, align: 'right' },
  { header: 'CREATED', value: (r) => utcTime(r.created_at) },
  ID,
];

export async function importCommand(run: Run): Promise<number> {
  const first = word(run, 0, 'file|status|list|quarantine|fix|ignore|reprocess');
  if (first === 'list') {
    if (run.words.length > 1) throw new UsageError('import list takes no other words (to import a file named "list", write ./list)');
    const body = await fetchList(run, '/api/v1/imports', { status: stringFlag(run.args, 'status') });
    printList<Row>(run, body, runColumns, 'No imports yet.');
    return 0;
  }
  if (first === 'status') {
    const id = word(run, 1, 'run-id');
    return status(run, id);
  }
  if (first === 'quarantine') return quarantine(run, word(run, 1, 'run-id'));
  if (first === 'fix') return fix(run, word(run, 1, 'run-id'), rowNumber(word(run, 2, 'row')));
  if (first === 'ignore') return ignore(run, word(run, 1, 'run-id'), rowNumber(word(run, 2, 'row')));
  if (first === 'reprocess') return reprocess(run, word(run, 1, 'run-id'));
  if (run.words.length > 1) throw new UsageError(`import takes one file, got ${run.words.length} words`);
  return importFile(run, first);
}

/** Where a run imports into, for people: Live, or the scenario by the name the run's answer gives (its id without one). */
function targetLabel(r: Row): string {
  return r.target?.kind === 'scenario' ? `scenario ${scenarioOf(r)}` : 'Live';
}

/** The run's target scenario, quoted by name when the answer names it (an older server, or no scenarios.read: its id). */
function scenarioOf(r: Row): string {
  return r.target?.scenario_name ? `"${r.target.scenario_name}"` : String(r.target?.scenario_id);
}

/** How `--mapping` is written, for its messages. */
const MAPPING_FORM = 'write it as --mapping "<header>=<field>,<header>=<field>" (pairs split by commas, a header or 0-based column number on the left, an import field or - to leave the column out on the right)';

/**
 * `--mapping "Work Email=email,Title=job_title,Notes=-"`: header (or 0-based column index) = field, `-` = not
 * imported. Its syntax is checked before anything is uploaded: each pair one `=` with a header and a field-like word,
 * no column named twice — else one line naming --mapping and how it is written.
 */
export function parseMappingFlag(spec: string): { key: string; field: string | null }[] {
  const pairs = spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!pairs.length) throw new UsageError(`--mapping is empty: ${MAPPING_FORM}`);
  const seen = new Set<string>();
  return pairs.map((pair) => {
    const parts = pair.split('=').map((p) => p.trim());
    const [key = '', field = ''] = parts;
    if (parts.length !== 2 || !key || !field) throw new UsageError(`--mapping: "${pair}" is not one <header>=<field> pair; ${MAPPING_FORM}`);
    if (field !== '-' && !/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new UsageError(`--mapping: "${field}" (in "${pair}") is not a field name; ${MAPPING_FORM}`);
    if (seen.has(normalise(key))) throw new UsageError(`--mapping names the column "${key}" twice; give each column one field: ${MAPPING_FORM}`);
    seen.add(normalise(key));
    return { key, field: field === '-' || field.toLowerCase() === 'none' ? null : field };
  });
}

const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The column a `--mapping` key names: its header (exact, then ignoring case and punctuation) or its 0-based index. */
function columnOf(mapping: { header: string; column: number }[], key: string): number {
  const exact = mapping.find((m) => m.header === key) ?? mapping.find((m) => normalise(m.header) === normalise(key));
  if (exact) return exact.column;
  if (/^\d+$/.test(key) && Number(key) < mapping.length) return Number(key);
  const columns = mapping.map((m) => `"${m.header}"`).join(', ');
  throw new UsageError(`--mapping: the file has no column "${key}"; its ${mapping.length} columns are ${columns} (name one by its header or its 0-based number, 0 to ${mapping.length - 1})`);
}

/** How much of the file is read here for its header row (the server refuses a file whose header is longer). */
const HEADER_BYTES = 1024 * 1024;

/**
 * The file's column headers as the server reads them — the first record, trimmed (a BOM, Excel's `sep=;` line and
 * blank lines before it skipped) — to check `--mapping` before uploading; null when they cannot be read here (the
 * server then says what is wrong with the file).
 */
function headersOf(bytes: Uint8Array): string[] | null {
  const found: { headers: string[] | null } = { headers: null };
  const parser = new CsvParser((record) => {
    found.headers ??= record.fields.map((h) => h.trim());
  });
  try {
    parser.push(new TextDecoder().decode(bytes.subarray(0, HEADER_BYTES)));
    if (!found.headers && bytes.length <= HEADER_BYTES) parser.end();
  } catch {
    return null;
  }
  return found.headers;
}

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
  }
}

async function importFile(run: Run, file: string): Promise<number> {
  const target = stringFlag(run.args, 'target') ?? 'live';
  const mappingSpec = stringFlag(run.args, 'mapping');
  const edits = mappingSpec === undefined ? null : parseMappingFlag(mappingSpec);
  const wait = booleanFlag(run.args, 'wait');
  const seconds = waitSeconds(run, wait, WAIT_SECONDS);
  const bytes = readFile(file);
  if (edits) {
    // A column the file lacks is said before anything is uploaded (no run is left behind), from the file's own header.
    const headers = headersOf(bytes);
    if (headers) for (const e of edits) columnOf(headers.map((header, column) => ({ header, column })), e.key);
  }
  const client = run.client();
  if (edits) {
    // Checked before uploading, so a misspelt field leaves no run behind.
    const known = new Set(((await client.get<{ data: Row[] }>('/api/v1/imports/fields')).data ?? []).map((f) => f.field as string));
    const unknown = edits.find((e) => e.field !== null && !known.has(e.field));
    if (unknown) throw new UsageError(`--mapping: "${unknown.field}" is not an import field (they are: ${[...known].join(', ')})`);
  }

  // A scenario by id or by name (scenarioRef), found before anything is uploaded.
  const targetId = target.trim().toLowerCase() === 'live' ? undefined : await scenarioRef(run, target, '--target');
  let created = (await client.upload<{ data: Row }>('/api/v1/imports', bytes, 'text/csv', { file_name: path.basename(file), target_scenario_id: targetId })).data;
  if (edits) {
    try {
      const mapping = edits.map((e) => ({ column: columnOf(created.mapping, e.key), field: e.field }));
      created = (await client.call<{ data: Row }>('PATCH', runPath(created.id), { mapping })).data;
    } catch (error) {
      hint(`The run ${created.id} was uploaded but not started. Fix the --mapping and import again, or map it in the web app: ${client.host}/imports/${created.id}`);
      throw error;
    }
  }
  const preview = (await client.get<{ data: Row }>(runPath(created.id, '/preview'), { rows: 5 })).data;
  if (!run.json) describeUpload(created, preview);
  refuseNothingToImport(created, preview, client.host);
  refuseNoIdentity(created, preview, client.host, edits !== null);

  let current: Row;
  try {
    current = (await client.post<{ data: Row }>(runPath(created.id, '/start'))).data;
  } catch (error) {
    if (error instanceof ApiProblem) hint(`The run ${created.id} was uploaded but not started. Fix it with --mapping, or in the web app: ${client.host}/imports/${created.id}`);
    throw error;
  }
  if (wait) current = await follow(client, current, !run.json, seconds);
  if (run.json) {
    printJson({ data: current, preview });
  } else if (current.status === 'completed') {
    print();
    // The reasons and their fixes were printed after the preview: not again, unless the run quarantined otherwise.
    describeOutcome(current, client.host, { reasonsShown: preview.counts?.quarantine_reasons });
  } else if (current.status !== 'failed') {
    print(`Started import ${current.id} (${current.status}).`);
    hint(`Follow it with: orgonaut import status ${current.id}   (or add --wait)`);
  }
  if (current.status === 'failed') throw new CliError(`import failed: ${current.error?.message ?? 'unknown error'} (run ${current.id}).`, EXIT.api, 'import_failed');
  return 0;
}

/**
 * A file none of whose rows would be imported (every one would go to quarantine: a column not mapped, the wrong
 * file) is not started: the run would only snapshot Live and quarantine it all. The run stays uploaded, to map in
 * the web app or to leave.
 */
function refuseNothingToImport(created: Row, preview: Row, host: string): void {
  const rows = (preview.counts as Row | null)?.rows;
  if (!rows || rows.total === 0 || rows.would_import > 0) return;
  hint(`The run ${created.id} was uploaded but not started. Fix the file or map its columns with --mapping, or map it in the web app: ${host}/imports/${created.id}`);
  throw new CliError(`nothing to import: all ${rows.total} row${rows.total === 1 ? '' : 's'} would be quarantined.`, EXIT.api, 'nothing_to_import');
}

/**
 * A mapping with no identity column (email, source_hris + source_hris_id, PersonID) would be refused at start: said
 * before starting, naming --mapping (exit 2 when the --mapping given left it out), rather than in the API's words.
 */
function refuseNoIdentity(created: Row, preview: Row, host: string, mapped: boolean): void {
  if (!((preview.warnings ?? []) as Row[]).some((w) => w.code === 'no_identity')) return;
  hint(`The run ${created.id} was uploaded but not started. Import again with a --mapping that maps an identity column, or map it in the web app: ${host}/imports/${created.id}`);
  const cause = mapped ? 'the --mapping given leaves no identity column mapped' : 'no identity column is mapped';
  throw new CliError(`${cause}: map email (or source_hris and source_hris_id; PersonID for BambooHR), e.g. --mapping "<header>=email".`, mapped ? EXIT.usage : EXIT.api, 'no_identity_column');
}

function describeUpload(created: Row, preview: Row): void {
  print(`Uploaded ${created.file.name ?? 'the file'}: ${created.file.rows} row${created.file.rows === 1 ? '' : 's'}, ${created.format === 'bamboohr' ? 'BambooHR' : 'Orgonaut CSV'} format, into ${targetLabel(created)} (run ${created.id}).`);
  print();
  printTable(created.mapping as Row[], [
    { header: 'COLUMN', value: (m) => m.column, align: 'right' },
    { header: 'HEADER', value: (m) => m.header },
    { header: 'FIELD', value: (m) => m.field ?? '(not imported)' },
  ]);
  for (const warning of (preview.warnings ?? []) as Row[]) hint(`warning: ${warning.message}`);
  const counts = preview.counts as Row | null;
  if (!counts) return;
  print();
  const r = counts.rows;
  print(`Preview: ${r.would_import} of ${r.total} rows would be imported (${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged); ${r.would_quarantine} would be quarantined.`);
  printReasons(counts.quarantine_reasons);
  if (counts.actors?.exceeds_allowance) hint(`warning: ${counts.actors.active_after} active actors would exceed the allowance of ${counts.actors.allowance}; the run would fail.`);
}

/**
 * Quarantine counts by reason, most rows first (ties by code, so the preview and the outcome list them in the same
 * order): a readable title with its code, then what to do about each (the web review's words).
 */
function printReasons(reasons: Record<string, number> | undefined): void {
  const entries = Object.entries(reasons ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (!entries.length) return;
  printTable(entries, [
    { header: 'QUARANTINE REASON', value: ([code]) => reasonTitle(code) },
    { header: 'CODE', value: ([code]) => code },
    { header: 'ROWS', value: ([, n]) => n, align: 'right' },
  ]);
  for (const [code] of entries) {
    const fix = reasonFix(code);
    if (fix) print(`  ${reasonTitle(code)}: ${fix}`);
  }
}

/** Polls the run until it completes or fails; progress lines (stage, percent) go to stderr. */
async function follow(client: ApiClient, started: Row, report: boolean, seconds: number): Promise<Row> {
  let current = started;
  let last = '';
  const deadline = Date.now() + seconds * 1000;
  while (current.status !== 'completed' && current.status !== 'failed') {
    // Out of time: not done, and said so with a code of its own (5); the run goes on.
    if (Date.now() >= deadline) {
      throw new StillRunning(`the import is still ${current.status} after ${duration(seconds)} (run ${current.id}); it goes on without --wait. Keep polling with: orgonaut import status ${current.id}`, { run_id: current.id });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = (await client.get<{ data: Row }>(runPath(current.id))).data;
    const line = current.status === 'processing' ? `${current.progress?.stage ?? 'starting'} ${current.progress?.percent ?? 0}%` : current.status;
    if (report && line !== last && current.status !== 'completed') hint(`… ${line}`);
    last = line;
  }
  return current;
}

/** Two quarantine-reason counts alike (code → rows), whatever their keys' order. */
function sameReasons(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  const entries = (x: Record<string, number> | undefined) => JSON.stringify(Object.entries(x ?? {}).filter(([, n]) => n > 0).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)));
  return entries(a) === entries(b);
}

/**
 * A finished run's outcome. `reasonsShown`: the reasons (with their fixes) already printed above it — the preview's,
 * after `import --wait` — which are not printed a second time when the run quarantined for the same reasons.
 */
function describeOutcome(r: Row, host: string, { reasonsShown }: { reasonsShown?: Record<string, number> } = {}): void {
  const rows = r.summary?.rows ?? {};
  print(`${r.status === 'completed' ? 'Completed' : 'So far'}: ${rows.imported ?? 0} of ${rows.total ?? 0} rows imported (${rows.created ?? 0} created, ${rows.updated ?? 0} updated, ${rows.unchanged ?? 0} unchanged); ${rows.quarantined ?? 0} quarantined, ${rows.ignored ?? 0} ignored.`);
  const reasons = r.summary?.quarantine?.reasons as Record<string, number> | undefined;
  if (reasonsShown === undefined || !sameReasons(reasons, reasonsShown)) printReasons(reasons);
  if (rows.quarantined) {
    print(`Review the quarantined rows: ${host}/imports/${r.id}/review`);
    print(`  or here: orgonaut import quarantine ${r.id}`);
  }
  const live = r.summary?.live;
  if (live?.changed) print(`Live is now version ${live.version_after}; undo restores snapshot ${live.snapshot_id} (web app, or POST ${runPath(r.id, '/undo')}).`);
  else if (live) print('Nothing in Live changed.');
  if (r.summary?.scenario) print(`Scenario ${r.summary.scenario.scenario_id === r.target?.scenario_id ? scenarioOf(r) : r.summary.scenario.scenario_id}: ${r.summary.scenario.records_changed} records changed (revision ${r.summary.scenario.revision}).`);
}

async function status(run: Run, id: string): Promise<number> {
  const client = run.client();
  const body = await client.get<{ data: Row }>(runPath(id));
  if (run.json) return printJson(body), 0;
  const r = body.data;
  printPairs([
    ['Id', r.id],
    ['File', r.file?.name],
    ['Source', r.source],
    ['Format', r.format],
    ['Target', targetLabel(r)],
    ['Status', r.status],
    ['Progress', `${r.progress?.percent ?? 0}%${r.status === 'processing' && r.progress?.stage ? ` (${r.progress.stage})` : ''}`],
    ['Rows', r.file?.rows],
    ['Step', r.step],
    ['Created', utcTime(r.created_at)],
    ['Finished', utcTime(r.finished_at)],
    ['Error', r.error ? `${r.error.message} (${r.error.code})` : null],
  ]);
  if (r.status === 'processing' && r.progress?.stages?.length) {
    print();
    printTable(r.progress.stages as Row[], [
      { header: 'STAGE', value: (s) => s.name },
      { header: 'STATUS', value: (s) => s.status },
      { header: 'DONE', value: (s) => s.done, align: 'right' },
      { header: 'TOTAL', value: (s) => s.total, align: 'right' },
    ]);
  }
  if (r.summary) {
    print();
    describeOutcome(r, client.host);
    // In the pipeline's order and in words, as the run's page lists them (the API's keys are orgUnits, reportingLines…).
    const counts = (r.summary.families ?? {}) as Record<string, Row>;
    const families = FAMILIES.flatMap((f) => (counts[f] ? [[FAMILY_LABELS[f], counts[f]] as const] : [])).filter(([, c]) => c.created || c.updated || c.unchanged || c.quarantined);
    if (families.length) {
      print();
      printTable(families, [
        { header: 'FAMILY', value: ([f]) => f },
        { header: 'CREATED', value: ([, c]) => c.created, align: 'right' },
        { header: 'UPDATED', value: ([, c]) => c.updated, align: 'right' },
        { header: 'UNCHANGED', value: ([, c]) => c.unchanged, align: 'right' },
        { header: 'QUARANTINED', value: ([, c]) => c.quarantined, align: 'right' },
      ]);
    }
  }
  if (r.status === 'pending') hint(`Not started yet: check its mapping and start it at ${client.host}/imports/${r.id}`);
  return 0;
}

/** A row number as the review numbers them (1 = the first data row), else a usage mistake. */
function rowNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`<row> must be a row number (1 = the first data row), got "${text}"`);
  return Number(text);
}

/** What the review list shows of a row's problem: the reason's detail, else its title. */
const reasonMessage = (r: Row) => (r.reason ? (r.reason.detail ?? reasonTitle(r.reason.code)) : null);

/**
 * `import quarantine <run-id> [--resolution …]`: the run's quarantined rows (every row ever quarantined) with their
 * reason code, what is wrong, and their review state; then the commands that act on them.
 */
async function quarantine(run: Run, id: string): Promise<number> {
  const body = await fetchList(run, runPath(id, '/quarantine'), { resolution: stringFlag(run.args, 'resolution') });
  printList<Row>(run, body, [
    { header: 'ROW', value: (r) => r.row_number, align: 'right' },
    { header: 'REASON', value: (r) => r.reason?.code },
    { header: 'MESSAGE', value: (r) => reasonMessage(r), text: true },
    { header: 'STATE', value: (r) => r.resolution },
  ], 'No quarantined rows.');
  if (run.json || !body.data.length) return 0;
  const reasons = [...new Set((body.data as Row[]).map((r) => r.reason?.code).filter(Boolean))] as string[];
  if (reasons.some((code) => reasonFix(code))) print();
  for (const code of reasons) {
    const fix = reasonFix(code);
    if (fix) print(`  ${code}: ${fix}`);
  }
  hint(`Fix a row: orgonaut import fix ${id} <row> --set <field>=<value>   leave one out: orgonaut import ignore ${id} <row>`);
  hint(`Then import the fixed rows: orgonaut import reprocess ${id} --wait`);
  return 0;
}

/** `--set field=value` (repeatable): the cells to replace, keyed by header, field or column index; `field=` empties one. */
function setValues(run: Run): Record<string, string | null> {
  const given = listFlag(run.args, 'set');
  if (!given.length) throw new UsageError('import fix needs at least one --set <field>=<value> (a header, mapped field name or column number; <field>= empties the cell)');
  const values: Record<string, string | null> = {};
  for (const pair of given) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (!key) throw new UsageError(`--set "${pair}" is not <field>=<value>: write e.g. --set currency=EUR (a header, mapped field name or column number on the left; <field>= empties the cell)`);
    if (Object.hasOwn(values, key)) throw new UsageError(`--set names "${key}" twice; give each cell one value`);
    const value = pair.slice(at + 1);
    values[key] = value === '' ? null : value;
  }
  return values;
}

/** The value of the cell `key` names (header, field or column number) in a row's cells, for saying what changed. */
function cellOf(cells: Row[] | null | undefined, key: string): Row | undefined {
  return (cells ?? []).find((c) => c.header === key || c.field === key || (/^\d+$/.test(key) && c.column === Number(key))) ?? (cells ?? []).find((c) => normalise(c.header) === normalise(key));
}

/** `import fix <run-id> <row> --set field=value…`: fixes the row in place (queued for reprocessing) and says whether it now reads well. */
async function fix(run: Run, id: string, row: number): Promise<number> {
  const values = setValues(run);
  const client = run.client();
  const body = await client.call<{ data: Row }>('PATCH', runPath(id, `/rows/${row}`), { values });
  if (run.json) return printJson(body), 0;
  const r = body.data;
  const before = (r.original_cells ?? r.cells) as Row[];
  const changes = Object.keys(values).map((key) => {
    const now = cellOf(r.cells, key);
    const was = cellOf(before, key);
    const name = now?.field ?? now?.header ?? key;
    const shown = (v: unknown) => (v === null || v === undefined || v === '' ? '(empty)' : String(v));
    return now?.hidden ? `${name} changed` : `${name} ${shown(was?.value)} → ${shown(now?.value)}`;
  });
  print(`Fixed row ${r.row_number} of run ${id}: ${changes.join(', ')}. Queued for reprocessing.`);
  const check = r.check as Row | null;
  if (!check) print('It reads well now. (Duplicates, managers and loops are checked when it is reprocessed.)');
  else {
    print(`Still a problem: ${check.detail ?? reasonTitle(check.code)} (${check.code})${check.fix ? `. ${check.fix}` : ''}`);
    for (const other of (check.others ?? []) as Row[]) print(`  also: ${other.detail ?? reasonTitle(other.code)} (${other.code})`);
  }
  hint(`Import the fixed rows: orgonaut import reprocess ${id} --wait`);
  return 0;
}

/** `import ignore <run-id> <row>`: leaves the row out of the import (fixing it later queues it again). */
async function ignore(run: Run, id: string, row: number): Promise<number> {
  const body = await run.client().post<{ data: Row }>(runPath(id, `/rows/${row}/ignore`));
  if (run.json) return printJson(body), 0;
  print(`Row ${body.data.row_number} of run ${id} ignored: no reprocess takes it (fixing it later with "orgonaut import fix" queues it again).`);
  return 0;
}

/** `import reprocess <run-id> [--wait]`: imports the run's fixed rows (and those waiting on a manager) in a new step. */
async function reprocess(run: Run, id: string): Promise<number> {
  const wait = booleanFlag(run.args, 'wait');
  const seconds = waitSeconds(run, wait, WAIT_SECONDS);
  const client = run.client();
  let current = (await client.post<{ data: Row }>(runPath(id, '/reprocess'))).data;
  if (wait) current = await follow(client, current, !run.json, seconds);
  if (run.json) printJson({ data: current });
  else if (current.status === 'completed') describeOutcome(current, client.host);
  else if (current.status !== 'failed') {
    print(`Reprocessing run ${current.id} (${current.status}).`);
    hint(`Follow it with: orgonaut import status ${current.id}   (or add --wait)`);
  }
  if (current.status === 'failed') throw new CliError(`reprocessing failed: ${current.error?.message ?? 'unknown error'} (run ${current.id}).`, EXIT.api, 'import_failed');
  return 0;
}
