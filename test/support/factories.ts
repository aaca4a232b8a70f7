import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/connection.js';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { writeLive, type LiveWrite } from '../../src/db/live-store.js';
import { DEFAULT_BUNDLES, type Role } from '../../src/access/bundles.js';
import { effectiveAbilities, type Principal } from '../../src/access/policy.js';
import { ensureUser, setMembership, type User } from '../../src/access/users.js';
import type { ServiceContext } from '../../src/context.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { FAMILIES, type Family, type OrgGraph } from '../../src/org/types.js';
import type { Plan } from '../../src/tenancy/plans.js';
import { createTenant, findTenantById, type Tenant } from '../../src/tenancy/tenants.js';

/** A deterministic UUID for a readable name (fixtures say `uid('alice')`, the database gets a uuid). */
export function uid(name: string, salt = ''): string {
  const h = createHash('sha1').update(`${salt}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function buildTenant(
  database: Database,
  options: { plan?: Plan; slug?: string; currency?: 'EUR' | 'USD'; name?: string; domains?: string[] } = {},
): Promise<Tenant> {
  return createTenant(database.db, {
    slug: options.slug ?? `t-${randomBytes(4).toString('hex')}`,
    name: options.name ?? 'Test Tenant',
    plan: options.plan ?? 'enterprise',
    reportingCurrency: options.currency ?? 'EUR',
    domains: options.domains,
  });
}

export async function buildMember(
  database: Database,
  tenant: Tenant,
  role: Role,
  options: { email?: string; password?: string } = {},
): Promise<User> {
  const user = await ensureUser(database.db, {
    email: options.email ?? `${role}-${randomBytes(4).toString('hex')}@example.test`,
    name: `${role} user`,
    password: options.password ?? 'correct horse battery',
  });
  await setMembership(database.db, tenant.id, user.id, role);
  return user;
}

export interface TokenOptions {
  /** Exactly these abilities (within the role's); the role's whole set when left out. */
  abilities?: readonly string[];
  /** The token's name; the role when left out. */
  name?: string;
  expiresAt?: Date;
}

/** The secret of a new personal API token of `user`, a member of `tenant` with `role` (SPEC §4.1). */
export async function tokenOf(database: Database, tenant: Tenant, user: Pick<User, 'id'>, role: Role, options: TokenOptions = {}): Promise<string> {
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES[role], null, tenant.plan);
  const abilities = [...(options.abilities ?? roleAbilities)];
  const { secret } = await issueApiToken(database.db, { tenantId: tenant.id, userId: user.id, roleAbilities, name: options.name ?? role, abilities, expiresAt: options.expiresAt });
  return secret;
}

/** A new member of `tenant` with `role` and the secret of a personal API token of theirs (see `tokenOf`). */
export async function memberToken(
  database: Database,
  tenant: Tenant,
  role: Role,
  options: TokenOptions & { email?: string; password?: string } = {},
): Promise<string> {
  return tokenOf(database, tenant, await buildMember(database, tenant, role, options), role, options);
}

/** A principal with the role's default abilities, optionally narrowed by a credential. */
export function principalFor(tenant: Tenant, role: Role, credential: string[] | null = null, userId: string | null = null): Principal {
  const roleAbilities = effectiveAbilities(DEFAULT_BUNDLES[role], null, tenant.plan);
  return {
    kind: credential ? 'api_token' : 'session',
    userId,
    tenantId: tenant.id,
    role,
    abilities: effectiveAbilities(DEFAULT_BUNDLES[role], credential, tenant.plan),
    roleAbilities,
  };
}

export function contextFor(database: Database, tenant: Tenant, principal: Principal, graphs = new GraphStore(database.db)): ServiceContext {
  return { db: database.db, tenant, principal, graphs };
}

/** Writes a whole graph into the tenant's Live as one version; returns the tenant with its new version. */
export async function writeGraph(database: Database, tenant: Tenant, graph: OrgGraph): Promise<Tenant> {
  const write: LiveWrite = {};
  for (const family of FAMILIES) {
    (write as Record<Family, unknown>)[family] = { upsert: [...graph[family].values()] };
  }
  await database.db.transaction((tx) => writeLive(tx, tenant.id, write));
  return (await findTenantById(database.db, tenant.id))!;
}
