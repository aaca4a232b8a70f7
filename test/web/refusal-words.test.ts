import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/**
 * A form action refused for a missing ability (a member whose role lost "scenarios.promote" while the page was open
 * clicks Promote) is explained above the form in the words of someone signed in — their role, this organisation —
 * as the "Not available for your role" page does, not in the API's words for a token ("your role or token", "tenant").
 */
let database: Database;
let tenant: Tenant;
let app: TestApp;
const HOST = 'refusalwords.localhost';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'refusalwords', plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('refusal-words'));
  app = testApp(database);
});
afterAll(() => database?.close());

describe('a refused form action', () => {
  it('tells a member who may not promote what it needs and who can give it, in their words', async () => {
    const scenario = await createScenario(contextFor(database, tenant, principalFor(tenant, 'owner')), { name: 'Not mine to promote' });
    const member = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'member', { password: PASSWORD })).email, PASSWORD);
    const overview = await app.request(`/scenarios/${scenario.id}`, { host: HOST, cookie: member, headers: { accept: 'text/html' } });
    const csrf = hiddenField(await overview.text(), 'csrf');
    const refused = await app.request(`/scenarios/${scenario.id}/promote`, {
      host: HOST,
      cookie: member,
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf, confirm: 'yes' },
    });
    expect(refused.status).toBe(403);
    const text = pageText(await refused.text());
    expect(text).toContain('This needs “scenarios.promote” (change Live by promoting a scenario), which the member role does not include.');
    expect(text).toContain('Ask an owner or admin of this organisation for a role that includes it (in this organisation: owner, admin, manager).');
    expect(text).not.toMatch(/token|tenant/);
  });
});
