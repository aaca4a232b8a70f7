import type Provider from 'oidc-provider';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { Tenant } from '../tenancy/tenants.js';
import { TtlCache } from '../util/ttl-cache.js';
import { attachHooks } from './hooks.js';
import { loadTenantKeys, storedKeysVersion } from './keys.js';
import { removeUnusedClients, sweepExpired } from './maintenance.js';
import { createProvider, DEFAULT_TTLS, type OAuthTtls } from './provider.js';
import { createSafeFetch, type ClientMetadataFetch } from './safe-fetch.js';

/** What tests and operators may change; everything has a production default. */
export interface OAuthOptions {
  /** Fetches Client ID Metadata Documents (default: the SSRF-safe fetcher). Tests inject documents here. */
  fetchClientMetadata?: ClientMetadataFetch;
  ttls?: Partial<OAuthTtls>;
  /** How long a host's Provider is reused (default 5 minutes; a plan change or key rotation builds a new one at once). */
  providerCacheMs?: number;
  /** How long the stored keys' version is trusted before it is read again (default 800 ms, as the tenant's plan). */
  keysCheckMs?: number;
  /** How often this process sweeps expired rows and unused clients (default 10 minutes; null = never). */
  maintenanceEveryMs?: number | null;
}

/**
 * One oidc-provider `Provider` per tenant host, built lazily and reused: its issuer is fixed at construction, so
 * each host needs its own (the maintainer's advice for per-host issuers). The cache key holds the plan and the
 * version of the tenant's stored keys (read again every 800 ms), so a plan change or a key rotation made on any
 * instance takes effect within a second; entries expire so instances do not pile up for idle hosts. A Provider
 * holds no authorization state of its own: all of it is in the database, shared by every instance.
 */
export class ProviderRegistry {
  private readonly providers: TtlCache<Provider>;
  private readonly keyVersions: TtlCache<string>;
  private readonly fetchClientMetadata: ClientMetadataFetch;
  private readonly ttls: OAuthTtls;
  private nextMaintenance = 0;

  constructor(
    private readonly db: Db,
    private readonly redirectDomains: readonly string[],
    private readonly logger: Logger,
    private readonly options: OAuthOptions = {},
  ) {
    this.providers = new TtlCache(options.providerCacheMs ?? 5 * 60_000, 1_000);
    this.keyVersions = new TtlCache(options.keysCheckMs ?? 800, 1_000);
    this.fetchClientMetadata = options.fetchClientMetadata ?? createSafeFetch();
    this.ttls = { ...DEFAULT_TTLS, ...options.ttls };
  }

  async get(tenant: Tenant, origin: string): Promise<Provider> {
    this.maybeMaintain();
    const keysVersion = await this.keyVersions.getOrLoad(tenant.id, async () => (await storedKeysVersion(this.db, tenant.id)) ?? 'none yet');
    return this.providers.getOrLoad(`${tenant.id}|${tenant.plan}|${origin}|${keysVersion}`, async () => {
      const keys = await loadTenantKeys(this.db, tenant.id);
      const provider = createProvider({
        db: this.db,
        tenant,
        origin,
        keys,
        redirectDomains: this.redirectDomains,
        fetchClientMetadata: this.fetchClientMetadata,
        ttls: this.ttls,
      });
      attachHooks(provider, this.db, tenant, this.logger);
      provider.on('server_error', (_ctx, error) => this.logger.error({ err: error, tenant: tenant.slug }, 'oauth server error'));
      return provider;
    });
  }

  private maybeMaintain(): void {
    const every = this.options.maintenanceEveryMs === undefined ? 10 * 60_000 : this.options.maintenanceEveryMs;
    if (every === null || Date.now() < this.nextMaintenance) return;
    this.nextMaintenance = Date.now() + every;
    void (async () => {
      await sweepExpired(this.db);
      await removeUnusedClients(this.db);
    })().catch((error: unknown) => this.logger.warn({ err: error }, 'oauth store maintenance failed'));
  }
}
