import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { forgetCredentialsEverywhere } from '../access/authenticator.js';
import type { Db } from '../db/connection.js';
import { oauthConsents, oauthStore, users } from '../db/schema/index.js';
import { auditOAuth } from './audit.js';
import type { ClientKind } from './consents.js';

/**
 * Connected apps (SPEC §4.2): the clients a user authorised on a tenant. Users list and revoke their own; owners
 * and admins see and revoke every one of the tenant (the caller checks `members.manage` or the like). Revoking
 * deletes every grant, code and token of that user + client at once; this process forgets its cached token lookups
 * at once, other instances on their next database lookup (access tokens are never cached for more than a second).
 */
export interface ConnectedApp {
  userId: string;
  userEmail: string;
  userName: string;
  clientId: string;
  clientName: string | null;
  clientKind: ClientKind;
  /** Self-registered (dynamic or metadata-document) clients are shown as unverified. */
  verified: boolean;
  scopes: string[];
  redirectHost: string | null;
  authorisedAt: Date;
  lastUsedAt: Date | null;
  /** Live grants (authorizations whose tokens still work). 0 = remembered approval only. */
  activeGrants: number;
}

export async function listConnectedApps(db: Db, tenantId: string, who: { userId: string } | 'all'): Promise<ConnectedApp[]> {
  const activeGrants = sql<number>`(
    select count(*)::int from ${oauthStore} g
    where g.tenant_id = ${oauthConsents.tenantId} and g.model = 'Grant'
      and g.account_id = ${oauthConsents.userId}::text and g.client_id = ${oauthConsents.clientId}
      and (g.expires_at is null or g.expires_at > now()))`;
  const rows = await db
    .select({
      userId: oauthConsents.userId,
      userEmail: users.email,
      userName: users.name,
      clientId: oauthConsents.clientId,
      clientName: oauthConsents.clientName,
      clientKind: oauthConsents.clientKind,
      scopes: oauthConsents.scopes,
      redirectHost: oauthConsents.redirectHost,
      authorisedAt: oauthConsents.createdAt,
      lastUsedAt: oauthConsents.lastUsedAt,
      activeGrants,
    })
    .from(oauthConsents)
    .innerJoin(users, eq(users.id, oauthConsents.userId))
    .where(and(eq(oauthConsents.tenantId, tenantId), who === 'all' ? undefined : eq(oauthConsents.userId, who.userId)))
    .orderBy(desc(sql`coalesce(${oauthConsents.lastUsedAt}, ${oauthConsents.updatedAt})`), oauthConsents.clientId);
  return rows.map((r) => ({
    ...r,
    clientKind: r.clientKind as ClientKind,
    verified: r.clientKind === 'preregistered',
    activeGrants: Number(r.activeGrants),
  }));
}

export interface RevokeConnectedAppInput {
  userId: string;
  clientId: string;
  /** True when an owner/admin revokes another member's app (recorded in the audit entry). */
  byAdmin: boolean;
  /** The user who pressed the button, when known. */
  revokedBy?: string | null;
  /** Why, when not a button on the connected-apps list (recorded in the audit entry): `password_reset`, `member_archived`. */
  reason?: string;
  requestId?: string | null;
}

/**
 * Revokes every grant and token of the user for the client and forgets the approval. False when there was none.
 * Once committed, cached token lookups of this process are dropped (other instances drop them within a second).
 */
export async function revokeConnectedApp(db: Db, tenantId: string, input: RevokeConnectedAppInput): Promise<boolean> {
  const revoked = (await deleteConnectedApp(db, tenantId, input)) !== false;
  if (revoked) forgetCredentialsEverywhere();
  return revoked;
}

/**
 * Revokes every app a user authorised on the tenant (their membership was archived, their password reset): each as
 * revokeConnectedApp, audited per app. Returns the apps revoked, by the name they registered (else their client id).
 */
export async function revokeAllAppsOfUser(
  db: Db,
  tenantId: string,
  userId: string,
  by: { revokedBy?: string | null; requestId?: string | null; reason?: string } = {},
): Promise<string[]> {
  const consents = await db
    .select({ clientId: oauthConsents.clientId })
    .from(oauthConsents)
    .where(and(eq(oauthConsents.tenantId, tenantId), eq(oauthConsents.userId, userId)));
  const grants = await db
    .selectDistinct({ clientId: oauthStore.clientId })
    .from(oauthStore)
    .where(and(eq(oauthStore.tenantId, tenantId), eq(oauthStore.model, 'Grant'), eq(oauthStore.accountId, userId)));
  const clientIds = new Set([...consents, ...grants].map((r) => r.clientId).filter((id): id is string => Boolean(id)));
  const revoked: string[] = [];
  for (const clientId of clientIds) {
    const byAdmin = by.revokedBy !== userId;
    const name = await deleteConnectedApp(db, tenantId, { userId, clientId, byAdmin, revokedBy: by.revokedBy ?? null, requestId: by.requestId ?? null, reason: by.reason });
    if (name !== false) revoked.push(name ?? clientId);
  }
  if (revoked.length) forgetCredentialsEverywhere();
  return revoked;
}

/** Deletes the app's approval, grants and tokens; false when there was none, else the name the client gave (or null). */
async function deleteConnectedApp(db: Db, tenantId: string, input: RevokeConnectedAppInput): Promise<string | null | false> {
  const { userId, clientId } = input;
  return db.transaction(async (tx) => {
    const [consent] = await tx
      .delete(oauthConsents)
      .where(and(eq(oauthConsents.tenantId, tenantId), eq(oauthConsents.userId, userId), eq(oauthConsents.clientId, clientId)))
      .returning({ clientName: oauthConsents.clientName });
    const grantIds = tx
      .select({ id: oauthStore.id })
      .from(oauthStore)
      .where(and(eq(oauthStore.tenantId, tenantId), eq(oauthStore.model, 'Grant'), eq(oauthStore.accountId, userId), eq(oauthStore.clientId, clientId)));
    const deleted = await tx
      .delete(oauthStore)
      .where(
        and(
          eq(oauthStore.tenantId, tenantId),
          or(
            inArray(oauthStore.grantId, grantIds),
            and(
              inArray(oauthStore.model, ['Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode']),
              eq(oauthStore.accountId, userId),
              eq(oauthStore.clientId, clientId),
            ),
          ),
        ),
      )
      .returning({ model: oauthStore.model });
    if (!consent && !deleted.length) return false;
    await auditOAuth(tx, tenantId, {
      entityType: 'oauth_app',
      action: 'revoked',
      userId,
      clientId,
      clientName: consent?.clientName ?? null,
      via: 'session',
      metadata: {
        by_admin: input.byAdmin,
        revoked_by: input.revokedBy ?? null,
        grants_revoked: deleted.filter((d) => d.model === 'Grant').length,
        ...(input.reason ? { reason: input.reason } : {}),
      },
      requestId: input.requestId ?? null,
    });
    return consent?.clientName ?? null;
  });
}
