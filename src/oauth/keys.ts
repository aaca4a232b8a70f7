import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';
import type { Db } from '../db/connection.js';
import { oauthKeys } from '../db/schema/index.js';

/**
 * Each tenant's authorization server has its own keys, generated on first use and kept in the database so every
 * instance signs and reads cookies alike: an ES256 signing key (the provider's keystore; with opaque access tokens and
 * no ID tokens it signs nothing a client sees today) and cookie-signing keys. Instances racing to create them keep
 * whichever row landed first.
 */
export interface TenantKeys {
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

export async function loadTenantKeys(db: Db, tenantId: string): Promise<TenantKeys> {
  const existing = await read(db, tenantId);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
  await db
    .insert(oauthKeys)
    .values({ tenantId, jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] })
    .onConflictDoNothing();
  const created = await read(db, tenantId);
  if (!created) throw new Error('OAuth keys could not be stored');
  return created;
}

async function read(db: Db, tenantId: string): Promise<TenantKeys | null> {
  const [row] = await db.select().from(oauthKeys).where(eq(oauthKeys.tenantId, tenantId)).limit(1);
  return row ? { jwks: row.jwks, cookieKeys: row.cookieKeys } : null;
}
