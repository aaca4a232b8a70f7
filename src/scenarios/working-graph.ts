import { InvalidInput } from '../errors.js';
import { inEffect } from '../org/dates.js';
import { keyField, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';
import type { RecordEdit } from './edits.js';
import { derivationOf, OverlayMap, recordDerivation } from './overlay.js';
import { RECORD_KIND, refused, type RecordKind } from './ops/refusals.js';

/**
 * A scenario's graph being edited by a batch: copy-on-write per family (an `OverlayMap` over the family, so a write
 * costs the record, not a copy of the family), so each command validates against the state the previous commands
 * left, and records every edit for folding into the scenario's overlay afterwards.
 *
 * Lookups by field (`where`) combine an index of the root graph (the graph loaded from the database that the base
 * overlays; built once per root and field, and shared by every batch on every scenario of that Live) with a small
 * index of the records changed since the root, kept current by create/update.
 */
export class WorkingGraph {
  readonly graph: OrgGraph;
  readonly edits: RecordEdit[] = [];
  private readonly copied = new Set<Family>();
  private readonly root: OrgGraph;
  /** Per family, the ids that may differ from the root: the base's changes plus this batch's edits. */
  private readonly changed = new Map<Family, Set<string>>();
  /** Lazily built lookups `family.field → value → ids` over the changed records only. */
  private readonly indexes = new Map<string, Map<unknown, Set<string>>>();

  constructor(
    private readonly base: OrgGraph,
    /** The day the batch takes effect unless a command names one. */
    readonly today: string,
  ) {
    this.graph = { ...base };
    const derivation = derivationOf(base);
    this.root = derivation?.root ?? base;
    for (const [family, ids] of Object.entries(derivation?.changed ?? {}) as [Family, ReadonlySet<string>][]) {
      this.changed.set(family, new Set(ids));
    }
  }

  get<F extends Family>(family: F, id: string | undefined | null): FamilyRecords[F] | undefined {
    return id ? this.graph[family].get(id) : undefined;
  }

  /** The record, or an InvalidInput naming the field that pointed at a missing one (`no_such_record`). */
  require<F extends Family>(family: F, id: string | undefined | null, field: string, what: string): FamilyRecords[F] {
    const record = this.get(family, id);
    if (!record) throw new InvalidInput(field, `no ${what} with id "${id ?? ''}" in this scenario`, { reason: 'no_such_record', kind: kindOf(family), missing: what, id: id ?? '' });
    return record;
  }

  /** Like `require`, and the record must be in effect on `day` (else `not_active`). */
  requireActive<F extends Family>(family: F, id: string | undefined | null, field: string, what: string, day: string): FamilyRecords[F] {
    const record = this.require(family, id, field, what);
    if ('validTo' in record && !inEffect(record, day)) {
      throw refused(field, `that ${what} is not active on ${day}`, { reason: 'not_active', kind: kindOf(family), id: id!, day });
    }
    return record;
  }

  values<F extends Family>(family: F): IterableIterator<FamilyRecords[F]> {
    return this.graph[family].values();
  }

  /**
   * Records of `family` whose `field` equals `value` (e.g. the placements of an actor), in the family's order.
   * Costs the matches, not the family: unchanged records come from the root's index, changed ones from this graph.
   */
  where<F extends Family>(family: F, field: keyof FamilyRecords[F] & string, value: unknown): FamilyRecords[F][] {
    const map = this.graph[family] as Map<string, FamilyRecords[F]>;
    const rootMap = this.root[family] as Map<string, FamilyRecords[F]>;
    const changed = this.changed.get(family);
    const order = rootOrder(rootMap);
    const index = rootIndex(rootMap, field);
    // Unchanged records, by their place in the root's order.
    const fromRoot: number[] = [];
    const matches = index.get(value);
    for (const at of typeof matches === 'number' ? [matches] : matches ?? []) if (!changed?.has(order[at]!)) fromRoot.push(at);
    const local = changed?.size ? this.index(family, field).get(value) : undefined;
    if (!local?.size) return fromRoot.map((at) => map.get(order[at]!)!);
    const changedInRoot: string[] = [];
    const added: string[] = [];
    for (const id of local) (rootMap.has(id) ? changedInRoot : added).push(id);
    let ids = fromRoot.map((at) => order[at]!);
    if (changedInRoot.length) {
      // Changed records keep their place in the family's order (as in a copy of the family): found in the root's
      // index under the value they had there. One match alone needs no order.
      ids = [...ids, ...changedInRoot];
      if (ids.length > 1) {
        const places = [...fromRoot, ...changedInRoot.map((id) => rootPlace(rootMap, index, order, field, id))];
        ids = places.sort((a, b) => a - b).map((at) => order[at]!);
      }
    }
    return [...ids, ...added].map((id) => map.get(id)).filter((r): r is FamilyRecords[F] => r !== undefined);
  }

  /**
   * `where` for many values at once: per field, the records of `family` whose field is one of the given values, by
   * value, each list in the family's order (a value nothing matches has no entry). Through the root's indexes; a
   * field without one yet gets it first, all such fields of the family in one pass over the root's plain map (about
   * what one pass over this graph's family would cost), so a merge check on a Live that moved again — a new Live
   * overlaying the same root — costs the look-ups only.
   */
  whereAny<F extends Family>(
    family: F,
    lookups: Partial<Record<keyof FamilyRecords[F] & string, ReadonlySet<unknown>>>,
  ): Map<string, Map<unknown, FamilyRecords[F][]>> {
    const asked = (Object.entries(lookups) as [string, ReadonlySet<unknown> | undefined][]).filter(([, values]) => values?.size) as [string, ReadonlySet<unknown>][];
    const found = new Map<string, Map<unknown, FamilyRecords[F][]>>(asked.map(([field]) => [field, new Map()]));
    if (!asked.length) return found;
    buildRootIndexes(this.root[family] as Map<string, unknown>, asked.map(([field]) => field));
    for (const [field, values] of asked) {
      const byValue = found.get(field)!;
      for (const value of values) {
        const records = this.where(family, field as keyof FamilyRecords[F] & string, value);
        if (records.length) byValue.set(value, records);
      }
    }
    return found;
  }

  /** The index `value → ids` over this family's changed records. */
  private index(family: Family, field: string): Map<unknown, Set<string>> {
    const name = `${family}.${field}`;
    let index = this.indexes.get(name);
    if (!index) {
      index = new Map();
      const map = this.graph[family] as unknown as Map<string, Record<string, unknown>>;
      for (const id of this.changed.get(family) ?? []) {
        const record = map.get(id);
        if (record) addTo(index, record[field], id);
      }
      this.indexes.set(name, index);
    }
    return index;
  }

  private reindex(family: Family, id: string, before: Record<string, unknown> | undefined, after: Record<string, unknown>): void {
    let changed = this.changed.get(family);
    if (!changed) this.changed.set(family, (changed = new Set()));
    // A record not changed before is in the root's index under its root value: from now on only here.
    const tracked = changed.has(id);
    changed.add(id);
    for (const [name, index] of this.indexes) {
      const [indexFamily, field] = name.split('.') as [Family, string];
      if (indexFamily !== family) continue;
      if (tracked && before) {
        if (before[field] === after[field]) continue;
        index.get(before[field])?.delete(id);
      }
      addTo(index, after[field], id);
    }
  }

  create<F extends Family>(family: F, record: FamilyRecords[F]): void {
    const id = (record as unknown as Record<string, string>)[keyField(family)]!;
    this.reindex(family, id, this.graph[family].get(id) as unknown as Record<string, unknown> | undefined, record as unknown as Record<string, unknown>);
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

  /**
   * Takes a record out of the scenario: one the scenario added is dropped, one of its source becomes a `remove`
   * (see `foldEdit`). Used for a dated record ended on the day it starts, which would be in effect on no day.
   */
  remove<F extends Family>(family: F, id: string): void {
    const current = this.graph[family].get(id);
    if (!current) throw new Error(`removal of missing ${family} ${id}`);
    let changed = this.changed.get(family);
    if (!changed) this.changed.set(family, (changed = new Set()));
    changed.add(id);
    for (const [name, index] of this.indexes) {
      const [indexFamily, field] = name.split('.') as [Family, string];
      if (indexFamily === family) index.get((current as unknown as Record<string, unknown>)[field])?.delete(id);
    }
    this.map(family).delete(id);
    this.edits.push({ kind: 'delete', family, recordId: id });
  }

  /** Notes the finished graph as derived from the base (for metrics and later batches). */
  finish(): OrgGraph {
    const edited = new Map<Family, Set<string>>();
    for (const edit of this.edits) {
      let ids = edited.get(edit.family);
      if (!ids) edited.set(edit.family, (ids = new Set()));
      ids.add(edit.recordId);
    }
    recordDerivation(this.graph, this.base, (family) => edited.get(family) ?? []);
    return this.graph;
  }

  private map<F extends Family>(family: F): Map<string, FamilyRecords[F]> {
    if (!this.copied.has(family)) {
      (this.graph as Record<Family, Map<string, unknown>>)[family] = OverlayMap.over(this.graph[family] as Map<string, unknown>);
      this.copied.add(family);
    }
    return this.graph[family];
  }
}

function kindOf(family: Family): RecordKind {
  const kind = RECORD_KIND[family];
  if (!kind) throw new Error(`no change command names ${family}`);
  return kind;
}

function addTo(index: Map<unknown, Set<string>>, value: unknown, id: string): void {
  const ids = index.get(value);
  if (ids) ids.add(id);
  else index.set(value, new Set([id]));
}

/**
 * `field value → place(s)` over a root family map (a place is a record's position in the map's order, `rootOrder`),
 * built once per map and field (root graphs are immutable); a value most records have alone maps to the place itself,
 * not a one-element array.
 */
type RootIndex = Map<unknown, number | number[]>;
const rootIndexes = new WeakMap<Map<string, unknown>, Map<string, RootIndex>>();

function rootIndex(map: Map<string, unknown>, field: string): RootIndex {
  buildRootIndexes(map, [field]);
  return rootIndexes.get(map)!.get(field)!;
}

/** Builds the root indexes of `fields` that `map` has none of yet, together in one pass over it. */
function buildRootIndexes(map: Map<string, unknown>, fields: readonly string[]): void {
  let byField = rootIndexes.get(map);
  if (!byField) rootIndexes.set(map, (byField = new Map()));
  const missing = fields.filter((field) => !byField.has(field));
  if (!missing.length) return;
  const built = missing.map((): RootIndex => new Map());
  let at = 0;
  for (const record of (map as Map<string, Record<string, unknown>>).values()) {
    for (let i = 0; i < missing.length; i++) {
      const index = built[i]!;
      const value = record[missing[i]!];
      const places = index.get(value);
      if (places === undefined) index.set(value, at);
      else if (typeof places === 'number') index.set(value, [places, at]);
      else places.push(at);
    }
    at++;
  }
  missing.forEach((field, i) => byField.set(field, built[i]!));
}

/** The ids of a root family map in its order (an array: no hashing), shared by its indexes. */
const orders = new WeakMap<Map<string, unknown>, string[]>();

function rootOrder(map: Map<string, unknown>): string[] {
  let order = orders.get(map);
  if (!order) orders.set(map, (order = [...map.keys()]));
  return order;
}

/** Past this many records of one value, a changed record's place is looked up in the map of every place instead. */
const PLACE_SCAN = 1_024;

/** The place of a root record (changed since) in its map's order: among the records of the value it had there. */
function rootPlace(map: Map<string, unknown>, index: RootIndex, order: readonly string[], field: string, id: string): number {
  const places = index.get((map.get(id) as Record<string, unknown>)[field]);
  if (typeof places === 'number') return places;
  if (places && places.length <= PLACE_SCAN) {
    for (const at of places) if (order[at] === id) return at;
  }
  return rootOrdinals(map).get(id)!;
}

/** Place of each id in a root family map: only for a changed record whose value has more than PLACE_SCAN records there. */
const ordinals = new WeakMap<Map<string, unknown>, Map<string, number>>();

function rootOrdinals(map: Map<string, unknown>): Map<string, number> {
  let ordinal = ordinals.get(map);
  if (!ordinal) {
    ordinal = new Map();
    let i = 0;
    for (const id of map.keys()) ordinal.set(id, i++);
    ordinals.set(map, ordinal);
  }
  return ordinal;
}
