import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { AppError } from '../../src/errors.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { startTask } from '../../src/scenarios/tasks.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * The process side of /metrics (docs/OPERATIONS.md "Metrics"): background tasks by kind and outcome and those
 * running now, the PostgreSQL pool, the process's memory — read from a real server, as a scraper reads them.
 */

const TOKEN = 'process-metrics-token';
let database: Database;
let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  database = await testDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-process-metrics-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ORGONAUT_DATA_DIR: dataDir, ORGONAUT_LOG_LEVEL: 'silent', ORGONAUT_METRICS_TOKEN: TOKEN });
  server = await startServer(config, { database });
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample (`name{labels}` exactly as Prometheus text writes it), or null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('/metrics of a running server', () => {
  it('counts background tasks by kind and outcome, and shows those running now', async () => {
    const tenant = await buildTenant(database, { plan: 'business' });
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'), server.runtime.graphs);
    const before = await scrape();
    const succeeded = sample(before, 'orgonaut_background_tasks_total{kind="import",outcome="succeeded"}') ?? 0;
    const failed = sample(before, 'orgonaut_background_tasks_total{kind="import",outcome="failed"}') ?? 0;
    expect(sample(before, 'orgonaut_background_tasks_running')).toBe(0);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = await startTask(ctx, 'import', {}, async () => (await held, { rows: 1 }));
    expect(sample(await scrape(), 'orgonaut_background_tasks_running')).toBe(1);
    release();
    expect((await running.done).status).toBe('succeeded');
    const refused = await startTask(ctx, 'import', {}, async () => {
      throw new AppError('invalid_input', 400, 'the file has no rows');
    });
    expect((await refused.done).status).toBe('failed');

    const after = await scrape();
    expect(sample(after, 'orgonaut_background_tasks_total{kind="import",outcome="succeeded"}')).toBe(succeeded + 1);
    expect(sample(after, 'orgonaut_background_tasks_total{kind="import",outcome="failed"}')).toBe(failed + 1);
    expect(sample(after, 'orgonaut_background_tasks_running')).toBe(0);
  });

  it('shows the process memory, and the PostgreSQL pool by state (on PostgreSQL only)', async () => {
    const text = await scrape();
    for (const kind of ['rss', 'heap_used', 'heap_total', 'external']) {
      expect(sample(text, `orgonaut_process_memory_bytes{kind="${kind}"}`), kind).toBeGreaterThan(0);
    }
    const total = sample(text, 'orgonaut_db_pool_connections{state="total"}');
    if (database.kind === 'postgres') {
      expect(total).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'orgonaut_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'orgonaut_db_pool_connections{state="waiting"}')).toBe(0);
    } else {
      expect(total, 'the embedded database has no pool').toBeNull();
    }
  });
});
