import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db/connection.js';
import { TenantHeaderRefused, UnknownAddress } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { trustedForwarded } from '../http/forwarded.js';
import { TtlCache } from '../util/ttl-cache.js';
import { classifyHost, originFor, parseHostHeader } from './hosts.js';
import { findTenantByDomain, findTenantBySlug, type Tenant } from './tenants.js';

export interface TenancyOptions {
  baseDomain: string;
  defaultTenant: string | null;
  publicScheme: 'http' | 'https';
  /** Trusted reverse proxies in front (ORGONAUT_TRUST_PROXY); 0 = forwarded headers are ignored. */
  proxyHops: number;
}

/**
 * Looks up tenants by slug or custom domain, caching answers (including "no such tenant") briefly. Changes made in
 * this process call `forget`; other instances see them when the entry expires (under a second).
 */
export class TenantDirectory {
  private readonly cache: TtlCache<Tenant | null>;

  constructor(
    private readonly db: Db,
    cacheMs = 800,
  ) {
    this.cache = new TtlCache(cacheMs);
  }

  bySlug(slug: string): Promise<Tenant | null> {
    return this.cache.getOrLoad(`slug:${slug}`, () => findTenantBySlug(this.db, slug));
  }

  byDomain(host: string): Promise<Tenant | null> {
    return this.cache.getOrLoad(`domain:${host}`, () => findTenantByDomain(this.db, host));
  }

  forget(): void {
    this.cache.clear();
  }
}

/**
 * Resolves the request's tenant from its host (SPEC §1) and sets `tenant`, `tenantSource` and `origin`. Unknown
 * hosts, and an `X-Tenant` that disagrees with the host's tenant, answer 404.
 */
export function resolveTenant(directory: TenantDirectory, options: TenancyOptions): MiddlewareHandler<AppEnv> {
  return async function resolveTenantMiddleware(c, next) {
    // Behind trusted proxies: the entry the outermost of them wrote, never a value further left (the client's).
    const forwarded = trustedForwarded(c.req.header('x-forwarded-host'), options.proxyHops);
    const host = parseHostHeader(forwarded ?? c.req.header('host') ?? new URL(c.req.url).host);
    if (!host) throw new UnknownAddress();
    const scheme = forwardedScheme(trustedForwarded(c.req.header('x-forwarded-proto'), options.proxyHops), options.publicScheme);
    c.set('origin', originFor(scheme, host));

    const hostTenant = await tenantOfHost(directory, host.name, options);
    if (hostTenant === undefined) throw new UnknownAddress();
    const header = c.req.header('x-tenant')?.trim().toLowerCase();

    if (hostTenant) {
      if (header && header !== hostTenant.slug) throw new TenantHeaderRefused();
      c.set('tenant', hostTenant);
      c.set('tenantSource', 'host');
    } else if (header) {
      const named = await directory.bySlug(header);
      if (!named) throw new TenantHeaderRefused(true);
      c.set('tenant', named);
      c.set('tenantSource', 'header');
    } else {
      c.set('tenant', null);
      c.set('tenantSource', null);
    }
    await next();
  };
}

/** The tenant a host belongs to; null for the central host; undefined for an unknown host. */
async function tenantOfHost(
  directory: TenantDirectory,
  name: string,
  options: TenancyOptions,
): Promise<Tenant | null | undefined> {
  const kind = classifyHost(name, options.baseDomain);
  switch (kind.kind) {
    case 'central':
      return null;
    case 'bare':
      if (!options.defaultTenant) return null;
      return (await directory.bySlug(options.defaultTenant)) ?? undefined;
    case 'slug':
      return (await directory.bySlug(kind.slug)) ?? undefined;
    case 'custom':
      return (await directory.byDomain(kind.host)) ?? undefined;
    case 'invalid':
      return undefined;
  }
}

function forwardedScheme(value: string | undefined, fallback: 'http' | 'https'): 'http' | 'https' {
  const scheme = value?.toLowerCase();
  return scheme === 'https' || scheme === 'http' ? scheme : fallback;
}
