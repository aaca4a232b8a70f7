import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { issueApiToken } from '../src/access/api-tokens.js';
import { DEFAULT_BUNDLES } from '../src/access/bundles.js';
import { effectiveAbilities } from '../src/access/policy.js';
import { ensureUser, setMembership } from '../src/access/users.js';
import { openPostgres, type Database } from '../src/db/connection.js';
import { countCurrentActors, seedOrganisation } from '../src/db/seed/organisation.js';
import { createTenant, findTenantBySlug, type Tenant } from '../src/tenancy/tenants.js';
import { formatBytes, formatCount, formatMs, now, type BenchTarget, type Row } from './support.js';

/**
 * Issue 4: an MCP request through the whole stack — HTTP server, authentication (personal API token + X-Tenant),
 * tenant resolution, the SDK, the service and the database — against a bare SDK v2 server (no auth, no database,
 * one trivial tool, `createMcpHandler` in a plain @hono/node-server), in the same run and on the same machine.
 *
 * Both servers run in processes of their own (`node --import tsx src/main.ts serve`, as `npm start` does, and this
 * file with --bare-server); autocannon drives them from the benchmark worker with pre-built, stateless 2026-07-28
 * requests (per-request `_meta`, `MCP-Protocol-Version`, `Mcp-Method`/`Mcp-Name`, `Accept: application/json`).
 * Measured at concurrency 1 and 32: `tools/call org_summary` and `tools/list` on a tenant of the smallest size, and
 * `org_summary` warm on a tenant of the largest size (100k by default; its first call after start is reported too).
 * PostgreSQL only: the server process and the benchmark share the database.
 *
 * `BENCH_SECONDS` (default 10) sets each measurement's duration; each is preceded by a warm-up of a third of it.
 */

export const MCP_WORKLOADS = ['mcp'] as const;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROTOCOL = '2026-07-28';
const CONCURRENCY = [1, 32] as const;
const READY_TIMEOUT_MS = 120_000;

export function benchSeconds(): number {
  const value = Number(process.env.BENCH_SECONDS ?? 10);
  return Number.isFinite(value) && value >= 1 ? value : 10;
}

// ---------------------------------------------------------------------------------------------------------------
// Members and tokens

export const BENCH_PASSWORD = 'bench-password-1';

/** An owner of `tenant` (created if needed, password {@link BENCH_PASSWORD}) and a personal API token with every ability. */
export async function benchOwnerToken(db: Database['db'], tenant: Tenant, email: string): Promise<{ userId: string; token: string }> {
  const user = await ensureUser(db, { email, name: 'Bench Owner', password: BENCH_PASSWORD });
  await setMembership(db, tenant.id, user.id, 'owner');
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, tenant.plan);
  const { secret } = await issueApiToken(db, { tenantId: tenant.id, userId: user.id, roleAbilities, name: 'bench', abilities: [...roleAbilities] });
  return { userId: user.id, token: secret };
}

/** The tenant `slug` with an organisation of `actors` (seeded when missing; an existing one of that size is reused). */
export async function benchTenant(db: Database['db'], slug: string, actors: number, log: (line: string) => void): Promise<Tenant> {
  const existing = await findTenantBySlug(db, slug);
  if (existing && (await countCurrentActors(db, existing.id)) > 0) return existing;
  const tenant = existing ?? (await createTenant(db, { slug, name: `Bench ${formatCount(actors)}`, plan: 'enterprise', reportingCurrency: 'EUR' }));
  const started = now();
  await seedOrganisation(db, tenant, { actors, seed: `bench-${actors}` });
  log(`    seeded ${slug} (${formatCount(actors)} actors) in ${formatMs(now() - started)}`);
  return (await findTenantBySlug(db, slug))!;
}

// ---------------------------------------------------------------------------------------------------------------
// Server processes

export interface ServerProcess {
  name: string;
  port: number;
  pid: number;
  /** Peak RSS of the server process so far (Linux /proc), or null. */
  peakRss(): number | null;
  /** CPU time (user + system) the server process has used so far, in ms (Linux /proc), or null. */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Kills every server process this module started (for an interrupted run). */
export function killBenchServers(): void {
  for (const child of children) signal(child, 'SIGKILL');
  children.clear();
}
process.once('exit', killBenchServers);

/**
 * Orgonaut as `npm start` runs it (`node --import tsx src/main.ts serve`), on the PostgreSQL database `url`, on a
 * free loopback port, with request logs at the default level (stdout discarded). Resolves once /readyz answers 200.
 */
export async function startOrgonaut(url: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'PORT' || key === 'HOST' || key.startsWith('ORGONAUT_') || key.startsWith('MCP_')) continue;
    childEnv[key] = value;
  }
  // Throughput, not the rate limits, is measured: they are raised out of reach (their check still runs).
  const unlimited = '1000000000/60';
  Object.assign(childEnv, {
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    ORGONAUT_API_RATE_LIMIT: unlimited,
    ORGONAUT_MCP_RATE_LIMIT: unlimited,
    ORGONAUT_MCP_ACTION_RATE_LIMIT: unlimited,
    ...env,
  });
  // BENCH_SERVER_NODE_ARGS: extra Node.js flags for the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles`).
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return watch('orgonaut', child, port, () => isReady(port));
}

/** The bare SDK server of this file (--bare-server) in its own process. */
export async function startBareServer(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/mcp.ts', '--bare-server'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare MCP server did not start')), READY_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the bare MCP server exited (${code})`)));
  });
  return watch('bare SDK', child, port, async () => true);
}

async function watch(name: string, child: ChildProcess, port: number, ready: () => Promise<boolean>): Promise<ServerProcess> {
  children.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = now() + READY_TIMEOUT_MS;
  while (!(await ready())) {
    if (exited) throw new Error(`the ${name} server exited before it was ready:\n${stderr}`);
    if (now() > deadline) {
      signal(child, 'SIGKILL');
      throw new Error(`the ${name} server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${stderr}`);
    }
    await sleep(50);
  }
  return {
    name,
    port,
    pid: child.pid!,
    peakRss: () => peakRss(child.pid!),
    cpuMs: () => cpuMs(child.pid!),
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signal(child, 'SIGTERM');
      const timer = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/** The servers are single processes (tsx runs in-process via --import), so signalling the child reaches the server. */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(name);
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function peakRss(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms on Linux). */
function cpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and load

export interface McpCall {
  label: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': PROTOCOL,
  'io.modelcontextprotocol/clientInfo': { name: 'orgonaut-bench', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A stateless 2026-07-28 request, serialised once. */
export function mcpCall(url: string, method: 'tools/list' | 'tools/call', tool?: string, auth: Record<string, string> = {}): McpCall {
  const params = method === 'tools/call' ? { name: tool, arguments: {}, _meta: ENVELOPE } : { _meta: ENVELOPE };
  return {
    label: method === 'tools/call' ? `tools/call ${tool}` : method,
    url,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'mcp-protocol-version': PROTOCOL,
      'mcp-method': method,
      ...(tool ? { 'mcp-name': tool } : {}),
      ...auth,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  };
}

/** Sends the call once and checks it succeeded (HTTP 200, a JSON-RPC result, no isError); returns the time. */
export async function checkCall(call: McpCall): Promise<number> {
  const started = now();
  const response = await fetch(call.url, { method: 'POST', headers: call.headers, body: call.body });
  const text = await response.text();
  const ms = now() - started;
  const body = parseJson(text) as { result?: { isError?: boolean }; error?: unknown } | null;
  if (response.status !== 200 || !body?.result || body.result.isError) {
    throw new Error(`${call.label} on ${call.url} failed (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
  return ms;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface AutocannonResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
/** autocannon's promise form: a thenable event emitter ('response' carries each request's time in fractional ms). */
type Tracker = PromiseLike<AutocannonResult> & {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
};
type Autocannon = (options: Record<string, unknown>) => Tracker;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  failed: number;
  /** The server's CPU time per measured request (when `load` was given the server), or null. */
  cpuPerRequestMs: number | null;
}

/**
 * autocannon against one pre-built call: a warm-up (a third of the time, discarded), then `seconds` measured.
 * Percentiles come from every response's own time (autocannon's histogram keeps whole milliseconds only). With the
 * `server` process: its CPU time per measured request — throughput on a shared 2-core machine moves with whatever
 * else runs, CPU per request is what the server itself spends.
 */
export async function load(call: McpCall, connections: number, seconds: number, server?: ServerProcess): Promise<LoadResult> {
  const options = { url: call.url, method: 'POST', headers: call.headers, body: call.body, connections, pipelining: 1 };
  await autocannon({ ...options, duration: Math.max(1, Math.round(seconds / 3)) });
  const cpuBefore = server?.cpuMs() ?? null;
  const times: number[] = [];
  const tracker = autocannon({ ...options, duration: seconds });
  tracker.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const result = await tracker;
  const cpuAfter = server?.cpuMs() ?? null;
  times.sort((a, b) => a - b);
  const at = (q: number) => (times.length ? times[Math.min(times.length - 1, Math.floor(q * times.length))]! : NaN);
  return {
    rps: result.requests.total / result.duration,
    p50: at(0.5),
    p99: at(0.99),
    total: result.requests.total,
    failed: result.non2xx + result.errors + result.timeouts,
    cpuPerRequestMs: cpuBefore === null || cpuAfter === null || !result.requests.total ? null : (cpuAfter - cpuBefore) / result.requests.total,
  };
}

export function formatRps(rps: number): string {
  return rps >= 100 ? Math.round(rps).toLocaleString('en-US') : rps.toFixed(1);
}

// ---------------------------------------------------------------------------------------------------------------
// The workload

export interface McpRun {
  label: string;
  target: BenchTarget;
  /** Organisation sizes of the run: the smallest for the main figures, the largest for the large-tenant rows. */
  sizes: number[];
}

export async function runMcp(run: McpRun, report: (row: Row) => void): Promise<void> {
  if (run.target.kind !== 'postgres') throw new Error('the mcp workload needs PostgreSQL');
  const seconds = benchSeconds();
  const small = Math.min(...run.sizes);
  const large = Math.max(...run.sizes);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const row = (workload: string, size: number | '-', fields: Partial<Row>): void =>
    report({ database: run.label, workload, size: size === '-' ? '-' : formatCount(size), time: '', rssPeak: '-', heapPeak: '-', notes: '', ...fields });

  // Tenants, a member and a token each (the benchmark's own connection, closed before the server starts).
  const database = await openPostgres(run.target.url, { max: 2 });
  let tokens: { small: string; large: string | null };
  try {
    const smallTenant = await benchTenant(database.db, `bench-${small}`, small, log);
    const largeTenant = large > small ? await benchTenant(database.db, `bench-${large}`, large, log) : null;
    tokens = {
      small: (await benchOwnerToken(database.db, smallTenant, 'owner@bench-mcp.test')).token,
      large: largeTenant ? (await benchOwnerToken(database.db, largeTenant, 'owner@bench-mcp.test')).token : null,
    };
  } finally {
    await database.close();
  }

  const orgonaut = await startOrgonaut(run.target.url);
  const bare = await startBareServer();
  try {
    const mcpUrl = `http://127.0.0.1:${orgonaut.port}/mcp/orgonaut`;
    const auth = (tenant: string, token: string) => ({ authorization: `Bearer ${token}`, 'x-tenant': tenant });
    const bareUrl = `http://127.0.0.1:${bare.port}/mcp`;
    const calls = {
      summary: mcpCall(mcpUrl, 'tools/call', 'org_summary', auth(`bench-${small}`, tokens.small)),
      list: mcpCall(mcpUrl, 'tools/list', undefined, auth(`bench-${small}`, tokens.small)),
      bareCall: mcpCall(bareUrl, 'tools/call', 'ping'),
      bareList: mcpCall(bareUrl, 'tools/list'),
    };

    // Large tenant first, while nothing is cached yet: the first call may load the graph (or join the server's
    // background warm-up of its largest tenants, which starts at boot).
    if (tokens.large) {
      const largeCall = mcpCall(mcpUrl, 'tools/call', 'org_summary', auth(`bench-${large}`, tokens.large));
      const first = await checkCall(largeCall);
      for (let i = 0; i < 5; i++) await checkCall(largeCall);
      row('mcp org_summary, first call', large, { time: formatMs(first), notes: 'first request after start (graph load, or joins the boot warm-up)' });
      for (const c of CONCURRENCY) {
        const result = await load(largeCall, c, seconds, orgonaut);
        row(`mcp org_summary warm, c=${c}`, large, {
          time: formatMs(result.p50),
          rssPeak: serverRss(orgonaut),
          notes: `${formatRps(result.rps)} req/s, p50 ${formatMs(result.p50)}, p99 ${formatMs(result.p99)}${failures(result)}${cpuNote(result)}`,
        });
      }
    }

    for (const call of Object.values(calls)) await checkCall(call);
    const pairs: { name: string; ours: McpCall; theirs: McpCall }[] = [
      { name: 'org_summary', ours: calls.summary, theirs: calls.bareCall },
      { name: 'tools/list', ours: calls.list, theirs: calls.bareList },
    ];
    for (const pair of pairs) {
      for (const c of CONCURRENCY) {
        const ours = await load(pair.ours, c, seconds, orgonaut);
        const theirs = await load(pair.theirs, c, seconds, bare);
        row(`mcp ${pair.name}, c=${c}`, small, {
          time: formatMs(ours.p50),
          rssPeak: serverRss(orgonaut),
          notes: `${formatRps(ours.rps)} req/s, p50 ${formatMs(ours.p50)}, p99 ${formatMs(ours.p99)}${failures(ours)}${cpuNote(ours)}; ${(ours.rps / theirs.rps).toFixed(2)}× the bare SDK`,
        });
        row(`bare SDK ${pair.theirs.label}, c=${c}`, '-', {
          time: formatMs(theirs.p50),
          rssPeak: serverRss(bare),
          notes: `${formatRps(theirs.rps)} req/s, p50 ${formatMs(theirs.p50)}, p99 ${formatMs(theirs.p99)}${failures(theirs)}${cpuNote(theirs)}`,
        });
      }
    }
  } finally {
    await bare.stop();
    await orgonaut.stop();
  }
}

function cpuNote(result: LoadResult): string {
  return result.cpuPerRequestMs === null ? '' : `, server CPU ${formatMs(result.cpuPerRequestMs)}/req`;
}

function failures(result: LoadResult): string {
  return result.failed ? `; ${result.failed} of ${result.total} FAILED` : '';
}

function serverRss(server: ServerProcess): string {
  const rss = server.peakRss();
  return rss === null ? '-' : `${formatBytes(rss)} (server)`;
}

// ---------------------------------------------------------------------------------------------------------------
// The bare SDK v2 server: no auth, no database, one trivial tool

async function bareServer(): Promise<void> {
  const [{ serve }, { Hono }, { createMcpHandler, McpServer }, { z }] = await Promise.all([
    import('@hono/node-server'),
    import('hono'),
    import('@modelcontextprotocol/server'),
    import('zod'),
  ]);
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'bare', version: '1.0.0' });
    server.registerTool('ping', { description: 'Answers pong.', inputSchema: z.object({}) }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
    return server;
  });
  const app = new Hono();
  app.post('/mcp', (c) => handler.fetch(c.req.raw));
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(JSON.stringify({ port: info.port })));
  process.once('SIGTERM', () => process.exit(0)); // a normal exit, so that --cpu-prof and the like write their files
}

if (process.argv[2] === '--bare-server' && path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  void bareServer();
}
