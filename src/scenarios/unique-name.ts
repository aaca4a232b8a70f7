import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { scenarios } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { nameKey, quoted } from '../util/words.js';

/*
 * Names of the tenant's active planning scenarios are unique, ignoring case, surrounding spaces and runs of spaces
 * inside (nameKey): two options both called "Q3 plan" cannot be told apart in a list, a picker or a promotion.
 * Archived scenarios, applied ones and snapshots keep theirs (a history may repeat a name), so archiving or promoting
 * a scenario frees its name — and unarchiving one is refused while another active scenario has taken it.
 */

/** Serialises the name and plan-cap checks of one tenant until the transaction ends (two creates at once). */
export async function lockScenarioNames(tx: Db, tenantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`orgonaut-scenario-names:${tenantId}`}))`);
}

/**
 * Refuses `name` when an active planning scenario other than `exceptId` already has it (ScenarioNameTaken). `why`
 * picks the advice: unarchiving a scenario (the default when it names one) or naming one (create, rename).
 */
export async function assertNameFree(
  db: Db,
  tenantId: string,
  name: string,
  exceptId?: string,
  why: 'naming' | 'unarchiving' = exceptId === undefined ? 'naming' : 'unarchiving',
): Promise<void> {
  const key = nameKey(name);
  const active = await db
    .select({ id: scenarios.id, name: scenarios.name })
    .from(scenarios)
    .where(and(eq(scenarios.tenantId, tenantId), eq(scenarios.kind, 'planning'), eq(scenarios.state, 'active')));
  const taken = active.find((s) => s.id !== exceptId && nameKey(s.name) === key);
  if (taken) throw new ScenarioNameTaken(taken, why === 'unarchiving');
}

/** 409 `scenario_name_taken`: names the active scenario that has the name, on the `name` field. */
export class ScenarioNameTaken extends AppError {
  constructor(existing: { id: string; name: string }, unarchiving: boolean) {
    super(
      'scenario_name_taken',
      409,
      `An active planning scenario is already named ${quoted(existing.name)}${unarchiving ? ', so this one cannot come back under the same name' : ''}.`,
      unarchiving
        ? `Archive ${quoted(existing.name)} first, then unarchive this one.`
        : `Choose another name (e.g. with the month or the option: "2026-03 platform-realignment B"), or archive ${quoted(existing.name)} first.`,
      { field: 'name', existing_scenario: { id: existing.id, name: existing.name } },
    );
  }
}
