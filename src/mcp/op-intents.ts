/**
 * A change's `op` written as what the person asked for rather than as one of our ops ("hire", "merge_teams",
 * "fire"): no near spelling finds those, so the op meant — or, for a merge, the ops that make it — is named from
 * the intent. Keyed by the words an assistant writes; the op is matched after lower-casing and joining words by "_".
 */

const INTENT_OPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(hire|new_hire|add_(person|people|employee|engineer|hire|member|human)|create_(actor|person|employee))s?$/, 'add_actor'],
  [/^(open|add|create|new)_(seat|position|role|req|requisition|headcount)s?$|^budget_(seat|position)s?$/, 'create_position'],
  [/^(fire|terminate|offboard|remove_(actor|person|employee)|delete_(actor|person|employee)|leave|leaver)s?$/, 'deactivate_actor'],
  [/^(delete|remove|close|disband|dissolve)_(team|department|unit|org_unit)s?$/, 'close_org_unit'],
  [/^(add|create|new)_(team|department|unit)s?$/, 'create_org_unit'],
  [/^(reassign|change_manager|set_reports_to|reports_to|report_to|assign_manager)$/, 'set_manager'],
  [/^(set_salary|set_pay|raise|update_compensation|change_salary|set_salary_minor|update_salary)$/, 'set_compensation'],
  [/^(move_(actor|person|employee|people)|transfer|transfer_(actor|person|employee))$/, 'move_placement'],
  [/^(rename|rename_(team|department|unit))$/, 'rename_org_unit'],
];

const MERGE = /^(merge|combine|consolidate)(_(team|department|unit|org_unit)s?)?$/;

export interface OpIntent {
  /** The one op the word means. */
  op?: string;
  /** How to do it when no single op does (a merge). */
  how?: string;
}

export function opIntent(given: string): OpIntent | undefined {
  const word = given.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (MERGE.test(word)) {
    return {
      how:
        'There is no merge op: a merge is one list of changes — move_placement of each placement of the team that goes into the ' +
        'one that stays (`org.placements.list` with its org_unit_id lists them), update_position of each of its open seats to the ' +
        'staying team (`org.positions.list`) and fill_position of each moved person’s seat again (a moved placement leaves its seat vacant), ' +
        'set_manager for people whose manager changes, then close_org_unit of the team that goes.',
    };
  }
  const op = INTENT_OPS.find(([pattern]) => pattern.test(word))?.[1];
  return op ? { op } : undefined;
}
