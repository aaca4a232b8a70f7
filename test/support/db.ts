import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { fromPglite, openPostgres, type Database } from '../../src/db/connection.js';
import { adminQuery, withDatabase } from './postgres.js';

export const onPostgres = Boolean(process.env.DATABASE_URL);

/**
 * A fresh, migrated database of its own for a test file: a copy of the run's template, on PGlite by default or on
 * PostgreSQL when DATABASE_URL is set. Close it in afterAll (PostgreSQL copies are dropped on close).
 */
export async function testDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = inject('pgTemplate');
    if (!template) throw new Error('global setup did not create the PostgreSQL template');
    const name = `${template}_${randomBytes(4).toString('hex')}`;
    await adminQuery(url, `create database "${name}" template "${template}"`);
    const database = await openPostgres(withDatabase(url, name), { max: 8 });
    return {
      ...database,
      describe: `test database ${name}`,
      close: async () => {
        await database.close();
        await adminQuery(url, `drop database if exists "${name}" with (force)`);
      },
    };
  }
  const file = inject('pgliteTemplate');
  if (!file) throw new Error('global setup did not create the PGlite template');
  const client = new PGlite({ loadDataDir: new Blob([fs.readFileSync(file)]) });
  await client.waitReady;
  return fromPglite(client, 'test PGlite');
}
