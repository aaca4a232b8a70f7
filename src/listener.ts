import { serve, type ServerType } from '@hono/node-server';
// Loaded before `serve` replaces the global Response with its lighter one: the OAuth bridge's "already sent" answer
// must be a standard Response, or the server writes its headers a second time (ERR_HTTP_HEADERS_SENT, a reset
// connection). The app used to be loaded before the port was bound, which did this by chance.
import '@hono/node-server/utils/response';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { StartupError } from './startup-errors.js';

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** The HTTP port, bound before anything slow (database, migrations, the app) so a taken port is reported at once. */
export interface Listener {
  server: ServerType;
  port: number;
  /** Hands the requests to the app once start-up is done; until then they are answered by `starting`. */
  handle(fetch: Fetch): void;
  close(): Promise<void>;
}

/**
 * Binds HOST:PORT. Until `handle` is called the process is up but not ready: /healthz answers 200, /readyz and
 * everything else 503 with Retry-After (load balancers send no traffic, clients are told to come back).
 * Light on purpose: it loads neither the database engine nor the app.
 */
export function bindPort(config: Pick<Config, 'port' | 'host' | 'databaseUrl' | 'keepAliveSeconds'>): Promise<Listener> {
  let current: Fetch = starting(config.databaseUrl ? 'postgres' : 'embedded');
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request, env) => current(request, env), port: config.port, hostname: config.host }, () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        handle: (fetch) => void (current = fetch),
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
    keepConnectionsOpen(server, config.keepAliveSeconds);
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, config)));
  });
}

/**
 * An idle keep-alive connection stays open `ORGONAUT_KEEP_ALIVE_SECONDS` (65 s), longer than the load balancer in
 * front keeps its idle connections (60 s on AWS ALB and nginx by default): the balancer closes an idle connection
 * first and never sends a request on one the server is closing at that moment — with Node's default of 5 s such
 * requests failed as connection resets (ECONNRESET; the soak saw them once the machine was loaded). Headers must
 * arrive within a second more.
 */
function keepConnectionsOpen(server: ServerType, seconds: number): void {
  const http = server as { keepAliveTimeout?: number; headersTimeout?: number };
  http.keepAliveTimeout = seconds * 1_000;
  http.headersTimeout = (seconds + 1) * 1_000;
}

function listenError(error: NodeJS.ErrnoException, { host, port }: Pick<Config, 'port' | 'host'>): Error {
  if (error.code === 'EADDRINUSE') return new StartupError(`port ${port} on ${host} is already in use; stop the other process or choose another port with PORT (e.g. PORT=${port === 65_535 ? 3000 : port + 1})`);
  if (error.code === 'EACCES') return new StartupError(`not allowed to listen on ${host}:${port}; choose a PORT above 1024`);
  if (error.code === 'EADDRNOTAVAIL') return new StartupError(`HOST ${host} is not an address of this machine`);
  // A host name that does not resolve (a typo, a name only another machine knows), or DNS failing at that moment.
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_NONAME' || error.code === 'EAI_AGAIN' || error.code === 'EAI_FAIL') {
    return new StartupError(`HOST ${host} is not an address or host name of this machine (it does not resolve: ${error.code}); use an address such as 127.0.0.1, or 0.0.0.0 for all`);
  }
  return error;
}

function starting(database: 'embedded' | 'postgres'): Fetch {
  return (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return Response.json({ status: 'ok' });
    const headers = { 'retry-after': '2', 'cache-control': 'no-store' };
    if (pathname === '/readyz') return Response.json({ status: 'starting', database }, { status: 503, headers });
    return new Response('Orgonaut is starting (database, migrations); try again in a moment.\n', { status: 503, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
  };
}
