import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { readSession, verifyCsrf } from '../access/sessions.js';
import { maskToken } from '../secrets/masked-token.js';
import { MCP_PATH } from '../mcp/urls.js';

/** Form plumbing shared by every page: origin checks, CSRF tokens, safe redirects. */

export class CsrfRejected extends AppError {
  constructor() {
    super('csrf_rejected', 403, 'This form has expired or did not come from this site.', 'Reload the page and try again.');
  }
}

/**
 * Refuses cross-origin form posts (the browser sends Origin on every POST). Not on the MCP endpoint: it has its own
 * Origin policy (the host's origin plus MCP_ALLOWED_ORIGINS, answered as a JSON-RPC error), which this check would
 * otherwise pre-empt with a CSRF problem, refusing the configured origins too.
 */
export function sameOriginForms(): MiddlewareHandler<AppEnv> {
  return async function sameOriginFormsMiddleware(c, next) {
    if (c.req.method === 'POST' && c.req.path !== MCP_PATH) {
      const origin = c.req.header('origin');
      if (origin && origin !== c.var.origin) throw new CsrfRejected();
    }
    await next();
  };
}

/**
 * The double-submit cookie of pre-session forms. On https it is a `__Host-` cookie (Secure, Path=/, no Domain), as the
 * session's is: a sibling subdomain (another tenant's address) or a plain-http page cannot plant a token of its
 * choosing for this host, which would turn the double submit into a forgeable pair (login CSRF).
 */
function preSessionCookie(c: Context<AppEnv>): string {
  return c.var.origin.startsWith('https://') ? '__Host-orgonaut_form' : 'orgonaut_form';
}

/** A CSRF token for forms shown before anyone is signed in (double-submit cookie). */
export function preSessionCsrf(c: Context<AppEnv>): string {
  const name = preSessionCookie(c);
  let token = getCookie(c, name);
  if (!token) {
    token = randomBytes(24).toString('base64url');
    const secure = c.var.origin.startsWith('https://');
    setCookie(c, name, token, { path: '/', httpOnly: true, secure, sameSite: 'Strict', maxAge: 3600 });
  }
  // The cookie keeps the token; the page gets it masked anew each time, as a session's (see formCsrf).
  return maskToken(token);
}

export function checkPreSessionCsrf(c: Context<AppEnv>, given: unknown): void {
  const expected = getCookie(c, preSessionCookie(c));
  if (!expected || !verifyCsrf(expected, given)) throw new CsrfRejected();
}

/** Checks the CSRF field of a form posted by a signed-in user; returns the session. */
export async function checkSessionCsrf(c: Context<AppEnv>, given: unknown) {
  const session = await readSession(c);
  if (!session || !verifyCsrf(session.csrfToken, given)) throw new CsrfRejected();
  return session;
}

/**
 * A same-site relative path to go back to after a form, or `/`: never an absolute URL (no open redirect). Judged on
 * the normalised path too: `/.//evil.example` and `/a/..//evil.example` normalise to `//evil.example`, which a
 * browser follows to another site.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  try {
    const url = new URL(value, 'http://x');
    return url.host === 'x' && !url.pathname.startsWith('//') ? `${url.pathname}${url.search}` : '/';
  } catch {
    return '/';
  }
}

export function formString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}
