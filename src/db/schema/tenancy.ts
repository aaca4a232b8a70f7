import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Global tables (no tenant) and the tenant-owned tables of identity, access, settings and audit. */

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  plan: text('plan').notNull(),
  reportingCurrency: text('reporting_currency').notNull(),
  /** Employer burden on base salaries, percent. */
  burdenPct: numeric('burden_pct', { precision: 6, scale: 2, mode: 'number' }).notNull().default(25),
  workingDaysPerYear: integer('working_days_per_year').notNull().default(220),
  /** Overrides the plan's actor allowance when set. */
  actorAllowance: integer('actor_allowance'),
  /** Tenant preferences: { mcpToolNames: 'underscore' | 'dotted' }. */
  settings: jsonb('settings').$type<TenantSettings>().notNull().default({}),
  /** Version of Live: bumped by every transaction that writes Live (see docs/ARCHITECTURE.md). */
  liveVersion: bigint('live_version', { mode: 'number' }).notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export interface TenantSettings {
  mcpToolNames?: 'underscore' | 'dotted';
}

/** Custom domains of a tenant (besides <slug>.<base domain>). */
export const tenantDomains = pgTable(
  'tenant_domains',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    host: text('host').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.host] }), uniqueIndex('tenant_domains_host').on(t.host)],
);

/** ISO 4217 currencies the product knows (global reference data). */
export const currencies = pgTable('currencies', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  minorUnits: integer('minor_units').notNull().default(2),
});

/** Currencies a tenant uses, with the exchange rate into its reporting currency (null = no rate entered). */
export const tenantCurrencies = pgTable(
  'tenant_currencies',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    code: text('code')
      .notNull()
      .references(() => currencies.code),
    active: boolean('active').notNull().default(true),
    /** Units of the reporting currency per one unit of this currency. */
    rateToReporting: numeric('rate_to_reporting', { precision: 18, scale: 8, mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.code] })],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_lower').on(sql`lower(${t.email})`)],
);

/** Ability names with their description (global reference data; the SPEC §3 table). */
export const abilities = pgTable('abilities', {
  name: text('name').primaryKey(),
  description: text('description').notNull(),
});

/** A tenant's role bundles: which abilities each role grants. Seeded from access/bundles.ts, adjustable. */
export const roleBundles = pgTable(
  'role_bundles',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    abilities: text('abilities').array().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.role] })],
);

export const memberships = pgTable(
  'memberships',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    status: text('status').notNull().default('active'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] }), index('memberships_user').on(t.userId)],
);

/** Personal API tokens: only a SHA-256 of the secret is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the secret, shown in lists so people recognise their tokens. */
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    abilities: text('abilities').array().notNull(),
    /** What made the token when not a person by name ('cli-sign-in'): a CLI sign-in replaces only tokens it made. */
    via: text('via'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('api_tokens_secret_hash').on(t.secretHash),
    index('api_tokens_user').on(t.tenantId, t.userId),
  ],
);

/** Department and team types: tenant-scoped labels (settings, not versioned by scenarios). */
export const departmentTypes = pgTable(
  'department_types',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('department_types_name').on(t.tenantId, sql`lower(${t.name})`),
  ],
);

export const teamTypes = pgTable(
  'team_types',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('team_types_name').on(t.tenantId, sql`lower(${t.name})`),
  ],
);

/**
 * The tenant's audit log: security events (sign-ins, tokens, apps, roles, plans) and model changes (before/after,
 * the user and, for AI changes, the MCP client).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** 'security' or 'model'. */
    category: text('category').notNull(),
    /** e.g. 'sign_in', 'token.created', 'actor', 'placement'. */
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    /** created | updated | deleted | restored, or a security verb (succeeded, failed, revoked…). */
    action: text('action').notNull(),
    userId: uuid('user_id'),
    /** 'session' | 'api_token' | 'oauth' | 'cli' | 'system'. */
    principalKind: text('principal_kind'),
    clientId: text('client_id'),
    clientName: text('client_name'),
    scenarioId: uuid('scenario_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    requestId: text('request_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('audit_events_at').on(t.tenantId, t.at),
    index('audit_events_scenario').on(t.tenantId, t.scenarioId, t.at),
  ],
);
