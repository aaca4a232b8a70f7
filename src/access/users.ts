import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { memberships, users } from '../db/schema/index.js';
import { InvalidInput } from '../errors.js';
import { isRole, type Role } from './bundles.js';
import { hashPassword } from './passwords.js';

export interface User {
  id: string;
  email: string;
  name: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!EMAIL.test(value) || value.length > 254) throw new InvalidInput('email', 'must be an email address');
  return value;
}

export async function findUserByEmail(db: Db, email: string): Promise<(User & { passwordHash: string | null }) | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`)
    .limit(1);
  return row ?? null;
}

/** Creates the user, or returns the existing one with that email (its password is left alone). */
export async function ensureUser(db: Db, input: { email: string; name: string; password?: string }): Promise<User> {
  const email = normaliseEmail(input.email);
  const existing = await findUserByEmail(db, email);
  if (existing) return { id: existing.id, email: existing.email, name: existing.name };
  if (input.password !== undefined && input.password.length < 8) {
    throw new InvalidInput('password', 'must be at least 8 characters');
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const [row] = await db.insert(users).values({ email, name: input.name, passwordHash }).returning();
  return { id: row!.id, email: row!.email, name: row!.name };
}

/** Gives the user the role in the tenant (creating or updating the membership). */
export async function setMembership(db: Db, tenantId: string, userId: string, role: Role | string): Promise<void> {
  if (!isRole(role)) throw new InvalidInput('role', 'must be owner, admin, manager, member or viewer');
  await db
    .insert(memberships)
    .values({ tenantId, userId, role })
    .onConflictDoUpdate({ target: [memberships.tenantId, memberships.userId], set: { role, status: 'active' } });
}

export async function findMembership(db: Db, tenantId: string, userId: string) {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .limit(1);
  return row ?? null;
}
