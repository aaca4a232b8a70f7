import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { memberships, tenants } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { AppError } from '../errors.js';
import { consumeRateLimit, reserveRateLimit } from '../http/rate-limit.js';
import type { Tenant } from '../tenancy/tenants.js';
import { verifyPassword } from './passwords.js';
import { findUserByEmail, type User } from './users.js';
import { metrics } from '../observability/metrics.js';

/**
 * Failed attempts per client address, and per account from one address: slows guessing without letting anyone lock
 * a person out — attempts from elsewhere never block the real user, nor do their own sign-ins — and without
 * turning away an office behind one address at nine o'clock (successful sign-ins never count).
 */
export const SIGN_IN_LIMITS = {
  perIp: { limit: 20, windowSeconds: 60 },
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
};

export class SignInFailed extends AppError {
  constructor(reason: 'credentials' | 'not_member' | 'rate_limited', retryAfter?: number) {
    const messages = {
      credentials: 'That email and password do not match an account.',
      not_member: 'Your account is not a member of this organisation.',
      rate_limited: `Too many sign-in attempts. Try again in ${retryAfter ?? 60} seconds.`,
    };
    super(`sign_in_${reason}`, reason === 'rate_limited' ? 429 : 401, messages[reason], undefined, retryAfter ? { retry_after: retryAfter } : {});
  }
}

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string;
}

/**
 * Checks email and password and, on a tenant host, an active membership of that tenant. Rate-limited per address
 * and per account; every outcome is audited (never the password; refusals by a limit once per window of it): see
 * `auditSignIn` for which log.
 */
export async function signIn(db: Db, tenant: Tenant | null, attempt: SignInAttempt): Promise<User> {
  const email = attempt.email.trim().toLowerCase();
  const accountKey = `sign-in:account:${email}:${attempt.ip}`;
  const addressKey = `sign-in:ip:${attempt.ip}`;
  // Only failed attempts count, against the address and the account (signing in is no guess).
  const limits = [
    { limit: 'address', key: addressKey, rule: SIGN_IN_LIMITS.perIp },
    { limit: 'account', key: accountKey, rule: SIGN_IN_LIMITS.perAccount },
  ] as const;
  // Each attempt is counted before the password is checked (attempts sent at once cannot all slip under the
  // limit), and taken back once it turns out not to be a failure.
  const reserved: Awaited<ReturnType<typeof reserveRateLimit>>[] = [];
  const refundAll = () => Promise.all(reserved.map((r) => r.refund()));
  for (const { limit, key, rule } of limits) {
    const result = await reserveRateLimit(db, key, rule);
    reserved.push(result);
    if (!result.allowed) {
      await refundAll();
      metrics.rateLimited.inc({ surface: 'sign_in' });
      // Recorded once per window of the limit (the metric counts every refusal): requests refused at whatever rate
      // someone sends them must not flood the log of the organisation — of every one of the account's, centrally.
      const refusals = await consumeRateLimit(db, `${key}:refusals-recorded`, rule);
      if (refusals.count === 1) {
        await auditSignIn(db, tenant, 'rate_limited', { userId: null, email, ip: attempt.ip }, { limit, retry_after: result.retryAfter });
      }
      throw new SignInFailed('rate_limited', result.retryAfter);
    }
  }
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(attempt.password, user?.passwordHash ?? null);
  if (user && valid) await refundAll();
  if (!user || !valid) {
    await auditSignIn(db, tenant, 'failed', { userId: user?.id ?? null, email, ip: attempt.ip });
    throw new SignInFailed('credentials');
  }
  if (tenant) {
    const [membership] = await db
      .select({ status: memberships.status })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, user.id)));
    if (!membership || membership.status !== 'active') {
      await auditSignIn(db, tenant, 'refused_not_member', { userId: user.id, email, ip: attempt.ip });
      throw new SignInFailed('not_member');
    }
    await db
      .update(memberships)
      .set({ lastLoginAt: sql`now()` })
      .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, user.id)));
  }
  await auditSignIn(db, tenant, 'succeeded', { userId: user.id, email, ip: attempt.ip });
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * Records a sign-in outcome, or a sign-out, in the audit log of the organisations it concerns. On a tenant host:
 * that tenant's log (as before: a refused stranger's attempt too, since it was made against that tenant). On the
 * central host, which belongs to no tenant: the log of every organisation the account is an active member of —
 * those are the owners who must see their member's password used, guessed or locked out, wherever it happened —
 * marked `host: 'central'`; never an organisation the account does not belong to, and nowhere when no such account
 * exists (the JSON request log still shows the refused POST). Never the password.
 */
export async function auditSignIn(
  db: Db,
  tenant: Tenant | null,
  action: 'succeeded' | 'failed' | 'refused_not_member' | 'rate_limited' | 'signed_out',
  who: { userId: string | null; email: string; ip: string },
  details: Record<string, unknown> = {},
): Promise<void> {
  const userId = who.userId ?? (tenant ? null : (await findUserByEmail(db, who.email))?.id ?? null);
  const tenantIds = tenant ? [tenant.id] : userId ? (await activeMemberships(db, userId)).map((m) => m.tenantId) : [];
  for (const tenantId of tenantIds) {
    await recordAudit(db, {
      tenantId,
      category: 'security',
      entityType: action === 'signed_out' ? 'sign_out' : 'sign_in',
      action: action === 'signed_out' ? 'succeeded' : action,
      userId,
      metadata: { email: who.email, ip: who.ip, ...details, ...(tenant ? {} : { host: 'central' }) },
    });
  }
}

/**
 * Records a password change made on `where`'s host, or a wrong current password given for one, in the security log.
 * A change goes to the log of every organisation the person is an active member of — one password opens them all,
 * and changing it signed them out of all — saying elsewhere where it was made (`changed_in`); a wrong current
 * password (a guess from an open session, counted like a failed sign-in) to the log of `where`. Never a password.
 */
export async function auditPasswordChange(
  db: Db,
  where: Tenant,
  who: { userId: string; ip: string; requestId?: string },
  outcome: 'changed' | 'wrong_current_password',
): Promise<void> {
  const event = { category: 'security', entityType: 'membership', entityId: who.userId, userId: who.userId, requestId: who.requestId ?? null } as const;
  if (outcome === 'wrong_current_password') {
    await recordAudit(db, { ...event, tenantId: where.id, action: 'password_change_refused', metadata: { reason: outcome, ip: who.ip } });
    return;
  }
  const others = (await activeMemberships(db, who.userId)).map((m) => m.tenantId).filter((id) => id !== where.id);
  for (const tenantId of [where.id, ...others]) {
    await recordAudit(db, { ...event, tenantId, action: 'password_changed', metadata: tenantId === where.id ? { ip: who.ip } : { ip: who.ip, changed_in: where.slug } });
  }
}

function activeMemberships(db: Db, userId: string) {
  return db
    .select({ tenantId: memberships.tenantId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.status, 'active')));
}

/** The tenants a user can enter (active memberships), for the tenant choice on the central host. */
export async function tenantsOfUser(db: Db, userId: string): Promise<{ slug: string; name: string; role: string }[]> {
  return db
    .select({ slug: tenants.slug, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, 'active')))
    .orderBy(tenants.name);
}
