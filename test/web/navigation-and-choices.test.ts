import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { inviteMember } from '../../src/access/members.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { insertScenario } from '../../src/scenarios/store.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * What a person finds their way by on the pages (SPEC §8): where the organisation tabs sit and which one is current,
 * a question before revoking an invitation, scenarios told apart in a choice, API parameter names kept whole.
 */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'navchoices.localhost';
const PASSWORD = 'correct horse battery';
const { id, units } = fixtureIds('nav-choices');

const get = async (path: string) => {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  expect(response.status, path).toBe(200);
  return response.text();
};
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
/** The organisation tabs of a page, and the place of the breadcrumb, the heading and the tabs in it. */
function orgNav(html: string) {
  const tabs = /<nav aria-label="Organisation views"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
  const current = [...tabs.matchAll(/<a href="[^"]*" aria-current="page">([^<]*)<\/a>/g)].map((m) => m[1]);
  const order = [html.indexOf('aria-label="Breadcrumb"'), html.indexOf('<h1'), html.indexOf('aria-label="Organisation views"')];
  return { current, order };
}
/** The texts of the options of a select. */
function options(html: string, selectId: string): string[] {
  const select = new RegExp(`<select id="${selectId}"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
  return [...select.matchAll(/<option[^>]*>([\s\S]*?)<\/option>/g)].map((m) => text(m[1]!));
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'navchoices', plan: 'enterprise' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('nav-choices'));
  app = testApp(database);
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('an org unit or actor page', () => {
  it('shows the breadcrumb, then the heading, then the organisation tabs with its own tab current', async () => {
    const scenario = await createScenario(contextFor(database, tenant, principalFor(tenant, 'owner')), { name: 'Tabs' });
    const pages: [string, string][] = [
      [`/live/units/${units.P}`, 'Tree'],
      [`/live/units/${units.P}?scenario=${scenario.id}`, 'Tree'],
      [`/live/actors/${id('p1')}`, 'People'],
      [`/live/actors/${id('p1')}?scenario=${scenario.id}`, 'People'],
    ];
    for (const [path, tab] of pages) {
      const { current, order } = orgNav(await get(path));
      expect(current, path).toEqual([tab]);
      expect(order[0], path).toBeGreaterThan(-1);
      expect(order, path).toEqual([...order].sort((a, b) => a - b));
    }
    // The organisation's own pages keep their current tab.
    expect(orgNav(await get('/live')).current).toEqual(['Tree']);
    expect(orgNav(await get('/live/lineage')).current).toEqual(['Lineage']);
  });
});

describe('Settings → Members', () => {
  it('asks before revoking a pending invitation, naming who it was for', async () => {
    const invitation = await inviteMember(contextFor(database, tenant, principalFor(tenant, 'owner')), { email: 'ada@navchoices.test', role: 'member' });
    const html = await get('/settings/members');
    const form = new RegExp(`<form[^>]*action="/settings/invitations/${invitation.id}/revoke"[^>]*>`).exec(html)?.[0] ?? '';
    expect(form).toContain('data-confirm="Revoke the invitation for ada@navchoices.test? Its link stops working."');
  });
});

describe('a choice of scenarios', () => {
  it('tells two scenarios of the same name apart in Start from, Import into and the activity filter', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
    await createScenario(ctx, { name: 'Reshape sales' });
    // Names are unique among active planning scenarios now; two made before that rule still share one.
    await insertScenario(database.db, tenant.id, { name: 'Reshape sales', kind: 'planning', liveVersion: await currentLiveVersion(database.db, tenant.id) });
    for (const [path, select] of [['/scenarios', 's-source'], ['/imports', 'upload-target'], ['/activity', 'a-scenario']] as const) {
      const named = options(await get(path), select).filter((o) => o.includes('Reshape sales'));
      expect(named, path).toHaveLength(2);
      expect(new Set(named).size, path).toBe(2);
      for (const option of named) expect(option, path).toMatch(/^(Scenario: )?Reshape sales · created \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    }
  });
});

describe('the API reference', () => {
  it('marks parameter names as names, which the stylesheet never breaks inside', async () => {
    const html = await get('/docs/api');
    expect(html).toContain('<code class="name">primary_only</code>');
    const css = await (await app.request('/static/app.css', { host: HOST })).text();
    expect(css).toMatch(/code\.name \{[^}]*white-space: nowrap/);
  });
});
