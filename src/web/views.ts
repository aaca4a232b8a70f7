import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
import { actorRoutes } from './live/actor.js';
import { lineageRoutes } from './live/lineage.js';
import { matrixRoutes } from './live/matrix.js';
import { spansRoutes } from './live/spans.js';
import { pageErrorHandler } from './live/page-errors.js';
import { treeRoutes } from './live/tree.js';
import { unitRoutes } from './live/unit.js';
import { activityRoutes } from './scenarios/activity.js';
import { deltaRoutes } from './scenarios/delta.js';
import { scenarioListRoutes } from './scenarios/list.js';
import { overviewRoutes } from './scenarios/overview.js';
import { scenarioEditRoutes } from './scenarios/edit.js';
import { snapshotRoutes } from './scenarios/snapshots.js';
import { taskRoutes } from './scenarios/task.js';
import { trayRoutes } from './scenarios/tray.js';
import { suggestRoutes } from './scenarios/tray-suggest.js';

/**
 * The organisation and scenario views (Live tree/chart, matrix, actor and org-unit pages, scenarios, snapshots,
 * lineage, activity). Each family of pages lives in its own module under web/live/ and web/scenarios/. They sit
 * behind `pageAuth` (web/index.ts SIGNED_IN_PATHS); known refusals render inside the signed-in frame.
 */
export function viewRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  for (const routes of [
    treeRoutes(),
    lineageRoutes(),
    matrixRoutes(),
    spansRoutes(),
    unitRoutes(),
    actorRoutes(),
    scenarioListRoutes(),
    overviewRoutes(),
    scenarioEditRoutes(),
    trayRoutes(),
    suggestRoutes(),
    deltaRoutes(),
    taskRoutes(),
    snapshotRoutes(),
    activityRoutes(),
  ]) {
    routes.onError(pageErrorHandler);
    web.route('/', routes);
  }
  return web;
}
