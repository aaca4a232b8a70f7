import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { oauthConsents, oauthStore } from '../db/schema/index.js';
import { MCP_SCOPE } from './scopes.js';

/** Remembered approvals of a client by a user on a tenant (the "connected apps"). */
export type ClientKind = 'dynamic' | 'metadata_document' | 'preregistered';

export interface Consent {
  clientId: string;
  clientName: string | null;
  clientKind: ClientKind;
  scopes: string[];
}

/** The remembered approval, with the host the person was shown they would be sent to when they gave it. */
export async function findConsent(db: Db, tenantId: string, userId: string, clientId: string): Promise<(Consent & { redirectHost: string | null }) | null> {
  const [row] = await db
    .select({
      clientId: oauthConsents.clientId,
      clientName: oauthConsents.clientName,
      clientKind: oauthConsents.clientKind,
      scopes: oauthConsents.scopes,
      redirectHost: oauthConsents.redirectHost,
    })
    .from(oauthConsents)
    .where(and(eq(oauthConsents.tenantId, tenantId), eq(oauthConsents.userId, userId), eq(oauthConsents.clientId, clientId)))
    .limit(1);
  return row ? { ...row, clientKind: row.clientKind as ClientKind } : null;
}

/**
 * Records (or widens) an approval: scopes approved before stay approved. `mcp:use` alone is the widest approval
 * (the whole role; ability scopes only narrow it), so once given it is what is remembered.
 */
export async function saveConsent(
  db: Db,
  tenantId: string,
  userId: string,
  consent: Consent & { redirectHost: string },
): Promise<void> {
  await db
    .insert(oauthConsents)
    .values({ tenantId, userId, ...consent })
    .onConflictDoUpdate({
      target: [oauthConsents.tenantId, oauthConsents.userId, oauthConsents.clientId],
      set: {
        clientName: consent.clientName,
        clientKind: consent.clientKind,
        redirectHost: consent.redirectHost,
        scopes: sql`(case when ${oauthConsents.scopes} <@ array[${MCP_SCOPE}]::text[] or excluded.scopes <@ array[${MCP_SCOPE}]::text[]
          then array[${MCP_SCOPE}]::text[]
          else (select array(select distinct unnest(${oauthConsents.scopes} || excluded.scopes) order by 1)) end)`,
        updatedAt: sql`now()`,
      },
    });
}

/**
 * After a token was issued: when the app was last used, for people (connected apps) and for clean-up of abandoned
 * registrations. At most one write a minute per row.
 */
export async function touchUse(db: Db, tenantId: string, userId: string | undefined, clientId: string): Promise<void> {
  if (userId) {
    await db
      .update(oauthConsents)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(oauthConsents.tenantId, tenantId),
          eq(oauthConsents.userId, userId),
          eq(oauthConsents.clientId, clientId),
          sql`(${oauthConsents.lastUsedAt} is null or ${oauthConsents.lastUsedAt} < now() - interval '1 minute')`,
        ),
      );
  }
  await db
    .update(oauthStore)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(oauthStore.tenantId, tenantId),
        eq(oauthStore.model, 'Client'),
        eq(oauthStore.id, clientId),
        sql`(${oauthStore.lastUsedAt} is null or ${oauthStore.lastUsedAt} < now() - interval '1 minute')`,
      ),
    );
}
