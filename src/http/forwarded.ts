/**
 * Reading `X-Forwarded-*` behind `ORGONAUT_TRUST_PROXY` = N trusted proxies. A proxy adds the value it saw to the
 * right of whatever the request already carried, so of a comma list only the N-th entry from the right was written
 * by the outermost trusted proxy; entries further left came from the client and prove nothing (`X-Forwarded-Host:
 * evil.example, acme.orgonaut.co` is a client's wish followed by the proxy's fact). A proxy that replaces the header
 * leaves one entry, which is then the one taken. No proxy trusted (N = 0): nothing is read.
 */
export function trustedForwarded(value: string | undefined, hops: number): string | undefined {
  if (hops <= 0 || value === undefined) return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(0, entries.length - hops)];
}
