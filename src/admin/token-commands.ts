import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { apiTokens, users } from '../db/schema/index.js';
import { issueApiToken } from '../access/api-tokens.js';
import { roleAbilitiesOf } from '../access/membership-abilities.js';
import { toAbility } from '../access/abilities.js';
import { findMembership, findUserByEmail } from '../access/users.js';
import { planWithholds } from '../tenancy/plans.js';
import { recordAudit } from '../audit/record.js';
import { InvalidInput, NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import { findTenantBySlug, type Tenant } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';
import { utcMinute } from './format.js';

type TokenCommand = Extract<AdminCommand, { name: 'tokens.create' | 'tokens.list' | 'tokens.revoke' }>;

/** `orgonaut tokens create|list|revoke`: operator access to personal API tokens (SPEC §9). */
export async function runTokenCommand(db: Db, command: TokenCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.tenant);
  if (!tenant) throw new NotFound('Tenant', command.tenant);
  switch (command.name) {
    case 'tokens.create':
      return createToken(db, tenant, command);
    case 'tokens.list':
      return listTokens(db, tenant, command.email);
    case 'tokens.revoke':
      return revokeToken(db, tenant, command.id);
  }
}

async function createToken(db: Db, tenant: Tenant, command: Extract<TokenCommand, { name: 'tokens.create' }>) {
  const user = await findUserByEmail(db, command.email);
  const roleAbilities = user ? await roleAbilitiesOf(db, tenant, user.id) : null;
  if (!user || !roleAbilities) throw new NotFound('Member', command.email);
  // The operator is not the member: say whose role lacks an ability (the shared check says "your role").
  const withheld = planWithholds(tenant.plan);
  for (const name of command.abilities ?? []) {
    const ability = toAbility(name);
    if (ability && !roleAbilities.has(ability) && !withheld.has(ability)) {
      const role = (await findMembership(db, tenant.id, user.id))?.role;
      throw new InvalidInput('abilities', `${user.email} is ${role} of ${tenant.slug}, a role without "${ability}", so their token cannot have it`);
    }
  }
  const days = command.expiresInDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    throw new InvalidInput('expires-in-days', 'must be a whole number of days from 1 to 3650');
  }
  const { token, secret } = await issueApiToken(db, {
    tenantId: tenant.id,
    userId: user.id,
    roleAbilities,
    name: command.tokenName,
    abilities: command.abilities?.length ? command.abilities : [...roleAbilities],
    expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
    via: 'admin-cli',
  });
  return {
    message: `Created token "${token.name}" for ${user.email} in ${tenant.slug} (abilities: ${token.abilities.join(', ')}).\n` +
      `Secret (shown once):\n${secret}`,
    data: { token, secret },
  };
}

async function listTokens(db: Db, tenant: Tenant, email?: string) {
  const rows = await db
    .select({ token: apiTokens, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tenantId, tenant.id))
    .orderBy(desc(apiTokens.createdAt));
  const shown = rows.filter((r) => !email || r.email.toLowerCase() === email.toLowerCase());
  const lines = shown.map(({ token, email: owner }) => {
    const state = token.revokedAt ? 'revoked' : token.expiresAt && token.expiresAt < new Date() ? 'expired' : 'active';
    return `${token.id}  ${token.prefix}…  ${state.padEnd(7)}  ${owner.padEnd(24)}  ${token.name}`;
  });
  return {
    message: lines.join('\n') || 'No tokens.',
    data: shown.map(({ token, email: owner }) => ({ id: token.id, name: token.name, prefix: token.prefix, email: owner, abilities: token.abilities, revoked_at: token.revokedAt, expires_at: token.expiresAt, last_used_at: token.lastUsedAt })),
  };
}

async function revokeToken(db: Db, tenant: Tenant, id: string) {
  if (!isUuid(id)) throw new NotFound('API token', id);
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.tenantId, tenant.id), eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  if (!row) {
    // Revoking again keeps the first revocation's time and audit entry.
    const [revoked] = await db.select().from(apiTokens).where(and(eq(apiTokens.tenantId, tenant.id), eq(apiTokens.id, id)));
    if (!revoked?.revokedAt) throw new NotFound('API token', id);
    return { message: `Token ${revoked.name} (${id}) was already revoked on ${utcMinute(revoked.revokedAt)}.`, data: { id, revoked: true, revoked_at: revoked.revokedAt.toISOString() } };
  }
  await recordAudit(db, { tenantId: tenant.id, category: 'security', entityType: 'api_token', entityId: id, action: 'revoked', metadata: { via: 'admin-cli' } });
  return { message: `Revoked token ${row.name} (${id}).`, data: { id, revoked: true, revoked_at: row.revokedAt!.toISOString() } };
}
