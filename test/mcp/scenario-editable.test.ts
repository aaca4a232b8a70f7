import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * `editable` in `scenario.list` / `scenario.get` is what an assistant reads to choose where to draft changes
 * (`scenario.action.plan` asks for a scenario with `editable: true`). It is true only where this caller can draft:
 * an active planning scenario, and a role and credential with ai.scenarios.draft and scenarios.write. A viewer sees
 * `editable: false` everywhere and `you_can_draft: false` with why and who can change that — not a scenario it is
 * then refused on.
 */

let world: McpWorld;
let manager: Connection;
let viewer: Connection;
let narrowed: Connection;

beforeAll(async () => {
  world = await buildWorld();
  manager = await connect(world, principalOf(world.tenant, 'manager'));
  viewer = await connect(world, principalOf(world.tenant, 'viewer'));
  // A manager's OAuth connection granted only reading scenarios: the role could draft, this token cannot.
  narrowed = await connect(world, principalOf(world.tenant, 'manager', { kind: 'oauth', abilities: ['scenarios.read'] }));
});

afterAll(async () => {
  await Promise.all([manager?.close(), viewer?.close(), narrowed?.close()]);
  await world?.database.close();
});

type Listed = {
  scenarios: { id: string; name: string; kind: string; state: string; editable: boolean }[];
  you_can_draft: boolean;
  cannot_draft?: { message: string; fix: string; missing: string[] };
};

describe('scenario.list says where the caller can draft', () => {
  it('marks active planning scenarios editable for someone who can draft', async () => {
    const list = structured<Listed>(await manager.call('scenario_list', {}));
    const byName = Object.fromEntries(list.scenarios.map((s) => [s.name, s.editable]));
    expect(byName).toMatchObject({ 'Reshape sales': true, 'Trim sales': true, 'Before reshape': false });
    expect(list.you_can_draft).toBe(true);
    expect(list.cannot_draft).toBeUndefined();
  });

  it('shows a viewer no editable scenario, says it cannot draft and who can change that', async () => {
    const list = structured<Listed>(await viewer.call('scenario_list', {}));
    const planning = list.scenarios.filter((s) => s.kind === 'planning' && s.state === 'active');
    expect(planning.map((s) => s.name)).toEqual(expect.arrayContaining(['Reshape sales', 'Trim sales']));
    expect(list.scenarios.every((s) => s.editable === false)).toBe(true);
    expect(list.you_can_draft).toBe(false);
    expect(list.cannot_draft!.missing).toEqual(['ai.scenarios.draft', 'scenarios.write']);
    expect(list.cannot_draft!.message).toContain('ai.scenarios.draft');
    expect(list.cannot_draft!.message).toContain('your role does not have');
    expect(list.cannot_draft!.fix).toMatch(/^Ask an owner or admin of this tenant for a role that includes it/);
    // What it says holds: drafting in the scenario the manager sees as editable is refused for the viewer.
    const refused = errorOf(
      await viewer.call('scenario_action_plan', { scenario_id: world.scenario.id, changes: [{ op: 'set_fte', actor_id: world.ids.id('p2'), fte: 0.7 }] }),
    );
    expect(refused.code).toBe('missing_ability');
  });

  it('scenario.get agrees with the list for the same caller', async () => {
    const asViewer = structured<{ scenario: { editable: boolean; state: string } }>(await viewer.call('scenario_get', { scenario_id: world.scenario.id }));
    expect(asViewer.scenario).toMatchObject({ editable: false, state: 'active' });
    const asManager = structured<{ scenario: { editable: boolean } }>(await manager.call('scenario_get', { scenario_id: world.scenario.id }));
    expect(asManager.scenario.editable).toBe(true);
  });

  it('scenario.delta of an unchanged scenario suggests drafting only to someone who can', async () => {
    type Unchanged = { scenario: { editable: boolean }; next_step: string };
    const asManager = structured<Unchanged>(await manager.call('scenario_delta', { scenario_id: world.scenario.id }));
    expect(asManager.scenario.editable).toBe(true);
    expect(asManager.next_step).toContain('scenario_action_plan');
    // A manager's personal token that reads everything the role does but was not given ai.scenarios.draft.
    const reads = DEFAULT_BUNDLES.manager.filter((ability) => ability !== 'ai.scenarios.draft');
    const token = await connect(world, principalOf(world.tenant, 'manager', { abilities: reads }));
    try {
      const asToken = structured<Unchanged>(await token.call('scenario_delta', { scenario_id: world.scenario.id }));
      expect(asToken.scenario.editable).toBe(false);
      expect(asToken.next_step).toBe('Pass another `as_of` or `compare`.');
    } finally {
      await token.close();
    }
  });

  it('tells a narrowed OAuth connection that its token, not the role, lacks the abilities', async () => {
    const list = structured<Listed>(await narrowed.call('scenario_list', {}));
    expect(list.scenarios.every((s) => s.editable === false)).toBe(true);
    expect(list.you_can_draft).toBe(false);
    expect(list.cannot_draft!.message).toContain('this connection was not granted');
    expect(list.cannot_draft!.fix).toBe('Your role includes "ai.scenarios.draft" and "scenarios.write" but this connection was not granted them: reconnect the app and allow "ai.scenarios.draft" and "scenarios.write".');
  });
});
