import { InvalidInput } from '../errors.js';
import { inEffect } from '../org/dates.js';
import { keyField, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';
import type { RecordEdit } from './edits.js';

/**
 * A scenario's graph being edited by a batch: copy-on-write per family, so each command validates against the
 * state the previous commands left, and records every edit for folding into the scenario's overlay afterwards.
 */
export class WorkingGraph {
  readonly graph: OrgGraph;
  readonly edits: RecordEdit[] = [];
  private readonly copied = new Set<Family>();
  /** Lazily built lookups `family.field → value → ids`, kept current by create/update. */
  private readonly indexes = new Map<string, Map<unknown, Set<string>>>();

  constructor(
    base: OrgGraph,
    /** The day the batch takes effect unless a command names one. */
    readonly today: string,
  ) {
    this.graph = { ...base };
  }

  get<F extends Family>(family: F, id: string | undefined | null): FamilyRecords[F] | undefined {
    return id ? this.graph[family].get(id) : undefined;
  }

  /** The record, or an InvalidInput naming the field that pointed at a missing one. */
  require<F extends Family>(family: F, id: string | undefined | null, field: string, what: string): FamilyRecords[F] {
    const record = this.get(family, id);
    if (!record) throw new InvalidInput(field, `no ${what} with id "${id ?? ''}" in this scenario`);
    return record;
  }

  /** Like `require`, and the record must be in effect on `day`. */
  requireActive<F extends Family>(family: F, id: string | undefined | null, field: string, what: string, day: string): FamilyRecords[F] {
    const record = this.require(family, id, field, what);
    if ('validTo' in record && !inEffect(record, day)) throw new InvalidInput(field, `that ${what} is not active on ${day}`);
    return record;
  }

  values<F extends Family>(family: F): IterableIterator<FamilyRecords[F]> {
    return this.graph[family].values();
  }

  /** Records of `family` whose `field` equals `value` (e.g. the placements of an actor). */
  where<F extends Family>(family: F, field: keyof FamilyRecords[F] & string, value: unknown): FamilyRecords[F][] {
    const ids = this.index(family, field).get(value);
    if (!ids) return [];
    return [...ids].map((id) => this.graph[family].get(id)!).filter((r) => r !== undefined);
  }

  private index(family: Family, field: string): Map<unknown, Set<string>> {
    const name = `${family}.${field}`;
    let index = this.indexes.get(name);
    if (!index) {
      index = new Map();
      for (const [id, record] of this.graph[family] as unknown as Map<string, Record<string, unknown>>) addTo(index, record[field], id);
      this.indexes.set(name, index);
    }
    return index;
  }

  private reindex(family: Family, id: string, before: Record<string, unknown> | undefined, after: Record<string, unknown>): void {
    for (const [name, index] of this.indexes) {
      const [indexFamily, field] = name.split('.') as [Family, string];
      if (indexFamily !== family || (before && before[field] === after[field])) continue;
      if (before) index.get(before[field])?.delete(id);
      addTo(index, after[field], id);
    }
  }

  create<F extends Family>(family: F, record: FamilyRecords[F]): void {
    const id = (record as unknown as Record<string, string>)[keyField(family)]!;
    this.reindex(family, id, undefined, record as unknown as Record<string, unknown>);
    this.map(family).set(id, record);
    this.edits.push({ kind: 'create', family, recordId: id, record: { ...record } as Record<string, unknown> });
  }

  update<F extends Family>(family: F, id: string, fields: Partial<FamilyRecords[F]>): void {
    const current = this.graph[family].get(id);
    if (!current) throw new Error(`update of missing ${family} ${id}`);
    const next = { ...current, ...fields };
    this.reindex(family, id, current as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>);
    this.map(family).set(id, next);
    this.edits.push({ kind: 'update', family, recordId: id, fields: { ...fields } as Record<string, unknown> });
  }

  private map<F extends Family>(family: F): Map<string, FamilyRecords[F]> {
    if (!this.copied.has(family)) {
      (this.graph as Record<Family, Map<string, unknown>>)[family] = new Map(this.graph[family] as Map<string, unknown>);
      this.copied.add(family);
    }
    return this.graph[family];
  }
}

function addTo(index: Map<unknown, Set<string>>, value: unknown, id: string): void {
  const ids = index.get(value);
  if (ids) ids.add(id);
  else index.set(value, new Set([id]));
}
