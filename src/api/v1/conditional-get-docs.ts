/**
 * Declares the conditional GET (`conditionalGet` in etag.ts) on every GET operation of the OpenAPI document: the
 * `If-None-Match` header it takes, the `ETag` its 200 carries (one `ETag` header component) and the 304 it answers
 * without a body. Said once in the document's description, it was missing where a reader (or a generated client that
 * treats undocumented statuses as failures) looks: the operation.
 */

type Json = Record<string, any>;

const REF = { $ref: '#/components/headers/ETag' };

export const ETAG_HEADER_COMPONENT = {
  description: 'A weak tag of this answer (for this credential). Send it back in `If-None-Match` to be answered 304, without a body, while it is unchanged.',
  schema: { type: 'string' as const, example: 'W/"p3lKGB-huROruoUNMcyX6fKrQIg"' },
};

const IF_NONE_MATCH = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'The `ETag` of an earlier answer to this same request: 304 Not Modified, without a body, while the answer would be the same',
  schema: { type: 'string' },
  example: 'W/"p3lKGB-huROruoUNMcyX6fKrQIg"',
};

const NOT_MODIFIED = {
  description: 'Not modified: the `If-None-Match` sent names the current `ETag` of this answer; no body (use the copy you kept)',
  headers: { ETag: REF },
};

/** Adds them (in place) to every GET whose 200 is JSON, and returns the document. */
export function addConditionalGets<T extends Json>(doc: T): T {
  const components: Json = ((doc as Json).components ??= {});
  components.headers = { ...(components.headers ?? {}), ETag: ETAG_HEADER_COMPONENT };
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    const op: Json | undefined = item.get;
    const ok: Json | undefined = op?.responses?.['200'];
    if (!op || !ok?.content?.['application/json']) continue;
    const parameters = (op.parameters ?? []) as Json[];
    if (!parameters.some((p) => p.in === 'header' && p.name === 'If-None-Match')) op.parameters = [...parameters, IF_NONE_MATCH];
    ok.headers = { ...(ok.headers ?? {}), ETag: REF };
    op.responses = insertAfter(op.responses, '200', '304', NOT_MODIFIED);
  }
  return doc;
}

/** `responses` with `key` right after `after` (statuses in order, as the document lists them). */
function insertAfter(responses: Json, after: string, key: string, value: unknown): Json {
  return Object.fromEntries(Object.entries(responses).flatMap(([k, v]) => (k === after ? [[k, v], [key, value]] : k === key ? [] : [[k, v]])));
}
