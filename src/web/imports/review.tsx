import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import type { RowOut } from '../../imports/present.js';
import { checkQueuedRows, countRowsByResolution, fixRow, getRow, ignoreRow, listRows, type RowReason } from '../../imports/review.js';
import { getRun, reprocessRun } from '../../imports/runs.js';
import { RESOLUTIONS } from '../../imports/store.js';
import { checkSessionCsrf } from '../forms.js';
import { Pager } from '../live/components.js';
import { csrfOf } from '../live/page-errors.js';
import { ErrorNotice, Notice, Shell } from '../shell.js';
import { formRefusal, Problems, reasonTitle, refusalStatus, RunHead, runTitle } from './components.js';
import { scenarioNames } from './list.js';

/**
 * Quarantine review (reference/fix-common-import-errors.md): the rows a run quarantined, filtered by resolution
 * (pending, reprocessing, failed, fixed, ignored), each with its reason in plain words and the fix; a row's cells are
 * edited in place (the row is queued for reprocessing) or the row is ignored; "Reprocess" imports the queued rows.
 */
const RESOLUTION_LABELS: Record<string, string> = {
  pending: 'waiting for review',
  reprocessing: 'queued for reprocessing',
  failed: 'failed again',
  fixed: 'fixed and imported',
  ignored: 'ignored',
};

const NOTICES: Record<string, string> = {
  fixed: 'Saved. The row is queued: reprocess to import it.',
  ignored: 'The row is ignored: it stays out of the import.',
};

export function importReviewRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/imports/:id/review', (c) => reviewPage(c, { notice: NOTICES[c.req.query('notice') ?? ''] }));

  web.post('/imports/:id/rows/:row/fix', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    const rowNumber = Number(c.req.param('row'));
    // What the reviewer typed, shown again if the fix is refused.
    const typed: Record<number, string> = {};
    for (const [key, value] of Object.entries(body)) {
      const match = /^cell_(\d{1,4})$/.exec(key);
      if (match && typeof value === 'string') typed[Number(match[1])] = value;
    }
    try {
      const row = await getRow(ctx, id, rowNumber);
      // Only the cells the reviewer changed (hidden pay cells are never sent back, so never overwritten).
      const values: Record<string, string> = {};
      for (const cell of row.cells) {
        const given = body[`cell_${cell.column}`];
        if (!cell.hidden && typeof given === 'string' && given !== (cell.value ?? '')) values[String(cell.column)] = given;
      }
      await fixRow(ctx, id, rowNumber, values);
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return reviewPage(c, { error: known, typed: { row: rowNumber, cells: typed } }, refusalStatus(known));
    }
    return c.redirect(backTo(id, body.resolution, 'fixed', rowNumber), 303);
  });

  web.post('/imports/:id/rows/:row/ignore', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const id = c.req.param('id');
    const rowNumber = Number(c.req.param('row'));
    try {
      await ignoreRow(serviceContext(c), id, rowNumber);
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return reviewPage(c, { error: known }, refusalStatus(known));
    }
    return c.redirect(backTo(id, body.resolution, 'ignored', rowNumber), 303);
  });

  web.post('/imports/:id/reprocess', async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    const id = c.req.param('id');
    try {
      const started = await reprocessRun(serviceContext(c), id);
      started.done.catch((err: unknown) => c.var.logger.error({ err, run: id }, 'import reprocessing did not report back'));
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return reviewPage(c, { error: known }, refusalStatus(known));
    }
    return c.redirect(`/imports/${id}/progress`, 303);
  });
  return web;
}

/** Back to the list the reviewer was looking at, at the row they changed. */
function backTo(id: string, resolution: unknown, notice: string, rowNumber: number): string {
  const q = new URLSearchParams({ notice });
  if (typeof resolution === 'string' && (RESOLUTIONS as readonly string[]).includes(resolution)) q.set('resolution', resolution);
  return `/imports/${id}/review?${q}#row-${rowNumber}`;
}

interface State {
  notice?: string;
  error?: AppError;
  /** A refused fix: the cells as the reviewer typed them. */
  typed?: { row: number; cells: Record<number, string> };
}

async function reviewPage(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 = 200) {
  const ctx = serviceContext(c);
  const id = c.req.param('id')!;
  const run = await getRun(ctx, id);
  const resolution = c.req.query('resolution') || null;
  const cursor = c.req.query('cursor') || null;
  const rows = await listRows(ctx, id, { quarantined: true, resolution, cursor, limit: 50 });
  const resolutions = await countRowsByResolution(ctx, id);
  const checks = await checkQueuedRows(ctx, id, rows.items);
  const queuedCount = resolutions.reprocessing ?? 0;
  const names = await scenarioNames(ctx, [run.target.scenario_id]);
  const targetName = run.target.kind === 'scenario' ? `scenario ${names.get(run.target.scenario_id ?? '') ?? 'a scenario'}` : null;
  const csrf = csrfOf(c);
  const query = (extra: Record<string, string | null>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ resolution, ...extra })) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `/imports/${id}/review?${s}` : `/imports/${id}/review`;
  };
  const undone = !!(run.summary as { undo?: unknown } | null)?.undo;
  const finished = (run.status === 'completed' || run.status === 'failed') && !undone;
  return c.html(
    <Shell c={c} title={`Review ${runTitle(run)}`} active="/imports" wide>
      <RunHead run={run} active="review" targetName={targetName} />
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      {run.status === 'processing' ? <p class="notice warning">This import is running: review its rows when it has finished.</p> : null}
      {undone ? (
        <p class="notice warning">
          This import was undone: its rows can no longer be fixed or imported. <a href="/imports">Upload the file again</a> to import it anew.
        </p>
      ) : null}
      <section class="card" aria-labelledby="reprocess-title">
        <h2 id="reprocess-title">Reprocess</h2>
        <p>
          {queuedCount === 0 ? 'No fixed row is queued yet.' : `${queuedCount} fixed ${queuedCount === 1 ? 'row is' : 'rows are'} queued.`} Reprocessing imports the
          queued rows, and rows held back because their manager was quarantined, had left or was on a reporting loop, with the same rules as the import.
        </p>
        <form method="post" action={`/imports/${id}/reprocess`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" disabled={!finished || undefined}>
            Reprocess queued rows
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="rows-title">
        <div class="page-head">
          <h2 id="rows-title">Quarantined rows</h2>
          <form method="get" action={`/imports/${id}/review`} class="inline" role="search" aria-label="Filter quarantined rows">
            <label for="f-resolution">Resolution</label>
            <select id="f-resolution" name="resolution">
              <option value="">All</option>
              {RESOLUTIONS.map((r) => (
                <option value={r} selected={resolution === r}>
                  {RESOLUTION_LABELS[r]}
                  {resolutions[r] !== undefined ? ` (${resolutions[r]})` : ''}
                </option>
              ))}
            </select>
            <button type="submit" class="secondary">
              Filter
            </button>
            {resolution ? <a href={`/imports/${id}/review`}>Clear</a> : null}
          </form>
        </div>
        {rows.items.length === 0 ? (
          <p class="empty">{resolution ? 'No quarantined row has this resolution.' : 'Nothing was quarantined: every row was imported.'}</p>
        ) : (
          <ol class="delta-records">
            {rows.items.map((row) => (
              <QuarantinedRow
                row={row}
                runId={id}
                csrf={csrf}
                resolution={resolution}
                editable={finished}
                targetLive={run.target.kind === 'live' && !undone}
                check={checks.get(row.row_number)}
                typed={state.typed?.row === row.row_number ? state.typed.cells : undefined}
              />
            ))}
          </ol>
        )}
        <Pager label="Quarantined row pages" next={rows.nextCursor ? query({ cursor: rows.nextCursor }) : null} first={cursor ? query({}) : null} />
      </section>
    </Shell>,
    status,
  );
}

function QuarantinedRow(props: { row: RowOut; runId: string; csrf: string; resolution: string | null; editable: boolean; targetLive: boolean; check?: RowReason | null; typed?: Record<number, string> }) {
  const { row, check } = props;
  // A queued row is read again with its fix: the reason it was quarantined for may be gone, or another may show.
  const checked = row.resolution === 'reprocessing' && check !== undefined;
  const shown = checked ? check : row.reason;
  // Every cell a problem names is marked, not only the first problem's.
  const faults = new Set(shown ? [shown.field, ...shown.others.map((p) => p.field)].filter((f): f is string => f !== null) : []);
  const open = row.resolution === 'pending' || row.resolution === 'failed' || row.resolution === 'ignored' || row.resolution === 'reprocessing';
  const action = `/imports/${props.runId}/rows/${row.row_number}`;
  return (
    <li id={`row-${row.row_number}`}>
      <h3>
        Row {row.row_number}
        {row.line ? <span class="hint"> (line {row.line})</span> : null}{' '}
        <span class={row.resolution === 'fixed' ? 'badge ok' : row.resolution === 'ignored' ? 'badge' : row.resolution === 'reprocessing' ? 'badge accent' : 'badge warn'}>
          {RESOLUTION_LABELS[row.resolution ?? ''] ?? row.resolution}
        </span>
      </h3>
      {checked ? (
        check ? (
          <div class="notice warning">
            <p>
              {check.others.length ? `Still ${check.others.length + 1} problems with the fix:` : 'Still a problem with the fix:'}
            </p>
            <Problems reason={check} />
          </div>
        ) : (
          <p class="notice ok">With the fix, the row reads well. Reprocess to import it (duplicates and managers are checked then).</p>
        )
      ) : null}
      {row.reason && row.status === 'imported' ? (
        // Fixed and imported: what it was quarantined for is history, not something still to fix.
        <details>
          <summary>Quarantined before its fix: {row.reason.others.length ? `${row.reason.others.length + 1} problems` : reasonTitle(row.reason.code)}</summary>
          <Problems reason={row.reason} />
        </details>
      ) : row.reason ? (
        <div>
          {checked ? <p>Quarantined for:</p> : row.reason.others.length ? <p>{row.reason.others.length + 1} problems on this row — fix them all before reprocessing:</p> : null}
          <Problems reason={row.reason} />
        </div>
      ) : null}
      {open && props.editable ? (
        <>
          <form method="post" action={`${action}/fix`} class="grid" id={`fix-${row.row_number}`} aria-label={`Fix row ${row.row_number}`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            {props.resolution ? <input type="hidden" name="resolution" value={props.resolution} /> : null}
            {row.cells.map((cell) => {
              const inputId = `r${row.row_number}-c${cell.column}`;
              const atFault = !!cell.field && faults.has(cell.field);
              const value = props.typed?.[cell.column] ?? cell.value ?? '';
              return (
                <div class="field">
                  <label for={inputId}>
                    {cell.header}
                    {!cell.field ? <span class="hint"> (not imported)</span> : cell.field !== cell.header ? <span class="hint"> ({cell.field})</span> : null}
                  </label>
                  {cell.hidden ? (
                    <input id={inputId} value="hidden: needs costs.read" disabled />
                  ) : (
                    <input id={inputId} name={`cell_${cell.column}`} value={value} maxlength={10_000} aria-invalid={atFault ? 'true' : undefined} />
                  )}
                </div>
              );
            })}
          </form>
          {/* Both buttons on one line under the cells; Save belongs to the fix form above (form=). */}
          <div class="actions row-actions">
            <button type="submit" form={`fix-${row.row_number}`}>
              Save fix and queue
            </button>
            {row.resolution !== 'ignored' ? (
              <form method="post" action={`${action}/ignore`}>
                <input type="hidden" name="csrf" value={props.csrf} />
                {props.resolution ? <input type="hidden" name="resolution" value={props.resolution} /> : null}
                <button type="submit" class="secondary" aria-label={`Ignore this row (row ${row.row_number})`}>
                  Ignore this row
                </button>
              </form>
            ) : null}
          </div>
        </>
      ) : (
        <dl class="fields">
          {row.cells.map((cell) => (
            <>
              <dt>{cell.header}</dt>
              <dd>{cell.hidden ? <span class="hint">hidden</span> : (cell.value ?? '')}</dd>
            </>
          ))}
        </dl>
      )}
      {row.original_cells ? (
        <details>
          <summary>As uploaded</summary>
          <dl class="fields">
            {row.original_cells.map((cell) => (
              <>
                <dt>{cell.header}</dt>
                <dd>{cell.hidden ? <span class="hint">hidden</span> : (cell.value ?? '')}</dd>
              </>
            ))}
          </dl>
        </details>
      ) : null}
      {row.status === 'imported' ? (
        <p class="hint">
          Imported{row.actor_id && props.targetLive ? (
            <>
              {' '}
              as <a href={`/live/actors/${row.actor_id}`}>this person</a>
            </>
          ) : null}
          .
        </p>
      ) : null}
    </li>
  );
}
