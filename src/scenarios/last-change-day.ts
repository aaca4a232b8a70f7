import { today } from '../org/dates.js';

/**
 * The day the last of a batch of changes takes effect (each change's `date`), when that is after `from` (today);
 * null when all take effect by then. A batch's preview is taken on this day — taken today, a hire starting next year
 * read 'Headcount 0 … no change'. The change tray and the MCP plan preview both use it.
 */
export function lastChangeDay(changes: readonly Record<string, unknown>[], from = today()): string | null {
  const last = changes.map((c) => (typeof c.date === 'string' ? c.date : '')).reduce((a, b) => (b > a ? b : a), '');
  return last > from ? last : null;
}
