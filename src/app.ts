import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { sql } from 'drizzle-orm';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import { AppError } from './errors.js';
import type { AppEnv } from './http/env.js';
import type { Logger } from './logger.js';
import { GraphStore } from './org/graph-store.js';
import { Authenticator } from './access/authenticator.js';
import { SharedRateCounter } from './http/rate-counter.js';
import { metricsEndpoint, observeRequests } from './observability/http.js';
import { TenantDirectory, resolveTenant } from './tenancy/middleware.js';
import { respondWithProblem, toProblem } from './api/problem.js';
import { createApiRouter } from './api/router.js';
import { renderErrorPage } from './web/error-page.js';
import { webRoutes } from './web/index.js';
import { sameOriginForms } from './web/forms.js';
import { requestLimits } from './http/limits.js';
import { answerWithRequestId, HSTS, noStoreByDefault } from './http/response-headers.js';
import { mcpGuard } from './access/middleware.js';
import { createMcpEndpoint } from './mcp/endpoint.js';
import { MCP_PATH } from './mcp/urls.js';
import { oauthRoutes, verifyAccessToken } from './oauth/index.js';
import { createMailer, type Mailer } from './mail/mailer.js';

/** What the app is built from: configuration, the open database and the per-process caches. */
export interface Runtime {
  config: Config;
  database: Database;
  logger: Logger;
  tenants: TenantDirectory;
  graphs: GraphStore;
  authenticator: Authenticator;
  /** Per-credential request budgets (REST, MCP), counted across instances without a query per request. */
  rateCounter: SharedRateCounter;
  /** Emails invitations and password-reset links when ORGONAUT_SMTP_URL is set; null: the links are only shown. */
  mailer: Mailer | null;
}

/** `shared.mailer`: the process's one mailer, when the caller made it already (the server shares it with the admin channel). */
export function createRuntime(config: Config, database: Database, logger: Logger, shared: { mailer?: Mailer | null } = {}): Runtime {
  return {
    config,
    database,
    logger,
    tenants: new TenantDirectory(database.db),
    graphs: new GraphStore(database.db, config.graphCacheRecords),
    authenticator: new Authenticator(database.db, verifyAccessToken),
    rateCounter: new SharedRateCounter(database.db),
    mailer: shared.mailer !== undefined ? shared.mailer : createMailer(config, logger),
  };
}

/** Builds the Hono app: request id and logging, health, tenant resolution, security headers, then the surfaces. */
export function createApp(runtime: Runtime): Hono<AppEnv> {
  const { config, database, logger } = runtime;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(answerWithRequestId());
  app.use(async function provideRuntime(c, next) {
    c.set('runtime', runtime);
    await next();
  });
  app.use(observeRequests());

  // Load balancers probe by address: health answers on any host, before tenant resolution.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', metricsEndpoint(config.metricsToken));
  app.get('/readyz', async (c) => {
    try {
      await database.db.execute(sql`select 1`);
      return c.json({ status: 'ready', database: database.kind });
    } catch {
      return c.json({ status: 'unavailable', database: database.kind }, 503);
    }
  });

  // Pages, JSON and assets travel gzip- or deflate-compressed when the client accepts it (a load balancer need not):
  // a large organisation's change tray is ~650 KB of HTML and ~10× smaller compressed. Event streams (MCP's SSE) stay
  // uncompressed so each event arrives at once. Pages mask their CSRF token anew on every answer (formCsrf), so
  // compression leaks nothing about it (BREACH).
  app.use(compress());
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      strictTransportSecurity: config.publicScheme === 'https' ? HSTS : false,
      xFrameOptions: 'DENY',
      // 'same-origin', not 'no-referrer': with no-referrer Chromium sends `Origin: null` on same-origin form posts.
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(noStoreByDefault());
  app.use(resolveTenant(runtime.tenants, config));
  // OAuth before the same-origin form check: browser-based MCP clients post to /oauth/* from their own origin.
  app.route('/', oauthRoutes(runtime));
  app.use(sameOriginForms());
  app.use(requestLimits());

  const mcp = createMcpEndpoint({ graphs: runtime.graphs, db: database.db, logger, config, rateCounter: runtime.rateCounter });
  app.use(MCP_PATH, mcpGuard());
  app.all(MCP_PATH, (c) =>
    mcp(c.req.raw, {
      tenant: c.get('tenant')!,
      principal: c.get('principal')!,
      origin: c.get('origin'),
      requestId: c.get('requestId'),
      logger: c.get('logger'),
      onCall: (call) => c.set('mcpCall', call),
    }),
  );
  app.route('/', createApiRouter(runtime));
  app.route('/', webRoutes(runtime));

  app.notFound((c) => {
    const error = new AppError('not_found', 404, 'There is nothing at this address.');
    return wantsHtml(c.req.header('accept'), c.req.path) ? renderErrorPage(c, error) : respondWithProblem(c, error);
  });
  app.onError((error, c) => {
    const problem = toProblem(error, c.get('requestId'));
    if (problem.status >= 500) c.get('logger')?.error({ err: error }, 'unhandled error');
    return wantsHtml(c.req.header('accept'), c.req.path) ? renderErrorPage(c, error) : respondWithProblem(c, error);
  });
  return app;
}

/** Browsers get pages; API clients, MCP clients and everything under /api get problem details. */
function wantsHtml(accept: string | undefined, path: string): boolean {
  if (path.startsWith('/api/') || path.startsWith('/mcp/') || path.startsWith('/.well-known/')) return false;
  return accept?.includes('text/html') ?? false;
}
