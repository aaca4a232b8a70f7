/**
 * `tools/list` answers remembered as text. The SDK's answer to a tools/list request is a pure function of the
 * request — the headers it reads, the body but for the JSON-RPC id — and of the listing of the tenant's naming style
 * (the same tools for every caller: SPEC §5 lists every plan-allowed tool, whatever the role). Serialising the
 * ~80 KB listing was most of what such a request cost (0.4 ms of JSON.stringify at 32 concurrent clients), so the
 * first answer to each distinct request is kept and later ones are the same text with their own id.
 *
 * Only well-formed single requests are remembered, and only an answer the SDK gave as a JSON result (HTTP 200, the
 * request's id): errors, event streams and anything unusual go through the SDK every time.
 */

/** Distinct requests remembered (clients differ in headers and `_meta`); the oldest is forgotten past this. */
const MAX_ENTRIES = 64;

/** Request headers the SDK reads to decide how to answer (besides these, only `mcp-*` ones). */
const READ_HEADERS = ['accept', 'content-type'];

interface Remembered {
  headers: [string, string][];
  /** The answer's `result`, serialised. */
  result: string;
}

export interface ListingRequest {
  /** The memo key, or null when this request is not one to remember. */
  key: string | null;
  id: string | number | null;
}

export class ListingMemo {
  private readonly entries = new Map<string, Remembered>();

  /**
   * Which remembered answer a request would get: `context` is what else the answer may depend on (the naming
   * style, the credential's scopes), the rest comes from the request.
   */
  requestOf(request: Request, parsed: unknown, context: string): ListingRequest {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { key: null, id: null };
    const { method, id } = parsed as { method?: unknown; id?: unknown };
    if (method !== 'tools/list' || !(typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)))) return { key: null, id: null };
    const headers: string[] = [];
    request.headers.forEach((value, name) => {
      if (READ_HEADERS.includes(name) || name.startsWith('mcp-')) headers.push(`${name}:${value}`);
    });
    headers.sort();
    return { key: JSON.stringify([context, headers, { ...parsed, id: undefined }]), id };
  }

  /** The remembered answer to this request with its own id, or null. */
  answer(request: ListingRequest): Response | null {
    const remembered = request.key === null ? undefined : this.entries.get(request.key);
    if (!remembered) return null;
    const body = `{"result":${remembered.result},"jsonrpc":"2.0","id":${JSON.stringify(request.id)}}`;
    return new Response(body, { status: 200, headers: remembered.headers });
  }

  /** Keeps the SDK's `response` to this request when it is a JSON result; returns a response to send either way. */
  async remember(request: ListingRequest, response: Response): Promise<Response> {
    if (request.key === null || response.status !== 200 || !response.headers.get('content-type')?.startsWith('application/json')) {
      return response;
    }
    const text = await response.text();
    const answer = new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    let parsed: { id?: unknown; result?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return answer;
    }
    if (parsed.id !== request.id || parsed.error !== undefined || typeof parsed.result !== 'object' || parsed.result === null) return answer;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const headers = [...response.headers].filter(([name]) => name !== 'content-length');
    this.entries.set(request.key, { headers, result: JSON.stringify(parsed.result) });
    return answer;
  }
}
