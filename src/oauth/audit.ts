import { recordAudit } from '../audit/record.js';
import type { Principal } from '../access/policy.js';
import type { Db } from '../db/connection.js';

/**
 * Security events of the authorization server in the tenant's audit log (SPEC §3): app authorised, denied,
 * revoked; a replayed code or rotated refresh token (the grant was revoked). Never a token value.
 */
export interface OAuthAuditEvent {
  entityType: 'oauth_app' | 'oauth_token';
  action: string;
  userId: string | null;
  clientId: string | null;
  clientName: string | null;
  /** How the person acted: their session (consent page, settings), or the system (token endpoint). */
  via?: 'session' | 'system';
  metadata?: Record<string, unknown>;
  requestId?: string | null;
}

export async function auditOAuth(db: Db, tenantId: string, event: OAuthAuditEvent): Promise<void> {
  const principal: Principal = {
    kind: event.via ?? 'system',
    userId: event.userId,
    tenantId,
    role: null,
    abilities: new Set(),
    roleAbilities: new Set(),
    clientId: event.clientId ?? undefined,
    clientName: event.clientName ?? undefined,
  };
  await recordAudit(db, {
    tenantId,
    category: 'security',
    entityType: event.entityType,
    entityId: event.clientId,
    action: event.action,
    principal,
    userId: event.userId,
    metadata: event.metadata ?? {},
    requestId: event.requestId ?? null,
  });
}
