import { eq } from 'drizzle-orm';
import type { ServiceContext } from '../context.js';
import { users } from '../db/schema/index.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';

/** The request context for `GET /api/v1/me` and the CLI's `context`: tenant, user, role, effective abilities. */
export async function describeContext(ctx: ServiceContext) {
  const { tenant, principal } = ctx;
  const [user] = principal.userId
    ? await ctx.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, principal.userId))
    : [];
  return {
    tenant: {
      slug: tenant.slug,
      name: tenant.name,
      plan: tenant.plan,
      reporting_currency: tenant.reportingCurrency,
      mcp_available: PLAN_FEATURES[tenant.plan].mcp,
    },
    user: user ?? null,
    role: principal.role,
    credential: principal.kind,
    /** When this credential stops working (a personal API token's expiry; null when it does not expire). */
    credential_expires_at: principal.tokenExpiresAt?.toISOString() ?? null,
    abilities: [...principal.abilities].sort(),
  };
}
