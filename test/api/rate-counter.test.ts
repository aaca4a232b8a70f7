import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../src/db/connection.js';
import { SharedRateCounter } from '../../src/http/rate-counter.js';
import { budgetAfter, consumeRateLimit, peekRateLimit, windowStartOf } from '../../src/http/rate-limit.js';
import { testDatabase } from '../support/db.js';

/**
 * Per-credential budgets counted in the database without a query per request (src/http/rate-counter.ts): exact in
 * one process, and shared by every process once they have flushed — here two counters stand for two instances.
 */
let database: Database;
const RULE = { limit: 10, windowSeconds: 3600 };

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

async function stored(key: string): Promise<number> {
  const [row] = await rows<{ count: number }>(database.db, sql`select count::int as count from rate_limits where key = ${`${key}/3600s`}`);
  return row?.count ?? 0;
}

describe('the shared rate counter', () => {
  it('counts exactly in one process, remaining going down to 0 and then refusing — without counting the refused', async () => {
    const counter = new SharedRateCounter(database.db);
    const seen: [boolean, number][] = [];
    for (let i = 0; i < 12; i++) {
      const result = await counter.consume('one-process', RULE);
      seen.push([result.allowed, result.remaining]);
    }
    expect(seen).toEqual([...Array.from({ length: 10 }, (_, i) => [true, 9 - i] as [boolean, number]), [false, 0], [false, 0]]);
    await counter.flush();
    // The two refused are not counted: a client waiting as Retry-After says is not kept out longer for asking.
    expect(await stored('one-process')).toBe(10);
  });

  it('shares counts between processes through the database once they flush', async () => {
    const a = new SharedRateCounter(database.db);
    const b = new SharedRateCounter(database.db);
    for (let i = 0; i < 4; i++) await a.consume('shared', RULE);
    await a.flush();
    expect(await stored('shared')).toBe(4);
    // B's first request reads the shared count: it sees A's four.
    expect((await b.consume('shared', RULE)).remaining).toBe(5);
    for (let i = 0; i < 3; i++) await b.consume('shared', RULE);
    await b.flush();
    expect(await stored('shared')).toBe(8);
    // A learns B's counts with its next flush.
    expect((await a.consume('shared', RULE)).remaining).toBe(5);
    await a.flush();
    expect((await a.consume('shared', RULE)).remaining).toBe(0);
    expect((await a.consume('shared', RULE)).allowed).toBe(false);
    await a.stop();
    await b.stop();
    expect(await stored('shared')).toBe(10);
  });

  it('flushes by itself within a fraction of a second', async () => {
    const counter = new SharedRateCounter(database.db);
    await counter.consume('timer', RULE);
    await counter.consume('timer', RULE);
    await counter.consume('timer', RULE);
    expect(await stored('timer')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await stored('timer')).toBe(3);
  });
});

/** Puts `count` attempts of `key` in the window before the current one, as another instance would have counted them. */
async function countedLastWindow(key: string, count: number, rule = RULE): Promise<void> {
  const previousStart = windowStartOf(rule, Date.now() / 1000) - rule.windowSeconds;
  await database.db.execute(sql`insert into rate_limits (key, window_start, count) values (${`${key}/${rule.windowSeconds}s`}, to_timestamp(${previousStart}), ${count})`);
}

describe('a limit straddling a window boundary', () => {
  it('weighs the previous window in, so a burst at its end and another at the start of the next exceed nothing', () => {
    const rule = { limit: 10, windowSeconds: 60 };
    // Just after the boundary, last window's ten still count in full: the eleventh attempt is refused...
    const atBoundary = budgetAfter(rule, 1, 600, 600.5, 10);
    expect(atBoundary).toMatchObject({ allowed: false, remaining: 0, count: 1, previous: 10 });
    // ...until enough of last window has slid out: half-way through, five of them still count.
    expect(budgetAfter(rule, 1, 600, 630, 10)).toMatchObject({ allowed: true, remaining: 4 });
    // Retry-After says when the next one will pass: 2 + ⌈10 × (1 − e/60)⌉ ≤ 10 from e = 12 s.
    expect(atBoundary.retryAfter).toBe(12);
    expect(budgetAfter(rule, 2, 600, 612, 10).allowed).toBe(true);
    expect(budgetAfter(rule, 2, 600, 611, 10).allowed).toBe(false);
    // Past the limit within this window alone, it waits into the next one until enough of these eleven slid out.
    const over = budgetAfter(rule, 11, 600, 610, 0);
    expect(over).toMatchObject({ allowed: false, retryAfter: 61 });
    expect(budgetAfter(rule, 1, 660, 610 + over.retryAfter, 11).allowed).toBe(true);
    expect(budgetAfter(rule, 1, 660, 610 + over.retryAfter - 1, 11).allowed).toBe(false);
  });

  it('refuses in the database what the last window already used up, and peeks the same way', async () => {
    await countedLastWindow('straddle', RULE.limit);
    // Within a second or so of the boundary's start at most 0.03% of the last window has slid out: still refused.
    const peeked = await peekRateLimit(database.db, 'straddle', RULE);
    const counted = await consumeRateLimit(database.db, 'straddle', RULE);
    const elapsed = Date.now() / 1000 - windowStartOf(RULE, Date.now() / 1000);
    const stillCounting = Math.ceil(RULE.limit * (1 - elapsed / RULE.windowSeconds));
    expect(counted.allowed).toBe(1 + stillCounting <= RULE.limit);
    expect(peeked.allowed).toBe(counted.allowed);
    expect(counted).toMatchObject({ count: 1, previous: RULE.limit, remaining: Math.max(0, RULE.limit - 1 - stillCounting) });
    // A key with nothing in the last window has its whole budget.
    expect(await consumeRateLimit(database.db, 'fresh-straddle', RULE)).toMatchObject({ allowed: true, remaining: RULE.limit - 1, previous: 0 });
  });

  it('carries the previous window into the shared per-credential counter as well', async () => {
    await countedLastWindow('shared-straddle', 6);
    const counter = new SharedRateCounter(database.db);
    const elapsed = Date.now() / 1000 - windowStartOf(RULE, Date.now() / 1000);
    const carried = Math.ceil(6 * (1 - elapsed / RULE.windowSeconds));
    const first = await counter.consume('shared-straddle', RULE);
    const second = await counter.consume('shared-straddle', RULE);
    expect(first.remaining).toBe(RULE.limit - 1 - carried);
    expect(second.remaining).toBe(RULE.limit - 2 - carried);
    await counter.stop();
  });
});
