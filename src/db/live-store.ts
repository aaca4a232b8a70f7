import { and, eq, getTableName, inArray, isNull, sql } from 'drizzle-orm';
import { queryArrays, type Db } from './connection.js';
import { FAMILY_TABLES } from './families.js';
import { tenants } from './schema/index.js';
import { emptyGraph, FAMILIES, keyField, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';

/**
 * Reading and writing Live. Live is system-versioned (see db/schema/model.ts): reading a version returns the rows
 * current at that version; writing closes the changed records' rows and inserts their new versions under the next
 * Live version, in the caller's transaction.
 */

/** The whole Live graph of a tenant at `version` ('current' = now). */
export async function loadLiveGraph(db: Db, tenantId: string, version: number | 'current'): Promise<OrgGraph> {
  const graph = emptyGraph();
  for (const family of FAMILIES) {
    const { text, fields } = selectFamily(family, version === 'current');
    const params = version === 'current' ? [tenantId] : [tenantId, version];
    const rows = await queryArrays(db, text, params);
    const map = graph[family] as Map<string, unknown>;
    const keyAt = fields.indexOf(keyField(family));
    for (const row of rows) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) record[fields[i]!] = row[i];
      map.set(row[keyAt] as string, record);
    }
  }
  return graph;
}

const selects = new Map<string, { text: string; fields: string[] }>();

/**
 * The SELECT of one family's rows at a version, with casts that make both drivers return plain JS values (numbers
 * for numeric and bigint, `YYYY-MM-DD` strings for dates).
 */
function selectFamily(family: Family, current: boolean): { text: string; fields: string[] } {
  const cacheKey = `${family}:${current}`;
  let select = selects.get(cacheKey);
  if (!select) {
    const t = FAMILY_TABLES[family];
    const fields = Object.keys(t.fields);
    const columns = fields.map((field) => {
      const column = t.fields[field]!;
      const name = `"${column.name}"`;
      if (['PgNumeric', 'PgNumericNumber', 'PgBigInt53'].includes(column.columnType)) return `${name}::float8`;
      if (column.columnType === 'PgDateString') return `${name}::text`;
      return name;
    });
    const where = current ? 'version_to is null' : 'version_from <= $2 and (version_to is null or version_to > $2)';
    select = { text: `select ${columns.join(', ')} from "${getTableName(t.table)}" where tenant_id = $1 and ${where}`, fields };
    selects.set(cacheKey, select);
  }
  return select;
}

/** The tenant's current Live version. */
export async function currentLiveVersion(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.select({ v: tenants.liveVersion }).from(tenants).where(eq(tenants.id, tenantId));
  return Number(row?.v ?? 0);
}

export type LiveWrite = {
  [F in Family]?: { upsert?: FamilyRecords[F][]; remove?: string[] };
};

const KEY_CHUNK = 5_000;

/**
 * Writes records into Live as one new Live version and returns it. Must run inside a transaction: it locks the
 * tenant row, so Live writes of one tenant are serialised.
 */
export async function writeLive(tx: Db, tenantId: string, write: LiveWrite): Promise<number> {
  const [locked] = await tx.execute(sql`select live_version from tenants where id = ${tenantId} for update`).then(
    (r) => (r as unknown as { rows: { live_version: string | number }[] }).rows,
  );
  if (!locked) throw new Error(`tenant ${tenantId} not found`);
  const version = Number(locked.live_version) + 1;
  for (const family of FAMILIES) {
    const part = write[family];
    if (!part) continue;
    const upserts = (part.upsert ?? []) as FamilyRecords[Family][];
    const keys = [...upserts.map((r) => (r as unknown as Record<string, string>)[keyField(family)]!), ...(part.remove ?? [])];
    await closeCurrent(tx, family, tenantId, keys, version);
    await insertVersions(tx, family, tenantId, upserts, version);
  }
  await tx.update(tenants).set({ liveVersion: version, updatedAt: sql`now()` }).where(eq(tenants.id, tenantId));
  return version;
}

async function closeCurrent(tx: Db, family: Family, tenantId: string, keys: string[], version: number) {
  const t = FAMILY_TABLES[family];
  for (let i = 0; i < keys.length; i += KEY_CHUNK) {
    await tx
      .update(t.table)
      .set({ versionTo: version } as never)
      .where(and(eq(t.tenantId, tenantId), isNull(t.versionTo), inArray(t.key, keys.slice(i, i + KEY_CHUNK))));
  }
}

async function insertVersions(tx: Db, family: Family, tenantId: string, records: object[], version: number) {
  if (!records.length) return;
  const t = FAMILY_TABLES[family];
  // Stay well under PostgreSQL's 65,535 bind parameters per statement.
  const perRow = Object.keys(t.fields).length + 3;
  const chunk = Math.max(1, Math.floor(30_000 / perRow));
  for (let i = 0; i < records.length; i += chunk) {
    const rows = records.slice(i, i + chunk).map((r) => ({ ...r, tenantId, versionFrom: version, versionTo: null }));
    await tx.insert(t.table).values(rows as never);
  }
}
