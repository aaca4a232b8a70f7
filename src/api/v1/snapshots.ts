import { createRoute } from '@hono/zod-openapi';
import { serviceContext } from '../../access/middleware.js';
import { createSnapshot, listScenarios } from '../../scenarios/lifecycle.js';
import { AppError, InvalidInput } from '../../errors.js';
import { restoreSnapshot } from '../../scenarios/promotion.js';
import { itemEnvelope, listEnvelope, locationHeader, needs, pagedResponse, PageQuery, problemResponses } from '../schemas.js';
import { IdParam, json, listBody, pageOf, SECURITY, v1Router } from './common.js';
import { CreateSnapshotBody, ScenarioSchema, TaskSchema } from './scenario-schemas.js';
import { detach } from './tasks.js';

/** Snapshots: archived copies of Live. Read one with `scenario_id` on any org read; restoring one changes Live. */

const tags = ['Snapshots'];

const list = createRoute({
  method: 'get',
  path: '/api/v1/snapshots',
  tags,
  summary: 'List snapshots of Live, newest first',
  description:
    'Snapshots keep Live as it was: taken by hand (`POST /api/v1/snapshots`), before every promotion and restore, and before ' +
    'every import into Live. Restore one with `POST /api/v1/snapshots/{id}/restore`. The same records as ' +
    '`GET /api/v1/scenarios?kind=snapshot`; paged by `cursor`.',
  security: SECURITY,
  ...needs('scenarios.read'),
  request: { query: PageQuery },
  responses: { 200: pagedResponse('A page of snapshots', listEnvelope(ScenarioSchema)), ...problemResponses(400, 401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/api/v1/snapshots',
  tags,
  summary: 'Snapshot Live as it is now',
  description:
    'Records the current Live version as a read-only snapshot to compare with or restore later; nothing in Live changes. ' +
    'The name defaults to “Live on <today>”. Snapshots do not count against the plan’s scenario cap.',
  security: SECURITY,
  ...needs('scenarios.write'),
  request: { body: { ...json(CreateSnapshotBody), required: false } },
  responses: {
    201: { description: 'Created', headers: locationHeader('The snapshot’s path (read it as a scenario)', '/api/v1/scenarios/{id}'), ...json(itemEnvelope(ScenarioSchema)) },
    ...problemResponses(400, 401, 403),
  },
});

const restore = createRoute({
  method: 'post',
  path: '/api/v1/snapshots/{id}/restore',
  tags,
  summary: 'Restore a snapshot into Live (a background task)',
  description:
    'Live is snapshotted first, then set to the snapshot’s state. Poll `GET /api/v1/tasks/{id}`. A snapshot Live already ' +
    'matches record for record is refused with a 409 problem, code `nothing_to_restore`, and nothing is written.',
  security: SECURITY,
  ...needs('snapshots.restore'),
  request: { params: IdParam },
  responses: {
    202: { description: 'Started; the task to poll', headers: locationHeader('The task to poll', '/api/v1/tasks/{id}'), ...json(itemEnvelope(TaskSchema)) },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function snapshotRoutes() {
  const router = v1Router();
  router.openapi(list, async (c) => {
    const { items, nextCursor } = await listScenarios(serviceContext(c), { ...pageOf(c.req.valid('query')), kind: 'snapshot' });
    return c.json(listBody(c, { items, nextCursor }), 200);
  });
  router.openapi(
    create,
    async (c) => {
      const body = c.req.valid('json');
      const snapshot = await createSnapshot(serviceContext(c), { name: body.name, description: body.description });
      return c.json({ data: snapshot }, 201, { location: `/api/v1/scenarios/${snapshot.id}` });
    },
  );
  router.openapi(restore, async (c) => {
    const ctx = serviceContext(c);
    const started = await restoreSnapshot(ctx, c.req.valid('param').id).catch((error: unknown) => {
      // The service names its argument as MCP does (`snapshot_id`); here it is the path's `{id}`.
      if (error instanceof InvalidInput && error.field === 'snapshot_id') {
        throw new AppError('invalid_input', 400, 'Invalid id: it is not a snapshot; only snapshots can be restored.', 'Restore the id of a snapshot: GET /api/v1/snapshots lists them.', { field: 'id' });
      }
      throw error;
    });
    const task = detach(started, (err) => c.var.logger.error({ err, task: started.task.id }, 'restore task did not report back'));
    return c.json({ data: task }, 202, { location: `/api/v1/tasks/${task.id}` });
  });
  return router;
}
