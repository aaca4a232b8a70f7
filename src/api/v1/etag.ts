import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';

/**
 * Conditional GETs for the REST API: every successful JSON answer to a GET carries a weak ETag computed from its body,
 * and a request whose `If-None-Match` names it gets `304 Not Modified` without a body. Bodies depend on the
 * credential (money shows only with `costs.read`) and carry people's names and pay, so they are never stored by a
 * browser or proxy cache: `Cache-Control: private, no-store`. A client that keeps a copy itself still revalidates it
 * with the tag.
 */
export function conditionalGet(): MiddlewareHandler<AppEnv> {
  return async function conditionalGetMiddleware(c, next) {
    await next();
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || c.res.status !== 200) return;
    if (!(c.res.headers.get('content-type') ?? '').includes('json')) return;
    const body = new Uint8Array(await c.res.clone().arrayBuffer());
    const tag = weakEtag(body);
    const headers = new Headers(c.res.headers);
    headers.set('etag', tag);
    if (!headers.has('cache-control')) headers.set('cache-control', 'private, no-store');
    const vary = new Set([...(headers.get('vary') ?? '').split(','), 'Authorization', 'Cookie', 'X-Tenant'].map((v) => v.trim()).filter(Boolean));
    headers.set('vary', [...vary].join(', '));
    // Replace the response outright (assigning over it would merge the old headers back in).
    c.res = undefined;
    if (matches(c.req.header('if-none-match'), tag)) {
      headers.delete('content-type');
      headers.delete('content-length');
      c.res = new Response(null, { status: 304, headers });
    } else {
      c.res = new Response(body, { status: 200, headers });
    }
  };
}

export function weakEtag(body: Uint8Array | string): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: weak comparison against each tag of the list, or `*`. */
export function matches(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === opaque(tag));
}

/**
 * `If-Match` on a write (RFC 9110 §13.1.1): the write goes ahead only while the record still has the ETag the client
 * read it with — `representation` is what the record's GET answers now (`*` matches any). Compared like If-None-Match
 * (the tags are weak); a mismatch is 412 and nothing is done.
 */
export function assertIfMatch(ifMatch: string | undefined, representation: unknown, path: string): void {
  if (ifMatch !== undefined && !matches(ifMatch, weakEtag(JSON.stringify(representation)))) throw preconditionFailed(path);
}

export function preconditionFailed(path: string): AppError {
  return new AppError(
    'precondition_failed',
    412,
    `${path} changed since the ETag sent in If-Match was issued; nothing was done.`,
    `GET ${path} again for its current state and ETag, check the change still makes sense, and retry with that ETag.`,
  );
}
