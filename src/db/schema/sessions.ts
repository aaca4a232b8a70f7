import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants, users } from './tenancy.js';

/**
 * Browser sessions. The cookie carries a random token; only its SHA-256 is stored (`id`). A session belongs to a
 * user and, once chosen, to the tenant of the host it was made on (central-host sessions pick one later).
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Rate-limit counters per fixed window, shared by every instance (sign-in attempts, token endpoint, registration…); limits weigh the previous window in (http/rate-limit.ts). */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** Single-use PKCE authorization codes of the first-party CLI sign-in (SPEC §4.3); only a hash is stored. */
export const cliAuthCodes = pgTable(
  'cli_auth_codes',
  {
    codeHash: text('code_hash').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeChallenge: text('code_challenge').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    tokenName: text('token_name').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
);

/**
 * A secret to show once, after a redirect (POST → 303 → GET): a new personal API token's secret, held for the
 * session that created it, sealed with the secret key, removed when first shown (or after ten minutes, or with the
 * session). Nothing of it goes into a URL.
 */
export const secretReveals = pgTable(
  'secret_reveals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    sealed: text('sealed').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('secret_reveals_session').on(t.sessionId)],
);
