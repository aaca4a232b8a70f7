import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import * as oauth from 'oauth4webapi';
import { expect } from 'vitest';
import { createApp, createRuntime, type Runtime } from '../../src/app.js';
import type { Database } from '../../src/db/connection.js';
import { createLogger } from '../../src/logger.js';
import { Authenticator } from '../../src/access/authenticator.js';
import { configureOAuth, oauthRoutes, verifyAccessToken, type OAuthOptions } from '../../src/oauth/index.js';
import type { Plan } from '../../src/tenancy/plans.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { testConfig } from '../support/app.js';
import type { Config } from '../../src/config.js';

/**
 * OAuth tests run against a real loopback listener: oidc-provider answers on Node's req/res, which `app.request()`
 * does not have. Tenant hosts are `<slug>.localhost:<port>`; Node cannot resolve `*.localhost`, so `loopbackFetch`
 * connects to 127.0.0.1 and keeps the Host header. `Browser` keeps cookies per host and drives the HTML forms.
 */

export const PASSWORD = 'correct horse battery';

export interface OAuthServer {
  /** False while app.ts does not mount the OAuth routes itself (the harness then adds them after every middleware). */
  mountedByApp: boolean;
  database: Database;
  runtime: Runtime;
  port: number;
  origin(tenant: Pick<Tenant, 'slug'>): string;
  close(): Promise<void>;
}

/** A server on its own test database, or a second instance on another server's database (`database`). */
export async function startOAuthServer(
  options: { redirectDomains?: string[]; oauth?: OAuthOptions; database?: Database; config?: Partial<Config> } = {},
): Promise<OAuthServer> {
  const database = options.database ?? (await testDatabase());
  const config = testConfig({ host: '127.0.0.1', port: 0, baseDomain: 'localhost', mcpRedirectDomains: options.redirectDomains ?? [], ...options.config });
  const runtime = createRuntime(config, database, createLogger('silent'));
  configureOAuth(runtime, { maintenanceEveryMs: null, ...options.oauth });
  // Until app.ts wires the OAuth server's verifier into the resource-server guard.
  runtime.authenticator = new Authenticator(database.db, verifyAccessToken);
  const app = createApp(runtime);
  // Until app.ts mounts the OAuth server itself.
  const mountedByApp = app.routes.some((r) => r.path.startsWith('/oauth/'));
  if (!mountedByApp) app.route('/', oauthRoutes(runtime));
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    mountedByApp,
    database,
    runtime,
    port,
    origin: (tenant) => `http://${tenant.slug}.localhost:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.database) await database.close();
    },
  };
}

/** A tenant with a member who can sign in (password {@link PASSWORD}). */
export async function tenantWithMember(server: OAuthServer, plan: Plan = 'business', role: 'owner' | 'manager' | 'viewer' = 'manager') {
  const tenant = await buildTenant(server.database, { plan });
  const user = await buildMember(server.database, tenant, role, { password: PASSWORD });
  return { tenant, user, origin: server.origin(tenant) };
}

/** A tenant and its member as `tenantWithMember` makes them. */
export type Member = Awaited<ReturnType<typeof tenantWithMember>>;

/** A test file's server (`startOAuthServer`) and acme: a business tenant with a manager. */
export async function serverWithAcme(): Promise<{ server: OAuthServer; acme: Member }> {
  const server = await startOAuthServer();
  return { server, acme: await tenantWithMember(server, 'business', 'manager') };
}

/**
 * `serverWithAcme`, plus globex (a business tenant with an owner) and a public client named Claude registered on acme
 * (redirect CLAUDE_REDIRECT) with acme's discovered metadata `as`: what the error tests of authorize and token need.
 */
export async function serverWithClient() {
  const { server, acme } = await serverWithAcme();
  const globex = await tenantWithMember(server, 'business', 'owner');
  const as = await discover(acme.origin);
  const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
  return { server, acme, globex, as, client };
}

/**
 * fetch for `*.localhost` hosts: connects to 127.0.0.1, keeps the Host header, never follows redirects. `via` sends
 * the request to another port with the same Host (a second instance behind the same public host).
 */
export async function loopbackFetch(input: string | URL | Request, init: RequestInit = {}, via?: { port: number }): Promise<Response> {
  const request = new Request(input, { ...init, redirect: 'manual' });
  const url = new URL(request.url);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  headers.host = url.host;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: via?.port ?? (url.port || 80), method: request.method, path: `${url.pathname}${url.search}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) value.forEach((v) => out.append(name, v));
            else if (value !== undefined) out.set(name, value);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: out }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Options every oauth4webapi call takes here: our fetch, and http allowed (loopback test server). */
export const clientOptions = { [oauth.customFetch]: loopbackFetch, [oauth.allowInsecureRequests]: true } as const;

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** A browser: cookies per host (with paths), forms posted by name, redirects followed within our hosts only. */
export class Browser {
  private readonly jars = new Map<string, StoredCookie[]>();

  constructor(private readonly port: number) {}

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = target.origin;
      body = new URLSearchParams(init.form).toString();
    }
    const response = await loopbackFetch(target, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
    this.store(target, response);
    return response;
  }

  /** Follows redirects while they stay on this server; returns the last page, or the URL it left for. */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ response: Response; url: string; left?: URL }> {
    let response = await this.request(url, init);
    let current = url;
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get('location')!, current);
      if (!this.isOurs(next)) return { response, url: current, left: next };
      current = next.href;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  isOurs(url: URL): boolean {
    return url.protocol === 'http:' && url.hostname.endsWith('localhost') && url.port === String(this.port);
  }

  private cookieHeader(url: URL): string {
    return (this.jars.get(url.host) ?? [])
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, response: Response): void {
    const jar = this.jars.get(url.host) ?? [];
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      const rest = jar.filter((c) => !(c.name === name && c.path === path));
      if (!expired && value !== '') rest.push({ name, value, path });
      jar.splice(0, jar.length, ...rest);
    }
    this.jars.set(url.host, jar);
  }
}

const browsers = new WeakMap<OAuthServer, Map<string, Browser>>();

/**
 * One browser per user and server, so a user signs in once per test file (sign-in is rate-limited per account,
 * as it should be) and later authorizations find the session, as they would in a real browser.
 */
export function browserOf(server: OAuthServer, email: string): Browser {
  let map = browsers.get(server);
  if (!map) browsers.set(server, (map = new Map()));
  let browser = map.get(email);
  if (!browser) map.set(email, (browser = new Browser(server.port)));
  return browser;
}

/** The value of an input in an HTML page. */
export function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in page:\n${html.slice(0, 2000)}`);
  return match[1]!.replaceAll('&amp;', '&');
}

export function formAction(html: string): string {
  const match = /<form method="post" action="([^"]*)"/.exec(html);
  if (!match) throw new Error('no form in page');
  return match[1]!.replaceAll('&amp;', '&');
}

/** Submits the app's sign-in page (fields email, password, csrf, return_to). */
export async function submitSignIn(browser: Browser, page: { response: Response; url: string }, email: string) {
  const html = await page.response.text();
  expect(html).toContain('Sign in');
  const action = new URL(formAction(html), page.url).href;
  return browser.follow(action, {
    form: { email, password: PASSWORD, csrf: field(html, 'csrf'), return_to: field(html, 'return_to') },
  });
}

/** Presses Allow or Deny on a consent page. */
export async function decide(browser: Browser, page: { response: Response; url: string }, decision: 'Allow' | 'Deny') {
  const html = await page.response.text();
  expect(html).toMatch(new RegExp(`>\\s*${decision}\\s*</button>`));
  const action = new URL(formAction(html), page.url).href;
  return browser.follow(action, { form: { csrf: field(html, 'csrf'), decision: decision.toLowerCase() } });
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function pkce(): Promise<Pkce> {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
}

/** An authorization URL; `extra` overrides or removes (undefined) parameters. */
export function authorizeUrl(
  as: oauth.AuthorizationServer,
  params: { clientId: string; redirectUri: string; challenge?: string; state?: string; scope?: string; resource?: string },
  extra: Record<string, string | undefined> = {},
): string {
  const url = new URL(as.authorization_endpoint!);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    code_challenge: params.challenge,
    code_challenge_method: params.challenge ? 'S256' : undefined,
    state: params.state ?? 'state-1',
    scope: params.scope,
    resource: params.resource,
    ...extra,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

export async function discover(origin: string): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(`${origin}/mcp/orgonaut`);
  const response = await oauth.discoveryRequest(issuer, { ...clientOptions, algorithm: 'oauth2' });
  return oauth.processDiscoveryResponse(issuer, response);
}

export async function registerClient(as: oauth.AuthorizationServer, metadata: Record<string, unknown>): Promise<oauth.Client> {
  const response = await oauth.dynamicClientRegistrationRequest(as, metadata as Partial<oauth.Client>, clientOptions);
  return oauth.processDynamicClientRegistrationResponse(response);
}

export const CLAUDE_CODE_REDIRECT = 'http://localhost:33418/callback';
export const CLAUDE_REDIRECT = 'https://claude.ai/api/mcp/auth_callback';

/** Authorizes a registered client as member `t` (signing in, pressing Allow on consent if shown); the code and PKCE verifier. */
export async function authorizeAndAllow(server: OAuthServer, t: Member, as: oauth.AuthorizationServer, client: oauth.Client, redirectUri: string, scope?: string, browser = browserOf(server, t.user.email)) {
  const { verifier, challenge } = await pkce();
  const state = oauth.generateRandomState();
  let page = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri, challenge, state, scope, resource: `${t.origin}/mcp/orgonaut` }));
  if (new URL(page.url).pathname === '/sign-in') page = await submitSignIn(browser, page, t.user.email);
  let consentShown = false;
  let html = '';
  if (!page.left) {
    consentShown = true;
    html = await page.response.clone().text();
    page = await decide(browser, page, 'Allow');
  }
  expect(page.left?.href.startsWith(redirectUri)).toBe(true);
  const params = oauth.validateAuthResponse(as, client, page.left!, state);
  return { params, verifier, consentShown, html, browser };
}

export async function redeem(as: oauth.AuthorizationServer, client: oauth.Client, params: URLSearchParams, redirectUri: string, verifier: string) {
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, clientOptions);
  expect(response.headers.get('cache-control')).toContain('no-store');
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

/** A new client named Claude, registered, authorized by `t` and holding tokens: a connected app. */
export async function connectApp(server: OAuthServer, t: Member, redirectUri = CLAUDE_REDIRECT, scope?: string) {
  const as = await discover(t.origin);
  const client = await registerClient(as, {
    client_name: 'Claude',
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  const auth = await authorizeAndAllow(server, t, as, client, redirectUri, scope);
  const tokens = await redeem(as, client, auth.params, redirectUri, auth.verifier);
  return { as, client, tokens, redirectUri, browser: auth.browser, resource: `${t.origin}/mcp/orgonaut`, consentHtml: auth.html };
}

export async function refresh(as: oauth.AuthorizationServer, client: oauth.Client, refreshToken: string) {
  return oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, clientOptions));
}
