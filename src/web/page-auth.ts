import type { Context, MiddlewareHandler } from 'hono';
import { readSession } from '../access/sessions.js';
import type { AppEnv } from '../http/env.js';
import { safeReturnTo } from './forms.js';

/**
 * Pages of a tenant need a signed-in member of that tenant: otherwise the browser goes to sign-in and comes back.
 * Sets `principal` (session credential: the role's abilities ∩ plan).
 */
export function pageAuth(): MiddlewareHandler<AppEnv> {
  return async function pageAuthMiddleware(c, next) {
    const tenant = c.var.tenant;
    if (!tenant || c.var.tenantSource !== 'host') return c.redirect('/sign-in', 303);
    const session = await readSession(c);
    const back = () => c.redirect(`/sign-in?return_to=${encodeURIComponent(pageToReturnTo(c))}`, 303);
    if (!session || session.tenantId !== tenant.id) return back();
    try {
      c.set('principal', await c.var.runtime.authenticator.fromSession(tenant, session.userId));
    } catch {
      return back();
    }
    await next();
  };
}

/**
 * Where sign-in should bring the browser back: the page asked for; for a form posted after the session ended, the
 * page the form was on (its same-origin Referer), since the address a form posts to is often no page at all.
 */
function pageToReturnTo(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return url.pathname + url.search;
  const referer = c.req.header('referer');
  if (!referer) return '/';
  try {
    const from = new URL(referer);
    return from.origin === c.var.origin ? safeReturnTo(from.pathname + from.search) : '/';
  } catch {
    return '/';
  }
}
