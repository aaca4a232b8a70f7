import type { Db } from '../db/connection.js';
import { recordAudit } from '../audit/record.js';
import { Conflict, NotFound } from '../errors.js';
import { describeTenantKeys, retireTenantKeys, rotateTenantKeys, type KeyChange } from '../oauth/keys.js';
import { DEFAULT_TTLS } from '../oauth/provider.js';
import { findTenantBySlug, type Tenant } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';
import { utcMinute } from './format.js';

type KeyCommand = Extract<AdminCommand, { name: 'oauth-keys.rotate' | 'oauth-keys.retire' | 'oauth-keys.list' }>;

/**
 * How long after a rotation the previous keys may still be needed: the longest lifetime of anything they signed —
 * the provider's session cookie, an access token (opaque today, but a JWT one would be signed), an interaction.
 */
export const RETIRE_AFTER_MS = Math.max(DEFAULT_TTLS.session, DEFAULT_TTLS.accessToken, DEFAULT_TTLS.interaction) * 1000;

/**
 * `orgonaut oauth-keys rotate|retire|list`: a tenant's OAuth signing and cookie keys (src/oauth/keys.ts). Rotating
 * makes new keys sign while the previous stay published and accepted; retiring, once nothing they signed can still
 * be in use, drops them. Every instance picks the change up within a second, without a restart.
 */
export async function runKeyCommand(db: Db, command: KeyCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.tenant);
  if (!tenant) throw new NotFound('Tenant', command.tenant);
  switch (command.name) {
    case 'oauth-keys.rotate':
      return rotate(db, tenant);
    case 'oauth-keys.retire':
      return retire(db, tenant, command.force === true);
    case 'oauth-keys.list': {
      const keys = await describeTenantKeys(db, tenant.id);
      const lines = keys.signingKeys.map((key, i) => `${key.kid}  ${i === 0 ? 'signing  ' : 'published'}  made ${key.createdAt ? utcMinute(key.createdAt) : 'before this was recorded'}`);
      lines.push(`${keys.cookieKeys} cookie key${keys.cookieKeys === 1 ? '' : 's'} (the newest signs, all are accepted)`);
      return { message: lines.join('\n'), data: present(keys) };
    }
  }
}

async function rotate(db: Db, tenant: Tenant): Promise<AdminResult> {
  const rotation = await rotateTenantKeys(db, tenant.id);
  const [signing] = rotation.signingKeys;
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType: 'oauth_keys',
    entityId: tenant.id,
    action: 'rotated',
    before: { signing_key: rotation.previousKids[0], published_keys: rotation.previousKids },
    after: { signing_key: signing!.kid, published_keys: rotation.signingKeys.map((k) => k.kid), cookie_keys: rotation.cookieKeys },
    metadata: { via: 'admin-cli' },
  });
  const retireAfter = new Date(signing!.createdAt!.getTime() + RETIRE_AFTER_MS);
  return {
    message:
      `Rotated the OAuth keys of ${tenant.slug}: signing key ${signing!.kid} and a new cookie key sign from now on (every instance within a second).\n` +
      `The previous signing key${rotation.previousKids.length === 1 ? '' : 's'} (${rotation.previousKids.join(', ')}) stay${rotation.previousKids.length === 1 ? 's' : ''} published in the JWKS and the previous cookie keys stay accepted, so what they signed keeps working.\n` +
      `Retire them after ${utcMinute(retireAfter)}: orgonaut oauth-keys retire --tenant ${tenant.slug}`,
    data: { ...present(rotation), previous_signing_keys: rotation.previousKids, retire_after: retireAfter.toISOString() },
  };
}

async function retire(db: Db, tenant: Tenant, force: boolean): Promise<AdminResult> {
  const [signing] = (await describeTenantKeys(db, tenant.id)).signingKeys;
  const safeFrom = signing?.createdAt ? new Date(signing.createdAt.getTime() + RETIRE_AFTER_MS) : null;
  if (!force && safeFrom && safeFrom > new Date()) {
    throw new Conflict(
      `The OAuth keys of ${tenant.slug} were rotated at ${utcMinute(signing!.createdAt!)}: cookies and tokens signed with the previous keys may be in use until ${utcMinute(safeFrom)}.`,
      'Retire them after then, or add --force to retire them now (OAuth sign-ins under way start again).',
      { retire_after: safeFrom.toISOString() },
    );
  }
  const retired = await retireTenantKeys(db, tenant.id);
  const data = { ...present(retired), retired_signing_keys: retired.retiredKids, retired_cookie_keys: retired.retiredCookieKeys };
  if (!retired.retiredKids.length && !retired.retiredCookieKeys) {
    return { message: `The OAuth keys of ${tenant.slug} have nothing to retire: only the signing key ${retired.signingKeys[0]!.kid} and one cookie key.`, data };
  }
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType: 'oauth_keys',
    entityId: tenant.id,
    action: 'retired',
    before: { published_keys: [...retired.signingKeys.map((k) => k.kid), ...retired.retiredKids], cookie_keys: retired.cookieKeys + retired.retiredCookieKeys },
    after: { published_keys: retired.signingKeys.map((k) => k.kid), cookie_keys: retired.cookieKeys },
    metadata: { via: 'admin-cli', ...(force ? { forced: true } : {}) },
  });
  const kids = retired.retiredKids.length ? `signing key${retired.retiredKids.length === 1 ? '' : 's'} ${retired.retiredKids.join(', ')}` : 'no signing key';
  return {
    message: `Retired the previous OAuth keys of ${tenant.slug} (${kids}, ${retired.retiredCookieKeys} cookie key${retired.retiredCookieKeys === 1 ? '' : 's'}): what they signed is refused from now on. Signing key ${retired.signingKeys[0]!.kid} remains.`,
    data,
  };
}

/** Keys as `--json` prints them: kids and times only, never key material. */
function present(keys: KeyChange) {
  return {
    signing_key: keys.signingKeys[0]!.kid,
    published_keys: keys.signingKeys.map((k) => ({ kid: k.kid, created_at: k.createdAt?.toISOString() ?? null })),
    cookie_keys: keys.cookieKeys,
  };
}
