import { readRequestBody } from '@modelcontextprotocol/server';
import { unstorableText } from '../util/unicode.js';

/**
 * What the MCP endpoint checks before the SDK sees a request: the method, the Origin (DNS-rebinding defence), the
 * body size and the size of any single string in it. Each refusal is a JSON-RPC error body with an HTTP status.
 */

export const MAX_BODY_BYTES = 1024 * 1024;
/** No argument, URI or name we accept comes close; the SDK answered 500 to a megabyte-long resource URI. */
export const MAX_STRING_LENGTH = 16 * 1024;
export const MAX_JSON_DEPTH = 32;

export function rpcError(status: number, code: number, message: string, id: unknown = null, headers: Record<string, string> = {}, data?: Record<string, unknown>): Response {
  const body = { jsonrpc: '2.0', id: isRequestId(id) ? id : null, error: data ? { code, message, data } : { code, message } };
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}

/** The JSON-RPC id of a parsed single request, if it has one. */
export function requestIdOf(parsed: unknown): unknown {
  return typeof parsed === 'object' && parsed !== null && 'id' in parsed ? (parsed as { id: unknown }).id : null;
}

function isRequestId(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}

/** A stateless server has no stream to open (GET) and no session to end (DELETE): 405 for anything but POST. */
export function methodNotAllowed(): Response {
  return rpcError(405, -32000, 'Method not allowed: this MCP endpoint is stateless and accepts POST only.', null, { Allow: 'POST' });
}

/**
 * Origins allowed to call: the request's own origin (each tenant host is its own origin) and the configured extra
 * ones. Entries with a scheme compare as whole origins; bare host names compare by host name.
 */
export function originAllowed(originHeader: string | null, ownOrigin: string, extra: readonly string[]): boolean {
  if (originHeader === null || originHeader === '') return true;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    return false;
  }
  if (origin.origin === 'null') return false;
  return [ownOrigin, ...extra].some((allowed) => {
    if (!allowed.includes('://')) return origin.hostname === allowed.toLowerCase();
    try {
      return new URL(allowed).origin === origin.origin;
    } catch {
      return false;
    }
  });
}

export type BodyRead = { ok: true; text: string; parsed: unknown } | { ok: false; response: Response };

/** Reads the body under the size cap and parses it; an unparsable body is passed on for the SDK to answer. */
export async function readBody(request: Request): Promise<BodyRead> {
  const body = await readText(request);
  if (body.tooLarge) {
    return { ok: false, response: rpcError(413, -32000, `Request body too large: the limit is ${MAX_BODY_BYTES / 1024 / 1024} MiB.`) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    parsed = undefined;
  }
  const problem = parsed === undefined ? null : oversizedValue(parsed);
  if (problem) {
    return { ok: false, response: rpcError(400, -32602, problem, requestIdOf(parsed)) };
  }
  return { ok: true, text: body.text, parsed };
}

const utf8 = new TextDecoder();

/**
 * The body as text, refused past MAX_BODY_BYTES (a declared length over it is refused unread). A body of declared
 * length — what clients send — is read in one piece (no stream reader: the HTTP server's fast path), since the
 * HTTP parser delivers no more than declared; its size is checked anyway. Otherwise it is streamed and reading stops
 * past the cap.
 */
async function readText(request: Request): Promise<{ tooLarge: true } | { tooLarge: false; text: string }> {
  const declared = request.headers.get('content-length');
  if (declared === null || !/^\d{1,16}$/.test(declared)) return readRequestBody(request, MAX_BODY_BYTES);
  if (Number(declared) > MAX_BODY_BYTES) return { tooLarge: true };
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) return { tooLarge: true };
  return { tooLarge: false, text: utf8.decode(bytes) };
}

/** Why a parsed body is refused (a string or key too long, nesting too deep), or null. */
export function oversizedValue(value: unknown, depth = 0): string | null {
  if (depth > MAX_JSON_DEPTH) return `The request is nested more than ${MAX_JSON_DEPTH} levels deep.`;
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) return `A value in the request is longer than ${MAX_STRING_LENGTH} characters; send a shorter one.`;
    const unstorable = unstorableText(value);
    if (unstorable === 'surrogate') return 'A value in the request is not valid Unicode text (an unpaired surrogate such as \\ud834); send well-formed text.';
    return unstorable === 'nul' ? 'A value in the request holds a NUL character (\\u0000), which text cannot contain; remove it.' : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const problem = oversizedValue(key, depth + 1) ?? oversizedValue(child, depth + 1);
    if (problem) return problem;
  }
  return null;
}

/** The same request with the body we already read (the original stream is consumed). */
export function withBody(request: Request, text: string): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, body: text, signal: request.signal });
}
