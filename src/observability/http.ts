import { sameSecret } from '../secrets/compare.js';
import type { Handler, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env.js';
import { metrics } from './metrics.js';
import type { McpCall } from '../mcp/session.js';
import { MCP_PATH } from '../mcp/urls.js';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * One JSON log line per request — request id, tenant, principal kind and app, MCP method, tool and its outcome,
 * status, latency; never
 * a header, token, body or figure — and the request metrics by route pattern (not by path: ids stay out of labels).
 */
export function observeRequests(): MiddlewareHandler<AppEnv> {
  return async function observeRequestsMiddleware(c, next) {
    const started = performance.now();
    c.set('logger', c.get('runtime').logger.child({ requestId: c.get('requestId') }));
    await next();
    const seconds = (performance.now() - started) / 1000;
    // The OAuth server answers on Node's response itself (RESPONSE_ALREADY_SENT): its status is there, not in c.res.
    const outgoing = (c.env as { outgoing?: { headersSent: boolean; statusCode: number } } | undefined)?.outgoing;
    const status = outgoing?.headersSent ? outgoing.statusCode : c.res.status;
    const method = c.req.method;
    const path = c.req.path;
    const route = status === 404 && !c.get('tenant') ? 'unmatched' : c.req.routePath;
    metrics.requests.inc({ route, method, status: STATUS_CLASSES[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx` });
    metrics.latency.observe({ route }, seconds);
    const line: Record<string, unknown> = {
      method,
      path: withoutSecrets(path, c.req.routePath),
      status,
      ms: Math.round(seconds * 1000),
      tenant: c.get('tenant')?.slug,
      principal: c.get('principal')?.kind,
      client: c.get('principal')?.clientName ?? undefined,
    };
    // What the body asked for (every protocol era), else the 2026-07-28 headers (a request refused before its body),
    // and how a tool call ended (its HTTP status is 200 either way).
    const call = path === MCP_PATH ? (c.get('mcpCall') ?? headerCall(c.req.header('mcp-method'), c.req.header('mcp-name'))) : null;
    if (call) {
      line.mcpMethod = call.method;
      line.mcpName = call.name;
      if (call.outcome) Object.assign(line, { mcpTool: call.tool, mcpOutcome: call.outcome, mcpError: call.code });
      call.logged = true;
    }
    // A load balancer probes every few seconds and Prometheus scrapes: answered probes are logged at debug only.
    if (status < 300 && PROBES.has(path)) c.get('logger').debug(line, 'request');
    else c.get('logger').info(line, 'request');
  };
}

function headerCall(method: string | undefined, name: string | undefined): McpCall | null {
  return method ? { method, ...(name ? { name } : {}) } : null;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** Path parameters that are credentials: an invitation's or a password reset's single-use token. */
const SECRET_PARAMS = new Set([':token']);

/**
 * The request path for the log, with every secret path parameter replaced: `/invitations/[redacted]`. Whoever reads
 * the logs must not be able to accept an invitation or reset a password with what they find there.
 */
export function withoutSecrets(path: string, routePath: string): string {
  const pattern = routePath.split('/');
  if (!pattern.some((segment) => SECRET_PARAMS.has(segment))) return path;
  const segments = path.split('/');
  if (segments.length !== pattern.length) return routePath;
  return segments.map((segment, i) => (SECRET_PARAMS.has(pattern[i]!) ? '[redacted]' : segment)).join('/');
}

/** `/metrics` in Prometheus text format: from loopback, or anywhere with the configured bearer token. */
export function metricsEndpoint(token: string | null): Handler<AppEnv> {
  return (c) => {
    const header = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
    const tokenOk = token !== null && sameSecret(token, header);
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    const peer = env?.incoming?.socket?.remoteAddress;
    const loopback = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
    const forwarded = c.req.header('x-forwarded-for') !== undefined;
    if (!tokenOk && !(loopback && !forwarded)) return c.text('Not found', 404);
    return c.body(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
  };
}
