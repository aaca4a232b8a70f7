import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { cliAuthCodes } from '../db/schema/index.js';
import type { Tenant } from '../tenancy/tenants.js';
import { issueApiToken, revokeTokensOfUser } from './api-tokens.js';
import { roleAbilitiesOf } from './membership-abilities.js';

/**
 * First-party CLI sign-in (SPEC §4.3): authorization code + PKCE (S256) for the public client `orgonaut-cli`,
 * redirecting only to a loopback address, exchanged once for a tenant-scoped personal API token carrying the
 * member's role abilities. Pure checks here; pages in web/cli-sign-in.tsx.
 */
export const CLI_CLIENT_ID = 'orgonaut-cli';
const CODE_TTL_MS = 2 * 60 * 1000;
/** How the tokens a CLI sign-in makes are marked (api_tokens.via), so a sign-in replaces only its own. */
const CLI_SIGN_IN = 'cli-sign-in';

export class CliSignInError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'access_denied',
    message: string,
  ) {
    super(message);
  }
}

export interface CliAuthorizeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string;
  tokenName: string;
}

/** Validates an authorize request before anything is shown; errors are shown on a page, never redirected. */
export function parseCliAuthorize(query: Record<string, string | undefined>): CliAuthorizeRequest {
  if (query.client_id !== CLI_CLIENT_ID) throw new CliSignInError('invalid_client', `client_id must be ${CLI_CLIENT_ID}.`);
  if (query.response_type !== 'code') throw new CliSignInError('invalid_request', 'response_type must be code.');
  const redirectUri = query.redirect_uri ?? '';
  if (!isLoopbackRedirect(redirectUri)) {
    throw new CliSignInError('invalid_request', 'redirect_uri must be an http://127.0.0.1, http://localhost or http://[::1] address.');
  }
  if (query.code_challenge_method !== 'S256') throw new CliSignInError('invalid_request', 'PKCE with code_challenge_method=S256 is required.');
  if (!/^[A-Za-z0-9_-]{43,128}$/.test(query.code_challenge ?? '')) throw new CliSignInError('invalid_request', 'code_challenge is missing or malformed.');
  const tokenName = (query.token_name ?? 'Orgonaut CLI').trim().slice(0, 100) || 'Orgonaut CLI';
  return { clientId: CLI_CLIENT_ID, redirectUri, codeChallenge: query.code_challenge!, state: query.state ?? '', tokenName };
}

export function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** Stores a single-use code (only its hash) for the signed-in member; returns the code. */
export async function issueCliCode(db: Db, tenant: Tenant, userId: string, request: CliAuthorizeRequest): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await db.insert(cliAuthCodes).values({
    codeHash: sha256(code),
    tenantId: tenant.id,
    userId,
    codeChallenge: request.codeChallenge,
    redirectUri: request.redirectUri,
    tokenName: request.tokenName,
    expiresAt: new Date(Date.now() + CODE_TTL_MS),
  });
  return code;
}

/** Exchanges a code for a personal API token: once only, before it expires, with the right verifier and redirect. */
export async function exchangeCliCode(
  db: Db,
  tenant: Tenant,
  params: { grantType?: string; clientId?: string; code?: string; codeVerifier?: string; redirectUri?: string },
  /** How long the token lasts (ORGONAUT_CLI_TOKEN_DAYS): a CLI credential left on a computer does not live for ever. */
  lifetimeDays: number,
) {
  if (params.grantType !== 'authorization_code') throw new CliSignInError('unsupported_grant_type', 'grant_type must be authorization_code.');
  if (params.clientId !== CLI_CLIENT_ID) throw new CliSignInError('invalid_client', `client_id must be ${CLI_CLIENT_ID}.`);
  if (!params.code || !params.codeVerifier) throw new CliSignInError('invalid_request', 'code and code_verifier are required.');
  const [used] = await db
    .update(cliAuthCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(cliAuthCodes.codeHash, sha256(params.code)), eq(cliAuthCodes.tenantId, tenant.id), isNull(cliAuthCodes.usedAt), gt(cliAuthCodes.expiresAt, sql`now()`)))
    .returning();
  if (!used) throw new CliSignInError('invalid_grant', 'The code is invalid, expired or already used.');
  if (used.redirectUri !== params.redirectUri) throw new CliSignInError('invalid_grant', 'redirect_uri does not match the authorization request.');
  if (base64url(createHash('sha256').update(params.codeVerifier).digest()) !== used.codeChallenge) {
    throw new CliSignInError('invalid_grant', 'code_verifier does not match the code_challenge.');
  }
  const roleAbilities = await roleAbilitiesOf(db, tenant, used.userId);
  if (!roleAbilities) throw new CliSignInError('invalid_grant', 'You are no longer a member of this tenant.');
  const { token, secret } = await issueApiToken(db, {
    tenantId: tenant.id,
    userId: used.userId,
    roleAbilities,
    name: used.tokenName,
    abilities: [...roleAbilities],
    expiresAt: cliTokenExpiry(lifetimeDays),
    via: CLI_SIGN_IN,
  });
  // Signing in again from the same computer (the token's name says which) replaces its earlier token, which the
  // CLI has just overwritten: it would otherwise live on until it expires, with every ability of the role. Only a
  // token a CLI sign-in made: one a person made on the web with the same name is theirs to keep.
  await revokeTokensOfUser(db, { tenantId: tenant.id, userId: used.userId, name: used.tokenName, via: CLI_SIGN_IN, keep: token.id }, { reason: 'replaced_by_cli_sign_in' });
  return {
    access_token: secret,
    token_type: 'Bearer',
    tenant: tenant.slug,
    token_id: token.id,
    abilities: token.abilities,
    expires_at: token.expires_at,
    expires_in: Math.round(lifetimeDays * 86_400),
  };
}

/** When a token made by a CLI sign-in now would expire. */
export function cliTokenExpiry(lifetimeDays: number, now = Date.now()): Date {
  return new Date(now + lifetimeDays * 86_400_000);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function base64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}
