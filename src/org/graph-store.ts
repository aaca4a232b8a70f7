import { queryArrays, type Db } from '../db/connection.js';
import { loadLiveGraph } from '../db/live-store.js';
import { applyOverlay, graphSize, type ScenarioChange } from '../scenarios/overlay.js';
import { loadChanges, loadScenario, type Scenario } from '../scenarios/store.js';
import { FreshLookups } from '../util/fresh-lookups.js';
import type { OrgGraph } from './types.js';

/** `currentLiveVersion` as a plain statement: the one query every read makes, without building it each time. */
const LIVE_VERSION = 'select live_version from tenants where id = $1';

async function readLiveVersion(db: Db, tenantId: string): Promise<number> {
  const [row] = await queryArrays(db, LIVE_VERSION, [tenantId], 'orgonaut_live_version');
  return Number(row?.[0] ?? 0);
}

/** Scenario revisions whose change lists are kept. */
const CHANGE_LISTS = 64;
/** Planning scenarios whose newest cached graph is remembered (far more than the cache holds graphs). */
const NEWEST_KEPT = 10_000;

/**
 * Builds and caches the graph of a context. Live and snapshots are keyed by Live version, planning scenarios by
 * their revision and their source's key, so a cached graph is never stale: every read first asks the database for
 * the current version/revision (one indexed row) and only loads rows when that key is new. Graphs are immutable;
 * scenario graphs share every family their overlay does not touch with their source.
 *
 * The cache is per process and bounded by the number of records it holds (least recently used out first).
 */
export class GraphStore {
  private readonly cache = new Map<string, { graph: OrgGraph; size: number }>();
  private readonly loading = new Map<string, Promise<OrgGraph>>();
  /** The changes of recent scenario revisions (a revision's changes never change: every save bumps it). */
  private readonly changeLists = new Map<string, Promise<readonly ScenarioChange[]>>();
  private held = 0;
  /**
   * Each planning scenario's newest cached graph: a save bumps the revision, so the graph of an earlier revision (or
   * of an earlier source) is read no more and leaves the cache when the newer one arrives — else a day of edits
   * filled it with dead revisions (the soak's 2,000-actor tenant: 4M records, ~370 graphs, in four minutes).
   */
  private readonly newestOfScenario = new Map<string, { key: string; revision: number }>();
  /**
   * Look-ups of what is current (Live versions; other reads of "now" name their own keys): each read sees every
   * change committed before it asked, and a burst of reads shares one query.
   */
  readonly current = new FreshLookups();

  constructor(
    private readonly db: Db,
    private readonly maxRecords = 4_000_000,
  ) {}

  /** Live as it is now — or at `version`, when the caller has just read the current version with other data. */
  async live(tenantId: string, version?: number): Promise<{ graph: OrgGraph; version: number }> {
    const current = version ?? (await this.current.get(`live-version:${tenantId}`, () => readLiveVersion(this.db, tenantId)));
    return { graph: await this.atVersion(tenantId, current), version: current };
  }

  /** Live as it was at `version` (snapshots, applied scenarios). */
  atVersion(tenantId: string, version: number): Promise<OrgGraph> {
    return this.cached(`${tenantId}:v${version}`, () => loadLiveGraph(this.db, tenantId, version));
  }

  /**
   * Puts a graph already in memory under a Live version (promotion and restore know the new Live exactly), so the
   * first read after a change to Live does not reload it.
   */
  prime(tenantId: string, version: number, graph: OrgGraph): void {
    this.remember(`${tenantId}:v${version}`, graph);
  }

  /** What a scenario shows: a snapshot or applied scenario its Live version, a planning scenario its overlay. */
  async scenario(scenario: Scenario): Promise<OrgGraph> {
    return (await this.resolve(scenario)).graph;
  }

  /** A planning scenario's graph with the current graph of its source (one look-up of the current versions). */
  async scenarioWithSource(scenario: Scenario): Promise<{ graph: OrgGraph; source: { graph: OrgGraph; key: string } }> {
    const source = await this.source(scenario);
    return { graph: (await this.resolve(scenario, source)).graph, source };
  }

  private async resolve(scenario: Scenario, known?: { graph: OrgGraph; key: string }): Promise<{ graph: OrgGraph; key: string }> {
    if (scenario.kind !== 'planning') {
      const key = `${scenario.tenantId}:v${scenario.liveVersion}`;
      return { graph: await this.atVersion(scenario.tenantId, scenario.liveVersion), key };
    }
    const source = known ?? (await this.source(scenario));
    const key = `${source.key}|${scenario.id}@${scenario.revision}`;
    const graph = await this.cached(key, async () => applyOverlay(source.graph, await this.changes(scenario)));
    this.supersede(`${scenario.tenantId}:${scenario.id}`, key, scenario.revision);
    return { graph, key };
  }

  /**
   * A scenario's own changes at its current revision, loaded once per revision (the overlay and the delta of one
   * revision share them). Read-only.
   */
  changes(scenario: Scenario): Promise<readonly ScenarioChange[]> {
    const key = `${scenario.tenantId}:${scenario.id}@${scenario.revision}`;
    let changes = this.changeLists.get(key);
    if (changes) {
      this.changeLists.delete(key);
    } else {
      changes = loadChanges(this.db, scenario.tenantId, scenario.id);
      // A save that landed between reading the scenario and its changes makes them newer than the key: not kept.
      changes.then(
        (list) => list.some((c) => c.revision > scenario.revision) && this.changeLists.delete(key),
        () => this.changeLists.delete(key),
      );
    }
    this.changeLists.set(key, changes);
    for (const oldKey of this.changeLists.keys()) {
      if (this.changeLists.size <= CHANGE_LISTS) break;
      this.changeLists.delete(oldKey);
    }
    return changes;
  }

  /**
   * The current graph of a planning scenario's source: the planning scenario it branched from, else Live. A source
   * promoted since (applied) is part of Live: the branch follows Live from then on — Live's later changes show
   * through and meet its own as conflicts, instead of a frozen copy whose promotion would undo them.
   */
  async source(scenario: Scenario): Promise<{ graph: OrgGraph; key: string }> {
    const parent = scenario.sourceScenarioId ? await loadScenario(this.db, scenario.tenantId, scenario.sourceScenarioId) : null;
    if (!parent || parent.kind !== 'planning') {
      const { graph, version } = await this.live(scenario.tenantId);
      return { graph, key: `${scenario.tenantId}:v${version}` };
    }
    return this.resolve(parent);
  }

  private async cached(key: string, load: () => Promise<OrgGraph>): Promise<OrgGraph> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.graph;
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load().finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    const graph = await promise;
    this.remember(key, graph);
    return graph;
  }

  private remember(key: string, graph: OrgGraph): void {
    if (this.cache.has(key)) return;
    const size = graphSize(graph);
    this.cache.set(key, { graph, size });
    this.held += size;
    for (const [oldKey, entry] of this.cache) {
      if (this.held <= this.maxRecords || oldKey === key) break;
      this.cache.delete(oldKey);
      this.held -= entry.size;
    }
  }

  /** `key` is now `scenario`'s newest graph: the one it replaces leaves the cache (a read that raced behind a newer one does not). */
  private supersede(scenario: string, key: string, revision: number): void {
    const newest = this.newestOfScenario.get(scenario);
    if (newest?.key === key || (newest && newest.revision > revision)) return;
    if (newest) this.forget(newest.key);
    this.newestOfScenario.delete(scenario);
    this.newestOfScenario.set(scenario, { key, revision });
    // Scenarios not read for long: their graphs left with the least recently used, their entries go too.
    for (const oldest of this.newestOfScenario.keys()) {
      if (this.newestOfScenario.size <= NEWEST_KEPT) break;
      this.newestOfScenario.delete(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.cache.get(key);
    if (!entry) return;
    this.cache.delete(key);
    this.held -= entry.size;
  }

  heldRecords(): number {
    return this.held;
  }

  clear(): void {
    this.cache.clear();
    this.changeLists.clear();
    this.newestOfScenario.clear();
    this.held = 0;
  }
}
