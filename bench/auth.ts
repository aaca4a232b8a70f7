import http from 'node:http';
import * as oauth from 'oauth4webapi';
import { Authenticator } from '../src/access/authenticator.js';
import { openPostgres } from '../src/db/connection.js';
import { verifyAccessToken } from '../src/oauth/index.js';
import { createTenant, findTenantBySlug } from '../src/tenancy/tenants.js';
import { benchOwnerToken, benchSeconds, BENCH_PASSWORD, startOrgonaut, type ServerProcess } from './mcp.js';
import { formatBytes, now, type BenchTarget, type Row } from './support.js';

/**
 * Issue 3: what authenticating one MCP request costs, and how fast the token endpoint rotates refresh tokens.
 *
 * - `Authenticator.fromApiToken` (a personal API token, the manual fallback) and `Authenticator.fromOAuth` (an OAuth
 *   access token of this host's MCP resource) called directly on PostgreSQL: cold (a fresh Authenticator for each
 *   call: every lookup goes to the database) and warm (one Authenticator, its sub-second caches filled: what most
 *   requests of a busy client pay; the aim is < 100 µs). p50 and p99 in µs.
 * - `POST /oauth/token` with `grant_type=refresh_token` against a real server (`src/main.ts serve` in its own
 *   process) after real authorizations (dynamic registration, sign-in, consent, code + PKCE): refresh tokens rotate,
 *   so each chain is sequential — every refresh uses the token the previous one returned; several chains run side by
 *   side for the concurrent figure. The endpoint's rate limit (per client address) is kept out of the figure by
 *   giving each chain its own loopback source address and at most REFRESHES_PER_CHAIN refreshes.
 *
 * PostgreSQL only. `BENCH_SECONDS` (default 10) sets the duration of each token-endpoint measurement.
 */

export const AUTH_WORKLOADS = ['auth'] as const;

const TENANT = 'bench-auth';
const OWNER = 'owner@bench-auth.test';
const COLD_CALLS = 300;
const WARM_BATCHES = 20;
const WARM_BATCH = 1_000;
const CHAINS = [1, 8] as const;
/**
 * The token endpoint allows 600 requests a minute per client address and tenant (OAUTH_RATE_LIMITS): each chain
 * sends from a loopback address of its own (127.0.<measurement>.<chain>) and stops at this many refreshes.
 */
const REFRESHES_PER_CHAIN = 500;
/** An https redirect: consent is remembered per user and client after the first authorization (loopback ones are asked each time). */
const REDIRECT_URI = 'https://claude.ai/api/mcp/auth_callback';

export interface AuthRun {
  label: string;
  target: BenchTarget;
}

export async function runAuth(run: AuthRun, report: (row: Row) => void): Promise<void> {
  if (run.target.kind !== 'postgres') throw new Error('the auth workload needs PostgreSQL');
  const row = (workload: string, fields: Partial<Row>): void =>
    report({ database: run.label, workload, size: '-', time: '', rssPeak: '-', heapPeak: '-', notes: '', ...fields });

  const database = await openPostgres(run.target.url, { max: 4 });
  let server: ServerProcess | null = null;
  try {
    const db = database.db;
    const tenant =
      (await findTenantBySlug(db, TENANT)) ?? (await createTenant(db, { slug: TENANT, name: 'Bench auth', plan: 'enterprise', reportingCurrency: 'EUR' }));
    const { token } = await benchOwnerToken(db, tenant, OWNER);

    // Personal API token, directly.
    const apiCold = await coldCalls((a) => a.fromApiToken(tenant, token), db);
    row('auth fromApiToken, cold', { time: formatUs(apiCold.p50), notes: `p99 ${formatUs(apiCold.p99)}; ${COLD_CALLS} calls, a fresh Authenticator each (token, membership and role-bundle queries)` });
    const apiWarm = await warmCalls((a) => a.fromApiToken(tenant, token), db);
    row('auth fromApiToken, warm', { time: formatUs(apiWarm.p50), notes: `p99 ${formatUs(apiWarm.p99)}; ${apiWarm.n.toLocaleString('en-US')} calls on cached lookups (aim < 100 µs)` });

    // A real server for the OAuth flows; its bare loopback host serves the tenant (ORGONAUT_DEFAULT_TENANT).
    server = await startOrgonaut(run.target.url, { ORGONAUT_DEFAULT_TENANT: TENANT, ORGONAUT_LOG_LEVEL: 'warn' });
    const origin = `http://127.0.0.1:${server.port}`;
    const flow = await OAuthFlow.start(origin);
    const grants: oauth.TokenEndpointResponse[] = [];
    const flowStarted = now();
    for (let i = 0; i < Math.max(...CHAINS); i++) grants.push(await flow.authorize());
    const flowMs = (now() - flowStarted) / grants.length;

    // OAuth access token, directly.
    const resource = `${origin}/mcp/orgonaut`;
    const accessToken = grants[0]!.access_token;
    const oauthCold = await coldCalls((a) => a.fromOAuth(tenant, accessToken, resource), db);
    row('auth fromOAuth, cold', { time: formatUs(oauthCold.p50), notes: `p99 ${formatUs(oauthCold.p99)}; ${COLD_CALLS} calls, a fresh Authenticator each (token + grant, membership, role bundle)` });
    const oauthWarm = await warmCalls((a) => a.fromOAuth(tenant, accessToken, resource), db);
    row('auth fromOAuth, warm', {
      time: formatUs(oauthWarm.p50),
      notes: `p99 ${formatUs(oauthWarm.p99)}; ${oauthWarm.n.toLocaleString('en-US')} calls; membership and bundle cached, the access-token lookup is not (one query per call)`,
    });

    // The token endpoint.
    row('oauth authorization flow', {
      time: formatMsShort(flowMs),
      notes: `mean of ${grants.length}: authorize → (sign-in, consent the first time) → code → token, client side included`,
    });
    const seconds = benchSeconds();
    for (const [measurement, chains] of CHAINS.entries()) {
      // Each measurement continues from the refresh tokens the previous one rotated to.
      const mine = grants.slice(0, chains);
      const result = await refreshChains(flow, mine, seconds, measurement + 1);
      grants.splice(0, chains, ...mine);
      const rss = server.peakRss();
      row(`oauth refresh grants, ${chains} chain${chains > 1 ? 's' : ''}`, {
        time: formatMsShort(result.p50),
        rssPeak: rss ? `${formatBytes(rss)} (server)` : '-',
        notes: `${result.rps.toFixed(0)} refreshes/s, p50 ${formatMsShort(result.p50)}, p99 ${formatMsShort(result.p99)}; ${result.n} in ${result.seconds.toFixed(1)} s, each with the token the previous returned`,
      });
    }
  } finally {
    await server?.stop();
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Direct Authenticator calls

interface Timings {
  p50: number;
  p99: number;
  n: number;
}

/** Each call on a fresh Authenticator (empty caches). Microseconds. */
async function coldCalls(call: (a: Authenticator) => Promise<unknown>, db: Parameters<typeof verifyAccessToken>[0]): Promise<Timings> {
  for (let i = 0; i < 10; i++) await call(new Authenticator(db, verifyAccessToken)); // connections and JIT warmed
  const times: number[] = [];
  for (let i = 0; i < COLD_CALLS; i++) {
    const authenticator = new Authenticator(db, verifyAccessToken);
    const started = now();
    await call(authenticator);
    times.push((now() - started) * 1000);
  }
  return percentiles(times);
}

/**
 * Batches of calls on one Authenticator, each batch right after a call that fills its caches, so every timed call
 * finds them fresh (they live 800 ms). Microseconds.
 */
async function warmCalls(call: (a: Authenticator) => Promise<unknown>, db: Parameters<typeof verifyAccessToken>[0]): Promise<Timings> {
  const authenticator = new Authenticator(db, verifyAccessToken);
  const times: number[] = [];
  for (let batch = 0; batch < WARM_BATCHES; batch++) {
    await call(authenticator);
    for (let i = 0; i < WARM_BATCH; i++) {
      const started = now();
      await call(authenticator);
      times.push((now() - started) * 1000);
    }
  }
  return percentiles(times);
}

function percentiles(values: number[]): Timings {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

function formatUs(us: number): string {
  return us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : us >= 100 ? `${us.toFixed(0)} µs` : `${us.toFixed(1)} µs`;
}

function formatMsShort(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth against the running server

/**
 * Refresh chains side by side for `seconds` (or REFRESHES_PER_CHAIN refreshes each); each chain refreshes with the
 * token its previous refresh returned, from its own loopback address 127.0.<measurement>.<chain>. `grants` is
 * updated in place with each chain's latest tokens.
 */
async function refreshChains(flow: OAuthFlow, grants: oauth.TokenEndpointResponse[], seconds: number, measurement: number) {
  const times: number[] = [];
  const deadline = now() + seconds * 1000;
  const started = now();
  await Promise.all(
    grants.map(async (grant, index) => {
      const from = `127.0.${measurement}.${index + 1}`;
      let current = grant;
      for (let n = 0; n < REFRESHES_PER_CHAIN && now() < deadline; n++) {
        const t = now();
        current = await flow.refresh(current.refresh_token!, from);
        times.push(now() - t);
      }
      grants[index] = current;
    }),
  );
  const elapsed = (now() - started) / 1000;
  const p = percentiles(times);
  return { rps: times.length / elapsed, p50: p.p50, p99: p.p99, n: times.length, seconds: elapsed };
}

/** fetch for oauth4webapi that sends from `localAddress` (kept-alive connections, as a client library keeps them). */
function fetchFrom(localAddress: string): (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response> {
  const agent = new http.Agent({ keepAlive: true });
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const headers: Record<string, string> = { ...init.headers };
      const body = typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = http.request(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method, headers, localAddress, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (Array.isArray(value)) value.forEach((v) => out.append(name, v));
              else if (value !== undefined) out.set(name, value);
            }
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: out }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * One MCP client of the tenant host at `origin`: registered dynamically (public, PKCE), authorizing as the bench
 * owner through the server's own sign-in and consent pages (plain form posts with the cookies they set).
 */
class OAuthFlow {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  private readonly options = { [oauth.allowInsecureRequests]: true } as const;

  private constructor(
    private readonly origin: string,
    private readonly as: oauth.AuthorizationServer,
    private readonly client: oauth.Client,
  ) {}

  static async start(origin: string): Promise<OAuthFlow> {
    const options = { [oauth.allowInsecureRequests]: true } as const;
    const issuer = new URL(`${origin}/mcp/orgonaut`);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        as,
        { client_name: 'Orgonaut bench', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
        options,
      ),
    );
    return new OAuthFlow(origin, as, client);
  }

  async authorize(): Promise<oauth.TokenEndpointResponse> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(this.as.authorization_endpoint!);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: this.client.client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    })) {
      url.searchParams.set(k, v);
    }
    let response = await this.request(url.href);
    for (let step = 0; step < 20; step++) {
      const location = response.headers.get('location');
      if (location?.startsWith(REDIRECT_URI)) {
        const params = oauth.validateAuthResponse(this.as, this.client, new URL(location), state);
        const tokens = await oauth.authorizationCodeGrantRequest(this.as, this.client, oauth.None(), params, REDIRECT_URI, verifier, this.options);
        return oauth.processAuthorizationCodeResponse(this.as, this.client, tokens);
      }
      if (location) {
        response = await this.request(new URL(location, this.origin).href);
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`authorization stopped at HTTP ${response.status}: ${html.slice(0, 500)}`);
      const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
      if (!form) throw new Error(`no form on the page: ${html.slice(0, 500)}`);
      const fields: Record<string, string> = {};
      for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[name!] = decode(value!);
      if (/name="password"/.test(form[2]!)) Object.assign(fields, { email: OWNER, password: BENCH_PASSWORD });
      else fields.decision = 'allow';
      response = await this.request(new URL(decode(form[1]!), this.origin).href, fields);
    }
    throw new Error('too many steps in the authorization');
  }

  private readonly fetchers = new Map<string, ReturnType<typeof fetchFrom>>();

  /** A refresh grant sent from the loopback address `from`. */
  async refresh(refreshToken: string, from: string): Promise<oauth.TokenEndpointResponse> {
    let fetcher = this.fetchers.get(from);
    if (!fetcher) this.fetchers.set(from, (fetcher = fetchFrom(from)));
    const response = await oauth.refreshTokenGrantRequest(this.as, this.client, oauth.None(), refreshToken, { ...this.options, [oauth.customFetch]: fetcher });
    return oauth.processRefreshTokenResponse(this.as, this.client, response);
  }

  /** GET, or a form POST with the Origin a browser sends; cookies kept per path; redirects not followed. */
  private async request(url: string, form?: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.cookies]
      .filter(([, c]) => target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    if (cookie) headers.cookie = cookie;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = this.origin;
    }
    const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      if (value === '' || attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return response;
  }
}

function decode(text: string): string {
  return text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

