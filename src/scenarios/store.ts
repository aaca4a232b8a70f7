import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { insertJsonRows } from '../db/live-store.js';
import { scenarioChanges, scenarios } from '../db/schema/index.js';
import { Conflict, NotFound } from '../errors.js';
import type { Family } from '../org/types.js';
import { isUuid } from '../util/ids.js';
import type { ChangeOp, ScenarioChange } from './overlay.js';

export const SCENARIO_KINDS = ['planning', 'applied', 'snapshot'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export type ScenarioState = 'active' | 'archived';

export interface Scenario {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  kind: ScenarioKind;
  state: ScenarioState;
  submittedAt: Date | null;
  sourceScenarioId: string | null;
  /** planning: Live version at branch time; snapshot and applied: the Live version they show. */
  liveVersion: number;
  revision: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  promotedAt: Date | null;
}

type Row = typeof scenarios.$inferSelect;

function toScenario(row: Row): Scenario {
  return {
    ...row,
    kind: row.kind as ScenarioKind,
    state: row.state as ScenarioState,
    liveVersion: Number(row.liveVersion),
    revision: Number(row.revision),
  };
}

/** The tenant's scenario `id`; another tenant's id, a malformed id and a missing one are all "not found". */
export async function loadScenario(db: Db, tenantId: string, id: string): Promise<Scenario> {
  if (!isUuid(id)) throw new NotFound('Scenario', id);
  const [row] = await db
    .select()
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, tenantId), eq(scenarios.id, id)))
    .limit(1);
  if (!row) throw new NotFound('Scenario', id);
  return toScenario(row);
}

export async function listScenarioRows(db: Db, tenantId: string): Promise<Scenario[]> {
  const rows = await db.select().from(scenarios).where(eq(scenarios.tenantId, tenantId)).orderBy(scenarios.createdAt, scenarios.id);
  return rows.map(toScenario);
}

export interface NewScenario {
  name: string;
  description?: string | null;
  kind: ScenarioKind;
  sourceScenarioId?: string | null;
  liveVersion: number;
  createdBy?: string | null;
}

export async function insertScenario(db: Db, tenantId: string, input: NewScenario): Promise<Scenario> {
  const [row] = await db
    .insert(scenarios)
    .values({
      tenantId,
      name: input.name,
      description: input.description ?? null,
      kind: input.kind,
      sourceScenarioId: input.sourceScenarioId ?? null,
      liveVersion: input.liveVersion,
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return toScenario(row!);
}

/** Every change of a scenario's overlay, in a stable order. */
export async function loadChanges(db: Db, tenantId: string, scenarioId: string): Promise<ScenarioChange[]> {
  const rows = await db
    .select()
    .from(scenarioChanges)
    .where(and(eq(scenarioChanges.tenantId, tenantId), eq(scenarioChanges.scenarioId, scenarioId)))
    .orderBy(scenarioChanges.family, scenarioChanges.recordId);
  return rows.map((r) => ({
    family: r.family as Family,
    recordId: r.recordId,
    op: r.op as ChangeOp,
    values: r.values ?? null,
    base: r.base ?? null,
    revision: Number(r.revision),
  }));
}

/**
 * Stores the new state of some records' changes (null = the record no longer differs from the source) and bumps
 * the scenario's revision. Run inside the batch's transaction.
 */
export async function saveChanges(
  tx: Db,
  tenantId: string,
  scenarioId: string,
  changes: { family: Family; recordId: string; change: ScenarioChange | null }[],
  expectedRevision?: number,
): Promise<number> {
  const mine = and(eq(scenarios.tenantId, tenantId), eq(scenarios.id, scenarioId));
  const [bumped] = await tx
    .update(scenarios)
    .set({ revision: sql`${scenarios.revision} + 1`, updatedAt: sql`now()` })
    .where(expectedRevision === undefined ? mine : and(mine, eq(scenarios.revision, expectedRevision)))
    .returning({ revision: scenarios.revision });
  if (!bumped && expectedRevision !== undefined) throw new ScenarioMoved();
  if (!bumped) throw new NotFound('Scenario', scenarioId);
  const revision = Number(bumped.revision);
  const updatedAt = new Date();
  const upserts = changes.filter((c) => c.change !== null);
  for (let i = 0; i < upserts.length; i += 2_000) {
    await insertJsonRows(
      tx,
      scenarioChanges,
      CHANGE_FIELDS,
      upserts.slice(i, i + 2_000).map(({ family, recordId, change }) => ({
        tenantId,
        scenarioId,
        family,
        recordId,
        op: change!.op,
        values: change!.values,
        base: change!.base,
        revision,
        updatedAt,
      })),
      sql`on conflict (tenant_id, scenario_id, family, record_id) do update set op = excluded.op, "values" = excluded."values", base = excluded.base, revision = excluded.revision, updated_at = excluded.updated_at`,
    );
  }
  // Records back to their source's state: their rows go, one statement per family (and thousand ids).
  const removals = new Map<Family, string[]>();
  for (const { family, recordId, change } of changes) {
    if (change !== null) continue;
    const ids = removals.get(family);
    if (ids) ids.push(recordId);
    else removals.set(family, [recordId]);
  }
  for (const [family, recordIds] of removals) {
    for (let i = 0; i < recordIds.length; i += 1_000) {
      await tx
        .delete(scenarioChanges)
        .where(
          and(
            eq(scenarioChanges.tenantId, tenantId),
            eq(scenarioChanges.scenarioId, scenarioId),
            eq(scenarioChanges.family, family),
            inArray(scenarioChanges.recordId, recordIds.slice(i, i + 1_000)),
          ),
        );
    }
  }
  return revision;
}

const CHANGE_FIELDS = ['tenantId', 'scenarioId', 'family', 'recordId', 'op', 'values', 'base', 'revision', 'updatedAt'];

/** The scenario changed between reading and saving (another batch won): nothing was saved. */
export class ScenarioMoved extends Conflict {
  constructor() {
    super('The scenario changed while this batch was being applied; nothing was saved.', 'Review the scenario and apply the batch again.');
  }
}
