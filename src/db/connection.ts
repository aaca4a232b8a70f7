import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema/index.js';
import { acquireDataDirLock, DataDirLocked, type DataDirLock } from './lock.js';
import { DatabaseUnavailable } from '../startup-errors.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** An open database: the embedded PGlite in a data directory, or a PostgreSQL server. */
export interface Database {
  kind: 'embedded' | 'postgres';
  db: Db;
  /** One line for people: where the data lives (never the password). */
  describe: string;
  /**
   * Runs `work` while holding the advisory lock `key`, so instances starting together on one PostgreSQL do it one
   * at a time (migrations, the demo seed). The lock lives on one connection held for the duration: a session lock
   * taken through the pool could be released on another connection, which frees nothing. The embedded database
   * belongs to one process (its data directory is locked): `work` just runs.
   */
  exclusively<T>(key: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export { DatabaseUnavailable } from '../startup-errors.js';

/** How long a connection may take before the server counts as not answering (no retries: start-up fails then). */
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens PostgreSQL at `url` and checks it answers. */
export async function openPostgres(url: string, options: { max?: number; connectTimeoutMs?: number } = {}): Promise<Database> {
  const timeout = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: timeout });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const where = describeUrl(url);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    // pg's own words for its timeout ("Connection terminated due to connection timeout") read like a crash.
    const why = /timeout/i.test(reason(error)) ? `no answer within ${timeout / 1000} s (is a PostgreSQL server listening there, reachable from here?)` : reason(error);
    throw new DatabaseUnavailable(`cannot connect to PostgreSQL at ${where}: ${why}`);
  }
  return {
    kind: 'postgres',
    db: drizzlePg(pool, { schema }) as unknown as Db,
    describe: `PostgreSQL at ${where}`,
    async exclusively(key, work) {
      const holder = await pool.connect();
      try {
        await holder.query('select pg_advisory_lock($1)', [key]);
        try {
          return await work();
        } finally {
          await holder.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        holder.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Opens the embedded database in `dataDir` (created if missing), or an in-memory one when `dataDir` is null (tests).
 * A data directory is locked to one process: PGlite corrupts its files when two processes open them.
 */
export async function openEmbedded(dataDir: string | null, options: { lock?: boolean } = {}): Promise<Database> {
  let lock: DataDirLock | null = null;
  if (dataDir) {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      if (options.lock !== false) lock = acquireDataDirLock(dataDir);
    } catch (error) {
      if (error instanceof DataDirLocked) throw error;
      throw new DatabaseUnavailable(`ORGONAUT_DATA_DIR ${dataDir} cannot hold the embedded database: ${dataDirProblem(error)}`);
    }
  }
  let client: PGlite;
  try {
    client = dataDir ? new PGlite(path.join(dataDir, 'pgdata')) : new PGlite();
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw new DatabaseUnavailable(`cannot open the embedded database in ${dataDir}: ${reason(error)}`);
  }
  return fromPglite(client, dataDir ? `embedded database in ${dataDir}` : 'in-memory embedded database', lock);
}

/** Wraps an already open PGlite (tests clone a migrated template). */
export function fromPglite(client: PGlite, describe: string, lock: DataDirLock | null = null): Database {
  return {
    kind: 'embedded',
    db: drizzlePglite(client, { schema }) as unknown as Db,
    describe,
    exclusively: (_key, work) => work(),
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Opens whichever database the configuration names. */
export function openDatabase(config: { databaseUrl: string | null; dataDir: string }): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openEmbedded(config.dataDir);
}

/** Runs a raw query and returns its rows, whichever driver is underneath. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}

/** Why a data directory could not be made or locked, in words (the errno code kept for searching). */
function dataDirProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') return `it, or a directory above it, is a file, not a directory (${code}); set ORGONAUT_DATA_DIR to a directory`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `not allowed to write there (${code}); set ORGONAUT_DATA_DIR to a directory this user may write`;
  return reason(error);
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return reason(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Whether `db` is the embedded database (PGlite): one connection, results decoded in JavaScript. */
export function isEmbedded(db: Db): boolean {
  return (db as unknown as { $client?: unknown }).$client instanceof PGlite;
}

/**
 * Runs a raw query returning rows as arrays (no per-row objects): the fast path for loading whole organisations.
 * Only on the top-level database, not inside a transaction.
 *
 * `name` makes it a named prepared statement on PostgreSQL, for the few statements every request runs (the Live
 * version look-ups): each pooled connection parses and plans it once instead of on every call, which took the
 * server's CPU for the scenario counts from ~210 to ~45 µs a call. One name per text, for the process's lifetime.
 */
export async function queryArrays(db: Db, text: string, params: unknown[], name?: string): Promise<unknown[][]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (client instanceof PGlite) return (await client.query<unknown[]>(text, params, { rowMode: 'array' })).rows;
  if (client instanceof pg.Pool) return (await client.query({ text, values: params, rowMode: 'array', ...(name ? { name } : {}) })).rows as unknown[][];
  throw new Error('queryArrays needs the top-level database, not a transaction');
}
