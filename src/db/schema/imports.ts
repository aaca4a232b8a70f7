import { sql } from 'drizzle-orm';
import { bigint, boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenancy.js';

/**
 * Imports (CSV uploads and HRIS live sync) and the HRIS integration. See docs/IMPORTS.md.
 *
 * An import run holds its file's rows in `import_rows` (raw cell values as they were uploaded, so a run survives a
 * restart and a reviewer can fix a quarantined row in place). The work of a run step ends in one transaction that
 * writes Live (or the target scenario's overlay) and every row's outcome together.
 */
export const importRuns = pgTable(
  'import_runs',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    /** pending | processing | completed | failed */
    status: text('status').notNull().default('pending'),
    /** upload | hris_webhook | hris_sync */
    source: text('source').notNull().default('upload'),
    /** orgonaut (canonical CSV) | bamboohr */
    format: text('format').notNull().default('orgonaut'),
    fileName: text('file_name'),
    fileBytes: bigint('file_bytes', { mode: 'number' }).notNull().default(0),
    fileSha256: text('file_sha256'),
    delimiter: text('delimiter').notNull().default(','),
    /** The header row, as written in the file. */
    headers: jsonb('headers').$type<string[]>().notNull().default([]),
    /** One entry per column: `{ column, header, field }` (field null = not imported). */
    mapping: jsonb('mapping').$type<{ column: number; header: string; field: string | null }[]>().notNull().default([]),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    /** live | scenario */
    targetKind: text('target_kind').notNull().default('live'),
    targetScenarioId: uuid('target_scenario_id'),
    rowCount: integer('row_count').notNull().default(0),
    /** Null while the file is still being received (such runs are invisible and cleaned up). */
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }),
    /** Run steps so far: 1 = the import, 2+ = reprocessing fixed rows. */
    step: integer('step').notNull().default(0),
    progress: jsonb('progress').$type<Record<string, unknown>>().notNull().default({}),
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    error: text('error'),
    errorCode: text('error_code'),
    taskId: uuid('task_id'),
    /** The snapshot of Live taken before the first step that changed it (undo = restore it). */
    snapshotId: uuid('snapshot_id'),
    liveVersionBefore: bigint('live_version_before', { mode: 'number' }),
    liveVersionAfter: bigint('live_version_after', { mode: 'number' }),
    /** The process working on the run and its last sign of life (a run of a dead process is failed). */
    workerId: text('worker_id'),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('import_runs_created').on(t.tenantId, t.createdAt),
    index('import_runs_processing').on(t.status).where(sql`status = 'processing'`),
  ],
);

/** The rows of an import run's file: raw values, what became of each row, and its review state when quarantined. */
export const importRows = pgTable(
  'import_rows',
  {
    tenantId: uuid('tenant_id').notNull(),
    runId: uuid('run_id').notNull(),
    /** 1-based data row number (the header row is not counted). */
    rowNumber: integer('row_number').notNull(),
    /** The line of the file the row starts on. */
    line: integer('line'),
    /** Cell values by column (null = absent, as in partial HRIS events). */
    values: jsonb('values').$type<(string | null)[]>().notNull(),
    /** The values as uploaded, kept when a reviewer first fixes the row. */
    original: jsonb('original').$type<(string | null)[]>(),
    /** pending | imported | quarantined | ignored */
    status: text('status').notNull().default('pending'),
    /** created | updated | unchanged (imported rows) */
    outcome: text('outcome'),
    reasonCode: text('reason_code'),
    reasonField: text('reason_field'),
    reasonDetail: text('reason_detail'),
    /** The row's further problems besides its reason ([{code, field, detail}]), found in the same reading; null when none. */
    reasonOthers: jsonb('reason_others').$type<{ code: string; field: string | null; detail: string }[]>(),
    /** Review state of a quarantined row: pending | reprocessing | failed | fixed | ignored */
    resolution: text('resolution'),
    actorId: uuid('actor_id'),
    step: integer('step'),
    resolvedBy: uuid('resolved_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.runId, t.rowNumber] }),
    foreignKey({ name: 'import_rows_run_fk', columns: [t.tenantId, t.runId], foreignColumns: [importRuns.tenantId, importRuns.id] }).onDelete('cascade'),
    index('import_rows_resolution').on(t.tenantId, t.runId, t.resolution),
  ],
);

/**
 * The tenant's HRIS integration (one per tenant). Credentials and the webhook secret live only in `config_encrypted`
 * (AES-256-GCM, see src/secrets/seal.ts); nothing else here is secret.
 */
export const hrisIntegrations = pgTable('hris_integrations', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** bamboohr | dynamics365 */
  provider: text('provider').notNull(),
  /** connected | paused | disconnected */
  status: text('status').notNull().default('connected'),
  configEncrypted: text('config_encrypted'),
  applyToLive: boolean('apply_to_live').notNull().default(true),
  applyScenarioIds: jsonb('apply_scenario_ids').$type<string[]>().notNull().default([]),
  /** Also apply to planning scenarios created after `future_scenarios_since`. */
  applyFutureScenarios: boolean('apply_future_scenarios').notNull().default(false),
  futureScenariosSince: timestamp('future_scenarios_since', { withTimezone: true }),
  lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
  /** running | completed | failed */
  lastSyncStatus: text('last_sync_status'),
  lastSyncError: text('last_sync_error'),
  lastSyncRunIds: jsonb('last_sync_run_ids').$type<string[]>().notNull().default([]),
  /** What started the last sync: manual (sync now) | schedule. */
  lastSyncTrigger: text('last_sync_trigger'),
  lastWebhookAt: timestamp('last_webhook_at', { withTimezone: true }),
  /** Scheduled pulls (catching up missed webhooks): off | hourly | daily (at `sync_hour` UTC). */
  syncSchedule: text('sync_schedule').notNull().default('off'),
  /** The UTC hour (0–23) of a daily sync. */
  syncHour: smallint('sync_hour'),
  /** When the scheduler next pulls (null while the schedule is off); an instance claims it by moving it on. */
  nextSyncAt: timestamp('next_sync_at', { withTimezone: true }),
  updatedBy: uuid('updated_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Employee changes received by the HRIS webhook, queued until a batch applies them through an import run. */
export const hrisEvents = pgTable(
  'hris_events',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    provider: text('provider').notNull(),
    /** The employee's id in the HRIS (BambooHR: the employee id). */
    employeeId: text('employee_id').notNull(),
    /** created | updated | deleted */
    action: text('action').notNull(),
    /** The fields the event carried, by the HRIS's field names (absent = unchanged). */
    fields: jsonb('fields').$type<Record<string, string | null>>().notNull().default({}),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** queued | batched */
    status: text('status').notNull().default('queued'),
    /** The batch (a group of runs, one per apply target) that took the event. */
    batchId: uuid('batch_id'),
    runIds: jsonb('run_ids').$type<string[]>().notNull().default([]),
    batchedAt: timestamp('batched_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('hris_events_queue').on(t.tenantId, t.status, t.receivedAt)],
);

/**
 * Keys the instance generates for itself when none is configured (development only): the key that encrypts
 * integration secrets on PostgreSQL without ORGONAUT_SECRET_KEY. Global, not tenant data.
 */
export const instanceKeys = pgTable('instance_keys', {
  name: text('name').primaryKey(),
  /** base64 */
  key: text('key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
