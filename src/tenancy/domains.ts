import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { tenantDomains, tenants } from '../db/schema/index.js';
import { Conflict, InvalidInput } from '../errors.js';
import type { Tenant } from './tenants.js';

/**
 * A tenant's custom domains (SPEC §1: a tenant is served on `<slug>.<base domain>` and on any custom domains it has).
 * One host belongs to one tenant at most (the unique index on `tenant_domains.host`): the host of a request names
 * its tenant, so a host shared by two would hand one tenant's sign-in, OAuth issuer and data to the other's users.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * `domain` as stored — lowercase, without a trailing dot — or InvalidInput saying why it cannot be one: a host name
 * of two or more labels (no scheme, port, path, IP address or wildcard), not the base domain or a host under it
 * (those are the product's own: `<slug>.<base>` and `app.<base>` are routed by name, never looked up as custom).
 */
export function customDomain(domain: string, baseDomain: string): string {
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  const example = 'give a host name such as people.acme.com (no scheme, port or path)';
  if (!host) throw new InvalidInput('domain', example);
  if (/[/:@?#*\s]/.test(host)) throw new InvalidInput('domain', `"${domain.trim()}" is not a host name: ${example}`);
  const labels = host.split('.');
  if (host.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw new InvalidInput('domain', `"${domain.trim()}" is not a host name: ${example}`);
  }
  if (/^\d+$/.test(labels.at(-1)!)) throw new InvalidInput('domain', `"${host}" is an IP address: ${example}`);
  const base = baseDomain.toLowerCase();
  if (host === base || host.endsWith(`.${base}`)) {
    throw new InvalidInput('domain', `"${host}" is the base domain ${base} or a host under it, which Orgonaut serves by name already (<slug>.${base}); a custom domain is one of your own`);
  }
  return host;
}

/** Adds `host` to the tenant's custom domains; refused when another tenant has it. Returns false when it already had it. */
export async function addTenantDomain(db: Db, tenant: Tenant, host: string): Promise<boolean> {
  const owner = await domainOwner(db, host);
  if (owner?.tenantId === tenant.id) return false;
  if (owner) throw domainTaken(host, owner.slug);
  // Two adds of one host at once: the unique index lets one in; the other is told who has it.
  const inserted = await db.insert(tenantDomains).values({ tenantId: tenant.id, host }).onConflictDoNothing().returning({ host: tenantDomains.host });
  if (inserted.length) return true;
  const now = await domainOwner(db, host);
  if (now?.tenantId === tenant.id) return false;
  throw domainTaken(host, now?.slug ?? 'another tenant');
}

/** Refuses `host` (as customDomain returns it) when a tenant has it already: before a new tenant is given it. */
export async function assertDomainFree(db: Db, host: string): Promise<void> {
  const owner = await domainOwner(db, host);
  if (owner) throw domainTaken(host, owner.slug);
}

async function domainOwner(db: Db, host: string): Promise<{ tenantId: string; slug: string } | undefined> {
  const [owner] = await db
    .select({ tenantId: tenantDomains.tenantId, slug: tenants.slug })
    .from(tenantDomains)
    .innerJoin(tenants, eq(tenants.id, tenantDomains.tenantId))
    .where(eq(tenantDomains.host, host))
    .limit(1);
  return owner;
}

/** Removes `host` from the tenant's custom domains; false when it was not one of them. */
export async function removeTenantDomain(db: Db, tenant: Tenant, host: string): Promise<boolean> {
  const removed = await db
    .delete(tenantDomains)
    .where(and(eq(tenantDomains.tenantId, tenant.id), eq(tenantDomains.host, host)))
    .returning({ host: tenantDomains.host });
  return removed.length > 0;
}

function domainTaken(host: string, slug: string): Conflict {
  return new Conflict(`The domain ${host} is already a custom domain of tenant ${slug}.`, `Remove it there first (orgonaut tenants domains remove ${slug} ${host}) if it has moved.`, {
    field: 'domain',
    tenant: slug,
  });
}
