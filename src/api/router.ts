import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Runtime } from '../app.js';
import type { Ability } from '../access/abilities.js';
import { AppError, InvalidInput, MissingAbility } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { planWithholds } from '../tenancy/plans.js';
import { respondWithProblem } from './problem.js';
import { LINK_HEADER } from './schemas.js';
import { blankQueryAsAbsent, invalidRequest, unknownParameter } from './validation.js';
import { restAuthentication } from '../access/middleware.js';
import { renderApiDocs } from './v1/docs-page.js';
import { conditionalGet } from './v1/etag.js';
import { historyRoutes } from './v1/history.js';
import { importRoutes } from './v1/imports.js';
import { integrationRoutes, integrationWebhookRoutes } from './v1/integrations.js';
import { meRoutes } from './v1/me.js';
import { metricsRoutes } from './v1/metrics.js';
import { openApiDocuments } from './v1/openapi-doc.js';
import { peopleRoutes } from './v1/people.js';
import { apiRateLimit } from './v1/rate-limit.js';
import { apiRequestLimits } from '../http/limits.js';
import { referenceRoutes } from './v1/reference.js';
import { reportRoutes } from './v1/reports.js';
import { scenarioChangeRoutes } from './v1/scenario-changes.js';
import { scenarioDiscardRoutes } from './v1/scenario-discard.js';
import { scenarioRoutes } from './v1/scenarios.js';
import { snapshotRoutes } from './v1/snapshots.js';
import { structureRoutes } from './v1/structure.js';
import { taskRoutes } from './v1/tasks.js';
import { tokenRoutes } from './v1/tokens.js';
import { roleRoutes } from './v1/roles.js';

export const API_INFO = {
  title: 'Orgonaut REST API',
  version: '1.0.0',
  description:
    'Organisation design and scenario planning. Authenticate with a personal API token: `Authorization: Bearer <token>`. ' +
    'On a tenant host the tenant comes from the host; on the central host send `X-Tenant: <slug>`. Errors are RFC 9457 ' +
    'problem details; a query parameter or body field a route does not take is refused (400 naming it); a query parameter given blank (`?limit=`) counts as absent. Lists are paginated with `limit` and the opaque `cursor` from `next_cursor`; while there is a next page the answer also ' +
    'carries `Link: <…>; rel="next"` (RFC 8288), the absolute URL of that page (same query, `cursor` replaced), so a client can follow it as is. Every GET carries a weak ' +
    '`ETag` (send `If-None-Match` for a 304); a write to a scenario takes the scenario’s `ETag` in `If-Match` and is refused with ' +
    '412, nothing done, if the scenario changed since you read it; every answer carries `RateLimit` (per token or signed-in user; 429 with ' +
    '`Retry-After` over it).',
};

/**
 * An OpenAPIHono router whose validation failures become 400 problems naming the field. Every family's routes are
 * built with this and mounted under /api/v1; the OpenAPI document is generated from their schemas.
 */
export function apiRouter(): OpenAPIHono<AppEnv> {
  const router: OpenAPIHono<AppEnv> = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      // The validator also hands over the input it refused (untyped here): it tells a missing field from a wrong one.
      const input = (result as { data?: unknown }).data;
      return respondWithProblem(c, invalidRequest(result.error.issues, input, result.target, result.target === 'json' ? bodyFields(router, c) : null));
    },
  });
  return router;
}

/** The top-level fields of the JSON body the route being served takes (from its schema in the router's registry). */
function bodyFields(router: OpenAPIHono<AppEnv>, c: Context<AppEnv>): string[] | null {
  for (const d of router.openAPIRegistry.definitions) {
    if (d.type !== 'route' || d.route.method !== c.req.method.toLowerCase()) continue;
    if (d.route.path.replace(/\{(\w+)\}/g, ':$1') !== c.req.routePath) continue;
    const media = d.route.request?.body?.content?.['application/json'] as { schema?: { shape?: Record<string, unknown> } } | undefined;
    const schema = media?.schema;
    return schema?.shape ? Object.keys(schema.shape) : null;
  }
  return null;
}

/**
 * The REST surface and its documentation (/docs/api.json, /docs/api). Every /api/v1 request is authenticated, then
 * counted against its principal's rate limit, and every GET answer gets an ETag (If-None-Match → 304).
 */
export function createApiRouter(_runtime: Runtime): OpenAPIHono<AppEnv> {
  const router = apiRouter();
  // The HRIS webhook authenticates by its signature, before (and instead of) REST authentication.
  router.route('/', integrationWebhookRoutes());
  router.use('/api/v1/*', restAuthentication(), apiRateLimit(), apiRequestLimits(), refuseWhatRoutesDoNotTake(router), blankQueryAsAbsent(), conditionalGet());
  router.route('/', meRoutes());
  router.route('/', tokenRoutes());
  router.route('/', roleRoutes());
  router.route('/', structureRoutes());
  router.route('/', peopleRoutes());
  router.route('/', metricsRoutes());
  router.route('/', scenarioRoutes());
  router.route('/', scenarioChangeRoutes());
  router.route('/', scenarioDiscardRoutes());
  router.route('/', taskRoutes());
  router.route('/', snapshotRoutes());
  router.route('/', referenceRoutes());
  router.route('/', reportRoutes());
  router.route('/', historyRoutes());
  router.route('/', importRoutes());
  router.route('/', integrationRoutes());
  router.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal API token (prefix `orgo_pat_`).',
  });
  router.openAPIRegistry.registerComponent('headers', 'Link', LINK_HEADER);
  router.all('/api/v1/*', methodNotAllowed(router));
  const documentFor = openApiDocuments(router, API_INFO);
  router.get('/docs/api.json', (c) => c.json(documentFor(c.get('origin'))));
  router.get('/docs/api', (c) => renderApiDocs(c, documentFor(c.get('origin'))));
  return router;
}

interface DocumentedRoute {
  /** As documented: `/api/v1/tasks/{id}`. */
  path: string;
  pattern: RegExp;
  method: string;
  /** The query parameters the route declares (null: a schema whose keys cannot be listed, so any is let through). */
  query: Set<string> | null;
  /** Whether the route checks `If-Match` (declares the header). */
  ifMatch: boolean;
  /** The abilities it needs (`x-required-abilities`). */
  abilities: string[];
}

/** The documented routes (read once, after every family is mounted): path pattern, method, query parameters. */
function documentedRoutes(router: OpenAPIHono<AppEnv>): () => DocumentedRoute[] {
  let routes: DocumentedRoute[] | null = null;
  return () =>
    (routes ??= router.openAPIRegistry.definitions.flatMap((d) => {
      if (d.type !== 'route') return [];
      const query = d.route.request?.query as { shape?: Record<string, unknown> } | undefined;
      const headers = d.route.request?.headers as { shape?: Record<string, unknown> } | undefined;
      return [
        {
          path: d.route.path,
          pattern: new RegExp(`^${d.route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
          method: d.route.method.toUpperCase(),
          query: !query ? new Set<string>() : query.shape ? new Set(Object.keys(query.shape)) : null,
          ifMatch: Boolean(headers?.shape && 'If-Match' in headers.shape),
          abilities: (d.route as { 'x-required-abilities'?: string[] })['x-required-abilities'] ?? [],
        },
      ];
    }));
}

/**
 * A route's abilities are checked before its parameters (403 before 400).
 * An `If-Match` on a write that does not check it is a 400, not silently ignored; so is a query parameter given twice.
 * A query parameter the route does not take is a 400 naming it, like an unknown body field: a misspelt filter
 * (`?search=` for `?q=`, `?org_unit=` for `?org_unit_id=`) would otherwise answer with the whole unfiltered list.
 */
function refuseWhatRoutesDoNotTake(router: OpenAPIHono<AppEnv>): MiddlewareHandler<AppEnv> {
  const routes = documentedRoutes(router);
  return async (c, next) => {
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    // `/org-units/tree` also matches `/org-units/{id}`: a parameter is known if any matching route takes it.
    const matching = routes().filter((r) => r.method === method && r.pattern.test(c.req.path));
    // A credential without the ability a route needs is told so first, not about the parameters it got wrong (an
    // ability the plan withholds is left to the route, whose refusal names the plan).
    const principal = c.get('principal');
    const tenant = c.get('tenant');
    const withheld = tenant ? planWithholds(tenant.plan) : new Set<Ability>();
    const lacks = (a: string) => principal && !principal.abilities.has(a as Ability) && !withheld.has(a as Ability);
    const missing = matching[0]?.abilities.find((a) => matching.every((r) => r.abilities.includes(a)) && lacks(a));
    if (missing) return respondWithProblem(c, new MissingAbility(missing));
    if (method !== 'GET' && c.req.header('if-match') !== undefined && matching.length && !matching.some((r) => r.ifMatch)) {
      // Ignoring it would let the write overwrite a change the client meant to guard against.
      return respondWithProblem(c, new InvalidInput('If-Match', 'is not checked by this route (writes to a scenario check it); send the request without it'));
    }
    if (matching.length) {
      const unknown = Object.keys(c.req.queries()).find((name) => !matching.some((r) => !r.query || r.query.has(name)));
      if (unknown !== undefined) {
        return respondWithProblem(c, unknownParameter(unknown, [...new Set(matching.flatMap((r) => [...(r.query ?? [])]))]));
      }
      // Every parameter takes one value: a second one (`?limit=10&limit=20`) is refused as such, not as a bad value.
      const repeated = Object.entries(c.req.queries()).find(([name, values]) => values.length > 1 && /^[A-Za-z0-9_.-]{1,64}$/.test(name));
      if (repeated) return respondWithProblem(c, new InvalidInput(repeated[0], `is given ${repeated[1].length} times; send it once`));
    }
    await next();
  };
}

/**
 * Reached only when no route answered: a path the API has, with a method it does not take, is 405 with `Allow`
 * (the methods come from the documented routes); any other path falls through to 404.
 */
function methodNotAllowed(router: OpenAPIHono<AppEnv>) {
  const routes = documentedRoutes(router);
  return (c: Context<AppEnv>) => {
    const methodsOf = (path: string) => [...new Set(routes().filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
    const allowed = methodsOf(c.req.path);
    if (!allowed.length) {
      // Routes match exactly: `/api/v1/scenarios/` is not `/api/v1/scenarios` (it was a 405 saying "use GET").
      const bare = c.req.path.replace(/\/+$/, '');
      if (bare !== c.req.path && methodsOf(bare).includes(c.req.method)) {
        return respondWithProblem(c, new AppError('not_found', 404, `There is nothing at ${c.req.path}.`, `Drop the trailing slash: ${bare}.`));
      }
      // A misspelt route (`/api/v1/task`) is told the one it was probably meant to be, not only "nothing here".
      const near = /^[A-Za-z0-9._~/-]{1,200}$/.test(c.req.path) ? nearestRoute(routes(), c.req.method, c.req.path) : null;
      const where = 'Every route is listed at /docs/api.';
      return respondWithProblem(c, new AppError('not_found', 404, 'There is no API route at this address.', near ? `Did you mean ${near}? ${where}` : where));
    }
    if (allowed.includes('GET')) allowed.push('HEAD');
    const response = respondWithProblem(c, new AppError('method_not_allowed', 405, `${c.req.method} is not allowed on ${c.req.path}.`, `Use ${allowed.join(', ')} (see /docs/api).`));
    response.headers.set('Allow', allowed.join(', '));
    return response;
  };
}

/**
 * The documented route nearest `path` (a few letters off: `/api/v1/task`, `/api/v1/scenarios/<id>/delt`), with the
 * path's own ids in place of `{id}`; one of `method` first. Null when none is that close.
 */
function nearestRoute(routes: readonly DocumentedRoute[], method: string, path: string): string | null {
  const given = path.split('/');
  let best: { route: string; distance: number } | null = null;
  for (const r of routes) {
    const template = r.path.split('/');
    const candidate = template.length === given.length ? template.map((part, i) => (/^\{.+\}$/.test(part) ? given[i]! : part)).join('/') : r.path;
    const distance = editDistance(candidate, path) + (r.method === method ? 0 : 0.5);
    if (distance <= 3 && (!best || distance < best.distance)) best = { route: `${r.method} ${candidate}`, distance };
  }
  return best?.route ?? null;
}

/** Levenshtein distance: the fewest one-character insertions, deletions and substitutions from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
