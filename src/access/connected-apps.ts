import { authorize, can } from './policy.js';
import type { ServiceContext } from '../context.js';
import { NotFound } from '../errors.js';
import { listConnectedApps, revokeConnectedApp } from '../oauth/index.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import { isUuid } from '../util/ids.js';

/**
 * Connected apps as a service with its own checks: everyone sees and revokes the MCP clients they authorised;
 * owners and admins (`members.manage`) see and revoke every member's. Not offered on plans without MCP.
 */
export async function connectedApps(ctx: ServiceContext, options: { all?: boolean } = {}) {
  if (!PLAN_FEATURES[ctx.tenant.plan].mcp) return [];
  if (options.all) authorize(ctx.principal, 'members.manage');
  const who = options.all ? 'all' : { userId: ctx.principal.userId ?? '' };
  return listConnectedApps(ctx.db, ctx.tenant.id, who);
}

export async function disconnectApp(ctx: ServiceContext, input: { userId: string; clientId: string }) {
  // Not a user id at all: no such app (the column is a uuid; the form may have been altered).
  if (!isUuid(input.userId)) throw new NotFound('Connected app', input.clientId);
  const own = input.userId === ctx.principal.userId;
  if (!own && !can(ctx.principal, 'members.manage')) throw new NotFound('Connected app', input.clientId);
  const revoked = await revokeConnectedApp(ctx.db, ctx.tenant.id, {
    userId: input.userId,
    clientId: input.clientId,
    byAdmin: !own,
    revokedBy: ctx.principal.userId,
    requestId: ctx.requestId ?? null,
  });
  if (!revoked) throw new NotFound('Connected app', input.clientId);
}
