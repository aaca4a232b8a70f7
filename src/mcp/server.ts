import { McpServer, ProtocolError, ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/server';
import { runTool } from './boundary.js';
import { CATALOG, type Catalog } from './catalog.js';
import { registerPrompts } from './prompts.js';
import { callableNames, listedName, type NameStyle, type ToolDefinition } from './registry.js';
import { registerResources } from './resources.js';
import { deferredInput, memoizedOutput } from './schema-json.js';
import { closestNames } from './suggest.js';
import { MONEY_UNITS } from './fields.js';
import { PACKAGE_VERSION } from '../util/version.js';
import type { McpSession } from './session.js';
import { toolStepUp } from './step-up.js';

export const SERVER_INFO = { name: 'orgonaut', title: 'Orgonaut', version: PACKAGE_VERSION };

/**
 * Caps the arguments of one tools/call (array elements + object members) before any handler runs: enough for the
 * largest `scenario.action.plan` batch (MAX_CHANGES = 100 changes, each 1 element + at most 28 fields).
 */
const MAX_TOOL_INPUT_ELEMENTS = 3_000;

/**
 * Builds the server for one request. The SDK's HTTP handler needs a fresh, unconnected instance per request, so
 * everything that does not depend on the caller is prepared once per process: the catalog, the JSON Schemas and
 * the `tools/list` entries of each naming style. Per request we only register closures over the session
 * (≈0.5 ms warm for the whole catalog; test/mcp/protocol.test.ts prints the figure).
 *
 * Each tool is registered under both names so either is callable; `tools/list` is answered from the cached
 * listing of the tenant's style, which shows one name per tool.
 *
 * The two hot requests get only what they can reach (the SDK dispatches a request to nothing else): `tools/call` of
 * a known tool name registers that tool under the name called, `tools/list` one tool (for the tools capability and
 * handlers) under the cached listing; tens of microseconds instead of the whole catalog. Anything else — initialize, discovery,
 * resources, prompts, a batch — gets the whole catalog; an unknown tool name gets one tool. A call of an unknown
 * name, alone or in a batch, gets our own "unknown tool" answer (answerUnknownTools).
 */
export function buildServer(session: McpSession, catalog: Catalog = CATALOG): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions: instructionsFor(session.names, catalog),
    maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS,
  });
  const unknownName = callsUnknownTool(session, catalog);
  const only = reachableTools(session, catalog, unknownName);
  // A call of a known name reaches the tool only under the name it used: the other name is not registered.
  const called = only && !unknownName && session.call?.method === 'tools/call' ? session.call.name : undefined;
  for (const tool of only ?? catalog.tools) {
    const config = {
      title: tool.title,
      description: catalog.describe(tool, session.names),
      inputSchema: deferredInput(tool.inputSchema),
      outputSchema: memoizedOutput(tool.outputSchema),
      annotations: { ...tool.annotations },
      scopeChallenge: toolStepUp(tool, session),
    };
    const run = (args: Record<string, unknown>) => runTool(tool, args, session, catalog);
    for (const name of called !== undefined ? [called] : callableNames(tool, session.names)) server.registerTool(name, config, run);
  }
  server.server.setRequestHandler('tools/list', () => ({ tools: catalog.listing(session.names) }));
  if (!only || unknownName) answerUnknownTools(server, session.names, catalog);
  if (only) return server;
  registerResources(server, session, catalog);
  registerPrompts(server, session, catalog);
  return server;
}

/** The tools a request can reach, when it is one of the hot two; null = all of the catalog (and the rest). */
function reachableTools(session: McpSession, catalog: Catalog, unknownName: boolean): readonly ToolDefinition[] | null {
  const call = session.call;
  // One tool, for the tools capability: tools/list is answered from the cached listing, an unknown tool by us.
  if (call?.method === 'tools/list' || unknownName) return catalog.tools.slice(0, 1);
  if (call?.method !== 'tools/call' || call.name === undefined) return null;
  return [catalog.find(call.name)!];
}

/** Whether the request is a tools/call of a name no tool answers to. */
function callsUnknownTool(session: McpSession, catalog: Catalog): boolean {
  const call = session.call;
  return call?.method === 'tools/call' && call.name !== undefined && !isCallable(call.name, session.names, catalog);
}

function isCallable(name: string, style: NameStyle, catalog: Catalog): boolean {
  const tool = catalog.find(name);
  return tool !== undefined && callableNames(tool, style).includes(name);
}

/** The request handler the SDK stored for a method (Protocol's accessor for code dispatching through its chain). */
type StoredHandler = (request: unknown, ctx: unknown) => Promise<unknown>;
interface HandlerStore {
  _getRequestHandler(method: string): StoredHandler | undefined;
}

/**
 * Puts our "unknown tool" answer in front of the SDK's tools/call dispatch, for every request that may name a tool
 * we lack: a single call of an unknown name, and a JSON-RPC batch (2025-era clients may send one; the SDK refuses
 * batches on 2026-07-28), whose calls would otherwise get the SDK's bare "Tool … not found". Known names go on to
 * the SDK's own handler (argument validation, the tool, output validation).
 */
function answerUnknownTools(server: McpServer, style: NameStyle, catalog: Catalog): void {
  const dispatch = (server.server as unknown as HandlerStore)._getRequestHandler('tools/call');
  server.server.setRequestHandler('tools/call', (request, ctx) => {
    const name = request.params.name;
    if (!dispatch || !isCallable(name, style, catalog)) throw unknownTool(name, style, catalog);
    return dispatch(request, ctx) as Promise<CallToolResult>;
  });
}

/** No tool name is longer (clients accept at most 64 characters); a longer one is quoted cut and gets no guess. */
const LONGEST_TOOL_NAME = 64;

/**
 * A tools/call of a name this server does not have: the JSON-RPC error the MCP specification asks for (-32602),
 * worded for an assistant — the names it probably meant, in the style it wrote (dotted or underscore), and where
 * to find the rest. Neither the SDK's bare "Tool … not found" nor a guess from a name no tool could have.
 */
function unknownTool(name: string, listed: NameStyle, catalog: Catalog): ProtocolError {
  const style: NameStyle = name.includes('.') ? 'dotted' : name.includes('_') ? 'underscore' : listed;
  const guesses = name.length <= LONGEST_TOOL_NAME ? closestNames(name, catalog.tools.map((tool) => listedName(tool, style))) : [];
  const quoted = name.length <= LONGEST_TOOL_NAME ? name : `${name.slice(0, LONGEST_TOOL_NAME)}…`;
  const guess = guesses.length ? `did you mean ${guesses.join(' or ')}?` : 'this server has no tool of that name.';
  const list = listedName({ name: 'capability.list' }, style);
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Unknown tool "${quoted}": ${guess} Call ${list} to see every tool and what it needs (both the dotted and the underscore names work).`,
    { code: 'unknown_tool', did_you_mean: guesses },
  );
}

const instructionsCache = new Map<NameStyle, string>();

/** What the server tells a client at connection time (same text for every tenant, in its naming style). */
function instructionsFor(style: NameStyle, catalog: Catalog): string {
  let text = instructionsCache.get(style);
  if (!text) {
    const name = (dotted: string) => listedName({ name: dotted }, style);
    text =
      'Orgonaut: organisation design and scenario planning data for the tenant of this connection (read-first). ' +
      `Start with ${name('capability.list')} for the catalog or ${name('org.review.guide')} / ${name('scenario.review.guide')} ` +
      'for step-by-step workflows. Org tools read Live by default; pass scenario_id for a scenario and as_of for another day. ' +
      `Changes are only drafted in planning scenarios (${name('scenario.action.plan')}) and applied after the person agrees ` +
      `(${name('scenario.action.confirm')}); Live is never written. ` +
      `Money appears only for callers allowed to see costs. ${MONEY_UNITS} Every tool also answers to its dotted name.`;
    text = catalog.renderNames(text, style);
    instructionsCache.set(style, text);
  }
  return text;
}
