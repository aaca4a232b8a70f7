import { and, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
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
    const t = FAMILY_TABLES[family];
    const current =
      version === 'current'
        ? isNull(t.versionTo)
        : and(lte(t.versionFrom, version), or(isNull(t.versionTo), gt(t.versionTo, version)));
    const rows = await db.select(t.fields).from(t.table).where(and(eq(t.tenantId, tenantId), current));
    const map = graph[family] as Map<string, unknown>;
    const key = keyField(family);
    for (const row of rows) map.set((row as Record<string, string>)[key]!, row);
  }
  return graph;
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
