import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { resetRoleBundle, setRoleAbilities } from '../../src/access/role-bundles.js';
import {
  authorizeUrl,
  browserOf,
  CLAUDE_REDIRECT,
  connectApp,
  discover,
  field,
  formAction,
  loopbackFetch,
  pkce,
  registerClient,
  serverWithAcme,
  submitSignIn,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * `mcp.access` opens the MCP transport (SPEC §3), and roles are data a tenant may adjust: an owner who takes it from
 * a role keeps that role's members off the MCP server, whichever credential they connect with — an OAuth app's token
 * too, not only a personal API token. Ability scopes narrow the tools a token may use, never the transport itself.
 */
let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
});
afterAll(async () => server?.close());

function initialize(token: string) {
  return loopbackFetch(`${acme.origin}/mcp/orgonaut`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
  });
}

describe('an OAuth app of a member whose role lacks mcp.access', () => {
  it('is refused on the MCP server, naming the ability; narrowed and whole-role tokens work while the role has it', async () => {
    const whole = await connectApp(server, acme);
    const narrowed = await connectApp(server, acme, undefined, 'actors.read');
    expect((await initialize(whole.tokens.access_token)).status).toBe(200);
    expect((await initialize(narrowed.tokens.access_token)).status).toBe(200);

    await setRoleAbilities(server.database.db, acme.tenant, 'manager', DEFAULT_BUNDLES.manager.filter((a) => a !== 'mcp.access'), { principal: null });
    server.runtime.authenticator.forget();
    for (const token of [whole.tokens.access_token, narrowed.tokens.access_token]) {
      const refused = await initialize(token);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain('mcp.access');
    }

    await resetRoleBundle(server.database.db, acme.tenant, 'manager', { principal: null });
    server.runtime.authenticator.forget();
    expect((await initialize(whole.tokens.access_token)).status).toBe(200);
  });
});

describe('authorizing an app as a member whose role lacks mcp.access', () => {
  it('says so on a page instead of asking for consent, and can only return access_denied to the app', async () => {
    await setRoleAbilities(server.database.db, acme.tenant, 'manager', DEFAULT_BUNDLES.manager.filter((a) => a !== 'mcp.access'), { principal: null });
    try {
      const as = await discover(acme.origin);
      const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' });
      const { challenge } = await pkce();
      const browser = browserOf(server, acme.user.email);
      let page = await browser.follow(authorizeUrl(as, { clientId: client.client_id, redirectUri: CLAUDE_REDIRECT, challenge }));
      if (new URL(page.url).pathname === '/sign-in') page = await submitSignIn(browser, page, acme.user.email);
      expect(page.left).toBeUndefined();
      expect(page.response.status).toBe(403);
      const html = await page.response.text();
      expect(html).toContain('mcp.access');
      expect(html).not.toMatch(/>\s*Allow\s*<\/button>/);
      // An Allow posted anyway gives no code.
      const back = await browser.follow(new URL(formAction(html), page.url).href, { form: { csrf: field(html, 'csrf'), decision: 'allow' } });
      expect(back.left?.href.startsWith(CLAUDE_REDIRECT)).toBe(true);
      expect(back.left!.searchParams.get('error')).toBe('access_denied');
      expect(back.left!.searchParams.get('code')).toBeNull();
    } finally {
      await resetRoleBundle(server.database.db, acme.tenant, 'manager', { principal: null });
    }
  });
});
