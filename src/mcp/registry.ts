import type { z } from 'zod';
import type { Ability } from '../access/abilities.js';
import { MissingAbility } from '../errors.js';
import type { ServiceContext } from '../context.js';
import type { Tenant } from '../tenancy/tenants.js';
import type { Catalog } from './catalog.js';
import { truncatedOut } from './fields.js';

/**
 * One MCP tool = one declaration (STYLE §7 rule 7). A tool names what it needs (`requires`), describes itself for
 * an assistant, and its handler only parses → calls a service → returns plain data. Everything else — the ability
 * check, the OAuth step-up, argument validation, the result envelope, errors — is done once, by the boundary.
 */

/** All four hints, always explicit: clients assume the worst (destructive, open-world) for a missing one. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** The hints of every review tool: reads only, repeatable, nothing outside Orgonaut. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/** The groups `capability.list` shows the catalog in, in this order. */
export const TOOL_PURPOSES = {
  discovery: 'Discover what this server offers and how to use it',
  'org-review': 'Review the organisation in Live or in any readable scenario',
  'scenario-review': 'Find scenarios and snapshots and see what they change: records, conflicts, metric and cost deltas',
  'scenario-actions': 'Draft changes in a planning scenario for a person to confirm',
  history: 'How Live evolved, the activity log and the tenant settings',
  search: 'Search and fetch records (the shape ChatGPT connectors expect)',
} as const;
export type ToolPurpose = keyof typeof TOOL_PURPOSES;

/** What a handler may know about the MCP call besides its service context. */
export interface ToolCall {
  catalog: Catalog;
  names: NameStyle;
  /** `<scheme>://<host>` of the request, for links. */
  origin: string;
}

export type ToolInput = z.ZodObject;
export type ToolOutput = z.ZodObject;

export interface ToolDefinition<I extends ToolInput = ToolInput, O extends ToolOutput = ToolOutput> {
  /** Dotted, as documented (`org.units.list`); listed as `org_units_list` unless the tenant chose dotted names. */
  name: string;
  title: string;
  /** For an assistant: what it returns, when to use it, related tools in backticks (`org.units.get`). */
  description: string;
  purpose: ToolPurpose;
  /** A flat zod object: no unions; fields are primitives, arrays of primitives or arrays of flat objects of primitives. */
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  /** Abilities every call needs. `scenarios.read` is added automatically when a call names a scenario. */
  requires: readonly Ability[];
  /**
   * At least one of these as well, for a tool that answers with several kinds of record and leaves out the kinds
   * the caller may not read, saying so in its result (`search`: org units with org-units.read, people with
   * actors.read). A caller with none of them is refused (or asked to step up) like one missing a `requires`.
   */
  requiresOneOf?: readonly Ability[];
  /** Extra abilities a particular call needs, known from its arguments (e.g. `fetch` of an actor needs actors.read). */
  callRequires?(args: Record<string, unknown>): Ability[];
  /** A first call, shown by `capability.explain` and appended to the description (`<…>` marks an id to look up). */
  example: z.input<I>;
  /** Reference material `capability.explain` adds for this tool (e.g. the change ops of `scenario.action.plan`). */
  reference?: Record<string, unknown>;
  /**
   * Returns the structured content. Its type is checked at run time, against `outputSchema`, by the SDK (tests
   * call every tool): presenters return nulls and interfaces that the boundary compacts before validation.
   * Method syntax on purpose: it keeps the parameter bivariant, so specific tools fit in one ToolDefinition[].
   */
  handler(ctx: ServiceContext, input: z.output<I>, call: ToolCall): Promise<object>;
}

export function defineTool<I extends ToolInput, O extends ToolOutput>(tool: ToolDefinition<I, O>): ToolDefinition<I, O> {
  // A paginated tool's page may be cut short: its schema says how that reads (withPageHint, in the boundary).
  if (!('cursor' in tool.inputSchema.shape)) return tool;
  return { ...tool, outputSchema: tool.outputSchema.extend(truncatedOut) as unknown as O };
}

export type NameStyle = 'underscore' | 'dotted';

/** The style `tools/list` shows: underscores unless the tenant switched to the documented dotted names. */
export function nameStyleOf(tenant: Pick<Tenant, 'settings'>): NameStyle {
  return tenant.settings.mcpToolNames === 'dotted' ? 'dotted' : 'underscore';
}

/** `org.units.list` → `org_units_list` (what Claude and OpenAI accept: ^[a-zA-Z0-9_-]{1,64}$). */
export function underscoreName(dotted: string): string {
  return dotted.replaceAll('.', '_');
}

export function listedName(tool: Pick<ToolDefinition, 'name'>, style: NameStyle): string {
  return style === 'dotted' ? tool.name : underscoreName(tool.name);
}

/** Both callable names of a tool, the listed one first (one name when they are the same, as for `search`). */
export function callableNames(tool: Pick<ToolDefinition, 'name'>, style: NameStyle): string[] {
  const names = [listedName(tool, style), tool.name, underscoreName(tool.name)];
  return [...new Set(names)];
}

/**
 * The abilities one call needs: the tool's own, plus `scenarios.read` when it names a scenario (the services
 * check that too; knowing it before the call lets an OAuth client step up instead of failing).
 */
export function abilitiesFor(tool: ToolDefinition, args: unknown): Ability[] {
  const needed = new Set<Ability>(tool.requires);
  for (const ability of (isRecord(args) && tool.callRequires?.(args)) || []) needed.add(ability);
  const scenarioId = isRecord(args) ? args.scenario_id : undefined;
  if ('scenario_id' in tool.inputSchema.shape && typeof scenarioId === 'string' && scenarioId.trim() !== '') {
    needed.add('scenarios.read');
  }
  return [...needed];
}

/** What one call needs: every ability of `all`, and at least one of `oneOf` when that is not empty. */
export interface Needs {
  all: Ability[];
  oneOf: Ability[];
}

export function needsFor(tool: ToolDefinition, args: unknown): Needs {
  return { all: abilitiesFor(tool, args), oneOf: [...(tool.requiresOneOf ?? [])] };
}

/** What `held` lacks of `needs`: the missing abilities of `all`, and `oneOf` when it holds none of them. */
export function lacking(needs: Needs, held: ReadonlySet<Ability>): Needs {
  const noneHeld = needs.oneOf.length > 0 && !needs.oneOf.some((ability) => held.has(ability));
  return { all: needs.all.filter((ability) => !held.has(ability)), oneOf: noneHeld ? needs.oneOf : [] };
}

/** Whether `held` may make a call that needs `needs`. */
export function satisfies(needs: Needs, held: ReadonlySet<Ability>): boolean {
  const missing = lacking(needs, held);
  return missing.all.length === 0 && missing.oneOf.length === 0;
}

/** A call that needs one of several abilities and has none of them (result.ts names them all). */
export class MissingOneOfAbilities extends MissingAbility {
  constructor(readonly alternatives: readonly Ability[]) {
    super(alternatives[0]!);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` itself, or the array a string of JSON holds. */
export function jsonList(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('[')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : value;
  } catch {
    return value;
  }
}
