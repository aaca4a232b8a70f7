import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants, users } from './tenancy.js';

/**
 * Storage of the tenant-hosted OAuth authorization servers (src/oauth/, docs/ARCHITECTURE-oauth.md).
 *
 * `oauth_store` is oidc-provider's adapter table: one row per stored model instance (client, grant, code, access or
 * refresh token, interaction, session), keyed by tenant + model + id. Bearer secrets (codes, access and refresh
 * tokens) are stored under the SHA-256 of their value, never the value itself. `grant_id`, `uid`, `account_id` and
 * `client_id` are copied out of the payload so revocation, listing and clean-up are indexed queries.
 */
export const oauthStore = pgTable(
  'oauth_store',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** oidc-provider model name: Client, Grant, AuthorizationCode, AccessToken, RefreshToken, Interaction, Session… */
    model: text('model').notNull(),
    /** The model id; for bearer secrets the hex SHA-256 of the value. */
    id: text('id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    grantId: text('grant_id'),
    uid: text('uid'),
    /** The user (oidc-provider accountId) of grants, tokens and sessions. */
    accountId: text('account_id'),
    clientId: text('client_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Clients only: the last token issued to it (unused dynamically registered clients are removed later). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /**
     * Clients only: how it became known — 'dynamic' (RFC 7591, `POST /oauth/register`) or 'preregistered' (by an
     * operator, `orgonaut oauth-clients add`). Only dynamic ones are ever removed for want of use.
     */
    registration: text('registration'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.model, t.id] }),
    index('oauth_store_grant').on(t.tenantId, t.grantId),
    index('oauth_store_uid').on(t.tenantId, t.model, t.uid),
    index('oauth_store_account_client').on(t.tenantId, t.accountId, t.clientId),
    index('oauth_store_expires').on(t.expiresAt),
  ],
);

/** Per-tenant keys of its authorization server, generated on first use: signing keys (JWKS) and cookie keys. */
export const oauthKeys = pgTable('oauth_keys', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** Private JWK set (ES256) the provider signs with; each key sealed with the secrets key (oauth/keys.ts). */
  jwks: jsonb('jwks').$type<{ keys: (string | Record<string, unknown>)[] }>().notNull(),
  /** Keys that sign the provider's cookies, newest first (rotation adds a new first key); each sealed likewise. */
  cookieKeys: jsonb('cookie_keys').$type<string[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Consents: a user approved a client for these scopes on this tenant. Remembered approvals skip the consent screen
 * (except for loopback and native redirects); the rows are the "connected apps" users and admins see and revoke.
 */
export const oauthConsents = pgTable(
  'oauth_consents',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    clientName: text('client_name'),
    /** 'dynamic' (RFC 7591), 'metadata_document' (CIMD URL) or 'preregistered'. */
    clientKind: text('client_kind').notNull(),
    scopes: text('scopes').array().notNull(),
    /** Host of the redirect URI last approved (shown in the connected-apps list). */
    redirectHost: text('redirect_host'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId, t.clientId] })],
);
