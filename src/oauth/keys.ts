import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import type { Db } from '../db/connection.js';
import { rows } from '../db/connection.js';
import { oauthKeys } from '../db/schema/index.js';
import { secretKeyFor } from '../secrets/key.js';
import { open, seal, SecretsUnavailable } from '../secrets/seal.js';

/**
 * Each tenant's authorization server has its own keys, generated on first use and kept in the database so every
 * instance signs and reads cookies alike: an ES256 signing key (the provider's keystore; with opaque access tokens and
 * no ID tokens it signs nothing a client sees today) and cookie-signing keys. Instances racing to create them keep
 * whichever row landed first.
 *
 * Both lists are newest first: the provider signs with the first key of each and still verifies with the others, so
 * a rotation (`rotateTenantKeys`, the `oauth-keys rotate` admin command) puts new keys first and keeps the previous
 * ones, published in the JWKS, until they are retired (`retireTenantKeys`). Each signing key records when it was
 * made (`created_at`, a private JWK member the provider neither uses nor publishes), so retiring can tell whether
 * anything the previous keys signed may still be in use.
 *
 * Each key is stored sealed with the secrets key (src/secrets, bound to the tenant): a copy of the database alone
 * must not let anyone forge the provider's cookies. A key found unsealed (written before keys were sealed, or added
 * by hand) is used and sealed in place. Keys sealed with another secrets key cannot be read: the tenant gets new
 * ones (an OAuth sign-in under way then starts again; nothing a client holds is signed with them).
 */
export interface TenantKeys {
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

type StoredRow = typeof oauthKeys.$inferSelect;
type StoredKeys = Pick<StoredRow, 'jwks' | 'cookieKeys'>;

export async function loadTenantKeys(db: Db, tenantId: string): Promise<TenantKeys> {
  const secret = await secretKeyFor(db);
  const [row] = await select(db, tenantId);
  if (row) {
    const keys = await openRow(db, secret, row).catch((error: unknown) => {
      if (error instanceof SecretsUnavailable) return null;
      throw error;
    });
    if (keys) return keys;
    // Sealed with another secrets key: replace them, as a first use would make them.
    await db.update(oauthKeys).set(sealKeys(secret, tenantId, await newKeys())).where(unchanged(row));
  } else {
    await db
      .insert(oauthKeys)
      .values({ tenantId, ...sealKeys(secret, tenantId, await newKeys()) })
      .onConflictDoNothing();
  }
  const [created] = await select(db, tenantId);
  if (!created) throw new Error('OAuth keys could not be stored');
  return openRow(db, secret, created);
}

/**
 * A fingerprint of a tenant's stored keys, null before they are made: it changes with every rotation and
 * retirement, so instances caching a provider built with the keys can tell, with one small read, that it is stale.
 */
export async function storedKeysVersion(db: Db, tenantId: string): Promise<string | null> {
  const [row] = await rows<{ version: string }>(db, sql`select md5(jwks::text || cookie_keys::text) as version from oauth_keys where tenant_id = ${tenantId}`);
  return row?.version ?? null;
}

/** The kid of a signing key and when it was made (null: made before that was recorded). */
export interface SigningKeyInfo {
  kid: string;
  createdAt: Date | null;
}

export interface KeyChange {
  /** The signing keys now published, newest (the one that signs) first. */
  signingKeys: SigningKeyInfo[];
  /** How many cookie keys there are now, the one that signs included. */
  cookieKeys: number;
}

/**
 * Puts a new signing key and a new cookie key first: the provider signs with them from then on (on every instance
 * within a second, see ProviderRegistry), while the previous keys stay published and accepted until retired.
 */
export async function rotateTenantKeys(db: Db, tenantId: string): Promise<KeyChange & { previousKids: string[] }> {
  await loadTenantKeys(db, tenantId); // made now if the tenant has none yet; unreadable ones replaced
  const secret = await secretKeyFor(db);
  const fresh = await newKeys();
  return db.transaction(async (tx) => {
    const current = await openRow(tx, secret, await lockedRow(tx, tenantId));
    const next: TenantKeys = { jwks: { keys: [...fresh.jwks.keys, ...current.jwks.keys] }, cookieKeys: [...fresh.cookieKeys, ...current.cookieKeys] };
    await tx.update(oauthKeys).set(sealKeys(secret, tenantId, next)).where(eq(oauthKeys.tenantId, tenantId));
    return { ...describe(next), previousKids: current.jwks.keys.map(kidOf) };
  });
}

/**
 * Drops every key but the newest signing key and cookie key: what the older keys signed (session and interaction
 * cookies; tokens, were any signed) is refused from then on. `describeRetirement` says whether that is still too soon.
 */
export async function retireTenantKeys(db: Db, tenantId: string): Promise<KeyChange & { retiredKids: string[]; retiredCookieKeys: number }> {
  await loadTenantKeys(db, tenantId);
  const secret = await secretKeyFor(db);
  return db.transaction(async (tx) => {
    const current = await openRow(tx, secret, await lockedRow(tx, tenantId));
    const next: TenantKeys = { jwks: { keys: current.jwks.keys.slice(0, 1) }, cookieKeys: current.cookieKeys.slice(0, 1) };
    const retiredKids = current.jwks.keys.slice(1).map(kidOf);
    const retiredCookieKeys = current.cookieKeys.length - next.cookieKeys.length;
    if (retiredKids.length || retiredCookieKeys) {
      await tx.update(oauthKeys).set(sealKeys(secret, tenantId, next)).where(eq(oauthKeys.tenantId, tenantId));
    }
    return { ...describe(next), retiredKids, retiredCookieKeys };
  });
}

/** What the tenant's keys are now (made if it has none yet). */
export async function describeTenantKeys(db: Db, tenantId: string): Promise<KeyChange> {
  return describe(await loadTenantKeys(db, tenantId));
}

function describe(keys: TenantKeys): KeyChange {
  return {
    signingKeys: keys.jwks.keys.map((jwk) => ({ kid: kidOf(jwk), createdAt: typeof jwk.created_at === 'string' ? new Date(jwk.created_at) : null })),
    cookieKeys: keys.cookieKeys.length,
  };
}

const kidOf = (jwk: Record<string, unknown>) => String(jwk.kid);

function select(db: Db, tenantId: string) {
  return db.select().from(oauthKeys).where(eq(oauthKeys.tenantId, tenantId)).limit(1);
}

async function lockedRow(tx: Db, tenantId: string): Promise<StoredRow> {
  const [row] = await tx.select().from(oauthKeys).where(eq(oauthKeys.tenantId, tenantId)).for('update');
  if (!row) throw new Error('OAuth keys could not be read');
  return row;
}

/** The row as it was read: a rewrite (sealing in place, replacing) must not undo a rotation committed meanwhile. */
function unchanged(row: StoredRow) {
  return and(
    eq(oauthKeys.tenantId, row.tenantId),
    sql`${oauthKeys.jwks} = ${JSON.stringify(row.jwks)}::jsonb`,
    sql`${oauthKeys.cookieKeys} = ${JSON.stringify(row.cookieKeys)}::jsonb`,
  );
}

async function newKeys(): Promise<TenantKeys> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig', created_at: new Date().toISOString() };
  return { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
}

/** A sealed value (`v1.<key id>.<nonce>.<tag>.<ciphertext>`); a cookie key itself is base64url, without dots. */
function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('v1.') && value.split('.').length === 5;
}

const context = (tenantId: string, kind: 'jwk' | 'cookie-key') => `oauth-keys:${tenantId}:${kind}`;

function sealKeys(secret: Buffer, tenantId: string, keys: TenantKeys): StoredKeys {
  return {
    jwks: { keys: keys.jwks.keys.map((jwk) => seal(secret, JSON.stringify(jwk), context(tenantId, 'jwk'))) },
    cookieKeys: keys.cookieKeys.map((key) => seal(secret, key, context(tenantId, 'cookie-key'))),
  };
}

/** Opens a stored row; seals in place any key found unsealed. Throws SecretsUnavailable for another secrets key. */
async function openRow(db: Db, secret: Buffer, row: StoredRow): Promise<TenantKeys> {
  const keys: TenantKeys = {
    jwks: { keys: row.jwks.keys.map((jwk) => (isSealed(jwk) ? (JSON.parse(open(secret, jwk, context(row.tenantId, 'jwk'))) as Record<string, unknown>) : jwk)) },
    cookieKeys: row.cookieKeys.map((key) => (isSealed(key) ? open(secret, key, context(row.tenantId, 'cookie-key')) : key)),
  };
  if (!row.jwks.keys.every(isSealed) || !row.cookieKeys.every(isSealed)) {
    await db.update(oauthKeys).set(sealKeys(secret, row.tenantId, keys)).where(unchanged(row));
  }
  return keys;
}
