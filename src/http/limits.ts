import type { MiddlewareHandler } from 'hono';
import { AppError, InvalidInput } from '../errors.js';
import type { AppEnv } from './env.js';
import { findUnstorableText, mayHoldUnstorableEscape } from '../util/unicode.js';
import { MCP_PATH } from '../mcp/urls.js';

/**
 * Request size and JSON depth limits for REST and the app's forms: one middleware, mounted in app.ts after the
 * OAuth routes and the same-origin form check (`app.use(requestLimits())`) for the pages and the HRIS webhook, and in
 * the API router after authentication and the rate limit (`apiRequestLimits()`) for the rest of /api/v1, so a 413
 * or 400 from these limits carries `RateLimit` like every other REST answer.
 *
 * - A body over MAX_REQUEST_BYTES is refused with 413: unread when its declared length is over, otherwise as soon as
 *   the stream passes the limit (a chunked body cannot grow past it in memory).
 * - A JSON body nested deeper than MAX_JSON_DEPTH is refused with a 400 problem naming `body`, before anything parses
 *   it (a scan of the bytes; nothing we accept comes close: change batches are three levels deep).
 * - Text PostgreSQL cannot store — an unpaired surrogate (`"\ud834"`) or a NUL (`"\u0000"`, `%00`) — in a JSON or
 *   form body, or a NUL in the query string, is refused with a 400 naming `body` or `query`.
 * - A multipart body that is not readable as a form is refused with a 400 naming `body` (the form parser's TypeError
 *   would otherwise surface as a 500 from every page that reads a form).
 *
 * The body read here is handed on as the request's body, so routes read it as before (`c.req.json()`,
 * `c.req.parseBody()`, validators). Left out, because they read their bodies themselves with their own limits:
 * the MCP endpoint (http-guards.ts), the OAuth provider (/oauth/*, raw streams) and the CSV upload routes
 * (POST /api/v1/imports and the /imports upload form, 10 MB, streamed).
 */

export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 64;
/** How far past the limit a body is read (and dropped) before the 413 is sent. */
const LINGER_FACTOR = 4;

export interface RequestLimits {
  maxBytes?: number;
  maxDepth?: number;
}

export class PayloadTooLarge extends AppError {
  constructor(limit: number) {
    super('payload_too_large', 413, `The request body is larger than ${formatBytes(limit)}.`, 'Send a smaller request; split large batches.', {
      limit_bytes: limit,
    });
  }
}

/** Routes that read their own bodies, each with its own limit. */
function exempt(method: string, path: string): boolean {
  if (path === MCP_PATH || path.startsWith('/mcp/')) return true;
  if (path === '/oauth' || path.startsWith('/oauth/')) return true;
  return method === 'POST' && (path === '/api/v1/imports' || path === '/imports');
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The REST routes the API router limits itself (apiRequestLimits, after authentication and the rate limit): all of
 * /api/v1 but the HRIS webhook, which is served before REST authentication.
 */
function limitedByApiRouter(path: string): boolean {
  return path.startsWith('/api/v1/') && !path.startsWith('/api/v1/integrations/bamboohr/webhook/');
}

/** The app-wide limits: every request with a body, but the routes that read theirs with limits of their own and REST. */
export function requestLimits(options: RequestLimits = {}): MiddlewareHandler<AppEnv> {
  const limits = limitsOf(options);
  return async function requestLimitsMiddleware(c, next) {
    if (limitedByApiRouter(c.req.path)) return next();
    return limits(c, next);
  };
}

/** The same limits for /api/v1, mounted in the API router after authentication and the rate limit. */
export function apiRequestLimits(options: RequestLimits = {}): MiddlewareHandler<AppEnv> {
  return limitsOf(options);
}

function limitsOf(options: RequestLimits): MiddlewareHandler<AppEnv> {
  const limit = bodyLimits(options);
  return async function requestLimitsMiddleware(c, next) {
    if (exempt(c.req.method, c.req.path)) return next();
    // The body first (its size before anything else), then the query: no text holds a NUL (PostgreSQL cannot
    // store one), in a query as in a body.
    return limit(c, async () => {
      if (/%00/.test(new URL(c.req.url).search)) throw new InvalidInput('query', UNSTORABLE.nul);
      await next();
    });
  };
}

/** The same limits for one route, wherever it is mounted (e.g. the OAuth consent form under the exempt /oauth/*). */
export function bodyLimits(options: RequestLimits = {}): MiddlewareHandler<AppEnv> {
  const maxBytes = options.maxBytes ?? MAX_REQUEST_BYTES;
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  return async function bodyLimitsMiddleware(c, next) {
    const raw = c.req.raw;
    if (BODYLESS.has(c.req.method)) return next();
    const contentType = raw.headers.get('content-type') ?? '';
    const media = contentType.split(';')[0]!.trim().toLowerCase();
    const json = /^application\/([\w.-]+\+)?json$/.test(media);
    if (!raw.body) {
      if (json) c.req.raw = new Request(raw, { body: EMPTY_JSON_BODY });
      return next();
    }
    const declared = raw.headers.get('content-length');
    if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > maxBytes) throw new PayloadTooLarge(maxBytes);

    let bytes = await readCapped(raw.body, maxBytes);
    if (json) {
      if (isBlank(bytes)) bytes = EMPTY_JSON_BODY;
      if (nestedDeeperThan(bytes, maxDepth)) throw new InvalidInput('body', `is nested more than ${maxDepth} levels deep`, { max_depth: maxDepth });
      const unstorable = unstorableInJson(bytes);
      if (unstorable) throw new InvalidInput('body', UNSTORABLE[unstorable]);
    }
    if (media === 'application/x-www-form-urlencoded' && nulInForm(bytes)) throw new InvalidInput('body', UNSTORABLE.nul);
    if (media === 'multipart/form-data') {
      try {
        await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
      } catch {
        throw new InvalidInput('body', 'is not a readable multipart/form-data body');
      }
    }
    // The stream is consumed: routes read the same bytes from a copy of the request.
    c.req.raw = new Request(raw, { body: bytes });
    await next();
  };
}

/**
 * What an empty body sent as JSON reads as (many HTTP clients send `Content-Type: application/json` with no body on
 * a bodiless POST): an optional body is then absent, a required one is refused naming its missing fields — rather
 * than every such request being told its body "is not valid JSON".
 */
const EMPTY_JSON_BODY = new TextEncoder().encode('{}');

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d);
}

/**
 * The whole body, refused once it passes `limit` bytes. Past the limit nothing is kept, but reading goes on (up to
 * LINGER_FACTOR × limit) before the refusal is sent: answering while the client is still sending makes the HTTP server
 * close the connection under it, and the client then sees a reset instead of the 413. Past that, the server drops
 * the connection.
 */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= limit) chunks.push(value);
      else if (size > limit * LINGER_FACTOR) break;
    }
  } finally {
    reader.releaseLock();
  }
  if (size > limit) throw new PayloadTooLarge(limit);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * Whether JSON text opens more than `max` arrays/objects at once. A byte scan that skips strings (UTF-8 continuation
 * bytes are never ASCII, so brackets inside multi-byte characters cannot be miscounted); malformed JSON is left to
 * the parser that reads it next.
 */
export function nestedDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPENERS.has(byte)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(byte)) {
      depth--;
    }
  }
  return false;
}

const utf8 = new TextDecoder();

/** Why text of a request cannot be kept, for the 400 naming it. */
const UNSTORABLE = {
  surrogate: 'holds text that is not valid Unicode (an unpaired surrogate such as \\ud834)',
  nul: 'holds a NUL character (\\u0000 or %00), which text cannot contain',
} as const;

/** What makes a JSON body's text unstorable (written as escapes: a NUL, an unpaired surrogate), or null. */
function unstorableInJson(bytes: Uint8Array): keyof typeof UNSTORABLE | null {
  const text = utf8.decode(bytes);
  if (!mayHoldUnstorableEscape(text)) return null;
  try {
    return findUnstorableText(JSON.parse(text));
  } catch {
    return null; // malformed JSON: the parser that reads it next says so
  }
}

/** Whether a form body carries a NUL in a name or value (raw, or written as %00). */
function nulInForm(bytes: Uint8Array): boolean {
  const text = utf8.decode(bytes);
  if (!text.includes('\u0000') && !/%00/.test(text)) return false;
  return [...new URLSearchParams(text)].some(([name, value]) => name.includes('\u0000') || value.includes('\u0000'));
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
