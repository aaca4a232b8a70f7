import { SUPPORTED_SCOPES } from './scopes.js';
import { MCP_PATH, mcpResourceUrl } from '../mcp/urls.js';

/**
 * URLs and discovery documents of a tenant host's authorization server (SPEC §4.2). Everything is built from the
 * request's origin (already checked against the tenant's hosts), so each host is its own issuer. Pure.
 */

/** The routes of the authorization server on every tenant host; provider.ts configures oidc-provider with these. */
export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  jwks: '/oauth/jwks',
  interaction: '/oauth/interaction',
} as const;

/** Issuer = the MCP resource URL: metadata lives at the path-suffixed well-known URL (RFC 8414 §3). */
export function issuerFor(origin: string): string {
  return mcpResourceUrl(origin);
}

/** The MCP resource (RFC 8707 `resource`, RFC 9728 `resource`) of a host. */
export function resourceFor(origin: string): string {
  return mcpResourceUrl(origin);
}

/** Where clients look for the authorization server metadata (MCP 2025-11-25+ order first, then older habits). */
export const AUTHORIZATION_SERVER_METADATA_PATHS = [
  `/.well-known/oauth-authorization-server${MCP_PATH}`,
  `/.well-known/openid-configuration${MCP_PATH}`,
  `${MCP_PATH}/.well-known/openid-configuration`,
  `${MCP_PATH}/.well-known/oauth-authorization-server`,
  '/.well-known/oauth-authorization-server',
] as const;

/** Where clients look for the protected resource metadata: path-inserted (RFC 9728 §3.1), then the root. */
export const PROTECTED_RESOURCE_METADATA_PATHS = [
  `/.well-known/oauth-protected-resource${MCP_PATH}`,
  `${MCP_PATH}/.well-known/oauth-protected-resource`,
  '/.well-known/oauth-protected-resource',
] as const;

export const TOKEN_ENDPOINT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

/** RFC 8414 metadata. `issuer` is byte-identical to the one the provider puts in `iss`. */
export function authorizationServerMetadata(origin: string): Record<string, unknown> {
  return {
    issuer: issuerFor(origin),
    authorization_endpoint: `${origin}${OAUTH_ROUTES.authorization}`,
    token_endpoint: `${origin}${OAUTH_ROUTES.token}`,
    registration_endpoint: `${origin}${OAUTH_ROUTES.registration}`,
    revocation_endpoint: `${origin}${OAUTH_ROUTES.revocation}`,
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
  };
}

/** RFC 9728 metadata of the MCP resource. */
export function protectedResourceMetadata(origin: string, tenantName: string): Record<string, unknown> {
  return {
    resource: resourceFor(origin),
    authorization_servers: [issuerFor(origin)],
    scopes_supported: SUPPORTED_SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: `Orgonaut MCP server of ${tenantName}`,
  };
}
