import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, type CallToolResult } from '@modelcontextprotocol/server';
import { describeAbility, type Ability } from '../access/abilities.js';
import { anyOfRoles, grantorsIn, rolesIncluding, rolesWith } from '../access/bundles.js';
import type { Principal } from '../access/policy.js';
import { AppError, InvalidInput, MissingAbility, NotFound, ReadOnlyContext } from '../errors.js';
import type { Logger } from '../logger.js';
import { addDays, ISO_DATE_RULE, today } from '../org/dates.js';
import { refusalIn, type RecordKind } from '../scenarios/ops/refusals.js';
import { flatMoney } from './money.js';
import { MissingOneOfAbilities } from './registry.js';

/**
 * The MCP renderings of results and errors (STYLE §7 rule 9). A tool result is the structured content plus the
 * same JSON as text, without null noise, money stated one way (money.ts). An error is an `isError` result with our message and fix and a
 * structured `code`; only messages from our templates reach the model, anything unexpected becomes
 * "internal error, request id …" and is logged with its stack.
 */

/** Where an error happened, for the log line and the request id the caller is told. */
export interface ErrorScope {
  principal: Principal;
  requestId: string;
  logger: Logger;
  /** e.g. `tools/call org.units.list` */
  operation: string;
}

export function toolResult(data: object): CallToolResult {
  const structured = compact(flatMoney(data)) as Record<string, unknown>;
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

/** `render` rewrites tool names in our message and fix to the names the client was shown. */
export function toolError(error: unknown, scope: ErrorScope, render: (text: string) => string = (text) => text): CallToolResult {
  const described = describeError(error, scope);
  const message = render(described.message);
  const fix = described.fix === undefined ? undefined : render(described.fix);
  const { details } = described;
  const text = fix ? `${asSentence(message)} ${fix}` : message;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: { error: { message, fix, ...details } } };
}

/** Resources and prompts answer errors as JSON-RPC errors rather than results. */
export function protocolError(error: unknown, scope: ErrorScope, uri?: string): ProtocolError {
  if (error instanceof NotFound && uri) return new ResourceNotFoundError(uri);
  const { message, fix, details } = describeError(error, scope);
  const code = error instanceof AppError ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InternalError;
  return new ProtocolError(code, fix ? `${asSentence(message)} ${fix}` : message, details);
}

/** A message ends with a full stop before its fix follows ("Invalid cursor: … start again without it. Correct …"). */
function asSentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

interface ErrorDescription {
  message: string;
  fix?: string;
  details: Record<string, unknown>;
}

/**
 * Where an assistant finds the ids of a record that was not found (the services' fix, "check the id", names no
 * tool). Keyed by the record as NotFound names it at the start of its message.
 */
const FIND_IDS: Record<string, string> = {
  'Org unit':
    'Find org unit ids with `org.units.list`, `org.units.tree` or `search`; a unit created in a scenario exists only when you pass that `scenario_id`.',
  Actor: 'Find actor ids with `org.actors.list` or `search`; an actor added in a scenario exists only when you pass that `scenario_id`.',
  Position: 'Find position ids with `org.positions.list`; a position created in a scenario exists only when you pass that `scenario_id`.',
  Placement: 'Find placement ids with `org.placements.list`; a placement created in a scenario exists only when you pass that `scenario_id`.',
  Scenario: 'Find scenario ids with `scenario.list`, snapshot ids with `org.snapshots.list`.',
  Proposal: 'Proposal ids come from `scenario.action.plan` (this user and client only): plan the change again.',
  Record: 'Pass an id from `search` (`org-unit:<id>` or `actor:<id>`).',
};

/** The FIND_IDS entry for each kind of record a refused change names (`no_such_record`). */
const RECORD_NAMES: Record<RecordKind, keyof typeof FIND_IDS> = { actor: 'Actor', org_unit: 'Org unit', position: 'Position', placement: 'Placement' };

function findIdsFix(error: NotFound): string | undefined {
  return Object.entries(FIND_IDS).find(([record]) => error.message.startsWith(`${record} `))?.[1];
}

/**
 * A fix that says what to do for the invalid arguments an assistant meets most, instead of "correct it": a value
 * outside a choice (the values allowed, and the one probably meant), a missing or malformed scenario id and a change that names a record the scenario does not have (where to find the ids), and
 * a cursor that does not fit.
 */
function invalidInputFix(error: InvalidInput): string | undefined {
  if (error.field === 'cursor') {
    return 'Call again without `cursor` for the first page; pass a `next_cursor` back only to the tool, with the same filters, that returned it.';
  }
  if (/ is not an argument of this tool/.test(error.message)) {
    const meant = error.details.did_you_mean;
    return `${meant ? `Did you mean \`${meant}\`? ` : ''}Leave out "${error.field}": call \`capability.explain\` with this tool’s name for its arguments.`;
  }
  if (Array.isArray(error.details.allowed)) {
    if (typeof error.details.how === 'string') return `${error.details.how} Then plan again.`;
    const meant = error.details.did_you_mean;
    const values = (error.details.allowed as string[]).map((value) => `"${value}"`).join(', ');
    return `${meant ? `Did you mean "${meant}"? ` : ''}Call again with "${error.field}" set to one of ${values}, written exactly so (\`allowed\` lists them).`;
  }
  if (error.field === 'scenario_id') return `Correct "scenario_id": f${FIND_IDS.Scenario!.slice(1)}`;
  // "yesterday", "last week", "2026-11-31": an assistant may not know the date, so it is told the one to count from.
  if (error.message.endsWith(ISO_DATE_RULE)) {
    const day = today();
    return `Correct "${error.field}" with a day written YYYY-MM-DD: today is ${day} (UTC), so yesterday is ${addDays(day, -1)} and a week ago ${addDays(day, -7)}.`;
  }
  const refusal = refusalIn(error);
  if (refusal?.reason === 'no_such_record') return FIND_IDS[RECORD_NAMES[refusal.kind]]!.replace('Find', `Correct "${error.field}": find`);
  return refusal ? refusalFix(error.field, error.details) : undefined;
}

/** Where an assistant finds the records of each kind a refused change names, in a scenario. */
const LIST_TOOL: Record<RecordKind, string> = {
  actor: '`org.actors.list`',
  org_unit: '`org.units.list`',
  position: '`org.positions.list`',
  placement: '`org.placements.list`',
};

/** How many ids of a refused change's records its fix writes out (a unit of 40 people lists the rest by key). */
const IDS_IN_TEXT = 20;

/**
 * The change to make for a refused change that carries its reason (`src/scenarios/ops/refusals.ts`), from the
 * reason's ids and days — "correct the field" would send an assistant to change an id that is right (a leaver who
 * still manages people is the right actor_id: their reports need another manager first). The change is refused in a
 * batch, so the fix says where in it the missing changes go. Undefined for a reason this does not know.
 */
function refusalFix(field: string, details: Record<string, unknown>): string | undefined {
  const ids = (key: string) => (Array.isArray(details[key]) ? (details[key] as unknown[]).map(String) : []);
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : undefined);
  const change = field.replace(/\.[a-z_]+$/, '');
  // The ids themselves, not "the 2 in `placements`": most clients show the model only the text of an error result,
  // not its structured content, and the changes to add need each id.
  const listed = (key: string) => {
    const all = ids(key);
    const shown = all.slice(0, IDS_IN_TEXT).map((id) => `"${id}"`).join(', ');
    return all.length <= IDS_IN_TEXT ? shown : `${shown} and ${all.length - IDS_IN_TEXT} more, all ${all.length} in \`${key}\``;
  };
  switch (details.reason) {
    case 'still_manages':
      return (
        `Keep this change and give ${ids('reports').length === 1 ? 'that report' : 'each report'} (${listed('reports')}) another manager first: a set_manager ` +
        `change per report (actor_id, manager_id, date on or before ${text('from')}) placed before ${change} in the same batch. ` +
        '`org.reporting_lines.list` with manager_id lists them by name.'
      );
    case 'has_primary_placement':
      return (
        `Replace ${change} with move_placement (placement_id "${text('placement_id')}", the new org_unit_id) to move the actor’s primary placement, ` +
        'or leave is_primary out for a second, secondary placement.'
      );
    case 'already_primary':
      return (
        `Leave ${change} out: placement "${text('id')}" is the actor’s primary already on ${text('day')}. To make another of their placements primary, ` +
        `name that one as "${field}" (\`org.placements.list\` with this scenario_id, actor_id and as_of "${text('day')}" lists them).`
      );
    case 'placed_in_unit_already':
      // A move there: the two placements become one, or the one there goes first.
      if (text('op') === 'move_placement') {
        return (
          `Instead of ${change}, give placement "${text('placement_id')}" (already in that unit) the combined allocation with set_allocation and end placement ` +
          `"${text('moved_placement_id')}" with end_placement (make the one there primary first with set_primary_placement if the moved one is the primary), ` +
          `or put a move_placement or end_placement of "${text('placement_id')}" before ${change} in the same batch, then plan again.`
        );
      }
      return (
        `Replace ${change} with set_allocation (placement_id "${text('placement_id')}", the new allocation_pct) to change how much of the actor the unit has, ` +
        `or put a move_placement or end_placement of "${text('placement_id')}" before ${change} in the same batch, then plan again.`
      );
    case 'unit_not_empty': {
      const units = ids('child_units').length ? `move_org_unit (or close_org_unit) for each child unit (${listed('child_units')})` : '';
      const placements = ids('placements').length
        ? `move_placement for each placement (${listed('placements')}; end_placement for a secondary one, deactivate_actor for a leaver)`
        : '';
      const positions = ids('positions').length
        ? `update_position to another org_unit_id for each open position (${listed('positions')}; close_position for a seat no longer needed)`
        : '';
      return `Before ${change} in the same batch, add ${[units, placements, positions].filter(Boolean).join(' and ')}, then plan again.`;
    }
    case 'open_positions': {
      const alternative = text('alternative_op');
      return (
        `Before ${change} in the same batch, add a ${text('suggested_op')} change for each position (${listed('positions')})` +
        `${alternative ? `, or ${alternative} for a seat no longer needed` : ''}, then plan again.`
      );
    }
    case 'position_filled':
      return (
        `Before ${change} in the same batch, add a ${text('suggested_op')} change for each placement filling it (${listed('placements')}) to the new org_unit_id, ` +
        `and after it a fill_position change to fill the seat there again, then plan again.`
      );
    case 'ends_before':
      // What the change makes would outlast the unit, manager or seat it hangs on: another one is named instead.
      switch (text('kind')) {
        case 'org_unit':
          return `The org unit "${text('id')}" closes on ${text('ends_on')} in this scenario: name an org unit that stays open as "${field}" (\`org.units.list\` with this scenario_id), then plan again.`;
        case 'actor':
          return (
            `The manager "${text('id')}" leaves on ${text('ends_on')} in this scenario: name a manager who stays as "${field}", or put a set_manager of the same actor_id ` +
            `to their manager from then (date "${text('ends_on')}") before ${change} in the same batch, then plan again.`
          );
        case 'position':
          return `The position "${text('id')}" closes on ${text('ends_on')} in this scenario: name a vacant position that stays open as "${field}" (\`org.positions.list\` with this scenario_id), or leave it out, then plan again.`;
        default:
          return undefined;
      }
    case 'not_active': {
      const continued = ids('continued_by');
      if (continued.length) return `Name one of the placements in \`continued_by\` as "${field}" (${continued.join(', ')}), then plan again.`;
      // A closed position is not changed (update_position has no date to move it before its closing).
      if (text('kind') === 'position' && text('ended_on')) return `The position was closed on ${text('ended_on')}: leave ${change} out, or open a new seat with create_position.`;
      // Someone who has left keeps the details they left with (update_actor has no date to change them before).
      if (text('kind') === 'actor' && text('ended_on')) return `The actor left on ${text('ended_on')}: their details are not changed any more; leave ${change} out.`;
      const day = text('day');
      const ended = text('ended_on') ? ` (it ended on ${text('ended_on')})` : '';
      switch (text('kind') as RecordKind | undefined) {
        case 'actor':
          return `The actor is not in the organisation on ${day}: date ${change} while they are (\`org.actors.get\` with this scenario_id shows their valid_from and valid_to).`;
        case 'org_unit':
          return `The org unit is not in effect on ${day}${ended}: date ${change} while it is (\`org.units.get\` with this scenario_id shows its dates), or name another unit.`;
        case 'placement':
        case 'position': {
          const kind = text('kind') as 'placement' | 'position';
          return `The ${kind} is not in effect on ${day}${ended}: date ${change} while it is, or name the ${kind} in effect then (${LIST_TOOL[kind]} with this scenario_id and as_of "${day}").`;
        }
        default:
          return undefined;
      }
    }
    case 'required':
      return `Add "${field === change ? field : field.slice(change.length + 1)}" to ${change}: \`capability.explain\` with \`scenario.action.plan\` lists the fields of ${text('op')}.`;
    case 'undated_only':
      return `Leave "${field}" out of ${change}: ${text('op')} applies from today (${today()}), the only day it can take effect.`;
    case 'later_change_of_leaver':
      return `Remove changes[${String(details.change)}] (${text('later_op')}), or date the deactivation on or after ${text('from')}, then plan again.`;
    case 'name_taken':
      // A unit of the batch itself has an id that exists nowhere yet: its change is named instead.
      return typeof details.change === 'number'
        ? `Give "${field}" another name, or change the name changes[${details.change}] gives its unit, then plan again.`
        : `Give "${field}" another name, or put a rename_org_unit (or close_org_unit) of "${text('id')}" before ${change} in the same batch, then plan again.`;
    case 'email_taken':
      // An actor of the batch itself has an id that exists nowhere yet: its change is named instead.
      return typeof details.change === 'number'
        ? `Give "${field}" another email (or leave it out), or change the email changes[${details.change}] gives its actor, then plan again.`
        : `Give "${field}" another email (or leave it out), or put an update_actor of "${text('id')}" with another email (or email null) before ${change} in the same batch, then plan again. \`org.actors.get\` shows who has it.`;
    default:
      return undefined;
  }
}

/**
 * What an assistant can do about a scenario it may not change. The services' fixes ("make changes in an active
 * planning scenario", "unarchive it first") name no tool, and unarchiving or creating a scenario is done in the web
 * app, not over MCP.
 */
function readOnlyFix(error: ReadOnlyContext): string {
  const elsewhere =
    'find an editable one with `scenario.list` (kind "planning", state "active", `editable: true`); with none, ask the person to ' +
    'create one on the Scenarios page of the web app (scenarios are not created over MCP).';
  return error.details.kind === 'archived scenario'
    ? `Ask the person to unarchive it on the Scenarios page of the web app (it counts against the plan’s active planning scenarios again), or ${elsewhere}`
    : `Plan the changes in a planning scenario instead: ${elsewhere}`;
}

function describeError(error: unknown, scope: ErrorScope): ErrorDescription {
  if (error instanceof MissingOneOfAbilities) return describeMissingAbility(error.alternatives, scope.principal);
  if (error instanceof MissingAbility) return describeMissingAbility([error.ability as Ability], scope.principal);
  if (error instanceof AppError) {
    const fix =
      (error instanceof NotFound && findIdsFix(error)) ||
      (error instanceof InvalidInput && invalidInputFix(error)) ||
      (error instanceof ReadOnlyContext && readOnlyFix(error)) ||
      error.fix;
    return { message: error.message, fix, details: { code: error.code, ...error.details } };
  }
  scope.logger.error({ err: error, requestId: scope.requestId, operation: scope.operation }, 'MCP request failed');
  return {
    message: `Internal error (request id ${scope.requestId}).`,
    fix: 'Try again; if it keeps failing, give the request id to the Orgonaut operators.',
    details: { code: 'internal_error', request_id: scope.requestId },
  };
}

/**
 * Names the ability (or the alternatives, any one of which would do), says whether the role or only the credential
 * lacks it, and who can grant it — from the tenant's own bundles (`Principal.bundles`): `granted_by` the roles with
 * `members.manage` here (the owner always), `roles_with_ability` the roles that include it here.
 */
export function describeMissingAbility(alternatives: readonly Ability[], principal: Principal): ErrorDescription {
  const grantors = grantorsIn(principal.bundles);
  const inRole = alternatives.filter((ability) => principal.roleAbilities.has(ability));
  const named = inRole.length ? inRole : alternatives;
  const quoted = named.map((ability) => `"${ability}"`).join(' or ');
  const it = named.length > 1 ? 'one of them' : 'it';
  const fix = inRole.length
    ? principal.kind === 'oauth'
      ? `Your role includes ${it} but this connection was not granted ${it}: reconnect the app and allow ${quoted}.`
      : `Your role includes ${it} but this token was not granted ${it}: create a personal API token that includes ${quoted} ` +
        '(Settings → API and MCP).'
    : `Ask ${anyOfRoles(grantors)} of this tenant for a role that includes ${it} (${rolesIncluding(named[0]!, principal.bundles, 'tenant')}).`;
  const lacking = inRole.length ? 'credential' : 'role';
  const described = alternatives.map((ability) => `"${ability}"${alternatives.length > 1 ? '' : ' ability'} (${lowerFirst(describeAbility(ability))})`);
  const message =
    alternatives.length > 1
      ? `This needs one of the abilities ${described.join(' or ')}, and your ${lacking} has none of them.`
      : `This needs the ${described[0]}, which your ${lacking} does not have.`;
  const oneOf = alternatives.length > 1 ? { one_of: [...alternatives] } : {};
  return {
    message,
    fix,
    details: { code: 'missing_ability', ability: named[0], ...oneOf, granted_by: grantors, roles_with_ability: rolesWith(named[0]!, principal.bundles) },
  };
}

/** "See org units…" → "see org units…", keeping "AI" as it is. */
function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * The result without what says nothing (docs/MCP.md, "Results"): null and undefined fields, everywhere; and an empty
 * list or object where its absence says the same — on the items of a list, and below the fields of the result and
 * of the record or section it holds (a vacant position's `filled_by: []`, an event's `metadata: {}`, a cost's
 * `unconvertible: []`, a family's `added: []`). Where an empty list or object answers the question it stays: a
 * field of the result or of the record it holds (`children: []`, `direct_reports: []`, `conflicts: []`, an empty
 * page). Repeated on every item, the former cost an assistant tokens and tell it nothing.
 */
export function compact(value: unknown): unknown {
  return compactAt(value, 0, false);
}

/** The deepest level at which an empty list or object still answers: a field of a record the result holds. */
const ANSWERING_DEPTH = 2;

function compactAt(value: unknown, depth: number, inList: boolean): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => compactAt(item, depth + 1, true));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  const dropEmpty = inList || depth >= ANSWERING_DEPTH;
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (field === null || field === undefined) continue;
    const compacted = typeof field === 'object' ? compactAt(field, depth + 1, inList) : field;
    if (dropEmpty && isEmpty(compacted)) continue;
    out[key] = compacted;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && !(value instanceof Date) && Object.keys(value).length === 0;
}
