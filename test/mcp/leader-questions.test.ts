import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF } from '../support/fixture-org.js';
import { buildWorld, connect, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * Questions an HR or finance leader asks an assistant connected with a personal API token, answered only through the
 * tools over the real SDK client, where an earlier walk-through found the assistant misled or stuck.
 */

let world: McpWorld;
let assistant: Connection;

beforeAll(async () => {
  world = await buildWorld();
  assistant = await connect(world, principalOf(world.tenant, 'admin', { kind: 'api_token' }));
});

afterAll(async () => {
  await assistant?.close();
  await world?.database.close();
});

type Subunits = { more: number; note: string };

describe('"who works in Engineering?" and "which vacancies does it have?", asked with the department’s id alone', () => {
  it('says how many more actors sit in the units below and how to include them, instead of reading as the whole department', async () => {
    const direct = structured<{ actors: { display_name: string }[]; subunits?: Subunits }>(
      await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, as_of: AS_OF }),
    );
    const everyone = structured<{ actors: { display_name: string }[]; subunits?: Subunits }>(
      await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, include_subunits: true, as_of: AS_OF }),
    );
    expect(direct.actors.map((a) => a.display_name)).toEqual(['eng_head']);
    expect(everyone.actors.map((a) => a.display_name)).toEqual(['bot', 'eng_head', 'm1', 'p1', 'p2']);
    expect(direct.subunits).toEqual({ more: 4, note: '4 more actors in the units below Engineering, not listed here: pass include_subunits: true to include them.' });
    expect(everyone).not.toHaveProperty('subunits');
  });

  it('says a vacancy sits in a team below, so an empty list does not read as "Engineering has no vacancies"', async () => {
    const vacant = structured<{ positions: unknown[]; subunits?: Subunits }>(
      await assistant.call('org_positions_list', { org_unit_id: world.ids.units.E, status: 'vacant', as_of: AS_OF }),
    );
    expect(vacant.positions).toEqual([]);
    expect(vacant.subunits).toEqual({ more: 1, note: '1 more vacant position in the units below Engineering, not listed here: pass include_subunits: true to include them.' });
  });

  it('says nothing when the caller chose include_subunits: false, or for a team with nothing below', async () => {
    const chosen = structured(await assistant.call('org_actors_list', { org_unit_id: world.ids.units.E, include_subunits: false, as_of: AS_OF }));
    expect(chosen).not.toHaveProperty('subunits');
    const team = structured(await assistant.call('org_positions_list', { org_unit_id: world.ids.units.M, as_of: AS_OF }));
    expect(team).not.toHaveProperty('subunits');
  });
});
