import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';

/**
 * The organisation and scenario views (Live tree/chart, matrix, actor and org-unit pages, scenarios, snapshots,
 * lineage, activity). Each family of pages lives in its own module under web/live/ and web/scenarios/.
 */
export function viewRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  return web;
}
