import { Hono } from 'hono';
import type { Runtime } from '../app.js';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';
import { readSession } from '../access/sessions.js';
import { CSS, JS } from './static-assets.js';

/** The landing page of a host and the app's static assets (served by the app itself, no CDN). */
export function homeRoutes(_runtime: Runtime): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/static/app.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  web.get('/static/app.js', (c) => c.body(JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  web.get('/', async (c) => {
    const tenant = c.var.tenant;
    const session = await readSession(c);
    if (tenant && session?.tenantId === tenant.id && c.var.tenantSource === 'host') return c.redirect('/live', 303);
    // An organisation's own address on this installation (its base domain and port), not the demo's acme.localhost.
    const port = new URL(c.var.origin).port;
    const ownAddress = `yourcompany.${c.var.runtime.config.baseDomain}${port ? `:${port}` : ''}`;
    return c.html(
      <Layout title={tenant ? tenant.name : 'Welcome'} tenantName={tenant?.name}>
        <section class="card">
          <h1>{tenant ? tenant.name : 'Orgonaut'}</h1>
          <p>Organisation design and scenario planning.</p>
          {tenant ? (
            <>
              <p>
                <a class="button" href="/sign-in">
                  Sign in
                </a>
              </p>
              <p class="hint">
                AI assistants connect to <code>{`${c.var.origin}/mcp/orgonaut`}</code>.
              </p>
            </>
          ) : (
            <p>
              <a class="button" href="/sign-in">
                Sign in
              </a>{' '}
              to choose your organisation, or open its own address, for example <code>{ownAddress}</code>.
            </p>
          )}
        </section>
      </Layout>,
    );
  });
  return web;
}
