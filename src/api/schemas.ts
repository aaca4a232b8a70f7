import { z } from '@hono/zod-openapi';

/** Schemas shared by every REST route: problems, pagination, envelopes. */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string(),
    fix: z.string().optional(),
  })
  .passthrough()
  .openapi('Problem', { description: 'RFC 9457 problem details' });

export const problemResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 412 | 429)[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: PROBLEM_DESCRIPTIONS[status], content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );

const PROBLEM_DESCRIPTIONS = {
  400: 'Invalid input: `field` names the parameter',
  401: 'No valid credential',
  403: 'A needed ability is missing: `ability` names it',
  404: 'Not found in this tenant',
  409: 'Conflicts with the current state',
  412: 'The record changed since the ETag sent in If-Match: GET it again',
  429: 'Rate limited: see Retry-After',
} as const;

/** A whole number in a query string, refused in plain words ("must be a whole number from 1 to 500"), not zod's. */
export function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export const PageQuery = z.object({
  limit: wholeNumber(1, 500).optional().openapi({ description: 'Items per page (1–500, default 50)', example: 50 }),
  cursor: z.string().max(512).optional().openapi({ description: 'The `next_cursor` of the previous page, with the same filters (a cursor used with other filters is refused: 400); or follow the page’s `Link: <…>; rel="next"` header, which is that URL' }),
});

export function listEnvelope<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

const EXAMPLE_ID = '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a';

/**
 * The `Location` header of a 201 (the record made) or 202 (what to poll: a task or an import run), as the route sends
 * it: `path` with `{id}` for the record's id. Every 201/202 that sends one declares it (test/api/openapi.test.ts).
 */
export function locationHeader(what: string, path: string) {
  return {
    Location: { description: `${what}, \`${path}\``, schema: { type: 'string' as const, example: path.replace('{id}', EXAMPLE_ID) } },
  };
}

/**
 * The `Link` header a page carries while there is a next page (RFC 8288; set by `listBody`): declared once, as the
 * `Link` header component, and referenced by every paginated list's 200 response (`pagedResponse`).
 */
export const LINK_HEADER = {
  description:
    'Sent while there is a next page: `<URL>; rel="next"`, the absolute URL of that page (this request’s query with `cursor` replaced by `next_cursor`). Absent on the last page.',
  schema: { type: 'string' as const, example: '<https://acme.orgonaut.co/api/v1/actors?limit=50&cursor=WyJhZGEgbG92ZWxhY2UiLCIzZjZjMWQyZSJd>; rel="next"' },
};

/** The 200 response of a paginated list (`schema` has `next_cursor`), with the `Link` header it may carry. */
export function pagedResponse<T extends z.ZodTypeAny>(description: string, schema: T) {
  return {
    description,
    headers: { Link: { $ref: '#/components/headers/Link' } },
    content: { 'application/json': { schema } },
  };
}

export function itemEnvelope<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: item });
}

/** Documents which ability a route needs (shown in the OpenAPI reference). */
export function needs(...abilities: string[]): { 'x-required-abilities': string[] } {
  return { 'x-required-abilities': abilities };
}
