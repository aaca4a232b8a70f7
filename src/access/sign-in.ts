import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { memberships, tenants } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { AppError } from '../errors.js';
import { consumeRateLimit, peekRateLimit } from '../http/rate-limit.js';
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
 * and per account; every outcome on a tenant host is audited (never the password).
 */
export async function signIn(db: Db, tenant: Tenant | null, attempt: SignInAttempt): Promise<User> {
  const email = attempt.email.trim().toLowerCase();
  const accountKey = `sign-in:account:${email}:${attempt.ip}`;
  const addressKey = `sign-in:ip:${attempt.ip}`;
  // Only failed attempts count, against the address and the account (signing in is no guess).
  for (const result of [await peekRateLimit(db, addressKey, SIGN_IN_LIMITS.perIp), await peekRateLimit(db, accountKey, SIGN_IN_LIMITS.perAccount)]) {
    if (!result.allowed) {
      metrics.rateLimited.inc({ surface: 'sign_in' });
      await audit(db, tenant, 'rate_limited', null, email, attempt.ip);
      throw new SignInFailed('rate_limited', result.retryAfter);
    }
  }
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(attempt.password, user?.passwordHash ?? null);
  if (!user || !valid) {
    await consumeRateLimit(db, addressKey, SIGN_IN_LIMITS.perIp);
    await consumeRateLimit(db, accountKey, SIGN_IN_LIMITS.perAccount);
    await audit(db, tenant, 'failed', user?.id ?? null, email, attempt.ip);
    throw new SignInFailed('credentials');
  }
  if (tenant) {
    const [membership] = await db
      .select({ status: memberships.status })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, user.id)));
    if (!membership || membership.status !== 'active') {
      await audit(db, tenant, 'refused_not_member', user.id, email, attempt.ip);
      throw new SignInFailed('not_member');
    }
    await db
      .update(memberships)
      .set({ lastLoginAt: sql`now()` })
      .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, user.id)));
    await audit(db, tenant, 'succeeded', user.id, email, attempt.ip);
  }
  return { id: user.id, email: user.email, name: user.name };
}

async function audit(db: Db, tenant: Tenant | null, action: string, userId: string | null, email: string, ip: string) {
  if (!tenant) return;
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType: 'sign_in',
    action,
    userId,
    metadata: { email, ip },
  });
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
