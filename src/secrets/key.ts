import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, Database } from '../db/connection.js';
import { rows } from '../db/connection.js';
import { parseKey } from './seal.js';

/**
 * The key that encrypts secrets at rest (integration credentials, OAuth client secrets), in this order:
 * 1. `ORGONAUT_SECRET_KEY` (production: the same key on every instance, kept in a secret store);
 * 2. embedded database: `secret.key` in the data directory (mode 0600), created on first start — back it up with the
 *    directory;
 * 3. PostgreSQL without the variable (development only): a key generated once and kept in `instance_keys`, i.e. next
 *    to the data it protects; start-up logs a warning.
 * Services ask `secretKeyFor(db)`; the server registers the resolved key at start-up. Without a registration (tests,
 * tools) the database key is used.
 */
const registered = new WeakMap<object, Promise<Buffer>>();

export function registerSecretKey(db: Db, key: Buffer): void {
  registered.set(db, Promise.resolve(key));
}

export function secretKeyFor(db: Db): Promise<Buffer> {
  let key = registered.get(db);
  if (!key) {
    key = databaseKey(db);
    registered.set(db, key);
    key.catch(() => registered.delete(db));
  }
  return key;
}

export type KeySource = 'ORGONAUT_SECRET_KEY' | 'key file' | 'database';

export async function resolveSecretKey(config: { secretKey: string | null; dataDir: string }, database: Database): Promise<{ key: Buffer; source: KeySource }> {
  if (config.secretKey) {
    const key = parseKey(config.secretKey);
    if (!key) throw new Error('ORGONAUT_SECRET_KEY must be 32 bytes written as 64 hex digits or base64');
    return { key, source: 'ORGONAUT_SECRET_KEY' };
  }
  if (database.kind === 'embedded') return { key: keyFile(path.join(config.dataDir, 'secret.key')), source: 'key file' };
  return { key: await databaseKey(database.db), source: 'database' };
}

function keyFile(file: string): Buffer {
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = parseKey(fs.readFileSync(file, 'utf8'));
  if (!key) throw new Error(`${file} does not hold a 32-byte base64 key; restore it from a backup, or remove it, enter integration secrets again and have confidential OAuth clients register again`);
  return key;
}

const NAME = 'integration-secrets';

async function databaseKey(db: Db): Promise<Buffer> {
  await db.execute(sql`insert into instance_keys (name, key) values (${NAME}, ${randomBytes(32).toString('base64')}) on conflict (name) do nothing`);
  const [row] = await rows<{ key: string }>(db, sql`select key from instance_keys where name = ${NAME}`);
  return Buffer.from(row!.key, 'base64');
}
