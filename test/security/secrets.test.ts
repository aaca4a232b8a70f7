import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp, toRequestInit, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';

/** Secrets compared in constant time, whatever is sent in their place. */
let database: Database;
let app: TestApp;
const TOKEN = 'metrics-secret-token';

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database, { metricsToken: TOKEN });
});
afterAll(() => database?.close());

const scrape = (token: string) => app.app.request('/metrics', toRequestInit({ host: 'anything.example', token }));

describe('the metrics token', () => {
  it('is refused like any wrong token when a guess has its length but wider characters (not a server error)', async () => {
    const guess = `${TOKEN.slice(0, -1)}é`;
    expect(guess.length).toBe(TOKEN.length);
    const response = await scrape(guess);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('Not found');
  });

  it('is refused when shorter, longer or a prefix, and accepted exactly', async () => {
    for (const guess of [TOKEN.slice(0, 5), `${TOKEN}x`, TOKEN.toUpperCase()]) expect((await scrape(guess)).status, guess).toBe(404);
    expect((await scrape(TOKEN)).status).toBe(200);
  });
});
