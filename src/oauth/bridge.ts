import { IncomingMessage, type ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type Provider from 'oidc-provider';
import type { AppEnv } from '../http/env.js';

/**
 * oidc-provider is a Koa app on Node's req/res; Hono runs on fetch Requests. The bridge hands the raw Node objects
 * of the request to the provider and tells Hono the response is already written (DESIGN.md wiring notes).
 *
 * The provider builds every URL (endpoints, `iss`, redirects) and decides Secure cookies from the request; we pin
 * those to the origin the tenancy middleware checked, by overwriting X-Forwarded-Host/-Proto (the provider runs with
 * `proxy = true`), whatever the client sent. `originalUrl` equals the (possibly rewritten) URL, so the provider sees
 * no mount path: its routes are the absolute `/oauth/*` paths.
 */
const handlers = new WeakMap<Provider, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();

export function nodeBindings(c: Context<AppEnv>): HttpBindings {
  const env = c.env as Partial<HttpBindings> | undefined;
  if (!env?.incoming || !env.outgoing) {
    throw new Error('The OAuth server needs a Node HTTP server (@hono/node-server); app.request() cannot serve it.');
  }
  return env as HttpBindings;
}

export function pinOrigin(req: IncomingMessage, origin: string, url?: string): void {
  const { host, protocol } = new URL(origin);
  if (url !== undefined) req.url = url;
  (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
  req.headers['x-forwarded-host'] = host;
  req.headers['x-forwarded-proto'] = protocol.slice(0, -1);
}

/**
 * Lets the provider answer this request; `url` rewrites the path+query it sees, `body` replaces the body it reads
 * (after we read and normalised it: a registration).
 */
export async function forwardToProvider(c: Context<AppEnv>, provider: Provider, rewrite: { url?: string; body?: Buffer } = {}): Promise<Response> {
  const { outgoing } = nodeBindings(c);
  const incoming = rewrite.body ? withBody(nodeBindings(c).incoming as IncomingMessage, rewrite.body) : (nodeBindings(c).incoming as IncomingMessage);
  pinOrigin(incoming, c.var.origin, rewrite.url);
  let handler = handlers.get(provider);
  if (!handler) {
    handler = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    handlers.set(provider, handler);
  }
  await handler(incoming as IncomingMessage, outgoing as ServerResponse);
  return RESPONSE_ALREADY_SENT;
}

/** A copy of the request (same socket, method, URL, headers) whose body is `body`. */
function withBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.httpVersion = req.httpVersion;
  copy.headers = { ...req.headers, 'content-length': String(body.length) };
  copy.complete = true; // else ending the copy would destroy the shared socket
  copy.push(body);
  copy.push(null);
  return copy;
}

/** Reads a small request body from the Node stream, or null when it is larger than `limit`. */
export async function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
