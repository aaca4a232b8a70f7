import { InsufficientScopeError } from '@modelcontextprotocol/client';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { auditEvents } from '../../src/db/schema/index.js';
import { CATALOG } from '../../src/mcp/catalog.js';
import { abilitiesFor, underscoreName } from '../../src/mcp/registry.js';
import { findTenantById } from '../../src/tenancy/tenants.js';
import { FOREIGN_ID_TOOLS, foreignIdArgs, MONEY_TOOLS, showsMoney, validArgs } from './tool-cases.js';
import { connect, errorOf, principalOf, withConnections, type Connection, type McpWorld } from './support.js';

/** The per-tool matrix (SPEC §5): money rule, missing ability, OAuth step-up, tenant isolation, invalid arguments. */

let world: McpWorld;
let owner: Connection;
let viewer: Connection;
const tools = CATALOG.tools;
const gated = tools.filter((t) => t.requires.length > 0);
/** Tools that need one of several abilities, and a call of each that needs nothing more (fetch of a bare id). */
const oneOf = tools.filter((t) => t.requiresOneOf?.length);
const oneOfArgs = (name: string): Record<string, unknown> => (name === 'fetch' ? { id: world.ids.units.P } : validArgs(world)[name]!);
const without = (abilities: readonly string[]) => OWNER.filter((a) => !abilities.includes(a));
const OWNER = DEFAULT_BUNDLES.owner;

withConnections(['owner', 'viewer'], (w, connections) => {
  world = w;
  owner = connections.owner;
  viewer = connections.viewer;
});

describe('every tool answers its first call on the fixture org', () => {
  it.each(tools.map((t) => t.name))('%s', async (name) => {
    const result = await owner.call(underscoreName(name), validArgs(world)[name]);
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(result.structuredContent).toBeTypeOf('object');
  });
});

describe('money is left out without costs.read', () => {
  it.each(tools.map((t) => t.name))('%s', async (name) => {
    const args = validArgs(world)[name];
    const asViewer = await viewer.call(underscoreName(name), args);
    expect(showsMoney(asViewer), JSON.stringify(asViewer.structuredContent)).toBe(false);
    if (MONEY_TOOLS.includes(name)) expect(showsMoney(await owner.call(underscoreName(name), args))).toBe(true);
  });

  it('applies to a token narrowed away from costs.read even when its role could see cost', async () => {
    const narrowed = await connect(world, principalOf(world.tenant, 'owner', { abilities: OWNER.filter((a) => a !== 'costs.read') }));
    for (const tool of tools.filter((t) => !t.requires.includes('costs.read'))) {
      const result = await narrowed.call(tool.name, validArgs(world)[tool.name]);
      expect(showsMoney(result), `${tool.name}: ${JSON.stringify(result.structuredContent)}`).toBe(false);
    }
    await narrowed.close();
  });
});

describe('a principal without an ability the tool needs gets an isError naming it', () => {
  const cases = gated.flatMap((tool) => tool.requires.map((ability) => [tool.name, ability] as const));
  it.each(cases)('%s without %s', async (name, ability) => {
    const mcp = await connect(world, principalOf(world.tenant, 'owner', { abilities: OWNER.filter((a) => a !== ability) }));
    const result = await mcp.call(underscoreName(name), validArgs(world)[name]);
    const error = errorOf(result);
    expect(error).toMatchObject({ code: 'missing_ability', ability, granted_by: ['owner', 'admin'] });
    expect((result.content[0] as { text: string }).text).toContain(`"${ability}"`);
    await mcp.close();
  });

  it.each(oneOf.map((t) => t.name))('%s without any of the abilities it needs one of', async (name) => {
    const alternatives = CATALOG.find(name)!.requiresOneOf!;
    const mcp = await connect(world, principalOf(world.tenant, 'owner', { abilities: without(alternatives) }));
    const error = errorOf(await mcp.call(underscoreName(name), oneOfArgs(name)));
    expect(error).toMatchObject({ code: 'missing_ability', one_of: alternatives, granted_by: ['owner', 'admin'] });
    for (const ability of alternatives) expect(error.message).toContain(`"${ability}"`);
    expect(error.fix).toContain('this token was not granted one of them');
    await mcp.close();
  });

  it('says the role lacks it, and who grants it, when the role is the reason', async () => {
    const error = errorOf(await viewer.call('org_costs_rollup', {}));
    expect(error.message).toContain('your role does not have');
    expect(error.fix).toMatch(/owner or admin/);
  });
});

describe('an OAuth token whose scopes exclude an ability the role has gets HTTP 403 insufficient_scope', () => {
  it.each(gated.map((t) => t.name))('%s', async (name) => {
    const tool = CATALOG.find(name)!;
    const args = validArgs(world)[name]!;
    const missing = tool.requires[0]!;
    const mcp = await connect(world, principalOf(world.tenant, 'owner', { kind: 'oauth', abilities: OWNER.filter((a) => a !== missing) }));
    await expect(mcp.call(underscoreName(name), args)).rejects.toBeInstanceOf(InsufficientScopeError);
    const response = mcp.responses.at(-1)!;
    expect(response.status).toBe(403);
    const needed = abilitiesFor(tool, args);
    expect(response.headers.get('www-authenticate')).toContain('Bearer error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain(`scope="${[...needed, 'mcp:use'].join(' ')}"`);
    expect(response.headers.get('www-authenticate')).toContain(
      `resource_metadata="${world.origin}/.well-known/oauth-protected-resource/mcp/orgonaut"`,
    );
    await mcp.close();
  });

  it.each(oneOf.map((t) => t.name))('%s, without any of the abilities it needs one of, asks for all of them', async (name) => {
    const alternatives = CATALOG.find(name)!.requiresOneOf!;
    const mcp = await connect(world, principalOf(world.tenant, 'owner', { kind: 'oauth', abilities: without(alternatives) }));
    await expect(mcp.call(underscoreName(name), oneOfArgs(name))).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(mcp.responses.at(-1)!.headers.get('www-authenticate')).toContain(`scope="${[...alternatives, 'mcp:use'].join(' ')}"`);
    await mcp.close();
  });

  it('steps up in the 2026-07-28 era too, and for a scenario_id the token cannot read', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'owner', { kind: 'oauth', abilities: ['org-units.read'] }), { era: 'modern' });
    await expect(mcp.call('org_units_list', { scenario_id: world.scenario.id })).rejects.toBeInstanceOf(InsufficientScopeError);
    expect(mcp.responses.at(-1)!.headers.get('www-authenticate')).toContain('scope="org-units.read scenarios.read mcp:use"');
    expect((await mcp.call('org_units_list', {})).isError).toBeFalsy();
    await mcp.close();
  });

  it('answers isError, not a step-up, when the role itself lacks the ability', async () => {
    const mcp = await connect(world, principalOf(world.tenant, 'viewer', { kind: 'oauth', abilities: ['org-units.read'] }));
    expect(errorOf(await mcp.call('org_costs_rollup', {}))).toMatchObject({ code: 'missing_ability', ability: 'costs.read' });
    await mcp.close();
  });
});

describe('another tenant’s ids are not found', () => {
  it.each(FOREIGN_ID_TOOLS)('%s', async (name) => {
    const them = await connect(world, principalOf(world.other, 'owner'));
    for (const args of foreignIdArgs(world.ids, world.scenario.id, world.proposals.cancel)[name]!) {
      expect(errorOf(await them.call(underscoreName(name), args))).toMatchObject({ code: 'not_found' });
    }
    await them.close();
  });

  it.each(tools.filter((t) => 'scenario_id' in t.inputSchema.shape && t.name !== 'org.activity.list').map((t) => t.name))(
    '%s with another tenant’s scenario_id',
    async (name) => {
      const args = { ...validArgs(world)[name], scenario_id: world.otherScenario.id };
      expect(errorOf(await owner.call(underscoreName(name), args))).toMatchObject({ code: 'not_found' });
    },
  );
});

describe('invalid arguments get a clear isError and change nothing', () => {
  it.each(tools.map((t) => t.name))('%s', async (name) => {
    const before = await snapshotState();
    const unknown = errorOf(await owner.call(underscoreName(name), { ...validArgs(world)[name], bogus_filter: 1 }));
    expect(unknown).toMatchObject({ code: 'invalid_input', field: 'bogus_filter' });
    const tool = CATALOG.find(name)!;
    if ('limit' in tool.inputSchema.shape) {
      const limit = errorOf(await owner.call(underscoreName(name), { ...validArgs(world)[name], limit: 0 }));
      expect(limit).toMatchObject({ code: 'invalid_input', field: 'limit', message: 'Invalid limit: must be at least 1' });
    }
    if ('as_of' in tool.inputSchema.shape) {
      const asOf = errorOf(await owner.call(underscoreName(name), { ...validArgs(world)[name], as_of: '2026-02-30' }));
      expect(asOf).toMatchObject({ code: 'invalid_input', field: 'as_of' });
    }
    expect(await snapshotState()).toEqual(before);
  });

  it('names a missing required argument and treats "" as absent for optional ones', async () => {
    expect(errorOf(await owner.call('org_units_get', {}))).toMatchObject({ field: 'org_unit_id', message: 'Invalid org_unit_id: is required' });
    expect(errorOf(await owner.call('org_units_get', { org_unit_id: '' }))).toMatchObject({ field: 'org_unit_id' });
    const blank = await owner.call('org_units_list', { scenario_id: '', as_of: '', type: '', cursor: '' });
    expect(blank.isError).toBeFalsy();
  });

  it('reads a day written with surrounding spaces', async () => {
    const padded = await owner.call('org_summary', { as_of: ' 2026-06-01 ' });
    expect(padded.structuredContent).toEqual((await owner.call('org_summary', { as_of: '2026-06-01' })).structuredContent);
    expect((await owner.call('org_activity_list', { since: ' 2026-01-01', until: '2026-12-31 ' })).isError).toBeFalsy();
  });

  it('treats null as absent for optional arguments, as OpenAI strict function calling sends them', async () => {
    const nulls = { scenario_id: null, as_of: null, type: null, parent_id: null, query: null, include_inactive: null, limit: null, cursor: null };
    expect((await owner.call('org_units_list', nulls)).structuredContent).toEqual((await owner.call('org_units_list', {})).structuredContent);
    expect(errorOf(await owner.call('org_units_get', { org_unit_id: null }))).toMatchObject({ field: 'org_unit_id', message: 'Invalid org_unit_id: is required' });
  });
});

async function snapshotState() {
  const tenant = await findTenantById(world.database.db, world.tenant.id);
  const [events] = await world.database.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, world.tenant.id));
  return { liveVersion: tenant!.liveVersion, events: events!.n };
}
