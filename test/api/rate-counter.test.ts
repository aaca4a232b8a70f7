import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../../src/db/connection.js';
import { SharedRateCounter } from '../../src/http/rate-counter.js';
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
  it('counts exactly in one process, remaining going down to 0 and then refusing', async () => {
    const counter = new SharedRateCounter(database.db);
    const seen: [boolean, number][] = [];
    for (let i = 0; i < 12; i++) {
      const result = await counter.consume('one-process', RULE);
      seen.push([result.allowed, result.remaining]);
    }
    expect(seen).toEqual([...Array.from({ length: 10 }, (_, i) => [true, 9 - i] as [boolean, number]), [false, 0], [false, 0]]);
    await counter.flush();
    expect(await stored('one-process')).toBe(12);
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
    expect(await stored('shared')).toBe(11);
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
