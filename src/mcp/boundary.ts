import type { CallToolResult } from '@modelcontextprotocol/server';
import { ZodArray, ZodEnum, ZodObject, ZodOptional, type z } from 'zod';
import { InvalidInput, MissingAbility } from '../errors.js';
import { consumeRateLimit, RateLimited, rateLimitSubject } from '../http/rate-limit.js';
import { metrics } from '../observability/metrics.js';
import { fieldPath, reasonOf } from '../util/zod-issues.js';
import type { Catalog } from './catalog.js';
import { isRecord, jsonList, lacking, MissingOneOfAbilities, needsFor, type ToolDefinition } from './registry.js';
import { toolError, toolResult } from './result.js';
import { blankClears } from './blank-clears.js';
import { explainOtherKind } from './other-kind.js';
import { opIntent } from './op-intents.js';
import { closestNames } from './suggest.js';
import { withLaterChangesNote } from './later-changes.js';
import { unknownChangeField } from '../scenarios/op-fields.js';
import { withPageHint } from './fields.js';
import type { McpSession } from './session.js';

/**
 * The one wrapper around every tool handler: abilities first (so the caller learns what to ask for before fixing
 * arguments), then the arguments, then the handler (an org read of a scenario without `as_of` gets the note on its
 * later-dated changes here, for every tool alike); whatever is thrown becomes an `isError` result (result.ts).
 * A refused call has changed nothing: the checks run before the handler, and the action services validate a whole
 * batch before saving any of it.
 */
export async function runTool(tool: ToolDefinition, rawArgs: unknown, session: McpSession, catalog: Catalog): Promise<CallToolResult> {
  const scope = { principal: session.principal, requestId: session.requestId, logger: session.logger, operation: `tools/call ${tool.name}` };
  const started = performance.now();
  let result: CallToolResult;
  try {
    assertAbilities(tool, rawArgs, session);
    const input = parseArguments(tool, rawArgs);
    await consumeActionBudget(tool, session);
    const output = await tool.handler(session.ctx, input, { catalog, names: session.names, origin: session.origin });
    result = toolResult(withPageHint(withLaterChangesNote(output, input, session.principal), tool.inputSchema.shape));
  } catch (error) {
    result = toolError(await explainOtherKind(error, session.ctx, rawArgs), scope, (text) => catalog.renderNames(text, session.names));
  }
  logCall(tool, result, session, performance.now() - started);
  return result;
}

/**
 * The tool metrics (calls by tool and outcome, latency by tool), and the outcome on the request's log line (tool,
 * outcome, error code — never arguments: they may hold personal data), or on a line of its own after a streamed one.
 */
function logCall(tool: ToolDefinition, result: CallToolResult, session: McpSession, ms: number): void {
  const code = result.isError ? (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code : undefined;
  metrics.mcpCalls.inc({ tool: tool.name, outcome: result.isError ? (code ?? 'error') : 'ok' });
  metrics.mcpLatency.observe({ tool: tool.name }, ms / 1000);
  const outcome = { tool: tool.name, outcome: result.isError ? ('error' as const) : ('ok' as const), code };
  const call = session.call;
  if (call?.method === 'tools/call' && !call.logged) Object.assign(call, outcome);
  // A streamed answer's request line was written when the stream began: the outcome gets a line of its own.
  else session.logger.info({ mcpTool: outcome.tool, mcpOutcome: outcome.outcome, mcpError: code, ms: Math.round(ms) }, 'mcp tool call');
}

/**
 * A tool that writes (a governed action: plan, confirm, cancel) has a budget of calls per credential on top of the
 * request budget; past it the call is an isError result saying when to retry. Counted only for a call that would
 * run (abilities and arguments checked), in the database, so every instance counts together.
 */
async function consumeActionBudget(tool: ToolDefinition, session: McpSession): Promise<void> {
  const rule = session.actionRateLimit;
  if (!rule || tool.annotations.readOnlyHint !== false) return;
  const key = `mcp-tool:${session.tenant.id}:${rateLimitSubject(session.principal)}:${tool.name}`;
  const budget = await consumeRateLimit(session.ctx.db, key, rule);
  if (!budget.allowed) {
    metrics.rateLimited.inc({ surface: 'mcp_tool' });
    throw new RateLimited(rule, budget.retryAfter, 'calls of this tool');
  }
}

function assertAbilities(tool: ToolDefinition, rawArgs: unknown, session: McpSession): void {
  const missing = lacking(needsFor(tool, rawArgs), session.principal.abilities);
  if (missing.all.length) throw new MissingAbility(missing.all[0]!);
  if (missing.oneOf.length) throw new MissingOneOfAbilities(missing.oneOf);
}

/**
 * Validates arguments against the tool's schema. `""` and `null` count as absent for optional fields (assistants
 * often send them for "no value"; OpenAI's strict function calling sends every field, `null` for the ones not
 * used), also inside the flat objects of a list (`changes`) — except fields where blank means "clear" (`clearsWhenBlank`:
 * a team's purpose and type), kept as `""`; unknown arguments are refused by name, so a misspelt
 * filter is not silently ignored. An id as `search` gives it (`actor:<id>`) is taken wherever that kind of id is.
 */
export function parseArguments<I extends z.ZodObject>(tool: ToolDefinition<I>, raw: unknown): z.output<I> {
  if (raw !== undefined && !isRecord(raw)) throw new InvalidInput('arguments', 'must be an object of named arguments');
  const shape = tool.inputSchema.shape as Record<string, z.ZodType>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (!(key in shape)) {
      const known = Object.keys(shape);
      const meant = meantArgument(key, shape);
      throw new InvalidInput(key, known.length ? `is not an argument of this tool; it takes ${known.join(', ')}` : 'this tool takes no arguments', meant ? { did_you_mean: meant } : {});
    }
    if (isBlank(value) && shape[key]!.safeParse(undefined).success) continue;
    args[key] = cleanItems(withoutSearchPrefix(key, value), shape[key]!);
  }
  const parsed = tool.inputSchema.safeParse(args);
  if (!parsed.success) throw toInvalidInput(parsed.error.issues[0]!, args);
  return parsed.data;
}

/**
 * The argument an unknown one probably stands for: a value of a choice written as a name (`vacant: true` for
 * `status: "vacant"`), else a near name (`org_unit` for `org_unit_id`).
 */
function meantArgument(key: string, shape: Record<string, z.ZodType>): string | undefined {
  for (const [name, schema] of Object.entries(shape)) {
    const inner = schema instanceof ZodOptional ? schema.unwrap() : schema;
    if (inner instanceof ZodEnum && (inner.options as unknown[]).includes(key)) return `${name}: "${key}"`;
  }
  return closestNames(key, Object.keys(shape))[0];
}

/** "No value", as assistants write it. */
function isBlank(value: unknown): boolean {
  return value === '' || value === null;
}

/**
 * In a list of flat objects, drops the `""` and `null` fields each object may omit and takes search ids. A list sent
 * as a string of JSON (`"[{\"op\": …}]"`, as some models write nested arguments) is read as that list.
 */
function cleanItems(raw: unknown, schema: z.ZodType): unknown {
  let at: z.ZodType = schema;
  while (at instanceof ZodOptional) at = at.unwrap() as z.ZodType;
  const value = at instanceof ZodArray ? jsonList(raw) : raw;
  if (!Array.isArray(value) || !(at instanceof ZodArray) || !(at.element instanceof ZodObject)) return value;
  const fields = at.element.shape as Record<string, z.ZodType>;
  return value.map((item) =>
    isRecord(item)
      ? Object.fromEntries(
          Object.entries(item)
            .filter(([key, v]) => !(isBlank(v) && fields[key]?.safeParse(undefined).success && !blankClears(fields[key])))
            .map(([key, v]) => [key, isBlank(v) ? '' : withoutSearchPrefix(key, v)]),
        )
      : item,
  );
}

/** The `search` id prefix (tools/search.ts) each id argument may carry: `actor:<id>` is the actor `<id>`. */
const SEARCH_ID_PREFIX: Record<string, string> = {
  org_unit_id: 'org-unit:',
  parent_id: 'org-unit:',
  root_id: 'org-unit:',
  actor_id: 'actor:',
  manager_id: 'actor:',
};

function withoutSearchPrefix(key: string, value: unknown): unknown {
  const prefix = SEARCH_ID_PREFIX[key];
  if (!prefix || typeof value !== 'string') return value;
  const id = value.trim();
  return id.startsWith(prefix) ? id.slice(prefix.length) : value;
}

function toInvalidInput(issue: z.core.$ZodIssue, args: Record<string, unknown>): InvalidInput {
  if (issue.code === 'unrecognized_keys') {
    // Inside a change (`changes[0].salary`): what that change's op takes instead.
    const [list, index] = issue.path;
    const changes = jsonList(args.changes);
    const item = list === 'changes' && typeof index === 'number' && Array.isArray(changes) ? (changes[index] as unknown) : undefined;
    const reason = unknownChangeField(item, issue.keys[0]!) ?? 'is not a field here; the input schema lists the fields';
    return new InvalidInput(fieldPath([...issue.path, issue.keys[0]!]), reason);
  }
  const field = issue.path.length ? fieldPath(issue.path) : 'arguments';
  const absent = issue.path.length === 1 && (args[String(issue.path[0])] ?? null) === null;
  const given = valueAt(args, issue.path);
  const isOp = issue.path.length === 3 && issue.path[0] === 'changes' && issue.path[2] === 'op';
  return new InvalidInput(field, absent ? 'is required' : reasonOf(issue), issue.code === 'invalid_value' ? choiceDetails(issue.values, given, isOp) : {});
}

/**
 * A value outside a choice (`type: "division"`): the values allowed, as data, and the one probably meant when the
 * value given is a near spelling of one (`"Department"`, `"over-allocated"`) — the result's fix names it (result.ts).
 */
function choiceDetails(values: readonly unknown[], given: unknown, isOp = false): Record<string, unknown> {
  const allowed = values.map(String);
  // A change's op written as the intent ("hire", "merge_teams"): the op that does it, or how — before a near spelling,
  // which reads "merge_teams" and "delete_team" as update_team.
  const intent = isOp && typeof given === 'string' ? opIntent(given) : undefined;
  if (intent?.op) return { allowed, did_you_mean: intent.op };
  if (intent?.how) return { allowed, how: intent.how };
  const meant = typeof given === 'string' && given.trim() ? closestNames(given, allowed) : [];
  return meant.length === 1 ? { allowed, did_you_mean: meant[0] } : { allowed };
}

/** The value at an issue's path in the arguments (`changes[0].kind`). */
function valueAt(args: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let at: unknown = args;
  for (const part of path) at = isRecord(at) || Array.isArray(at) ? (at as Record<PropertyKey, unknown>)[part] : undefined;
  return at;
}
