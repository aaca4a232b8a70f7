import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { rateLimitFor } from '../../config.js';
import { RateLimited, rateLimitHeaders, rateLimitSubject } from '../../http/rate-limit.js';
import { problemResponse, toProblem } from '../problem.js';
import { withHeaders } from '../../http/response-headers.js';
import { metrics } from '../../observability/metrics.js';

/**
 * Rate limits of the REST API, per principal: each personal API token, and each signed-in user's browser session,
 * has its own budget (ORGONAUT_API_RATE_LIMIT, 600 requests a minute by default), counted in the database so every
 * instance counts together (src/http/rate-counter.ts: without a query per request).
 * Every answer carries `RateLimit-Policy: "requests";q=…;w=…` and `RateLimit: "requests";r=…;t=…`; over the limit, a 429 problem with `Retry-After`.
 */

/** Runs after authentication (it needs the principal). */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async function apiRateLimitMiddleware(c, next) {
    const principal = c.var.principal;
    if (!principal) return next();
    const rule = rateLimitFor(c.var.runtime.config.apiRateLimit, c.var.tenant?.plan ?? 'free');
    const result = await c.var.runtime.rateCounter.consume(`api:${principal.tenantId}:${rateLimitSubject(principal)}`, rule);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) {
      metrics.rateLimited.inc({ surface: 'rest' });
      return problemResponse(toProblem(new RateLimited(rule, result.retryAfter), c.var.requestId), headers);
    }
    await next();
    // Set in place; `c.res` is assigned (which copies the response) only when it had to be copied anyway.
    const answered = withHeaders(c.res, headers);
    if (answered !== c.res) c.res = answered;
  };
}
