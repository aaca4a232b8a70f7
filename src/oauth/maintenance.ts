import { sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { rows } from '../db/connection.js';

/**
 * Housekeeping of the OAuth store, run at most every few minutes per process (registry.ts) and available to admin
 * commands. Safe to run on several instances at once: plain deletes of rows nobody can use any more.
 */

/**
 * Deletes rows expired for more than an hour (codes, tokens, interactions, sessions, grants). Consumed refresh tokens
 * stay until their own expiry, so reuse is detected for as long as the token would have lived.
 */
export async function sweepExpired(db: Db): Promise<number> {
  const deleted = await rows<{ n: number }>(
    db,
    sql`with d as (delete from oauth_store where expires_at < now() - interval '1 hour' returning 1) select count(*)::int as n from d`,
  );
  return Number(deleted[0]?.n ?? 0);
}

/**
 * Removes dynamically registered clients nobody uses: never issued a token within `unusedDays` of registering, or
 * not since. Claude registers a new client for every fresh connection, so without this the table only grows. Their
 * remembered approvals go with them (they have no live grants by definition). Pre-registered clients (SPEC §4.2,
 * `orgonaut oauth-clients add`) are never removed: an operator registered them once and removes them by hand.
 */
export async function removeUnusedClients(db: Db, options: { unusedDays?: number } = {}): Promise<number> {
  const days = options.unusedDays ?? 30;
  const removed = await rows<{ tenant_id: string; id: string }>(
    db,
    sql`delete from oauth_store c
        where c.model = 'Client'
          and c.registration = 'dynamic'
          and coalesce(c.last_used_at, c.created_at) < now() - make_interval(days => ${days})
          and not exists (
            select 1 from oauth_store g
            where g.tenant_id = c.tenant_id and g.model = 'Grant' and g.client_id = c.id
              and (g.expires_at is null or g.expires_at > now()))
        returning c.tenant_id, c.id`,
  );
  for (const { tenant_id: tenantId, id } of removed) {
    await db.execute(sql`delete from oauth_consents where tenant_id = ${tenantId} and client_id = ${id}`);
  }
  return removed.length;
}
