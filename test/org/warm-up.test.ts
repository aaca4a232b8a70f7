import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { warmUpLargestTenants } from '../../src/org/warm-up.js';
import { startServer } from '../../src/server.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * After start-up the largest organisations are loaded in the background, so their first visitor does not pay the
 * cold load; a warm-up that fails is only logged.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function logSink(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
  return { logger: pino({ level: 'info' }, sink), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function graphRecordsOnMetrics(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer warm-up-metrics-token' } })).text();
  return Number(/^orgonaut_graph_cache_records (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('warming up after start-up', () => {
  it('holds the organisation’s graph shortly after the server is ready, without any request reading it', async () => {
    const database = await testDatabase();
    const tenant = await buildTenant(database, { plan: 'enterprise' });
    await seedOrganisation(database.db, tenant, { actors: 200, seed: 'warm-up' });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-warm-up-'));
    dirs.push(dataDir);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORGONAUT_DATA_DIR: dataDir, ORGONAUT_LOG_LEVEL: 'silent', ORGONAUT_METRICS_TOKEN: 'warm-up-metrics-token' });
    const server = await startServer(config, { database });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const deadline = Date.now() + 20_000;
      let held = await graphRecordsOnMetrics(server.url);
      while (held === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        held = await graphRecordsOnMetrics(server.url);
      }
      // Units, people, lines, placements, positions and pay of 200 people.
      expect(held).toBeGreaterThan(200);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('logs a failure and carries on: a database gone does not reject (the server would crash on it)', async () => {
    const database: Database = await testDatabase();
    const graphs = new GraphStore(database.db);
    await database.close();
    const { logger, lines } = logSink();
    await expect(warmUpLargestTenants(database.db, graphs, logger)).resolves.toBeUndefined();
    expect(lines()).toContainEqual(expect.objectContaining({ level: 40, msg: 'warm-up failed' }));
  });

  it('logs how many organisations it warmed up, and how long it took', async () => {
    const database = await testDatabase();
    try {
      const tenant = await buildTenant(database, { plan: 'enterprise' });
      await seedOrganisation(database.db, tenant, { actors: 50, seed: 'warm-up-log' });
      const graphs = new GraphStore(database.db);
      const { logger, lines } = logSink();
      await warmUpLargestTenants(database.db, graphs, logger);
      expect(graphs.heldRecords()).toBeGreaterThan(50);
      expect(lines()).toContainEqual(expect.objectContaining({ level: 30, msg: 'warmed up the largest organisations', organisations: 1, ms: expect.any(Number) }));
    } finally {
      await database.close();
    }
  });
});
