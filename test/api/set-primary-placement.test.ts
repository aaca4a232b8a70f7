import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { today } from '../../src/org/dates.js';
import type { RequestOptions } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * set_primary_placement over REST: a batch makes m1's Platform placement primary and Mobile secondary; the delta
 * shows both placements ending today and their continuations with the flag flipped. A refused change (the primary
 * itself) is a 400 problem naming placement_id with reason `already_primary`, and nothing of its batch is saved.
 * The activity log has both ends and both continuations. A member (scenarios.write, not scenarios.delete) may make the change. (Fixture: m1 in Mobile, 60 %, primary, and
 * Platform, 40 %, secondary.)
 */

let site: FixtureSite;
let member: string;
let owner: string;
const SALT = 'api-set-primary';
const { id, units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}) => site.api(path, { token: member, ...options });
const post = (path: string, json?: unknown) => call(path, { method: 'POST', json });

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apiprimary', salt: SALT });
  member = await site.token('member');
  owner = await site.token('owner');
});
afterAll(() => site?.database.close());

describe('POST /api/v1/scenarios/{id}/changes with set_primary_placement', () => {
  it('refuses the primary itself, saving nothing of the batch; then flips both placements, as the delta shows', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Platform first' })).body.data.id;

    const refused = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'set_primary_placement', placement_id: id('pl-m1-p') },
        { op: 'set_primary_placement', placement_id: id('pl-p2') },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'invalid_input', field: 'changes[1].placement_id', reason: 'already_primary', kind: 'placement', id: id('pl-p2') });
    expect((await call(`/api/v1/scenarios/${sid}/changes`)).body.data).toEqual([]);

    const applied = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'set_primary_placement', placement_id: id('pl-m1-p') }] });
    expect(applied.status).toBe(200);

    const day = today();
    const delta = (await call(`/api/v1/scenarios/${sid}/delta`)).body.data;
    const placements = delta.families.placement as { added: Record<string, unknown>[]; changed: { id: string; fields: Record<string, unknown> }[] };
    expect(placements.changed.map((p) => [p.id, p.fields])).toEqual(
      expect.arrayContaining([
        [id('pl-m1'), { valid_to: { from: null, to: day } }],
        [id('pl-m1-p'), { valid_to: { from: null, to: day } }],
      ]),
    );
    expect(placements.added.map((p) => [p.org_unit_id, p.is_primary, p.allocation_pct])).toEqual(
      expect.arrayContaining([
        [units.P, true, 40],
        [units.M, false, 60],
      ]),
    );
    // Headcount counts m1 by their primary placement: in Platform now, no longer in Mobile.
    const byUnit = delta.metrics.by_org_unit as { org_unit_id: string; headcount: { from: number; to: number } }[];
    expect(byUnit.find((u) => u.org_unit_id === units.M)?.headcount).toMatchObject({ from: 1, to: 0 });

    // The activity log (an owner reads it): both placements end today (updated), and two start with the flag flipped (created).
    const events = (await call(`/api/v1/activity?scenario_id=${sid}&entity_type=placement`, { token: owner })).body.data as { entity_id: string; action: string; after: Record<string, unknown> }[];
    expect(events.filter((e) => e.action === 'updated').map((e) => [e.entity_id, e.after.valid_to]).sort()).toEqual(
      [
        [id('pl-m1'), day],
        [id('pl-m1-p'), day],
      ].sort(),
    );
    expect(events.filter((e) => e.action === 'created').map((e) => [e.after.org_unit_id, e.after.is_primary]).sort()).toEqual(
      [
        [units.M, false],
        [units.P, true],
      ].sort(),
    );

    const m1 = (await call(`/api/v1/placements?scenario_id=${sid}&actor_id=${id('m1')}`)).body.data as { org_unit_id: string; is_primary: boolean }[];
    expect(m1.filter((p) => p.is_primary).map((p) => p.org_unit_id)).toEqual([units.P]);
  });
});
