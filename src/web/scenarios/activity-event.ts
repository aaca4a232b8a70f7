import { and, eq } from 'drizzle-orm';
import { authorize } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { auditEvents, users } from '../../db/schema/index.js';
import { NotFound } from '../../errors.js';
import { snakeKeys } from '../../org/family-names.js';
import { visibleMoney } from '../../org/read-history.js';
import { isUuid } from '../../util/ids.js';

/**
 * One audit event of the tenant, for the activity page's deep link `/activity/:id` (`listActivity` in
 * org/read-history.ts lists them; this reads one the same way). Needs `activity.read`; another tenant's id is
 * "not found"; money-looking fields are dropped without `costs.read` (`visibleMoney`, the list's rule).
 */
export async function getActivityEvent(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'activity.read');
  if (!isUuid(id)) throw new NotFound('Activity event', id);
  const [row] = await ctx.db
    .select({ event: auditEvents, email: users.email, name: users.name })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.userId))
    .where(and(eq(auditEvents.tenantId, ctx.tenant.id), eq(auditEvents.id, id)))
    .limit(1);
  if (!row) throw new NotFound('Activity event', id);
  const e = row.event;
  return {
    id: e.id,
    at: e.at,
    category: e.category,
    entity_type: e.entityType,
    entity_id: e.entityId,
    action: e.action,
    user: row.email ? { id: e.userId, email: row.email, name: row.name } : null,
    principal_kind: e.principalKind,
    client_name: e.clientName,
    scenario_id: e.scenarioId,
    request_id: e.requestId,
    before: snakeKeys(visibleMoney(e.before, ctx.principal)),
    after: snakeKeys(visibleMoney(e.after, ctx.principal)),
    metadata: visibleMoney(e.metadata, ctx.principal),
  };
}
