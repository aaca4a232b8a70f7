import {
  Client,
  OAuthError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type CallToolResult,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, CLAUDE_CODE_REDIRECT, decide, loopbackFetch, serverWithAcme, submitSignIn, tenantWithMember, type Member, type OAuthServer } from './support.js';

/**
 * The official SDK client's own OAuth sign-in, end to end (issue 4's test list): from a bare connect to
 * `<tenant host>/mcp/orgonaut` on a real listener, the SDK gets the 401 challenge, reads the protected resource
 * metadata and the authorization server metadata, registers itself dynamically and sends the user agent to
 * /oauth/authorize. Our `OAuthClientProvider` plays the user agent: a browser with a cookie jar that signs in and
 * presses Allow (or Deny) on the consent page, the CSRF tokens taken from the forms as a browser would post them,
 * and keeps the URL the server redirected back to. `transport.finishAuth` redeems the code (PKCE, `iss` checked by
 * the SDK); a new connection then lists the tools and calls one. No token request is made by the test itself.
 */

let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
});
afterAll(async () => server?.close());

/** One HTTP exchange the SDK made (its fetch), for the order of the flow. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  authorization: string | null;
}

/** The SDK's fetch: through `loopbackFetch` (tenant hosts on 127.0.0.1), every exchange recorded. */
function recordingFetch(log: Exchange[]) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await loopbackFetch(request.clone());
    log.push({ method: request.method, path: new URL(request.url).pathname, status: response.status, authorization: request.headers.get('authorization') });
    return response;
  };
}

/**
 * An MCP client application (Claude Code-like: a loopback redirect), with the user's browser. `redirectToAuthorization`
 * opens the authorization URL in the browser, signs in if asked, presses `decision` on the consent page and keeps the
 * callback URL the server sent the browser to.
 */
class BrowserOAuthProvider implements OAuthClientProvider {
  readonly browser: Browser;
  authorizationUrl?: URL;
  callback?: URL;
  consentHtml = '';
  savedState?: string;
  private client?: StoredOAuthClientInformation;
  private stored?: StoredOAuthTokens;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;

  constructor(
    private readonly member: Member,
    private readonly decision: 'Allow' | 'Deny',
  ) {
    this.browser = new Browser(server.port);
  }

  get redirectUrl(): string {
    return CLAUDE_CODE_REDIRECT;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK Test Client',
      redirect_uris: [CLAUDE_CODE_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    this.savedState = crypto.randomUUID();
    return this.savedState;
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info: StoredOAuthClientInformation) {
    this.client = info;
  }

  tokens() {
    return this.stored;
  }

  saveTokens(tokens: StoredOAuthTokens) {
    this.stored = tokens;
  }

  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }

  discoveryState() {
    return this.discovery;
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrl = url;
    let page = await this.browser.follow(url.href);
    if (new URL(page.url).pathname === '/sign-in') page = await submitSignIn(this.browser, page, this.member.user.email);
    expect(page.left, 'a consent page before any redirect to the client').toBeUndefined();
    this.consentHtml = await page.response.clone().text();
    const decided = await decide(this.browser, page, this.decision);
    expect(decided.left, 'the browser sent back to the client').toBeDefined();
    this.callback = decided.left;
  }
}

const mcpUrl = (member: Member) => new URL(`${member.origin}/mcp/orgonaut`);

describe('the official SDK client signing in with OAuth', () => {
  it('goes from a bare connect through the 401, discovery, registration, sign-in and consent to tools/list and a tool call', async () => {
    const provider = new BrowserOAuthProvider(acme, 'Allow');
    const log: Exchange[] = [];
    const fetch = recordingFetch(log);

    // 1. A bare connect: no tokens yet. The SDK starts OAuth on the 401 and hands the browser step to the provider.
    const first = new Client({ name: 'sdk-oauth-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(mcpUrl(acme), { authProvider: provider, fetch });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    const challenge = log[0]!;
    expect(challenge).toMatchObject({ method: 'POST', path: '/mcp/orgonaut', status: 401, authorization: null });
    const discovered = log.slice(1).map((e) => `${e.method} ${e.path} ${e.status}`);
    expect(discovered).toContain('GET /.well-known/oauth-protected-resource/mcp/orgonaut 200');
    expect(discovered).toContain('GET /.well-known/oauth-authorization-server/mcp/orgonaut 200');
    expect(discovered).toContain('POST /oauth/register 201');
    const at = (line: string) => discovered.indexOf(line);
    expect(at('GET /.well-known/oauth-protected-resource/mcp/orgonaut 200')).toBeLessThan(at('GET /.well-known/oauth-authorization-server/mcp/orgonaut 200'));
    expect(at('GET /.well-known/oauth-authorization-server/mcp/orgonaut 200')).toBeLessThan(at('POST /oauth/register 201'));
    expect(provider.clientInformation()?.client_id).toBeTruthy();

    // The SDK sent the user agent to this tenant's authorize endpoint with PKCE, its state and this resource.
    const authorize = provider.authorizationUrl!;
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${acme.origin}/oauth/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('client_id')).toBe(provider.clientInformation()!.client_id);
    expect(authorize.searchParams.get('resource')).toBe(`${acme.origin}/mcp/orgonaut`);
    // The person saw who asks, for which tenant, as whom.
    expect(provider.consentHtml).toContain('SDK Test Client');
    expect(provider.consentHtml).toContain(acme.tenant.name);
    expect(provider.consentHtml).toContain(acme.user.email);

    // 2. The browser came back to the client's redirect with a code, the state and this issuer.
    const callback = provider.callback!;
    expect(callback.href.startsWith(CLAUDE_CODE_REDIRECT)).toBe(true);
    expect(callback.searchParams.get('state')).toBe(provider.savedState);
    expect(callback.searchParams.get('iss')).toBe(`${acme.origin}/mcp/orgonaut`);
    expect(callback.searchParams.get('code')).toBeTruthy();

    // 3. The SDK redeems the code itself (checks iss, sends the PKCE verifier) and stores the tokens.
    const beforeToken = log.length;
    await transport.finishAuth(callback.searchParams);
    expect(log.slice(beforeToken).map((e) => `${e.method} ${e.path} ${e.status}`)).toContain('POST /oauth/token 200');
    const tokens = provider.tokens()!;
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope).toBe('mcp:use');

    // 4. Reconnect: the same provider now holds the token; the SDK sends it on every request.
    const client = new Client({ name: 'sdk-oauth-test', version: '1.0.0' });
    const afterAuth = log.length;
    await client.connect(new StreamableHTTPClientTransport(mcpUrl(acme), { authProvider: provider, fetch }));
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      expect(names).toContain('org_summary');
      expect(names).toContain('capability_list');
      const result = (await client.callTool({ name: 'org_summary', arguments: {} })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toBeTruthy();
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
      // Every MCP request after sign-in carried the bearer token and was answered (a GET for a standalone stream,
      // if the SDK opens one, gets 405 from this stateless server, as the transport spec allows).
      const mcpExchanges = log.slice(afterAuth).filter((e) => e.path === '/mcp/orgonaut' && e.method === 'POST');
      expect(mcpExchanges.length).toBeGreaterThanOrEqual(2);
      for (const exchange of mcpExchanges) {
        expect(exchange.authorization).toBe(`Bearer ${tokens.access_token}`);
        expect(exchange.status).toBeLessThan(300);
      }
    } finally {
      await client.close();
    }
  });

  it('gives the client a clear access_denied when the person presses Deny, and no token', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const provider = new BrowserOAuthProvider(member, 'Deny');
    const log: Exchange[] = [];
    const fetch = recordingFetch(log);
    const transport = new StreamableHTTPClientTransport(mcpUrl(member), { authProvider: provider, fetch });
    await expect(new Client({ name: 'sdk-oauth-test', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    const callback = provider.callback!;
    expect(callback.href.startsWith(CLAUDE_CODE_REDIRECT)).toBe(true);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('state')).toBe(provider.savedState);

    // The SDK checks the issuer of the callback, then reports the server's refusal as an OAuth error.
    const refused = await transport.finishAuth(callback.searchParams).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OAuthError);
    expect((refused as OAuthError).code).toBe('access_denied');
    expect(provider.tokens()).toBeUndefined();
    expect(log.some((e) => e.path === '/oauth/token')).toBe(false);

    // Connecting again starts over at the challenge: nothing was granted.
    const again = new StreamableHTTPClientTransport(mcpUrl(member), { authProvider: provider, fetch });
    await expect(new Client({ name: 'sdk-oauth-test', version: '1.0.0' }).connect(again)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
