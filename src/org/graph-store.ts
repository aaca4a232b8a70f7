import type { Db } from '../db/connection.js';
import { currentLiveVersion, loadLiveGraph } from '../db/live-store.js';
import { applyOverlay, graphSize } from '../scenarios/overlay.js';
import { loadChanges, loadScenario, type Scenario } from '../scenarios/store.js';
import type { OrgGraph } from './types.js';

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
  private held = 0;

  constructor(
    private readonly db: Db,
    private readonly maxRecords = 4_000_000,
  ) {}

  /** Live as it is now. */
  async live(tenantId: string): Promise<{ graph: OrgGraph; version: number }> {
    const version = await currentLiveVersion(this.db, tenantId);
    return { graph: await this.atVersion(tenantId, version), version };
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

  private async resolve(scenario: Scenario): Promise<{ graph: OrgGraph; key: string }> {
    if (scenario.kind !== 'planning') {
      const key = `${scenario.tenantId}:v${scenario.liveVersion}`;
      return { graph: await this.atVersion(scenario.tenantId, scenario.liveVersion), key };
    }
    const source = await this.source(scenario);
    const key = `${source.key}|${scenario.id}@${scenario.revision}`;
    const graph = await this.cached(key, async () => {
      const changes = await loadChanges(this.db, scenario.tenantId, scenario.id);
      return applyOverlay(source.graph, changes);
    });
    return { graph, key };
  }

  /** The current graph of a planning scenario's source (Live, or the scenario it branched from). */
  async source(scenario: Scenario): Promise<{ graph: OrgGraph; key: string }> {
    if (!scenario.sourceScenarioId) {
      const { graph, version } = await this.live(scenario.tenantId);
      return { graph, key: `${scenario.tenantId}:v${version}` };
    }
    return this.resolve(await loadScenario(this.db, scenario.tenantId, scenario.sourceScenarioId));
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

  heldRecords(): number {
    return this.held;
  }

  clear(): void {
    this.cache.clear();
    this.held = 0;
  }
}
