import { eq, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/connection.js';
import { tenants } from '../db/schema/index.js';
import { AppError, InvalidInput, NotFound } from '../errors.js';
import { addTenantDomain, customDomain, removeTenantDomain } from '../tenancy/domains.js';
import { actorAllowance, PLAN_FEATURES } from '../tenancy/plans.js';
import { today } from '../org/dates.js';
import { GraphStore } from '../org/graph-store.js';
import { activeActors } from '../org/metrics.js';
import { findTenantBySlug, listTenantDomains, type Tenant } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';

type TenantSettingsCommand = Extract<
  AdminCommand,
  { name: 'tenants.set-allowance' | 'tenants.domains.add' | 'tenants.domains.remove' | 'tenants.domains.list' }
>;

/** The largest allowance an operator can set (an unlimited plan's own allowance is `default`). */
export const MAX_ALLOWANCE = 10_000_000;

/**
 * `orgonaut tenants set-allowance|domains`: what SPEC §1–2 let operators set per tenant besides the plan — the actor
 * allowance (the plan's unless overridden) and the custom domains the tenant is served on. Each change is in the
 * tenant's audit log; every instance sees it within a second (the tenant directory's cache).
 */
export async function runTenantSettingsCommand(db: Db, command: TenantSettingsCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.slug);
  if (!tenant) throw new NotFound('Tenant', command.slug);
  switch (command.name) {
    case 'tenants.set-allowance':
      return setAllowance(db, tenant, command.allowance);
    case 'tenants.domains.list': {
      const domains = await listTenantDomains(db, tenant.id);
      return { message: domains.join('\n') || `${tenant.slug} has no custom domains (it is served on its own host only).`, data: { tenant: tenant.slug, domains } };
    }
    case 'tenants.domains.add': {
      const host = customDomain(command.domain, command.baseDomain);
      if (!(await addTenantDomain(db, tenant, host))) {
        return { message: `${host} is already a custom domain of ${tenant.slug}; nothing changed.`, data: { tenant: tenant.slug, domain: host, added: false } };
      }
      await audit(db, tenant, 'added', { domain: host });
      return {
        message: `${tenant.slug} is now served on ${host} too (every instance within a second). Point its DNS at this Orgonaut and serve it with TLS; it is its own origin and OAuth issuer.`,
        data: { tenant: tenant.slug, domain: host, added: true },
      };
    }
    case 'tenants.domains.remove': {
      const host = command.domain.trim().toLowerCase().replace(/\.$/, '');
      if (!(await removeTenantDomain(db, tenant, host))) {
        const has = await listTenantDomains(db, tenant.id);
        const which = has.length ? `its custom domains are ${has.join(', ')}` : 'it has none';
        throw new AppError('not_found', 404, `${host} is not a custom domain of ${tenant.slug} (${which}).`, undefined, { domain: host });
      }
      await audit(db, tenant, 'removed', { domain: host });
      return {
        message: `${tenant.slug} is no longer served on ${host}: requests to it answer 404 from now on, and tokens issued there stop working.`,
        data: { tenant: tenant.slug, domain: host, removed: true },
      };
    }
  }
}

async function setAllowance(db: Db, tenant: Tenant, allowance: number | null): Promise<AdminResult> {
  if (allowance !== null && !(Number.isInteger(allowance) && allowance >= 0 && allowance <= MAX_ALLOWANCE)) {
    throw new InvalidInput('allowance', `give a whole number of actors from 0 to ${MAX_ALLOWANCE.toLocaleString('en')}, or "default" for the plan's allowance`);
  }
  const planAllowance = PLAN_FEATURES[tenant.plan].actorAllowance;
  const describe = (n: number | null) => (n === null ? `the ${tenant.plan} plan's ${Number.isFinite(planAllowance) ? planAllowance.toLocaleString('en') : 'unlimited'}` : n.toLocaleString('en'));
  const data = { tenant: tenant.slug, plan: tenant.plan, actor_allowance: allowance, plan_allowance: Number.isFinite(planAllowance) ? planAllowance : null, previous: tenant.actorAllowance };
  if (tenant.actorAllowance === allowance) {
    return { message: `The actor allowance of ${tenant.slug} is already ${describe(allowance)}; nothing changed.`, data };
  }
  await db.update(tenants).set({ actorAllowance: allowance, updatedAt: sql`now()` }).where(eq(tenants.id, tenant.id));
  await audit(db, tenant, 'changed', { actor_allowance: allowance }, { actor_allowance: tenant.actorAllowance }, 'actor_allowance');
  const message = `The actor allowance of ${tenant.slug} is now ${describe(allowance)} actors (was ${describe(tenant.actorAllowance)}). Imports and promotions beyond it are refused; actors already there stay.`;
  const limit = actorAllowance({ plan: tenant.plan, actorAllowance: allowance });
  if (!Number.isFinite(limit)) return { message, data };
  // Set anyway (an operator may lower it on purpose), but said: the tenant can add no one until it is under it.
  const active = activeActors((await new GraphStore(db).live(tenant.id)).graph, today()).size;
  if (active <= limit) return { message, data: { ...data, active_actors: active } };
  return {
    message:
      `${message}\nWarning: ${tenant.slug} has ${active.toLocaleString('en')} active actors today, more than the new allowance of ${limit.toLocaleString('en')}: ` +
      'none is removed, but an import or promotion that adds actors is refused while it is over it.',
    data: { ...data, active_actors: active, over_allowance: true },
  };
}

async function audit(db: Db, tenant: Tenant, action: string, after: unknown, before?: unknown, entityType = 'tenant_domain') {
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType,
    entityId: tenant.id,
    action,
    ...(before === undefined ? {} : { before }),
    after,
    metadata: { via: 'admin-cli' },
  });
}
