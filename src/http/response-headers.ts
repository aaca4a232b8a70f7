import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/** HSTS of every answer when the public scheme is https (the app's and the OAuth provider's): a year, subdomains too. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The response with `headers` set. In place when its headers are mutable (what handlers return), which keeps the
 * HTTP server's fast path for a body it already holds; a response with immutable headers (Response.redirect, a
 * fetched one) is copied first. Streams pass through untouched.
 */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (!entries.length) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}

/**
 * Answers are private unless they say otherwise: a response that names no caching policy gets
 * `Cache-Control: no-store`, so pages of a signed-in person (names, salaries, links with secrets), error pages and
 * redirects never land in a browser's disk cache or a shared proxy, and Back after signing out shows nothing. What
 * may be cached says so itself (static assets, discovery documents, the API's private ETag answers).
 */
export function noStoreByDefault(): MiddlewareHandler<AppEnv> {
  return async function noStoreByDefaultMiddleware(c, next) {
    await next();
    if (c.res.headers.has('cache-control')) return;
    const answered = withHeaders(c.res, { 'cache-control': 'no-store' });
    if (answered !== c.res) c.res = answered;
  };
}

/**
 * Every answer names its request: `X-Request-Id` (the id a problem's `instance` and the request's log line carry).
 * hono's requestId() sets it on answers the handlers build, but not on those made elsewhere — problem details from
 * the error handler (a 400, 404, 413), a 429 — where it is needed most.
 */
export function answerWithRequestId(): MiddlewareHandler<AppEnv> {
  return async function answerWithRequestIdMiddleware(c, next) {
    await next();
    const id = c.get('requestId');
    if (!id || c.res.headers.has('x-request-id')) return;
    const answered = withHeaders(c.res, { 'x-request-id': id });
    if (answered !== c.res) c.res = answered;
  };
}
