import { type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';

/**
 * A planning scenario is an overlay on its source (Live or another scenario): one change per record it added,
 * changed or removed. Fields a change does not name follow the source's current value, so a Live import or a
 * parent scenario's edit shows through; `base` remembers the source value each changed field was edited against.
 */
export type ChangeOp = 'add' | 'change' | 'remove';

export interface ScenarioChange {
  family: Family;
  recordId: string;
  op: ChangeOp;
  /** add: the whole record; change: only the changed fields; remove: null. */
  values: Record<string, unknown> | null;
  /** change: the source's value of each changed field when it was edited; remove: the record removed. */
  base: Record<string, unknown> | null;
  revision: number;
}

/**
 * The graph a scenario shows: its source with the changes applied. Never mutates `source`: families the overlay
 * touches get new maps, the others are shared (graphs are immutable once built).
 *
 * A `change` whose record no longer exists in the source (removed there since) is left out of the view; the delta
 * reports it as a conflict.
 */
export function applyOverlay(source: OrgGraph, changes: readonly ScenarioChange[]): OrgGraph {
  if (!changes.length) return source;
  const result: OrgGraph = { ...source };
  const copied = new Set<Family>();
  const familyMap = <F extends Family>(family: F): Map<string, FamilyRecords[F]> => {
    if (!copied.has(family)) {
      (result as Record<Family, Map<string, unknown>>)[family] = new Map(source[family] as Map<string, unknown>);
      copied.add(family);
    }
    return result[family];
  };
  for (const change of changes) {
    const map = familyMap(change.family) as Map<string, object>;
    if (change.op === 'remove') {
      map.delete(change.recordId);
    } else if (change.op === 'add') {
      map.set(change.recordId, { ...(change.values ?? {}) });
    } else {
      const current = map.get(change.recordId);
      if (current) map.set(change.recordId, { ...current, ...(change.values ?? {}) });
    }
  }
  return result;
}

/** Total number of records in a graph (cache accounting). */
export function graphSize(graph: OrgGraph): number {
  let size = 0;
  for (const map of Object.values(graph) as Map<string, unknown>[]) size += map.size;
  return size;
}
