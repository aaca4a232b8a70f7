import { createHash } from 'node:crypto';
import { InvalidInput } from '../errors.js';

/**
 * Cursor pagination shared by REST, MCP and the web app. A cursor is opaque to clients: base64url of the sort key
 * of the last item returned and, for a named list, the list's name and a fingerprint of the query that shaped it
 * (its filters, not the page size) — a cursor handed to another list (an assistant mixing up two walks) or to the
 * same list with other filters (org_unit_id A's cursor reused for B) is refused instead of silently returning an
 * empty or wrong page. Items must be sorted by a total order (`compare`), so a walk has no duplicates or gaps even
 * when items are added between pages.
 */
export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export type SortKey = readonly (string | number | null)[];

/**
 * A short fingerprint of the filters in a list request: every field but `limit` and `cursor`, with blank, null and
 * false fields left out (an absent filter and an empty one shape the same list) and strings trimmed.
 */
export function queryFingerprint(request: object): string {
  const filters = Object.entries(request)
    .filter(([name]) => name !== 'limit' && name !== 'cursor')
    .map(([name, value]) => [name, typeof value === 'string' ? value.trim() : value] as const)
    .filter(([, value]) => value !== undefined && value !== null && value !== '' && value !== false)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}

/** The cursor after `key`; with `list`, valid only for that list, and with `query` (a {@link queryFingerprint}), only for that query. */
export function encodeCursor(key: SortKey, list?: string, query?: string): string {
  return Buffer.from(JSON.stringify(list === undefined ? key : { list, query, key }), 'utf8').toString('base64url');
}

/**
 * The sort key in a cursor from {@link encodeCursor} (with the same `list` and `query`); a cursor of another list
 * or another query, or anything else, is invalid input.
 */
export function decodeCursor(cursor: string, list?: string, query?: string): SortKey {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    payload = undefined;
  }
  const named = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as { list?: unknown; query?: unknown; key?: unknown }) : null;
  if (list !== undefined && named && typeof named.list === 'string' && named.list !== list) {
    throw new InvalidInput('cursor', `belongs to another list (${named.list}), not ${list}: pass it back to the list that returned it, or start again without it`);
  }
  if (list !== undefined && query !== undefined && named && typeof named.list === 'string' && named.query !== query) {
    throw new InvalidInput('cursor', 'this cursor was issued for another query (filters changed); start again without cursor');
  }
  const key = list === undefined ? payload : named?.key;
  if (Array.isArray(key) && key.every((k) => k === null || typeof k === 'string' || typeof k === 'number')) return key as SortKey;
  throw new InvalidInput('cursor', 'not a cursor this server issued; start again without it');
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidInput('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/**
 * One page of the list named `list`, filtered as `request` says (every field of `request` but `limit` and `cursor`
 * is taken as a filter): its cursors are refused by other lists and by this list with other filters. `items` must
 * already be sorted by `keyOf` ascending. Finds the cursor position by binary search, so a page costs O(log n + limit).
 */
export function paginate<T, R extends PageRequest>(list: string, items: readonly T[], keyOf: (item: T) => SortKey, request: R): Page<T> {
  const limit = checkLimit(request.limit);
  const query = queryFingerprint(request);
  let start = 0;
  if (request.cursor) {
    const after = decodeCursor(request.cursor, list, query);
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keyOf(items[mid]!), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, nextCursor: more && slice.length ? encodeCursor(keyOf(slice[slice.length - 1]!), list, query) : null };
}

/**
 * Sorts a copy of `items` by their key (the order `paginate` expects). Each item's key is worked out once, not in
 * every comparison: a key is often built (a lower-cased name and an id), and a list of 10,000 compares ~140,000 times.
 */
export function sortByKey<T>(items: Iterable<T>, keyOf: (item: T) => SortKey): T[] {
  const keyed = Array.from(items, (item) => ({ item, key: keyOf(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.item);
}
