import { desc, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { actors } from '../db/schema/index.js';
import type { Logger } from '../logger.js';
import { findTenantById, loadCostSettings } from '../tenancy/tenants.js';
import { today } from './dates.js';
import type { GraphStore } from './graph-store.js';
import { metricsOf } from './metrics-service.js';

/**
 * After start-up, loads the Live graphs and today's metrics of the largest tenants in the background, so their
 * first requests do not pay the cold load (seconds at 100,000 actors). Best effort: failures are only logged.
 */
export async function warmUpLargestTenants(db: Db, graphs: GraphStore, logger: Logger, limit = 10): Promise<void> {
  const largest = await db
    .select({ tenantId: actors.tenantId, n: sql<number>`count(*)::int` })
    .from(actors)
    .where(isNull(actors.versionTo))
    .groupBy(actors.tenantId)
    .orderBy(desc(sql`count(*)`))
    .limit(limit);
  for (const { tenantId, n } of largest) {
    try {
      const started = performance.now();
      const tenant = await findTenantById(db, tenantId);
      if (!tenant) continue;
      const { graph } = await graphs.live(tenantId);
      metricsOf(graph, today(), await loadCostSettings(db, tenant));
      logger.debug({ tenant: tenant.slug, actors: n, ms: Math.round(performance.now() - started) }, 'warmed up');
    } catch (error) {
      logger.warn({ err: error, tenantId }, 'warm-up failed');
    }
  }
}
