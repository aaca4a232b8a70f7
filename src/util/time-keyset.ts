import { and, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { InvalidInput } from '../errors.js';
import { isUuid } from './ids.js';
import { decodeCursor, encodeCursor } from './pagination.js';

/**
 * Keyset paging newest first by a timestamp and a uuid tiebreak. The time is kept in whole microseconds (the
 * database's precision: a JS Date would drop the last three digits, so rows created in the same millisecond were
 * skipped or repeated between pages); rows sharing a microsecond are ordered by id.
 */
export function microsOf(column: AnyColumn): SQL<string> {
  return sql<string>`(extract(epoch from ${column}) * 1000000)::bigint`;
}

/** The condition "after the cursor" (older, or as old with a smaller id) for a cursor from {@link timeCursor}. */
export function olderThanCursor(cursor: string, list: string, query: string, time: AnyColumn, id: AnyColumn): SQL {
  const [micros, lastId] = decodeCursor(cursor, list, query);
  if (typeof micros !== 'string' || !/^\d{1,18}$/.test(micros) || typeof lastId !== 'string' || !isUuid(lastId)) {
    throw new InvalidInput('cursor', 'not a cursor this server issued; start again without it');
  }
  const at = sql`${micros}::bigint`;
  const created = microsOf(time);
  return or(sql`${created} < ${at}`, and(sql`${created} = ${at}`, sql`${id} < ${lastId}::uuid`))!;
}

/** The cursor after a row whose time in microseconds (as selected with {@link microsOf}) and id are given. */
export function timeCursor(micros: string, id: string, list: string, query: string): string {
  return encodeCursor([String(micros), id], list, query);
}

/**
 * The page of rows fetched `limit + 1` newest first (each with its `micros`, selected with {@link microsOf}): the
 * first `limit` of them, and the cursor after the last when there are more.
 */
export function newestFirstPage<R extends { micros: string }>(rows: R[], limit: number, idOf: (row: R) => string, list: string, query: string): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? timeCursor(last.micros, idOf(last), list, query) : null };
}
