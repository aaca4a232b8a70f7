import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import type { RunOut } from '../../imports/present.js';
import { getRun, liveSinceRun, undoRun } from '../../imports/runs.js';
import { FAMILIES, type Family } from '../../org/types.js';
import { checkSessionCsrf } from '../forms.js';
import { deltaClass, num, signed, signedMoney, when } from '../live/format.js';
import { CostBasis, type CostBasisSettings } from '../live/components.js';
import { csrfOf } from '../live/page-errors.js';
import { ErrorNotice, Shell } from '../shell.js';
import { FAMILY_LABELS, formRefusal, reasonTitle, refusalStatus, RunHead, runTitle, STAGE_LABELS, TargetLabel } from './components.js';
import { scenarioNames } from './list.js';
import { TableScroll } from '../table-scroll.js';

/**
 * A run's progress: its stages (Parse → … → Finalize) with row counts and the percent, refreshed every 2 s by an
 * HTTP `Refresh` header while it is pending or running (no script: the CSP forbids inline ones). When it has
 * finished: the summary per model family, the quarantine, and for an import into Live the way to undo it.
 */
type Counts = { created: number; updated: number; unchanged: number; quarantined: number };

type LiveStep = { version_before: number; version_after: number; snapshot_id: string | null; changed: boolean };

interface Summary {
  rows?: Record<string, number>;
  families?: Partial<Record<Family, Counts>>;
  quarantine?: { reasons?: Record<string, number>; resolutions?: Record<string, number> };
  live?: LiveStep;
  /** One entry per step, each with what it did to Live (imports into Live). */
  steps?: { step: number; live?: LiveStep }[];
  scenario?: { scenario_id: string; revision: number; records_changed: number };
  deltas?: { headcount?: number; fte?: number; effective_fte?: number; monthly_cost_minor?: number; currency?: string } | null;
}

export function importProgressRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/imports/:id/progress', (c) => progressPage(c, {}));
  web.post('/imports/:id/undo', async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    let started;
    try {
      started = await undoRun(ctx, id);
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return progressPage(c, { error: known }, refusalStatus(known));
    }
    started.done.catch((err: unknown) => c.var.logger.error({ err, task: started.task.id }, 'undo task did not report back'));
    const run = await getRun(ctx, id);
    return c.redirect(`/scenarios/${run.snapshot_id}/tasks/${started.task.id}`, 303);
  });
  return web;
}

interface State {
  error?: AppError;
}

export async function progressPage(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 = 200) {
  const ctx = serviceContext(c);
  const run = await getRun(ctx, c.req.param('id')!);
  const names = await scenarioNames(ctx, [run.target.scenario_id]);
  const waiting = run.status === 'pending' || run.status === 'processing';
  if (waiting) c.header('Refresh', '2');
  const summary = (run.summary ?? {}) as Summary;
  const targetName = run.target.kind === 'scenario' ? `scenario ${names.get(run.target.scenario_id ?? '') ?? 'a scenario'}` : null;
  const csrf = csrfOf(c);
  // A run an HRIS started (webhook batch, sync now) has no file to check or start by hand: it is applied on its own.
  const fromHris = run.source !== 'upload';
  // Live as it is now: a step reading an older version will be refused; an undo Live has moved past is refused too.
  const live = run.target.kind === 'live' && run.status !== 'pending' ? await liveSinceRun(ctx, run.id) : null;
  const readVersion = run.progress.live_version;
  const movedUnder = run.status === 'processing' && live && readVersion !== null && live.version > readVersion;
  return c.html(
    <Shell c={c} title={`Progress of ${runTitle(run)}`} active="/imports" wide>
      <RunHead run={run} active="progress" targetName={targetName} />
      {state.error ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      <section class="card" aria-labelledby="progress-title">
        <h2 id="progress-title">{run.step > 1 ? `Step ${run.step} (reprocessing)` : 'Progress'}</h2>
        <p role="status" aria-live="polite" class="task-status">
          <label for="run-percent">{run.status === 'completed' ? 'Done' : run.status === 'failed' ? 'Stopped' : run.progress.stage ? `${STAGE_LABELS[run.progress.stage] ?? run.progress.stage}…` : 'Waiting to start'}</label>{' '}
          <progress id="run-percent" max={100} value={run.progress.percent}>
            {run.progress.percent} %
          </progress>{' '}
          <strong>{run.progress.percent} %</strong>
        </p>
        {waiting ? (
          <p class="hint">
            This page refreshes every 2 seconds until the import has finished. <a href={c.req.path}>Refresh now</a>
          </p>
        ) : null}
        {run.status === 'pending' && run.step === 0 ? (
          fromHris ? (
            <p>These HRIS changes have not been applied yet: they start on their own once no other import of this organisation is running.</p>
          ) : (
            <p>
              This import has not been started. <a href={`/imports/${run.id}`}>Check its mapping and start it</a>.
            </p>
          )
        ) : null}
        {movedUnder ? (
          <p class="notice warning" role="status">
            Live changed while this step runs: it read Live version {readVersion}, and another change (a promotion, a restore or an HRIS update) has made
            version {live!.version} since. When the step reaches Finalize it stops with nothing applied; start it again then, and it reads Live as it is.
          </p>
        ) : null}
        <Stages run={run} />
        <dl class="facts">
          <dt>Into</dt>
          <dd>
            <TargetLabel target={run.target} names={names} />
          </dd>
          <dt>{fromHris ? 'Employees received' : 'Rows in the file'}</dt>
          <dd>{num(run.file.rows, 0)}</dd>
          <dt>Started</dt>
          <dd>{when(run.started_at)}</dd>
          {run.finished_at ? (
            <>
              <dt>Finished</dt>
              <dd>{when(run.finished_at)}</dd>
            </>
          ) : null}
        </dl>
        {run.status === 'failed' ? (
          <>
            <p class="notice error" role="alert">
              {run.error?.message ?? 'The import failed.'} Nothing from this attempt was applied. <code>{run.error?.code ?? 'failed'}</code>
            </p>
            <form method="post" action={`/imports/${run.id}/start`}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit">Start again</button>
            </form>
          </>
        ) : null}
      </section>
      {run.status === 'completed' || (run.status === 'failed' && run.summary) ? <SummarySection run={run} summary={summary} csrf={csrf} canUndo={can(ctx.principal, 'snapshots.restore')} undoRefused={live?.undoRefused ?? null} tenant={ctx.tenant} /> : null}
    </Shell>,
    status,
  );
}

function Stages(props: { run: RunOut }) {
  const stages = props.run.progress.stages;
  if (!stages.length) return null;
  return (
    <TableScroll label="Stages of the import">
      <table>
        <caption class="visually-hidden">Stages of the import</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody>
          {stages.map((s) => (
            <tr>
              <th scope="row">{STAGE_LABELS[s.name] ?? s.name}</th>
              <td>
                <span class={s.status === 'done' ? 'badge ok' : s.status === 'running' ? 'badge warn' : 'badge'}>{s.status === 'done' ? 'done' : s.status === 'running' ? 'running' : 'waiting'}</span>
              </td>
              <td class="num">{s.total ? `${num(s.done, 0)} of ${num(s.total, 0)}` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function SummarySection(props: { run: RunOut; summary: Summary; csrf: string; canUndo: boolean; undoRefused: AppError | null; tenant: CostBasisSettings }) {
  const { run, summary } = props;
  const rows = summary.rows ?? {};
  const reasons = Object.entries(summary.quarantine?.reasons ?? {}).sort((a, b) => b[1] - a[1]);
  const deltas = summary.deltas;
  return (
    <section class="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl class="stats" aria-label="Rows">
        {(
          [
            ['Rows', rows.total],
            ['Imported', rows.imported],
            ['Created', rows.created],
            ['Updated', rows.updated],
            ['Unchanged', rows.unchanged],
            ['Quarantined', rows.quarantined],
            ['Ignored', rows.ignored],
          ] as [string, number | undefined][]
        ).map(([label, n]) => (
          <div>
            <dt>{label}</dt>
            <dd>{num(n ?? 0, 0)}</dd>
          </div>
        ))}
      </dl>
      <TableScroll label="Records by kind">
        <table>
          <caption>Records by kind</caption>
          <thead>
            <tr>
              <th scope="col">Kind of record</th>
              <th scope="col" class="num">
                Created
              </th>
              <th scope="col" class="num">
                Updated
              </th>
              <th scope="col" class="num">
                Unchanged
              </th>
              <th scope="col" class="num">
                Quarantined rows
              </th>
            </tr>
          </thead>
          <tbody>
            {FAMILIES.filter((f) => summary.families?.[f]).map((family) => {
              const counts = summary.families![family]!;
              return (
                <tr>
                  <th scope="row">{FAMILY_LABELS[family]}</th>
                  <td class="num">{num(counts.created, 0)}</td>
                  <td class="num">{num(counts.updated, 0)}</td>
                  <td class="num">{num(counts.unchanged, 0)}</td>
                  <td class="num">{num(counts.quarantined, 0)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      {deltas ? (
        <dl class="stats" aria-label="What changed">
          <div>
            <dt>Headcount</dt>
            <dd class={deltaClass(deltas.headcount, 'headcount')}>{signed(deltas.headcount, 0)}</dd>
          </div>
          <div>
            <dt>FTE</dt>
            <dd class={deltaClass(deltas.fte, 'fte')}>{signed(deltas.fte)}</dd>
          </div>
          {deltas.monthly_cost_minor !== undefined && deltas.currency ? (
            <div>
              <dt>Monthly cost</dt>
              <dd class={deltaClass(deltas.monthly_cost_minor, 'monthly_cost_minor')}>{signedMoney(deltas.monthly_cost_minor, deltas.currency)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {deltas?.monthly_cost_minor !== undefined && deltas.currency ? <CostBasis tenant={props.tenant} /> : null}
      {reasons.length ? (
        <>
          <h3>Waiting in quarantine</h3>
          <ul>
            {reasons.map(([code, n]) => (
              <li>
                {num(n, 0)} × {reasonTitle(code)} <code>{code}</code>
              </li>
            ))}
          </ul>
          <p class="actions">
            <a class="button" href={`/imports/${run.id}/review`}>
              Review quarantined rows
            </a>
          </p>
        </>
      ) : (rows.quarantined ?? 0) === 0 ? (
        <p class="hint">No row is waiting in quarantine.</p>
      ) : null}
      {summary.live ? <LiveOutcome run={run} summary={summary} live={summary.live} /> : null}
      {summary.scenario ? (
        <p>
          {summary.scenario.records_changed} {summary.scenario.records_changed === 1 ? 'record' : 'records'} changed in the scenario (revision{' '}
          {summary.scenario.revision}). <a href={`/scenarios/${summary.scenario.scenario_id}/delta`}>See its delta</a>
        </p>
      ) : null}
      {run.target.kind === 'live' && run.snapshot_id && (run.summary as { undo?: { requested_at?: string } } | null)?.undo ? (
        <p class="hint">
          This import was undone ({when((run.summary as { undo: { requested_at?: string } }).undo.requested_at ?? null)}): Live went back to{' '}
          <a href={`/scenarios/${run.snapshot_id}`}>the snapshot taken before it</a>.
        </p>
      ) : run.target.kind === 'live' && run.snapshot_id && props.undoRefused ? (
        <p class="hint">
          {props.undoRefused.message} {props.undoRefused.fix}
        </p>
      ) : run.target.kind === 'live' && run.snapshot_id ? (
        props.canUndo ? (
          <form method="post" action={`/imports/${run.id}/undo`} data-confirm="Undo this import? Live goes back to the snapshot taken before it. This is refused if Live changed since the import.">
            <input type="hidden" name="csrf" value={props.csrf} />
            <p class="hint">
              Undo restores <a href={`/scenarios/${run.snapshot_id}`}>the snapshot of Live taken before this import</a>.
            </p>
            <button type="submit" class="danger">
              Undo this import
            </button>
          </form>
        ) : (
          <p class="hint">
            Undoing an import restores <a href={`/scenarios/${run.snapshot_id}`}>the snapshot taken before it</a>, which needs the snapshots.restore ability.
          </p>
        )
      ) : null}
    </section>
  );
}

/**
 * What a run into Live did to it. A run of several steps between which other changes reached Live (a promotion, a
 * restore, another import) says each step's versions and which versions were not its own, instead of one span that
 * reads as if the run made every version in it.
 */
function LiveOutcome(props: { run: RunOut; summary: Summary; live: LiveStep }) {
  const { run, summary, live } = props;
  const rows = summary.rows ?? {};
  if (!live.changed) {
    return (
      <p>
        {(rows.imported ?? 0) === 0 && (rows.quarantined ?? 0) > 0
          ? 'Nothing in Live changed: no row could be imported yet — review the quarantined rows above.'
          : `Nothing in Live changed: ${run.source === 'upload' ? 'the file' : 'what the HRIS sent'} matched the organisation.`}
      </p>
    );
  }
  const links = (
    <>
      <a href="/live">See Live</a> · <a href="/live/lineage">Lineage</a>
    </>
  );
  const steps = (summary.steps ?? []).filter((s): s is { step: number; live: LiveStep } => !!s.live);
  const gapBefore = (i: number): [number, number] | null => (i > 0 && steps[i]!.live.version_before > steps[i - 1]!.live.version_after ? [steps[i - 1]!.live.version_after + 1, steps[i]!.live.version_before] : null);
  if (!steps.some((_, i) => gapBefore(i))) {
    return (
      <p>
        This import made Live version {live.version_after} (it was {live.version_before}). {links}
      </p>
    );
  }
  const versions = ([from, to]: [number, number]) => (from === to ? `version ${from}` : `versions ${from}–${to}`);
  return (
    <>
      <p>This import changed Live in steps, and other changes reached Live between them:</p>
      <ul class="run-live-steps">
        {steps.map((s, i) => {
          const gap = gapBefore(i);
          return (
            <>
              {gap ? (
                <li>
                  Between step {steps[i - 1]!.step} and step {s.step}: Live {versions(gap)} came from other changes (a promotion, a restore or another import), not from this import.
                </li>
              ) : null}
              <li>
                Step {s.step}: {s.live.changed ? `made Live version ${s.live.version_after} (it was ${s.live.version_before}).` : `changed nothing (Live was at version ${s.live.version_before}).`}
              </li>
            </>
          );
        })}
      </ul>
      <p>{links}</p>
    </>
  );
}
