import { can, type Principal } from '../access/policy.js';
import { InvalidInput, MissingAbility } from '../errors.js';
import { isIsoDate, ISO_DATE_RULE } from '../org/dates.js';
import type { Family, OrgGraph } from '../org/types.js';
import { camel } from '../org/family-names.js';
import { abilitiesFor, ChangeCommandSchema, MAX_BATCH, type ChangeCommand, type ChangeOp } from './commands.js';
import type { RecordEdit } from './edits.js';
import type { OpContext, ReferenceLists } from './ops/context.js';
import { refused } from './ops/refusals.js';
import { addActor, addPlacement, deactivateActor, endPlacement, movePlacement, setAllocation, setFte, setManager, setPrimaryPlacement, updateActor } from './ops/people.js';
import { closePosition, createPosition, fillPosition, setCompensation, updatePosition } from './ops/positions.js';
import { refuseSecondPlacementInUnit } from './ops/same-unit-placement.js';
import { closeOrgUnit, createOrgUnit, moveOrgUnit, renameOrgUnit, updateDepartment, updateTeam } from './ops/structure.js';
import { WorkingGraph } from './working-graph.js';

const HANDLERS: Record<ChangeOp, (ctx: OpContext) => void> = {
  create_org_unit: createOrgUnit,
  rename_org_unit: renameOrgUnit,
  move_org_unit: moveOrgUnit,
  close_org_unit: closeOrgUnit,
  update_team: updateTeam,
  set_manager: setManager,
  add_placement: (ctx) => {
    addPlacement(ctx);
    refuseSecondPlacementInUnit(ctx);
  },
  move_placement: movePlacement,
  set_allocation: setAllocation,
  end_placement: endPlacement,
  set_primary_placement: setPrimaryPlacement,
  set_fte: setFte,
  add_actor: addActor,
  deactivate_actor: deactivateActor,
  create_position: createPosition,
  fill_position: fillPosition,
  close_position: closePosition,
  update_position: updatePosition,
  set_compensation: setCompensation,
  update_actor: updateActor,
  update_department: updateDepartment,
};

export interface BatchResult {
  edits: RecordEdit[];
  graph: OrgGraph;
  /** Per command, the records it created (ids chosen by the server), with the `ref` the command gave one. */
  created: { index: number; family: string; id: string; ref?: string }[];
}

/** The ops that may name what they create (`ref`), and the family of that record. */
const REFERABLE: Partial<Record<ChangeOp, string>> = {
  create_org_unit: 'org_units',
  add_actor: 'actors',
  add_placement: 'placements',
  create_position: 'positions',
};

/** The id fields a `$<ref>` may stand in, and the family each names. */
const ID_FIELDS = {
  org_unit_id: 'org_units',
  parent_id: 'org_units',
  actor_id: 'actors',
  manager_id: 'actors',
  lead_actor_id: 'actors',
  placement_id: 'placements',
  position_id: 'positions',
} as const satisfies Partial<Record<keyof ChangeCommand, string>>;

const FAMILY_WORDS: Record<string, string> = { org_units: 'an org unit', actors: 'an actor', placements: 'a placement', positions: 'a position' };

/**
 * The command with each `$<ref>` in its id fields replaced by the id of the record an earlier command of the batch
 * created under that ref; refused when no earlier command did, or its record is of another kind than the field's.
 */
function withRefsResolved(command: ChangeCommand, path: string, refs: ReadonlyMap<string, { family: string; id: string }>): ChangeCommand {
  let resolved = command;
  for (const [field, family] of Object.entries(ID_FIELDS) as [keyof typeof ID_FIELDS, string][]) {
    const value = command[field];
    if (typeof value !== 'string' || !value.trim().startsWith('$')) continue;
    const ref = value.trim().slice(1);
    const target = refs.get(ref);
    if (!target) {
      throw new InvalidInput(`${path}.${field}`, `"${value.trim()}" names no record created earlier in this batch: give the change that creates it ref: "${ref}", before this one`);
    }
    if (target.family !== family) {
      throw new InvalidInput(`${path}.${field}`, `"${value.trim()}" is ${FAMILY_WORDS[target.family]}, not ${FAMILY_WORDS[family]}`);
    }
    resolved = { ...resolved, [field]: target.id };
  }
  return resolved;
}

/** Records what `command` created under its `ref`, if it gave one. */
function rememberRef(command: ChangeCommand, path: string, created: OpContext['created'], refs: Map<string, { family: string; id: string }>): string | undefined {
  if (command.ref === undefined) return undefined;
  const family = REFERABLE[command.op];
  if (!family) throw new InvalidInput(`${path}.ref`, `${command.op} creates nothing to name: ref goes on ${Object.keys(REFERABLE).join(', ')}`);
  if (refs.has(command.ref)) throw new InvalidInput(`${path}.ref`, `"${command.ref}" names an earlier change's record already: give each a ref of its own`);
  const record = created.find((c) => c.family === family)!;
  refs.set(command.ref, record);
  return record.id;
}

/** A change of the batch about an actor: its index, the actor and the day it takes effect. */
interface ActorChange {
  index: number;
  op: ChangeOp;
  actorId: string;
  day: string;
}

/** The actor a command is about — named (`actor_id`) or through a placement (`placement_id`) — if any. */
function actorChangedBy(wg: WorkingGraph, command: ChangeCommand): string | undefined {
  if (typeof command.actor_id === 'string' && command.actor_id.trim()) return command.actor_id.trim();
  if (typeof command.placement_id === 'string' && command.placement_id.trim()) return wg.get('placements', command.placement_id.trim())?.actorId;
  return undefined;
}

/**
 * A deactivation dated before an earlier change of the batch about the same actor (a placement move, pay, manager or
 * FTE change from a later day) would silently cancel that change: refused on the deactivation's date, naming it.
 * (A change after the deactivation in the batch is refused on its own: the actor is not active on its day.)
 */
function refuseLaterChangeOfLeaver(path: string, actorId: string, day: string, earlier: readonly ActorChange[]): void {
  const later = earlier.find((c) => c.actorId === actorId && c.day > day);
  if (!later) return;
  throw refused(
    `${path}.date`,
    `changes[${later.index}] (${later.op}) changes the same actor from ${later.day}, when they would no longer be active: remove that change, or date the deactivation on or after ${later.day}`,
    { reason: 'later_change_of_leaver', change: later.index, later_op: later.op, from: later.day },
  );
}

/** Parses raw commands (from any surface) into typed ones, naming the first bad field as `changes[i].field`. */
export function parseCommands(raw: unknown): ChangeCommand[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new InvalidInput('changes', 'give a non-empty list of change commands');
  if (raw.length > MAX_BATCH) throw new InvalidInput('changes', `at most ${MAX_BATCH} commands per batch`);
  return raw.map((item, index) => {
    const parsed = ChangeCommandSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? `changes[${index}].${issue.path.join('.')}` : `changes[${index}]`;
      throw new InvalidInput(field, issue.message);
    }
    return parsed.data;
  });
}

/**
 * Validates and runs a batch against a scenario's current graph, all or nothing: the first invalid command throws
 * InvalidInput naming it, and nothing is returned to save. Needs `scenarios.write` plus each command's abilities.
 */
export function runCommands(
  principal: Principal,
  graph: OrgGraph,
  commands: readonly ChangeCommand[],
  options: { today: string; references: ReferenceLists; newId: () => string },
): BatchResult {
  const wg = new WorkingGraph(graph, options.today);
  const created: BatchResult['created'] = [];
  const successors = new Map<string, string>();
  const refs = new Map<string, { family: string; id: string }>();
  const createdBy = new Map<string, number>();
  const aboutActors: ActorChange[] = [];
  commands.forEach((given, index) => {
    for (const ability of abilitiesFor(given)) if (!can(principal, ability)) throw new MissingAbility(ability);
    const path = `changes[${index}]`;
    if (given.date !== undefined && !isIsoDate(given.date)) throw new InvalidInput(`${path}.date`, ISO_DATE_RULE);
    const command = withRefsResolved(given, path, refs);
    const ctx: OpContext = {
      wg,
      command,
      path,
      day: command.date ?? options.today,
      newId: options.newId,
      references: options.references,
      created: [],
      successors,
      createdBy,
    };
    const about = actorChangedBy(wg, command);
    if (command.op === 'deactivate_actor' && about) refuseLaterChangeOfLeaver(path, about, ctx.day, aboutActors);
    HANDLERS[command.op](ctx);
    if (about) aboutActors.push({ index, op: command.op, actorId: about, day: ctx.day });
    const named = rememberRef(command, path, ctx.created, refs);
    created.push(...ctx.created.map((c) => ({ index, ...c, ...(named === c.id ? { ref: command.ref } : {}) })));
    for (const c of ctx.created) createdBy.set(c.id, index);
  });
  // A record a later command of the batch removed again (an end on the day it started) was not created after all.
  const finished = wg.finish();
  const kept = created.filter((c) => (finished[camel(c.family) as Family] as Map<string, unknown> | undefined)?.has(c.id) ?? true);
  return { edits: wg.edits, graph: finished, created: kept };
}
