import { FAMILIES, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';

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
 * touches get an `OverlayMap` over the source's map (no copy of the unchanged records), the others are shared
 * (graphs are immutable once built). The result remembers what it was derived from (`derivationOf`), so indexes
 * and metrics can be worked out from the source's in proportion to the changes.
 *
 * A `change` whose record no longer exists in the source (removed there since) is left out of the view; the delta
 * reports it as a conflict.
 */
export function applyOverlay(source: OrgGraph, changes: readonly ScenarioChange[]): OrgGraph {
  if (!changes.length) return source;
  const result: OrgGraph = { ...source };
  const overrides = new Map<Family, Map<string, unknown>>();
  for (const change of changes) {
    let familyOverrides = overrides.get(change.family);
    if (!familyOverrides) overrides.set(change.family, (familyOverrides = new Map()));
    if (change.op === 'remove') {
      familyOverrides.set(change.recordId, REMOVED);
    } else if (change.op === 'add') {
      familyOverrides.set(change.recordId, { ...(change.values ?? {}) });
    } else {
      const current = familyOverrides.has(change.recordId)
        ? familyOverrides.get(change.recordId)
        : (source[change.family] as Map<string, unknown>).get(change.recordId);
      if (current && current !== REMOVED) familyOverrides.set(change.recordId, { ...(current as object), ...(change.values ?? {}) });
    }
  }
  for (const [family, familyOverrides] of overrides) {
    (result as Record<Family, Map<string, unknown>>)[family] = OverlayMap.over(source[family] as Map<string, unknown>, familyOverrides);
  }
  recordDerivation(result, source, (family) => overrides.get(family)?.keys() ?? []);
  return result;
}

/** Total number of records in a graph (cache accounting). */
export function graphSize(graph: OrgGraph): number {
  let size = 0;
  for (const map of Object.values(graph) as Map<string, unknown>[]) size += map.size;
  return size;
}

// ---------------------------------------------------------------------------------------------------------------
// Derivation: which graph a graph is an overlay of, and which records may differ

/**
 * A graph built as an overlay (a scenario's view, a batch's working graph, a promoted Live primed in the cache)
 * knows its `root` — the graph loaded from the database it ultimately overlays — and, per family, the ids of the
 * records that may differ from the root. Every other record is the root's own object. Anything worked out for the
 * root (lookups, metrics) can thus be updated for the derived graph in proportion to the changes.
 */
export interface Derivation {
  root: OrgGraph;
  changed: Partial<Record<Family, ReadonlySet<string>>>;
  /** Number of ids in `changed`, over all families. */
  size: number;
}

const derivations = new WeakMap<OrgGraph, Derivation>();

export function derivationOf(graph: OrgGraph): Derivation | undefined {
  return derivations.get(graph);
}

/** Notes that `graph` is `base` with (at most) the records `idsOf(family)` changed. Chains collapse onto the root. */
export function recordDerivation(graph: OrgGraph, base: OrgGraph, idsOf: (family: Family) => Iterable<string>): void {
  const inherited = derivations.get(base);
  const changed: Partial<Record<Family, Set<string>>> = {};
  let size = 0;
  for (const family of FAMILIES) {
    const ids = new Set<string>(inherited?.changed[family] ?? []);
    for (const id of idsOf(family)) ids.add(id);
    if (ids.size) {
      changed[family] = ids;
      size += ids.size;
    }
  }
  derivations.set(graph, { root: inherited?.root ?? base, changed, size });
}

// ---------------------------------------------------------------------------------------------------------------
// OverlayMap

const REMOVED: unique symbol = Symbol('removed');
type Override<V> = V | typeof REMOVED;

/**
 * A Map that reads through to a base Map except for a (small) set of overridden or removed keys, so an overlay of
 * a few thousand records on a 100,000-record family costs a few thousand entries, not a copy of the family.
 * Iteration follows the base's order, then the added keys in the order they were added — the order a copy of the
 * base with the same `set`s would have. Overlays of overlays collapse onto the underlying plain Map.
 */
export class OverlayMap<K, V> extends Map<K, V> {
  readonly #base: Map<K, V>;
  readonly #overrides: Map<K, Override<V>>;
  /** Keys not in the base, in the order they were first added (some may have been removed since). */
  readonly #added: K[] = [];
  #size: number;

  private constructor(base: Map<K, V>, overrides: Map<K, Override<V>>) {
    super();
    this.#base = base;
    this.#overrides = new Map();
    this.#size = base.size;
    for (const [key, value] of overrides) this.#put(key, value);
  }

  /** An overlay of `overrides` (REMOVED = deleted) on `base`; `base` is never modified. */
  static over<K, V>(base: Map<K, V>, overrides: Map<K, unknown> = new Map()): OverlayMap<K, V> {
    if (base instanceof OverlayMap) {
      const flat = new OverlayMap<K, V>(base.#base, base.#overrides);
      for (const [key, value] of overrides) flat.#put(key, value as Override<V>);
      return flat;
    }
    return new OverlayMap(base, overrides as Map<K, Override<V>>);
  }

  /** The plain Map this overlays. */
  get base(): ReadonlyMap<K, V> {
    return this.#base;
  }

  #put(key: K, value: Override<V>): void {
    // Graph records are never undefined; keeping it so lets a single look-up tell "not overridden".
    if (value === undefined) throw new Error('an OverlayMap holds no undefined values');
    const before = this.#present(key);
    if (!this.#overrides.has(key) && !this.#base.has(key)) this.#added.push(key);
    this.#overrides.set(key, value);
    const after = value !== REMOVED;
    if (before !== after) this.#size += after ? 1 : -1;
  }

  #present(key: K): boolean {
    const o = this.#overrides.get(key);
    return o === undefined ? this.#base.has(key) : o !== REMOVED;
  }

  override get(key: K): V | undefined {
    const o = this.#overrides.get(key);
    if (o === undefined) return this.#base.get(key);
    return o === REMOVED ? undefined : o;
  }

  override has(key: K): boolean {
    return this.#present(key);
  }

  override get size(): number {
    return this.#size;
  }

  override set(key: K, value: V): this {
    this.#put(key, value);
    return this;
  }

  override delete(key: K): boolean {
    if (!this.#present(key)) return false;
    this.#put(key, REMOVED);
    return true;
  }

  override clear(): void {
    throw new Error('an OverlayMap cannot be cleared');
  }

  override *entries(): MapIterator<[K, V]> {
    const overrides = this.#overrides;
    if (overrides.size === 0) {
      yield* this.#base.entries();
      return;
    }
    for (const entry of this.#base) {
      const o = overrides.get(entry[0]);
      if (o === undefined) yield entry;
      else if (o !== REMOVED) yield [entry[0], o];
    }
    for (const key of this.#added) {
      const o = overrides.get(key)!;
      if (o !== REMOVED) yield [key, o];
    }
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  override *values(): MapIterator<V> {
    const overrides = this.#overrides;
    for (const [key, value] of this.#base) {
      const o = overrides.get(key);
      if (o === undefined) yield value;
      else if (o !== REMOVED) yield o;
    }
    for (const key of this.#added) {
      const o = overrides.get(key)!;
      if (o !== REMOVED) yield o;
    }
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

/** Typed helper: an overlay of one family's map. */
export function overlayFamily<F extends Family>(base: Map<string, FamilyRecords[F]>): OverlayMap<string, FamilyRecords[F]> {
  return OverlayMap.over(base);
}
