import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes, formatMs, median, now, type Row } from './support.js';

/**
 * `npm start` on an existing embedded database, to ready: the time from spawning `npx tsx src/main.ts serve` until
 * GET /readyz answers 200, on a data directory a first start has already created and seeded (median of 3). The first
 * start (create, migrate, seed the demo) is reported too. The server's peak RSS comes from /proc (Linux).
 */

export const STARTUP_WORKLOADS = ['startup'] as const;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESTARTS = 3;
const READY_TIMEOUT_MS = 120_000;

interface Started {
  child: ChildProcess;
  ms: number;
  serverPid: number | null;
}

/** Children still running and data directories still there, cleaned up if the benchmark is interrupted. */
const running = new Set<ChildProcess>();
const dataDirs = new Set<string>();

/** Kills every server this module started (their whole process groups) and removes their data directories. */
export function cleanUpStartup(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}

export async function runStartup(report: (row: Row) => void): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-bench-start-'));
  dataDirs.add(dataDir);
  const row = (workload: string, fields: Partial<Row>) =>
    report({ database: 'embedded', workload, size: '-', time: '', rssPeak: '-', heapPeak: '-', notes: '', ...fields });
  try {
    const first = await start(dataDir);
    const firstMemory = serverMemory(first.serverPid);
    await stop(first, dataDir);
    row('npm start, first run', { time: formatMs(first.ms), rssPeak: firstMemory, notes: 'creates the database, migrates, seeds the demo' });

    const runs: number[] = [];
    let memory = '-';
    for (let i = 0; i < RESTARTS; i++) {
      const started = await start(dataDir);
      runs.push(started.ms);
      memory = serverMemory(started.serverPid);
      await stop(started, dataDir);
    }
    row('npm start, existing database', {
      time: formatMs(median(runs)),
      rssPeak: memory,
      notes: `spawn to /readyz 200, median of ${RESTARTS}: ${runs.map((ms) => formatMs(ms)).join(', ')}`,
    });
  } finally {
    cleanUpStartup();
  }
}

async function start(dataDir: string): Promise<Started> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ORGONAUT_DATA_DIR: dataDir, PORT: String(port), ORGONAUT_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.ORGONAUT_DEMO;
  const begun = now();
  const child = spawn('npx', ['tsx', 'src/main.ts', 'serve'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  while (now() - begun < READY_TIMEOUT_MS) {
    if (exited) throw new Error(`the server exited before it was ready:\n${output}`);
    if (await isReady(port)) {
      const ms = now() - begun;
      return { child, ms, serverPid: lockHolder(dataDir) };
    }
    await sleep(20);
  }
  killGroup(child, 'SIGKILL');
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
}

/** SIGTERM to the whole group (npx, tsx and the server), then wait until the data directory is free again. */
async function stop(started: Started, dataDir: string): Promise<void> {
  const { child } = started;
  const exit = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
  await exit;
  clearTimeout(timer);
  running.delete(child);
  const deadline = now() + 15_000;
  while (lockHolder(dataDir) !== null && now() < deadline) await sleep(20);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
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

/** The pid in the data directory's lock file: the server process itself (npx and tsx are its parents). */
function lockHolder(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'orgonaut.lock'), 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** The server's peak and current RSS at ready, from /proc (Linux); "-" elsewhere. */
function serverMemory(pid: number | null): string {
  if (!pid) return '-';
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const peak = kb('VmHWM');
    return Number.isFinite(peak) ? `${formatBytes(peak)} (server)` : '-';
  } catch {
    return '-';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
