/**
 * Every item of a list the services hand out in cursor pages: read page after page, 500 at a time (the most a page
 * holds), until the list ends — or, with `max`, once that many items are held (the rest is not read). `pageOf` says
 * where an answer keeps its page (`{ items, nextCursor }`); `last` is the last answer read, for what comes with every
 * page (the view it was read in, the filter it applied).
 */
export const PAGE_READ = 500;

export interface PageSlice<T> {
  items: readonly T[];
  nextCursor: string | null;
}

export async function everyPage<R, T>(
  read: (page: { limit: number; cursor: string | null }) => Promise<R>,
  pageOf: (answer: R) => PageSlice<T>,
  options: { max?: number } = {},
): Promise<{ items: T[]; last: R }> {
  const max = options.max ?? Infinity;
  const items: T[] = [];
  let cursor: string | null = null;
  let last: R;
  do {
    last = await read({ limit: PAGE_READ, cursor });
    const page = pageOf(last);
    items.push(...page.items);
    cursor = items.length < max ? page.nextCursor : null;
  } while (cursor);
  return { items, last };
}
