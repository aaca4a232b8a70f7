import type { KeyCounts, KeyRows } from './resolve.js';
import type { StoredRow } from './plan.js';

/**
 * Rows that repeat an earlier row of the step cell for cell (an export listing someone twice, two exports pasted
 * together): each is the same person saying the same, so it follows its first row instead of making both duplicates
 * (which would quarantine the person, and strand everyone reporting to them). Only rows sharing an identity key can
 * repeat one another, so only those are read again, and only when there are any. Returns each repeat's first row and
 * takes the repeats out of `counts`: a key left on one row is no duplicate.
 */
export async function exactRepeats(rows: AsyncIterable<readonly StoredRow[]>, counts: KeyCounts): Promise<Map<number, number>> {
  const keyed = [counts.emails, counts.sources, counts.employeeIds].filter((k): k is KeyRows => Boolean(k));
  const shared = new Set<number>();
  for (const k of keyed) for (const rowNumbers of k.several.values()) for (const n of rowNumbers) shared.add(n);
  const repeats = new Map<number, number>();
  if (!shared.size) return repeats;
  const firstWith = new Map<string, number>();
  for await (const page of rows) {
    for (const row of page) {
      if (!shared.has(row.rowNumber)) continue;
      const cells = JSON.stringify(row.values.map((v) => v?.trim() ?? ''));
      const first = firstWith.get(cells);
      if (first === undefined) firstWith.set(cells, row.rowNumber);
      else repeats.set(row.rowNumber, first);
    }
  }
  for (const k of keyed) {
    for (const [key, rowNumbers] of k.several) {
      const kept = rowNumbers.filter((n) => !repeats.has(n));
      if (kept.length > 1) k.several.set(key, kept);
      else k.several.delete(key);
    }
  }
  return repeats;
}
