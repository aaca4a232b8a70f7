import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { findMembership } from '../access/users.js';
import type { Db } from '../db/connection.js';
import type { Tenant } from '../tenancy/tenants.js';
import { isUuid } from '../util/ids.js';
import { createAdapterFactory } from './adapter.js';
import type { TenantKeys } from './keys.js';
import { issuerFor, OAUTH_ROUTES, TOKEN_ENDPOINT_AUTH_METHODS } from './metadata.js';
import { providerErrorPage, renderDocument } from './pages.js';
import { checkRedirectUris } from './redirect-policy.js';
import { normaliseClientMetadata } from './client-metadata.js';
import { normalisingFetch, type ClientMetadataFetch } from './safe-fetch.js';
import { SUPPORTED_SCOPES } from './scopes.js';

/** Lifetimes in seconds (SPEC §4.2: 1-hour access tokens, short-lived single-use codes). */
export interface OAuthTtls {
  accessToken: number;
  authorizationCode: number;
  refreshToken: number;
  grant: number;
  interaction: number;
  session: number;
}

export const DEFAULT_TTLS: OAuthTtls = {
  accessToken: 60 * 60,
  authorizationCode: 60,
  refreshToken: 30 * 24 * 60 * 60,
  grant: 365 * 24 * 60 * 60,
  interaction: 30 * 60,
  session: 60 * 60,
};

export interface ProviderDeps {
  db: Db;
  tenant: Tenant;
  /** `<scheme>://<host>` of the tenant host this provider serves. */
  origin: string;
  keys: TenantKeys;
  redirectDomains: readonly string[];
  fetchClientMetadata: ClientMetadataFetch;
  ttls: OAuthTtls;
}

/**
 * Every oidc-provider option we set, each with why. One instance serves one tenant host; its issuer is
 * `<origin>/mcp/orgonaut` while its endpoints live under `/oauth/*` (the provider is mounted at the root and builds
 * endpoint URLs from the request origin, which the bridge pins to the checked host). See docs/ARCHITECTURE-oauth.md.
 */
export function providerConfig(deps: ProviderDeps): Configuration {
  const { db, tenant, ttls } = deps;
  const resource = issuerFor(deps.origin);
  const cimdFetch = normalisingFetch(deps.fetchClientMetadata, (doc) => {
    const result = normaliseClientMetadata(doc, []);
    return result.ok ? result.metadata : null;
  });
  return {
    // Tenant-scoped Postgres storage; never the process-global memory adapter.
    adapter: createAdapterFactory(db, tenant.id),
    // Per-tenant keys from the database, so every instance signs and verifies cookies alike.
    jwks: deps.keys.jwks as Configuration['jwks'],
    cookies: {
      names: { session: 'orgonaut_oauth_session', interaction: 'orgonaut_oauth_interaction', resume: 'orgonaut_oauth_resume' },
      keys: deps.keys.cookieKeys,
      // Lax: the resume redirect back from our own pages is a top-level navigation; HttpOnly: no script needs them.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    // OAuth 2.1: the code flow only; no implicit or hybrid tokens in the front channel.
    responseTypes: ['code'],
    // DCR clients that do not say get refresh tokens (MCP clients expect them) and ES256 (our only key type).
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    // Public clients (`none`) for native and browser apps; secrets for confidential ones. No JWT auth: it would make
    // us fetch client jwks_uri documents.
    clientAuthMethods: [...TOKEN_ENDPOINT_AUTH_METHODS],
    // Token, revocation and registration are not cookie-authenticated: any origin may call them (RFC 9700 §2).
    clientBasedCORS: () => true,
    // A registered redirect_uri is required on every request (SPEC: "registered redirect_uri"), no omission.
    allowOmittingSingleRegisteredRedirectUri: false,
    // No OIDC scopes beyond the mandatory `openid` (never granted: the bridge keeps only MCP scopes in requests);
    // MCP scopes are resource scopes of the resource server below.
    scopes: ['openid'],
    pkce: { required: () => true }, // PKCE for every client; oidc-provider accepts only S256
    routes: {
      authorization: OAUTH_ROUTES.authorization,
      token: OAUTH_ROUTES.token,
      registration: OAUTH_ROUTES.registration,
      revocation: OAUTH_ROUTES.revocation,
      jwks: OAUTH_ROUTES.jwks,
      // Disabled features keep their routes under /oauth so nothing lands elsewhere on the host.
      end_session: '/oauth/end-session',
      userinfo: '/oauth/userinfo',
      introspection: '/oauth/introspect',
      pushed_authorization_request: '/oauth/par',
    },
    features: {
      devInteractions: { enabled: false }, // our own sign-in and consent pages
      dPoP: { enabled: false }, // bearer tokens only: the MCP guard verifies `Authorization: Bearer`
      pushedAuthorizationRequests: { enabled: false }, // not advertised; one way in
      rpInitiatedLogout: { enabled: false }, // no OIDC sessions for clients to end
      userinfo: { enabled: false }, // not an identity provider
      introspection: { enabled: false }, // the resource server shares our database (verifyAccessToken)
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false }, // open DCR (RFC 7591), no management API
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId }, // RFC 7009, own tokens only
      resourceIndicators: {
        enabled: true, // RFC 8707: every token is bound to this host's MCP resource
        defaultResource: async () => resource, // absent `resource` means this host's MCP server
        useGrantedResource: async () => true, // token requests without `resource` get the granted one
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`resource must be ${resource}`);
          return { scope: SUPPORTED_SCOPES.join(' '), audience: resource, accessTokenTTL: ttls.accessToken, accessTokenFormat: 'opaque' };
        },
      },
      clientIdMetadataDocument: {
        enabled: true, // https client_id URLs (CIMD), fetched by our SSRF-safe fetcher
        ack: 'draft-02',
        allowClient: async (_ctx, client) => checkRedirectUris(client.redirectUris ?? [], deps.redirectDomains).ok,
      },
    },
    // Used only for Client ID Metadata Documents: https only, public addresses only, pinned, no redirects, capped;
    // the document is normalised like a dynamic registration.
    fetch: (url, options) => cimdFetch(String(url), options as { signal?: AbortSignal; headers?: HeadersInit }),
    // The user must still be an active member when a code or refresh token is redeemed.
    findAccount: async (_ctx, sub) => {
      if (!isUuid(sub)) return undefined;
      const membership = await findMembership(db, tenant.id, sub);
      if (!membership || membership.status !== 'active') return undefined;
      return { accountId: sub, claims: () => ({ sub }) };
    },
    interactions: {
      policy: orgonautPolicy(), // every authorization goes through our interaction (sign-in, membership, consent)
      url: (_ctx, interaction) => `${OAUTH_ROUTES.interaction}/${interaction.uid}`,
    },
    // Refresh tokens whenever the client may use them, without requiring `offline_access` (MCP clients rarely ask).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Tokens outlive the short provider session our interaction creates.
    expiresWithSession: async () => false,
    // Rotate on every use, no grace: reuse of a rotated token revokes the whole grant (SPEC §4.2).
    rotateRefreshToken: true,
    // The client's name travels with its access tokens (audit and connected apps without another lookup).
    extraTokenClaims: async (ctx) => ({ client_name: ctx.oidc.client?.clientName ?? null }),
    ttl: {
      AccessToken: ttls.accessToken,
      AuthorizationCode: ttls.authorizationCode, // single use, seconds to redeem
      RefreshToken: ttls.refreshToken, // sliding: each rotation starts a new period, capped by the grant
      Grant: ttls.grant, // after this the user consents again
      Interaction: ttls.interaction, // time to sign in and decide
      Session: ttls.session, // the provider's own session only carries one authorization
      IdToken: 60 * 60, // none are issued today (no openid scope is granted); the option must be set
    },
    // Errors found before the client and redirect URI are trusted are shown here and never redirected.
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = await renderDocument(providerErrorPage(out, tenant.name, resource));
    },
  };
}

/**
 * oidc-provider's default policy plus one check in front: until our interaction has answered (ctx.oidc.result),
 * every authorization request goes to it. Our page decides sign-in, membership and consent in one place, so a stale
 * provider session can never skip them.
 */
function orgonautPolicy() {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.add(
    // The description is what a client gets with prompt=none (interaction_required): say what to do instead.
    new interactionPolicy.Check('orgonaut_interaction', 'sign-in and approval happen on Orgonaut’s own page; send the user there without prompt=none', (ctx: KoaContextWithOIDC) =>
      ctx.oidc.result ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
    0,
  );
  return policy;
}

export function createProvider(deps: ProviderDeps): Provider {
  const provider = new Provider(issuerFor(deps.origin), providerConfig(deps));
  // The bridge sets X-Forwarded-Host/Proto from the checked origin, so URLs and Secure cookies follow it.
  provider.proxy = true;
  return provider;
}
