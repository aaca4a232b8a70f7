import { McpServer } from '@modelcontextprotocol/server';
import { runTool } from './boundary.js';
import { CATALOG, type Catalog } from './catalog.js';
import { registerPrompts } from './prompts.js';
import { callableNames, listedName, type NameStyle, type ToolDefinition } from './registry.js';
import { registerResources } from './resources.js';
import { deferredInput, memoizedOutput } from './schema-json.js';
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
 * a known tool name registers that tool, `tools/list` one tool (for the tools capability and handlers) under the
 * cached listing; tens of microseconds instead of the whole catalog. Anything else — initialize, discovery,
 * resources, prompts, a batch, an unknown tool name (the SDK's own "not found") — gets the whole catalog.
 */
export function buildServer(session: McpSession, catalog: Catalog = CATALOG): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions: instructionsFor(session.names, catalog),
    maxToolInputElements: MAX_TOOL_INPUT_ELEMENTS,
  });
  const only = reachableTools(session, catalog);
  for (const tool of only ?? catalog.tools) {
    const config = {
      title: tool.title,
      description: catalog.describe(tool, session.names),
      inputSchema: deferredInput(tool.inputSchema),
      outputSchema: memoizedOutput(tool.outputSchema),
      annotations: { ...tool.annotations },
      scopeChallenge: toolStepUp(tool, session),
    };
    for (const name of callableNames(tool, session.names)) {
      server.registerTool(name, config, (args) => runTool(tool, args, session, catalog));
    }
  }
  server.server.setRequestHandler('tools/list', () => ({ tools: catalog.listing(session.names) }));
  if (only) return server;
  registerResources(server, session, catalog);
  registerPrompts(server, session, catalog);
  return server;
}

/** The tools a request can reach, when it is one of the hot two; null = all of the catalog (and the rest). */
function reachableTools(session: McpSession, catalog: Catalog): readonly ToolDefinition[] | null {
  const call = session.call;
  if (call?.method === 'tools/list') return catalog.tools.slice(0, 1);
  if (call?.method !== 'tools/call' || call.name === undefined) return null;
  const tool = catalog.find(call.name);
  return tool && callableNames(tool, session.names).includes(call.name) ? [tool] : null;
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
      'Money appears only for callers allowed to see costs. Every tool also answers to its dotted name.';
    text = catalog.renderNames(text, style);
    instructionsCache.set(style, text);
  }
  return text;
}
