import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';
import { settledStatus } from '../support/settle.js';

/**
 * update_position over REST: a batch re-budgets and moves a seat, the scenario's positions and changes show it,
 * refusals are problems with their reason, pay needs costs.read, and promotion carries the seat to Live, same id.
 * (Fixture: pos_m_open vacant in Mobile, pos_p1 filled by p1 in Platform, 90,000.00 EUR each.)
 */

let site: FixtureSite;
let owner: string;
let member: string;
const SALT = 'api-position-changes';
const { id, units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}) => site.api(path, { token: owner, ...options });
const post = (path: string, json?: unknown, token = owner) => call(path, { method: 'POST', json, token });

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apipos', salt: SALT });
  owner = await site.token('owner');
  member = await site.token('member');
});
afterAll(() => site?.database.close());

describe('POST /api/v1/scenarios/{id}/changes with update_position', () => {
  it('moves and re-budgets a vacant seat in the scenario, then promotion carries it to Live with the same id', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Merge Mobile into Platform' })).body.data.id;
    const seat = id('pos_m_open');
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'move_placement', placement_id: id('pl-m1'), org_unit_id: units.E },
        { op: 'update_position', position_id: seat, org_unit_id: units.P, title: 'Mobile engineer', role_type: null, employment_type: 'contractor', day_rate_minor: 65_000 },
        { op: 'close_org_unit', org_unit_id: units.M },
      ],
    });
    expect(applied.status).toBe(200);
    expect(applied.body.data).toMatchObject({ commands: 3 });
    expect(applied.body.data.created.filter((c: { family: string }) => c.family === 'position')).toEqual([]);

    const inScenario = (await call(`/api/v1/positions?scenario_id=${sid}&org_unit_id=${units.P}`)).body.data as Record<string, unknown>[];
    expect(inScenario.find((p) => p.id === seat)).toMatchObject({
      title: 'Mobile engineer',
      org_unit_id: units.P,
      employment_type: 'contractor',
      status: 'vacant',
      target_salary: null,
      day_rate: expect.objectContaining({ amount_minor: 65_000, currency: 'EUR' }),
    });
    const changes = (await call(`/api/v1/scenarios/${sid}/changes?family=position`)).body.data as Record<string, any>[];
    expect(changes).toEqual([
      expect.objectContaining({ family: 'position', record_id: seat, op: 'change', values: expect.objectContaining({ org_unit_id: units.P, day_rate_minor: 65_000, target_salary_minor: null }) }),
    ]);
    // Live is untouched until promotion.
    expect(((await call(`/api/v1/positions?org_unit_id=${units.M}`)).body.data as { id: string }[]).map((p) => p.id)).toEqual([seat]);

    const promoted = await post(`/api/v1/scenarios/${sid}/promote`);
    expect(promoted.status).toBe(202);
    const task = await settledStatus(async () => (await call(`/api/v1/tasks/${promoted.body.data.id}`)).body.data, 'promotion');
    expect(task).toMatchObject({ status: 'succeeded' });
    const live = (await call(`/api/v1/positions?org_unit_id=${units.P}`)).body.data as Record<string, unknown>[];
    expect(live.find((p) => p.id === seat)).toMatchObject({ id: seat, title: 'Mobile engineer', org_unit_id: units.P, day_rate: expect.objectContaining({ amount_minor: 65_000 }) });
  });

  it('refuses with a problem that says why: a filled seat moved away, a date, a member changing pay', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Refusals' })).body.data.id;
    const filled = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_p1'), org_unit_id: units.F }] });
    expect(filled.body).toMatchObject({
      status: 400,
      code: 'invalid_input',
      field: 'changes[0].org_unit_id',
      reason: 'position_filled',
      position_id: id('pos_p1'),
      placements: [id('pl-p1')],
      suggested_op: 'move_placement',
    });
    expect(filled.body.detail).toMatch(/filled by “p1”.*move the placement to “Field” first/);

    const dated = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_f_open'), title: 'Later', date: '2030-01-01' }] });
    expect(dated.body).toMatchObject({ status: 400, field: 'changes[0].date', reason: 'undated_only', op: 'update_position' });

    const pay = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_f_open'), target_salary_minor: 8_000_000 }] }, member);
    expect(pay.body).toMatchObject({ status: 403, code: 'missing_ability', ability: 'costs.read' });
    // The same member may re-title the seat (no pay named).
    const retitled = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_f_open'), title: 'Field lead' }] }, member);
    expect(retitled.status).toBe(200);
  });

  it('clears a seat’s target pay with null, salary or day rate alike, and its currency with it (costs.read)', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Unpriced seats' })).body.data.id;
    const denied = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null }] }, member);
    expect(denied.body).toMatchObject({ status: 403, code: 'missing_ability', ability: 'costs.read' });
    const withCurrency = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null, currency: 'EUR' }] });
    expect(withCurrency.body).toMatchObject({ status: 400, field: 'changes[0].currency' });
    const applied = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'update_position', position_id: id('pos_f_open'), day_rate_minor: 50_000 },
        { op: 'update_position', position_id: id('pos_f_open'), target_salary_minor: null },
        { op: 'update_position', position_id: id('pos_m_open'), target_salary_minor: null, day_rate_minor: null },
      ],
    });
    expect(applied.status).toBe(200);
    const seats = (await call(`/api/v1/positions?scenario_id=${sid}`)).body.data as Record<string, unknown>[];
    for (const seat of [id('pos_f_open'), id('pos_m_open')]) {
      expect(seats.find((p) => p.id === seat), seat).toMatchObject({ target_salary: null, day_rate: null });
    }
  });
});
