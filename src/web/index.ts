import { Hono } from 'hono';
import type { Runtime } from '../app.js';
import type { AppEnv } from '../http/env.js';
import { accountRoutes } from './account.js';
import { cliSignInRoutes } from './cli-sign-in.js';
import { homeRoutes } from './home.js';
import { importPageRoutes } from './imports/index.js';
import { pageAuth } from './page-auth.js';
import { integrationSettingsRoutes } from './settings/integrations.js';
import { settingsRoutes } from './settings/index.js';
import { signInRoutes } from './sign-in.js';
import { viewRoutes } from './views.js';

/** Pages that need a signed-in member of the host's tenant. */
export const SIGNED_IN_PATHS = ['/live', '/live/*', '/scenarios', '/scenarios/*', '/snapshots', '/snapshots/*', '/activity', '/activity/*', '/imports', '/imports/*', '/settings', '/settings/*', '/account', '/account/*'];

/** Every server-rendered page of the app. */
export function webRoutes(runtime: Runtime): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  for (const path of SIGNED_IN_PATHS) web.use(path, pageAuth());
  web.route('/', signInRoutes());
  web.route('/', cliSignInRoutes());
  web.route('/', accountRoutes());
  web.route('/', settingsRoutes());
  web.route('/', integrationSettingsRoutes());
  web.route('/', importPageRoutes());
  web.route('/', viewRoutes());
  web.route('/', homeRoutes(runtime));
  return web;
}
