import pg from 'pg';
import type { Database } from '../db/connection.js';
import type { GraphStore } from '../org/graph-store.js';
import { metrics } from './metrics.js';

/** Process gauges for /metrics: the database pool, the graph cache, background tasks and memory. Registered once. */
let registered = false;

export function registerProcessGauges(database: Database, graphs: GraphStore, runningTasks: () => number): void {
  if (registered) return;
  registered = true;
  const client = (database.db as unknown as { $client?: unknown }).$client;
  metrics.gauge('orgonaut_db_pool_connections', 'PostgreSQL pool connections by state', (): Record<string, number> =>
    client instanceof pg.Pool ? { 'state="total"': client.totalCount, 'state="idle"': client.idleCount, 'state="waiting"': client.waitingCount } : {},
  );
  metrics.gauge('orgonaut_graph_cache_records', 'Organisation records held in the graph cache', () => ({ '': graphs.heldRecords() }));
  metrics.gauge('orgonaut_background_tasks_running', 'Background tasks running in this process', () => ({ '': runningTasks() }));
  metrics.gauge('orgonaut_process_memory_bytes', 'Memory of this process: resident set, V8 heap used and reserved, external', () => {
    const memory = process.memoryUsage();
    return { 'kind="rss"': memory.rss, 'kind="heap_used"': memory.heapUsed, 'kind="heap_total"': memory.heapTotal, 'kind="external"': memory.external };
  });
}
