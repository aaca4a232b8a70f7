/**
 * Where a tenant host serves its MCP server, and the URLs built from it: the MCP resource (RFC 8707 / RFC 9728
 * `resource`, also the OAuth issuer) and its protected-resource metadata. The one place the path is written.
 */
export const MCP_PATH = '/mcp/orgonaut';

/** The MCP resource of a host (`<origin>/mcp/orgonaut`). */
export function mcpResourceUrl(origin: string): string {
  return `${origin}${MCP_PATH}`;
}

/** RFC 9728 metadata of a host's MCP resource (the path-suffixed well-known URL). */
export function protectedResourceMetadataUrl(origin: string): string {
  return `${origin}/.well-known/oauth-protected-resource${MCP_PATH}`;
}

/**
 * A tenant's own host as seen from another host of this server (the central host): `<slug>.<base domain>`, with the
 * scheme and port of `origin` (the request's, so a proxy's public scheme and a local port carry over).
 */
export function tenantHostOrigin(origin: string, slug: string, baseDomain: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${slug}.${baseDomain}${url.port ? `:${url.port}` : ''}`;
}
