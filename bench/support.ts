import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEFAULT_BUNDLES } from '../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../src/access/policy.js';
import type { ServiceContext } from '../src/context.js';
import { openEmbedded, openPostgres, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import type { MatrixFilter } from '../src/web/live/matrix-rows.js';
import { GraphStore } from '../src/org/graph-store.js';
import type { Tenant } from '../src/tenancy/tenants.js';
import { adminQuery, withDatabase } from '../test/support/postgres.js';

/** Timers, a memory sampler, the databases under test and the table printer shared by the benchmarks. */

// ---------------------------------------------------------------------------------------------------------------
// Time and memory

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export const now = (): number => performance.now();

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A full garbage collection, so heap figures of one workload do not carry the garbage of the previous one. */
const collect: (() => void) | null = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();

export function collectGarbage(): void {
  collect?.();
}

export interface MemoryPeak {
  /** RSS when sampling started. */
  rssStart: number;
  /** High-water mark of the resident set while sampling (bytes). */
  rssPeak: number;
  /** High-water mark of the V8 heap in use while sampling (bytes). */
  heapPeak: number;
  heapStart: number;
}

/**
 * Samples process.memoryUsage() every 50 ms. A long synchronous stretch delays samples, so the kernel's lifetime
 * high-water mark (resourceUsage().maxRSS) is used too: when it rose during the sampling, it is the true peak.
 */
export class MemorySampler {
  private readonly timer: NodeJS.Timeout;
  private readonly maxRssBefore = process.resourceUsage().maxRSS * 1024;
  private readonly peak: MemoryPeak;

  constructor(intervalMs = 50) {
    const { rss, heapUsed } = process.memoryUsage();
    this.peak = { rssStart: rss, rssPeak: rss, heapPeak: heapUsed, heapStart: heapUsed };
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > this.peak.rssPeak) this.peak.rssPeak = rss;
    if (heapUsed > this.peak.heapPeak) this.peak.heapPeak = heapUsed;
  }

  stop(): MemoryPeak {
    this.sample();
    clearInterval(this.timer);
    const maxRssAfter = process.resourceUsage().maxRSS * 1024;
    if (maxRssAfter > this.maxRssBefore) this.peak.rssPeak = Math.max(this.peak.rssPeak, maxRssAfter);
    return { ...this.peak };
  }
}

export interface Measured<T> {
  value: T;
  ms: number;
  memory: MemoryPeak;
}

/** Runs `fn` once after a full GC, timing it and sampling memory meanwhile. */
export async function measure<T>(fn: () => Promise<T> | T): Promise<Measured<T>> {
  collectGarbage();
  const sampler = new MemorySampler();
  const started = now();
  const value = await fn();
  const ms = now() - started;
  return { value, ms, memory: sampler.stop() };
}

/** Median time of `runs` calls of `fn` (after a warm-up call the caller has already made). */
export async function medianOf(runs: number, fn: () => Promise<unknown> | unknown): Promise<{ ms: number; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = now();
    await fn();
    all.push(now() - started);
  }
  return { ms: median(all), all };
}

// ---------------------------------------------------------------------------------------------------------------
// Databases

/** Where a benchmark's data lives: passed from the runner to each worker process (so it is plain JSON). */
export type BenchTarget = { kind: 'embedded'; dataDir: string } | { kind: 'postgres'; url: string };

export interface PreparedTarget {
  target: BenchTarget;
  /** One line for the output: which database, where. */
  describe: string;
  /** Removes what the benchmark created (data directory or database). */
  dispose(): Promise<void>;
}

/** A fresh embedded database in a temporary data directory (as `npm start` uses it), migrated and closed again. */
export async function prepareEmbedded(): Promise<PreparedTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-bench-'));
  const database = await openEmbedded(dataDir);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return {
    target: { kind: 'embedded', dataDir },
    describe: `embedded (PGlite in ${dataDir})`,
    dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A fresh, migrated database `orgonaut_bench_<pid>` on the PostgreSQL server of `url`, dropped by dispose(). */
export async function preparePostgres(url: string): Promise<PreparedTarget> {
  const name = `orgonaut_bench_${process.pid}`;
  const dispose = () => adminQuery(url, `drop database if exists "${name}" with (force)`);
  await dispose();
  await adminQuery(url, `create database "${name}"`);
  const target: BenchTarget = { kind: 'postgres', url: withDatabase(url, name) };
  try {
    const database = await openPostgres(target.url, { max: 2 });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
  } catch (error) {
    await dispose().catch(() => {});
    throw error;
  }
  return { target, describe: `PostgreSQL at ${describeUrl(url)} (database ${name})`, dispose };
}

export function openTarget(target: BenchTarget): Promise<Database> {
  return target.kind === 'embedded' ? openEmbedded(target.dataDir) : openPostgres(target.url);
}

/** Where a URL points, without credentials. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Service contexts

/** A session principal with every ability of an owner that the tenant's plan allows. */
export function ownerPrincipal(tenant: Tenant): Principal {
  const abilities = effectiveAbilities(DEFAULT_BUNDLES.owner, null, tenant.plan);
  return { kind: 'session', userId: null, tenantId: tenant.id, role: 'owner', abilities, roleAbilities: abilities };
}

/**
 * A service context as a request would have it. Each context gets its own GraphStore unless one is passed, so the
 * first read of a new context loads its graph from the database ("cold").
 */
export function ownerContext(database: Database, tenant: Tenant, graphs = new GraphStore(database.db)): ServiceContext {
  return { db: database.db, tenant, principal: ownerPrincipal(tenant), graphs };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

export interface Row {
  database: string;
  workload: string;
  size: string;
  time: string;
  rssPeak: string;
  heapPeak: string;
  notes: string;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function formatCount(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en-US');
}

/** Peak RSS with its rise over the start of the workload, e.g. "812 MB (+540)". */
export function formatRss(memory: MemoryPeak): string {
  const rise = Math.max(0, memory.rssPeak - memory.rssStart) / 1024 / 1024;
  return `${formatBytes(memory.rssPeak)} (+${rise.toFixed(0)})`;
}

export function formatHeap(memory: MemoryPeak): string {
  return formatBytes(memory.heapPeak);
}

const COLUMNS: { key: keyof Row; title: string; align: 'left' | 'right' }[] = [
  { key: 'database', title: 'database', align: 'left' },
  { key: 'workload', title: 'workload', align: 'left' },
  { key: 'size', title: 'actors', align: 'right' },
  { key: 'time', title: 'time', align: 'right' },
  { key: 'rssPeak', title: 'peak RSS (rise)', align: 'right' },
  { key: 'heapPeak', title: 'peak heap', align: 'right' },
  { key: 'notes', title: 'notes', align: 'left' },
];

/** A plain-text table, one line per row, columns padded to their widest cell. */
export function formatTable(rows: Row[]): string {
  const widths = COLUMNS.map((c) => Math.max(c.title.length, ...rows.map((r) => r[c.key].length)));
  const cell = (text: string, i: number) => (COLUMNS[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: string[]) => cells.map(cell).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(COLUMNS.map((c) => c.title)), rule, ...rows.map((r) => line(COLUMNS.map((c) => r[c.key])))].join('\n');
}

/** The People list's filter with nothing chosen: everyone in Live today. */
export const EVERYONE: MatrixFilter = {
  scenarioId: null,
  asOf: null,
  kind: null,
  orgUnitId: null,
  query: null,
  withoutManager: false,
  includeSubunits: false,
  managerId: null,
  placementCheck: null,
};
