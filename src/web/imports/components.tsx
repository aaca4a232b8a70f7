import type { Context, ErrorHandler } from 'hono';
import { anyOfRoles, grantorsIn, rolesIncluding } from '../../access/bundles.js';
import type { Child } from 'hono/jsx';
import { AppError, MissingAbility } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import type { RunOut } from '../../imports/present.js';
import type { RowReason } from '../../imports/review.js';
import { SubNav } from '../live/components.js';
import { pageErrorHandler } from '../live/page-errors.js';
import { Shell } from '../shell.js';

/** Pieces shared by the import pages: the run's heading and views, badges, reasons in plain words, errors. */

export const RUN_STATUS_LABELS: Record<RunOut['status'], string> = {
  pending: 'not started',
  processing: 'running',
  completed: 'completed',
  failed: 'failed',
};

export function RunStatus(props: { status: RunOut['status'] }) {
  const cls = props.status === 'completed' ? 'badge ok' : props.status === 'failed' ? 'badge danger' : props.status === 'processing' ? 'badge warn' : 'badge';
  return <span class={cls}>{RUN_STATUS_LABELS[props.status]}</span>;
}

/** Reason codes as a short phrase a reviewer understands (the code itself is shown beside it); one list with the CLI's. */
import { FAMILY_LABELS, reasonTitle } from '../../imports/reasons.js';
export { FAMILY_LABELS, reasonTitle };

export const STAGE_LABELS: Record<string, string> = {
  parse: 'Parse',
  actors: 'Actors',
  managers: 'Managers',
  teams: 'Teams',
  departments: 'Departments',
  placements: 'Placements',
  positions: 'Positions',
  compensations: 'Compensations',
  finalize: 'Finalize',
};

export function runTitle(run: Pick<RunOut, 'file' | 'id'>): string {
  return run.file.name ?? `Import ${run.id.slice(0, 8)}`;
}

/** Breadcrumb, heading with the status, and the run's views (mapping only while it can still change). */
export function RunHead(props: { run: RunOut; active: 'mapping' | 'progress' | 'review'; targetName: string | null }) {
  const { run } = props;
  const base = `/imports/${run.id}`;
  const items: [string, string][] = [];
  if (run.status === 'pending') items.push([base, 'Mapping and preview']);
  items.push([`${base}/progress`, 'Progress']);
  if (run.step > 0) items.push([`${base}/review`, 'Review quarantined rows']);
  const active = props.active === 'mapping' ? base : `${base}/${props.active}`;
  const prefix = props.active === 'mapping' ? 'Import' : props.active === 'progress' ? 'Progress' : 'Review';
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href="/imports">Imports</a>
          </li>
          <li aria-current="page">{runTitle(run)}</li>
        </ol>
      </nav>
      <div class="page-head">
        <h1>
          {prefix}: {runTitle(run)}
        </h1>
        <p>
          <RunStatus status={run.status} /> <span class="hint">into {props.targetName ?? 'Live'}</span>
        </p>
      </div>
      <SubNav label="Import views" items={items} active={active} />
    </>
  );
}

/** Where a run imports into, as words and a link. */
export function TargetLabel(props: { target: RunOut['target']; names: ReadonlyMap<string, string> }) {
  if (props.target.kind === 'live') return <>Live</>;
  const id = props.target.scenario_id ?? '';
  return (
    <>
      Scenario <a href={`/scenarios/${id}`}>{props.names.get(id) ?? id.slice(0, 8)}</a>
    </>
  );
}


/**
 * Errors a form re-renders with its message: any refusal of ours (bad input, a refused file, a conflict, a missing
 * ability, another tenant's id) except a failed CSRF check, which goes to the error page.
 */
export function formRefusal(error: unknown): AppError | null {
  if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.code !== 'csrf_rejected') return error;
  return null;
}

export function refusalStatus(error: AppError): 400 | 403 | 404 | 409 | 413 | 415 | 422 {
  return error.status as 400;
}

/** "Not available for your role": a page in the signed-in frame, for people without the ability a page needs. */
export function NotForYourRole(props: { c: Context<AppEnv>; title: string; active?: string; children: Child }) {
  return (
    <Shell c={props.c} title={props.title} active={props.active}>
      <section class="card" role="alert" aria-labelledby="denied-title">
        <h1 id="denied-title">{props.title}: not available for your role</h1>
        {props.children}
        <p class="actions">
          <a href="/live">Organisation</a>
          <a href="/settings">Settings</a>
        </p>
      </section>
    </Shell>
  );
}

/**
 * Errors on the import pages: without `imports.manage` a clear "not available for your role" page (403); other
 * known refusals — another tenant's run id included (404) — as on the organisation pages.
 */
export const importErrorHandler: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof MissingAbility && error.ability === 'imports.manage' && c.var.principal && c.var.session) {
    return c.html(
      <NotForYourRole c={c} title="Imports" active="/imports">
        <p>
          Importing people from a CSV file or an HRIS, and reviewing the rows it could not import, needs the <code>imports.manage</code> ability
          ({rolesIncluding('imports.manage', c.var.principal.bundles, 'organisation')}).
        </p>
        <p class="hint">Ask {anyOfRoles(grantorsIn(c.var.principal.bundles))} of this organisation if you need to import data.</p>
      </NotForYourRole>,
      403,
    );
  }
  return pageErrorHandler(error, c);
};

/** A row's problems: its reason, and each further problem found on it, with the field at fault, the detail and the fix. */
export function Problems(props: { reason: RowReason }) {
  const all = [props.reason, ...props.reason.others];
  const one = (p: RowReason | RowReason['others'][number]) => (
    <>
      <p>
        <strong>{reasonTitle(p.code)}</strong> <code>{p.code}</code>
        {p.field ? (
          <>
            {' '}
            in <code>{p.field}</code>
          </>
        ) : null}
        {p.detail ? ` — ${p.detail}${p.detail.endsWith('.') ? '' : '.'}` : null}
      </p>
      {p.fix ? <p class="hint">Fix: {p.fix}</p> : null}
    </>
  );
  if (all.length === 1) return one(props.reason);
  return (
    <ul class="problems">
      {all.map((p) => (
        <li>{one(p)}</li>
      ))}
    </ul>
  );
}
