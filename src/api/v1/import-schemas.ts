import { z } from '@hono/zod-openapi';
import { FIELD_NAMES, type ImportField } from '../../imports/fields.js';
import { REASON_CODES } from '../../imports/reasons.js';
import { RESOLUTIONS, RUN_STATUSES } from '../../imports/store.js';

/** Schemas of import runs, their rows, previews and the HRIS integration. */

const timestamp = z.string().openapi({ format: 'date-time' });
const Json = z.record(z.string(), z.unknown());

export const ColumnMappingSchema = z
  .object({
    column: z.number().int().openapi({ description: 'Column index, 0-based' }),
    header: z.string(),
    field: z.enum(FIELD_NAMES as [ImportField, ...ImportField[]]).nullable().openapi({ description: 'The import field the column fills; null = not imported' }),
  })
  .openapi('ImportColumnMapping');

const StageSchema = z.object({ name: z.string(), status: z.enum(['pending', 'running', 'done']), done: z.number().int(), total: z.number().int() });

export const ImportRunSchema = z
  .object({
    id: z.string(),
    status: z.enum(RUN_STATUSES),
    source: z.string().openapi({ enum: ['upload', 'hris_webhook', 'hris_sync'] }),
    format: z.string().openapi({ enum: ['orgonaut', 'bamboohr'], description: 'Canonical Orgonaut CSV or BambooHR (detected; editable)' }),
    file: z.object({ name: z.string().nullable(), bytes: z.number().int(), sha256: z.string().nullable(), delimiter: z.string(), rows: z.number().int() }),
    target: z.object({
      kind: z.enum(['live', 'scenario']),
      scenario_id: z.string().nullable(),
      scenario_name: z.string().nullable().openapi({ description: 'The target scenario’s name (null for Live, or without `scenarios.read`)' }),
    }),
    mapping: z.array(ColumnMappingSchema),
    options: z.object({
      create_missing_types: z.boolean(),
      date_order: z.enum(['month_first', 'day_first']).nullable().openapi({ description: 'How dates with the year last (03/05/2024) are read; null: refused as ambiguous' }),
    }),
    step: z.number().int().openapi({ description: 'Steps run so far: 1 = the import, 2+ = reprocessing fixed rows' }),
    progress: z.object({
      stage: z.string().nullable(),
      percent: z.number(),
      stages: z.array(StageSchema),
      live_version: z.number().int().nullable().openapi({ description: 'The Live version the current (or last) step read, for imports into Live; another change to Live before it finishes makes it fail with nothing applied' }),
    }),
    summary: Json.nullable().openapi({
      description:
        'rows (total, imported, created, updated, unchanged, quarantined, ignored, not_processed); families (created / updated / unchanged / ' +
        'quarantined per model family); quarantine (open reasons, resolutions); live (versions, snapshot) or scenario; deltas; steps; ' +
        'undo (task_id, requested_at, requested_by) once the run was undone',
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    task_id: z.string().nullable(),
    snapshot_id: z.string().nullable().openapi({ description: 'The snapshot of Live taken before the import: restore it to undo' }),
    live_version_before: z.number().int().nullable(),
    live_version_after: z.number().int().nullable(),
    created_by: z.string().nullable(),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
    same_file_imported: z
      .object({ run_id: z.string(), file_name: z.string().nullable(), finished_at: timestamp.nullable() })
      .nullable()
      .optional()
      .openapi({
        description:
          'On an upload and a run not started yet: the latest completed import of the same file (same SHA-256) into the same target — importing it again changes nothing it set, unless that target changed since; null when there is none',
      }),
  })
  .openapi('ImportRun');

const CellSchema = z.object({ column: z.number().int(), header: z.string(), field: z.string().nullable(), value: z.string().nullable(), hidden: z.boolean() });

const RowProblemSchema = z.object({ code: z.string().openapi({ enum: [...REASON_CODES] }), field: z.string().nullable(), detail: z.string().nullable(), fix: z.string().nullable() });
const RowReasonSchema = RowProblemSchema.extend({
  others: z.array(RowProblemSchema).openapi({
    description:
      'Every further problem found on the row besides this first one (which run summaries count), each with its field and what to do — ' +
      'fix them all before reprocessing. Empty when this is the only one. Problems that need other rows (duplicates, managers, loops) show once the cells are right.',
  }),
});

export const ImportRowSchema = z
  .object({
    row_number: z.number().int(),
    line: z.number().int().nullable(),
    status: z.enum(['pending', 'imported', 'quarantined', 'ignored']),
    outcome: z.enum(['created', 'updated', 'unchanged']).nullable(),
    resolution: z.enum(RESOLUTIONS).nullable().openapi({ description: 'Review state of a quarantined row' }),
    reason: RowReasonSchema.nullable(),
    actor_id: z.string().nullable(),
    cells: z.array(CellSchema).openapi({ description: 'The row’s cells by column (pay columns hidden without `costs.read`)' }),
    original_cells: z.array(CellSchema).nullable().openapi({ description: 'The cells as uploaded, once a reviewer fixed the row' }),
    step: z.number().int().nullable(),
    updated_at: timestamp,
  })
  .openapi('ImportRow');

/** A row as a reviewer fixed it, with what reading it again alone says (the web review's "still a problem"). */
export const FixedImportRowSchema = ImportRowSchema.extend({
  check: RowReasonSchema.nullable().openapi({
    description:
      'The fixed row read again alone with the import’s rules: null when it reads well, else the reason it would still be quarantined ' +
      '(`reason` is still the one it was quarantined for). Duplicates, managers and loops need the whole file: they are checked on reprocess.',
  }),
}).openapi('FixedImportRow');

export const ImportPreviewSchema = z
  .object({
    run: ImportRunSchema,
    headers: z.array(z.string()),
    sample: z.array(
      z.object({
        row_number: z.number().int(),
        line: z.number().int().nullable(),
        fields: z.record(z.string(), z.string().nullable()),
        problem: RowReasonSchema.nullable(),
      }),
    ),
    counts: Json.nullable().openapi({ description: 'A dry run over the current organisation: rows, families, quarantine_reasons, actors (allowance); null when the mapping has no identity column' }),
    warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  })
  .openapi('ImportPreview');

export const ImportRunPatch = z
  .object({
    mapping: z.array(z.object({ column: z.number().int().min(0), field: z.string().nullable() }).strict()).max(500).optional().openapi({ description: 'Columns to remap (field null: not imported). Others keep their mapping, except that a field named here moves from the column that had it; one field for two columns here is refused' }),
    options: z
      .object({ create_missing_types: z.boolean().optional(), format: z.enum(['orgonaut', 'bamboohr']).optional(), date_order: z.enum(['month_first', 'day_first']).nullable().optional() })
      .strict()
      .optional(),
    target: z
      .object({ kind: z.enum(['live', 'scenario']), scenario_id: z.string().max(64).optional() })
      .strict()
      .optional()
      .openapi({ description: 'Live, or an active planning scenario' }),
  })
  .strict()
  .openapi('ImportRunPatch');

export const FixRowBody = z
  .object({
    values: z
      .record(z.string(), z.string().max(10_000).nullable())
      .openapi({ description: 'New cell values keyed by header, mapped field name or column index', example: { fte: '0.8', manager_email: 'ada@acme.test' } }),
  })
  .strict()
  .openapi('FixImportRow');

export const FieldReferenceSchema = z
  .object({ field: z.string(), description: z.string(), headers: z.array(z.string()), money: z.boolean() })
  .openapi('ImportField');

export const IntegrationSchema = z
  .object({
    provider: z.string().nullable(),
    status: z.enum(['connected', 'paused', 'disconnected', 'not_connected']),
    subdomain: z.string().nullable(),
    base_url: z.string().nullable(),
    api_key_set: z.boolean().openapi({ description: 'Secrets are write-only: only whether they are set is shown' }),
    webhook_secret_set: z.boolean(),
    webhook_url: z.string().nullable(),
    apply_to: z.object({ live: z.boolean(), scenario_ids: z.array(z.string()), future_scenarios: z.boolean() }),
    schedule: z
      .object({
        frequency: z.enum(['off', 'hourly', 'daily']),
        hour_utc: z.number().int().nullable().openapi({ description: 'The UTC hour (0–23) of a daily sync' }),
        minute_utc: z
          .number()
          .int()
          .nullable()
          .openapi({ description: 'The minute past the hour (0–59) this tenant’s scheduled pulls run at — fixed per tenant, so tenants’ pulls are spread over the hour; null while off' }),
        next_sync_at: timestamp.nullable().openapi({ description: 'When the next scheduled pull is due; null while the schedule is off or the integration is not connected' }),
      })
      .openapi({ description: 'Scheduled pulls, which catch up changes whose webhook call was missed' }),
    last_sync: z.object({
      at: timestamp.nullable(),
      status: z.string().nullable(),
      error: z.string().nullable(),
      trigger: z.enum(['manual', 'schedule']).nullable().openapi({ description: 'manual (sync now) or schedule' }),
      run_ids: z.array(z.string()),
    }),
    last_webhook_at: timestamp.nullable(),
    queued_events: z.number().int(),
    updated_at: timestamp.nullable(),
  })
  .openapi('HrisIntegration');

export const IntegrationBody = z
  .object({
    provider: z.enum(['bamboohr']).optional(),
    status: z.enum(['connected', 'paused', 'disconnected']).optional(),
    subdomain: z.string().max(63).nullable().optional().openapi({ example: 'acme' }),
    base_url: z.string().max(500).nullable().optional().openapi({ description: 'API base URL (default https://api.bamboohr.com)' }),
    api_key: z.string().max(512).nullable().optional().openapi({ description: 'Write-only; omit to keep, null to remove' }),
    webhook_secret: z.string().max(512).nullable().optional().openapi({ description: 'Write-only; 16+ characters; omit to keep, null to remove' }),
    apply_to: z
      .object({ live: z.boolean().optional(), scenario_ids: z.array(z.string().max(64)).max(100).optional(), future_scenarios: z.boolean().optional() })
      .strict()
      .optional(),
    schedule: z
      .object({
        frequency: z.enum(['off', 'hourly', 'daily']).optional(),
        hour_utc: z.number().nullable().optional().openapi({ description: 'For a daily sync: the UTC hour, a whole number from 0 to 23 (needed for daily)', example: 2 }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Scheduled pulls (the same pull as sync now): off, every hour, or daily at hour_utc' }),
  })
  .strict()
  .openapi('HrisIntegrationInput');
