/**
 * Which redirect URIs a client may register (SPEC §4.2). Pure: no I/O, applied to dynamic registrations (RFC 7591)
 * and to Client ID Metadata Documents alike. Matching at authorization time is exact (oidc-provider), with the
 * RFC 8252 §7.3 port exception for loopback redirects of native clients.
 *
 * Without MCP_REDIRECT_DOMAINS: any https URI, loopback http (`127.0.0.1`, `localhost`, `[::1]`, any port) and
 * private-use schemes of native apps (RFC 8252 §7.1, `cursor://…`). With it: only https URIs on those domains and
 * their subdomains; loopback only when `localhost`, `127.0.0.1` or `::1` is listed; a private-use scheme only when
 * listed as `scheme:` (e.g. `cursor:`).
 */

export type RedirectKind = 'https' | 'loopback' | 'private-use';

export type RedirectVerdict = { ok: true; kind: RedirectKind } | { ok: false; reason: string };

/** Redirect URIs of the clients people use today; each passes the default policy (see the tests). */
export const KNOWN_CLIENT_REDIRECTS = {
  chatgpt: ['https://chatgpt.com/connector_platform_oauth_redirect', 'https://chatgpt.com/connector/oauth/{callback_id}'],
  claude: ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback'],
  claudeCode: ['http://localhost:{port}/callback'],
  inspector: ['http://localhost:6274/oauth/callback'],
  vscode: ['http://127.0.0.1:33418/', 'http://localhost:33418/callback'],
  cursor: ['cursor://anysphere.cursor-mcp/oauth/callback'],
} as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Schemes that are never redirect targets: scripts, local files, documents, other protocols. */
const FORBIDDEN_SCHEMES = new Set([
  'javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'filesystem', 'view-source', 'ftp', 'ws', 'wss',
  'mailto', 'tel', 'sms', 'chrome', 'chrome-extension', 'resource', 'jar',
]);

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export function normaliseDomains(domains: readonly string[]): string[] {
  return domains
    .map((d) => d.trim().toLowerCase().replace(/^\*?\./, '').replace(/\.$/, ''))
    .filter(Boolean);
}

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

function onDomain(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => !d.endsWith(':') && (host === d || host.endsWith(`.${d}`)));
}

/** Is `uri` acceptable as a registered redirect URI under the allow-list (`[]` = no MCP_REDIRECT_DOMAINS)? */
export function checkRedirectUri(uri: string, allowedDomains: readonly string[] = []): RedirectVerdict {
  const domains = normaliseDomains(allowedDomains);
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  const url = parse(uri);
  if (!scheme || !url) return { ok: false, reason: 'is not an absolute URI' };
  if (uri.includes('#')) return { ok: false, reason: 'must not contain a fragment' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain user information' };

  if (scheme === 'https') {
    if (!url.hostname) return { ok: false, reason: 'has no host' };
    if (domains.length && !onDomain(url.hostname, domains) && !(LOOPBACK_HOSTS.has(url.hostname) && loopbackListed(domains))) {
      return { ok: false, reason: `is not on a domain allowed by MCP_REDIRECT_DOMAINS (${domains.join(', ')})` };
    }
    return { ok: true, kind: 'https' };
  }
  if (scheme === 'http') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      return { ok: false, reason: 'uses http, which is allowed only for loopback addresses (127.0.0.1, localhost, [::1])' };
    }
    if (domains.length && !loopbackListed(domains)) {
      return { ok: false, reason: 'is a loopback address, which MCP_REDIRECT_DOMAINS does not allow (list localhost to allow it)' };
    }
    return { ok: true, kind: 'loopback' };
  }
  if (FORBIDDEN_SCHEMES.has(scheme)) return { ok: false, reason: `uses the ${scheme}: scheme, which cannot be a redirect target` };
  if (domains.length && !domains.includes(`${scheme}:`)) {
    return { ok: false, reason: `uses the app scheme ${scheme}:, which MCP_REDIRECT_DOMAINS does not allow (list "${scheme}:" to allow it)` };
  }
  return { ok: true, kind: 'private-use' };
}

function loopbackListed(domains: readonly string[]): boolean {
  return domains.some((d) => LOOPBACK_NAMES.has(d));
}

/** Checks every URI; the first refusal names the URI and why. */
export function checkRedirectUris(uris: readonly unknown[], allowedDomains: readonly string[] = []): { ok: true } | { ok: false; reason: string } {
  if (!uris.length) return { ok: false, reason: 'redirect_uris must contain at least one URI' };
  for (const uri of uris) {
    if (typeof uri !== 'string') return { ok: false, reason: 'redirect_uris must contain strings' };
    const verdict = checkRedirectUri(uri, allowedDomains);
    if (!verdict.ok) return { ok: false, reason: `redirect URI ${uri} ${verdict.reason}` };
  }
  return { ok: true };
}

/**
 * Redirects to the user's own machine or to an app on it (loopback or private-use scheme): any local program can
 * claim them, so consent is asked every time (MCP security best practices, "localhost impersonation").
 */
export function isNativeRedirect(uri: string): boolean {
  const verdict = checkRedirectUri(uri);
  return verdict.ok ? verdict.kind !== 'https' : false;
}

/** The host people see on the consent screen: the URI's host, or `scheme:` for app schemes. */
export function redirectDisplayHost(uri: string): string {
  const url = parse(uri);
  if (!url) return uri;
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.host;
  return url.host ? `${url.protocol}//${url.host}` : url.protocol;
}

/**
 * A registration whose redirect URIs include an app scheme is a native app whatever `application_type` it sent
 * (Cursor registers `cursor://…` as "web"); oidc-provider would refuse the scheme for a web client.
 */
export function effectiveApplicationType(uris: readonly string[], declared: unknown): 'web' | 'native' {
  const appScheme = uris.some((u) => {
    const verdict = checkRedirectUri(u);
    return verdict.ok && verdict.kind === 'private-use';
  });
  return appScheme || declared === 'native' ? 'native' : 'web';
}
