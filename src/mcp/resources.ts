import { ResourceTemplate, type McpServer, type ReadResourceResult } from '@modelcontextprotocol/server';
import type { Ability } from '../access/abilities.js';
import { getActor } from '../org/read-people.js';
import { getOrgUnit } from '../org/read-structure.js';
import { scenarioDelta } from '../scenarios/delta.js';
import { pageDelta } from '../scenarios/delta-pages.js';
import { getScenario } from '../scenarios/lifecycle.js';
import type { Catalog } from './catalog.js';
import { GUIDES, guideMarkdown, renderGuide, type Guide } from './guides.js';
import { withNamesOne } from './fields.js';
import { flatMoney } from './money.js';
import { compact, protocolError } from './result.js';
import type { McpSession } from './session.js';
import { mcpResourceUrl } from './urls.js';
import { abilityStepUp } from './step-up.js';
import { deltaForCaller, editableFor, presentDelta } from './tools/scenarios.js';

/**
 * Resources and resource templates. Records read Live as of today through the same services as the tools (so the
 * same abilities and money rules apply); errors become JSON-RPC errors, an unknown id "resource not found".
 */

export interface ResourceInfo {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
  requires: Ability[];
}

export interface TemplateInfo extends Omit<ResourceInfo, 'uri'> {
  uriTemplate: string;
}

const guideUri = (guide: Guide) => `orgonaut://guides/${guide.id}`;

export const STATIC_RESOURCES: ResourceInfo[] = [
  {
    uri: 'orgonaut://tenant',
    name: 'tenant',
    title: 'This tenant',
    description: 'The tenant this connection is scoped to: slug, name, plan, reporting currency and the MCP URL.',
    mimeType: 'application/json',
    requires: [],
  },
  ...GUIDES.map((guide) => ({
    uri: guideUri(guide),
    name: `guide-${guide.id}`,
    title: `Guide: ${guide.title}`,
    description: `${guide.summary} Step by step, naming the tools to call.`,
    mimeType: 'text/markdown',
    requires: [],
  })),
];

export const RESOURCE_TEMPLATES: TemplateInfo[] = [
  {
    uriTemplate: 'orgonaut://org-units/{id}',
    name: 'org-unit',
    title: 'Org unit',
    description: 'One org unit in Live today: path, children, department/team metadata and roll-up metrics.',
    mimeType: 'application/json',
    requires: ['org-units.read'],
  },
  {
    uriTemplate: 'orgonaut://actors/{id}',
    name: 'actor',
    title: 'Actor',
    description: 'One person, robot or agent in Live today: manager, direct reports, placements (pay with costs.read).',
    mimeType: 'application/json',
    requires: ['actors.read'],
  },
  {
    uriTemplate: 'orgonaut://scenarios/{id}',
    name: 'scenario',
    title: 'Scenario',
    description: 'One scenario or snapshot: kind, state, source, revision and what its overlay changes.',
    mimeType: 'application/json',
    requires: ['scenarios.read'],
  },
  {
    uriTemplate: 'orgonaut://scenarios/{id}/delta',
    name: 'scenario-delta',
    title: 'Scenario delta',
    description:
      'What a scenario changes compared with its source today: changed records by family, conflicts and metric deltas ' +
      'in total and per org unit. Only what the credential may read: each family needs its org read ability (actors.read, ' +
      'placements.read, positions.read, org-units.read, teams.read), metrics org-metrics.read, money costs.read; `withheld` ' +
      'lists what was left out. The same as `scenario.delta` with its defaults: the first page of records, with `counts` ' +
      'per family and, when there are more, a `next_cursor` for `scenario.delta`.',
    mimeType: 'application/json',
    requires: ['scenarios.read'],
  },
];

type Reader = (id: string, session: McpSession) => Promise<object>;

const TEMPLATE_READERS: Record<string, Reader> = {
  // Named as the tools name them (a department's lead_name, a placement's org_unit_name).
  'org-unit': async (id, session) => {
    const { view, unit } = await getOrgUnit(session.ctx, id);
    return withNamesOne(session.principal, view, unit);
  },
  actor: async (id, session) => {
    const { view, actor } = await getActor(session.ctx, id);
    return withNamesOne(session.principal, view, actor);
  },
  scenario: async (id, session) => editableFor(await getScenario(session.ctx, id), session.principal),
  'scenario-delta': async (id, session) =>
    presentDelta(session.ctx, pageDelta(deltaForCaller(await scenarioDelta(session.ctx, { scenarioId: id }), session.principal))),
};

export function registerResources(server: McpServer, session: McpSession, catalog: Catalog): void {
  // Descriptions name tools in the style tools/list shows.
  const described = (info: { description: string }) => catalog.renderNames(info.description, session.names);
  for (const info of STATIC_RESOURCES) {
    const { title, mimeType } = info;
    server.registerResource(info.name, info.uri, { title, description: described(info), mimeType }, (uri) =>
      guarded(session, uri, async () => contents(uri, info.mimeType, readStatic(info, session, catalog))),
    );
  }
  for (const info of RESOURCE_TEMPLATES) {
    const { title, mimeType } = info;
    const read = TEMPLATE_READERS[info.name]!;
    server.registerResource(
      info.name,
      new ResourceTemplate(info.uriTemplate, { list: undefined }),
      { title, description: described(info), mimeType, scopeChallenge: abilityStepUp(info.requires, session) },
      (uri, variables) => guarded(session, uri, async () => contents(uri, info.mimeType, await read(String(variables.id), session))),
    );
  }
}

function readStatic(info: ResourceInfo, session: McpSession, catalog: Catalog): object | string {
  const guide = GUIDES.find((g) => guideUri(g) === info.uri);
  if (guide) return guideMarkdown(renderGuide(guide, catalog, session.names, session.principal));
  const { tenant } = session;
  return {
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    reporting_currency: tenant.reportingCurrency,
    mcp_url: mcpResourceUrl(session.origin),
    tool_names: session.names,
  };
}

function contents(uri: URL, mimeType: string, value: object | string): ReadResourceResult {
  const text = typeof value === 'string' ? value : JSON.stringify(compact(flatMoney(value)));
  return { contents: [{ uri: uri.href, mimeType, text }] };
}

async function guarded(session: McpSession, uri: URL, read: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  try {
    return await read();
  } catch (error) {
    const scope = { principal: session.principal, requestId: session.requestId, logger: session.logger, operation: `resources/read ${uri.href}` };
    throw protocolError(error, scope, uri.href);
  }
}
