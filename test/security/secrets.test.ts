import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/connection.js';
import { open, seal, SecretsUnavailable } from '../../src/secrets/seal.js';
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

describe('sealed secrets (AES-256-GCM)', () => {
  const key = randomBytes(32);
  /** The sealed value with its authentication tag replaced by `tag(original)`. */
  const withTag = (sealed: string, tag: (original: Buffer) => Buffer) => {
    const parts = sealed.split('.');
    parts[3] = tag(Buffer.from(parts[3]!, 'base64url')).toString('base64url');
    return parts.join('.');
  };

  it('open only with the whole 16-byte tag: one cut short (fewer bytes to forge) is refused', () => {
    const sealed = seal(key, 'client secret', 'tenant-1:oauth_client');
    expect(open(key, sealed, 'tenant-1:oauth_client')).toBe('client secret');
    for (const bytes of [4, 8, 12, 15]) {
      expect(() => open(key, withTag(sealed, (t) => t.subarray(0, bytes)), 'tenant-1:oauth_client'), `${bytes}-byte tag`).toThrow(SecretsUnavailable);
    }
    // And a full-length tag that is not the right one.
    expect(() => open(key, withTag(sealed, (t) => Buffer.from(t.map((b) => b ^ 1))), 'tenant-1:oauth_client')).toThrow(SecretsUnavailable);
  });
});
