import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * update_actor and update_department over REST: a member's batch gives a person a new title and level and a
 * department a new lead and description; the scenario's reads show them; refusals are problems naming the field.
 * (Fixture: Engineering led by eng_head; Platform is a team.)
 */

let site: FixtureSite;
let member: string;
const SALT = 'api-detail-changes';
const { id, units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}) => site.api(path, { token: member, ...options });
const post = (path: string, json?: unknown) => call(path, { method: 'POST', json });

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apidetails', salt: SALT });
  member = await site.token('member');
});
afterAll(() => site?.database.close());

describe('POST /api/v1/scenarios/{id}/changes with update_actor and update_department', () => {
  it('changes a person and a department in the scenario (a member may)', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Ann is promoted' })).body.data.id;
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'update_actor', actor_id: id('p1'), title: 'Staff Engineer', level: 'L6', email: null },
        { op: 'update_department', org_unit_id: units.E, lead_actor_id: id('p1'), description: 'Builds the product' },
      ],
    });
    expect(applied.status).toBe(200);
    expect(applied.body.data).toMatchObject({ commands: 2, created: [] });
    const actor = (await call(`/api/v1/actors/${id('p1')}?scenario_id=${sid}`)).body.data;
    expect(actor).toMatchObject({ title: 'Staff Engineer', level: 'L6', email: null });
  });

  it('refuses a team and a leader who left, naming the field; nothing is applied', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Refused' })).body.data.id;
    const team = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_department', org_unit_id: units.P, cost_center: 'CC-1' }] });
    expect(team.status).toBe(400);
    expect(JSON.stringify(team.body)).toMatch(/changes\[0\]\.org_unit_id/);
    expect(JSON.stringify(team.body)).toMatch(/use update_team/);
    const lead = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'update_actor', actor_id: id('p2'), title: 'Lead' },
        { op: 'update_department', org_unit_id: units.E, lead_actor_id: id('former') },
      ],
    });
    expect(lead.status).toBe(400);
    expect(lead.body).toMatchObject({ reason: 'not_active', kind: 'actor' });
    expect(JSON.stringify(lead.body)).toMatch(/changes\[1\]\.lead_actor_id/);
    const actor = (await call(`/api/v1/actors/${id('p2')}?scenario_id=${sid}`)).body.data;
    expect(actor.title).toBeNull();
  });
});
