import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { secretReveals } from '../db/schema/index.js';
import { open, seal } from '../secrets/seal.js';
import { secretKeyFor } from '../secrets/key.js';
import { isUuid } from '../util/ids.js';

/**
 * A secret shown once after a redirect (POST/redirect/GET): the creating request holds it for its session, sealed
 * (AES-256-GCM, bound to the session and the reveal), and the page it redirects to takes it — once, on whichever
 * instance serves it. A reload finds nothing; nothing of the secret is ever in a URL. Held for ten minutes at most.
 */
const HOLD_MS = 10 * 60 * 1000;

const context = (sessionId: string, id: string) => `secret-reveal:${sessionId}:${id}`;

/** Holds `secret` for the session; returns the id of the reveal (for the redirect's URL). */
export async function holdSecret(db: Db, sessionId: string, label: string, secret: string): Promise<string> {
  const key = await secretKeyFor(db);
  const id = crypto.randomUUID();
  await db.insert(secretReveals).values({ id, sessionId, label, sealed: seal(key, secret, context(sessionId, id)), expiresAt: new Date(Date.now() + HOLD_MS) });
  return id;
}

/** The held secret, removed as it is read; null when already shown, expired, or held for another session. */
export async function takeSecret(db: Db, sessionId: string, id: string): Promise<{ label: string; secret: string } | null> {
  await db.delete(secretReveals).where(and(eq(secretReveals.sessionId, sessionId), lte(secretReveals.expiresAt, sql`now()`)));
  if (!isUuid(id)) return null;
  const [row] = await db
    .delete(secretReveals)
    .where(and(eq(secretReveals.id, id), eq(secretReveals.sessionId, sessionId), gt(secretReveals.expiresAt, sql`now()`)))
    .returning();
  if (!row) return null;
  return { label: row.label, secret: open(await secretKeyFor(db), row.sealed, context(sessionId, row.id)) };
}

/**
 * Deletes every held secret past its ten minutes, whoever held it (a session that never came back for its page
 * would otherwise keep one sealed in the database). Run by the maintenance loop; returns how many went.
 */
export async function dropExpiredReveals(db: Db): Promise<number> {
  const dropped = await db.delete(secretReveals).where(lte(secretReveals.expiresAt, sql`now()`)).returning({ id: secretReveals.id });
  return dropped.length;
}
