import { can, type Principal } from '../access/policy.js';
import { InvalidInput, MissingAbility } from '../errors.js';
import { isIsoDate, ISO_DATE_RULE } from '../org/dates.js';
import type { OrgGraph } from '../org/types.js';
import { abilitiesFor, ChangeCommandSchema, MAX_BATCH, type ChangeCommand, type ChangeOp } from './commands.js';
import type { RecordEdit } from './edits.js';
import type { OpContext, ReferenceLists } from './ops/context.js';
import { addActor, addPlacement, deactivateActor, endPlacement, movePlacement, setAllocation, setFte, setManager } from './ops/people.js';
import { closePosition, createPosition, fillPosition, setCompensation } from './ops/positions.js';
import { closeOrgUnit, createOrgUnit, moveOrgUnit, renameOrgUnit, updateTeam } from './ops/structure.js';
import { WorkingGraph } from './working-graph.js';

const HANDLERS: Record<ChangeOp, (ctx: OpContext) => void> = {
  create_org_unit: createOrgUnit,
  rename_org_unit: renameOrgUnit,
  move_org_unit: moveOrgUnit,
  close_org_unit: closeOrgUnit,
  update_team: updateTeam,
  set_manager: setManager,
  add_placement: addPlacement,
  move_placement: movePlacement,
  set_allocation: setAllocation,
  end_placement: endPlacement,
  set_fte: setFte,
  add_actor: addActor,
  deactivate_actor: deactivateActor,
  create_position: createPosition,
  fill_position: fillPosition,
  close_position: closePosition,
  set_compensation: setCompensation,
};

export interface BatchResult {
  edits: RecordEdit[];
  graph: OrgGraph;
  /** Per command, the records it created (ids chosen by the server). */
  created: { index: number; family: string; id: string }[];
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
  commands.forEach((command, index) => {
    for (const ability of abilitiesFor(command)) if (!can(principal, ability)) throw new MissingAbility(ability);
    const path = `changes[${index}]`;
    if (command.date !== undefined && !isIsoDate(command.date)) throw new InvalidInput(`${path}.date`, ISO_DATE_RULE);
    const ctx: OpContext = {
      wg,
      command,
      path,
      day: command.date ?? options.today,
      newId: options.newId,
      references: options.references,
      created: [],
      successors,
    };
    HANDLERS[command.op](ctx);
    created.push(...ctx.created.map((c) => ({ index, ...c })));
  });
  return { edits: wg.edits, graph: wg.finish(), created };
}
