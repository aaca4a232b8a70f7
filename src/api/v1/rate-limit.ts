import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { consumeRateLimit, rateLimitHeaders, type RateLimit } from '../../http/rate-limit.js';
import { problemResponse, toProblem } from '../problem.js';

/**
 * Rate limits of the REST API, per principal: each personal API token, and each signed-in user's browser session,
 * has its own budget (ORGONAUT_API_RATE_LIMIT, 600 requests a minute by default), counted in the database so every instance counts together.
 * Every answer carries `RateLimit: limit=…, remaining=…, reset=…`; over the limit, a 429 problem with `Retry-After`.
 */

export class RateLimited extends AppError {
  constructor(rule: RateLimit, retryAfter: number) {
    super(
      'rate_limited',
      429,
      `Too many requests: this credential may make ${rule.limit} requests every ${rule.windowSeconds} seconds.`,
      `Wait ${retryAfter} seconds (see Retry-After), then slow down or spread the work over time.`,
      { limit: rule.limit, window_seconds: rule.windowSeconds, retry_after: retryAfter },
    );
  }
}

/** Runs after authentication (it needs the principal). */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async function apiRateLimitMiddleware(c, next) {
    const principal = c.var.principal;
    if (!principal) return next();
    const rule = c.var.runtime.config.apiRateLimit;
    const who = principal.tokenId ? `token:${principal.tokenId}` : `${principal.kind}:${principal.userId ?? 'system'}`;
    const result = await consumeRateLimit(c.var.runtime.database.db, `api:${principal.tenantId}:${who}`, rule);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) return problemResponse(toProblem(new RateLimited(rule, result.retryAfter), c.var.requestId), headers);
    await next();
    try {
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    } catch {
      // Immutable headers (a Response.redirect or a fetched response): copy the response, then set them.
      c.res = new Response(c.res.body, c.res);
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    }
  };
}
