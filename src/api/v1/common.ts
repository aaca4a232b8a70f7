import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, InvalidInput } from '../../errors.js';
import { isIsoDate, ISO_DATE_RULE } from '../../org/dates.js';
import type { AppEnv } from '../../http/env.js';
import type { Page } from '../../util/pagination.js';
import { apiRouter } from '../router.js';
import { bodyNotJson, respondWithProblem } from '../problem.js';
import { PageQuery } from '../schemas.js';

/** Pieces every v1 family shares: the view and page query parameters, id paths, booleans, the router. */

/**
 * An API router whose request-parsing failures (malformed JSON, wrong media type: Hono HTTPExceptions) are answered
 * as problems like every other error. Everything else still goes to the app's single error boundary.
 */
export function v1Router() {
  const router = apiRouter();
  router.onError((error, c) => {
    if (!(error instanceof HTTPException) || error.status >= 500) throw error;
    const problem =
      error.status === 415
        ? bodyNotJson()
        : error.status === 400
          ? new InvalidInput('body', 'is not valid JSON')
          : new AppError('bad_request', error.status, 'The request could not be read.', 'Check the request against /docs/api and send it again.');
    return respondWithProblem(c, problem);
  });
  return router;
}

export const IsoDate = z
  .string()
  .refine(isIsoDate, ISO_DATE_RULE)
  .openapi({ type: 'string', format: 'date', example: '2026-06-01' });

/** `scenario_id` and `as_of`: which organisation a read looks at (Live today by default). */
export const ViewQuery = z.object({
  scenario_id: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'Read this scenario or snapshot instead of Live (needs `scenarios.read`). Omit for Live.' }),
  as_of: IsoDate.optional().openapi({ description: 'The day to read the organisation as of, `YYYY-MM-DD` (default today, UTC).' }),
});

export const ListQuery = ViewQuery.extend(PageQuery.shape);

/** A query boolean written `true` or `false` (anything else is a 400 naming the parameter). */
export function queryBool(description: string) {
  return z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true'))
    .openapi({ type: 'string', enum: ['true', 'false'], description });
}

/** An optional id filter; blank counts as absent. */
export function idFilter(description: string) {
  return z.string().max(64).optional().openapi({ description });
}

/** Most ids one `ids` look-up takes (their URL stays well under the 16 KB header limit of servers and proxies). */
export const IDS_MAX = 100;

/**
 * `ids=<id>,<id>,…`: only these records — a batch look-up, e.g. the names of the records a page refers to, without
 * reading the whole list. Ids this view does not hold are left out (no error); blank counts as absent.
 */
export function idsFilter(records: string) {
  return z
    .string()
    .max(IDS_MAX * 65)
    .optional()
    .transform((value, ctx) => {
      const ids = [...new Set((value ?? '').split(',').map((id) => id.trim()).filter(Boolean))];
      if (ids.length > IDS_MAX) {
        ctx.addIssue({ code: 'custom', message: `takes at most ${IDS_MAX} ids (got ${ids.length}); ask in batches` });
        return z.NEVER;
      }
      return ids.length ? ids : undefined;
    })
    .openapi({
      type: 'string',
      description: `Only the ${records} with these ids, comma-separated (at most ${IDS_MAX}): a batch look-up. Ids not in this view are left out.`,
      example: '7d1c4b0e-1f2a-4c3b-9d8e-5a6b7c8d9e0f,2b3c4d5e-6f70-4a1b-8c2d-3e4f5a6b7c8d',
    });
}

export const IdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, description: 'The record id (a UUID)' }),
});

/** The optional `If-Match` of a write that checks it (see assertIfMatch). */
export const IfMatchHeader = z.object({
  'If-Match': z
    .string()
    .optional()
    .openapi({ description: 'The `ETag` of `GET /api/v1/scenarios/{id}` as you read it: the write is refused (412, nothing done) if the scenario changed since', example: 'W/"kxUEbZR1QshauOMmcUb2qmywRwo"' }),
});

export function viewOf(query: { scenario_id?: string; as_of?: string }) {
  return { scenarioId: query.scenario_id ?? null, asOf: query.as_of ?? null };
}

export function pageOf(query: { limit?: number; cursor?: string }) {
  return { limit: query.limit, cursor: query.cursor ?? null };
}

/**
 * The list envelope, `{ data, next_cursor }`, of every paginated list; when there is a next page it also sets the
 * RFC 8288 `Link: <…>; rel="next"` header: this request's URL on its own origin, same query, `cursor` replaced.
 */
export function listBody<T>(c: Context<AppEnv>, page: Page<T>) {
  if (page.nextCursor !== null) c.header('Link', `<${nextPageUrl(c, page.nextCursor)}>; rel="next"`);
  return { data: page.items, next_cursor: page.nextCursor };
}

function nextPageUrl(c: Context<AppEnv>, cursor: string): string {
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', cursor);
  return `${c.get('origin')}${url.pathname}${url.search}`;
}

export const SECURITY = [{ bearer: [] as string[] }];

/** JSON content of a response or request schema. */
export function json<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } } };
}
