import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { readyBanner, type RunningServer } from '../src/server.js';
import { freePort, readyStatus } from './support/ports.js';

/**
 * Start-up behaviour of the real `orgonaut` command (SPEC §9): every problem a person can fix ends the process with
 * one line on stderr, a non-zero exit and no stack trace; a first start seeds the demo once; admin commands reach a
 * running server through its admin channel. Each test spawns `node --import tsx src/main.ts …` (one process, so a
 * kill reaches the server itself). These always use the embedded database: DATABASE_URL is removed from the
 * children's environment except where a test sets it.
 *
 * One data directory is seeded by the server started in beforeAll and shared by the tests below, which run in order.
 *
 * The processes never see the test run's database, so they run in the embedded pass only: the PostgreSQL pass (CI
 * runs the suite on both, SPEC §10) would repeat exactly the same processes. PostgreSQL servers are started as
 * processes in test/ops (start, SIGTERM, kill, restart).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Why the process tests are skipped in this run, or null (they run without DATABASE_URL). */
const SKIP_REASON = process.env.DATABASE_URL ? 'start-up processes use an embedded data directory whatever DATABASE_URL says: they run in the embedded pass' : null;
if (SKIP_REASON) console.log(`test/startup.test.ts: skipped — ${SKIP_REASON}`);
const TIMEOUT = 60_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Finished>;
}

/** The children's environment: ours without any Orgonaut or database variable, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'PORT' || key === 'HOST' || key.startsWith('ORGONAUT_') || key.startsWith('MCP_')) continue;
    env[key] = value;
  }
  return { ...env, ORGONAUT_LOG_LEVEL: 'warn', ...extra };
}

function launch(args: string[], env: Record<string, string>): { child: ChildProcess; stdout(): string; stderr(): string; exited: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs a command to its end (killed after `TIMEOUT`). */
async function run(args: string[], env: Record<string, string>): Promise<Finished> {
  const started = launch(args, env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), TIMEOUT - 5_000);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `serve` and resolves once GET /readyz answers 200; rejects with the output if the process ends first. */
async function startServer(dataDir: string, extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const started = launch(['serve'], { ORGONAUT_DATA_DIR: dataDir, PORT: String(port), ...extra });
  let ended: Finished | null = null;
  void started.exited.then((f) => (ended = f));
  const deadline = Date.now() + TIMEOUT - 10_000;
  while (Date.now() < deadline) {
    if (ended) {
      const f = ended as Finished;
      throw new Error(`the server exited (${f.code ?? f.signal}) before it was ready:\n${f.stdout}\n${f.stderr}`);
    }
    if ((await readyStatus(port)) === 200) return { ...started, port };
    await sleep(100);
  }
  started.child.kill('SIGKILL');
  throw new Error(`the server was not ready within the deadline:\n${started.stdout()}\n${started.stderr()}`);
}

async function stopServer(server: Running | null): Promise<Finished | null> {
  if (!server) return null;
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  try {
    return await server.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** GET `path` from the server on `port` with `Host: host` (fetch sends the URL's host, whatever it is told). */
function getOnHost(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A failure a person can fix: a non-zero exit and exactly one line on stderr, without a stack trace anywhere. */
function expectOneLineFailure(result: Finished, pattern: RegExp): void {
  const output = `${result.stdout}\n${result.stderr}`;
  expect(output, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(result.code, `exit code (stderr: ${result.stderr})`).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trim().split('\n');
  expect(lines, `stderr: ${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^orgonaut: /);
  expect(lines[0]).toMatch(pattern);
}

interface TenantRow {
  id: string;
  slug: string;
  plan: string;
  live_version: number;
}

describe.skipIf(SKIP_REASON !== null)('start-up of the orgonaut command', () => {
  let dataDir: string;
  let server: Running | null = null;
  let firstStart: { stdout: string; stderr: string };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-startup-'));
    server = await startServer(dataDir);
    firstStart = { stdout: server.stdout(), stderr: server.stderr() };
  }, TIMEOUT * 2);

  afterAll(async () => {
    await stopServer(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, TIMEOUT);

  it('seeds the demo on a first start and prints the demo users and tenant URLs', () => {
    const out = firstStart.stdout;
    const port = server!.port;
    expect(out).toContain(`Orgonaut is ready on embedded database in ${dataDir}`);
    for (const slug of ['acme', 'globex', 'initech']) {
      expect(out).toContain(`http://${slug}.localhost:${port}`);
    }
    expect(out).toContain(`MCP: http://acme.localhost:${port}/mcp/orgonaut`);
    // globex is on the team plan: its MCP address answers 404, so none is offered.
    expect(out).toMatch(/globex\s+http:\/\/globex\.localhost:\d+\s+\(no MCP on the team plan\)/);
    expect(out).not.toContain(`globex.localhost:${port}/mcp/orgonaut`);
    expect(out).toContain(`http://127.0.0.1:${port} serve acme`);
    expect(out).toContain('Demo users (password "orgonaut-demo")');
    for (const email of ['owner@acme.test', 'manager@acme.test', 'viewer@acme.test', 'owner@globex.test', 'owner@initech.test']) {
      expect(out).toContain(email);
    }
    expect(`${out}\n${firstStart.stderr}`).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dataDir, 'orgonaut.lock'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'admin.json'))).toBe(true);
  });

  it(
    'refuses a second server on a data directory another process holds',
    async () => {
      const port = await freePort();
      const result = await run(['serve'], { ORGONAUT_DATA_DIR: dataDir, PORT: String(port) });
      expectOneLineFailure(result, new RegExp(`in use by another Orgonaut process \\(pid ${server!.child.pid}\\)`));
      expect(result.stderr).toContain('ORGONAUT_DATA_DIR');
      // The holder is untouched.
      expect(await readyStatus(server!.port)).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'runs admin commands through the admin channel of the server holding the directory',
    async () => {
      const env = { ORGONAUT_DATA_DIR: dataDir };
      const before = await run(['tenants', 'list'], env);
      expect(before.code, before.stderr).toBe(0);
      expect(before.stdout).toMatch(/^globex\s+team\s+EUR\s+Globex$/m);
      expect(before.stdout).toMatch(/^acme\s+business\s+EUR\s+Acme Corporation$/m);
      expect(before.stdout).toMatch(/^initech\s+enterprise\s+USD\s+Initech$/m);

      const change = await run(['tenants', 'set-plan', 'globex', 'business'], env);
      expect(change.code, change.stderr).toBe(0);
      expect(change.stdout.trim()).toBe('Tenant globex is now on the business plan (was team).');

      const after = await run(['tenants', 'list', '--json'], env);
      expect(after.code, after.stderr).toBe(0);
      const tenants = JSON.parse(after.stdout) as TenantRow[];
      expect(Object.fromEntries(tenants.map((t) => [t.slug, t.plan]))).toEqual({ acme: 'business', globex: 'business', initech: 'enterprise' });
      // snake_case, like the REST API and the other admin commands' JSON.
      expect(Object.keys(tenants[0]!).sort()).toEqual(['actor_allowance', 'burden_pct', 'id', 'live_version', 'name', 'plan', 'reporting_currency', 'slug', 'working_days_per_year']);

      // A command the server refuses comes back as one line too.
      const bad = await run(['tenants', 'set-plan', 'globex', 'platinum'], env);
      expectOneLineFailure(bad, /plan/i);

      // The server is still the one holding the directory, and still answers.
      expect(fs.readFileSync(path.join(dataDir, 'orgonaut.lock'), 'utf8')).toBe(String(server!.child.pid));
      expect(await readyStatus(server!.port)).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'reports a bad variable in one line',
    async () => {
      const badPort = await run(['serve'], { ORGONAUT_DATA_DIR: dataDir, PORT: 'abc' });
      expectOneLineFailure(badPort, /^orgonaut: configuration error: PORT .*"abc"/);
      const badScheme = await run(['serve'], { ORGONAUT_DATA_DIR: dataDir, ORGONAUT_PUBLIC_SCHEME: 'ftp' });
      expectOneLineFailure(badScheme, /^orgonaut: configuration error: ORGONAUT_PUBLIC_SCHEME must be http or https \(got "ftp"\)$/);
    },
    TIMEOUT,
  );

  it(
    'reports an unreachable DATABASE_URL in one line',
    async () => {
      const port = await freePort();
      const result = await run(['serve'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/orgonaut', PORT: String(port) });
      expectOneLineFailure(result, /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orgonaut/);
      expect(result.stderr).not.toMatch(/password/i);
    },
    TIMEOUT,
  );

  let tenantsBeforeRestart: TenantRow[] = [];

  it(
    'stops on SIGTERM and releases the data directory',
    async () => {
      const listed = await run(['tenants', 'list', '--json'], { ORGONAUT_DATA_DIR: dataDir });
      expect(listed.code, listed.stderr).toBe(0);
      tenantsBeforeRestart = JSON.parse(listed.stdout) as TenantRow[];

      const stopped = await stopServer(server);
      server = null;
      expect(stopped?.code).toBe(0);
      expect(`${stopped?.stdout}\n${stopped?.stderr}`).not.toMatch(/^\s+at /m);
      expect(fs.existsSync(path.join(dataDir, 'orgonaut.lock'))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'admin.json'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'reports a port already in use in one line, before the data directory is touched',
    async () => {
      // A directory not made yet: a server that opened the database before binding the port would have made it.
      const fresh = path.join(dataDir, 'never-made');
      const holder = net.createServer();
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject);
        holder.listen(0, '127.0.0.1', () => resolve());
      });
      const port = (holder.address() as net.AddressInfo).port;
      try {
        const result = await run(['serve'], { ORGONAUT_DATA_DIR: fresh, PORT: String(port) });
        expectOneLineFailure(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use; .*choose another port with PORT`));
      } finally {
        await new Promise<void>((resolve) => holder.close(() => resolve()));
      }
      expect(fs.existsSync(fresh)).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'orgonaut.lock'))).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'starts again on the same directory without re-seeding',
    async () => {
      server = await startServer(dataDir, { ORGONAUT_LOG_LEVEL: 'info' });
      expect(await readyStatus(server.port)).toBe(200);
      // Log collectors see the start as a JSON line too (printed with the banner, just after /readyz answers).
      for (let i = 0; i < 100 && !server.stdout().includes('"msg":"ready"'); i++) await sleep(50);
      const ready = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'ready');
      expect(ready).toMatchObject({ level: 30, host: '127.0.0.1', port: server.port, database: 'embedded', tenants: 3 });
      const readyz = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      expect(await readyz.json()).toEqual({ status: 'ready', database: 'embedded' });
      expect(server.stdout()).toContain(`Orgonaut is ready on embedded database in ${dataDir}`);
      expect(server.stdout()).toContain(`http://acme.localhost:${server.port}`);

      // Same tenants, same Live versions, and the plan changed earlier survived: nothing was seeded again.
      const listed = await run(['tenants', 'list', '--json'], { ORGONAUT_DATA_DIR: dataDir });
      expect(listed.code, listed.stderr).toBe(0);
      const tenants = JSON.parse(listed.stdout) as TenantRow[];
      const pick = (rows: TenantRow[]) =>
        rows.map((t) => ({ id: t.id, slug: t.slug, plan: t.plan, live_version: t.live_version })).sort((a, b) => a.slug.localeCompare(b.slug));
      expect(tenantsBeforeRestart).toHaveLength(3);
      expect(pick(tenants)).toEqual(pick(tenantsBeforeRestart));
      expect(tenants.find((t) => t.slug === 'globex')?.plan).toBe('business');

      // An invitation made through the running server links to the port it listens on: the command's process has
      // no PORT (it would say :3000, where nothing answers).
      const invited = await run(['members', 'invite', '--tenant', 'globex', '--email', 'new.hire@globex.test', '--role', 'viewer'], { ORGONAUT_DATA_DIR: dataDir });
      expect(invited.code, invited.stderr).toBe(0);
      const link = /http:\/\/\S+\/invitations\/\S+/.exec(invited.stdout)?.[0];
      expect(link).toMatch(new RegExp(`^http://globex\\.localhost:${server.port}/invitations/`));
      const page = await getOnHost(server.port, `globex.localhost:${server.port}`, new URL(link!).pathname);
      expect(page.status).toBe(200);
      expect(page.body).toContain('new.hire@globex.test');

      // Migrations are idempotent: running them again through the channel changes nothing.
      const migrated = await run(['migrate'], { ORGONAUT_DATA_DIR: dataDir });
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toContain('Migrations applied');
      expect(await readyStatus(server.port)).toBe(200);
    },
    TIMEOUT,
  );
});

describe.skipIf(SKIP_REASON !== null)('a signal during the first start', () => {
  it(
    'is held until start-up (migrations, demo seed) is done, then the server stops cleanly and the demo is complete',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-early-stop-'));
      const env = { ORGONAUT_DATA_DIR: dataDir };
      try {
        const first = launch(['serve'], { ...env, PORT: String(await freePort()) });
        // The database is open (the lock is taken): migrations and the demo seed are under way.
        for (let i = 0; i < 400 && !fs.existsSync(path.join(dataDir, 'orgonaut.lock')); i++) await sleep(25);
        await sleep(300);
        first.child.kill('SIGTERM');
        const timer = setTimeout(() => first.child.kill('SIGKILL'), TIMEOUT - 10_000);
        const stopped = await first.exited;
        clearTimeout(timer);
        expect(stopped.code, stopped.stderr).toBe(0);
        expect(stopped.stderr).toContain('orgonaut: SIGTERM: stopping once start-up has finished');
        expect(`${stopped.stdout}\n${stopped.stderr}`).not.toMatch(/^\s+at /m);
        expect(fs.existsSync(path.join(dataDir, 'orgonaut.lock'))).toBe(false);

        // Every demo tenant and user is there: the last user seeded can be given a token.
        const listed = await run(['tenants', 'list'], env);
        expect(listed.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['acme', 'globex', 'initech']);
        const token = await run(['tokens', 'create', '--tenant', 'initech', '--user', 'owner@initech.test'], env);
        expect(token.code, token.stderr).toBe(0);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    TIMEOUT * 2,
  );
});

describe('the ready banner', () => {
  const config = { ...loadConfig({}), port: 3000 };
  const server = (defaultTenant: string | null) =>
    ({ port: 3000, runtime: { database: { describe: 'PostgreSQL at db:5432/orgonaut' }, config: { defaultTenant } } }) as unknown as RunningServer;

  it('tells the operator of a database without tenants how to create one and invite its owner', () => {
    const banner = readyBanner({ ...config, databaseUrl: 'postgres://db/orgonaut' }, server(null), []);
    expect(banner).toContain('Orgonaut is ready on PostgreSQL at db:5432/orgonaut.');
    expect(banner).toContain('No tenants yet.');
    expect(banner).toContain('tenants create <slug> --plan business');
    expect(banner).toContain('members invite --tenant <slug> --email <email>');
    expect(banner).toContain('seed --demo');
  });

  it('lists the tenants, and says nothing about creating one, once there are some', () => {
    const banner = readyBanner({ ...config, databaseUrl: 'postgres://db/orgonaut' }, server(null), [{ slug: 'acme', plan: 'business' }]);
    expect(banner).toContain('acme       http://acme.localhost:3000   MCP: http://acme.localhost:3000/mcp/orgonaut');
    expect(banner).not.toContain('No tenants yet');
  });

  it('prints the well-known demo password, but never one the operator chose', () => {
    const demo = [{ slug: 'acme', plan: 'business' as const }];
    expect(readyBanner(config, server('acme'), demo)).toContain('Demo users (password "orgonaut-demo"):');
    const chosen = readyBanner({ ...config, demoPassword: 'a-secret-of-ours' }, server('acme'), demo);
    expect(chosen).toContain('Demo users (password: the value of ORGONAUT_DEMO_PASSWORD):');
    expect(chosen).toContain('owner@acme.test');
    expect(chosen).not.toContain('a-secret-of-ours');
  });

  it('advertises https URLs without the instance port, which is not the public one behind TLS', () => {
    const banner = readyBanner({ ...config, publicScheme: 'https', baseDomain: 'orgonaut.co' }, server(null), [{ slug: 'acme', plan: 'business' }]);
    expect(banner).toContain('acme       https://acme.orgonaut.co   MCP: https://acme.orgonaut.co/mcp/orgonaut');
    expect(banner).toContain('central    https://app.orgonaut.co');
    expect(banner).not.toContain(':3000');
  });

  it('says when ORGONAUT_DEFAULT_TENANT names no tenant, rather than promising the bare host serves it', () => {
    const tenants = [{ slug: 'acme', plan: 'business' as const }];
    expect(readyBanner(config, server('acme'), tenants)).toContain('(http://localhost:3000 and http://127.0.0.1:3000 serve acme)');
    const banner = readyBanner(config, server('acmee'), tenants);
    expect(banner).toContain('(ORGONAUT_DEFAULT_TENANT is "acmee", which is no tenant: http://localhost:3000 answers 404 until it is created)');
    expect(banner).not.toContain('serve acmee');
  });
});
