import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tenants } from '../../src/db/schema/index.js';
import { parseArguments } from '../../src/mcp/boundary.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import { underscoreName } from '../../src/mcp/registry.js';
import { inputJsonSchema, leanSchema, outputJsonSchema, type JsonSchema } from '../../src/mcp/schema-json.js';
import { findTenantById } from '../../src/tenancy/tenants.js';
import { TOOLS_WITH_CASES, validArgs } from './tool-cases.js';
import { buildWorld, connect, principalOf, structured, type McpWorld } from './support.js';

/** Rules every tool must pass (STYLE §7 rule 8), checked over the whole registry. */

const tools = CATALOG.tools;
const names = tools.map((t) => t.name);
/** Abilities that exist as OAuth scopes (SPEC §4.2): a tool may only require these, or a client could never step up. */
const SCOPES = ['scenarios.read', 'org-units.read', 'teams.read', 'actors.read', 'placements.read', 'positions.read', 'costs.read', 'org-metrics.read', 'activity.read', 'scenarios.write', 'scenarios.delete', 'ai.scenarios.draft'];
const CLIENT_SAFE = /^[a-zA-Z0-9_-]{1,64}$/;
const PRIMITIVES = ['string', 'number', 'integer', 'boolean'];

let world: McpWorld;

beforeAll(async () => {
  world = await buildWorld();
});

afterAll(async () => {
  await world?.database.close();
});

describe.each(names)('%s', (name) => {
  const tool = CATALOG.find(name)!;

  it('has a title, an assistant-oriented description, all four hints and an output schema', () => {
    expect(tool.title.length).toBeGreaterThan(3);
    expect(tool.description.length).toBeGreaterThan(80);
    expect(CATALOG.describe(tool, 'underscore').length).toBeLessThan(2048);
    expect(Object.keys(tool.annotations).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
    for (const hint of Object.values(tool.annotations)) expect(typeof hint).toBe('boolean');
    expect(tool.annotations.readOnlyHint && tool.annotations.destructiveHint).toBe(false);
    expect(tool.outputSchema).toBeInstanceOf(z.ZodObject);
    expect(outputJsonSchema(tool.outputSchema).type).toBe('object');
  });

  it('is read-only in V1 (only scenario.action.* may write, and they need ai.scenarios.draft)', () => {
    if (name.startsWith('scenario.action.')) {
      expect(tool.requires).toContain('ai.scenarios.draft');
      expect(tool.purpose).toBe('scenario-actions');
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: false });
    } else {
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(tool.purpose).not.toBe('scenario-actions');
    }
  });

  it('has names every client accepts', () => {
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[a-z][a-z_]*(\.[a-z_]+)*$/);
    expect(underscoreName(name)).toMatch(CLIENT_SAFE);
  });

  it('takes a flat input without unions (arrays hold primitives or flat objects of primitives)', () => {
    const json = inputJsonSchema(tool.inputSchema);
    expect(JSON.stringify(json)).not.toMatch(/"(anyOf|oneOf|allOf|\$ref|not|\$defs|patternProperties)"/);
    for (const property of Object.values((json.properties ?? {}) as Record<string, JsonSchema>)) {
      if (property.type !== 'array') {
        expect(PRIMITIVES).toContain(property.type);
        continue;
      }
      const items = property.items as JsonSchema;
      if (items.type !== 'object') {
        expect(PRIMITIVES).toContain(items.type);
        continue;
      }
      // A list of changes: `{ op, …fields }`, every field a single primitive, unknown fields refused.
      expect(items.additionalProperties).toBe(false);
      for (const field of Object.values((items.properties ?? {}) as Record<string, JsonSchema>)) expect(PRIMITIVES).toContain(field.type);
    }
  });

  it('gives every integer the range it accepts, never the ±2^53 − 1 a bare int() shows (negative pay, for one)', () => {
    const text = JSON.stringify(inputJsonSchema(tool.inputSchema));
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('says what a *_minor figure counts wherever it returns money (minor units of the currency beside it: an assistant must not read cents as euros)', () => {
    const figures: [string, string | undefined][] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as JsonSchema & { properties?: Record<string, { description?: string }> };
      for (const [name, property] of Object.entries(schema.properties ?? {})) if (name.endsWith('_minor')) figures.push([name, property.description]);
      expect(schema.properties ?? {}, 'no {amount_minor, currency} money objects').not.toHaveProperty('amount_minor', expect.objectContaining({ type: 'object' }));
      for (const value of Object.values(node)) walk(value);
    };
    walk(outputJsonSchema(tool.outputSchema));
    for (const [name, description] of figures) expect(description, name).toMatch(/minor units/i);
  });

  it('requires only abilities that are OAuth scopes, and its example is valid input', () => {
    for (const ability of [...tool.requires, ...(tool.requiresOneOf ?? [])]) expect(SCOPES).toContain(ability);
    expect(() => parseArguments(tool, tool.example)).not.toThrow();
  });

  it('names only tools that exist', () => {
    const text = JSON.stringify([tool.description, inputJsonSchema(tool.inputSchema)]);
    for (const [, mentioned] of text.matchAll(/`([a-z_]+\.[a-z_.]+)`/g)) expect(names).toContain(mentioned);
    for (const [, mentioned] of JSON.stringify(tool.example).matchAll(/from ([a-z_]+\.[a-z_.]+)/g)) expect(names).toContain(mentioned);
  });

  it('has a case in the per-tool matrix and a row in docs/MCP.md', () => {
    expect(TOOLS_WITH_CASES).toContain(name);
    expect(fs.readFileSync('docs/MCP.md', 'utf8')).toContain(`| \`${name}\` | \`${underscoreName(name)}\` |`);
  });
});

describe('the listed schemas', () => {
  it('say nothing twice: no $schema, no empty additionalProperties, no string-only propertyNames', () => {
    const listing = JSON.stringify(CATALOG.listing('underscore'));
    expect(listing).not.toContain('"$schema"');
    expect(listing).not.toContain('"additionalProperties":{}');
    expect(listing).not.toContain('"propertyNames":{"type":"string"}');
    // What constrains stays: closed objects and typed maps.
    expect(listing).toContain('"additionalProperties":false');
    expect(listing).toContain('"additionalProperties":{"type":"number"}');
  });

  it('keep field names that look like keywords, and every constraint', () => {
    const json = leanSchema(
      z.toJSONSchema(
        z.object({
          counts: z.record(z.string(), z.number()),
          open: z.looseObject({ id: z.string() }),
          closed: z.strictObject({ additionalProperties: z.object({}).strict(), propertyNames: z.string() }),
        }),
        { target: 'draft-2020-12' },
      ) as JsonSchema,
    );
    expect(json.$schema).toBeUndefined();
    const properties = json.properties as Record<string, JsonSchema>;
    expect(properties.counts).toEqual({ type: 'object', additionalProperties: { type: 'number' } });
    expect(properties.open).toEqual({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
    const closed = properties.closed!;
    expect(closed.additionalProperties).toBe(false);
    expect(Object.keys(closed.properties as object)).toEqual(['additionalProperties', 'propertyNames']);
    expect((closed.properties as Record<string, JsonSchema>).propertyNames).toEqual({ type: 'string' });
  });
});

describe('the catalog over MCP', () => {
  it('has unique names in both forms and one case per tool in the matrix, no more', () => {
    expect(new Set(names.map(underscoreName)).size).toBe(names.length);
    expect([...TOOLS_WITH_CASES].sort()).toEqual([...names].sort());
  });

  it('lists its tools in Latin-1 only, typographic marks as their ASCII forms (the answer stays a one-byte string)', () => {
    for (const style of ['underscore', 'dotted'] as const) {
      const json = JSON.stringify({ tools: CATALOG.listing(style) });
      expect([...json].filter((ch) => ch.charCodeAt(0) > 0xff)).toEqual([]);
    }
    // The source texts keep their punctuation: a dash and an arrow of a description come out as '-' and '->'.
    const typographic = tools.find((tool) => /[\u2014\u2192]/.test(CATALOG.describe(tool, 'underscore')))!;
    const listed = CATALOG.listing('underscore').find((t) => t.name === underscoreName(typographic.name))!;
    expect(listed.description).toBe(CATALOG.describe(typographic, 'underscore').replaceAll('\u2014', '-').replaceAll('\u2192', '->').replaceAll('\u2013', '-').replaceAll('\u2019', "'").replaceAll('\u2026', '...'));
  });

  it('lists every tool in a deterministic order, with underscore names by default', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer'));
    const first = (await mcp.client.listTools()).tools;
    const second = (await mcp.client.listTools()).tools;
    expect(first.map((t) => t.name)).toEqual(names.map(underscoreName));
    expect(second).toEqual(first);
    for (const tool of first) {
      expect(tool.name).toMatch(CLIENT_SAFE);
      expect(tool.description).not.toMatch(/`[a-z_]+\.[a-z_.]+`/);
      expect(tool.outputSchema).toBeTruthy();
    }
    await mcp.close();
  });

  it('lists each tool in capability.list with both names, and both names are callable', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'owner'));
    const catalog = structured<{ groups: { tools: { name: string; also_callable_as?: string }[] }[] }>(await mcp.call('capability_list'));
    const listed = catalog.groups.flatMap((g) => g.tools);
    expect(listed.map((t) => t.name)).toEqual(names.map(underscoreName));
    // The other form where there is one (search and fetch have a single name).
    expect(listed.map((t) => t.also_callable_as ?? t.name)).toEqual(names);
    const args = validArgs(world);
    for (const name of names) {
      for (const form of new Set([name, underscoreName(name)])) {
        const result = await mcp.call(form, args[name]);
        expect(result.isError, `${form}: ${JSON.stringify(result.content)}`).toBeFalsy();
      }
    }
    await mcp.close();
  });

  it('lists dotted names for a tenant that chose them, and still answers to underscores', async () => {
    await world.database.db.update(tenants).set({ settings: { mcpToolNames: 'dotted' } }).where(eq(tenants.id, world.tenant.id));
    const dotted = (await findTenantById(world.database.db, world.tenant.id))!;
    const mcp = await connect(world, principalOf(dotted, 'viewer'), { tenant: dotted });
    const listing = (await mcp.client.listTools()).tools;
    expect(listing.map((t) => t.name)).toEqual(names);
    expect(listing.find((t) => t.name === 'org.summary')!.description).toContain('`org.units.tree`');
    const catalog = structured<{ tool_names: string; groups: { tools: { name: string; also_callable_as?: string }[] }[] }>(await mcp.call('capability.list'));
    expect(catalog.tool_names).toBe('dotted');
    expect(catalog.groups.flatMap((g) => g.tools).find((t) => t.name === 'org.reporting_lines.list')).toMatchObject({ also_callable_as: 'org_reporting_lines_list' });
    expect((await mcp.call('org_summary')).isError).toBeFalsy();
    const guide = structured<{ steps: { tools: { name: string }[] }[] }>(await mcp.call('org.review.guide'));
    expect(guide.steps[0]!.tools[0]!.name).toBe('org.summary');
    await mcp.close();
    await world.database.db.update(tenants).set({ settings: {} }).where(eq(tenants.id, world.tenant.id));
  });
});

