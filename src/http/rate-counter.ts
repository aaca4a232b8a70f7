import { sql } from 'drizzle-orm';
import type { RateLimit } from '../config.js';
import { rows, type Db } from '../db/connection.js';
import { budgetAfter, consumeRateLimit, counterKey, windowStartOf, type RateLimitResult } from './rate-limit.js';

/** How often a process adds its local counts to the shared rows. */
const FLUSH_MS = 250;

interface Window {
  /** Epoch seconds the window started. */
  start: number;
  rule: RateLimit;
  /** The shared count as this process last read it (every instance's requests, ours included). */
  shared: number;
  /** Requests counted here since then, not yet added to the shared row. */
  pending: number;
  /** The shared count of the window before, as read at this window's first request here. */
  previous: number;
}

/**
 * Per-credential request budgets (REST, MCP) counted in the database like every rate limit, so every instance
 * counts together — without a database round trip per request. The first request of a credential in a window
 * counts in the database and reads the shared count; later ones count in this process, which adds its counts to
 * the shared row every 250 ms (one statement for every credential) and reads the total back. Within one process the
 * count is exact; across instances a credential may pass its limit by what the others counted in the last 250 ms.
 * Security limits (sign-in, OAuth, governed actions) stay exact: they use `consumeRateLimit` directly.
 */
export class SharedRateCounter {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  async consume(key: string, rule: RateLimit): Promise<RateLimitResult> {
    const nowSeconds = Date.now() / 1000;
    const start = windowStartOf(rule, nowSeconds);
    const id = counterKey(key, rule);
    const window = this.windows.get(id);
    if (!window || window.start !== start) {
      // First in this window here: count in the database, and learn what the other instances counted.
      const result = await consumeRateLimit(this.db, key, rule);
      const current = this.windows.get(id);
      if (current && current.start === start) current.shared = Math.max(current.shared, result.count);
      else this.windows.set(id, { start, rule, shared: result.count, pending: 0, previous: result.previous });
      return result;
    }
    // A refused request is not counted: a client that waits as long as Retry-After says gets in then.
    const result = budgetAfter(rule, window.shared + window.pending + 1, start, nowSeconds, window.previous, false);
    if (result.allowed) {
      window.pending++;
      this.scheduleFlush();
    }
    return result;
  }

  /** Adds the local counts to the shared rows and reads the totals back; drops windows that have ended. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Stops the timer after a last flush (on shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => {});
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {
        // The counts stay pending and go with the next flush.
      });
    }, FLUSH_MS);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const nowSeconds = Date.now() / 1000;
    const batch: { id: string; window: Window; count: number }[] = [];
    for (const [id, window] of this.windows) {
      if (window.pending > 0) batch.push({ id, window, count: window.pending });
      else if (window.start + window.rule.windowSeconds <= nowSeconds) this.windows.delete(id);
    }
    if (!batch.length) return;
    const entries = JSON.stringify(batch.map((b) => ({ k: b.id, s: b.window.start, c: b.count })));
    const totals = await rows<{ key: string; count: number | string }>(
      this.db,
      sql`insert into rate_limits (key, window_start, count)
          select k, to_timestamp(s), c from jsonb_to_recordset(${entries}::jsonb) as t(k text, s float8, c int)
          on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
          returning key, count`,
    );
    const byKey = new Map(totals.map((t) => [t.key, Number(t.count)]));
    for (const { id, window, count } of batch) {
      window.pending -= count;
      const total = byKey.get(id);
      if (total !== undefined) window.shared = Math.max(window.shared, total);
    }
  }
}
