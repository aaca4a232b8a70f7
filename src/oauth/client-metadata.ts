import { checkRedirectUris, effectiveApplicationType } from './redirect-policy.js';

/**
 * Client metadata as MCP clients send it, made acceptable to oidc-provider without loosening anything (pure):
 * - redirect URIs must pass the redirect policy (else RFC 7591 `invalid_redirect_uri`);
 * - a client with an app-scheme redirect (`cursor://…`) is native whatever `application_type` it declared;
 * - `scope` is dropped: clients copy `openid`, `offline_access` or other servers' scopes into it (oidc-provider would
 *   refuse the registration), and as a per-client allow-list it would only block later step-ups. What a token may
 *   do is decided per authorization, by the user's consent and role;
 * - `client_name` is made displayable (displayableClientName).
 * Used for dynamic registrations and for Client ID Metadata Documents alike.
 */
export type NormalisedMetadata =
  | { ok: true; metadata: Record<string, unknown> }
  | { ok: false; error: 'invalid_redirect_uri' | 'invalid_client_metadata'; description: string };

export function normaliseClientMetadata(input: unknown, redirectDomains: readonly string[]): NormalisedMetadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'invalid_client_metadata', description: 'client metadata must be a JSON object' };
  }
  const metadata: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  if (typeof metadata.client_name === 'string') {
    const name = displayableClientName(metadata.client_name);
    if (name) metadata.client_name = name;
    else delete metadata.client_name;
  }
  const uris = metadata.redirect_uris;
  if (!Array.isArray(uris)) {
    return { ok: false, error: 'invalid_redirect_uri', description: 'redirect_uris must be an array of URIs' };
  }
  const verdict = checkRedirectUris(uris, redirectDomains);
  if (!verdict.ok) return { ok: false, error: 'invalid_redirect_uri', description: verdict.reason };
  metadata.application_type = effectiveApplicationType(uris as string[], metadata.application_type);
  delete metadata.scope;
  return { ok: true, metadata };
}

export const CLIENT_NAME_MAX = 100;

/**
 * The name people read on the consent screen and in connected apps, made safe to show rather than refused (a
 * registration must not fail over a label): control and bidirectional-formatting characters removed — they could
 * make one app's name read as another's — whitespace collapsed, and at most CLIENT_NAME_MAX characters.
 */
export function displayableClientName(raw: string): string {
  const name = raw
    .replace(/[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...name];
  return chars.length > CLIENT_NAME_MAX ? `${chars.slice(0, CLIENT_NAME_MAX - 1).join('').trimEnd()}…` : name;
}
