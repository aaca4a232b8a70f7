import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMember } from '../support/factories.js';
import {
  authorizeAndAllow,
  Browser,
  CLAUDE_REDIRECT,
  connectApp,
  discover,
  field,
  loopbackFetch,
  PASSWORD,
  redeem,
  refresh,
  registerClient,
  startOAuthServer,
  submitSignIn,
  tenantWithMember,
  type OAuthServer,
} from './support.js';

/**
 * A remembered approval (SPEC §4.2) skips the consent page only for what the person saw on it: the same client, the
 * scopes, and the host they were told they would be sent to. Disconnecting an app on the page ends it at once.
 */
let server: OAuthServer;

beforeAll(async () => {
  server = await startOAuthServer();
});
afterAll(async () => server?.close());

describe('a remembered approval', () => {
  it('does not send a code, unasked, to another redirect host the client registered', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const as = await discover(member.origin);
    const elsewhere = 'https://collector.example/cb';
    const client = await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT, elsewhere], token_endpoint_auth_method: 'none' });
    const first = await authorizeAndAllow(server, member, as, client, CLAUDE_REDIRECT);
    expect(first.consentShown).toBe(true);
    expect(first.html).toContain('<code>claude.ai</code>');
    // The approved host again: remembered, no page.
    expect((await authorizeAndAllow(server, member, as, client, CLAUDE_REDIRECT)).consentShown).toBe(false);
    // Another host of the same client: the person is asked, and told where they would go.
    const other = await authorizeAndAllow(server, member, as, client, elsewhere);
    expect(other.consentShown).toBe(true);
    expect(other.html).toContain('<code>collector.example</code>');
    const tokens = await redeem(as, client, other.params, elsewhere, other.verifier);
    expect(tokens.access_token).toBeTruthy();
  });
});

describe('Disconnect on Settings → API and MCP', () => {
  const mcpCall = (origin: string, bearer: string) =>
    loopbackFetch(`${origin}/mcp/orgonaut`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  /** Presses the Disconnect button of `clientId`'s row on the page `browser` sees. */
  async function disconnect(browser: Browser, origin: string, clientId: string) {
    const html = await (await browser.request(`${origin}/settings/api`)).text();
    const forms = [...html.matchAll(/<form method="post" action="\/settings\/api\/apps\/revoke"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1]!);
    const row = forms.find((f) => f.includes(clientId));
    expect(row, 'a Disconnect form for the client').toBeTruthy();
    return browser.request(`${origin}/settings/api/apps/revoke`, { form: { csrf: field(row!, 'csrf'), user_id: field(row!, 'user_id'), client_id: field(row!, 'client_id') } });
  }

  it('ends the app’s access token on the MCP server at once, and its refresh token', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const app = await connectApp(server, member);
    // Used once: this instance now holds the token's lookup in its cache.
    expect((await mcpCall(member.origin, app.tokens.access_token)).status).toBe(200);
    const answer = await disconnect(app.browser, member.origin, app.client.client_id);
    expect(answer.status).toBe(303);
    expect((await mcpCall(member.origin, app.tokens.access_token)).status).toBe(401);
    await expect(refresh(app.as, app.client, app.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('by an owner, ends another member’s app as well; a member cannot end someone else’s', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const app = await connectApp(server, member);
    const owner = await buildMember(server.database, member.tenant, 'owner', { password: PASSWORD });
    const ownerBrowser = new Browser(server.port);
    await submitSignIn(ownerBrowser, await ownerBrowser.follow(`${member.origin}/sign-in`), owner.email);
    const colleague = await buildMember(server.database, member.tenant, 'member', { password: PASSWORD });
    const colleagueBrowser = new Browser(server.port);
    await submitSignIn(colleagueBrowser, await colleagueBrowser.follow(`${member.origin}/sign-in`), colleague.email);
    // The colleague's page has no such button, and a form made up for it is refused.
    const colleaguePage = await (await colleagueBrowser.request(`${member.origin}/settings/api`)).text();
    expect(colleaguePage).not.toContain(app.client.client_id);
    const forged = await colleagueBrowser.request(`${member.origin}/settings/api/apps/revoke`, {
      form: { csrf: field(colleaguePage, 'csrf'), user_id: member.user.id, client_id: app.client.client_id },
    });
    expect(forged.status).toBe(404);
    expect((await mcpCall(member.origin, app.tokens.access_token)).status).toBe(200);
    // The owner's is obeyed.
    expect((await disconnect(ownerBrowser, member.origin, app.client.client_id)).status).toBe(303);
    expect((await mcpCall(member.origin, app.tokens.access_token)).status).toBe(401);
  });
});
