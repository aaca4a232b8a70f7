import type { LiveWrite } from '../../db/live-store.js';
import { FAMILIES, keyField, type Family, type FamilyRecords, type OrgGraph } from '../../org/types.js';
import { sameValue, type RecordEdit } from '../../scenarios/edits.js';

/**
 * The records an import creates and changes, over the organisation it imports into. Only records that really differ
 * are kept, so importing the same file twice changes nothing. It turns into a Live write, scenario edits, or the
 * resulting graph, and counts what happened per family.
 */
export interface FamilyCounts {
  created: number;
  updated: number;
  unchanged: number;
}

type Rec = Record<string, unknown>;

export class Changeset {
  private pending = new Map<Family, Map<string, Rec>>();
  /** Per family, the ids of base records the import went through (changed or not): the created ones are not kept. */
  private seen = new Map<Family, Set<string>>();
  /** Per family, the records that differ from the base (a record's key is in it: no [id, record] pairs). */
  private readonly memo = new Map<Family, Rec[]>();
  /** The target graph, once asked for (the allowance check and finalize both need it; its maps are large). */
  private graph: OrgGraph | null = null;

  constructor(readonly base: OrgGraph) {
    for (const family of FAMILIES) {
      this.pending.set(family, new Map());
      this.seen.set(family, new Set());
    }
  }

  get<F extends Family>(family: F, id: string): FamilyRecords[F] | undefined {
    return (this.building().get(family)!.get(id) ?? (this.base[family] as Map<string, unknown>).get(id)) as FamilyRecords[F] | undefined;
  }

  create<F extends Family>(family: F, record: FamilyRecords[F]): true {
    const id = (record as unknown as Rec)[keyField(family)] as string;
    this.set(family, id, copyOf(family, record as unknown as Rec));
    return true;
  }

  /** Sets fields of an existing record; returns whether anything differed. Undefined values are left alone. */
  update<F extends Family>(family: F, id: string, fields: Partial<FamilyRecords[F]>): boolean {
    const current = this.get(family, id) as unknown as Rec | undefined;
    if (!current) throw new Error(`import: no ${family} record ${id} to update`);
    this.see(family, id);
    let next: Rec | null = null;
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined || sameValue(current[field], value)) continue;
      next ??= copyOf(family, current);
      next[field] = value;
    }
    if (!next) return false;
    this.set(family, id, next);
    return true;
  }

  private see(family: Family, id: string): void {
    if ((this.base[family] as Map<string, unknown>).has(id)) this.seen.get(family)!.add(id);
  }

  private set(family: Family, id: string, record: Rec): void {
    this.building().get(family)!.set(id, record);
    this.see(family, id);
    this.memo.delete(family);
    this.graph = null;
  }

  /**
   * Once every record is built: what finalize needs — the records that differ, and the target graph once asked for —
   * is kept, what building needed is dropped (each record touched, the ids gone through: at 100k rows ~20 MB of maps
   * beside the target graph's). Counts are taken before; nothing is changed after.
   */
  seal(): void {
    for (const family of FAMILIES) this.changed(family);
    this.pending = new Map();
    this.seen = new Map();
    this.sealed = true;
  }

  private sealed = false;

  private building(): Map<Family, Map<string, Rec>> {
    if (this.sealed) throw new Error('import: the changeset is sealed');
    return this.pending;
  }

  /** Records whose content differs from the base (created — not in the base —, or changed and not changed back). */
  private changed(family: Family): Rec[] {
    const memo = this.memo.get(family);
    if (memo) return memo;
    const base = this.base[family] as unknown as Map<string, Rec>;
    const out: Rec[] = [];
    for (const [id, record] of this.building().get(family)!) {
      const before = base.get(id);
      if (!before || Object.keys(record).some((k) => !sameValue(before[k], record[k]))) out.push(record);
    }
    this.memo.set(family, out);
    return out;
  }

  /**
   * What happened per family. `counted`: records counted already (by earlier steps of the run) that are not counted
   * unchanged again.
   */
  counts(family: Family, counted?: ReadonlySet<string>): FamilyCounts {
    const changed = this.changed(family);
    const base = this.base[family] as unknown as Map<string, Rec>;
    const key = keyField(family);
    const updatedIds = new Set<string>();
    for (const record of changed) if (base.has(record[key] as string)) updatedIds.add(record[key] as string);
    if (this.sealed) throw new Error('import: the changeset is sealed');
    const seen = this.seen.get(family)!;
    let again = 0;
    if (counted) for (const id of counted) if (seen.has(id) && !updatedIds.has(id)) again++;
    return { created: changed.length - updatedIds.size, updated: updatedIds.size, unchanged: seen.size - updatedIds.size - again };
  }

  /** Ids of the records that differ from the base: created or changed (after `seal` too). */
  changedIds(family: Family): string[] {
    const key = keyField(family);
    return this.changed(family).map((record) => record[key] as string);
  }

  /** Of `ids` (base records), the ones this changeset changed. */
  changedAmong(family: Family, ids: ReadonlySet<string> | undefined): string[] {
    if (!ids?.size) return [];
    const base = this.base[family] as unknown as Map<string, Rec>;
    return this.changedIds(family).filter((id) => ids.has(id) && base.has(id));
  }

  /** Ids of base records the import went through (changed or not). */
  touched(family: Family): ReadonlySet<string> {
    return this.seen.get(family)!;
  }

  get size(): number {
    return FAMILIES.reduce((n, f) => n + this.changed(f).length, 0);
  }

  liveWrite(): LiveWrite {
    const write: LiveWrite = {};
    for (const family of FAMILIES) {
      const upsert = this.changed(family);
      if (upsert.length) (write as Record<Family, unknown>)[family] = { upsert };
    }
    return write;
  }

  /** Edits for a scenario overlay: whole records for new ones, only the changed fields for the others. */
  edits(): RecordEdit[] {
    const edits: RecordEdit[] = [];
    for (const family of FAMILIES) {
      const base = this.base[family] as unknown as Map<string, Rec>;
      const key = keyField(family);
      for (const record of this.changed(family)) {
        const id = record[key] as string;
        const before = base.get(id);
        if (!before) {
          edits.push({ kind: 'create', family, recordId: id, record });
          continue;
        }
        const fields: Rec = {};
        for (const k of Object.keys(record)) if (!sameValue(before[k], record[k])) fields[k] = record[k];
        edits.push({ kind: 'update', family, recordId: id, fields });
      }
    }
    return edits;
  }

  /** The organisation after the import (families it does not touch are shared with the base). */
  target(): OrgGraph {
    if (this.graph) return this.graph;
    const graph: OrgGraph = { ...this.base };
    for (const family of FAMILIES) {
      const changed = this.changed(family);
      if (!changed.length) continue;
      const key = keyField(family);
      const map = new Map(this.base[family] as unknown as Map<string, Rec>);
      for (const record of changed) map.set(record[key] as string, record);
      (graph as unknown as Record<Family, Map<string, Rec>>)[family] = map;
    }
    this.graph = graph;
    return graph;
  }
}

/**
 * A copy of a record, one spread per family: each keeps the few shapes of its family and copies them field for field
 * into an object of the same layout. One spread for every family saw too many shapes and fell back to copies that
 * keep their fields in a separate property array (~30 bytes more per record: 15 MB of a 100k-row import into Live,
 * kept with the graph the import leaves cached).
 */
function copyOf(family: Family, record: Rec): Rec {
  switch (family) {
    case 'orgUnits':
      return { ...record };
    case 'departments':
      return { ...record };
    case 'teams':
      return { ...record };
    case 'actors':
      return { ...record };
    case 'reportingLines':
      return { ...record };
    case 'placements':
      return { ...record };
    case 'positions':
      return { ...record };
    case 'compensations':
      return { ...record };
  }
}
