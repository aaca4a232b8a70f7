import { createRoute, z } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { getTask, pageTasks, presentTask, TASK_KINDS, TASK_STATUSES, type StartedTask } from '../../scenarios/tasks.js';
import { itemEnvelope, listEnvelope, needs, pagedResponse, PageQuery, problemResponses } from '../schemas.js';
import { IdParam, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { TaskSchema } from './scenario-schemas.js';

/** Background tasks (promotion, restore, an import's undo): list the tenant's, poll one, or list a scenario's. */

type TaskOut = ReturnType<typeof presentTask>;

/** The background work of a started task is not awaited by the request; a failure to report back is logged. */
export function detach(started: StartedTask, log: (error: unknown) => void): TaskOut {
  started.done.catch(log);
  return started.task;
}

/** `status` and `kind`: which tasks a list shows. */
const TaskFilter = PageQuery.extend({
  status: z.enum(TASK_STATUSES).optional().openapi({ description: 'Only tasks in this state: pending, running, succeeded or failed' }),
  kind: z.enum(TASK_KINDS).optional().openapi({ description: 'Only tasks of this kind: promotion, restore or import (an import’s undo)' }),
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/tasks',
  tags: ['Tasks'],
  summary: 'List background tasks (promotions, restores, import undos), newest first',
  description:
    'Every background task of this tenant, newest first: what is still `pending` or `running` (`?status=running`), what ' +
    '`failed` and why (`error`), or every promotion (`?kind=promotion`). Filter by `status` (pending, running, succeeded, ' +
    'failed) and `kind` (promotion, restore, import); paged by `limit` and the `next_cursor` of the previous page, with the ' +
    'same filters. Follow one with `GET /api/v1/tasks/{id}`; a scenario’s own are at `GET /api/v1/scenarios/{id}/tasks`. ' +
    'Results carry money figures only with `costs.read`.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { query: TaskFilter },
  responses: { 200: pagedResponse('A page of tasks', listEnvelope(TaskSchema)), ...problemResponses(400, 401, 403) },
});

const task = createRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}',
  tags: ['Tasks'],
  summary: 'A background task (promotion, restore): status, progress, result or error',
  description:
    'Promotions, restores and an import’s undo run in the background: their `POST` answers 202 with the task, and this route ' +
    'follows it — `pending`, `running`, then `succeeded` with a `result` (the snapshot taken of Live, the applied scenario, the ' +
    'Live version) or `failed` with an `error` saying why. Poll it until `finished_at` is set. `progress.stage` names the stage ' +
    'it is in while it runs (a promotion: `applying`), and is `done` (with `percent` 100) once it has succeeded; a failed ' +
    'task keeps the stage it failed in.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { params: IdParam },
  responses: { 200: { description: 'The task', ...json(itemEnvelope(TaskSchema)) }, ...problemResponses(401, 403, 404) },
});

const scenarioTasks = createRoute({
  method: 'get',
  path: '/api/v1/scenarios/{id}/tasks',
  tags: ['Tasks'],
  summary: 'The background tasks of a scenario or snapshot, newest first',
  description:
    'Every promotion or restore started for this scenario or snapshot (and every import into it), newest first, with its status, ' +
    'result or error: where to look when a promotion is not yet visible in Live, or why it failed. Filtered and paged like ' +
    '`GET /api/v1/tasks` (`status`, `kind`, `limit`, `cursor`). Another tenant’s id is a 404.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { params: IdParam, query: TaskFilter },
  responses: { 200: pagedResponse('A page of tasks', listEnvelope(TaskSchema)), ...problemResponses(400, 401, 403, 404) },
});

export function taskRoutes() {
  const router = v1Router();
  router.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(listBody(c, await pageTasks(serviceContext(c), { ...pageOf(query), status: query.status, kind: query.kind })), 200);
  });
  router.openapi(task, async (c) => {
    const ctx = serviceContext(c);
    return c.json({ data: await getTask(ctx, c.req.valid('param').id) }, 200);
  });
  router.openapi(scenarioTasks, async (c) => {
    const query = c.req.valid('query');
    const page = await pageTasks(serviceContext(c), { ...pageOf(query), status: query.status, kind: query.kind, scenarioId: c.req.valid('param').id });
    return c.json(listBody(c, page), 200);
  });
  return router;
}
