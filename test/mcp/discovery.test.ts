import { Writable } from 'node:stream';
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTool } from '../../src/mcp/boundary.js';
import { buildCatalog, CATALOG, plainPunctuation } from '../../src/mcp/catalog.js';
import { GUIDES } from '../../src/mcp/guides.js';
import { inputJsonSchema, outputJsonSchema } from '../../src/mcp/schema-json.js';
import { defineTool } from '../../src/mcp/registry.js';
import { McpSession } from '../../src/mcp/session.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { connect, errorOf, principalOf, structured, withConnections, type Connection, type McpWorld } from './support.js';

/** Discovery (capability.*, guides), ChatGPT's search/fetch, resources, and the internal-error boundary. */

const CATALOG_NAMES = CATALOG.tools.map((t) => t.name);

let world: McpWorld;
let owner: Connection;
let viewer: Connection;

withConnections(['owner', 'viewer'], (w, connections) => {
  world = w;
  owner = connections.owner;
  viewer = connections.viewer;
});

describe('capability.list and capability.explain', () => {
  it('groups the catalog by purpose and says what the caller may use now', async () => {
    const list = structured<{ groups: { purpose: string; tools: { name: string; available_now: boolean; missing_abilities: string[] }[] }[] }>(
      await viewer.call('capability_list'),
    );
    expect(list.groups.map((g) => g.purpose)).toEqual(['discovery', 'org-review', 'scenario-review', 'scenario-actions', 'history', 'search']);
    const rollup = list.groups.flatMap((g) => g.tools).find((t) => t.name === 'org_costs_rollup')!;
    expect(rollup).toMatchObject({ available_now: false, missing_abilities: ['costs.read'] });
  });

  it('leaves to tools/list and capability.explain what they say already, and stays compact', async () => {
    const result = await viewer.call('capability_list');
    const list = structured<{ groups: { tools: Record<string, unknown>[] }[]; resources: Record<string, unknown>[] }>(result);
    const listing = (await viewer.client.listTools()).tools;
    const entries = list.groups.flatMap((g) => g.tools);
    // Every listed tool, under the name tools/list shows, with one sentence of its description.
    expect(entries.map((t) => t.name)).toEqual(listing.map((t) => t.name));
    for (const entry of entries) {
      const description = listing.find((t) => t.name === entry.name)!.description!;
      expect(description.startsWith(plainPunctuation(String(entry.summary))), String(entry.name)).toBe(true);
      // The title and schemas are in tools/list; the abilities needed, in capability.explain.
      expect(Object.keys(entry).every((key) => ['name', 'also_callable_as', 'summary', 'available_now', 'missing_abilities', 'missing_one_of'].includes(key))).toBe(true);
    }
    expect(list.resources.every((r) => !('name' in r))).toBe(true);
    // 16.9 KB for a viewer before the entries stopped repeating titles, a third name and the abilities needed
    // (with 35 tools: about 14.5 KB, some 400 bytes a tool).
    expect(Buffer.byteLength((result.content[0] as { text: string }).text)).toBeLessThan(15_000);
  });

  it('says for every resource and template what it needs and whether the caller may read it now', async () => {
    type Entry = { missing_abilities?: string[]; available_now: boolean };
    const narrowed = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['org-units.read', 'scenarios.read'] }));
    const list = structured<{ resources: Entry[]; resource_templates: (Entry & { uri_template: string })[] }>(await narrowed.call('capability_list'));
    for (const entry of [...list.resources, ...list.resource_templates]) expect(entry).toMatchObject({ available_now: expect.any(Boolean) });
    // An entry the caller may read says nothing about abilities (the rule for empty lists on list items).
    expect(list.resources.find((r) => (r as { uri?: string }).uri === 'orgonaut://tenant')).not.toHaveProperty('missing_abilities');
    const actors = list.resource_templates.find((t) => t.uri_template === 'orgonaut://actors/{id}')!;
    expect(actors).toMatchObject({ missing_abilities: ['actors.read'], available_now: false });
    await expect(narrowed.client.readResource({ uri: `orgonaut://actors/${world.ids.id('p1')}` })).rejects.toThrow(/actors\.read/);
    await narrowed.close();
  });

  it('explains a tool: arguments from its schema, abilities, a first call and related tools', async () => {
    const explained = structured<Record<string, unknown>>(await viewer.call('capability_explain', { name: 'org.units.list' }));
    expect(explained).toMatchObject({ kind: 'tool', name: 'org_units_list', dotted_name: 'org.units.list', available_now: true });
    expect(explained.arguments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'type', required: false, allowed: ['company', 'department', 'team', 'system'] }),
        expect.objectContaining({ name: 'limit', type: 'integer', minimum: 1, maximum: 500 }),
      ]),
    );
    expect(explained.requires).toEqual([{ ability: 'org-units.read', description: expect.any(String), you_have: true }]);
    expect(explained.example).toEqual({ tool: 'org_units_list', arguments: { type: 'department', limit: 20 } });
    expect(explained.related).toEqual(expect.arrayContaining(['org_units_tree', 'org_units_get']));
  });

  it('names related tools in argument descriptions as the listing does', async () => {
    const explained = structured<{ arguments: unknown[] }>(await owner.call('capability_explain', { name: 'scenario_action_plan' }));
    const text = JSON.stringify(explained.arguments);
    expect(text).toContain('`org_units_list`');
    expect(text).not.toMatch(/`(org|scenario|capability)\.[a-z_.]+`/);
  });

  it('explains resources, templates and prompts, and names an unknown entry as the problem', async () => {
    expect(structured(await viewer.call('capability_explain', { name: 'orgonaut://tenant' }))).toMatchObject({ kind: 'resource' });
    expect(structured(await viewer.call('capability_explain', { name: 'orgonaut://org-units/{id}' }))).toMatchObject({ kind: 'resource_template' });
    expect(structured(await viewer.call('capability_explain', { name: 'org-review' }))).toMatchObject({ kind: 'prompt' });
    const error = errorOf(await viewer.call('capability_explain', { name: 'org.units.delete' }));
    expect(error).toMatchObject({ code: 'invalid_input', field: 'name' });
    expect(error.message).toContain('capability_list');
  });
});

describe('the review guides', () => {
  it('point at tools by their listed names and say which the caller may use', async () => {
    const guide = structured<{ steps: { how: string; tools: { name: string; available_now: boolean }[] }[] }>(await viewer.call('org_review_guide'));
    const tools = guide.steps.flatMap((s) => s.tools);
    expect(tools.find((t) => t.name === 'org_summary')).toEqual({ name: 'org_summary', available_now: true });
    expect(tools.find((t) => t.name === 'org_costs_rollup')).toEqual({ name: 'org_costs_rollup', available_now: false });
    expect(guide.steps.map((s) => s.how).join(' ')).not.toMatch(/`[a-z_]+\.[a-z_.]+`/);
    const scenario = structured<{ steps: { tools: { name: string }[] }[] }>(await owner.call('scenario_review_guide'));
    expect(scenario.steps[0]!.tools.map((t) => t.name)).toEqual(['scenario_list', 'org_snapshots_list']);
    // No tool creates a scenario: the guide says where the person makes one when none is editable.
    expect(CATALOG_NAMES.some((name) => /scenario\.(create|new)/.test(name))).toBe(false);
    expect(JSON.stringify(scenario)).toMatch(/create one on the Scenarios page of the web app/);
  });

  it('name only arguments the tools of their step take', () => {
    const fieldsOf = (schema: unknown): string[] =>
      schema && typeof schema === 'object'
        ? Object.entries(schema).flatMap(([key, value]) => [...(key === 'properties' ? Object.keys(value as object) : []), ...fieldsOf(value)])
        : [];
    const inputs = (names: string[]) => new Set(names.flatMap((n) => fieldsOf(inputJsonSchema(CATALOG.find(n)!.inputSchema))));
    const outputs = (names: string[]) => new Set(names.flatMap((n) => fieldsOf(outputJsonSchema(CATALOG.find(n)!.outputSchema))));
    const anyInput = inputs(CATALOG_NAMES);
    for (const guide of GUIDES) {
      for (const step of [...guide.steps, { how: guide.tips.join(' '), tools: CATALOG_NAMES }]) {
        const known = new Set([...inputs(step.tools), ...outputs(step.tools)]);
        for (const [, quoted] of step.how.matchAll(/`([^`]+)`/g)) {
          const [name, value] = quoted!.split(':').map((part) => part.trim());
          // An argument given a value (`status: "vacant"`), or one some tool takes, must be one this step's tools know.
          if (value !== undefined || anyInput.has(name!)) expect(known, `${guide.id}: "${step.how}" names \`${name}\``).toContain(name);
        }
      }
    }
  });

  it('are also prompts and resources', async () => {
    const prompt = await viewer.client.getPrompt({ name: 'scenario-review' });
    expect((prompt.messages[0]!.content as { text: string }).text).toMatch(/^# Review a scenario and draft changes/);
    const resource = await viewer.client.readResource({ uri: 'orgonaut://guides/org-review' });
    expect((resource.contents[0] as { text: string }).text).toContain('not available to you now: org_costs_rollup');
  });
});

describe('search and fetch (ChatGPT connectors)', () => {
  it('search returns {results: [{id, title, url, reason}]} across org units and actors, as JSON text too', async () => {
    const result = await viewer.call('search', { query: 'platform' });
    const data = structured<{ results: { id: string; title: string; url: string }[] }>(result);
    expect(data.results).toEqual([
      { id: `org-unit:${world.ids.units.P}`, title: 'Platform (team)', url: `${world.origin}/org-units/${world.ids.units.P}`, reason: 'name is the query' },
    ]);
    expect(data).toMatchObject({ withheld: [] });
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(data);
    const people = structured<{ results: { id: string; title: string }[] }>(await viewer.call('search', { query: 'ceo' }));
    expect(people.results).toContainEqual({
      id: `actor:${world.ids.id('ceo')}`,
      title: 'ceo — Chief Executive',
      url: `${world.origin}/actors/${world.ids.id('ceo')}`,
      reason: 'name is the query',
    });
  });

  it('search answers with the kinds of record the token may read, and names the kind it left out', async () => {
    type Found = { results: { id: string }[]; withheld: { part: string; needs: string[]; note: string }[] };
    const kinds = (found: Found) => [...new Set(found.results.map((r) => r.id.split(':')[0]))].sort();
    const both = structured<Found>(await viewer.call('search', { query: 'p' }));
    expect(kinds(both)).toEqual(['actor', 'org-unit']);
    expect(both.withheld).toEqual([]);

    const people = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['actors.read'] }));
    const asPeople = await people.call('search', { query: 'p' });
    expect(kinds(structured<Found>(asPeople))).toEqual(['actor']);
    expect(structured<Found>(asPeople).withheld).toEqual([{ part: 'org_unit', needs: ['org-units.read'], note: expect.stringContaining('org units') }]);
    expect((asPeople.content[0] as { text: string }).text).toContain('left out: they need org-units.read');
    await people.close();

    const units = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['org-units.read'] }));
    const asUnits = structured<Found>(await units.call('search', { query: 'p' }));
    expect(kinds(asUnits)).toEqual(['org-unit']);
    expect(asUnits.withheld).toEqual([{ part: 'actor', needs: ['actors.read'], note: expect.stringContaining('people') }]);
    await units.close();
  });

  it('search with neither ability is refused naming both, and an OAuth token with one of them is not asked to step up', async () => {
    const neither = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['placements.read'] }));
    const error = errorOf(await neither.call('search', { query: 'p' }));
    expect(error).toMatchObject({ code: 'missing_ability', one_of: ['org-units.read', 'actors.read'] });
    expect(error.message).toMatch(/one of the abilities "org-units.read" \(.*\) or "actors.read"/);
    await neither.close();
    const oauth = await connect(world, principalOf(world.tenant, 'viewer', { kind: 'oauth', abilities: ['actors.read'] }));
    const found = structured<{ results: { id: string }[] }>(await oauth.call('search', { query: 'ceo' }));
    expect(found.results.map((r) => r.id)).toEqual([`actor:${world.ids.id('ceo')}`]);
    expect(oauth.responses.at(-1)!.status).toBe(200);
    await oauth.close();
  });

  it('capability.list says search is usable with either of two abilities, capability.explain names both', async () => {
    type Entry = { name: string; available_now: boolean; missing_one_of?: string[] };
    const searchEntry = async (mcp: Connection) =>
      structured<{ groups: { tools: Entry[] }[] }>(await mcp.call('capability_list')).groups.flatMap((g) => g.tools).find((t) => t.name === 'search')!;
    const people = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['actors.read'] }));
    const entry = await searchEntry(people);
    expect(entry).toMatchObject({ available_now: true });
    expect(entry).not.toHaveProperty('missing_abilities');
    expect(entry).not.toHaveProperty('missing_one_of');
    await people.close();
    const neither = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['placements.read'] }));
    expect(await searchEntry(neither)).toMatchObject({ available_now: false, missing_one_of: ['org-units.read', 'actors.read'] });
    const explained = structured<{ requires_one_of: { ability: string; you_have: boolean }[]; available_now: boolean }>(
      await neither.call('capability_explain', { name: 'search' }),
    );
    expect(explained.requires_one_of.map((a) => [a.ability, a.you_have])).toEqual([['org-units.read', false], ['actors.read', false]]);
    expect(explained.available_now).toBe(false);
    await neither.close();
  });

  it('search matches records that contain every word, as assistants phrase queries', async () => {
    const titles = async (query: string) => structured<{ results: { title: string }[] }>(await viewer.call('search', { query })).results.map((r) => r.title);
    expect(await titles('platform team')).toEqual(['Platform (team)']);
    expect(await titles('Engineering department')).toEqual(['Engineering (department)']);
    expect(await titles('teams')).toEqual(['Field (team)', 'Mobile (team)', 'Platform (team)']);
    expect(await titles('chief ceo')).toEqual(['ceo — Chief Executive']);
    // No record has both words: the records with either (a question's words are rarely all in one record).
    expect(await titles('platform sales')).toEqual(expect.arrayContaining(['Platform (team)', 'Sales (department)']));
    expect(await titles('zzz yyy')).toEqual([]);
    expect(errorOf(await viewer.call('search', { query: '   ' }))).toMatchObject({ code: 'invalid_input', field: 'query' });
  });

  it('fetch returns {id, title, text, url, metadata}, with cost only for costs.read', async () => {
    const id = `org-unit:${world.ids.units.P}`;
    const asOwner = structured<{ id: string; title: string; text: string; url: string; metadata: Record<string, unknown> }>(await owner.call('fetch', { id }));
    expect(asOwner).toMatchObject({ id, title: 'Platform', url: `${world.origin}/org-units/${world.ids.units.P}`, metadata: { record: 'org_unit', name: 'Platform' } });
    expect(asOwner.text).toContain('Path: Fixture Co › Engineering › Platform');
    expect(asOwner.text).toMatch(/Annual loaded cost: [\d,.]+ EUR/);
    const asViewer = structured<{ text: string }>(await viewer.call('fetch', { id }));
    expect(asViewer.text).not.toContain('cost');
    expect(errorOf(await viewer.call('fetch', { id: 'whatever' }))).toMatchObject({ code: 'not_found' });
  });

  it('fetch also takes a bare id, as the org tools give them', async () => {
    expect(structured(await viewer.call('fetch', { id: world.ids.units.P }))).toMatchObject({ id: `org-unit:${world.ids.units.P}`, title: 'Platform' });
    expect(structured(await viewer.call('fetch', { id: world.ids.id('p1') }))).toMatchObject({ id: `actor:${world.ids.id('p1')}`, title: 'p1' });
    expect(errorOf(await viewer.call('fetch', { id: world.otherIds.id('p1') }))).toMatchObject({ code: 'not_found' });
    const unitsOnly = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['org-units.read'] }));
    expect(errorOf(await unitsOnly.call('fetch', { id: world.ids.id('p1') }))).toMatchObject({ code: 'not_found' });
    await unitsOnly.close();
  });

  it('fetch says when a cost leaves out pay in a currency without an exchange rate', async () => {
    const field = structured<{ text: string; metadata: { metrics: { cost: { annual_cost_minor: number } } } }>(
      await owner.call('fetch', { id: `org-unit:${world.ids.units.F}` }),
    );
    const amount = (field.metadata.metrics.cost.annual_cost_minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(field.text).toContain(`Annual loaded cost: ${amount} EUR, not counting pay in GBP (no exchange rate for GBP)`);
    const f2 = structured<{ text: string }>(await owner.call('fetch', { id: `actor:${world.ids.id('f2')}` }));
    expect(f2.text).toContain('Annual loaded cost: unknown (no exchange rate for GBP)');
    const p1 = structured<{ text: string }>(await owner.call('fetch', { id: `actor:${world.ids.id('p1')}` }));
    expect(p1.text).toMatch(/Annual loaded cost: [\d,.]+ EUR$/m);
  });

  it('fetch of an actor needs actors.read, and an OAuth client is asked to step up for it', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer', { kind: 'oauth', abilities: ['org-units.read'] }));
    expect((await mcp.call('fetch', { id: `org-unit:${world.ids.units.P}` })).isError).toBeFalsy();
    await expect(mcp.call('fetch', { id: `actor:${world.ids.id('p1')}` })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(mcp.responses.at(-1)!.headers.get('www-authenticate')).toContain('scope="actors.read mcp:use"');
    await mcp.close();
  });

  it('fetch of an org unit needs org-units.read, and of an actor only actors.read', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer', { abilities: ['actors.read'] }));
    const p1 = structured<{ text: string }>(await mcp.call('fetch', { id: `actor:${world.ids.id('p1')}` }));
    // The unit's name, as the actor tools give it, but not the path above it (org-units.read).
    expect(p1.text).toContain('Org unit: Platform\n');
    expect(structured(await mcp.call('fetch', { id: world.ids.id('p1') }))).toMatchObject({ id: `actor:${world.ids.id('p1')}` });
    expect(errorOf(await mcp.call('fetch', { id: `org-unit:${world.ids.units.P}` }))).toMatchObject({ code: 'missing_ability', ability: 'org-units.read' });
    expect(errorOf(await mcp.call('fetch', { id: world.ids.units.P }))).toMatchObject({ code: 'not_found' });
    expect(structured<{ text: string }>(await owner.call('fetch', { id: `actor:${world.ids.id('p1')}` })).text).toContain('Org unit: Fixture Co › Engineering › Platform');
    await mcp.close();
  });
});

describe('resources', () => {
  it('reads scenarios through the template, and another tenant’s as not found', async () => {
    const read = await viewer.client.readResource({ uri: `orgonaut://scenarios/${world.scenario.id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ name: 'Reshape sales', kind: 'planning' });
    await expect(viewer.client.readResource({ uri: `orgonaut://scenarios/${world.otherScenario.id}` })).rejects.toThrow(/not found/i);
  });

  it('names a missing ability, and steps an OAuth client up', async () => {
    const token = await connect(world, principalOf(world.tenant, 'owner', { abilities: ['org-units.read'] }));
    await expect(token.client.readResource({ uri: `orgonaut://actors/${world.ids.id('p1')}` })).rejects.toThrow(/"actors\.read"/);
    await token.close();
    const oauth = await connect(world, principalOf(world.tenant, 'owner', { kind: 'oauth', abilities: ['org-units.read'] }));
    await expect(oauth.client.readResource({ uri: `orgonaut://actors/${world.ids.id('p1')}` })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(oauth.responses.at(-1)!.status).toBe(403);
    await oauth.close();
  });
});

describe('the error boundary', () => {
  it('writes an error as sentences: what is wrong, then how to fix it', async () => {
    const result = await viewer.call('org_actors_list', { limit: 1000 });
    const { message, fix } = errorOf(result);
    expect(message).toMatch(/^Invalid limit: /);
    expect((result.content[0] as { text: string }).text).toBe(`${message.replace(/\.?$/, '.')} ${fix}`);
    expect((result.content[0] as { text: string }).text).toMatch(/500\. Correct "limit" and try again\.$/);
  });

  it('turns an unexpected error into "internal error, request id …" and logs it with the stack', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const broken = defineTool({
      name: 'test.broken',
      title: 'Broken',
      description: 'Always fails with a programming error.',
      purpose: 'discovery',
      inputSchema: z.object({}),
      outputSchema: z.object({}),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      requires: [],
      example: {},
      async handler() {
        throw new TypeError('secret detail: connection string postgres://user:pw@db');
      },
    });
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'viewer'), requestId: 'req-42', logger };
    const result = await runTool(broken, {}, new McpSession(ctx, world.origin), buildCatalog([broken]));
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toBe(
      'Internal error (request id req-42). Try again; if it keeps failing, give the request id to the Orgonaut operators.',
    );
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(lines.join('')).toContain('secret detail');
    expect(lines.join('')).toContain('"stack"');
  });
});
