import { and, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/connection.js';
import { oauthStore } from '../db/schema/index.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import type { Tenant } from '../tenancy/tenants.js';
import { hashTokenValue } from './adapter.js';

/** What an access token presented to a host's MCP resource is bound to (the shape the lead's guard expects). */
export interface AccessTokenInfo {
  userId: string;
  clientId: string;
  clientName: string | null;
  scopes: string[];
  grantId: string;
  expiresAt: Date;
}

const grants = alias(oauthStore, 'grants');

/**
 * Looks an opaque access token up in the tenant's store: one indexed query on (tenant, model, SHA-256 of the token)
 * joined to its grant. Null when the token is unknown to this tenant (another tenant's tokens live under another
 * tenant id), issued for another resource, expired, or revoked (revocation deletes the token or its grant), or when
 * the tenant's plan no longer offers MCP. Nothing is cached here; callers may cache for under a second.
 */
export async function verifyAccessToken(
  db: Db,
  tenant: Pick<Tenant, 'id' | 'plan'>,
  token: string,
  resource: string,
): Promise<AccessTokenInfo | null> {
  if (!PLAN_FEATURES[tenant.plan].mcp) return null;
  if (!token || token.length > 512) return null;
  const [row] = await db
    .select({ payload: oauthStore.payload, grantExpiresAt: grants.expiresAt })
    .from(oauthStore)
    .innerJoin(grants, and(eq(grants.tenantId, oauthStore.tenantId), eq(grants.model, 'Grant'), eq(grants.id, oauthStore.grantId)))
    .where(
      and(
        eq(oauthStore.tenantId, tenant.id),
        eq(oauthStore.model, 'AccessToken'),
        eq(oauthStore.id, hashTokenValue(token)),
        sql`${oauthStore.expiresAt} > now()`,
      ),
    )
    .limit(1);
  if (!row) return null;
  const p = row.payload as {
    accountId?: string;
    clientId?: string;
    scope?: string;
    aud?: string | string[];
    grantId?: string;
    exp?: number;
    extra?: { client_name?: string | null };
  };
  const audience = Array.isArray(p.aud) ? p.aud : [p.aud];
  if (audience.length !== 1 || audience[0] !== resource) return null;
  if (!p.exp || p.exp * 1000 <= Date.now()) return null;
  if (row.grantExpiresAt && row.grantExpiresAt.getTime() <= Date.now()) return null;
  if (!p.accountId || !p.clientId || !p.grantId) return null;
  return {
    userId: p.accountId,
    clientId: p.clientId,
    clientName: p.extra?.client_name ?? null,
    scopes: (p.scope ?? '').split(' ').filter(Boolean),
    grantId: p.grantId,
    expiresAt: new Date(p.exp * 1000),
  };
}
