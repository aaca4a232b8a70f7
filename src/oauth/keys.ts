import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import type { Db } from '../db/connection.js';
import { oauthKeys } from '../db/schema/index.js';
import { secretKeyFor } from '../secrets/key.js';
import { open, seal, SecretsUnavailable } from '../secrets/seal.js';

/**
 * Each tenant's authorization server has its own keys, generated on first use and kept in the database so every
 * instance signs and reads cookies alike: an ES256 signing key (the provider's keystore; with opaque access tokens and
 * no ID tokens it signs nothing a client sees today) and cookie-signing keys. Instances racing to create them keep
 * whichever row landed first.
 *
 * Each key is stored sealed with the secrets key (src/secrets, bound to the tenant): a copy of the database alone
 * must not let anyone forge the provider's cookies. A key found unsealed (written before keys were sealed, or added
 * by hand to rotate) is used and sealed in place. Keys sealed with another secrets key cannot be read: the tenant
 * gets new ones (an OAuth sign-in under way then starts again; nothing a client holds is signed with them).
 */
export interface TenantKeys {
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

type StoredRow = typeof oauthKeys.$inferSelect;

export async function loadTenantKeys(db: Db, tenantId: string): Promise<TenantKeys> {
  const [row] = await select(db, tenantId);
  if (row) {
    const keys = await openRow(db, row).catch((error: unknown) => {
      if (error instanceof SecretsUnavailable) return null;
      throw error;
    });
    if (keys) return keys;
    // Sealed with another secrets key: replace them, as a first use would make them.
    await db.update(oauthKeys).set(await sealKeys(db, tenantId, await newKeys())).where(eq(oauthKeys.tenantId, tenantId));
  } else {
    await db
      .insert(oauthKeys)
      .values({ tenantId, ...(await sealKeys(db, tenantId, await newKeys())) })
      .onConflictDoNothing();
  }
  const [created] = await select(db, tenantId);
  if (!created) throw new Error('OAuth keys could not be stored');
  return openRow(db, created);
}

function select(db: Db, tenantId: string) {
  return db.select().from(oauthKeys).where(eq(oauthKeys.tenantId, tenantId)).limit(1);
}

async function newKeys(): Promise<TenantKeys> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
  return { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
}

/** A sealed value (`v1.<key id>.<nonce>.<tag>.<ciphertext>`); a cookie key itself is base64url, without dots. */
function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('v1.') && value.split('.').length === 5;
}

const context = (tenantId: string, kind: 'jwk' | 'cookie-key') => `oauth-keys:${tenantId}:${kind}`;

async function sealKeys(db: Db, tenantId: string, keys: TenantKeys): Promise<Pick<StoredRow, 'jwks' | 'cookieKeys'>> {
  const secret = await secretKeyFor(db);
  return {
    jwks: { keys: keys.jwks.keys.map((jwk) => seal(secret, JSON.stringify(jwk), context(tenantId, 'jwk'))) },
    cookieKeys: keys.cookieKeys.map((key) => seal(secret, key, context(tenantId, 'cookie-key'))),
  };
}

/** Opens a stored row; seals in place any key found unsealed. Throws SecretsUnavailable for another secrets key. */
async function openRow(db: Db, row: StoredRow): Promise<TenantKeys> {
  const secret = await secretKeyFor(db);
  const keys: TenantKeys = {
    jwks: { keys: row.jwks.keys.map((jwk) => (isSealed(jwk) ? (JSON.parse(open(secret, jwk, context(row.tenantId, 'jwk'))) as Record<string, unknown>) : jwk)) },
    cookieKeys: row.cookieKeys.map((key) => (isSealed(key) ? open(secret, key, context(row.tenantId, 'cookie-key')) : key)),
  };
  if (!row.jwks.keys.every(isSealed) || !row.cookieKeys.every(isSealed)) {
    await db.update(oauthKeys).set(await sealKeys(db, row.tenantId, keys)).where(eq(oauthKeys.tenantId, row.tenantId));
  }
  return keys;
}
