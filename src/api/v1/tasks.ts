import { createRoute } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { can, type Principal } from '../../access/policy.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { getTask, listTasks, presentTask, type StartedTask } from '../../scenarios/tasks.js';
import { itemEnvelope, listEnvelope, needs, problemResponses } from '../schemas.js';
import { IdParam, json, SECURITY, v1Router } from './common.js';
import { TaskSchema } from './scenario-schemas.js';

/** Background tasks (promotion, restore): poll one, or list a scenario's. */

type TaskOut = ReturnType<typeof presentTask>;

/**
 * A task as this principal may see it: a promotion or restore result carries cost deltas (`monthly_cost_minor`,
 * `currency`), dropped without `costs.read` like every other money figure.
 */
export function taskFor(principal: Principal, task: TaskOut): TaskOut {
  if (can(principal, 'costs.read') || !task.result) return task;
  return { ...task, result: withoutMoney(task.result) as Record<string, unknown> };
}

function withoutMoney(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMoney);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!/_minor$|^currency$/.test(key)) out[key] = withoutMoney(v);
  return out;
}

/** The background work of a started task is not awaited by the request; a failure to report back is logged. */
export function detach(started: StartedTask, log: (error: unknown) => void): TaskOut {
  started.done.catch(log);
  return started.task;
}

const task = createRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}',
  tags: ['Tasks'],
  summary: 'A background task (promotion, restore): status, progress, result or error',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { params: IdParam },
  responses: { 200: { description: 'The task', ...json(itemEnvelope(TaskSchema)) }, ...problemResponses(401, 403, 404) },
});

const scenarioTasks = createRoute({
  method: 'get',
  path: '/api/v1/scenarios/{id}/tasks',
  tags: ['Tasks'],
  summary: 'The background tasks of a scenario or snapshot, newest first (the last 100)',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { params: IdParam },
  responses: { 200: { description: 'Tasks', ...json(listEnvelope(TaskSchema)) }, ...problemResponses(401, 403, 404) },
});

export function taskRoutes() {
  const router = v1Router();
  router.openapi(task, async (c) => {
    const ctx = serviceContext(c);
    return c.json({ data: taskFor(ctx.principal, await getTask(ctx, c.req.valid('param').id)) }, 200);
  });
  router.openapi(scenarioTasks, async (c) => {
    const ctx = serviceContext(c);
    const scenario = await getScenario(ctx, c.req.valid('param').id);
    const tasks = await listTasks(ctx, { scenarioId: scenario.id });
    return c.json({ data: tasks.map((t) => taskFor(ctx.principal, t)), next_cursor: null }, 200);
  });
  return router;
}
