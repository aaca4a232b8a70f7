import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Database, Schema } from './connection.js';
import { abilities, currencies } from './schema/index.js';
import { ABILITIES } from '../access/abilities.js';
import { CURRENCIES } from './reference-data.js';

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

/** Arbitrary constant for pg_advisory_lock: instances starting together migrate one at a time. */
const MIGRATION_LOCK = 7_402_511;

/**
 * Applies every committed SQL migration not yet applied, then refreshes the global reference data (abilities,
 * currencies). Idempotent: a restart applies nothing new.
 */
export async function migrate(database: Database): Promise<void> {
  await database.exclusively(MIGRATION_LOCK, async () => {
    if (database.kind === 'postgres') await migratePg(database.db as unknown as NodePgDatabase<Schema>, { migrationsFolder: MIGRATIONS });
    else await migratePglite(database.db as unknown as PgliteDatabase<Schema>, { migrationsFolder: MIGRATIONS });
    await refreshReferenceData(database);
  });
}

async function refreshReferenceData({ db }: Database): Promise<void> {
  await db
    .insert(abilities)
    .values(Object.entries(ABILITIES).map(([name, description]) => ({ name, description })))
    .onConflictDoUpdate({ target: abilities.name, set: { description: sql`excluded.description` } });
  await db
    .insert(currencies)
    .values(CURRENCIES.map(([code, name, minorUnits]) => ({ code, name, minorUnits })))
    .onConflictDoUpdate({
      target: currencies.code,
      set: { name: sql`excluded.name`, minorUnits: sql`excluded.minor_units` },
    });
}
