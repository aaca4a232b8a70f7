import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { IMPORT_FIELDS, MONEY_IMPORT_FIELDS, type ImportField } from '../../imports/fields.js';
import { previewRun } from '../../imports/preview.js';
import { getRun, importFields, startRun, updateRunSettings, type RunPatch } from '../../imports/runs.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { num, scenarioChoices } from '../live/format.js';
import { csrfOf, upgradeAdvice } from '../live/page-errors.js';
import { ErrorNotice, Notice, Shell } from '../shell.js';
import { formRefusal, Problems, reasonTitle, refusalStatus, RunHead, runTitle } from './components.js';
import { scenarioNames, targetScenarios } from './list.js';
import { progressPage } from './progress.js';
import { TableScroll } from '../table-scroll.js';

/**
 * A pending run before it starts: the detected columns mapped to import fields (each a select), format, target and
 * "create missing types"; the preview of the first rows with the reason each would be quarantined, the counts of a
 * dry run, and the Start button. Runs that started show their progress instead.
 */
const NOTICES: Record<string, string> = {
  uploaded: 'File received. Check how its columns are read and the preview below, then start the import.',
  saved: 'Saved. The preview below reads the file with these settings.',
};

export function importMappingRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/imports/:id', async (c) => {
    const run = await getRun(serviceContext(c), c.req.param('id'));
    if (run.status !== 'pending') return c.redirect(`/imports/${run.id}/progress`, 303);
    return mappingPage(c, { notice: NOTICES[c.req.query('notice') ?? ''] });
  });

  web.post('/imports/:id/settings', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    try {
      await updateRunSettings(ctx, id, patchOf(body, (await getRun(ctx, id)).format));
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      // The page shows what was chosen, not what is saved: nothing typed is lost to a refusal.
      return mappingPage(c, { error: known, submitted: choicesOf(body) }, refusalStatus(known));
    }
    return c.redirect(`/imports/${id}?notice=saved`, 303);
  });

  web.post('/imports/:id/start', async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    try {
      const started = await startRun(ctx, id);
      started.done.catch((err: unknown) => c.var.logger.error({ err, run: id }, 'import run did not report back'));
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      const run = await getRun(ctx, id);
      return run.status === 'pending' ? mappingPage(c, { error: known }, refusalStatus(known)) : progressPage(c, { error: known }, refusalStatus(known));
    }
    return c.redirect(`/imports/${id}/progress`, 303);
  });
  return web;
}

/** The settings form as a run patch. A new format re-detects the mapping, so the old selects are not sent with it. */
function patchOf(body: Record<string, unknown>, currentFormat: string): RunPatch {
  const format = formString(body, 'format');
  const target = formString(body, 'target');
  const mapping: { column: number; field: string | null }[] = [];
  for (const [key, value] of Object.entries(body)) {
    const match = /^field_(\d{1,4})$/.exec(key);
    if (match && typeof value === 'string') mapping.push({ column: Number(match[1]), field: value || null });
  }
  const formatChanged = (format === 'orgonaut' || format === 'bamboohr') && format !== currentFormat;
  const dateOrder = formString(body, 'date_order');
  return {
    ...(formatChanged ? {} : { mapping }),
    options: {
      create_missing_types: body.create_missing_types === 'on',
      ...(format === 'orgonaut' || format === 'bamboohr' ? { format } : {}),
      date_order: dateOrder === 'month_first' || dateOrder === 'day_first' ? dateOrder : null,
    },
    target: !target || target === 'live' ? { kind: 'live' } : { kind: 'scenario', scenario_id: target },
  };
}

/** The settings form as it was sent (shown again when it is refused). */
interface Choices {
  format: string | undefined;
  target: string | undefined;
  dateOrder: string | undefined;
  createMissingTypes: boolean;
  fields: Map<number, string | null>;
}

function choicesOf(body: Record<string, unknown>): Choices {
  const fields = new Map<number, string | null>();
  for (const [key, value] of Object.entries(body)) {
    const match = /^field_(\d{1,4})$/.exec(key);
    if (match && typeof value === 'string') fields.set(Number(match[1]), value || null);
  }
  return { format: formString(body, 'format'), target: formString(body, 'target'), dateOrder: formString(body, 'date_order'), createMissingTypes: body.create_missing_types === 'on', fields };
}

interface State {
  notice?: string;
  error?: AppError;
  submitted?: Choices;
}

export async function mappingPage(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 = 200) {
  const ctx = serviceContext(c);
  const id = c.req.param('id')!;
  const preview = await previewRun(ctx, id, { rows: 20 });
  const { run } = preview;
  const fields = importFields(ctx);
  const scenarios = await targetScenarios(ctx);
  const choices = scenarioChoices(scenarios);
  const names = await scenarioNames(ctx, [run.target.scenario_id]);
  const targetName = run.target.kind === 'scenario' ? `scenario ${names.get(run.target.scenario_id ?? '') ?? 'a scenario'}` : null;
  const mapped = run.mapping.filter((m) => m.field && preview.sample.some((s) => m.field! in s.fields));
  const counts = preview.counts as PreviewCounts | null;
  const showMoney = can(ctx.principal, 'costs.read');
  const csrf = csrfOf(c);
  // What the form shows: the choices just sent when they were refused, else the run's settings.
  const chosen = state.submitted;
  const format = chosen?.format ?? run.format;
  const targetId = chosen ? (chosen.target && chosen.target !== 'live' ? chosen.target : null) : run.target.scenario_id;
  const dateOrder = chosen ? (chosen.dateOrder ?? null) : run.options.date_order;
  const fieldOf = (m: { column: number; field: string | null }) => (chosen?.fields.has(m.column) ? chosen.fields.get(m.column)! : m.field);
  const twice = new Set(run.mapping.map(fieldOf).filter((f, i, all): f is string => !!f && all.indexOf(f) !== i));
  return c.html(
    <Shell c={c} title={`Import ${runTitle(run)}`} active="/imports" wide>
      <RunHead run={run} active="mapping" targetName={targetName} />
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      <dl class="facts">
        <dt>File</dt>
        <dd>
          {runTitle(run)} ({num(run.file.bytes / 1024, 1)} KB, {num(run.file.rows, 0)} {run.file.rows === 1 ? 'row' : 'rows'}, separated by “{run.file.delimiter}”)
        </dd>
      </dl>
      {preview.warnings.length ? (
        <section class="card" aria-labelledby="warnings-title">
          <h2 id="warnings-title">Check before starting</h2>
          <ul>
            {preview.warnings.map((w) => (
              <li class={w.code === 'no_identity' ? 'error' : 'warning'}>{w.message}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="card" aria-labelledby="mapping-title">
        <h2 id="mapping-title">Columns and settings</h2>
        <form method="post" action={`/imports/${run.id}/settings`} class="stack">
          <input type="hidden" name="csrf" value={csrf} />
          <div class="grid">
            <div class="field">
              <label for="m-format">Format</label>
              <select id="m-format" name="format" aria-describedby={format === 'bamboohr' ? 'm-format-hint' : undefined}>
                <option value="orgonaut" selected={format === 'orgonaut'}>
                  Orgonaut CSV
                </option>
                <option value="bamboohr" selected={format === 'bamboohr'}>
                  BambooHR export
                </option>
              </select>
              {/* The format is named once, here, where it is chosen; what a BambooHR file's columns mean, under it. */}
              {format === 'bamboohr' ? (
                <p class="hint" id="m-format-hint">
                  PersonID is the source identity, SupervisorID links managers.
                </p>
              ) : null}
            </div>
            <div class="field">
              <label for="m-target">Import into</label>
              <select id="m-target" name="target">
                <option value="live">Live (a snapshot is taken first)</option>
                {scenarios.map((s) => (
                  <option value={s.id} selected={targetId === s.id}>
                    Scenario: {choices.get(s.id)}
                  </option>
                ))}
                {targetId && !scenarios.some((s) => s.id === targetId) ? (
                  <option value={targetId} selected>
                    Scenario: {names.get(targetId) ?? targetId} (no longer open for changes)
                  </option>
                ) : null}
              </select>
            </div>
            <div class="field">
              <label for="m-dates">Dates like 03/05/2024</label>
              <select id="m-dates" name="date_order">
                <option value="">are refused (the day or the month could come first)</option>
                <option value="month_first" selected={dateOrder === 'month_first'}>
                  are month first (US: 5 March 2024)
                </option>
                <option value="day_first" selected={dateOrder === 'day_first'}>
                  are day first (3 May 2024)
                </option>
              </select>
            </div>
            <div class="field check">
              <input id="m-types" name="create_missing_types" type="checkbox" checked={chosen ? chosen.createMissingTypes : run.options.create_missing_types} />
              <label for="m-types">Create missing department and team types</label>
            </div>
          </div>
          <p class="hint">Changing the format reads the headers again with that format’s names.</p>
          <TableScroll label="Column mapping">
            <table>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Header in the file</th>
                  <th scope="col">Imported as</th>
                </tr>
              </thead>
              <tbody>
                {run.mapping.map((m) => (
                  <tr>
                    <td class="num">{m.column + 1}</td>
                    <th scope="row">{m.header}</th>
                    <td>
                      <label for={`field-${m.column}`} class="visually-hidden">
                        Field for column {m.column + 1} “{m.header}”
                      </label>
                      <select id={`field-${m.column}`} name={`field_${m.column}`} aria-invalid={twice.has(fieldOf(m) ?? '') ? 'true' : undefined}>
                        <option value="" selected={!fieldOf(m)}>
                          — not imported —
                        </option>
                        {fields.map((f) => (
                          <option value={f.field} selected={fieldOf(m) === f.field}>
                            {f.field}
                            {f.money ? ' (pay)' : ''}
                          </option>
                        ))}
                      </select>
                      {twice.has(fieldOf(m) ?? '') ? <div class="error">Chosen for another column too: choose it for one.</div> : null}
                      {fieldOf(m) && IMPORT_FIELDS[fieldOf(m) as ImportField] ? <div class="hint">{IMPORT_FIELDS[fieldOf(m) as ImportField]}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {!showMoney && run.mapping.some((m) => m.field && MONEY_IMPORT_FIELDS.has(m.field as ImportField)) ? (
            <p class="warning">Pay columns are mapped: importing them needs the costs.read ability. Map them to “not imported” to import the rest.</p>
          ) : null}
          <div>
            <button type="submit" class="secondary">
              Save and preview again
            </button>
          </div>
        </form>
        <details>
          <summary>What each field means</summary>
          <dl class="fields">
            {fields.map((f) => (
              <>
                <dt>
                  <code>{f.field}</code>
                </dt>
                <dd>
                  {f.description} <span class="hint">Headers: {f.headers.join(', ')}</span>
                </dd>
              </>
            ))}
          </dl>
        </details>
      </section>
      <section class="card" aria-labelledby="preview-title">
        <h2 id="preview-title">Preview of the first rows</h2>
        {preview.sample.length === 0 ? (
          <p class="empty">The file has no data rows.</p>
        ) : (
          <TableScroll label="Preview of the first rows">
            <table>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Would be</th>
                  {mapped.map((m) => (
                    <th scope="col">{m.field}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.sample.map((row) => (
                  <tr>
                    <td class="num">{row.row_number}</td>
                    <td class="outcome">
                      {row.problem ? (
                        // Every problem of the row, as the review will list them: fixed in one go, not one per reprocess.
                        <>
                          <span class="badge warn">quarantined</span>
                          {row.problem.others.length ? <span class="hint"> {row.problem.others.length + 1} problems</span> : null}
                          <Problems reason={row.problem} />
                        </>
                      ) : (
                        <span class="badge ok">read</span>
                      )}
                    </td>
                    {mapped.map((m) => (
                      <td>{row.fields[m.field!] ?? ''}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        {counts ? <DryRun counts={counts} upgrade={upgradeAdvice(ctx.principal)} /> : <p class="hint">Map an identity column to see what the import would do.</p>}
      </section>
      <section class="card" aria-labelledby="start-title">
        <h2 id="start-title">Start the import</h2>
        <p>
          {run.target.kind === 'live'
            ? 'The import runs in the background. A snapshot of Live is taken first, so it can be undone.'
            : 'The import runs in the background and changes only the scenario; Live is untouched.'}{' '}
          Rows that cannot be imported are quarantined for review; the others are imported.
        </p>
        <form method="post" action={`/imports/${run.id}/start`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit">Start import</button>
        </form>
      </section>
    </Shell>,
    status,
  );
}

interface PreviewCounts {
  rows: { total: number; would_import: number; would_quarantine: number; created: number; updated: number; unchanged: number };
  quarantine_reasons: Record<string, number>;
  actors: { active_before: number; active_after: number; allowance: number | null; exceeds_allowance: boolean };
}

function DryRun(props: { counts: PreviewCounts; upgrade: string }) {
  const { rows, actors } = props.counts;
  const reasons = Object.entries(props.counts.quarantine_reasons).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <h3>What the import would do</h3>
      <dl class="stats" aria-label="Dry run of the whole file">
        <div>
          <dt>Rows</dt>
          <dd>{num(rows.total, 0)}</dd>
        </div>
        <div>
          <dt>Would import</dt>
          <dd>{num(rows.would_import, 0)}</dd>
        </div>
        <div>
          <dt>Created / updated / unchanged</dt>
          <dd>
            {num(rows.created, 0)} / {num(rows.updated, 0)} / {num(rows.unchanged, 0)}
          </dd>
        </div>
        <div>
          <dt>Would quarantine</dt>
          <dd>{num(rows.would_quarantine, 0)}</dd>
        </div>
        <div>
          <dt>Active actors after</dt>
          <dd>
            {num(actors.active_after, 0)}
            {actors.allowance !== null ? ` of ${num(actors.allowance, 0)} allowed` : ''}
          </dd>
        </div>
      </dl>
      {actors.exceeds_allowance ? (
        <p class="notice error" role="alert">
          This import would take the organisation over its actor allowance ({num(actors.allowance, 0)}): it would fail without changing anything.
          Import into a scenario, or {props.upgrade}
        </p>
      ) : null}
      {reasons.length ? (
        <ul aria-label="Why rows would be quarantined">
          {reasons.map(([code, n]) => (
            <li>
              {num(n, 0)} × {reasonTitle(code)} <code>{code}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
