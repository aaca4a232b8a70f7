import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, type Database } from '../../src/db/connection.js';
import { testDatabase } from '../support/db.js';

/**
 * The schema's tenancy rule (SPEC §3, docs/ARCHITECTURE.md, docs/OPERATIONS.md "Growing beyond one PostgreSQL"):
 * every table with a `tenant_id` has it leading its primary key — what lets a tenant-sharded PostgreSQL keep each
 * tenant's rows and joins on one shard. Three credential tables are keyed by the hash of a secret instead, and the
 * docs must say so rather than claim the rule has no exception.
 */

/** Keyed by a secret's hash: a browser session (its tenant chosen later on the central host, or never), a reset link, a CLI sign-in code. */
const KEYED_BY_A_SECRET = ['cli_auth_codes', 'password_resets', 'sessions'];

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

describe('tenant_id in the schema', () => {
  it('leads the primary key of every table that has it, but the three keyed by a secret’s hash', async () => {
    const found = await rows<{ table_name: string; first_key_column: string | null }>(
      database.db,
      sql`select c.table_name,
                 (select a.attname from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
                   where k.contype = 'p' and k.conrelid = format('%I.%I', c.table_schema, c.table_name)::regclass) as first_key_column
            from information_schema.columns c
           where c.table_schema = 'public' and c.column_name = 'tenant_id'
           order by c.table_name`,
    );
    expect(found.length, 'tables with tenant_id').toBeGreaterThan(20);
    const others = found.filter((t) => t.first_key_column !== 'tenant_id').map((t) => t.table_name);
    expect(others).toEqual(KEYED_BY_A_SECRET);
  });

  it('is described with its exceptions in docs/ARCHITECTURE.md and docs/OPERATIONS.md', () => {
    for (const file of ['docs/ARCHITECTURE.md', 'docs/OPERATIONS.md']) {
      const text = fs.readFileSync(file, 'utf8');
      for (const table of KEYED_BY_A_SECRET) expect(text, `${table} named in ${file}`).toContain(`\`${table}\``);
    }
  });
});
