/**
 * What a request's host names (SPEC §1): a tenant by slug subdomain, the bare base host (the default tenant, or
 * central when none), the central host `app.<base>`, or a custom domain to look up. Pure: no database.
 */
export type HostKind =
  | { kind: 'slug'; slug: string }
  | { kind: 'bare' }
  | { kind: 'central' }
  | { kind: 'custom'; host: string }
  | { kind: 'invalid' };

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', '0.0.0.0']);
const HOSTNAME = /^[a-z0-9.-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Splits `Host` into a lowercase name and an optional port; null when it is not a valid host header. */
export function parseHostHeader(value: string | undefined | null): { name: string; port: string | null } | null {
  if (!value) return null;
  const host = value.trim().toLowerCase();
  const ipv6 = /^(\[[0-9a-f:]+\])(?::(\d{1,5}))?$/.exec(host);
  if (ipv6) return { name: ipv6[1]!, port: ipv6[2] ?? null };
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match || !HOSTNAME.test(match[1]!) || match[1]!.length > 253) return null;
  return { name: match[1]!.replace(/\.$/, ''), port: match[2] ?? null };
}

export function classifyHost(name: string, baseDomain: string): HostKind {
  if (name === baseDomain || LOOPBACK.has(name)) return { kind: 'bare' };
  if (name === `app.${baseDomain}`) return { kind: 'central' };
  if (name.endsWith(`.${baseDomain}`)) {
    const label = name.slice(0, -(baseDomain.length + 1));
    return LABEL.test(label) ? { kind: 'slug', slug: label } : { kind: 'invalid' };
  }
  return HOSTNAME.test(name) ? { kind: 'custom', host: name } : { kind: 'invalid' };
}

/**
 * The public origin of one of our hosts served on `port`: no port behind TLS (the load balancer's 443, whatever
 * this instance listens on) or on 80. For links made outside a request (start-up banner, invitations by command).
 */
export function publicOrigin(scheme: 'http' | 'https', name: string, port: number): string {
  return `${scheme}://${name}${scheme === 'https' || port === 80 ? '' : `:${port}`}`;
}

/** The origin the server advertises for a request to `host` (name + port as the client sent them). */
export function originFor(scheme: 'http' | 'https', host: { name: string; port: string | null }): string {
  const defaultPort = scheme === 'https' ? '443' : '80';
  const port = host.port && host.port !== defaultPort ? `:${host.port}` : '';
  return `${scheme}://${host.name}${port}`;
}
