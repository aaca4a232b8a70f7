import { and, eq, sql } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/commands.js';
import { auditEvents, oauthConsents, oauthStore } from '../../src/db/schema/index.js';
import { removeUnusedClients } from '../../src/oauth/index.js';
import { saveConsent } from '../../src/oauth/consents.js';
import {
  authorizeAndAllow,
  CLAUDE_REDIRECT,
  discover,
  redeem,
  registerClient,
  serverWithAcme,
  type Member,
  type OAuthServer,
} from './support.js';

/**
 * Pre-registered OAuth clients (SPEC §4.2) made by `orgonaut oauth-clients add`: validated as registrations are,
 * usable for the authorization code flow, shown as verified, and never removed by the clean-up of unused dynamic
 * registrations (docs/ARCHITECTURE-oauth.md) — which still removes dynamic ones.
 */

let server: OAuthServer;
let acme: Member;

beforeAll(async () => {
  ({ server, acme } = await serverWithAcme());
}, 120_000);
afterAll(() => server?.close());

const db = () => server.database.db;
const LOOPBACK = 'http://127.0.0.1:43123/callback';

const add = (extra: { redirectUris?: string[]; confidential?: boolean; redirectDomains?: string[]; clientName?: string } = {}) =>
  runAdminCommand(server.database, {
    name: 'oauth-clients.add',
    tenant: acme.tenant.slug,
    clientName: extra.clientName ?? 'Acme planning agent',
    redirectUris: extra.redirectUris ?? [LOOPBACK],
    confidential: extra.confidential ?? false,
    redirectDomains: extra.redirectDomains ?? [],
  });

const clientRow = async (id: string) =>
  (await db().select().from(oauthStore).where(and(eq(oauthStore.tenantId, acme.tenant.id), eq(oauthStore.model, 'Client'), eq(oauthStore.id, id))))[0];

const ageClient = (id: string) =>
  db()
    .update(oauthStore)
    .set({ createdAt: sql`now() - interval '40 days'`, lastUsedAt: null })
    .where(and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, id)));

describe('orgonaut oauth-clients add', () => {
  it('pre-registers a public client that completes the authorization code flow and is shown as verified', async () => {
    const added = await add();
    const data = added.data as { client_id: string; registration: string; client_secret?: string };
    expect(data).toMatchObject({ registration: 'preregistered', token_endpoint_auth_method: 'none' });
    expect(data.client_secret).toBeUndefined();
    expect(added.message).toContain(`client_id ${data.client_id}`);
    expect(await clientRow(data.client_id)).toMatchObject({ registration: 'preregistered' });

    const as = await discover(acme.origin);
    const client: oauth.Client = { client_id: data.client_id, token_endpoint_auth_method: 'none' };
    const auth = await authorizeAndAllow(server, acme, as, client, LOOPBACK);
    expect(auth.consentShown).toBe(true);
    expect(auth.html).toContain('Acme planning agent');
    expect(auth.html).not.toMatch(/unverified/i);
    const tokens = await redeem(as, client, auth.params, LOOPBACK, auth.verifier);
    expect(tokens.access_token).toBeTruthy();
    const [event] = await db().select().from(auditEvents).where(and(eq(auditEvents.entityId, data.client_id), eq(auditEvents.action, 'registered')));
    expect(event).toMatchObject({ category: 'security', entityType: 'oauth_client' });
  });

  it('shows a confidential client’s secret once and stores it sealed, never in the list', async () => {
    const added = await add({ redirectUris: [CLAUDE_REDIRECT], confidential: true, clientName: 'Acme back office' });
    const data = added.data as { client_id: string; client_secret: string };
    expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.message).toContain(`client_secret ${data.client_secret}`);
    expect(added.message).toContain('shown only now');
    const row = await clientRow(data.client_id);
    expect(JSON.stringify(row!.payload)).not.toContain(data.client_secret);
    const listed = await runAdminCommand(server.database, { name: 'oauth-clients.list', tenant: acme.tenant.slug });
    expect(listed.message).toContain(data.client_id);
    expect(listed.message).not.toContain(data.client_secret);
    expect(JSON.stringify(listed.data)).not.toContain(data.client_secret);
  });

  it('refuses redirect URIs registration would refuse, storing nothing', async () => {
    const before = (await db().select().from(oauthStore).where(eq(oauthStore.model, 'Client'))).length;
    await expect(add({ redirectUris: ['http://evil.example/cb'] })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('redirect URI http://evil.example/cb uses http, which is allowed only for loopback addresses'),
    });
    await expect(add({ redirectUris: ['javascript:alert(1)'] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(add({ redirectUris: ['https://app.example/cb#frag'] })).rejects.toMatchObject({ code: 'invalid_input' });
    // With MCP_REDIRECT_DOMAINS, as for registrations: only those domains.
    await expect(add({ redirectUris: ['https://evil.example/cb'], redirectDomains: ['claude.ai'] })).rejects.toMatchObject({
      message: expect.stringContaining('MCP_REDIRECT_DOMAINS'),
    });
    await expect(add({ redirectUris: [] })).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await db().select().from(oauthStore).where(eq(oauthStore.model, 'Client'))).length).toBe(before);
  });
});

describe('the clean-up of unused clients', () => {
  it('keeps a pre-registered client unused for 40 days and removes a dynamic one', async () => {
    const pre = ((await add({ clientName: 'Rarely used agent' })).data as { client_id: string }).client_id;
    const as = await discover(acme.origin);
    const dynamic = (await registerClient(as, { client_name: 'Abandoned', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' })).client_id;
    expect(await clientRow(dynamic)).toMatchObject({ registration: 'dynamic' });
    await saveConsent(db(), acme.tenant.id, acme.user.id, { clientId: pre, clientName: 'Rarely used agent', clientKind: 'preregistered', scopes: ['mcp:use'], redirectHost: '127.0.0.1:43123' });
    await ageClient(pre);
    await ageClient(dynamic);

    expect(await removeUnusedClients(db())).toBeGreaterThanOrEqual(1);
    expect(await clientRow(pre)).toBeDefined();
    expect(await clientRow(dynamic)).toBeUndefined();
    // Its remembered approval stays with it.
    expect(await db().select().from(oauthConsents).where(eq(oauthConsents.clientId, pre))).toHaveLength(1);
  });
});

describe('orgonaut oauth-clients list|remove', () => {
  it('lists both kinds, and removes a client with its grants, tokens and approvals', async () => {
    const id = ((await add({ clientName: 'Short-lived agent' })).data as { client_id: string }).client_id;
    const as = await discover(acme.origin);
    const dynamic = (await registerClient(as, { client_name: 'Claude', redirect_uris: [CLAUDE_REDIRECT], token_endpoint_auth_method: 'none' })).client_id;
    const client: oauth.Client = { client_id: id, token_endpoint_auth_method: 'none' };
    const auth = await authorizeAndAllow(server, acme, as, client, LOOPBACK);
    await redeem(as, client, auth.params, LOOPBACK, auth.verifier);
    const listed = (await runAdminCommand(server.database, { name: 'oauth-clients.list', tenant: acme.tenant.slug })).data as { client_id: string; registration: string }[];
    expect(listed).toContainEqual(expect.objectContaining({ client_id: id, registration: 'preregistered' }));
    expect(listed).toContainEqual(expect.objectContaining({ client_id: dynamic, registration: 'dynamic' }));

    const removed = await runAdminCommand(server.database, { name: 'oauth-clients.remove', tenant: acme.tenant.slug, clientId: id });
    expect(removed.message).toContain('Removed OAuth client "Short-lived agent"');
    expect(await clientRow(id)).toBeUndefined();
    expect(await db().select().from(oauthStore).where(eq(oauthStore.clientId, id))).toHaveLength(0);
    expect(await db().select().from(oauthConsents).where(eq(oauthConsents.clientId, id))).toHaveLength(0);
    await expect(runAdminCommand(server.database, { name: 'oauth-clients.remove', tenant: acme.tenant.slug, clientId: id })).rejects.toMatchObject({ code: 'not_found' });
  });
});
