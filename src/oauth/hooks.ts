import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { Tenant } from '../tenancy/tenants.js';
import { auditOAuth } from './audit.js';
import { touchUse } from './consents.js';
import { HSTS } from '../http/response-headers.js';

/** Headers on everything the provider itself answers (its error pages and redirects): no framing, no caching of secrets. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const REPLAY = /^(refresh token already used|authorization code already consumed)$/;

/**
 * Koa middleware around the provider's routes: security headers before; after a token response, when the app was
 * last used; after a refused replay of a code or a rotated refresh token (the provider has revoked the grant), or a
 * revocation by the app itself, an audit entry.
 */
export function attachHooks(provider: Provider, db: Db, tenant: Tenant, logger: Logger): void {
  // The token endpoint's errors carry their reason in `error_detail`, which never reaches the client; keep it for
  // the middleware below (the event fires inside the route, before the middleware resumes).
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error_detail?: string }) => {
    ctx.state.oauthErrorDetail = error.error_detail;
  });
  provider.use(async function orgonautOAuthHooks(ctx, next) {
    ctx.set(SECURITY_HEADERS);
    // Over https (the bridge pins the scheme to the checked origin) as on every other answer of the host (app.ts).
    if (ctx.secure) ctx.set('strict-transport-security', HSTS);
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route === 'revocation') {
      // The app ended its own access (RFC 7009, e.g. "disconnect" in the client): the grant is gone, say so.
      const token = oidc.entities.RefreshToken ?? oidc.entities.AccessToken;
      const client = oidc.client;
      if (ctx.status !== 200 || !token || !client || token.clientId !== client.clientId) return;
      try {
        await auditOAuth(db, tenant.id, {
          entityType: 'oauth_app',
          action: 'revoked_by_app',
          userId: token.accountId ?? null,
          clientId: client.clientId,
          clientName: client.clientName ?? null,
          metadata: { token_kind: token.kind, grant_id: token.grantId ?? null },
        });
      } catch (error) {
        logger.error({ err: error }, 'oauth revocation hook failed');
      }
      return;
    }
    if (oidc?.route !== 'token') return;
    // oidc-provider says only "grant request is invalid"; a developer debugging a client needs the reason (codes
    // and refresh tokens are 256-bit random, so naming why one failed helps nobody guess another).
    const explained = ctx.status === 400 ? explainGrantError(String(ctx.state.oauthErrorDetail ?? '')) : null;
    const body = ctx.body as { error?: string } | undefined;
    if (explained && body?.error === 'invalid_grant') ctx.body = { ...body, error_description: explained };
    try {
      if (ctx.status === 200) {
        const grant = oidc.entities.Grant;
        const clientId = oidc.client?.clientId;
        if (clientId) await touchUse(db, tenant.id, grant?.accountId, clientId);
        return;
      }
      const detail = String(ctx.state.oauthErrorDetail ?? '');
      if (REPLAY.test(detail)) {
        // A replayed code fails before the provider names it as the request's entity; it is still stored (adapter.ts).
        const replayedCode = typeof oidc.params?.code === 'string' ? await provider.AuthorizationCode.find(oidc.params.code, { ignoreExpiration: true }) : undefined;
        const source = oidc.entities.RefreshToken ?? oidc.entities.AuthorizationCode ?? replayedCode;
        await auditOAuth(db, tenant.id, {
          entityType: 'oauth_token',
          action: detail.startsWith('refresh') ? 'refresh_token_reused' : 'authorization_code_replayed',
          userId: source?.accountId ?? null,
          clientId: oidc.client?.clientId ?? null,
          clientName: oidc.client?.clientName ?? null,
          metadata: { grant_revoked: true, grant_id: source?.grantId ?? null },
        });
      }
    } catch (error) {
      logger.error({ err: error }, 'oauth token hook failed');
    }
  });
}

/** A refused code or refresh token in words, with what to do; null for reasons not worth more than the default. */
export function explainGrantError(detail: string): string | null {
  const reasons: [RegExp, string][] = [
    [/^authorization code not found$/, 'the authorization code is unknown here or was revoked; start the authorization again'],
    [/^authorization code is expired$/, 'the authorization code expired (codes are valid for a minute); start the authorization again'],
    [/^authorization code already consumed$/, 'the authorization code was already used; the tokens issued with it have been revoked'],
    [/^authorization code redirect_uri mismatch$/, 'redirect_uri differs from the one sent in the authorization request'],
    [/code_verifier/, 'code_verifier does not match the code_challenge of the authorization request (PKCE)'],
    [/^client mismatch$/, 'the code or refresh token was issued to another client'],
    [/^refresh token not found$/, 'the refresh token is unknown here or was revoked; the user must connect again'],
    [/^refresh token is expired$/, 'the refresh token expired; the user must connect again'],
    [/^refresh token already used$/, 'the refresh token was already used (they rotate on every use), so the whole grant has been revoked; the user must connect again'],
    [/^grant (not found|is expired)$/, 'the authorization behind this code or token was revoked or expired; the user must connect again'],
    [/referenced account not found/, 'the user is no longer a member of this organisation'],
  ];
  return reasons.find(([pattern]) => pattern.test(detail))?.[1] ?? null;
}
