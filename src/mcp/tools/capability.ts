import { z } from 'zod';
import { describeAbility, type Ability } from '../../access/abilities.js';
import type { Principal } from '../../access/policy.js';
import { InvalidInput } from '../../errors.js';
import type { Catalog } from '../catalog.js';
import {
  callableNames,
  defineTool,
  lacking,
  listedName,
  needsFor,
  READ_ONLY,
  satisfies,
  TOOL_PURPOSES,
  underscoreName,
  type NameStyle,
  type Needs,
  type ToolDefinition,
  type ToolPurpose,
} from '../registry.js';
import { describeArguments } from '../schema-json.js';
import { closestNames } from '../suggest.js';

/** Discovery for clients that only surface tools: the whole catalog, and one entry in depth. Built from the registry. */

/** What the caller lacks for an entry of the catalog; nothing when it may use it now. */
function availability(needs: Needs, principal: Principal) {
  const missing = lacking(needs, principal.abilities);
  return {
    available_now: satisfies(needs, principal.abilities),
    missing_abilities: missing.all,
    missing_one_of: missing.oneOf.length ? missing.oneOf : undefined,
  };
}

/** The first sentence of a description, for one-line summaries ("e.g." and "i.e." do not end one). */
export function firstSentence(text: string): string {
  const end = text.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

/**
 * One tool in the catalog: what an assistant needs to pick it — the name to call (and the other form it answers
 * to), one sentence, and whether it may call it now or which abilities it lacks. The title, the full description
 * and the schemas are in tools/list; the abilities it needs, argument by argument detail and an example in
 * `capability.explain`.
 */
function toolSummary(tool: ToolDefinition, catalog: Catalog, style: NameStyle, principal: Principal) {
  const name = listedName(tool, style);
  const other = callableNames(tool, style).find((form) => form !== name);
  return {
    name,
    also_callable_as: other,
    summary: catalog.renderNames(firstSentence(tool.description), style),
    ...availability(needsFor(tool, {}), principal),
  };
}

const toolEntry = z.looseObject({
  name: z.string().describe('The name tools/list shows'),
  also_callable_as: z.string().optional().describe('The other form of the name (dotted or underscore), which works too'),
  summary: z.string(),
  available_now: z.boolean(),
  missing_abilities: z.array(z.string()).optional().describe('What the caller lacks to use it (absent when available_now)'),
});

export const capabilityListTool = defineTool({
  name: 'capability.list',
  title: 'List capabilities',
  description:
    'The whole catalog of this server — every tool grouped by purpose (with both its names, one sentence and whether ' +
    'you may use it now or what you lack), the resources, resource templates and prompts. Call it first when your ' +
    'client shows only tools; then ' +
    '`capability.explain` for one entry’s arguments and an example, or `org.review.guide` for a workflow.',
  purpose: 'discovery',
  inputSchema: z.object({}),
  outputSchema: z.object({
    tool_names: z.string().describe('How tools/list names tools here; both forms are always callable'),
    groups: z.array(z.object({ purpose: z.string(), description: z.string(), tools: z.array(toolEntry) })),
    resources: z.array(z.looseObject({ uri: z.string(), title: z.string(), available_now: z.boolean() })),
    resource_templates: z.array(z.looseObject({ uri_template: z.string(), title: z.string(), available_now: z.boolean() })),
    prompts: z.array(z.looseObject({ name: z.string() })),
  }),
  annotations: READ_ONLY,
  requires: [],
  example: {},
  async handler(ctx, _input, { catalog, names }) {
    const purposes = Object.keys(TOOL_PURPOSES) as ToolPurpose[];
    return {
      tool_names: names,
      groups: purposes
        .map((purpose) => ({
          purpose,
          description: TOOL_PURPOSES[purpose],
          tools: catalog.tools.filter((t) => t.purpose === purpose).map((t) => toolSummary(t, catalog, names, ctx.principal)),
        }))
        .filter((group) => group.tools.length > 0),
      resources: catalog.resources.map(({ uri, title, description, requires }) => ({
        uri,
        title,
        description: catalog.renderNames(description, names),
        ...availability({ all: [...requires], oneOf: [] }, ctx.principal),
      })),
      resource_templates: catalog.templates.map(({ uriTemplate, title, description, requires }) => ({
        uri_template: uriTemplate,
        title,
        description: catalog.renderNames(description, names),
        ...availability({ all: [...requires], oneOf: [] }, ctx.principal),
      })),
      prompts: catalog.prompts.map((p) => ({ name: p.name, title: p.title, description: p.description })),
    };
  },
});

export const capabilityExplainTool = defineTool({
  name: 'capability.explain',
  title: 'Explain a capability',
  description:
    'One tool, resource, resource template or prompt in depth: what it is for, each argument (type, required, ' +
    'allowed values, limits), the abilities it needs and whether you have them, and a first call to copy. Accepts ' +
    'a tool name in either form, a resource URI or template, or a prompt name, as listed by `capability.list`.',
  purpose: 'discovery',
  inputSchema: z.object({ name: z.string().min(1).max(200).describe('A tool name (dotted or underscore), resource URI or template, or prompt name.') }),
  outputSchema: z.looseObject({ kind: z.enum(['tool', 'resource', 'resource_template', 'prompt']), name: z.string(), title: z.string(), description: z.string() }),
  annotations: READ_ONLY,
  requires: [],
  example: { name: 'org.units.list' },
  async handler(ctx, input, { catalog, names }) {
    const name = input.name.trim();
    const tool = catalog.find(name);
    if (tool) return explainTool(tool, catalog, names, ctx.principal);
    const resource = catalog.resources.find((r) => r.uri === name || r.name === name);
    if (resource) {
      const example = { method: 'resources/read', params: { uri: resource.uri } };
      const description = catalog.renderNames(resource.description, names);
      return { kind: 'resource' as const, ...resource, description, requires: abilitiesOut(resource.requires, ctx.principal), example };
    }
    const template = catalog.templates.find((t) => t.uriTemplate === name || t.name === name);
    if (template) {
      const example = { method: 'resources/read', params: { uri: template.uriTemplate.replace('{id}', '<id>') } };
      const description = catalog.renderNames(template.description, names);
      return { kind: 'resource_template' as const, ...template, description, requires: abilitiesOut(template.requires, ctx.principal), example };
    }
    const prompt = catalog.prompts.find((p) => p.name === name);
    if (prompt) {
      const example = { method: 'prompts/get', params: { name: prompt.name } };
      return { kind: 'prompt' as const, name: prompt.name, title: prompt.title, description: prompt.description, example };
    }
    const list = listedName({ name: 'capability.list' }, names);
    const known = [...catalog.tools.map((t) => listedName(t, names)), ...catalog.resources.map((r) => r.uri), ...catalog.templates.map((t) => t.uriTemplate), ...catalog.prompts.map((p) => p.name)];
    const near = closestNames(name, known);
    const guess = near.length ? ` (did you mean ${near.join(' or ')}?)` : '';
    throw new InvalidInput('name', `is not a tool, resource or prompt of this server${guess}; call ${list} to see them all`);
  },
});

function explainTool(tool: ToolDefinition, catalog: Catalog, style: NameStyle, principal: Principal) {
  const needs = needsFor(tool, {});
  const description = catalog.renderNames(tool.description, style);
  const related = [...description.matchAll(/`([a-z_]+(?:[._][a-z_]+)+)`/g)]
    .map((m) => catalog.find(m[1]!))
    .filter((t): t is ToolDefinition => t !== undefined && t !== tool)
    .map((t) => listedName(t, style));
  return {
    kind: 'tool' as const,
    name: listedName(tool, style),
    dotted_name: tool.name,
    underscore_name: underscoreName(tool.name),
    title: tool.title,
    purpose: TOOL_PURPOSES[tool.purpose],
    description,
    arguments: JSON.parse(catalog.renderNames(JSON.stringify(describeArguments(tool.inputSchema)), style)) as unknown,
    requires: abilitiesOut(needs.all, principal),
    requires_one_of: needs.oneOf.length ? abilitiesOut(needs.oneOf, principal) : undefined,
    also_needs: 'scenario_id' in tool.inputSchema.shape ? 'scenarios.read when you pass scenario_id' : undefined,
    available_now: satisfies(needs, principal.abilities),
    annotations: tool.annotations,
    example: { tool: listedName(tool, style), arguments: JSON.parse(catalog.renderNames(JSON.stringify(tool.example), style)) as unknown },
    related: [...new Set(related)],
    reference: tool.reference ? (JSON.parse(catalog.renderNames(JSON.stringify(tool.reference), style)) as unknown) : undefined,
  };
}

function abilitiesOut(abilities: readonly Ability[], principal: Principal) {
  return abilities.map((ability) => ({ ability, description: describeAbility(ability), you_have: principal.abilities.has(ability) }));
}

export const capabilityTools = [capabilityListTool, capabilityExplainTool];
