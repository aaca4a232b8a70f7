import type { Context, MiddlewareHandler } from 'hono';
import { noMcpHere } from '../access/middleware.js';
import type { AppEnv } from '../http/env.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import type { Tenant } from '../tenancy/tenants.js';

/**
 * The tenant of a request that may use the authorization server: a tenant host (not the central host, not a tenant
 * named by X-Tenant) whose plan includes MCP. Anything else is 404 (SPEC §2), decided on every request, so a plan
 * change applies as soon as the tenant directory sees it (under a second).
 */
export function oauthTenant(c: Context<AppEnv>): Tenant {
  const tenant = c.var.tenant;
  if (!tenant || c.var.tenantSource !== 'host' || !PLAN_FEATURES[tenant.plan].mcp) throw noMcpHere();
  return tenant;
}

export const requireOAuthTenant: MiddlewareHandler<AppEnv> = async function requireOAuthTenant(c, next) {
  oauthTenant(c);
  await next();
};
