import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { setRoleAbilities } from '../../src/access/role-bundles.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/** `org.settings.get` shows whoever manages members the tenant's role bundles (read-only), marking what differs. */

let world: McpWorld;
let owner: Connection;
let viewer: Connection;

beforeAll(async () => {
  world = await buildWorld();
  owner = await connect(world, principalOf(world.tenant, 'owner'));
  viewer = await connect(world, principalOf(world.tenant, 'viewer'));
  await setRoleAbilities(world.database.db, world.tenant, 'member', DEFAULT_BUNDLES.member.filter((a) => a !== 'ai.scenarios.draft'), { principal: null });
});
afterAll(async () => {
  await owner?.close();
  await viewer?.close();
  await world?.database.close();
});

describe('org.settings.get: role bundles', () => {
  it('lists each role with how it differs from the default, for members.manage only', async () => {
    const asOwner = structured<{ roles: { role: string; default: boolean; removed?: string[]; abilities: string[] }[] }>(await owner.call('org_settings_get', {}));
    expect(asOwner.roles.map((r) => r.role)).toEqual(['owner', 'admin', 'manager', 'member', 'viewer']);
    expect(asOwner.roles.find((r) => r.role === 'member')).toMatchObject({ default: false, removed: ['ai.scenarios.draft'] });
    expect(asOwner.roles.find((r) => r.role === 'member')!.abilities).not.toContain('ai.scenarios.draft');
    expect(asOwner.roles.find((r) => r.role === 'viewer')).toEqual({ role: 'viewer', default: true, abilities: expect.arrayContaining(['mcp.access']) });
    expect(structured(await viewer.call('org_settings_get', {}))).not.toHaveProperty('roles');
  });
});
