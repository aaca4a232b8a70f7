import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { importRuns } from '../../src/db/schema/index.js';
import { listRuns } from '../../src/imports/runs.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { importTenant } from './support.js';

/**
 * Walking the import-run list page by page (GET /api/v1/imports, the web list): runs created in the same
 * millisecond — an HRIS webhook burst — are each listed exactly once, newest first.
 */

let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
let ids: string[] = [];

/** Runs with creation times to the microsecond (several may share one). */
async function insertRuns(times: string[]) {
  const rows = await database.db
    .insert(importRuns)
    .values(times.map((at, i) => ({ tenantId: tenant.id, fileName: `burst-${i}.csv`, uploadedAt: sql`${at}::timestamptz`, createdAt: sql`${at}::timestamptz` })))
    .returning({ id: importRuns.id });
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant, owner } = await importTenant(database, { slug: 'runpaging' }));
  ids = await insertRuns([
    '2026-04-01T09:00:00.000100Z',
    '2026-04-01T09:00:00.000100Z',
    '2026-04-01T09:00:00.000100Z',
    '2026-04-01T09:00:00.000101Z',
    '2026-04-01T09:00:00.000900Z',
    '2026-04-01T09:00:01Z',
  ]);
});
afterAll(() => database?.close());

describe('listRuns paging', () => {
  it('lists every run once across pages of one, even runs created in the same millisecond', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: Awaited<ReturnType<typeof listRuns>> = await listRuns(owner, { limit: 1, cursor });
      seen.push(...result.items.map((r) => r.id));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    const whole = await listRuns(owner, { limit: 50 });
    expect(whole.items.map((r) => r.file.name).slice(0, 3)).toEqual(['burst-5.csv', 'burst-4.csv', 'burst-3.csv']);
  });

  it('refuses a cursor it did not issue', async () => {
    const forged = Buffer.from(JSON.stringify({ list: 'import-runs', query: 'x', key: [1, 'y'] })).toString('base64url');
    await expect(listRuns(owner, { limit: 1, cursor: forged })).rejects.toMatchObject({ field: 'cursor' });
  });
});
