import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { Tenant } from '../tenancy/tenants.js';
import { auditOAuth } from './audit.js';
import { touchUse } from './consents.js';

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
