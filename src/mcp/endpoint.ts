import { randomUUID } from 'node:crypto';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Principal } from '../access/policy.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { GraphStore } from '../org/graph-store.js';
import { PLAN_FEATURES } from '../tenancy/plans.js';
import type { Tenant } from '../tenancy/tenants.js';
import { methodNotAllowed, originAllowed, readBody, requestIdOf, rpcError, withBody } from './http-guards.js';
import { rateLimitFor } from '../config.js';
import { RateLimited, rateLimitHeaders, rateLimitSubject } from '../http/rate-limit.js';
import { SharedRateCounter } from '../http/rate-counter.js';
import { withHeaders } from '../http/response-headers.js';
import { ListingMemo } from './listing-memo.js';
import { buildServer } from './server.js';
import { callOf, McpSession, type McpCall } from './session.js';
import { metrics } from '../observability/metrics.js';

export interface McpEndpointDeps {
  graphs: GraphStore;
  db: Db;
  logger: Logger;
  config: Pick<Config, 'mcpAllowedOrigins' | 'mcpRateLimit' | 'mcpActionRateLimit'>;
  /** The process's request budgets (the runtime's); by default one of the endpoint's own. */
  rateCounter?: SharedRateCounter;
}

/** Who is calling, established by the guard in front (tenant from the host, principal from the credential). */
export interface McpAuth {
  tenant: Tenant;
  principal: Principal;
  /** `<scheme>://<host[:port]>` of this request (the tenant host's own origin). */
  origin: string;
  requestId?: string;
  /** The request's logger (bound to its request id); by default a child of the endpoint's logger. */
  logger?: Logger;
  /** Told what a readable body asks for (method, tool name), whatever the protocol era: for the request log. */
  onCall?: (call: McpCall | null) => void;
}

export type McpHandle = (request: Request, auth: McpAuth) => Promise<Response>;

/**
 * The remote MCP endpoint (`/mcp/orgonaut`): stateless Streamable HTTP for 2026-07-28 clients and, through the
 * SDK's stateless fallback, 2025-11-25 and 2025-06-18 clients. Authentication happens before `handle`; here we
 * refuse other methods (405), foreign origins (403), oversized bodies (413) and oversized strings (400), then
 * hand the request to the SDK with the caller's session. The SDK builds one server per request (buildServer),
 * answers OAuth step-ups (403 insufficient_scope) before dispatch and never redirects.
 *
 * Mount: `app.all('/mcp/orgonaut', guard, (c) => handle(c.req.raw, { tenant, principal, origin, requestId }))`.
 */
export function createMcpEndpoint(deps: McpEndpointDeps): McpHandle {
  const { logger } = deps;
  const rateCounter = deps.rateCounter ?? new SharedRateCounter(deps.db);
  const handler = createMcpHandler((ctx) => buildServer(McpSession.from(ctx.authInfo)), {
    // The SDK reports every refused request here with a stack; they are the client's mistakes, not ours.
    onerror: (error) => logger.debug({ err: error }, 'MCP request refused by the SDK'),
  });
  const listings = new ListingMemo();

  return async function handle(request, auth) {
    const refused = refuseOutOfScope(auth);
    if (refused) return refused;
    if (request.method !== 'POST') return methodNotAllowed();
    if (!originAllowed(request.headers.get('origin'), auth.origin, deps.config.mcpAllowedOrigins)) {
      return rpcError(403, -32000, 'Origin not allowed: call this MCP server from its own host or a configured origin.');
    }
    const body = await readBody(request);
    if (!body.ok) return body.response;
    const call = callOf(body.parsed);
    auth.onCall?.(call);

    const rule = rateLimitFor(deps.config.mcpRateLimit, auth.tenant.plan);
    const budget = await rateCounter.consume(`mcp:${auth.tenant.id}:${rateLimitSubject(auth.principal)}`, rule);
    const limitHeaders = rateLimitHeaders(budget);
    if (!budget.allowed) {
      metrics.rateLimited.inc({ surface: 'mcp' });
      const refusal = new RateLimited(rule, budget.retryAfter, 'MCP requests');
      return rpcError(429, -32000, `${refusal.message} ${refusal.fix}`, requestIdOf(body.parsed), limitHeaders, refusal.details);
    }

    const requestId = auth.requestId ?? randomUUID();
    const requestLogger = auth.requestId !== undefined && auth.logger ? auth.logger : logger.child({ requestId });
    const ctx = { db: deps.db, graphs: deps.graphs, tenant: auth.tenant, principal: auth.principal, requestId, logger: requestLogger };
    const session = new McpSession(ctx, auth.origin, call, rateLimitFor(deps.config.mcpActionRateLimit, auth.tenant.plan));
    const listing = listings.requestOf(request, body.parsed, `${session.names} ${[...(auth.principal.scopes ?? [])].sort().join(' ')}`);
    try {
      // With the parsed body the SDK reads nothing from the request (its documented way to pass a consumed one);
      // an unparsable body is handed over again for the SDK to answer.
      const response =
        listings.answer(listing) ??
        (await listings.remember(
          listing,
          await handler.fetch(body.parsed !== undefined ? request : withBody(request, body.text), {
            authInfo: session.toAuthInfo(),
            ...(body.parsed !== undefined ? { parsedBody: body.parsed } : {}),
          }),
        ));
      // Answers are per caller: never cached by intermediaries (unless the SDK said otherwise); with the budget.
      return withHeaders(response, { ...(response.headers.has('Cache-Control') ? {} : { 'Cache-Control': 'no-store' }), ...limitHeaders });
    } catch (error) {
      logger.error({ err: error, requestId }, 'MCP endpoint failed');
      return rpcError(500, -32603, `Internal error (request id ${requestId}).`);
    }
  };
}

/**
 * Defence in depth behind the guard: MCP exists only on plans that include it (else 404, SPEC §2) and only for a
 * principal of the host's tenant (else 404, as for any other tenant's resource).
 */
function refuseOutOfScope(auth: McpAuth): Response | null {
  if (!PLAN_FEATURES[auth.tenant.plan].mcp || auth.principal.tenantId !== auth.tenant.id) {
    return rpcError(404, -32000, 'There is nothing at this address.');
  }
  return null;
}

