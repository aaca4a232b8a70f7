import type { Context, MiddlewareHandler } from 'hono';
import { readSession } from '../access/sessions.js';
import type { Principal } from '../access/policy.js';
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
    const principal = await sessionPrincipal(c);
    if (!principal) return c.redirect(`/sign-in?return_to=${encodeURIComponent(pageToReturnTo(c))}`, 303);
    c.set('principal', principal);
    await next();
  };
}

/** The member of the host's tenant this browser's session signs in, or null (no session, another tenant's, ended). */
export async function sessionPrincipal(c: Context<AppEnv>): Promise<Principal | null> {
  const tenant = c.var.tenant;
  if (!tenant || c.var.tenantSource !== 'host') return null;
  const session = await readSession(c);
  if (!session || session.tenantId !== tenant.id) return null;
  try {
    return await c.var.runtime.authenticator.fromSession(tenant, session.userId);
  } catch {
    return null;
  }
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
