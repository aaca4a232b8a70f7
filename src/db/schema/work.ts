import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid, bigint } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy.js';

/**
 * Governed AI scenario actions (SPEC §5): a validated batch of changes planned against a scenario revision, applied
 * exactly once when its owner confirms it. Kept in the database so any instance can confirm.
 */
export const scenarioProposals = pgTable(
  'scenario_proposals',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    scenarioId: uuid('scenario_id').notNull(),
    userId: uuid('user_id').notNull(),
    clientId: text('client_id'),
    clientName: text('client_name'),
    commands: jsonb('commands').$type<Record<string, unknown>[]>().notNull(),
    /** The scenario revision the batch was validated against: a confirm refuses if it moved. */
    scenarioRevision: bigint('scenario_revision', { mode: 'number' }).notNull(),
    /** planned | confirmed | cancelled */
    status: text('status').notNull().default('planned'),
    preview: jsonb('preview').$type<Record<string, unknown>>().notNull(),
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('scenario_proposals_scenario').on(t.tenantId, t.scenarioId)],
);

/** Background tasks (promotion, restore, imports) with status and progress any instance can report. */
export const tasks = pgTable(
  'tasks',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    /** promotion | restore | import */
    kind: text('kind').notNull(),
    /** pending | running | succeeded | failed */
    status: text('status').notNull().default('pending'),
    scenarioId: uuid('scenario_id'),
    userId: uuid('user_id'),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** The process running it (its WORKER_ID) and when that process last said it still is. */
    workerId: uuid('worker_id'),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('tasks_status').on(t.status)],
);
