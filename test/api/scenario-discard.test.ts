import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * POST /api/v1/scenarios/{id}/changes/discard: the change tray's undo over REST. A manager adds a unit with a person
 * placed in it and renames another; discarding the rename leaves the rest; discarding the unit alone is a 400
 * problem naming the placement to discard with it, and nothing changes; a stale If-Match is a 412.
 */

let site: FixtureSite;
let manager: string;
let member: string;
const SALT = 'api-discard';
const { id, units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}, token = manager) => site.api(path, { token, ...options });
const post = (path: string, json?: unknown, options: RequestOptions = {}, token = manager) => call(path, { method: 'POST', json, ...options }, token);

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apidiscard', salt: SALT });
  manager = await site.token('manager');
  member = await site.token('member');
});
afterAll(() => site?.database.close());

describe('POST /api/v1/scenarios/{id}/changes/discard', () => {
  it('discards changes record by record, refuses one that would leave a problem, and honours If-Match', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Tiger team' })).body.data.id;
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E, ref: 'tiger' },
        { op: 'add_placement', actor_id: id('p2'), org_unit_id: '$tiger', allocation_pct: 20, is_primary: false, ref: 'p2tiger' },
        { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
      ],
    });
    expect(applied.status).toBe(200);
    const tiger = applied.body.data.created.find((c: { ref?: string }) => c.ref === 'tiger').id;
    const placement = applied.body.data.created.find((c: { ref?: string }) => c.ref === 'p2tiger').id;
    const path = `/api/v1/scenarios/${sid}/changes/discard`;

    const renameUndone = await post(path, { records: [{ family: 'org_unit', record_id: units.M }] });
    expect(renameUndone.status).toBe(200);
    expect(renameUndone.body.data).toMatchObject({ scenario_id: sid, records_changed: 1, discarded: [{ family: 'org_unit', record_id: units.M, op: 'change' }] });
    expect((await call(`/api/v1/org-units/${units.M}?scenario_id=${sid}`)).body.data.name).toBe('Mobile');

    const alone = await post(path, { records: [{ family: 'org_unit', record_id: tiger }] });
    expect(alone.status).toBe(400);
    expect(alone.body).toMatchObject({ reason: 'leaves_problems', also: [{ family: 'placement', record_id: placement }] });
    expect(alone.body.detail).toMatch(/Tiger/);
    expect((await call(`/api/v1/org-units/${tiger}?scenario_id=${sid}`)).status).toBe(200);

    // A member may not drop a record the scenario added (scenarios.delete).
    const byMember = await post(path, { records: [{ family: 'placement', record_id: placement }, { family: 'org_unit', record_id: tiger }] }, {}, member);
    expect(byMember.status).toBe(403);
    expect(byMember.body).toMatchObject({ code: 'missing_ability', ability: 'scenarios.delete' });

    const stale = await post(path, { records: [{ family: 'placement', record_id: placement }, { family: 'org_unit', record_id: tiger }] }, { headers: { 'if-match': 'W/"stale"' } });
    expect(stale.status).toBe(412);
    const { etag } = await call(`/api/v1/scenarios/${sid}`);
    const both = await post(path, { records: [{ family: 'placement', record_id: placement }, { family: 'org_unit', record_id: tiger }] }, { headers: { 'if-match': etag! } });
    expect(both.status).toBe(200);
    expect(both.etag).toBe((await call(`/api/v1/scenarios/${sid}`)).etag);
    expect((await call(`/api/v1/org-units/${tiger}?scenario_id=${sid}`)).status).toBe(404);
    expect((await call(`/api/v1/scenarios/${sid}/changes`)).body.data).toEqual([]);
  });

  it('refuses bad bodies with a problem naming the field', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Bad bodies' })).body.data.id;
    const path = `/api/v1/scenarios/${sid}/changes/discard`;
    expect((await post(path, { records: [] })).status).toBe(400);
    const family = await post(path, { records: [{ family: 'wizard', record_id: 'x' }] });
    expect(family.status).toBe(400);
    expect(JSON.stringify(family.body)).toMatch(/records\.0\.family|records\[0\]\.family/);
    const none = await post(path, { records: [{ family: 'actor', record_id: id('p1') }] });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ reason: 'no_change', field: 'records[0].record_id' });
  });
});
