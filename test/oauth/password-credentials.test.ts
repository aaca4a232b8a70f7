import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePasswordReset } from '../../src/access/members.js';
import { auditEvents } from '../../src/db/schema/index.js';
import { verifyAccessToken } from '../../src/oauth/index.js';
import { buildMember, contextFor, principalFor, tokenOf } from '../support/factories.js';
import { Browser, connectApp, field, loopbackFetch, PASSWORD, refresh, startOAuthServer, submitSignIn, tenantWithMember, type OAuthServer } from './support.js';

/**
 * What a new password ends besides browser sessions (docs/ARCHITECTURE.md, web security rules): a reset — which
 * may follow a compromised account — also ends every connected app's grants and tokens and every personal API
 * token, and says which; a change made with the current password keeps them, and says they keep working.
 */
let server: OAuthServer;

beforeAll(async () => {
  server = await startOAuthServer();
});
afterAll(async () => server?.close());

const mcpInitialize = (origin: string, bearer: string) =>
  loopbackFetch(`${origin}/mcp/orgonaut`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
  });
const restMe = (origin: string, bearer: string) => loopbackFetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${bearer}` } });

describe('a password reset', () => {
  it('ends the person’s connected apps (access and refresh tokens, on MCP too) and API tokens, and names them on the page', async () => {
    const member = await tenantWithMember(server, 'business', 'viewer');
    const admin = await buildMember(server.database, member.tenant, 'admin');
    const app = await connectApp(server, member);
    const pat = await tokenOf(server.database, member.tenant, member.user, 'viewer', { name: 'nightly export' });
    expect((await mcpInitialize(member.origin, app.tokens.access_token)).status).not.toBe(401);
    expect((await restMe(member.origin, pat)).status).toBe(200);

    const { token } = await issuePasswordReset(contextFor(server.database, member.tenant, principalFor(member.tenant, 'admin', null, admin.id)), member.user.id);
    const browser = new Browser(server.port);
    const form = await browser.request(`${member.origin}/password-reset/${token}`);
    const done = await browser.request(`${member.origin}/password-reset/${token}`, { form: { csrf: field(await form.text(), 'csrf'), password: 'an entirely new password' } });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain('Your new password is set');
    expect(html).toContain('every browser signed in to your account was signed out');
    expect(html).toContain('connected apps disconnected (approve them again when you next use them): Claude');
    expect(html).toContain('personal API tokens revoked (create new ones under Settings → API): nightly export');
    expect(html).toContain(`href="/sign-in?password=reset&amp;email=${encodeURIComponent(member.user.email)}"`);

    // Ended at once: the access token on the MCP server, the refresh token, the personal token.
    expect(await verifyAccessToken(server.database.db, member.tenant, app.tokens.access_token, app.resource)).toBeNull();
    expect((await mcpInitialize(member.origin, app.tokens.access_token)).status).toBe(401);
    await expect(refresh(app.as, app.client, app.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await restMe(member.origin, pat)).status).toBe(401);
    // Audited as what they are, with the reason.
    const audit = await server.database.db
      .select({ entityType: auditEvents.entityType, reason: sql<string>`${auditEvents.metadata}->>'reason'` })
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, member.tenant.id), eq(auditEvents.action, 'revoked')));
    expect(audit).toEqual(expect.arrayContaining([{ entityType: 'oauth_app', reason: 'password_reset' }, { entityType: 'api_token', reason: 'password_reset' }]));
  });

  it('with nothing connected, says so', async () => {
    const member = await tenantWithMember(server, 'business', 'viewer');
    const admin = await buildMember(server.database, member.tenant, 'admin');
    const { token } = await issuePasswordReset(contextFor(server.database, member.tenant, principalFor(member.tenant, 'admin', null, admin.id)), member.user.id);
    const browser = new Browser(server.port);
    const form = await browser.request(`${member.origin}/password-reset/${token}`);
    const html = await (await browser.request(`${member.origin}/password-reset/${token}`, { form: { csrf: field(await form.text(), 'csrf'), password: 'an entirely new password' } })).text();
    expect(html).toContain('no connected app was authorised');
    expect(html).toContain('no personal API token was in use');
  });
});

describe('a password change (with the current password)', () => {
  it('keeps connected apps and API tokens working, and the page says so with the way to revoke them', async () => {
    const member = await tenantWithMember(server, 'business', 'manager');
    const app = await connectApp(server, member);
    const pat = await tokenOf(server.database, member.tenant, member.user, 'manager', { name: 'ci' });
    const browser = new Browser(server.port);
    const signIn = await browser.follow(`${member.origin}/sign-in?return_to=%2Faccount`);
    const account = await submitSignIn(browser, signIn, member.user.email);
    const next = 'another brand new password';
    const changed = await browser.follow(`${member.origin}/account/password`, {
      form: { csrf: field(await account.response.text(), 'csrf'), current_password: PASSWORD, new_password: next, confirm_password: next },
    });
    const html = await changed.response.text();
    expect(html).toContain('Password changed. Every other browser signed in to your account was signed out.');
    expect(html).toMatch(/Your 1 connected app and 1 API token keep\s+working: they do not use your password/);
    expect(html).toContain('<a href="/settings/api">Settings → API</a>');
    expect(await verifyAccessToken(server.database.db, member.tenant, app.tokens.access_token, app.resource)).not.toBeNull();
    expect((await restMe(member.origin, pat)).status).toBe(200);
  });
});
