import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type FixtureSite } from '../support/fixture-site.js';

/**
 * One email is one person, over REST: a batch giving a person another active actor's email is a 400 problem naming
 * the field, with the reason and the actor who has it; nothing is saved. (Fixture: every human has
 * `<key>@fixture.test`; `former` left on 2026-01-01.)
 */

let site: FixtureSite;
let owner: string;
const SALT = 'api-actor-integrity';
const { id, units } = fixtureIds(SALT);

const call = (path: string, options: RequestOptions = {}) => site.api(path, { token: owner, ...options });
const post = (path: string, json?: unknown) => call(path, { method: 'POST', json });

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apiemail', salt: SALT });
  owner = await site.token('owner');
});
afterAll(() => site?.database.close());

describe('POST /api/v1/scenarios/{id}/changes with an email another actor has', () => {
  it('is a 400 problem on the email field naming who has it; nothing is saved', async () => {
    const sid: string = (await post('/api/v1/scenarios', { name: 'Nova joins' })).body.data.id;
    const refused = await post(`/api/v1/scenarios/${sid}/changes`, {
      changes: [
        { op: 'update_actor', actor_id: id('p1'), title: 'Staff Engineer' },
        { op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, email: ' F1@Fixture.test' },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 400, code: 'invalid_input', field: 'changes[1].email', reason: 'email_taken', kind: 'actor', id: id('f1') });
    expect(refused.body.detail).toContain(`“f1” (${id('f1')}) has that email already`);
    expect((await call(`/api/v1/scenarios/${sid}/changes`)).body.data).toEqual([]);

    // A leaver's address is free: someone new may have it.
    const reused = await post(`/api/v1/scenarios/${sid}/changes`, { changes: [{ op: 'add_actor', kind: 'human', display_name: 'Nova', org_unit_id: units.P, email: 'former@fixture.test' }] });
    expect(reused.status).toBe(200);
  });
});
