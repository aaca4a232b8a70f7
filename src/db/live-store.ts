import { eq, getTableColumns, getTableName, is, sql, type SQL } from 'drizzle-orm';
import { NodePgDatabase, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { isEmbedded, queryArrays, type Db } from './connection.js';
import { mayHoldUnstorableEscape, stringifyWellFormed } from '../util/unicode.js';
import { FAMILY_TABLES } from './families.js';
import { tenants } from './schema/index.js';
import { emptyGraph, FAMILIES, keyField, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';

/**
 * Reading and writing Live. Live is system-versioned (see db/schema/model.ts): reading a version returns the rows
 * current at that version; writing closes the changed records' rows and inserts their new versions under the next
 * Live version, in the caller's transaction.
 */

/**
 * The whole Live graph of a tenant at `version` ('current' = now).
 *
 * How the rows travel is most of a cold read's cost (the statements take milliseconds on their indexes). The
 * embedded database decodes a result field by field in JavaScript, so there each family comes as one JSON text of
 * row arrays, built by the database and parsed natively (10,000 actors: ~650 → ~350 ms for the whole graph). On
 * PostgreSQL node-postgres decodes rows faster than the server builds that JSON, so rows come as arrays. The families
 * are read one after another: concurrently, on PostgreSQL, they took longer (the pool opened a connection for each).
 */
export async function loadLiveGraph(db: Db, tenantId: string, version: number | 'current'): Promise<OrgGraph> {
  const graph = emptyGraph();
  const current = version === 'current';
  const params = current ? [tenantId] : [tenantId, version];
  const asJson = isEmbedded(db);
  for (const family of FAMILIES) {
    const { text, json, fields, recordOf } = selectFamily(family, current);
    const rows = asJson ? (JSON.parse(String((await queryArrays(db, json, params))[0]?.[0] ?? '[]')) as unknown[][]) : await queryArrays(db, text, params);
    const map = graph[family] as Map<string, unknown>;
    const keyAt = fields.indexOf(keyField(family));
    for (const row of rows) map.set(row[keyAt] as string, recordOf(row));
  }
  return graph;
}

type RecordOf = (row: readonly unknown[]) => Record<string, unknown>;
type FamilySelect = {
  /** The rows, one array per row. */
  text: string;
  /** The same rows as one JSON text: an array of row arrays (`[]` when there are none). */
  json: string;
  fields: string[];
  recordOf: RecordOf;
};
const selects = new Map<string, FamilySelect>();

/**
 * The SELECT of one family's rows at a version, with casts that make both drivers return plain JS values (numbers
 * for numeric and bigint, `YYYY-MM-DD` strings for dates).
 */
function selectFamily(family: Family, current: boolean): FamilySelect {
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
    const from = `from "${getTableName(t.table)}" where tenant_id = $1 and ${where}`;
    select = {
      text: `select ${columns.join(', ')} ${from}`,
      json: `select coalesce(json_agg(json_build_array(${columns.join(', ')})), '[]')::text ${from}`,
      fields,
      recordOf: recordBuilder(fields),
    };
    selects.set(cacheKey, select);
  }
  return select;
}

/**
 * A family's record from a row of its SELECT, as one object literal of all its fields. Assigned one by one to an
 * empty object, fields past the fourth went to a separate property array (~25 bytes more per record: a 100k-actor
 * Live graph held ~15 MB more for as long as it is cached). The literal is written from the schema's field names,
 * never from data.
 */
function recordBuilder(fields: readonly string[]): RecordOf {
  return new Function('row', `return { ${fields.map((field, i) => `${JSON.stringify(field)}: row[${i}]`).join(', ')} };`) as RecordOf;
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
/** Rows per insert statement: a few hundred kilobytes of JSON. */
const ROW_CHUNK = 2_000;

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
  const table = sql.identifier(getTableName(t.table));
  const key = sql.identifier(t.key.name);
  for (let i = 0; i < keys.length; i += KEY_CHUNK) {
    // The keys as one JSON parameter (one bind parameter per key made building the statement the slow part).
    const chunk = JSON.stringify(keys.slice(i, i + KEY_CHUNK));
    await tx.execute(
      sql`update ${table} set version_to = ${version} where tenant_id = ${tenantId} and version_to is null and ${key} in (select k::${sql.raw(t.key.getSQLType())} from jsonb_array_elements_text(${chunk}::jsonb) as k)`,
    );
  }
}

async function insertVersions(tx: Db, family: Family, tenantId: string, records: object[], version: number) {
  const t = FAMILY_TABLES[family];
  const fields = Object.keys(t.fields);
  const versioned = { tenantId, versionFrom: version, versionTo: null };
  for (let i = 0; i < records.length; i += ROW_CHUNK) {
    await insertJson(tx, t.table, fields, records.slice(i, i + ROW_CHUNK) as Record<string, unknown>[], versioned);
  }
}

/**
 * Inserts rows in one statement whose single parameter is the rows as JSON, unpacked by `jsonb_to_recordset` with
 * each column's SQL type: building it costs a JSON text, where a multi-row VALUES list costs the ORM a bind
 * parameter and several checks per value (the slow part of large writes). `fields` are the table's property names;
 * every row must give each of them (a missing one is NULL, not the column's default). `suffix` follows the
 * statement (e.g. an ON CONFLICT clause).
 */
export function insertJsonRows(tx: Db, table: PgTable, fields: readonly string[], rows: readonly Record<string, unknown>[], suffix?: SQL): Promise<void> {
  return insertJson(tx, table, fields, rows, {}, suffix);
}

/** insertJsonRows, with `constants` (field → value) the same in every row (not copied into each). */
async function insertJson(tx: Db, table: PgTable, fields: readonly string[], rows: readonly Record<string, unknown>[], constants: Record<string, unknown>, suffix?: SQL): Promise<void> {
  if (!rows.length) return;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const all = [...fields, ...Object.keys(constants)];
  const list = all.map((field) => {
    const column = columns[field];
    if (!column) throw new Error(`${getTableName(table)} has no column for ${field}`);
    return column;
  });
  const names = sql.raw(list.map((c) => `"${c.name}"`).join(', '));
  const types = sql.raw(list.map((c) => `"${c.name}" ${c.getSQLType()}`).join(', '));
  const json = jsonParameter(tx, rowsJson(list, all, rows, constants));
  await tx.execute(sql`insert into ${sql.identifier(getTableName(table))} (${names}) select ${names} from jsonb_to_recordset(${json}) as x(${types}) ${suffix ?? sql``}`);
}

/**
 * The rows as a JSON array of objects keyed by column name, written as text directly (no object per row), with
 * unpaired surrogates and NUL characters replaced as `stringifyWellFormed` does.
 */
function rowsJson(columns: readonly PgColumn[], fields: readonly string[], rows: readonly Record<string, unknown>[], constants: Record<string, unknown>): string {
  const keys = columns.map((c, i) => `${i ? ',' : '{'}${JSON.stringify(c.name)}:`);
  const fixed = fields.map((f) => (f in constants ? JSON.stringify(constants[f] ?? null) : undefined));
  const parts: string[] = [];
  for (const row of rows) {
    let text = '';
    for (let i = 0; i < keys.length; i++) text += keys[i]! + (fixed[i] ?? JSON.stringify(row[fields[i]!] ?? null));
    parts.push(`${text}}`);
  }
  parts[0] = `[${parts[0]}`;
  parts[parts.length - 1] += ']';
  const json = parts.join(',');
  return mayHoldUnstorableEscape(json) ? stringifyWellFormed(JSON.parse(json)) : json;
}

/**
 * JSON text as a `jsonb` parameter. To node-postgres it goes as bytes: a large string held by the driver until the
 * statement completes outlived V8's young generation, so a large write left hundreds of megabytes of these strings in
 * the old one (writing a 100k-actor organisation: +256 MB heap at its peak, +36 MB as bytes).
 */
function jsonParameter(tx: Db, json: string): SQL {
  return is(tx, NodePgDatabase) || is(tx, NodePgTransaction) ? sql`convert_from(${Buffer.from(json)}::bytea, 'UTF8')::jsonb` : sql`${json}::jsonb`;
}
