import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import type { Ability } from './abilities.js';
import { memberships, roleBundles } from '../db/schema/index.js';
import { AppError, Unauthenticated } from '../errors.js';
import type { Tenant } from '../tenancy/tenants.js';
import { findTokenBySecret, hashSecret, touchToken } from './api-tokens.js';
import { isRole, ROLES, type BundleTable, type Role } from './bundles.js';
import { effectiveAbilities, toAbilitySet, type Principal } from './policy.js';

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
/** A personal token's last use is recorded at most this often by one process (the column has minute precision). */
const TOUCH_EVERY_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Counts credential revocations made in this process (OAuth revoke, connected-app revoke, a replayed refresh token).
 * Every Authenticator of the process compares it with the value it last saw and drops its cached lookups when it
 * changed, so a revocation made here is seen by the very next request, whichever runtime serves it; other instances
 * see it when their entries expire.
 */
let revocations = 0;

/** Call after revoking credentials in this process: every Authenticator forgets its cached lookups. */
export function forgetCredentialsEverywhere(): void {
  revocations++;
}

/**
 * The Authenticator's lookup cache: entries live `AUTH_CACHE_MS`; concurrent misses for one key share one load; and
 * a load that started before `clear()` does not fill the cache after it (a revocation racing a lookup must not leave
 * the credential cached as valid for another 800 ms).
 */
class LookupCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  private generation = 0;

  /** The cached value, or `load`'s (kept when `keep` says so). */
  getOrLoad(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expires > performance.now()) return Promise.resolve(entry.value);
    const pending = this.loading.get(key);
    if (pending !== undefined) return pending;
    const generation = this.generation;
    const promise = load().then(
      (value) => {
        if (generation !== this.generation) return value;
        this.loading.delete(key);
        if (keep(value)) this.set(key, value);
        return value;
      },
      (error: unknown) => {
        if (generation === this.generation) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  private set(key: string, value: V): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, expires: performance.now() + AUTH_CACHE_MS });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }
}

/** Why a credential was refused, as `orgonaut_auth_failures_total` counts it (a small, fixed set of labels). */
export type RefusalReason = 'unknown_token' | 'other_tenant' | 'revoked' | 'expired' | 'not_member' | 'malformed' | 'wrong_surface' | 'wrong_host' | 'missing_ability';

/** What to do about each refusal: every problem carries a fix, a refused credential's too. */
const REFUSAL_FIXES: Record<RefusalReason, string> = {
  unknown_token: 'Send the whole token as it was shown when created; if it is lost, create a new one under Settings → API.',
  other_tenant: 'Send it to the tenant it was created in (its own host, or X-Tenant: <slug> on the central host), or create a token of this tenant under Settings → API.',
  revoked: 'Create a new token under Settings → API: a revoked token never works again.',
  expired: 'Create a new token under Settings → API (or sign in again with "orgonaut auth login").',
  not_member: 'Use a token of a current member of this tenant; an owner or admin can reactivate the member under Settings → Members.',
  malformed: 'Send the whole token in the header Authorization: Bearer orgo_pat_….',
  wrong_surface: 'Create a personal API token under Settings → API and send it as Authorization: Bearer orgo_pat_….',
  wrong_host: 'Connect to the MCP URL on the tenant’s own host, as Settings → API and MCP shows it.',
  missing_ability: 'Use a token with the "mcp.access" ability (create one under Settings → API).',
};

/** A credential the request cannot use on this surface, with why (401 unless said otherwise) and what to do. */
export class CredentialRefused extends AppError {
  constructor(
    reason: string,
    readonly refusal: RefusalReason,
    status: 401 | 403 = 401,
    fix: string = REFUSAL_FIXES[refusal],
  ) {
    super(status === 401 ? 'invalid_token' : 'forbidden', status, reason, fix);
  }
}

/**
 * Turns a credential into a principal with effective abilities (role ∩ credential ∩ plan). Token (personal and
 * OAuth), membership and role-bundle lookups are cached for under a second, so authenticating a warm request costs
 * no database round trip while a revocation or plan change on another instance is seen within a second. Changes
 * made in this process clear the caches at once (`forget`, `forgetCredentialsEverywhere`).
 */
export class Authenticator {
  private readonly tokens = new LookupCache<Awaited<ReturnType<typeof findTokenBySecret>>>();
  private readonly oauthTokens = new LookupCache<OAuthTokenInfo | null>();
  private readonly members = new LookupCache<{ role: Role; active: boolean } | null>();
  private readonly bundles = new LookupCache<BundleTable>();
  /** When this process last recorded each personal token's use (performance.now()). */
  private readonly touched = new Map<string, number>();
  private revocationsSeen = revocations;

  constructor(
    private readonly db: Db,
    private readonly verifyOAuth: OAuthVerifier,
  ) {}

  /** A personal API token presented to `tenant`'s REST API or MCP server. */
  async fromApiToken(tenant: Tenant, secret: string): Promise<Principal> {
    this.noteRevocations();
    const row = await this.tokens.getOrLoad(hashSecret(secret), () => findTokenBySecret(this.db, secret));
    if (!row) throw new CredentialRefused('This API token is not valid.', 'unknown_token');
    if (row.tenantId !== tenant.id) throw new CredentialRefused('This API token belongs to another tenant.', 'other_tenant');
    if (row.revokedAt) throw new CredentialRefused('This API token has been revoked.', 'revoked');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw new CredentialRefused('This API token has expired.', 'expired');
    const role = await this.activeRole(tenant.id, row.userId);
    if (!role) throw new CredentialRefused('The owner of this API token is no longer a member of this tenant.', 'not_member');
    await this.touch(row);
    const bundles = await this.tenantBundles(tenant.id);
    const roleAbilities = effectiveAbilities(bundles[role], null, tenant.plan);
    return {
      kind: 'api_token',
      userId: row.userId,
      tenantId: tenant.id,
      role,
      abilities: effectiveAbilities(roleAbilities, row.abilities, tenant.plan),
      roleAbilities,
      bundles,
      tokenId: row.id,
      tokenExpiresAt: row.expiresAt ?? null,
    };
  }

  /** A signed-in browser session on the tenant's host. */
  async fromSession(tenant: Tenant, userId: string): Promise<Principal> {
    this.noteRevocations();
    const role = await this.activeRole(tenant.id, userId);
    if (!role) throw new Unauthenticated('Your account is not a member of this tenant.');
    const bundles = await this.tenantBundles(tenant.id);
    const abilities = effectiveAbilities(bundles[role], null, tenant.plan);
    return { kind: 'session', userId, tenantId: tenant.id, role, abilities, roleAbilities: abilities, bundles };
  }

  /**
   * An OAuth access token issued by this host for its MCP resource. Ability scopes narrow the role. A valid token's
   * lookup is cached like the others (by tenant, plan, resource and the token's hash), never past its expiry.
   */
  async fromOAuth(tenant: Tenant, token: string, resource: string): Promise<Principal> {
    this.noteRevocations();
    const key = `${tenant.id} ${tenant.plan} ${resource} ${hashSecret(token)}`;
    let info = await this.oauthTokens.getOrLoad(key, () => this.verifyOAuth(this.db, tenant, token, resource), (found) => found !== null);
    if (info && info.expiresAt.getTime() <= Date.now()) info = null;
    if (!info) {
      throw new CredentialRefused(
        'This access token is not valid for this server (expired, revoked, or issued for another resource).',
        'unknown_token',
        401,
        'Reconnect the app to this MCP server (sign in and approve again) for a new access token.',
      );
    }
    const role = await this.activeRole(tenant.id, info.userId);
    if (!role) throw new CredentialRefused('The user of this access token is no longer a member of this tenant.', 'not_member');
    const bundles = await this.tenantBundles(tenant.id);
    const roleAbilities = effectiveAbilities(bundles[role], null, tenant.plan);
    const abilityScopes = info.scopes.filter((s) => s !== 'mcp:use' && s !== 'openid' && s !== 'offline_access');
    return {
      kind: 'oauth',
      userId: info.userId,
      tenantId: tenant.id,
      role,
      abilities: effectiveAbilities(roleAbilities, abilityScopes.length ? abilityScopes : null, tenant.plan),
      roleAbilities,
      bundles,
      clientId: info.clientId,
      clientName: info.clientName ?? undefined,
      scopes: info.scopes,
    };
  }

  /** Drops cached lookups (after a change made in this process). */
  forget(): void {
    this.tokens.clear();
    this.oauthTokens.clear();
    this.members.clear();
    this.bundles.clear();
  }

  private noteRevocations(): void {
    if (this.revocationsSeen === revocations) return;
    this.revocationsSeen = revocations;
    this.forget();
  }

  /**
   * Records the token's use at most once a minute per process: the cached row keeps the `last_used_at` it was loaded
   * with, which would otherwise send an UPDATE with every request for 800 ms. The first use ever is awaited, so it is
   * recorded (and audited) before the request is answered; later ones are written in the background.
   */
  private async touch(row: NonNullable<Awaited<ReturnType<typeof findTokenBySecret>>>): Promise<void> {
    const now = performance.now();
    const last = this.touched.get(row.id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    if (this.touched.size >= MAX_ENTRIES) this.touched.clear();
    this.touched.set(row.id, now);
    const recorded = touchToken(this.db, row).catch(() => {});
    if (!row.lastUsedAt) await recorded;
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

  /**
   * Every role's bundle of the tenant, in one query cached per tenant: the principal's role abilities come from it,
   * and refusals name the tenant's own roles from it at no further cost. A role without a row has no abilities.
   */
  tenantBundles(tenantId: string): Promise<BundleTable> {
    return this.bundles.getOrLoad(tenantId, async () => {
      const rows = await this.db.select({ role: roleBundles.role, abilities: roleBundles.abilities }).from(roleBundles).where(eq(roleBundles.tenantId, tenantId));
      return Object.fromEntries(ROLES.map((role) => [role, [...toAbilitySet(rows.find((r) => r.role === role)?.abilities ?? [])]])) as Record<Role, Ability[]>;
    });
  }
}
