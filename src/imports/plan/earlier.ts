import type { Family } from '../../org/types.js';
import { parseRow, type ParseContext } from '../parse-row.js';
import { Changeset } from './changeset.js';
import type { OrgIndex } from './org-index.js';
import type { StoredRow } from './plan.js';
import type { PriorKeys } from './resolve.js';
import { StructureBuilder, type TypeRegistry } from './structure.js';

/**
 * What the earlier steps of a run (the rows it imported before this reprocessing step) mean for this one: their
 * identity keys, which a row of this step may not repeat, and the departments and teams their rows went through,
 * which the run's summary has counted already — a unit both steps' rows name is one record, not one per step. The
 * units are found again by the same rules over the organisation as it is now (they all exist: earlier steps created
 * the missing ones), in a changeset that is thrown away. Per-person records need no such care: each row's are its own
 * actor's, and a row of this step is never an earlier row's actor (its identity keys are refused).
 */
export interface EarlierSteps {
  prior: PriorKeys;
  /** Ids of records per family that earlier steps went through (units only), left out of this step's unchanged count. */
  counted: Partial<Record<Family, ReadonlySet<string>>>;
}

export const NO_EARLIER_STEPS: EarlierSteps = { prior: { emails: new Map(), sources: new Map(), employeeIds: new Map(), actors: new Map() }, counted: {} };

export async function earlierSteps(rows: AsyncIterable<readonly StoredRow[]>, index: OrgIndex, parse: ParseContext, types: TypeRegistry, companyName: string, newId: () => string): Promise<EarlierSteps> {
  const emails = new Map<string, number>();
  const sources = new Map<string, number>();
  const employeeIds = new Map<string, number>();
  const actors = new Map<string, number>();
  const scratch = new Changeset(index.graph);
  // A copy of the type registry: a type missing now (removed since) is made up here, never created by the step.
  const ownTypes: TypeRegistry = { departmentTypes: new Map(types.departmentTypes), teamTypes: new Map(types.teamTypes), createMissing: true, created: { departmentTypes: [], teamTypes: [] } };
  const structure = new StructureBuilder(scratch, index, ownTypes, companyName, newId);
  for await (const page of rows) {
    for (const row of page) {
      const { keys, input } = parseRow(row.rowNumber, row.values, parse);
      if (keys.emailKey) emails.set(keys.emailKey, row.rowNumber);
      if (keys.sourceKey) sources.set(keys.sourceKey, row.rowNumber);
      if (keys.employeeIdKey) employeeIds.set(keys.employeeIdKey, row.rowNumber);
      if (row.actorId) actors.set(row.actorId, row.rowNumber);
      if (!input) continue;
      const placedIn = row.actorId ? index.primaryOf.get(row.actorId)?.orgUnitId : undefined;
      if (input.team && !input.department && !isOneTeam(index, input.team.key, placedIn)) continue;
      structure.unitFor(input, placedIn);
    }
  }
  return { prior: { emails, sources, employeeIds, actors }, counted: { orgUnits: scratch.touched('orgUnits'), departments: scratch.touched('departments'), teams: scratch.touched('teams') } };
}

/**
 * Whether a team named without its department still means one team: the actor's own, or the only one of the name.
 * (Several teams of the name, none the actor's — the actor moved since —: the earlier row's team is not told.)
 */
function isOneTeam(index: OrgIndex, key: string, placedIn: string | undefined): boolean {
  const teams = index.teamsByKey.get(key) ?? [];
  return teams.length <= 1 || teams.some((t) => t.id === placedIn);
}
