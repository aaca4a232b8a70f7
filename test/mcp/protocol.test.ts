import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/mcp/server.js';
import { McpSession } from '../../src/mcp/session.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import { createLogger } from '../../src/logger.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { buildWorld, connect, MCP_URL, post, principalOf, structured, type Era, type McpWorld } from './support.js';

let world: McpWorld;

beforeAll(async () => {
  world = await buildWorld();
});

afterAll(async () => {
  await world?.database.close();
});

describe.each<Era>(['legacy', 'modern'])('the %s protocol era', (era) => {
  it('says at connection time, and in the guides, that money is in minor units (cents), before any figure is read', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'owner'), { era });
    expect(mcp.client.getInstructions()).toContain('Money is a `*_minor` field: an integer in minor units of the `currency` beside it (123456 EUR is 1,234.56 EUR');
    for (const guide of ['org_review_guide', 'scenario_review_guide']) {
      const { tips } = (await mcp.call(guide)).structuredContent as { tips: string[] };
      expect(tips.join(' '), guide).toContain('123456 EUR is 1,234.56 EUR');
    }
    await mcp.close();
  });

  it('negotiates the revision and follows the discovery order clients use', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer'), { era });
    expect(mcp.client.getNegotiatedProtocolVersion()).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
    expect(mcp.client.getServerVersion()).toMatchObject({ name: 'orgonaut', version: JSON.parse(fs.readFileSync('package.json', 'utf8')).version });
    expect(mcp.client.getInstructions()).toContain('capability_list');
    const tools = await mcp.client.listTools();
    const resources = await mcp.client.listResources();
    const templates = await mcp.client.listResourceTemplates();
    const prompts = await mcp.client.listPrompts();
    expect(tools.tools.map((t) => t.name)).toContain('capability_list');
    expect(resources.resources.map((r) => r.uri)).toEqual(['orgonaut://tenant', 'orgonaut://guides/org-review', 'orgonaut://guides/scenario-review']);
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['orgonaut://org-units/{id}', 'orgonaut://actors/{id}', 'orgonaut://scenarios/{id}', 'orgonaut://scenarios/{id}/delta']);
    expect(prompts.prompts.map((p) => p.name)).toEqual(['org-review', 'scenario-review']);
    // Legacy clients also try to open the optional GET stream; a stateless server answers it 405.
    expect(mcp.responses.map((r) => r.status).filter((s) => s !== 405).every((s) => s === 200 || s === 202)).toBe(true);
    await mcp.close();
  });

  it('calls a tool by either name and returns structured content with the same JSON as text', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer'), { era });
    for (const name of ['org_units_list', 'org.units.list']) {
      const result = await mcp.call(name, { type: 'team' });
      const data = structured<{ org_units: { name: string }[] }>(result);
      expect(data.org_units.map((u) => u.name)).toEqual(['Field', 'Mobile', 'Platform']);
      expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(data);
    }
    await mcp.close();
  });

  it('answers an unknown tool with JSON-RPC -32602 naming the tools meant, in the style the client wrote, and capability_list', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer'), { era });
    const refusal = async (name: string) => {
      const error = await mcp.client.callTool({ name, arguments: {} }).then(
        (result) => expect.fail(`expected a JSON-RPC error, got ${JSON.stringify(result)}`),
        (thrown: unknown) => thrown as { code: number; message: string; data?: { code: string; did_you_mean: string[] } },
      );
      expect(error.code).toBe(-32602);
      return error;
    };
    const misspelt = await refusal('org_unit_list');
    expect(misspelt.message).toContain('Unknown tool "org_unit_list": did you mean org_units_list?');
    expect(misspelt.message).toContain('Call capability_list');
    expect(misspelt.data).toEqual({ code: 'unknown_tool', did_you_mean: ['org_units_list'] });
    const dotted = await refusal('org.unit.list');
    expect(dotted.message).toContain('did you mean org.units.list?');
    expect(dotted.message).toContain('Call capability.list');
    // Not a misspelling: the names sharing its words (people are actors here), the closest first.
    expect((await refusal('list_people')).data!.did_you_mean[0]).toBe('org_actors_list');
    expect((await refusal('get_unit')).data!.did_you_mean[0]).toBe('org_units_get');
    const nothing = await refusal('weather_forecast');
    expect(nothing.message).toContain('this server has no tool of that name');
    expect(nothing.data!.did_you_mean).toEqual([]);
    // Still one connection that works.
    expect((await mcp.call('org_summary')).isError).toBeFalsy();
    await mcp.close();
  });

  it('reads resources and prompts', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer'), { era });
    const tenant = await mcp.client.readResource({ uri: 'orgonaut://tenant' });
    expect(JSON.parse((tenant.contents[0] as { text: string }).text)).toMatchObject({ slug: world.tenant.slug, mcp_url: MCP_URL, tool_names: 'underscore' });
    const unit = await mcp.client.readResource({ uri: `orgonaut://org-units/${world.ids.units.P}` });
    expect(JSON.parse((unit.contents[0] as { text: string }).text)).toMatchObject({ name: 'Platform' });
    await expect(mcp.client.readResource({ uri: `orgonaut://org-units/${world.otherIds.units.P}` })).rejects.toThrow(/not found/i);
    const prompt = await mcp.client.getPrompt({ name: 'org-review' });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain('`org_summary`');
    await mcp.close();
  });
});

describe('protocol details', () => {
  const viewer = () => principalOf(world.tenant, 'viewer');
  const modernHeaders = (method: string, name?: string) => ({
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
    ...(name ? { 'mcp-name': name } : {}),
  });
  const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

  it('answers server/discover for 2026-07-28 clients', async () => {
    const response = await post(world, viewer(), { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope } }, { ...modernHeaders('server/discover'), accept: 'application/json' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.result.supportedVersions).toContain('2026-07-28');
    expect(body.result.capabilities).toHaveProperty('tools');
  });

  it('checks Mcp-Name against the body on 2026-07-28 requests', async () => {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'org_summary', arguments: {}, _meta: envelope } };
    const mismatched = await post(world, viewer(), call, { ...modernHeaders('tools/call', 'capability_list'), accept: 'application/json' });
    expect(mismatched.status).toBe(400);
    expect((await mismatched.json()).error.code).toBe(-32020);
    const matched = await post(world, viewer(), call, { ...modernHeaders('tools/call', 'org_summary'), accept: 'application/json' });
    expect(matched.status).toBe(200);
  });

  it('answers an unknown tool in a JSON-RPC batch as it answers a single call (2025 eras; 2026-07-28 refuses batches)', async () => {
    const call = (id: number, name: string, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {}, ...extra } });
    const answers = async (response: Response) => {
      const text = await response.text();
      const json = text.startsWith('event:') ? text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6))) : [JSON.parse(text)];
      return json.flat() as { id: number; result?: { isError?: boolean; structuredContent?: Record<string, unknown> }; error?: { code: number; message: string; data?: unknown } }[];
    };
    const single = (await answers(await post(world, viewer(), call(1, 'org_unit_list'))))[0]!;
    for (const version of ['2025-11-25', '2025-06-18']) {
      const response = await post(world, viewer(), [call(1, 'org_unit_list'), call(2, 'org.unit.list'), call(3, 'org_summary')], { 'mcp-protocol-version': version });
      expect(response.status).toBe(200);
      const byId = new Map((await answers(response)).map((answer) => [answer.id, answer]));
      expect(byId.get(1)!.error).toEqual(single.error);
      expect(byId.get(1)!.error).toMatchObject({ code: -32602, data: { code: 'unknown_tool', did_you_mean: ['org_units_list'] } });
      expect(byId.get(2)!.error).toMatchObject({ code: -32602, data: { did_you_mean: ['org.units.list'] } });
      expect(byId.get(2)!.error!.message).toContain('Call capability.list');
      // The known tool in the same batch still runs.
      expect(byId.get(3)!.result!.structuredContent).toHaveProperty('totals');
    }
    const modern = await post(world, viewer(), [call(1, 'org_unit_list', { _meta: envelope })], { 'mcp-protocol-version': '2026-07-28', accept: 'application/json, text/event-stream' });
    expect(modern.status).toBe(400);
    expect((await modern.json()).error).toMatchObject({ code: -32600, message: expect.stringMatching(/batches may not contain requests for protocol revision 2026-07-28/) });
  });

  it('answers repeated tools/list requests with the same listing under each one\'s own id, in the tenant\'s naming style', async () => {
    const list = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: envelope } });
    const headers = { ...modernHeaders('tools/list'), accept: 'application/json' };
    const answer = async (response: Response) => {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      return (await response.json()) as { id: unknown; result: { tools: { name: string }[] } };
    };
    const first = await answer(await post(world, viewer(), list(1), headers));
    const again = await answer(await post(world, viewer(), list('second-call'), headers));
    const third = await answer(await post(world, viewer(), list(3), headers));
    expect([first.id, again.id, third.id]).toEqual([1, 'second-call', 3]);
    expect(again.result).toEqual(first.result);
    expect(third.result.tools.map((t) => t.name)).toContain('org_units_list');

    // A tenant listing dotted names gets them, though the underscore listing was just answered.
    const dottedTenant = { ...world.tenant, settings: { ...world.tenant.settings, mcpToolNames: 'dotted' as const } };
    const request = new Request(MCP_URL, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(list(4)) });
    const dotted = await answer(await world.handle(request, { tenant: dottedTenant, principal: principalOf(dottedTenant, 'viewer'), origin: world.origin }));
    expect(dotted.result.tools.map((t) => t.name)).toContain('org.units.list');
    expect(dotted.result.tools.map((t) => t.name)).not.toContain('org_units_list');

    // What the SDK refuses it still refuses, however often the listing was answered.
    const mismatched = await post(world, viewer(), list(5), { ...headers, 'mcp-method': 'tools/call' });
    expect(mismatched.status).toBe(400);
    expect(await mismatched.json()).toMatchObject({ id: 5, error: { code: expect.any(Number) } });
    const noEnvelope = await post(world, viewer(), { jsonrpc: '2.0', id: 6, method: 'tools/list' }, headers);
    expect(await noEnvelope.json()).toMatchObject({ id: 6, error: { message: expect.stringMatching(/missing the required per-request envelope/) } });
  });

  it('serves a 2025-06-18 client', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'old', version: '1' } },
    };
    const response = await post(world, viewer(), init, { accept: 'application/json, text/event-stream' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"protocolVersion":"2025-06-18"');
    const list = await post(world, viewer(), { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-protocol-version': '2025-06-18' });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('org_units_list');
  });
});

describe('HTTP rules around the SDK', () => {
  const viewer = () => principalOf(world.tenant, 'viewer');

  it('answers GET and DELETE with 405 and Allow: POST (a stateless server has no stream or session)', async () => {
    for (const method of ['GET', 'DELETE', 'PUT']) {
      const response = await world.handle(new Request(MCP_URL, { method }), { tenant: world.tenant, principal: viewer(), origin: world.origin });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('refuses a browser Origin that is neither this host nor configured, with 403', async () => {
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect((await post(world, viewer(), list, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(world, viewer(), list, { origin: 'null' })).status).toBe(403);
    expect((await post(world, viewer(), list, { origin: 'http://acme.localhost:4000' })).status).toBe(403);
    expect((await post(world, viewer(), list, { origin: world.origin })).status).toBe(200);
    expect((await post(world, viewer(), list, { origin: 'https://claude.ai' })).status).toBe(200);
    expect((await post(world, viewer(), list)).status).toBe(200);
  });

  it('refuses an oversized body with 413 before the SDK parses it', async () => {
    const huge = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { query: 'x'.repeat(1_100_000) } } };
    const response = await post(world, viewer(), huge);
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toMatch(/too large/);
  });

  it('refuses a single overlong string (the SDK answered 500 to a megabyte URI) with a JSON-RPC error', async () => {
    const read = { jsonrpc: '2.0', id: 7, method: 'resources/read', params: { uri: `orgonaut://org-units/${'a'.repeat(100_000)}` } };
    const response = await post(world, viewer(), read);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 7, error: { code: -32602 } });
  });

  it('lets the SDK answer malformed JSON and wrong content types, and never redirects', async () => {
    expect((await post(world, viewer(), '{not json')).status).toBe(400);
    expect((await post(world, viewer(), { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('never lets an intermediary cache an answer', async () => {
    const json = await post(world, viewer(), { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { accept: 'application/json' });
    expect(json.headers.get('cache-control')).toBe('no-store');
    const stream = await post(world, viewer(), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(stream.headers.get('cache-control')).toMatch(/no-cache|no-store/);
  });

  it('builds a server per request cheaply (the SDK requires a fresh instance)', () => {
    const ctx = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: viewer(), requestId: 'r', logger: createLogger('silent') };
    const session = new McpSession(ctx, world.origin);
    buildServer(session);
    const runs = 200;
    const started = performance.now();
    for (let i = 0; i < runs; i++) buildServer(session);
    const perServer = (performance.now() - started) / runs;
    console.info(`buildServer: ${perServer.toFixed(3)} ms for ${CATALOG.tools.length} tools`);
    expect(perServer).toBeLessThan(20);
  });
});

describe('defence in depth behind the guard', () => {
  it('answers 404 on a plan without MCP and for a principal of another tenant', async () => {
    const list = new Request(MCP_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    const team = { ...world.tenant, plan: 'team' as const };
    expect((await world.handle(list.clone(), { tenant: team, principal: principalOf(team, 'owner'), origin: world.origin })).status).toBe(404);
    const stranger = principalOf(world.other, 'owner');
    expect((await world.handle(list.clone(), { tenant: world.tenant, principal: stranger, origin: world.origin })).status).toBe(404);
  });
});
