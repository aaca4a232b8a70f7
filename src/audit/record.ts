import type { Db } from '../db/connection.js';
import { auditEvents } from '../db/schema/index.js';
import type { Principal } from '../access/policy.js';

export interface AuditEvent {
  tenantId: string;
  category: 'security' | 'model';
  entityType: string;
  entityId?: string | null;
  action: string;
  principal?: Principal | null;
  userId?: string | null;
  scenarioId?: string | null;
  before?: unknown;
  after?: unknown;
  metadata?: Record<string, unknown>;
  requestId?: string | null;
}

/**
 * Appends an event to the tenant's audit log, in the caller's transaction when given one. Never put secrets or
 * token values in `before`, `after` or `metadata`.
 */
export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  const principal = event.principal ?? null;
  await db.insert(auditEvents).values({
    tenantId: event.tenantId,
    category: event.category,
    entityType: event.entityType,
    entityId: event.entityId ?? null,
    action: event.action,
    userId: event.userId ?? principal?.userId ?? null,
    principalKind: principal?.kind ?? 'system',
    clientId: principal?.clientId ?? null,
    clientName: principal?.clientName ?? null,
    scenarioId: event.scenarioId ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    metadata: event.metadata ?? {},
    requestId: event.requestId ?? null,
  });
}
