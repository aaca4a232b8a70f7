import { describe, expect, it } from 'vitest';
import { everyPage, PAGE_READ } from '../../src/web/every-page.js';

/**
 * The one walk over a cursor-paged list the pages share (src/web/every-page.ts): the sorted People, Spans and
 * Scenarios tables, the People CSV, a manager's direct reports and the form choices all read their lists with it.
 */

/** A list of `n` numbers in pages, as the services answer: `{ view, page: { items, nextCursor } }`; counts its reads. */
function pagedList(n: number) {
  const reads: { limit: number; cursor: string | null }[] = [];
  const read = async (request: { limit: number; cursor: string | null }) => {
    reads.push(request);
    const from = request.cursor ? Number(request.cursor) : 0;
    const items = Array.from({ length: Math.max(0, Math.min(request.limit, n - from)) }, (_, i) => from + i);
    const next = from + items.length;
    return { view: { read: reads.length }, page: { items, nextCursor: next < n ? String(next) : null } };
  };
  return { read, reads };
}

describe('everyPage', () => {
  it('reads every page, 500 at a time, and keeps the items in order with the last answer', async () => {
    const { read, reads } = pagedList(1_234);
    const { items, last } = await everyPage(read, (r) => r.page);
    expect(items).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
    expect(reads).toEqual([
      { limit: PAGE_READ, cursor: null },
      { limit: PAGE_READ, cursor: '500' },
      { limit: PAGE_READ, cursor: '1000' },
    ]);
    expect(last.view.read).toBe(3);
  });

  it('stops reading once it holds `max` items', async () => {
    const { read, reads } = pagedList(5_000);
    const { items } = await everyPage(read, (r) => r.page, { max: 1_000 });
    expect(items).toHaveLength(1_000);
    expect(reads).toHaveLength(2);
  });

  it('answers an empty list with one read', async () => {
    const { read, reads } = pagedList(0);
    const { items, last } = await everyPage(read, (r) => r.page);
    expect(items).toEqual([]);
    expect(reads).toHaveLength(1);
    expect(last.page.nextCursor).toBeNull();
  });
});
