import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import type { Runtime } from '../app.js';
import type { AppEnv } from '../http/env.js';
import { clientIp, consumeRateLimit, rateLimitHeaders, type RateLimit } from '../http/rate-limit.js';
import type { Tenant } from '../tenancy/tenants.js';
import { forwardToProvider, nodeBindings, readNodeBody } from './bridge.js';
import { normaliseClientMetadata } from './client-metadata.js';
import { oauthTenant, requireOAuthTenant } from './gate.js';
import { interactionRoutes } from './interactions.js';
import {
  AUTHORIZATION_SERVER_METADATA_PATHS,
  authorizationServerMetadata,
  OAUTH_ROUTES,
  PROTECTED_RESOURCE_METADATA_PATHS,
  protectedResourceMetadata,
} from './metadata.js';
import { OAuthErrorPage } from './pages.js';
import { ProviderRegistry, type OAuthOptions } from './registry.js';
import { refreshScope, scopesToGrant } from './scopes.js';
import { metrics } from '../observability/metrics.js';

/**
 * Per client address and tenant. Hosted clients (Claude, ChatGPT) share egress addresses, hence generous limits.
 * `authorize` is a person's browser (each request stores a pending interaction, so unlimited requests would fill the
 * store): far more than anyone connecting apps needs. `revoke` checks a confidential client's secret, as `token` does.
 */
export const OAUTH_RATE_LIMITS: Record<'register' | 'token' | 'authorize' | 'revoke', RateLimit> = {
  register: { limit: 60, windowSeconds: 60 },
  token: { limit: 600, windowSeconds: 60 },
  authorize: { limit: 120, windowSeconds: 60 },
  revoke: { limit: 600, windowSeconds: 60 },
};

const LIMITED_WHAT = { register: 'registrations', token: 'token requests', revoke: 'revocation requests' } as const;

const REGISTRATION_BODY_LIMIT = 56 * 1024;
/** oidc-provider's own limit for form bodies. */
const TOKEN_BODY_LIMIT = 56 * 1024;

/**
 * Every route of the authorization server: the discovery documents at the URLs clients probe, the interaction pages,
 * and `/oauth/*` handed to the tenant host's oidc-provider.
 */
export function buildOAuthRoutes(runtime: Runtime, options: OAuthOptions = {}): Hono<AppEnv> {
  const { config, database, logger } = runtime;
  const registry = new ProviderRegistry(database.db, config.mcpRedirectDomains, logger, options);
  const app = new Hono<AppEnv>();

  const metadataHeaders = { 'cache-control': 'public, max-age=60', 'access-control-allow-origin': '*' };
  for (const path of AUTHORIZATION_SERVER_METADATA_PATHS) {
    app.get(path, (c) => {
      oauthTenant(c);
      return c.json(authorizationServerMetadata(c.var.origin), 200, metadataHeaders);
    });
  }
  for (const path of PROTECTED_RESOURCE_METADATA_PATHS) {
    app.get(path, (c) => c.json(protectedResourceMetadata(c.var.origin, oauthTenant(c).name), 200, metadataHeaders));
  }
  for (const path of [...AUTHORIZATION_SERVER_METADATA_PATHS, ...PROTECTED_RESOURCE_METADATA_PATHS]) {
    app.options(path, (c) => {
      oauthTenant(c);
      return c.body(null, 204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-max-age': '86400' });
    });
  }

  app.use('/oauth/*', requireOAuthTenant);
  app.route('/', interactionRoutes(registry));

  // RFC 7591 registration: rate-limited, redirect policy and client metadata normalised before the provider.
  app.post(OAUTH_ROUTES.registration, async (c) => {
    const tenant = oauthTenant(c);
    const limited = await rateLimited(c, tenant, 'register');
    if (limited) return limited;
    const raw = await readNodeBody(nodeBindings(c).incoming as IncomingMessage, REGISTRATION_BODY_LIMIT);
    const refuse = (status: 400 | 413, description: string) =>
      c.json({ error: 'invalid_client_metadata', error_description: description }, status, { 'cache-control': 'no-store' });
    if (raw === null) return refuse(413, `client metadata must be at most ${REGISTRATION_BODY_LIMIT / 1024} KB`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse(400, 'the request body is not valid JSON');
    }
    const result = normaliseClientMetadata(parsed, config.mcpRedirectDomains);
    if (!result.ok) return c.json({ error: result.error, error_description: result.description }, 400, { 'cache-control': 'no-store' });
    const body = Buffer.from(JSON.stringify(result.metadata));
    return forwardToProvider(c, await registry.get(tenant, c.var.origin), { body });
  });

  app.post(OAUTH_ROUTES.token, async (c) => {
    const tenant = oauthTenant(c);
    const limited = await rateLimited(c, tenant, 'token');
    if (limited) return limited;
    // A refresh request's scope may keep or narrow what was approved, never widen it (scopes.ts, refreshScope).
    const raw = await readNodeBody(nodeBindings(c).incoming as IncomingMessage, TOKEN_BODY_LIMIT);
    if (raw === null) {
      return c.json({ error: 'invalid_request', error_description: `the request body must be at most ${TOKEN_BODY_LIMIT / 1024} KB` }, 413, { 'cache-control': 'no-store' });
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    if (form.get('grant_type') === 'refresh_token' && form.has('scope')) {
      const scope = refreshScope(form.get('scope') ?? '');
      if (scope === null) form.delete('scope');
      else form.set('scope', scope);
      return forwardToProvider(c, await registry.get(tenant, c.var.origin), { body: Buffer.from(form.toString()) });
    }
    return forwardToProvider(c, await registry.get(tenant, c.var.origin), { body: raw });
  });

  // The authorization request: only MCP scopes reach the provider, `mcp:use` always among them (scopes.ts).
  app.get(OAUTH_ROUTES.authorization, async (c) => {
    const tenant = oauthTenant(c);
    const limited = await rateLimited(c, tenant, 'authorize');
    if (limited) return limited;
    const url = new URL(c.req.url);
    url.searchParams.set('scope', scopesToGrant(url.searchParams.get('scope')).join(' '));
    return forwardToProvider(c, await registry.get(tenant, c.var.origin), { url: `${url.pathname}${url.search}` });
  });

  // The authorization endpoint takes GET only (RFC 6749 §3.1: POST is optional; no MCP client sends one): a POST
  // handed to the provider would skip the limit and the scope rule above. Shown as a page, never redirected.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], OAUTH_ROUTES.authorization, (c) => {
    const tenant = oauthTenant(c);
    return c.html(
      OAuthErrorPage({
        title: 'This connection request cannot continue',
        message: `The app sent its request to ${tenant.name} in a form Orgonaut does not accept (${c.req.method}; only links, GET, are).`,
        fix: 'Start connecting again from the app. If it keeps failing, tell the app’s publisher: authorization requests must be GET requests.',
        tenantName: tenant.name,
      }),
      405,
      { allow: 'GET', 'cache-control': 'no-store' },
    );
  });

  app.post(OAUTH_ROUTES.revocation, async (c) => {
    const tenant = oauthTenant(c);
    const limited = await rateLimited(c, tenant, 'revoke');
    if (limited) return limited;
    return forwardToProvider(c, await registry.get(tenant, c.var.origin));
  });

  app.all('/oauth/*', async (c) => forwardToProvider(c, await registry.get(oauthTenant(c), c.var.origin)));
  return app;
}

async function rateLimited(c: Context<AppEnv>, tenant: Tenant, what: keyof typeof OAUTH_RATE_LIMITS): Promise<Response | null> {
  const rule = OAUTH_RATE_LIMITS[what];
  const result = await consumeRateLimit(c.var.runtime.database.db, `oauth-${what}:${tenant.id}:${clientIp(c)}`, rule);
  if (result.allowed) return null;
  metrics.rateLimited.inc({ surface: `oauth_${what}` });
  if (what === 'authorize') {
    // A browser page, shown and never redirected (the client and its redirect URI are not checked yet).
    return c.html(
      OAuthErrorPage({
        title: 'Too many connection requests',
        message: `This network started more connections to ${tenant.name} than Orgonaut accepts in a minute.`,
        fix: `Wait ${result.retryAfter} seconds, then start connecting again from the app.`,
        tenantName: tenant.name,
      }),
      429,
      { ...rateLimitHeaders(result), 'cache-control': 'no-store' },
    );
  }
  return c.json(
    { error: 'slow_down', error_description: `Too many ${LIMITED_WHAT[what]}; retry in ${result.retryAfter} seconds.` },
    429,
    { ...rateLimitHeaders(result), 'cache-control': 'no-store' },
  );
}
