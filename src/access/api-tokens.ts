import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { apiTokens, users } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import { toAbility, type Ability } from './abilities.js';
import { forgetCredentialsEverywhere } from './authenticator.js';
import { authorize, can, type Principal } from './policy.js';
import { planWithholds, type Plan } from '../tenancy/plans.js';

/**
 * Personal API tokens (SPEC §4.1). The secret is `orgo_pat_` + 43 random base64url characters — a prefix secret
 * scanners can recognise — shown once at creation; only its SHA-256 is stored. A token belongs to one user's
 * membership in one tenant and carries exactly the abilities chosen at creation (a subset of the creator's role).
 */
export const TOKEN_PREFIX = 'orgo_pat_';
const NAME_MAX = 100;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeApiToken(secret: string): boolean {
  return /^orgo_pat_[A-Za-z0-9_-]{43}$/.test(secret);
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  abilities: string[];
  user_id: string;
  user_email?: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

type TokenRow = typeof apiTokens.$inferSelect;

function present(row: TokenRow, email?: string): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    abilities: [...row.abilities].sort(),
    user_id: row.userId,
    ...(email ? { user_email: email } : {}),
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export interface CreateTokenInput {
  name: string;
  abilities: string[];
  expiresAt?: Date | null;
}

/**
 * Checks a token request against what the creator may hand on: every ability known and within `ceiling` — the
 * role's abilities, or, when the request itself comes with a token, that token's (narrowing never widens).
 */
export function checkTokenAbilities(requested: readonly string[], ceiling: ReadonlySet<Ability>, ceilingOf: 'role' | 'token' = 'role', plan?: Plan): Ability[] {
  if (!requested.length) throw new InvalidInput('abilities', 'choose at least one ability');
  const chosen = new Set<Ability>();
  const withheld = plan ? planWithholds(plan) : new Set<Ability>();
  for (const name of requested) {
    const ability = toAbility(name);
    if (!ability) throw new InvalidInput('abilities', `"${name}" is not an ability`);
    // The plan, not the role, is why (mcp.access on team): say so, or people look for a role that would help.
    if (!ceiling.has(ability) && withheld.has(ability)) {
      throw new InvalidInput('abilities', `the ${plan} plan does not include "${ability}", so a token cannot have it (MCP and HRIS sync come with Business, Enterprise and Agency)`);
    }
    if (!ceiling.has(ability)) {
      throw new InvalidInput(
        'abilities',
        ceilingOf === 'role'
          ? `your role does not include "${ability}", so a token cannot have it`
          : `the token you are using does not include "${ability}", so a token it creates cannot have it`,
      );
    }
    chosen.add(ability);
  }
  return [...chosen].sort();
}

/**
 * Creates a token for the principal's own membership. Returns the secret once. A token created with a token gets
 * no ability and no lifetime beyond that token's.
 */
export async function createApiToken(ctx: ServiceContext, input: CreateTokenInput) {
  authorize(ctx.principal, 'api-tokens.create');
  const userId = ctx.principal.userId;
  if (!userId) throw new InvalidInput('user', 'tokens belong to a user');
  const viaToken = ctx.principal.kind !== 'session';
  const limit = viaToken ? ctx.principal.tokenExpiresAt : undefined;
  if (limit && (!input.expiresAt || input.expiresAt.getTime() > limit.getTime())) {
    throw new InvalidInput('expires_at', `the token you are using expires at ${limit.toISOString()}; a token it creates must expire by then`);
  }
  return issueApiToken(ctx.db, {
    tenantId: ctx.tenant.id,
    plan: ctx.tenant.plan,
    userId,
    roleAbilities: viaToken ? ctx.principal.abilities : ctx.principal.roleAbilities,
    ceilingOf: viaToken ? 'token' : 'role',
    ...input,
  });
}

/** The shared path of the REST/web creation and the admin `tokens create` command. */
export async function issueApiToken(
  db: Db,
  input: CreateTokenInput & { tenantId: string; plan?: Plan; userId: string; roleAbilities: ReadonlySet<Ability>; ceilingOf?: 'role' | 'token'; via?: string },
) {
  const name = input.name.trim();
  if (!name || name.length > NAME_MAX) throw new InvalidInput('name', `give the token a name of 1–${NAME_MAX} characters`);
  const abilities = checkTokenAbilities(input.abilities, input.roleAbilities, input.ceilingOf, input.plan);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new InvalidInput('expires_at', 'must be in the future');
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(apiTokens)
    .values({
      tenantId: input.tenantId,
      userId: input.userId,
      name,
      prefix: secret.slice(0, TOKEN_PREFIX.length + 4),
      secretHash: hashSecret(secret),
      abilities,
      via: input.via ?? null,
      expiresAt: input.expiresAt ?? null,
    })
    .returning();
  await recordAudit(db, {
    tenantId: input.tenantId,
    category: 'security',
    entityType: 'api_token',
    entityId: row!.id,
    action: 'created',
    userId: input.userId,
    after: { name, abilities, expires_at: row!.expiresAt?.toISOString() ?? null },
    metadata: input.via ? { via: input.via } : {},
  });
  return { token: present(row!), secret };
}

/** The principal's own tokens; with `members.manage` and `all`, every token of the tenant. */
export async function listApiTokens(ctx: ServiceContext, options: { all?: boolean } = {}): Promise<ApiTokenView[]> {
  const all = options.all === true;
  if (all) authorize(ctx.principal, 'members.manage');
  const where = all
    ? eq(apiTokens.tenantId, ctx.tenant.id)
    : and(eq(apiTokens.tenantId, ctx.tenant.id), eq(apiTokens.userId, ctx.principal.userId ?? ''));
  const rows = await ctx.db
    .select({ token: apiTokens, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(where)
    .orderBy(desc(apiTokens.createdAt), apiTokens.id);
  return rows.map((r) => present(r.token, all ? r.email : undefined));
}

/**
 * Revokes one of the principal's tokens, or — with `members.manage` — any token of the tenant. Effective at once in
 * this process whichever surface revoked it (REST, web, admin channel): the cached lookups are dropped here. A
 * personal token may always revoke itself; another token only with `api-tokens.create` (managing credentials), so
 * a narrowed token that leaks cannot end its owner's other tokens.
 */
export async function revokeApiToken(ctx: ServiceContext, id: string): Promise<ApiTokenView> {
  if (!isUuid(id)) throw new NotFound('API token', id);
  if (ctx.principal.kind === 'api_token' && id !== ctx.principal.tokenId) authorize(ctx.principal, 'api-tokens.create');
  const [row] = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tenantId, ctx.tenant.id), eq(apiTokens.id, id)));
  if (!row || (row.userId !== ctx.principal.userId && !can(ctx.principal, 'members.manage'))) {
    throw new NotFound('API token', id);
  }
  const [revoked] = await ctx.db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(and(eq(apiTokens.tenantId, ctx.tenant.id), eq(apiTokens.id, id)))
    .returning();
  forgetCredentialsEverywhere();
  if (!row.revokedAt) {
    await recordAudit(ctx.db, {
      tenantId: ctx.tenant.id,
      category: 'security',
      entityType: 'api_token',
      entityId: id,
      action: 'revoked',
      principal: ctx.principal,
      metadata: { name: row.name, owner_user_id: row.userId },
    });
  }
  return present(revoked!);
}

/**
 * Revokes the live tokens of a user on a tenant, each audited with `reason`: all of them (their membership was
 * archived, their password reset), or those named `name` and made `via` except `keep` (a CLI sign-in replacing the
 * earlier token it made on the same computer, not one a person made on the web with that name). Returns the names
 * of the tokens revoked.
 */
export async function revokeTokensOfUser(
  db: Db,
  scope: { tenantId: string; userId: string; name?: string; via?: string; keep?: string },
  audit: { reason: 'member_archived' | 'replaced_by_cli_sign_in' | 'password_reset'; principal?: Principal },
): Promise<string[]> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(apiTokens.tenantId, scope.tenantId),
        eq(apiTokens.userId, scope.userId),
        isNull(apiTokens.revokedAt),
        scope.name === undefined ? undefined : eq(apiTokens.name, scope.name),
        scope.via === undefined ? undefined : eq(apiTokens.via, scope.via),
        scope.keep === undefined ? undefined : ne(apiTokens.id, scope.keep),
      ),
    )
    .returning({ id: apiTokens.id, name: apiTokens.name });
  if (revoked.length) forgetCredentialsEverywhere();
  for (const token of revoked) {
    await recordAudit(db, {
      tenantId: scope.tenantId,
      category: 'security',
      entityType: 'api_token',
      entityId: token.id,
      action: 'revoked',
      ...(audit.principal ? { principal: audit.principal } : { userId: scope.userId }),
      metadata: { name: token.name, owner_user_id: scope.userId, reason: audit.reason },
    });
  }
  return revoked.map((token) => token.name);
}

/** The stored token for a presented secret (any tenant; the caller checks tenant, revocation and expiry). */
export async function findTokenBySecret(db: Db, secret: string): Promise<TokenRow | null> {
  if (!looksLikeApiToken(secret)) return null;
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.secretHash, hashSecret(secret))).limit(1);
  return row ?? null;
}

/** Records use; the first use (an atomic null → now update, so once across instances) is audited. */
export async function touchToken(db: Db, row: TokenRow): Promise<void> {
  const mine = and(eq(apiTokens.tenantId, row.tenantId), eq(apiTokens.id, row.id));
  if (!row.lastUsedAt) {
    const first = await db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(and(mine, isNull(apiTokens.lastUsedAt)))
      .returning({ id: apiTokens.id });
    if (first.length) {
      await recordAudit(db, {
        tenantId: row.tenantId,
        category: 'security',
        entityType: 'api_token',
        entityId: row.id,
        action: 'used_first',
        userId: row.userId,
        metadata: { name: row.name },
      });
    }
    return;
  }
  if (Date.now() - row.lastUsedAt.getTime() >= 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(mine);
  }
}
