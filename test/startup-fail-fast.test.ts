import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bindPort } from '../src/listener.js';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';

/**
 * `orgonaut serve` reports the problems a person can fix before the slow parts of start-up: a taken port before the
 * database is opened (nothing is written to the data directory), an unreachable DATABASE_URL before the app is
 * loaded (a second or more, several under load). Run in this process, like test/cli/admin-channel.test.ts, so what
 * was loaded can be seen; the same failures of the real process are in test/startup.test.ts.
 */

/** Which modules of the server side (the app, the database engine) `orgonaut serve` loaded. */
const loaded = vi.hoisted(() => [] as string[]);
vi.mock('../src/server.js', async (original) => (loaded.push('server'), original()));
vi.mock('../src/db/connection.js', async (original) => (loaded.push('db/connection'), original()));

const VARIABLES = ['PORT', 'HOST', 'DATABASE_URL', 'ORGONAUT_DATA_DIR', 'ORGONAUT_LOG_LEVEL'] as const;
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  loaded.length = 0;
});

/** Sets the server's variables for this test (the others removed), restored afterwards. */
function serverEnv(values: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, { ORGONAUT_LOG_LEVEL: 'silent', ...values });
  cleanup.push(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
}

/** A directory path that does not exist yet (its parent is removed after the test). */
function freshDataDir(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-fail-fast-'));
  cleanup.push(() => fs.rmSync(parent, { recursive: true, force: true }));
  return path.join(parent, 'data');
}

async function holdPort(): Promise<number> {
  const holder = net.createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  cleanup.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
  return (holder.address() as net.AddressInfo).port;
}

/** True when nothing listens on 127.0.0.1:`port` (a server can bind it). */
async function portIsFree(port: number): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

// A module is loaded (and recorded) once per file: the first test sees what `serve` loads from nothing, the second
// what it loads beyond that; the port test checks the data directory besides.
describe('orgonaut serve fails fast', () => {
  it('on an unreachable DATABASE_URL: one line naming host and port, without loading the app, and the port is let go', async () => {
    const port = await freePort();
    serverEnv({ PORT: String(port), DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/orgonaut' });
    const result = await runCli(['serve'], path.join(os.tmpdir(), 'orgonaut-fail-fast-unused.json'));
    expect(result.code, result.stderr).toBe(1);
    expectOneLine(result.stderr, /^orgonaut: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orgonaut: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain('secret');
    expect(loaded).toEqual(['db/connection']);
    expect(await portIsFree(port)).toBe(true);
  });

  it('on a port already in use: one line naming the port and PORT, before the database is opened or the app loaded', async () => {
    const port = await holdPort();
    const dataDir = freshDataDir();
    serverEnv({ PORT: String(port), ORGONAUT_DATA_DIR: dataDir });
    const result = await runCli(['serve'], path.join(path.dirname(dataDir), 'cli.json'));
    expect(result.code, result.stderr).toBe(1);
    expectOneLine(result.stderr, new RegExp(`^orgonaut: port ${port} on 127\\.0\\.0\\.1 is already in use; .*choose another port with PORT`));
    // Nothing more was loaded, and the data directory was never made (no lock, no database files, no key).
    expect(loaded).toEqual([]);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

describe('a DATABASE_URL where nothing answers', () => {
  it('fails after the connect timeout (no retries), and says it waited rather than that the connection was terminated', async () => {
    // Accepts the connection and never says a word, like a firewall that lets SYN through or a hung server.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const sockets = new Set<net.Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    cleanup.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), silent.close(() => resolve()))));
    const { port } = silent.address() as net.AddressInfo;
    // Imported here, not at the top: the tests above record what `serve` loads from nothing.
    const { openPostgres } = await import('../src/db/connection.js');
    const started = performance.now();
    const failure = await openPostgres(`postgres://postgres@127.0.0.1:${port}/orgonaut`, { connectTimeoutMs: 300 }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}/orgonaut: no answer within 0.3 s (is a PostgreSQL server listening there, reachable from here?)`);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('the port while the server starts', () => {
  it('answers /healthz 200 (the process is up) and /readyz and everything else 503 until the app takes over', async () => {
    const listener = await bindPort({ port: 0, host: '127.0.0.1', databaseUrl: null, keepAliveSeconds: 65 });
    cleanup.push(() => listener.close());
    const base = `http://127.0.0.1:${listener.port}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');
    expect(await ready.json()).toEqual({ status: 'starting', database: 'embedded' });
    const page = await fetch(`${base}/api/v1/me`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Orgonaut is starting');

    listener.handle(() => Response.json({ status: 'ready', database: 'embedded' }));
    const after = await fetch(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ready', database: 'embedded' });
  });
});

describe('a HOST or ORGONAUT_DATA_DIR that cannot be used', () => {
  it('a HOST that names no address (a typo of a host name): one line naming HOST, exit 1, no stack', async () => {
    const port = await freePort();
    const dataDir = freshDataDir();
    // .invalid never resolves (RFC 6761).
    serverEnv({ PORT: String(port), HOST: 'orgonaut-host.invalid', ORGONAUT_DATA_DIR: dataDir });
    const result = await runCli(['serve'], path.join(path.dirname(dataDir), 'cli.json'));
    expect(result.code, result.stderr).toBe(1);
    expectOneLine(result.stderr, /^orgonaut: HOST orgonaut-host\.invalid is not an address or host name of this machine/);
    expect(fs.existsSync(dataDir), 'the data directory is never made').toBe(false);
  });

  it('an ORGONAUT_DATA_DIR that is a file, or under one: one line naming ORGONAUT_DATA_DIR, exit 1, no stack; the port is let go', async () => {
    const parent = path.dirname(freshDataDir());
    fs.mkdirSync(parent, { recursive: true });
    const file = path.join(parent, 'notes.txt');
    fs.writeFileSync(file, 'not a directory');
    for (const dataDir of [file, path.join(file, 'data')]) {
      const port = await freePort();
      serverEnv({ PORT: String(port), ORGONAUT_DATA_DIR: dataDir });
      const result = await runCli(['serve'], path.join(parent, 'cli.json'));
      expect(result.code, result.stderr).toBe(1);
      expectOneLine(result.stderr, new RegExp(`^orgonaut: ORGONAUT_DATA_DIR ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot hold the embedded database: .*not a directory`));
      expect(await portIsFree(port)).toBe(true);
      // Admin commands open the same directory the same way.
      const migrate = await runCli(['migrate'], path.join(parent, 'cli.json'));
      expect(migrate.code, migrate.stderr).toBe(1);
      expectOneLine(migrate.stderr, /^orgonaut: ORGONAUT_DATA_DIR .* cannot hold the embedded database/);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a directory');
  }, 90_000); // `migrate` loads the admin commands and the database engine: seconds, more on a loaded machine
});
