import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { importErrorHandler } from './components.js';
import { importListRoutes } from './list.js';
import { importMappingRoutes } from './mapping.js';
import { importProgressRoutes } from './progress.js';
import { importReviewRoutes } from './review.js';

/**
 * The import pages (`/imports`, a run's mapping and preview, its progress, its quarantine review). They sit behind
 * `pageAuth` (web/index.ts SIGNED_IN_PATHS) and need `imports.manage`, which the services check; without it the
 * pages say so in plain words.
 */
export function importPageRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  for (const routes of [importListRoutes(), importMappingRoutes(), importProgressRoutes(), importReviewRoutes()]) {
    routes.onError(importErrorHandler);
    web.route('/', routes);
  }
  return web;
}
