import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import type Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/commands.js';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, oauthKeys } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { loadTenantKeys } from '../../src/oauth/keys.js';
import { ProviderRegistry } from '../../src/oauth/registry.js';
import { registerSecretKey, secretKeyFor } from '../../src/secrets/key.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildTenant } from '../support/factories.js';
import {
  authorizeUrl,
  Browser,
  CLAUDE_REDIRECT,
  decide,
  discover,
  loopbackFetch,
  pkce,
  registerClient,
  startOAuthServer,
  submitSignIn,
  tenantWithMember,
  type OAuthServer,
} from './support.js';

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

/**
 * Rotation (`orgonaut oauth-keys rotate|retire`): new keys sign at once on every instance, the previous stay
 * published (JWKS) and accepted (cookies) until retired. The provider signs with what its keystore selects first;
 * nothing it signs reaches a client today (opaque access tokens, no ID tokens), so "a token" here is a JWT signed
 * with the key the provider would sign with, verified against the JWKS the server publishes, as a client would.
 */
describe('OAuth key rotation', () => {
  let server: OAuthServer;
  beforeAll(async () => {
    server = await startOAuthServer();
  });
  afterAll(() => server?.close());

  const publishedJwks = async (origin: string) => (await (await loopbackFetch(`${origin}/oauth/jwks`)).json()) as JSONWebKeySet;
  const kidsOf = (jwks: JSONWebKeySet) => jwks.keys.map((k) => k.kid);

  /** Polls the served JWKS until it lists `kids` (the server's cached provider is rebuilt within a second). */
  async function servedKids(origin: string, kids: string[]): Promise<JSONWebKeySet> {
    for (let waited = 0; ; waited += 50) {
      const jwks = await publishedJwks(origin);
      if (JSON.stringify(kidsOf(jwks)) === JSON.stringify(kids) || waited > 3_000) return jwks;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The key a provider signs with: the first its keystore selects for ES256 (oidc-provider's own choice). */
  async function providerSigningKey(provider: Provider): Promise<JWK> {
    const { get } = (await import('oidc-provider/lib/helpers/weak_cache.js' as string)) as { get(p: Provider): { keystore: { selectForSign(o: object): JWK[] } } };
    return get(provider).keystore.selectForSign({ alg: 'ES256', use: 'sig' })[0]!;
  }

  async function signWith(key: JWK, issuer: string): Promise<string> {
    return new SignJWT({ sub: 'someone' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid! })
      .setIssuer(issuer)
      .setExpirationTime('1h')
      .sign(await importJWK(key, 'ES256'));
  }

  const verifies = (token: string, jwks: JSONWebKeySet) =>
    jwtVerify(token, createLocalJWKSet(jwks)).then(
      (result) => result.protectedHeader.kid,
      (error: { code?: string }) => error.code ?? 'failed',
    );

  const audit = (tenant: Tenant) =>
    server.database.db
      .select({ action: auditEvents.action, before: auditEvents.before, after: auditEvents.after, metadata: auditEvents.metadata })
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'oauth_keys')))
      .orderBy(auditEvents.at);

  it('signs with the new key at once while tokens signed before keep verifying, until the old key is retired', async () => {
    const { tenant, origin } = await tenantWithMember(server);
    // A second instance on the same database: its own registry, its own cached providers.
    const other = new ProviderRegistry(server.database.db, [], createLogger('silent'), { maintenanceEveryMs: null });
    const before = await publishedJwks(origin);
    const [oldKid] = kidsOf(before);
    const oldKey = await providerSigningKey(await other.get(tenant, origin));
    expect(oldKey.kid).toBe(oldKid);
    const issuedBefore = await signWith(oldKey, origin);
    expect(await verifies(issuedBefore, before)).toBe(oldKid);

    const rotated = await runAdminCommand(server.database, { name: 'oauth-keys.rotate', tenant: tenant.slug });
    const newKid = (rotated.data as { signing_key: string }).signing_key;
    expect(newKid).not.toBe(oldKid);
    expect(rotated.message).toContain(`oauth-keys retire --tenant ${tenant.slug}`);

    const both = await servedKids(origin, [newKid, oldKid!]);
    expect(kidsOf(both)).toEqual([newKid, oldKid]);
    expect(JSON.stringify(both)).not.toMatch(/"d"|created_at/); // public parts only
    expect(await verifies(issuedBefore, both)).toBe(oldKid);
    // The other instance signs with the new key once it has read the stored keys again, without a restart.
    await new Promise((resolve) => setTimeout(resolve, 900));
    const newKey = await providerSigningKey(await other.get(tenant, origin));
    expect(newKey.kid).toBe(newKid);
    const issuedAfter = await signWith(newKey, origin);
    expect(await verifies(issuedAfter, both)).toBe(newKid);

    // Within the longest lifetime of what the old key signed, retiring is refused and nothing changes.
    await expect(runAdminCommand(server.database, { name: 'oauth-keys.retire', tenant: tenant.slug })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/may be in use until \d{4}-\d\d-\d\d \d\d:\d\d UTC/),
    });
    expect(kidsOf(await publishedJwks(origin))).toEqual([newKid, oldKid]);

    const retired = await runAdminCommand(server.database, { name: 'oauth-keys.retire', tenant: tenant.slug, force: true });
    expect(retired.data).toMatchObject({ signing_key: newKid, retired_signing_keys: [oldKid], retired_cookie_keys: 1 });
    const after = await servedKids(origin, [newKid]);
    expect(kidsOf(after)).toEqual([newKid]);
    expect(await verifies(issuedBefore, after)).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(await verifies(issuedAfter, after)).toBe(newKid);

    expect(await audit(tenant)).toEqual([
      { action: 'rotated', before: { signing_key: oldKid, published_keys: [oldKid] }, after: { signing_key: newKid, published_keys: [newKid, oldKid], cookie_keys: 2 }, metadata: { via: 'admin-cli' } },
      { action: 'retired', before: { published_keys: [newKid, oldKid], cookie_keys: 2 }, after: { published_keys: [newKid], cookie_keys: 1 }, metadata: { via: 'admin-cli', forced: true } },
    ]);
    // Nothing left to retire: said so, and not audited again.
    const again = await runAdminCommand(server.database, { name: 'oauth-keys.retire', tenant: tenant.slug, force: true });
    expect(again.message).toContain('nothing to retire');
    expect(await audit(tenant)).toHaveLength(2);
  });

  it('keeps a sign-in started before the rotation going, and refuses one started before the old cookie key was retired', async () => {
    const { tenant, user, origin } = await tenantWithMember(server);
    const as = await discover(origin);
    const client = await registerClient(as, { client_name: 'Rotation client', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
    const { challenge } = await pkce();
    // Two browsers start connecting the app (the provider sets its interaction cookie, signed with the cookie key).
    const start = async () => {
      const browser = new Browser(server.port);
      const page = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge, state: oauth.generateRandomState(), resource: `${origin}/mcp/orgonaut` }));
      expect(new URL(page.url).pathname).toBe('/sign-in');
      return { browser, page };
    };
    const first = await start();
    const second = await start();
    const [oldKid] = kidsOf(await publishedJwks(origin));

    const newKid = ((await runAdminCommand(server.database, { name: 'oauth-keys.rotate', tenant: tenant.slug })).data as { signing_key: string }).signing_key;
    await servedKids(origin, [newKid, oldKid!]);
    const consent = await submitSignIn(first.browser, first.page, user.email);
    expect(consent.response.status).toBe(200);
    const allowed = await decide(first.browser, consent, 'Allow');
    expect(allowed.left?.href.startsWith(CLAUDE_REDIRECT)).toBe(true);

    await runAdminCommand(server.database, { name: 'oauth-keys.retire', tenant: tenant.slug, force: true });
    await servedKids(origin, [newKid]);
    const refused = await submitSignIn(second.browser, second.page, user.email);
    expect(refused.left).toBeUndefined();
    expect(refused.response.status).toBe(400);
    expect(await refused.response.text()).toContain('This connection request has expired');
  });
});
