import type { MiddlewareHandler } from 'hono';
import { readSession } from '../access/sessions.js';
import type { AppEnv } from '../http/env.js';

/**
 * Pages of a tenant need a signed-in member of that tenant: otherwise the browser goes to sign-in and comes back.
 * Sets `principal` (session credential: the role's abilities ∩ plan).
 */
export function pageAuth(): MiddlewareHandler<AppEnv> {
  return async function pageAuthMiddleware(c, next) {
    const tenant = c.var.tenant;
    if (!tenant || c.var.tenantSource !== 'host') return c.redirect('/sign-in', 303);
    const session = await readSession(c);
    const back = () => {
      const url = new URL(c.req.url);
      return c.redirect(`/sign-in?return_to=${encodeURIComponent(url.pathname + url.search)}`, 303);
    };
    if (!session || session.tenantId !== tenant.id) return back();
    try {
      c.set('principal', await c.var.runtime.authenticator.fromSession(tenant, session.userId));
    } catch {
      return back();
    }
    await next();
  };
}
