import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { memberships, roleBundles } from '../db/schema/index.js';
import { AppError, Unauthenticated } from '../errors.js';
import type { Tenant } from '../tenancy/tenants.js';
import { TtlCache } from '../util/ttl-cache.js';
import { findTokenBySecret, hashSecret, touchToken } from './api-tokens.js';
import { isRole, type Role } from './bundles.js';
import { effectiveAbilities, type Principal } from './policy.js';

/** What the OAuth server says about an access token presented to this host's MCP resource. */
export interface OAuthTokenInfo {
  userId: string;
  clientId: string;
  clientName: string | null;
  scopes: string[];
  grantId: string;
  expiresAt: Date;
}

export type OAuthVerifier = (db: Db, tenant: Tenant, token: string, resource: string) => Promise<OAuthTokenInfo | null>;

/** How long a lookup (token, membership, role bundle) is reused: revocations elsewhere are seen within this. */
export const AUTH_CACHE_MS = 800;

/** A credential the request cannot use on this surface, with why (401 unless said otherwise). */
export class CredentialRefused extends AppError {
  constructor(reason: string, status: 401 | 403 = 401) {
    super(status === 401 ? 'invalid_token' : 'forbidden', status, reason);
  }
}

/**
 * Turns a credential into a principal with effective abilities (role ∩ credential ∩ plan). Token, membership and
 * role-bundle lookups are cached for under a second, so authenticating a warm request costs no database round trip
 * while a revocation or plan change on another instance is seen within a second.
 */
export class Authenticator {
  private readonly tokens = new TtlCache<Awaited<ReturnType<typeof findTokenBySecret>>>(AUTH_CACHE_MS);
  private readonly members = new TtlCache<{ role: Role; active: boolean } | null>(AUTH_CACHE_MS);
  private readonly bundles = new TtlCache<string[]>(AUTH_CACHE_MS);

  constructor(
    private readonly db: Db,
    private readonly verifyOAuth: OAuthVerifier,
  ) {}

  /** A personal API token presented to `tenant`'s REST API or MCP server. */
  async fromApiToken(tenant: Tenant, secret: string): Promise<Principal> {
    const row = await this.tokens.getOrLoad(hashSecret(secret), () => findTokenBySecret(this.db, secret));
    if (!row) throw new CredentialRefused('This API token is not valid.');
    if (row.tenantId !== tenant.id) throw new CredentialRefused('This API token belongs to another tenant.');
    if (row.revokedAt) throw new CredentialRefused('This API token has been revoked.');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new CredentialRefused('This API token has expired.');
    const role = await this.activeRole(tenant.id, row.userId);
    if (!role) throw new CredentialRefused('The owner of this API token is no longer a member of this tenant.');
    void touchToken(this.db, row).catch(() => {});
    const roleAbilities = effectiveAbilities(await this.bundle(tenant.id, role), null, tenant.plan);
    return {
      kind: 'api_token',
      userId: row.userId,
      tenantId: tenant.id,
      role,
      abilities: effectiveAbilities(roleAbilities, row.abilities, tenant.plan),
      roleAbilities,
      tokenId: row.id,
    };
  }

  /** A signed-in browser session on the tenant's host. */
  async fromSession(tenant: Tenant, userId: string): Promise<Principal> {
    const role = await this.activeRole(tenant.id, userId);
    if (!role) throw new Unauthenticated('Your account is not a member of this tenant.');
    const abilities = effectiveAbilities(await this.bundle(tenant.id, role), null, tenant.plan);
    return { kind: 'session', userId, tenantId: tenant.id, role, abilities, roleAbilities: abilities };
  }

  /** An OAuth access token issued by this host for its MCP resource. Ability scopes narrow the role. */
  async fromOAuth(tenant: Tenant, token: string, resource: string): Promise<Principal> {
    const info = await this.verifyOAuth(this.db, tenant, token, resource);
    if (!info) throw new CredentialRefused('This access token is not valid for this server (expired, revoked, or issued for another resource).');
    const role = await this.activeRole(tenant.id, info.userId);
    if (!role) throw new CredentialRefused('The user of this access token is no longer a member of this tenant.');
    const roleAbilities = effectiveAbilities(await this.bundle(tenant.id, role), null, tenant.plan);
    const abilityScopes = info.scopes.filter((s) => s !== 'mcp:use' && s !== 'openid' && s !== 'offline_access');
    return {
      kind: 'oauth',
      userId: info.userId,
      tenantId: tenant.id,
      role,
      abilities: effectiveAbilities(roleAbilities, abilityScopes.length ? abilityScopes : null, tenant.plan),
      roleAbilities,
      clientId: info.clientId,
      clientName: info.clientName ?? undefined,
      scopes: info.scopes,
    };
  }

  /** Drops cached lookups (after a change made in this process). */
  forget(): void {
    this.tokens.clear();
    this.members.clear();
    this.bundles.clear();
  }

  private async activeRole(tenantId: string, userId: string): Promise<Role | null> {
    const member = await this.members.getOrLoad(`${tenantId}:${userId}`, async () => {
      const [row] = await this.db
        .select({ role: memberships.role, status: memberships.status })
        .from(memberships)
        .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
      return row && isRole(row.role) ? { role: row.role, active: row.status === 'active' } : null;
    });
    return member?.active ? member.role : null;
  }

  private bundle(tenantId: string, role: Role): Promise<string[]> {
    return this.bundles.getOrLoad(`${tenantId}:${role}`, async () => {
      const [row] = await this.db
        .select({ abilities: roleBundles.abilities })
        .from(roleBundles)
        .where(and(eq(roleBundles.tenantId, tenantId), eq(roleBundles.role, role)));
      return row?.abilities ?? [];
    });
  }
}
