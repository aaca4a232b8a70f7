import { z } from '@hono/zod-openapi';
import { COMPARE_MODES } from '../../scenarios/delta.js';
import { CHANGE_FAMILIES } from '../../scenarios/list-changes.js';
import { SCENARIO_KINDS } from '../../scenarios/store.js';

/** Response and request schemas of scenarios, snapshots, deltas, overlays and background tasks. */

const timestamp = z.string().openapi({ format: 'date-time' });

export const ScenarioSchema = z
  .object({
    id: z.string(),
    name: z.string().openapi({ example: '2026-03 platform realignment' }),
    description: z.string().nullable(),
    kind: z.enum(SCENARIO_KINDS).openapi({ description: 'planning (mutable while active), applied (promoted, locked) or snapshot (archived Live)' }),
    state: z.enum(['active', 'archived']),
    submitted: z.boolean(),
    submitted_at: timestamp.nullable(),
    source: z
      .object({ kind: z.string().openapi({ enum: ['live', 'scenario'] }), scenario_id: z.string().optional(), name: z.string().nullable().optional() })
      .nullable()
      .openapi({ description: 'What a planning (or, once promoted, applied) scenario branched from; null for snapshots', example: { kind: 'live' } }),
    editable: z.boolean(),
    revision: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
    archived_at: timestamp.nullable(),
    promoted_at: timestamp.nullable(),
  })
  .openapi('Scenario');

export const ScenarioDetailSchema = ScenarioSchema.extend({
  change_counts: z
    .record(z.string(), z.record(z.string(), z.number().int()))
    .openapi({ description: 'Overlay changes by model family and op (add, change, remove)', example: { actor: { add: 1 }, org_unit: { change: 2 } } }),
  changes_to_promote: z
    .number()
    .int()
    .openapi({ description: 'The changes promoting it would apply: its own and those of the planning scenarios it was started from (0 for snapshots and applied scenarios)', example: 3 }),
}).openapi('ScenarioDetail');

export const CreateScenarioBody = z
  .object({
    name: z.string().min(1).max(200).openapi({ example: '2026-03 platform realignment' }),
    description: z.string().max(2000).nullable().optional(),
    source_scenario_id: z.string().max(64).nullable().optional().openapi({ description: 'Branch from this planning scenario instead of Live' }),
  })
  .strict()
  .openapi('CreateScenario');

export const EditScenarioBody = z
  .object({
    name: z.string().min(1).max(200).optional().openapi({ description: 'The new name (1–200 characters); left out, it stays', example: '2026-03 platform realignment B' }),
    description: z.string().max(2000).nullable().optional().openapi({ description: 'The new description; null or "" clears it; left out, it stays' }),
  })
  .strict()
  .openapi('EditScenario');

export const CreateSnapshotBody = z
  .object({
    name: z.string().min(1).max(200).optional().openapi({ description: 'Default: "Live on <today>"' }),
    description: z.string().max(2000).nullable().optional(),
  })
  .strict()
  .openapi('CreateSnapshot');

const Currencies = z.array(z.string());
const Pair = z.object({
  from: z.number().nullable(),
  to: z.number().nullable(),
  delta: z.number().nullable(),
  currency: z.string().optional().openapi({ description: 'Cost deltas only: the reporting currency of `from`, `to` and `delta` (minor units)' }),
  unconvertible: Currencies.optional().openapi({
    description:
      'Cost deltas only: currencies with no exchange rate on either side. `from`/`to` are then the convertible part, as in org metrics (null when nothing was convertible); `delta` is their difference when the unconvertible part is the same on both sides, else null (unknown)',
  }),
  from_unconvertible: Currencies.optional().openapi({ description: 'The unconvertible currencies of the `from` side' }),
  to_unconvertible: Currencies.optional().openapi({ description: 'The unconvertible currencies of the `to` side' }),
});
export const WithheldSchema = z
  .object({
    part: z.string().openapi({ description: 'A family (actor, placement…), `metrics` or `money`' }),
    needs: z.array(z.string()).openapi({ description: 'The abilities (missing from this credential) that would show it' }),
    note: z.string(),
  })
  .openapi('WithheldPart', { description: 'A part of the result left out for lack of abilities' });
const FieldChange = z.object({ from: z.unknown(), to: z.unknown() });

const FamilyDelta = z.object({
  added: z.array(z.record(z.string(), z.unknown())),
  removed: z.array(z.record(z.string(), z.unknown())),
  changed: z.array(z.object({ id: z.string(), label: z.string().nullable(), fields: z.record(z.string(), FieldChange) })),
});

export const ConflictSchema = z
  .object({
    family: z.string(),
    id: z.string(),
    label: z.string().nullable().optional(),
    field: z.string().nullable(),
    base: z.unknown().optional(),
    scenario: z.unknown().optional(),
    source: z.unknown().optional(),
    reason: z.string().openapi({
      enum: ['changed_in_both', 'removed_in_source', 'invalid_after_merge'],
      description: 'invalid_after_merge: a change that, combined with one made in the source since, would leave Live invalid (`problem` says how); resolved by changing the scenario, not by a resolution',
    }),
    problem: z.string().optional().openapi({ description: 'invalid_after_merge only: what would be invalid, naming the records' }),
    currency: z.string().optional().openapi({ description: 'A conflict on an amount (`amount_minor`, `target_salary_minor`, `day_rate_minor`): the currency of `base`, `scenario` and `source`, minor units of it', example: 'EUR' }),
    currencies: z
      .object({ base: z.string().nullable(), scenario: z.string().nullable(), source: z.string().nullable() })
      .optional()
      .openapi({ description: 'Instead of `currency` when a side also changed the record’s currency: the currency of each side’s amount' }),
    in_scenario: z
      .object({ id: z.string(), name: z.string() })
      .optional()
      .openapi({ description: 'Set when the change is of a planning scenario this one was started from (promoted with it), not of this one' }),
  })
  .openapi('Conflict', { description: 'A field changed both in the scenario and in its source since branching, or a change the merge with the source would make invalid' });

export const DeltaSchema = z
  .object({
    scenario: ScenarioSchema,
    compare: z.enum(COMPARE_MODES),
    against: z.object({ kind: z.string(), scenario_id: z.string().optional(), name: z.string().optional() }),
    as_of: z.string().openapi({ format: 'date' }),
    families: z.record(z.string(), FamilyDelta).openapi({ description: 'Changed records by family (org_unit, actor…), only the families this credential may read (see `withheld`); money only with `costs.read`' }),
    counts: z
      .record(z.string(), z.object({ added: z.number().int(), removed: z.number().int(), changed: z.number().int() }))
      .openapi({
        description: 'How many records each family adds, removes and changes in all — every family with any, on every page, whatever `family` asks for',
        example: { actor: { added: 1, removed: 0, changed: 1 }, placement: { added: 240, removed: 12, changed: 480 } },
      }),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` (same `compare`, `family`) for the next page of records; null on the last page' }),
    conflicts: z.array(ConflictSchema),
    metrics: z
      .object({
        total: z.record(z.string(), Pair).nullable(),
        by_org_unit: z.array(z.object({ org_unit_id: z.string(), name: z.string().nullable() }).catchall(Pair)),
      })
      .openapi({
        description:
          'Metric deltas by metric: headcount, robots, agents, fte, effective_fte, vacant_positions, span_average, span_median, layers and — with `costs.read` — ' +
          'annual_cost_minor and monthly_cost_minor (the loaded cost of the people in seats), without_compensation (actors with no pay, whose cost those leave out) and ' +
          'vacant_seats_annual_cost_minor: budgeted, not paid — what the vacant positions would cost a year filled at their target pay, loaded and converted as a ' +
          'person’s pay is, never part of annual_cost_minor (a scenario creating positions moves it before anyone fills them). In `total` only: over_allocated, ' +
          'under_allocated, unplaced and no_primary — how many actors fail each placement check across the whole organisation, as org metrics’ `placement_checks`. ' +
          '`total` null and no units without ' +
          '`org-metrics.read`; cost deltas only with `costs.read`',
      }),
    withheld: z.array(WithheldSchema).openapi({
      description: 'What this credential may not see and is left out: record families (each needs the read ability of its org routes), metrics (`org-metrics.read`), money (`costs.read`)',
    }),
    names: z.record(z.string(), z.string()).openapi({
      description:
        'The name of each record the delta points at — in added and removed records, changed fields (`from`, `to`) and conflicts (`base`, `scenario`, `source`) of `parent_id`, `org_unit_id`, `actor_id`, `manager_id`, `lead_actor_id`, `position_id`, and the unit types of `department_type_id`, `team_type_id` — by id, as in a scenario’s changes; only records of families this credential may read',
      example: { '8fa5f938-b874-44c2-8b65-78e36a49c958': 'Engineering', '8fa5f938-e2f4-4d8c-9d0c-4ffdd7832caf': 'Product' },
    }),
  })
  .openapi('ScenarioDelta');

export const ChangeSchema = z
  .object({
    family: z.string().openapi({ enum: CHANGE_FAMILIES }),
    record_id: z.string(),
    label: z.string().nullable().openapi({ description: 'What a reader calls the record, as in the delta: its name or title, or whose it is ("Ann Lee reports to Bo Chen", "Pay of Ann Lee")', example: 'Checkout' }),
    op: z.enum(['add', 'change', 'remove']),
    values: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'add: the whole record; change: only the changed fields; remove: null', example: { fte: 0.8 } }),
    base: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'change: the source value each field was edited against; remove: the removed record', example: { fte: 1 } }),
    names: z.record(z.string(), z.string()).openapi({
      description: 'The name of each record `values` and `base` point at (`parent_id`, `org_unit_id`, `actor_id`, `manager_id`, `lead_actor_id`, `position_id`, and the unit types of `department_type_id`, `team_type_id`), by id; only records of families this credential may read',
      example: { '8fa5f938-b874-44c2-8b65-78e36a49c958': 'Engineering', '8fa5f938-e2f4-4d8c-9d0c-4ffdd7832caf': 'Product' },
    }),
    revision: z.number().int(),
  })
  .openapi('ScenarioChange');

export const BatchOutcomeSchema = z
  .object({
    scenario_id: z.string(),
    revision: z.number().int().openapi({ description: 'The scenario’s revision after the batch' }),
    commands: z.number().int(),
    records_changed: z.number().int(),
    created: z
      .array(z.object({ index: z.number().int(), family: z.string().openapi({ description: 'As in deltas and changes: org_unit, actor, placement, position, reporting_line, …', example: 'actor' }), id: z.string() }))
      .openapi({ description: 'Records the commands created, by command index' }),
  })
  .openapi('BatchOutcome');

export const ResolutionSchema = z
  .object({
    family: z.string().max(40).openapi({ example: 'org_unit' }),
    id: z.string().max(64),
    field: z.string().max(64).openapi({ example: 'name' }),
    choice: z.enum(['scenario', 'live']).openapi({ description: 'Keep the scenario’s value, or (live) take the value its source has now: Live’s, or that of the scenario it was started from' }),
  })
  .strict();

export const PromoteBody = z
  .object({ resolutions: z.array(ResolutionSchema).max(10_000).optional().openapi({ description: 'One choice per conflict of the promotion (see `conflicts` in the delta), and none for anything else: a resolution that matches no conflict is refused (400, nothing written)' }) })
  .strict()
  .openapi('PromoteScenario');

export const TaskSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ enum: ['promotion', 'restore', 'import'] }),
    status: z.string().openapi({ enum: ['pending', 'running', 'succeeded', 'failed'] }),
    scenario_id: z.string().nullable(),
    progress: z.record(z.string(), z.unknown()).openapi({ description: 'Empty while pending; then the stage it is at and how far (`percent`)', example: { stage: 'applying', percent: 40 } }),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({
        description:
          'When succeeded; money figures only with `costs.read`. A promotion or restore names the snapshot of the Live it replaced `from_snapshot_id` and what became Live `to_scenario_id`, as its lineage entry does (`snapshot_id`, `applied_scenario_id` and `restored_snapshot_id` are kept as they were)',
        example: {
          snapshot_id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          applied_scenario_id: '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
          from_snapshot_id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          to_scenario_id: '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
          live_version: 12,
          records_written: 2,
          deltas: { headcount: 1, fte: 0.8, effective_fte: 0.8, monthly_cost_minor: 708_333, currency: 'EUR' },
        },
      }),
    error: z.string().nullable(),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
  })
  .openapi('Task');
