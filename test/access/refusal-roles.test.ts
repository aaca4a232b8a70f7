import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { setRoleAbilities } from '../../src/access/role-bundles.js';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A refusal for a missing ability names the roles of this tenant's own bundles, not the defaults: the roles that
 * include the ability here (and the default ones too, said as such, when this tenant changed them), and who can give
 * it — the roles with members.manage here, the owner always. On the web (the refused form and the scenario
 * overview's Promote hint), over MCP (isError text and details) and over REST (the 403 problem's fix).
 */

let database: Database;
let app: TestApp;
const PASSWORD = 'correct horse battery';

/** A tenant whose member role was given scenarios.promote and activity.read. */
let generous: Tenant;
/** A tenant whose admin role lost members.manage. */
let strict: Tenant;

interface Seat {
  host: string;
  scenarioId: string;
  cookie: string;
  token: string;
}
let inGenerous: Seat;
let inStrict: Seat;

async function seat(tenant: Tenant, role: 'viewer'): Promise<Seat> {
  const host = `${tenant.slug}.localhost`;
  const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  const scenario = await createScenario(owner, { name: 'Reshape' });
  await applyBatch(owner, scenario.id, [{ op: 'set_fte', actor_id: fixtureIds(tenant.slug).id('m1'), fte: 0.5 }]);
  const user = await buildMember(database, tenant, role, { password: PASSWORD });
  const cookie = await signInThroughForm(app, host, user.email, PASSWORD);
  const token = await tokenOf(database, tenant, user, role);
  return { host, scenarioId: scenario.id, cookie, token };
}

/** The refused Promote form, as the signed-in viewer sees it. */
async function refusedPromote(s: Seat): Promise<{ status: number; text: string }> {
  const overview = await app.request(`/scenarios/${s.scenarioId}`, { host: s.host, cookie: s.cookie, headers: { accept: 'text/html' } });
  const csrf = hiddenField(await overview.text(), 'csrf');
  const refused = await app.request(`/scenarios/${s.scenarioId}/promote`, {
    host: s.host,
    cookie: s.cookie,
    headers: { origin: `http://${s.host}`, accept: 'text/html' },
    form: { csrf, confirm: 'yes' },
  });
  return { status: refused.status, text: pageText(await refused.text()) };
}

/** One MCP tool call with the seat's API token, through the app (so the Authenticator makes the principal). */
async function mcpCall(s: Seat, name: string, args: Record<string, unknown> = {}) {
  const answer = await app.request('/mcp/orgonaut', {
    host: s.host,
    token: s.token,
    headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
    json: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
  });
  expect(answer.status).toBe(200);
  const body = await answer.text();
  const data = body.split('\n').find((line) => line.startsWith('data: '));
  const message = JSON.parse(data ? data.slice(6) : body) as {
    result: { isError?: boolean; content: { text: string }[]; structuredContent: { error: Record<string, unknown> & { fix: string } } };
  };
  expect(message.result.isError).toBe(true);
  return { text: message.result.content[0]!.text, error: message.result.structuredContent.error };
}

/** The REST problem for promoting with the seat's API token. */
async function restPromote(s: Seat) {
  const response = await app.request(`/api/v1/scenarios/${s.scenarioId}/promote`, { host: s.host, token: s.token, method: 'POST', json: {} });
  return { status: response.status, problem: (await response.json()) as { code: string; ability: string; fix: string } };
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  generous = await writeGraph(database, await buildTenant(database, { slug: 'rolesgenerous', plan: 'business' }), buildFixtureOrg('rolesgenerous'));
  strict = await writeGraph(database, await buildTenant(database, { slug: 'rolesstrict', plan: 'business' }), buildFixtureOrg('rolesstrict'));
  const operator = { principal: null, via: 'test' };
  await setRoleAbilities(database.db, generous, 'member', [...DEFAULT_BUNDLES.member, 'scenarios.promote', 'activity.read'], operator);
  await setRoleAbilities(database.db, strict, 'admin', DEFAULT_BUNDLES.admin.filter((a) => a !== 'members.manage'), operator);
  inGenerous = await seat(generous, 'viewer');
  inStrict = await seat(strict, 'viewer');
});
afterAll(() => database?.close());

describe('a tenant whose member role was given scenarios.promote', () => {
  it('tells a viewer refused Promote on the web that members have it here', async () => {
    const refused = await refusedPromote(inGenerous);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('which the viewer role does not include.');
    expect(refused.text).toContain(
      'Ask an owner or admin of this organisation for a role that includes it (in this organisation: owner, admin, manager, member; by default: owner, admin, manager).',
    );
  });

  it('names member in the MCP refusal, text and details', async () => {
    const { text, error } = await mcpCall(inGenerous, 'org_activity_list');
    expect(error).toMatchObject({ code: 'missing_ability', ability: 'activity.read', granted_by: ['owner', 'admin'], roles_with_ability: ['owner', 'admin', 'manager', 'member'] });
    expect(error.fix).toBe(
      'Ask an owner or admin of this tenant for a role that includes it (in this tenant: owner, admin, manager, member; by default: owner, admin, manager).',
    );
    expect(text).toContain('member; by default: owner, admin, manager');
  });

  it('names member in the REST 403 problem', async () => {
    const { status, problem } = await restPromote(inGenerous);
    expect(status).toBe(403);
    expect(problem).toMatchObject({ code: 'missing_ability', ability: 'scenarios.promote' });
    expect(problem.fix).toBe(
      'Ask an owner or admin of this tenant for a role that includes it (in this tenant: owner, admin, manager, member; by default: owner, admin, manager), or use a token that was granted it.',
    );
  });
});

describe('a tenant whose admin role lost members.manage', () => {
  it('sends a refused viewer to the owner alone, on the web', async () => {
    const refused = await refusedPromote(inStrict);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Ask an owner of this organisation for a role that includes it (in this organisation: owner, admin, manager).');
    expect(refused.text).not.toMatch(/owner or admin/);
  });

  it('says the owner alone grants it over MCP', async () => {
    const { text, error } = await mcpCall(inStrict, 'org_activity_list');
    expect(error).toMatchObject({ code: 'missing_ability', granted_by: ['owner'], roles_with_ability: ['owner', 'admin', 'manager'] });
    expect(text).toContain('Ask an owner of this tenant for a role that includes it (in this tenant: owner, admin, manager).');
  });

  it('sends a viewer who may not import or connect the HRIS to the owner alone', async () => {
    const imports = pageText(await (await app.request('/imports', { host: inStrict.host, cookie: inStrict.cookie, headers: { accept: 'text/html' } })).text());
    expect(imports).toContain('needs the imports.manage ability (in this organisation: owner, admin, manager).');
    expect(imports).toContain('Ask an owner of this organisation if you need to import data.');
    const hris = pageText(await (await app.request('/settings/integrations/hris', { host: inStrict.host, cookie: inStrict.cookie, headers: { accept: 'text/html' } })).text());
    expect(hris).toContain('needs the integrations.manage ability (in this organisation: owner, admin).');
    expect(hris).toContain('Ask an owner of this organisation.');
  });

  it('says the owner alone grants it over REST', async () => {
    const { status, problem } = await restPromote(inStrict);
    expect(status).toBe(403);
    expect(problem.fix).toBe('Ask an owner of this tenant for a role that includes it (in this tenant: owner, admin, manager), or use a token that was granted it.');
  });
});

describe('the scenario overview of someone who may write but not promote', () => {
  it('names the roles that may promote in this tenant', async () => {
    // In the generous tenant a member may promote; in the strict one a member may not, and the hint names the roles that may.
    const member = await buildMember(database, strict, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, inStrict.host, member.email, PASSWORD);
    await setRoleAbilities(database.db, strict, 'manager', DEFAULT_BUNDLES.manager.filter((a) => a !== 'scenarios.promote'), { principal: null, via: 'test' });
    const overview = pageText(await (await app.request(`/scenarios/${inStrict.scenarioId}`, { host: inStrict.host, cookie, headers: { accept: 'text/html' } })).text());
    expect(overview).toContain('submit the scenario for review and ask an owner or admin to promote it.');
  });
});
