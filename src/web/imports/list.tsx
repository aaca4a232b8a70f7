import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { InvalidInput, type AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { bytesOf, MAX_UPLOAD_BYTES, tooLarge } from '../../imports/csv/reader.js';
import { listRuns } from '../../imports/runs.js';
import { RUN_STATUSES } from '../../imports/store.js';
import { createRunFromUpload, type UploadInput } from '../../imports/upload.js';
import { listScenarios, scenarioNamesById } from '../../scenarios/lifecycle.js';
import { checkSessionCsrf } from '../forms.js';
import { Pager } from '../live/components.js';
import { num, scenarioChoices, when } from '../live/format.js';
import { csrfOf } from '../live/page-errors.js';
import { ErrorNotice, Notice, Shell } from '../shell.js';
import { formRefusal, refusalStatus, RUN_STATUS_LABELS, RunStatus, runTitle, TargetLabel } from './components.js';
import { TableScroll } from '../table-scroll.js';

/**
 * Imports (reference/import-workflow-and-runs.md): the runs, newest first, filtered by status, and the upload form
 * (a CSV or TXT file up to 10 MB, into Live or an active planning scenario). Uploading creates a pending run and
 * opens its mapping and preview.
 */
export function importListRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/imports', (c) => page(c, {}));
  web.post('/imports', async (c) => {
    let form: FormData;
    try {
      form = await readUploadForm(c);
    } catch (error) {
      // Too large or not a form: nothing was read into the tenant, so the page can say so before any CSRF check.
      const known = formRefusal(error);
      if (!known) throw error;
      return page(c, { error: known }, refusalStatus(known));
    }
    await checkSessionCsrf(c, form.get('csrf'));
    const draft = { target: text(form, 'target'), format: text(form, 'format'), createMissingTypes: text(form, 'create_missing_types') === 'on' };
    try {
      const run = await createRunFromUpload(serviceContext(c), uploadOf(form, draft));
      return c.redirect(`/imports/${run.id}?notice=uploaded`, 303);
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return page(c, { draft, error: known }, refusalStatus(known));
    }
  });
  return web;
}

interface Draft {
  target: string;
  format: string;
  createMissingTypes: boolean;
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** The multipart form, read with the upload limit (plus room for the other fields) before it is parsed. */
async function readUploadForm(c: Context<AppEnv>): Promise<FormData> {
  const limit = MAX_UPLOAD_BYTES + 64 * 1024;
  const declared = Number(c.req.header('content-length') ?? '') || null;
  if (declared && declared > limit) throw tooLarge(declared, MAX_UPLOAD_BYTES);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (c.req.raw.body) {
    for await (const chunk of bytesOf(c.req.raw.body)) {
      size += chunk.length;
      if (size > limit) throw tooLarge(null, MAX_UPLOAD_BYTES);
      chunks.push(chunk);
    }
  }
  try {
    return await new Response(new Uint8Array(Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>, { headers: { 'content-type': c.req.header('content-type') ?? '' } }).formData();
  } catch {
    throw new InvalidInput('file', 'choose a CSV file to upload');
  }
}

function uploadOf(form: FormData, draft: Draft): UploadInput {
  const file = form.get('file');
  if (!file || typeof file === 'string' || (file.size === 0 && !file.name)) throw new InvalidInput('file', 'choose a CSV or TXT file to upload');
  if (draft.format && draft.format !== 'orgonaut' && draft.format !== 'bamboohr') throw new InvalidInput('format', 'must be Orgonaut CSV or BambooHR');
  return {
    body: file.stream(),
    fileName: file.name,
    contentLength: file.size,
    target: draft.target && draft.target !== 'live' ? { kind: 'scenario', scenario_id: draft.target } : null,
    options: { create_missing_types: draft.createMissingTypes, format: (draft.format || undefined) as 'orgonaut' | 'bamboohr' | undefined },
  };
}

/** Active planning scenarios an import may target (empty without `scenarios.write`: only Live then). */
export async function targetScenarios(ctx: ServiceContext) {
  if (!can(ctx.principal, 'scenarios.write')) return [];
  return (await listScenarios(ctx, { kind: 'planning', state: 'active', limit: 500 })).items;
}

/**
 * Names of the scenarios runs point at, looked up by id: whatever became of them since — archived, or promoted (an
 * applied scenario, which a list of planning ones left out: the run read "into scenario a scenario") — and however old.
 */
export async function scenarioNames(ctx: ServiceContext, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  if (!can(ctx.principal, 'scenarios.read')) return new Map();
  return scenarioNamesById(ctx, ids);
}

interface State {
  draft?: Draft;
  error?: AppError;
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 = 200) {
  const ctx = serviceContext(c);
  const filter = c.req.query('status') || null;
  const cursor = c.req.query('cursor') || null;
  const runs = await listRuns(ctx, { status: filter, cursor, limit: 50 });
  const scenarios = await targetScenarios(ctx);
  const choices = scenarioChoices(scenarios);
  const names = await scenarioNames(ctx, runs.items.map((r) => r.target.scenario_id));
  const draft = state.draft ?? { target: 'live', format: '', createMissingTypes: false };
  const query = (extra: Record<string, string | null>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ status: filter, ...extra })) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `/imports?${s}` : '/imports';
  };
  return c.html(
    <Shell c={c} title="Imports" active="/imports" wide>
      <div class="page-head">
        <h1>Imports</h1>
        {can(ctx.principal, 'integrations.manage') ? <a href="/settings/integrations/hris">HRIS live sync</a> : null}
      </div>
      <p class="hint">
        Bring people, managers, departments, teams, positions and pay in from a CSV file. Each upload is an import run: check the mapping and
        preview, start it, follow its progress, then fix or ignore the rows it quarantined.
      </p>
      {c.req.query('notice') === 'undo' ? <Notice kind="ok">Undo started: Live is being restored to the snapshot taken before the import.</Notice> : null}
      {state.error ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a file</h2>
        <form method="post" action="/imports" enctype="multipart/form-data" class="grid roomy">
          <input type="hidden" name="csrf" value={csrfOf(c)} />
          <div class="field wide">
            <label for="upload-file">CSV or TXT file (UTF-8, comma- or semicolon-separated, up to 10 MB)</label>
            <input id="upload-file" name="file" type="file" accept=".csv,.txt,text/csv,text/plain" required aria-invalid={state.error?.details.field === 'file' ? 'true' : undefined} />
          </div>
          <div class="field">
            <label for="upload-target">Import into</label>
            <select id="upload-target" name="target">
              <option value="live">Live (a snapshot is taken first)</option>
              {scenarios.map((s) => (
                <option value={s.id} selected={draft.target === s.id}>
                  Scenario: {choices.get(s.id)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="upload-format">Format</label>
            <select id="upload-format" name="format">
              <option value="">Detect from the headers</option>
              <option value="orgonaut" selected={draft.format === 'orgonaut'}>
                Orgonaut CSV
              </option>
              <option value="bamboohr" selected={draft.format === 'bamboohr'}>
                BambooHR export
              </option>
            </select>
          </div>
          <div class="field check">
            <input id="upload-types" name="create_missing_types" type="checkbox" checked={draft.createMissingTypes} />
            <label for="upload-types">Create department and team types the file names but this organisation lacks</label>
          </div>
          <div>
            <button type="submit">Upload and check</button>
          </div>
        </form>
        <p class="hint">Nothing is imported yet: you see the detected columns and a preview first.</p>
      </section>
      <section class="card" aria-labelledby="runs-title">
        <div class="page-head">
          <h2 id="runs-title">Import runs</h2>
          <form method="get" action="/imports" class="inline" role="search" aria-label="Filter import runs">
            <label for="f-status">Status</label>
            <select id="f-status" name="status">
              <option value="">All</option>
              {RUN_STATUSES.map((s) => (
                <option value={s} selected={filter === s}>
                  {RUN_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
            <button type="submit" class="secondary">
              Filter
            </button>
            {filter ? <a href="/imports">Clear</a> : null}
          </form>
        </div>
        {runs.items.length === 0 ? (
          <p class="empty">{filter ? 'No import run has this status.' : 'No imports yet. Upload a file above to start one.'}</p>
        ) : (
          <TableScroll label="Import runs">
            <table>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Status</th>
                  <th scope="col">Into</th>
                  <th scope="col" class="num">
                    Rows
                  </th>
                  <th scope="col" class="num">
                    Imported
                  </th>
                  <th scope="col" class="num">
                    Quarantined
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {runs.items.map((run) => {
                  const rows = (run.summary as { rows?: Record<string, number> } | null)?.rows;
                  const href = run.status === 'pending' && run.source === 'upload' ? `/imports/${run.id}` : `/imports/${run.id}/progress`;
                  return (
                    <tr>
                      <td>
                        <a href={href}>{runTitle(run)}</a>
                        {run.source !== 'upload' ? <div class="hint">{run.source === 'hris_sync' ? 'HRIS sync' : 'HRIS webhook'}</div> : null}
                      </td>
                      <td>
                        <RunStatus status={run.status} />
                        {run.status === 'processing' ? <span class="hint"> {run.progress.percent} %</span> : null}
                        {(run.summary as { undo?: unknown } | null)?.undo ? <div class="hint">undone: Live went back to before it</div> : null}
                      </td>
                      <td>
                        <TargetLabel target={run.target} names={names} />
                      </td>
                      <td class="num">{num(run.file.rows, 0)}</td>
                      <td class="num">{rows ? num(rows.imported, 0) : '–'}</td>
                      <td class="num">
                        {rows && rows.quarantined ? <a href={`/imports/${run.id}/review`}>{num(rows.quarantined, 0)}</a> : rows ? '0' : '–'}
                      </td>
                      <td class="date">{when(run.created_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        )}
        <Pager label="Import run pages" next={runs.nextCursor ? query({ cursor: runs.nextCursor }) : null} first={cursor ? query({}) : null} />
      </section>
    </Shell>,
    status,
  );
}
