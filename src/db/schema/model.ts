import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  index,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { tenants } from './tenancy.js';

/**
 * The org model as stored for Live. Every table is system-versioned by Live version: a row is a version of a record
 * that was current from `version_from` (inclusive) until `version_to` (exclusive; null = current). Writing Live closes
 * the old row and inserts a new one, so a snapshot is just a Live version number and needs no copy. Business
 * effective dates (`valid_from`, `valid_to` exclusive) are separate. Planning scenarios are not stored here: they are
 * overlays of changes (scenario.ts). See docs/ARCHITECTURE.md, "How scenarios are stored".
 */
function versionedColumns() {
  return {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    versionFrom: bigint('version_from', { mode: 'number' }).notNull(),
    versionTo: bigint('version_to', { mode: 'number' }),
  };
}

function datedColumns() {
  return {
    validFrom: date('valid_from', { mode: 'string' }),
    validTo: date('valid_to', { mode: 'string' }),
  };
}

type VersionedTable = {
  tenantId: AnyPgColumn;
  versionFrom: AnyPgColumn;
  versionTo: AnyPgColumn;
};

/** Primary key (tenant, record, version), one current row per record, and a lookup for snapshot reads. */
function versionedKeys<T extends VersionedTable>(name: string, t: T, key: AnyPgColumn) {
  return [
    primaryKey({ name: `${name}_pkey`, columns: [t.tenantId, key, t.versionFrom] }),
    uniqueIndex(`${name}_current`).on(t.tenantId, key).where(sql`version_to is null`),
    index(`${name}_versions`).on(t.tenantId, t.versionFrom, t.versionTo),
  ];
}

export const orgUnits = pgTable(
  'org_units',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    parentId: uuid('parent_id'),
    type: text('type').notNull(),
    name: text('name').notNull(),
    code: text('code'),
    ...datedColumns(),
  },
  (t) => versionedKeys('org_units', t, t.id),
);

export const departments = pgTable(
  'departments',
  {
    ...versionedColumns(),
    orgUnitId: uuid('org_unit_id').notNull(),
    departmentTypeId: uuid('department_type_id'),
    costCenter: text('cost_center'),
    leadActorId: uuid('lead_actor_id'),
    description: text('description'),
  },
  (t) => versionedKeys('departments', t, t.orgUnitId),
);

export const teams = pgTable(
  'teams',
  {
    ...versionedColumns(),
    orgUnitId: uuid('org_unit_id').notNull(),
    teamTypeId: uuid('team_type_id'),
    purpose: text('purpose'),
  },
  (t) => versionedKeys('teams', t, t.orgUnitId),
);

export const actors = pgTable(
  'actors',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    externalUid: text('external_uid').notNull(),
    sourceHris: text('source_hris'),
    sourceHrisId: text('source_hris_id'),
    fte: numeric('fte', { precision: 4, scale: 2, mode: 'number' }),
    title: text('title'),
    level: text('level'),
    ...datedColumns(),
  },
  (t) => [
    ...versionedKeys('actors', t, t.id),
    index('actors_email').on(t.tenantId, sql`lower(email)`).where(sql`version_to is null`),
    index('actors_source').on(t.tenantId, t.sourceHris, t.sourceHrisId).where(sql`version_to is null`),
  ],
);

export const reportingLines = pgTable(
  'reporting_lines',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    actorId: uuid('actor_id').notNull(),
    managerId: uuid('manager_id').notNull(),
    ...datedColumns(),
  },
  (t) => versionedKeys('reporting_lines', t, t.id),
);

export const placements = pgTable(
  'placements',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    actorId: uuid('actor_id').notNull(),
    orgUnitId: uuid('org_unit_id').notNull(),
    positionId: uuid('position_id'),
    isPrimary: boolean('is_primary').notNull(),
    allocationPct: numeric('allocation_pct', { precision: 5, scale: 2, mode: 'number' }).notNull(),
    ...datedColumns(),
  },
  (t) => versionedKeys('placements', t, t.id),
);

export const positions = pgTable(
  'positions',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    title: text('title').notNull(),
    roleType: text('role_type'),
    orgUnitId: uuid('org_unit_id'),
    plannedFte: numeric('planned_fte', { precision: 4, scale: 2, mode: 'number' }).notNull(),
    employmentType: text('employment_type').notNull(),
    targetSalaryMinor: bigint('target_salary_minor', { mode: 'number' }),
    dayRateMinor: bigint('day_rate_minor', { mode: 'number' }),
    currency: text('currency'),
    ...datedColumns(),
  },
  (t) => versionedKeys('positions', t, t.id),
);

export const compensations = pgTable(
  'compensations',
  {
    ...versionedColumns(),
    id: uuid('id').notNull(),
    actorId: uuid('actor_id').notNull(),
    kind: text('kind').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    ...datedColumns(),
  },
  (t) => versionedKeys('compensations', t, t.id),
);

/**
 * Scenarios of every kind: planning (an overlay of changes on its source), applied (a promoted planning scenario,
 * locked) and snapshot (a Live version, read-only).
 */
export const scenarios = pgTable(
  'scenarios',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    name: text('name').notNull(),
    description: text('description'),
    /** planning | applied | snapshot */
    kind: text('kind').notNull(),
    /** active | archived */
    state: text('state').notNull().default('active'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    /** The scenario this one branched from; null = Live. */
    sourceScenarioId: uuid('source_scenario_id'),
    /** Live version when the scenario branched (planning) or the Live version it preserves (snapshot). */
    liveVersion: bigint('live_version', { mode: 'number' }).notNull(),
    /** Bumped by every change batch; proposals and caches compare it. */
    revision: bigint('revision', { mode: 'number' }).notNull().default(0),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    promotedAt: timestamp('promoted_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('scenarios_kind_state').on(t.tenantId, t.kind, t.state)],
);

/**
 * A planning scenario's overlay: one row per record it added, changed or removed. `values` holds the scenario's
 * values (the whole record for `add`, only the changed fields for `change`); `base` holds, for each changed field,
 * the source's value the change was made against — the third side of conflict detection.
 */
export const scenarioChanges = pgTable(
  'scenario_changes',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    scenarioId: uuid('scenario_id').notNull(),
    family: text('family').notNull(),
    recordId: uuid('record_id').notNull(),
    /** add | change | remove */
    op: text('op').notNull(),
    values: jsonb('values').$type<Record<string, unknown>>(),
    base: jsonb('base').$type<Record<string, unknown>>(),
    revision: bigint('revision', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scenarioId, t.family, t.recordId] })],
);

/** How Live evolved: one entry per promotion or snapshot restore, with its summary deltas. */
export const lineageEntries = pgTable(
  'lineage_entries',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    /** promotion | restore | import */
    type: text('type').notNull(),
    /** The snapshot of the Live that was replaced. */
    fromSnapshotId: uuid('from_snapshot_id'),
    /** The applied scenario (promotion) or restored snapshot (restore). */
    toScenarioId: uuid('to_scenario_id'),
    liveVersion: bigint('live_version', { mode: 'number' }).notNull(),
    userId: uuid('user_id'),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
    deltas: jsonb('deltas').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('lineage_applied').on(t.tenantId, t.appliedAt)],
);
