import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { oauthKeys } from '../../src/db/schema/index.js';
import { loadTenantKeys } from '../../src/oauth/keys.js';
import { registerSecretKey, secretKeyFor } from '../../src/secrets/key.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';

/**
 * The OAuth server's keys (cookie-signing keys, the ES256 keystore) are sealed with the secrets key like every other
 * secret that must be read back: a copy of the database alone does not let anyone forge the provider's cookies.
 */
let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

const stored = async (tenantId: string) => (await database.db.select().from(oauthKeys).where(eq(oauthKeys.tenantId, tenantId)))[0]!;

describe('OAuth keys at rest', () => {
  it('are stored sealed: neither a cookie key nor the private signing key can be read from the row', async () => {
    const tenant = await buildTenant(database, { slug: 'keyssealed' });
    const keys = await loadTenantKeys(database.db, tenant.id);
    const row = JSON.stringify(await stored(tenant.id));
    expect(keys.cookieKeys[0]).toMatch(/^[\w-]{43}$/);
    expect(row).not.toContain(keys.cookieKeys[0]);
    expect(row).not.toContain(String(keys.jwks.keys[0]!.d));
    expect(await loadTenantKeys(database.db, tenant.id)).toEqual(keys);
  });

  it('written unsealed before (or added by hand to rotate) are still used, and sealed in place', async () => {
    const tenant = await buildTenant(database, { slug: 'keysplain' });
    const fresh = await loadTenantKeys(database.db, tenant.id);
    const plain = { jwks: fresh.jwks, cookieKeys: [randomBytes(32).toString('base64url'), fresh.cookieKeys[0]!] };
    await database.db.update(oauthKeys).set(plain).where(eq(oauthKeys.tenantId, tenant.id));

    expect(await loadTenantKeys(database.db, tenant.id)).toEqual(plain);
    const row = JSON.stringify(await stored(tenant.id));
    for (const key of plain.cookieKeys) expect(row).not.toContain(key);
    expect(row).not.toContain(String(fresh.jwks.keys[0]!.d));
    expect(await loadTenantKeys(database.db, tenant.id)).toEqual(plain);
  });

  it('sealed with a secrets key since replaced are replaced by new keys, not a failing sign-in', async () => {
    const tenant = await buildTenant(database, { slug: 'keysrekeyed' });
    const before = await loadTenantKeys(database.db, tenant.id);
    const original = await secretKeyFor(database.db);
    registerSecretKey(database.db, randomBytes(32));
    try {
      const after = await loadTenantKeys(database.db, tenant.id);
      expect(after.cookieKeys[0]).not.toBe(before.cookieKeys[0]);
      expect(await loadTenantKeys(database.db, tenant.id)).toEqual(after);
    } finally {
      registerSecretKey(database.db, original);
    }
  });
});
