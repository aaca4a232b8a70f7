import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Db } from '../db/connection.js';
import type { RateLimit } from '../config.js';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';
import { trustedForwarded } from './forwarded.js';

/**
 * Rate limits kept in the database, so every instance counts together (sign-in attempts, OAuth registration and
 * token requests, governed actions, …). One statement per attempt. Counts are kept per fixed window; the exact
 * limits (consumeRateLimit, peekRateLimit) weigh the previous window in by how much of it still overlaps the last
 * `windowSeconds` (a sliding-window estimate), so nobody gets twice the limit by straddling a window boundary.
 */
export type { RateLimit } from '../config.js';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Length of the rule's window, in seconds. */
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window resets. */
  retryAfter: number;
  /** Attempts counted in the window so far, this one included. */
  count: number;
  /** Attempts counted in the window before (weighed in by how much of it is still within the last window's length). */
  previous: number;
}

/**
 * The stored counter of a key and rule. The window's length is part of it: windows of different lengths on one key
 * often start at the same second (a minute's and an hour's on the hour) and must not share a count.
 */
export function counterKey(key: string, rule: RateLimit): string {
  return `${key}/${rule.windowSeconds}s`;
}

export async function consumeRateLimit(db: Db, key: string, rule: RateLimit): Promise<RateLimitResult> {
  const nowSeconds = Date.now() / 1000;
  const windowStart = windowStartOf(rule, nowSeconds);
  const counter = counterKey(key, rule);
  const result = await db.execute(sql`
    with counted as (
      insert into rate_limits (key, window_start, count) values (${counter}, to_timestamp(${windowStart}), 1)
      on conflict (key, window_start) do update set count = rate_limits.count + 1
      returning count)
    select (select count from counted) as count,
      (select count from rate_limits where key = ${counter} and window_start = to_timestamp(${windowStart - rule.windowSeconds})) as previous`);
  const counts = countsOf(result, 1);
  if (Math.random() < 0.01) {
    await db.execute(sql`delete from rate_limits where window_start < now() - interval '1 day'`);
  }
  return budgetAfter(rule, counts.count, windowStart, nowSeconds, counts.previous);
}

/**
 * The budget left without counting anything: whether one more would be allowed. For limits that count only failures
 * (sign-in per account): peek first, count the attempt once it failed.
 */
export async function peekRateLimit(db: Db, key: string, rule: RateLimit): Promise<RateLimitResult> {
  const nowSeconds = Date.now() / 1000;
  const windowStart = windowStartOf(rule, nowSeconds);
  const counter = counterKey(key, rule);
  const result = await db.execute(sql`
    select (select count from rate_limits where key = ${counter} and window_start = to_timestamp(${windowStart})) as count,
      (select count from rate_limits where key = ${counter} and window_start = to_timestamp(${windowStart - rule.windowSeconds})) as previous`);
  const counts = countsOf(result, 0);
  return budgetAfter(rule, counts.count + 1, windowStart, nowSeconds, counts.previous, false);
}

/**
 * For limits that count only failures (a wrong password): the attempt is counted before it is judged — so attempts
 * sent all at once cannot each pass a peek and all be judged — and `refund` takes it back when it did not count: it
 * was refused by this limit, or it succeeded. Call `refund` at most once.
 */
export async function reserveRateLimit(db: Db, key: string, rule: RateLimit): Promise<RateLimitResult & { refund(): Promise<void> }> {
  const windowStart = windowStartOf(rule, Date.now() / 1000);
  const result = await consumeRateLimit(db, key, rule);
  const refund = async () => {
    await db.execute(sql`
      update rate_limits set count = count - 1
      where key = ${counterKey(key, rule)} and window_start = to_timestamp(${windowStart}) and count > 0`);
  };
  return { ...result, refund };
}

function countsOf(result: unknown, fallback: number): { count: number; previous: number } {
  const row = (result as { rows: { count: number | string | null; previous: number | string | null }[] }).rows[0];
  return { count: Number(row?.count ?? fallback), previous: Number(row?.previous ?? 0) };
}

/** The start (epoch seconds) of the rule's fixed window that holds `nowSeconds`. */
export function windowStartOf(rule: RateLimit, nowSeconds: number): number {
  return Math.floor(nowSeconds / rule.windowSeconds) * rule.windowSeconds;
}

/**
 * What is left of the rule's budget once `count` requests of the window starting at `windowStart` were made (this
 * one included), and `previous` in the window before it. The previous window counts for the part of it still inside
 * the last `windowSeconds` (all of it at the boundary, nothing a window later), rounded up. `refusedIsCounted`: this
 * request stays in the count even when refused (security limits: every guess counts), which puts off the next.
 */
export function budgetAfter(rule: RateLimit, count: number, windowStart: number, nowSeconds: number, previous = 0, refusedIsCounted = true): RateLimitResult {
  const weighted = count + carriedOver(rule, previous, nowSeconds - windowStart);
  const allowed = weighted <= rule.limit;
  const resetAt = allowed ? windowStart + rule.windowSeconds : nextAllowedAt(rule, refusedIsCounted ? count : count - 1, previous, windowStart);
  return {
    allowed,
    limit: rule.limit,
    windowSeconds: rule.windowSeconds,
    remaining: Math.max(0, rule.limit - weighted),
    retryAfter: Math.max(1, Math.ceil(resetAt - nowSeconds)),
    count,
    previous,
  };
}

/** How many of the previous window's `previous` requests still count, `elapsed` seconds into this window. */
function carriedOver(rule: RateLimit, previous: number, elapsed: number): number {
  return Math.ceil(previous * Math.max(0, 1 - elapsed / rule.windowSeconds));
}

/**
 * When (epoch seconds) the next request would pass, `counted` requests of this window stored and none made before:
 * later in this window once enough of the previous one has slid out, or — this window full — into the next, once
 * enough of this one has.
 */
function nextAllowedAt(rule: RateLimit, counted: number, previous: number, windowStart: number): number {
  const { limit, windowSeconds } = rule;
  // carriedOver(n, e) ≤ room  ⇔  e ≥ windowSeconds × (1 − room / n)
  const slidOutBy = (room: number, n: number) => (n > room ? windowSeconds * (1 - room / n) : 0);
  if (counted + 1 <= limit) return windowStart + slidOutBy(limit - counted - 1, previous);
  return windowStart + windowSeconds + slidOutBy(limit - 1, counted);
}

/**
 * `RateLimit-Policy` / `RateLimit` (draft-ietf-httpapi-ratelimit-headers-09, structured fields: the policy's quota
 * `q` per window `w` seconds; the remaining `r` and seconds to reset `t`) and, when refused, `Retry-After`.
 */
export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"requests";q=${result.limit};w=${result.windowSeconds}`,
    RateLimit: `"requests";r=${result.remaining};t=${result.retryAfter}`,
  };
  if (!result.allowed) headers['Retry-After'] = String(result.retryAfter);
  return headers;
}

/**
 * The client's address: the socket peer, or — behind N trusted proxies — the N-th X-Forwarded-For entry from the
 * right. Proxies append the address they saw, so entries further left were written by the client and prove nothing
 * (taking the first would let anyone pick a fresh address per request and escape every per-address limit).
 */
export function clientIp(c: Context<AppEnv>): string {
  const forwarded = trustedForwarded(c.req.header('x-forwarded-for'), c.var.runtime.config.proxyHops);
  if (forwarded) return forwarded;
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

/** Past a credential's limit: 429, saying when to try again (REST problem, MCP tool error or JSON-RPC error). */
export class RateLimited extends AppError {
  constructor(rule: RateLimit, retryAfter: number, what = 'requests') {
    super(
      'rate_limited',
      429,
      `Too many ${what}: this credential may make ${rule.limit} ${what} every ${rule.windowSeconds} seconds.`,
      `Wait ${retryAfter} seconds (see Retry-After), then slow down or spread the work over time.`,
      { limit: rule.limit, window_seconds: rule.windowSeconds, retry_after: retryAfter },
    );
  }
}

/** Who a rate limit counts for: the personal token, else the OAuth client and user, else the user's session. */
export function rateLimitSubject(principal: { tokenId?: string; clientId?: string; kind: string; userId: string | null }): string {
  if (principal.tokenId) return `token:${principal.tokenId}`;
  if (principal.clientId) return `oauth:${principal.clientId}:${principal.userId ?? 'system'}`;
  return `${principal.kind}:${principal.userId ?? 'system'}`;
}
