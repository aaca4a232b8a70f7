import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { memberships, roleBundles } from '../db/schema/index.js';
import type { Tenant } from '../tenancy/tenants.js';
import type { Ability } from './abilities.js';
import { effectiveAbilities } from './policy.js';

/** The abilities a member's role grants in the tenant (its bundle ∩ plan), or null for a non-member. */
export async function roleAbilitiesOf(db: Db, tenant: Tenant, userId: string): Promise<Set<Ability> | null> {
  const [row] = await db
    .select({ abilities: roleBundles.abilities, status: memberships.status })
    .from(memberships)
    .innerJoin(roleBundles, and(eq(roleBundles.tenantId, memberships.tenantId), eq(roleBundles.role, memberships.role)))
    .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, userId)));
  if (!row || row.status !== 'active') return null;
  return effectiveAbilities(row.abilities, null, tenant.plan);
}
