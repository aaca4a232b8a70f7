import { lookup as dnsLookup } from 'node:dns/promises';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './ip-policy.js';

/**
 * Fetching Client ID Metadata Documents without becoming an SSRF proxy (SPEC §4.2): https only; the host is resolved
 * first and every address must be public (ip-policy.ts); the connection is pinned to the checked address (no second
 * resolution a DNS-rebinding attacker could answer differently); redirects are never followed; the body and the
 * time are capped. oidc-provider adds its own checks on top (https client_id, 5 KB body, client_id equality) and
 * caches documents by their Cache-Control within 30 s – 1 day.
 */
export type ClientMetadataFetch = (url: string, init?: { signal?: AbortSignal; headers?: HeadersInit }) => Promise<Response>;

export interface SafeFetchOptions {
  /** Resolves a host name to its addresses (tests inject one; default: the system resolver). */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
  timeoutMs?: number;
  maxBytes?: number;
}

export class UnsafeFetchRefused extends Error {
  override name = 'UnsafeFetchRefused';
}

const defaultResolve = (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

export function createSafeFetch(options: SafeFetchOptions = {}): ClientMetadataFetch {
  const resolve = options.resolve ?? defaultResolve;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 16 * 1024;

  return async function safeFetch(input, init = {}) {
    const url = new URL(input);
    if (url.protocol !== 'https:') throw new UnsafeFetchRefused('client metadata documents are fetched over https only');
    if (url.username || url.password) throw new UnsafeFetchRefused('client metadata URLs must not carry credentials');
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await resolve(hostname);
    if (!addresses.length) throw new UnsafeFetchRefused(`${hostname} does not resolve`);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new UnsafeFetchRefused(`${hostname} resolves to a non-public address (${refused.address})`);
    const pinned = addresses[0]!;
    const lookup: LookupFunction = (_host, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
      else callback(null, pinned.address, pinned.family);
    };
    return request(url, { lookup, timeoutMs, maxBytes, signal: init.signal, headers: new Headers(init.headers) });
  };
}

function request(
  url: URL,
  opts: { lookup: LookupFunction; timeoutMs: number; maxBytes: number; signal?: AbortSignal; headers: Headers },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: opts.headers.get('accept') ?? 'application/json', 'user-agent': 'Orgonaut-OAuth' };
    const req = https.request(url, { method: 'GET', headers, lookup: opts.lookup, agent: false, servername: url.hostname });
    const fail = (error: Error) => {
      clearTimeout(timer);
      req.destroy(error);
      reject(error);
    };
    const timer = setTimeout(() => fail(new UnsafeFetchRefused('client metadata document fetch timed out')), opts.timeoutMs);
    opts.signal?.addEventListener('abort', () => fail(new UnsafeFetchRefused('client metadata document fetch aborted')), { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) fail(new UnsafeFetchRefused('client metadata document is too large'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') responseHeaders.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, headers: responseHeaders }));
      });
    });
    req.end();
  });
}

/**
 * Wraps a fetcher so a Client ID Metadata Document reaches oidc-provider normalised like a dynamic registration
 * (client-metadata.ts): an app-scheme client becomes native, `scope` is dropped. Anything else passes unchanged;
 * the provider then checks the document (client_id equality, size, https URIs) and allowClient the redirect policy.
 */
export function normalisingFetch(fetcher: ClientMetadataFetch, normalise: (doc: unknown) => Record<string, unknown> | null): ClientMetadataFetch {
  return async (url, init) => {
    const response = await fetcher(url, init);
    if (response.status !== 200) return response;
    const text = await response.text();
    let normalised: Record<string, unknown> | null = null;
    try {
      normalised = normalise(JSON.parse(text));
    } catch {
      normalised = null;
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(normalised ? JSON.stringify(normalised) : text, { status: 200, headers });
  };
}
