import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { sessions, users } from '../db/schema/index.js';
import type { AppEnv } from '../http/env.js';
import { matchesMasked, maskToken } from '../secrets/masked-token.js';

/**
 * Browser sessions: a random token in an HttpOnly, SameSite=Lax cookie (`__Host-` and Secure on https), stored only
 * as a SHA-256 hash, with a per-session CSRF token every form posts back. Sessions live in the database so any
 * instance can serve any request.
 */
export interface Session {
  id: string;
  userId: string;
  tenantId: string | null;
  csrfToken: string;
  /** When the person last proved who they are (a password entered): a session starts only then. */
  signedInAt: Date;
  /** Who is signed in, for the page frame. */
  user: SessionUser;
}

export interface SessionUser {
  name: string;
  email: string;
}

/** A session ends 12 hours after the password was entered, however busy the person is. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/**
 * …and after 2 hours without a request (a computer left signed in). Measured from `lastSeenAt`, which is written at
 * most every `TOUCH_EVERY_MS`: a session ends between 1 h 55 and 2 h after the last request.
 */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 5 * 60 * 1000;

/** Why the session a browser's cookie names is over, for the sign-in page: left idle, or past its 12 hours. */
export type SessionEnd = 'idle' | 'lifetime';

export function sessionCookieName(c: Context<AppEnv>): string {
  return isHttps(c) ? '__Host-orgonaut_session' : 'orgonaut_session';
}

function isHttps(c: Context<AppEnv>): boolean {
  return c.var.origin?.startsWith('https://') ?? false;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session for the user on this host and sets its cookie, ending any session the browser had. */
export async function createSession(c: Context<AppEnv>, db: Db, user: SessionUser & { id: string }, tenantId: string | null): Promise<Session> {
  const previous = getCookie(c, sessionCookieName(c));
  if (previous) await db.delete(sessions).where(eq(sessions.id, hashToken(previous)));
  const token = randomBytes(32).toString('base64url');
  const session: Session = {
    id: hashToken(token),
    userId: user.id,
    tenantId,
    csrfToken: randomBytes(24).toString('base64url'),
    signedInAt: new Date(),
    user: { name: user.name, email: user.email },
  };
  await db.insert(sessions).values({
    id: session.id,
    userId: user.id,
    tenantId,
    csrfToken: session.csrfToken,
    createdAt: session.signedInAt,
    expiresAt: new Date(session.signedInAt.getTime() + SESSION_LIFETIME_MS),
  });
  c.set('session', session);
  setCookie(c, sessionCookieName(c), token, {
    path: '/',
    httpOnly: true,
    secure: isHttps(c),
    sameSite: 'Lax',
    maxAge: SESSION_LIFETIME_MS / 1000,
  });
  return session;
}

/**
 * The request's session, if its cookie names a live one: within its lifetime and used in the last `SESSION_IDLE_MS`.
 * A cookie naming a session that ended so sets `sessionEnded` (the row stays until the browser signs in again, so
 * the sign-in page it is sent to can say why). Memoised per request.
 */
export async function readSession(c: Context<AppEnv>): Promise<Session | null> {
  const memo = c.var.session;
  if (memo !== undefined) return memo;
  const token = getCookie(c, sessionCookieName(c));
  const database = c.var.runtime.database.db;
  let session: Session | null = null;
  if (token) {
    const [row] = await database
      .select({
        id: sessions.id,
        userId: sessions.userId,
        tenantId: sessions.tenantId,
        csrfToken: sessions.csrfToken,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        name: users.name,
        email: users.email,
        // Judged by the database's clock, as expiresAt and lastSeenAt are written by it.
        pastLifetime: sql<boolean>`${sessions.expiresAt} <= now()`,
        idle: sql<boolean>`${sessions.lastSeenAt} <= now() - make_interval(secs => ${SESSION_IDLE_MS / 1000})`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, hashToken(token)))
      .limit(1);
    if (row && (row.pastLifetime || row.idle)) {
      c.set('sessionEnded', row.pastLifetime ? 'lifetime' : 'idle');
    } else if (row) {
      session = { id: row.id, userId: row.userId, tenantId: row.tenantId, csrfToken: row.csrfToken, signedInAt: row.createdAt, user: { name: row.name, email: row.email } };
      if (Date.now() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
        await database.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.id, row.id));
      }
    }
  }
  c.set('session', session);
  return session;
}

export async function destroySession(c: Context<AppEnv>, db: Db): Promise<void> {
  const token = getCookie(c, sessionCookieName(c));
  if (token) await db.delete(sessions).where(eq(sessions.id, hashToken(token)));
  deleteCookie(c, sessionCookieName(c), { path: '/', secure: isHttps(c) });
  c.set('session', null);
}

/**
 * Ends the sessions of a user: every one (a password change), or only those signed in to one tenant (an archived
 * membership there must not sign the person out of their other organisations).
 */
export async function destroyUserSessions(db: Db, userId: string, tenantId?: string): Promise<void> {
  await db.delete(sessions).where(tenantId ? and(eq(sessions.userId, userId), eq(sessions.tenantId, tenantId)) : eq(sessions.userId, userId));
}

/** How long an ended session's row is kept, so a browser coming back within it is told why it was signed out. */
const ENDED_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes sessions that ended by themselves (past their lifetime, or idle) more than a day ago: they can never be
 * used again, and nothing else removes them. Safe on several instances at once. Returns how many.
 */
export async function sweepEndedSessions(db: Db): Promise<number> {
  const keptSecs = ENDED_KEPT_MS / 1000;
  const deleted = await db
    .delete(sessions)
    .where(
      sql`${sessions.expiresAt} < now() - make_interval(secs => ${keptSecs})
        or ${sessions.lastSeenAt} < now() - make_interval(secs => ${keptSecs + SESSION_IDLE_MS / 1000})`,
    )
    .returning({ id: sessions.id });
  return deleted.length;
}

/** The maintenance job deleting ended sessions, at most every ten minutes per instance (the loop runs every few seconds). */
export function endedSessionsSweep(db: Db, everyMs = 10 * 60_000): { name: string; run(): Promise<void> } {
  let next = 0;
  return {
    name: 'delete browser sessions ended a day ago',
    run: async () => {
      if (Date.now() < next) return;
      next = Date.now() + everyMs;
      await sweepEndedSessions(db);
    },
  };
}

export function csrfField(session: Pick<Session, 'csrfToken'>): { name: string; value: string } {
  return { name: 'csrf', value: formCsrf(session) };
}

/**
 * The session's CSRF token as a page writes it: masked anew for every answer (see `maskToken`), so compressed pages
 * never repeat its bytes. Every form and page reads its token from here, never from `session.csrfToken`.
 */
export function formCsrf(session: Pick<Session, 'csrfToken'>): string {
  return maskToken(session.csrfToken);
}

/** Constant-time check of the CSRF token a form posted (masked as pages write it, or plain). */
export function verifyCsrf(expected: string, given: unknown): boolean {
  return matchesMasked(expected, given);
}
