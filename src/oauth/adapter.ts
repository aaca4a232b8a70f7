import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { errors, type Adapter, type AdapterFactory, type AdapterPayload } from 'oidc-provider';
import { forgetCredentialsEverywhere } from '../access/authenticator.js';
import type { Db } from '../db/connection.js';
import { oauthStore } from '../db/schema/index.js';
import { secretKeyFor } from '../secrets/key.js';
import { open, seal } from '../secrets/seal.js';

/**
 * oidc-provider's storage on PostgreSQL: one table (`oauth_store`) keyed by tenant + model + id, the payload as
 * jsonb, with `grant_id`, `uid`, `account_id`, `client_id`, `expires_at`, `consumed_at` beside it for indexed
 * queries. A factory closes over the tenant, so no query can reach another tenant's rows. Never the built-in memory
 * adapter: it is one store shared by every Provider in the process.
 *
 * Bearer secrets are stored under the SHA-256 of their value (and their `jti` is dropped from the payload): a copy
 * of the table does not hand out working codes or tokens. A confidential client's secret cannot be hashed (the
 * provider compares it, and may sign with it): it is sealed with the secrets key (secrets/seal.ts) instead. `revokeByGrantId` deletes rows, because oidc-provider
 * has no "consumed" state for access tokens: marking them would let them live on.
 */
export const HASHED_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'RegistrationAccessToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Models whose removal ends access tokens (revocation of a token, of its grant). */
const REVOKES_ACCESS = new Set(['AccessToken', 'Grant']);

/** Single-use artifacts: a second consumption (a replay, or a race) revokes everything their grant issued. */
const SINGLE_USE = new Map([
  ['AuthorizationCode', 'authorization code'],
  ['RefreshToken', 'refresh token'],
]);

/** Where a Client row keeps its sealed secret (`client_secret` itself is never stored). */
const SEALED_SECRET = 'client_secret_sealed';

export function hashTokenValue(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createAdapterFactory(db: Db, tenantId: string): AdapterFactory {
  return (name: string) => new PostgresAdapter(db, tenantId, name);
}

export class PostgresAdapter implements Adapter {
  private readonly hashed: boolean;

  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    private readonly model: string,
  ) {
    this.hashed = HASHED_MODELS.has(model);
  }

  private key(id: string): string {
    return this.hashed ? hashTokenValue(id) : id;
  }

  private where(id: string) {
    return and(eq(oauthStore.tenantId, this.tenantId), eq(oauthStore.model, this.model), eq(oauthStore.id, this.key(id)));
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored: Record<string, unknown> = { ...payload };
    if (this.hashed) delete stored.jti;
    if (this.model === 'Client' && typeof stored.client_secret === 'string') {
      stored[SEALED_SECRET] = seal(await secretKeyFor(this.db), stored.client_secret, this.secretContext(id));
      delete stored.client_secret;
    }
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
    const columns = {
      payload: stored,
      grantId: stringOrNull(payload.grantId),
      uid: stringOrNull(payload.uid),
      accountId: stringOrNull(payload.accountId),
      clientId: stringOrNull(this.model === 'Client' ? payload.client_id : payload.clientId),
      expiresAt,
    };
    // How a client was registered is decided once, when its row is first written, and never by a later write:
    // oidc-provider gives every dynamic registration a `client_id_issued_at`; an operator's client has none.
    const registration = this.model === 'Client' ? (payload.client_id_issued_at ? 'dynamic' : 'preregistered') : null;
    await this.db
      .insert(oauthStore)
      .values({ tenantId: this.tenantId, model: this.model, id: this.key(id), ...columns, registration })
      .onConflictDoUpdate({ target: [oauthStore.tenantId, oauthStore.model, oauthStore.id], set: columns });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.db
      .select({ payload: oauthStore.payload, consumedAt: oauthStore.consumedAt })
      .from(oauthStore)
      .where(this.where(id))
      .limit(1);
    return row ? this.toPayload(row, id) : undefined;
  }

  private secretContext(clientId: string): string {
    return `oauth-client-secret:${this.tenantId}:${clientId}`;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.db
      .select({ id: oauthStore.id, payload: oauthStore.payload, consumedAt: oauthStore.consumedAt })
      .from(oauthStore)
      .where(and(eq(oauthStore.tenantId, this.tenantId), eq(oauthStore.model, this.model), eq(oauthStore.uid, uid)))
      .limit(1);
    // Only sessions and interactions are found by uid; neither is hashed, so the stored id is the real one.
    return row ? this.toPayload(row, row.id) : undefined;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined; // the device flow is not enabled
  }

  /**
   * Marks the artifact used, atomically: of two concurrent redemptions only one wins. oidc-provider already revokes
   * the grant when it finds a consumed code or refresh token; this closes the window between its read and its write.
   */
  async consume(id: string): Promise<void> {
    const won = await this.db
      .update(oauthStore)
      .set({ consumedAt: sql`now()` })
      .where(and(this.where(id), isNull(oauthStore.consumedAt)))
      .returning({ grantId: oauthStore.grantId });
    const label = SINGLE_USE.get(this.model);
    if (won.length || !label) return;
    const [row] = await this.db.select({ grantId: oauthStore.grantId }).from(oauthStore).where(this.where(id)).limit(1);
    if (row?.grantId) await deleteGrant(this.db, this.tenantId, row.grantId);
    throw new errors.InvalidGrant(`${label} already ${this.model === 'RefreshToken' ? 'used' : 'consumed'}`);
  }

  async destroy(id: string): Promise<void> {
    await this.db.delete(oauthStore).where(this.where(id));
    // A revoked access token or grant: this process's cached token lookups go at once (others' within a second).
    if (REVOKES_ACCESS.has(this.model)) forgetCredentialsEverywhere();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // A revoked grant's codes stay until they expire (minutes): they redeem nothing without their grant, and a
    // replayed one can still be attributed to its account in the audit log (hooks.ts).
    if (this.model === 'AuthorizationCode') return;
    await this.db
      .delete(oauthStore)
      .where(and(eq(oauthStore.tenantId, this.tenantId), eq(oauthStore.model, this.model), eq(oauthStore.grantId, grantId)));
    forgetCredentialsEverywhere();
  }

  private async toPayload(row: { payload: Record<string, unknown>; consumedAt: Date | null }, id: string): Promise<AdapterPayload> {
    const payload: Record<string, unknown> = { ...row.payload };
    if (this.hashed) payload.jti = id;
    if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
    const sealed = payload[SEALED_SECRET];
    if (typeof sealed === 'string') {
      delete payload[SEALED_SECRET];
      payload.client_secret = await this.openSecret(sealed, id);
    }
    return payload as AdapterPayload;
  }

  /**
   * A client secret sealed with another key (ORGONAUT_SECRET_KEY replaced without re-encryption) cannot be read:
   * the client gets a secret nobody knows, so it is refused as `invalid_client` until it registers again.
   */
  private async openSecret(sealed: string, clientId: string): Promise<string> {
    try {
      return open(await secretKeyFor(this.db), sealed, this.secretContext(clientId));
    } catch {
      return randomBytes(32).toString('base64url');
    }
  }
}

/** Deletes a grant and everything issued under it (codes, access and refresh tokens), in one statement. */
export async function deleteGrant(db: Db, tenantId: string, grantId: string): Promise<void> {
  await db
    .delete(oauthStore)
    .where(
      and(
        eq(oauthStore.tenantId, tenantId),
        or(eq(oauthStore.grantId, grantId), and(eq(oauthStore.model, 'Grant'), eq(oauthStore.id, grantId))),
      ),
    );
  forgetCredentialsEverywhere();
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}
