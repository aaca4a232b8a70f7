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
 * first requests do not pay the cold load (seconds at 100,000 actors). Best effort: failures are only logged, and it
 * never rejects (it runs unawaited: a rejection would end the process).
 */
export async function warmUpLargestTenants(db: Db, graphs: GraphStore, logger: Logger, limit = 10): Promise<void> {
  const started = performance.now();
  let largest: { tenantId: string; n: number }[];
  try {
    largest = await db
      .select({ tenantId: actors.tenantId, n: sql<number>`count(*)::int` })
      .from(actors)
      .where(isNull(actors.versionTo))
      .groupBy(actors.tenantId)
      .orderBy(desc(sql`count(*)`))
      .limit(limit);
  } catch (error) {
    logger.warn({ err: error }, 'warm-up failed');
    return;
  }
  let warmed = 0;
  for (const { tenantId, n } of largest) {
    try {
      const tenantStarted = performance.now();
      const tenant = await findTenantById(db, tenantId);
      if (!tenant) continue;
      const { graph } = await graphs.live(tenantId);
      metricsOf(graph, today(), await loadCostSettings(db, tenant));
      warmed++;
      logger.debug({ tenant: tenant.slug, actors: n, ms: Math.round(performance.now() - tenantStarted) }, 'warmed up');
    } catch (error) {
      logger.warn({ err: error, tenantId }, 'warm-up failed');
    }
  }
  if (warmed) logger.info({ organisations: warmed, ms: Math.round(performance.now() - started) }, 'warmed up the largest organisations');
}
