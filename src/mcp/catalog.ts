import type { Tool } from '@modelcontextprotocol/server';
import { PROMPTS, type PromptInfo } from './prompts.js';
import { listedName, underscoreName, type NameStyle, type ToolDefinition } from './registry.js';
import { RESOURCE_TEMPLATES, STATIC_RESOURCES, type ResourceInfo, type TemplateInfo } from './resources.js';
import { inputJsonSchema, outputJsonSchema } from './schema-json.js';
import { capabilityTools } from './tools/capability.js';
import { guideTools } from './tools/guides.js';
import { historyTools } from './tools/history.js';
import { metricsTools } from './tools/metrics.js';
import { operationsTools } from './tools/operations.js';
import { peopleTools } from './tools/people.js';
import { scenarioTools } from './tools/scenarios.js';
import { scenarioActionTools } from './tools/scenario-actions.js';
import { searchTools } from './tools/search.js';
import { spansTools } from './tools/spans.js';
import { structureTools } from './tools/structure.js';

/**
 * The whole catalog — tools, resources, templates, prompts — in one place. The server registers from it,
 * `capability.list`/`capability.explain` and the guides read it, and the listing each naming style shows is
 * computed from it once per process.
 */
export interface Catalog {
  /** In listing order: by purpose, then as declared. */
  readonly tools: readonly ToolDefinition[];
  readonly resources: readonly ResourceInfo[];
  readonly templates: readonly TemplateInfo[];
  readonly prompts: readonly PromptInfo[];
  /** A tool by either of its names. */
  find(name: string): ToolDefinition | undefined;
  /** The `tools/list` entries for a naming style (cached). */
  listing(style: NameStyle): Tool[];
  /** The tool's description for a style: names rendered, the example appended. */
  describe(tool: ToolDefinition, style: NameStyle): string;
  /** Rewrites every dotted tool name in `text` to the style's form. */
  renderNames(text: string, style: NameStyle): string;
}

export function buildCatalog(tools: readonly ToolDefinition[]): Catalog {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of tools) {
    for (const name of [tool.name, underscoreName(tool.name)]) {
      if (byName.has(name) && byName.get(name) !== tool) throw new Error(`Two MCP tools are named ${name}`);
      byName.set(name, tool);
    }
  }
  const dotted = tools.map((t) => t.name).filter((n) => n.includes('.'));
  const pattern = dotted.length
    ? new RegExp(`(?<![\\w.])(${dotted.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})(?!\\w|\\.\\w)`, 'g')
    : null;
  const renderNames = (text: string, style: NameStyle) =>
    style === 'dotted' || !pattern ? text : text.replace(pattern, (name) => underscoreName(name));
  const descriptions = new Map<string, string>();
  const describe = (tool: ToolDefinition, style: NameStyle) => {
    const key = `${style}:${tool.name}`;
    let text = descriptions.get(key);
    if (text === undefined) {
      text = renderNames(`${tool.description}\n\nExample arguments: ${JSON.stringify(tool.example)}`, style);
      descriptions.set(key, text);
    }
    return text;
  };
  const listings = new Map<NameStyle, Tool[]>();

  const catalog: Catalog = {
    tools,
    resources: STATIC_RESOURCES,
    templates: RESOURCE_TEMPLATES,
    prompts: PROMPTS,
    find: (name) => byName.get(name.trim()),
    renderNames,
    describe,
    listing(style) {
      let listing = listings.get(style);
      if (!listing) {
        listing = oneByteCopy(tools.map((tool) => toListedTool(tool, style, catalog)));
        listings.set(style, listing);
      }
      return listing;
    },
  };
  return catalog;
}

function toListedTool(tool: ToolDefinition, style: NameStyle, catalog: Catalog): Tool {
  const render = (schema: object) => plainStrings(JSON.parse(catalog.renderNames(JSON.stringify(schema), style))) as Tool['inputSchema'];
  return {
    name: listedName(tool, style),
    title: plainPunctuation(tool.title),
    description: plainPunctuation(catalog.describe(tool, style)),
    inputSchema: render(inputJsonSchema(tool.inputSchema)),
    outputSchema: render(outputJsonSchema(tool.outputSchema)),
    annotations: { ...tool.annotations },
  };
}

/** The typographic punctuation of our texts, and what the listing shows instead. */
const PLAIN_PUNCTUATION: Record<string, string> = { '\u2014': '-', '\u2013': '-', '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u2192': '->', '\u2026': '...' };
const TYPOGRAPHIC = new RegExp(`[${Object.keys(PLAIN_PUNCTUATION).join('')}]`, 'g');

/**
 * The `tools/list` document in Latin-1 only: one character above U+00FF makes V8 hold the whole ~70 KB answer as a
 * two-byte string (~135 KB), which goes to the large-object space and is freed only by full garbage collections
 * (under load: a heap of 1 GB and p99 in the hundreds of ms), and costs more to measure and encode. The few
 * typographic marks of our texts become their ASCII forms.
 */
export function plainPunctuation(text: string): string {
  return text.replace(TYPOGRAPHIC, (mark) => PLAIN_PUNCTUATION[mark]!);
}

/** Every string in a JSON value through plainPunctuation. */
function plainStrings(value: unknown): unknown {
  if (typeof value === 'string') return plainPunctuation(value);
  if (Array.isArray(value)) return value.map(plainStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plainStrings(field)]));
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every tool, in the order `tools/list` and `capability.list` show them. */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  ...capabilityTools,
  ...guideTools,
  ...structureTools,
  ...peopleTools,
  ...metricsTools,
  ...spansTools,
  ...scenarioTools,
  ...scenarioActionTools,
  ...historyTools,
  ...operationsTools,
  ...searchTools,
];

export const CATALOG = buildCatalog(ALL_TOOLS);

/**
 * A copy of `value` made of fresh strings. The listing's strings are built by replacing and joining text from
 * sources with characters outside Latin-1, so V8 holds some of them two bytes per character although their content
 * fits one; one such string makes every `tools/list` answer a two-byte string, which the server serialises, measures
 * and encodes at about twice the cost (0.35 ms more per answer for the 70 KB listing). JSON.parse makes each string
 * anew, one byte per character where it can.
 */
function oneByteCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
