import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * One email is one person, over REST: a batch giving a person another active actor's email is a 400 problem naming
 * the field, with the reason and the actor who has it; nothing is saved. (Fixture: every human has
 * `<key>@fixture.test`; `former` left on 2026-01-01.)
 */

let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'apiemail.localhost';
const SALT = 'api-actor-integrity';
const { id, units } = fixtureIds(SALT);

type Body = { data: any; [key: string]: any };

async function call(path: string, options: RequestOptions = {}): Promise<{ status: number; body: Body }> {
  const response = await app.request(path, { host: HOST, token: owner, ...options });
  return { status: response.status, body: (await response.json()) as Body };
}
const post = (path: string, json?: unknown) => call(path, { method: 'POST', json });

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'apiemail', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SALT));
  app = testApp(database);
  owner = await memberToken(database, tenant, 'owner');
});
afterAll(() => database?.close());

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
