import { randomBytes } from 'node:crypto';
import { and, asc, eq, or } from 'drizzle-orm';
import type { AdapterPayload } from 'oidc-provider';
import { forgetCredentialsEverywhere } from '../access/authenticator.js';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/connection.js';
import { oauthConsents, oauthStore } from '../db/schema/index.js';
import { InvalidInput, NotFound } from '../errors.js';
import { createAdapterFactory } from '../oauth/adapter.js';
import { displayableClientName, normaliseClientMetadata } from '../oauth/client-metadata.js';
import { findTenantBySlug, type Tenant } from '../tenancy/tenants.js';
import type { AdminCommand, AdminResult } from './commands.js';
import { utcMinute } from './format.js';

type ClientCommand = Extract<AdminCommand, { name: 'oauth-clients.add' | 'oauth-clients.list' | 'oauth-clients.remove' }>;

/**
 * `orgonaut oauth-clients add|list|remove`: the pre-registered OAuth clients of a tenant's authorization server
 * (SPEC §4.2) — an in-house agent or a client that cannot register itself. Their redirect URIs pass the policy
 * dynamic registrations pass (MCP_REDIRECT_DOMAINS included); the consent screen shows them as verified apps; the
 * clean-up of unused registrations never removes them (`registration = 'preregistered'`, oauth/maintenance.ts).
 * A confidential client's secret is shown once, when it is made, and stored sealed (oauth/adapter.ts).
 */
export async function runOAuthClientCommand(db: Db, command: ClientCommand): Promise<AdminResult> {
  const tenant = await findTenantBySlug(db, command.tenant);
  if (!tenant) throw new NotFound('Tenant', command.tenant);
  switch (command.name) {
    case 'oauth-clients.add':
      return add(db, tenant, command);
    case 'oauth-clients.list':
      return list(db, tenant);
    case 'oauth-clients.remove':
      return remove(db, tenant, command.clientId);
  }
}

async function add(db: Db, tenant: Tenant, command: Extract<ClientCommand, { name: 'oauth-clients.add' }>): Promise<AdminResult> {
  const name = displayableClientName(command.clientName);
  if (!name) throw new InvalidInput('name', 'give the client a name people will recognise on the consent screen, e.g. --name "Acme planning agent"');
  const uris = command.redirectUris.map((u) => u.trim()).filter(Boolean);
  // The rules of dynamic registration, word for word: one policy for every way a client becomes known.
  const checked = normaliseClientMetadata({ client_name: name, redirect_uris: uris }, command.redirectDomains);
  if (!checked.ok) throw new InvalidInput('redirect_uri', checked.description);
  const clientId = `orgo_client_${randomBytes(12).toString('base64url')}`;
  const secret = command.confidential ? randomBytes(32).toString('base64url') : null;
  const metadata = {
    client_id: clientId,
    client_name: name,
    application_type: checked.metadata.application_type,
    redirect_uris: uris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
    ...(secret ? { client_secret: secret } : {}),
  };
  // Through the provider's own adapter: the same row a registration writes (secret sealed), without a
  // `client_id_issued_at`, so it is recorded as pre-registered.
  await createAdapterFactory(db, tenant.id)('Client').upsert(clientId, metadata as AdapterPayload);
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType: 'oauth_client',
    entityId: clientId,
    action: 'registered',
    after: { client_name: name, redirect_uris: uris, confidential: Boolean(secret) },
    metadata: { via: 'admin-cli', registration: 'preregistered' },
  });
  const lines = [
    `Registered ${secret ? 'confidential' : 'public'} OAuth client "${name}" on ${tenant.slug}: client_id ${clientId}`,
    `Redirect URI${uris.length === 1 ? '' : 's'}: ${uris.join(', ')}`,
  ];
  if (secret) lines.push(`client_secret ${secret}`, 'This secret is shown only now: store it in the client’s configuration. It is kept sealed and cannot be shown again (remove the client and add it again for a new one).');
  else lines.push('A public client: it authenticates with PKCE only (token_endpoint_auth_method none).');
  return {
    message: lines.join('\n'),
    data: { client_id: clientId, client_name: name, redirect_uris: uris, token_endpoint_auth_method: metadata.token_endpoint_auth_method, registration: 'preregistered', ...(secret ? { client_secret: secret } : {}) },
  };
}

async function list(db: Db, tenant: Tenant): Promise<AdminResult> {
  const rows = await db
    .select({ id: oauthStore.id, payload: oauthStore.payload, registration: oauthStore.registration, createdAt: oauthStore.createdAt, lastUsedAt: oauthStore.lastUsedAt })
    .from(oauthStore)
    .where(and(eq(oauthStore.tenantId, tenant.id), eq(oauthStore.model, 'Client')))
    .orderBy(asc(oauthStore.createdAt));
  const clients = rows.map((r) => ({
    client_id: r.id,
    client_name: typeof r.payload.client_name === 'string' ? r.payload.client_name : null,
    registration: r.registration ?? 'dynamic',
    redirect_uris: Array.isArray(r.payload.redirect_uris) ? (r.payload.redirect_uris as string[]) : [],
    confidential: r.payload.token_endpoint_auth_method !== 'none',
    created_at: r.createdAt.toISOString(),
    last_used_at: r.lastUsedAt?.toISOString() ?? null,
  }));
  const lines = clients.map(
    (c) =>
      `${c.client_id}  ${c.registration.padEnd(13)}  ${c.confidential ? 'confidential' : 'public      '}  ${c.client_name ?? '(no name)'}  ${c.redirect_uris.join(', ')}  ` +
      `made ${utcMinute(new Date(c.created_at))}, ${c.last_used_at ? `last token ${utcMinute(new Date(c.last_used_at))}` : 'no token yet'}`,
  );
  return { message: lines.join('\n') || `No OAuth clients on ${tenant.slug} yet.`, data: clients };
}

/** Removes a client (either kind) with everything issued to it: grants, codes, tokens and remembered approvals. */
async function remove(db: Db, tenant: Tenant, clientId: string): Promise<AdminResult> {
  const [client] = await db
    .select({ payload: oauthStore.payload, registration: oauthStore.registration })
    .from(oauthStore)
    .where(and(eq(oauthStore.tenantId, tenant.id), eq(oauthStore.model, 'Client'), eq(oauthStore.id, clientId)))
    .limit(1);
  if (!client) throw new NotFound('OAuth client', clientId);
  await db.transaction(async (tx) => {
    await tx
      .delete(oauthStore)
      .where(and(eq(oauthStore.tenantId, tenant.id), or(eq(oauthStore.clientId, clientId), and(eq(oauthStore.model, 'Client'), eq(oauthStore.id, clientId)))));
    await tx.delete(oauthConsents).where(and(eq(oauthConsents.tenantId, tenant.id), eq(oauthConsents.clientId, clientId)));
  });
  forgetCredentialsEverywhere();
  const name = typeof client.payload.client_name === 'string' ? client.payload.client_name : clientId;
  await recordAudit(db, {
    tenantId: tenant.id,
    category: 'security',
    entityType: 'oauth_client',
    entityId: clientId,
    action: 'removed',
    before: { client_name: name, registration: client.registration },
    metadata: { via: 'admin-cli' },
  });
  return {
    message: `Removed OAuth client "${name}" (${clientId}) from ${tenant.slug}, with every grant and token issued to it.`,
    data: { client_id: clientId, client_name: name, removed: true },
  };
}
