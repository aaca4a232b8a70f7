import type { Hono } from 'hono';
import type { Runtime } from '../app.js';
import type { AppEnv } from '../http/env.js';
import type { OAuthOptions } from './registry.js';
import { buildOAuthRoutes } from './routes.js';

/**
 * The tenant-hosted OAuth 2.1 authorization server of the MCP resource (SPEC §4.2; docs/ARCHITECTURE-oauth.md).
 *
 * Mount in app.ts after tenant resolution and before `sameOriginForms()` (browser-based MCP clients post to the
 * token, registration and revocation endpoints from their own origin):
 *
 *     app.use(resolveTenant(runtime.tenants, config));
 *     app.route('/', oauthRoutes(runtime));
 *     app.use(sameOriginForms());
 *
 * The OAuth endpoints run on Node's req/res, so the app must be served by @hono/node-server (`serve`,
 * `startServer`); `app.request()` cannot reach them.
 */
const configured = new WeakMap<Runtime, OAuthOptions>();

/** Options for the runtime's OAuth server (tests: an injected metadata-document fetcher, short lifetimes). */
export function configureOAuth(runtime: Runtime, options: OAuthOptions): void {
  configured.set(runtime, options);
}

export function oauthRoutes(runtime: Runtime): Hono<AppEnv> {
  return buildOAuthRoutes(runtime, configured.get(runtime) ?? {});
}

export { verifyAccessToken, type AccessTokenInfo } from './tokens.js';
export { listConnectedApps, revokeAllAppsOfUser, revokeConnectedApp, type ConnectedApp, type RevokeConnectedAppInput } from './connected-apps.js';
export { removeUnusedClients, sweepExpired } from './maintenance.js';
export {
  authorizationServerMetadata,
  issuerFor,
  protectedResourceMetadata,
  resourceFor,
} from './metadata.js';
export { MCP_SCOPE, ABILITY_SCOPES, SUPPORTED_SCOPES } from './scopes.js';
export type { OAuthOptions } from './registry.js';
