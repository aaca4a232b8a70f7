import { can } from '../../access/policy.js';
import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { NotFound } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { getTask } from '../../scenarios/tasks.js';
import { Shell } from '../shell.js';
import { deltaClass, lineageCost, signed, when } from '../live/format.js';
import { ScenarioHead, TaskStatus } from './overview.js';

/**
 * A background task of a scenario or snapshot (promotion, restore): its status, refreshed every 2 s while it runs
 * (a `Refresh` header — no script, the CSP forbids inline ones), then its result or its error.
 */
const RUNNING = new Set(['pending', 'running']);

type TaskResult = {
  snapshot_id?: string;
  applied_scenario_id?: string;
  restored_snapshot_id?: string;
  live_version?: number;
  records_written?: number;
  deltas?: { headcount?: number; fte?: number; effective_fte?: number; monthly_cost_minor?: number | null; monthly_cost_unconvertible?: string[]; currency?: string };
};

export function taskRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id/tasks/:taskId', async (c) => {
    const ctx = serviceContext(c);
    const scenario = await getScenario(ctx, c.req.param('id'));
    const task = await getTask(ctx, c.req.param('taskId'));
    if (task.scenario_id !== scenario.id) throw new NotFound('Task', c.req.param('taskId'));
    const running = RUNNING.has(task.status);
    if (running) c.header('Refresh', '2');
    const result = (task.result ?? {}) as TaskResult;
    const what = task.kind === 'promotion' ? 'Promotion to Live' : task.kind === 'restore' ? 'Restore into Live' : task.kind;
    const stage = typeof task.progress?.stage === 'string' ? task.progress.stage : null;
    return c.html(
      <Shell c={c} title={`${what} · ${scenario.name}`} active={scenario.kind === 'snapshot' ? '/snapshots' : '/scenarios'} wide>
        <ScenarioHead scenario={scenario} active="task" canEdit={can(c.var.principal!, 'scenarios.write')} />
        <section class="card" aria-labelledby="task-title">
          <h2 id="task-title">{what}</h2>
          <p role="status" aria-live="polite" class="task-status">
            Status: <TaskStatus status={task.status} />
            {stage && running ? <span class="hint"> ({stage})</span> : null}
          </p>
          {running ? (
            <p class="hint">
              This page refreshes every 2 seconds until the task ends. <a href={c.req.path}>Refresh now</a>
            </p>
          ) : null}
          <dl class="facts">
            <dt>Started</dt>
            <dd>{when(task.started_at ?? task.created_at)}</dd>
            {task.finished_at ? (
              <>
                <dt>Finished</dt>
                <dd>{when(task.finished_at)}</dd>
              </>
            ) : null}
          </dl>
          {task.status === 'failed' ? (
            <p class="notice error" role="alert">
              {task.error ?? 'The task failed.'} Nothing was applied to Live.
            </p>
          ) : null}
          {task.status === 'succeeded' ? (
            <>
              <p class="notice ok">
                Done: Live is now version {result.live_version ?? '–'} ({result.records_written ?? 0} {result.records_written === 1 ? 'record' : 'records'} written).{' '}
                <a href="/live">See Live</a>
              </p>
              {result.deltas ? (
                <dl class="stats" aria-label="What changed in Live">
                  <div>
                    <dt>Headcount</dt>
                    <dd class={deltaClass(result.deltas.headcount, 'headcount')}>{signed(result.deltas.headcount, 0)}</dd>
                  </div>
                  <div>
                    <dt>FTE</dt>
                    <dd class={deltaClass(result.deltas.fte, 'fte')}>{signed(result.deltas.fte)}</dd>
                  </div>
                  <div>
                    <dt>Effective FTE</dt>
                    <dd class={deltaClass(result.deltas.effective_fte, 'effective_fte')}>{signed(result.deltas.effective_fte)}</dd>
                  </div>
                  {result.deltas.monthly_cost_minor !== undefined ? (
                    <div>
                      <dt>Monthly cost</dt>
                      <dd class={deltaClass(result.deltas.monthly_cost_minor, 'monthly_cost_minor')}>
                        {lineageCost(result.deltas, ctx.tenant.reportingCurrency)}
                      </dd>
                    </div>
                  ) : null}
                </dl>
              ) : null}
              <p class="actions">
                {result.applied_scenario_id ? <a href={`/scenarios/${result.applied_scenario_id}/delta`}>What the promotion changed</a> : null}
                {result.snapshot_id ? <a href={`/scenarios/${result.snapshot_id}`}>The snapshot of Live before</a> : null}
                <a href="/live/lineage">Lineage</a>
              </p>
            </>
          ) : null}
        </section>
      </Shell>,
    );
  });
  return web;
}
