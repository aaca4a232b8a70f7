import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf } from '../support/factories.js';

/**
 * Settings → API and MCP, "MCP tool names" (SPEC §5): an owner chooses how the MCP server lists its tools, the page
 * says so and shows the choice, and an assistant listing tools sees the chosen form. Only those with
 * settings.manage see the choice, and only on a plan with MCP.
 */
let database: Database;
let app: TestApp;
let tenant: Tenant;
let ownerCookie: string;
let managerCookie: string;
let token: string;
const HOST = 'toolnames.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'toolnames', plan: 'business' });
  app = testApp(database);
  const owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  const manager = await buildMember(database, tenant, 'manager', { password: PASSWORD });
  ownerCookie = await signInThroughForm(app, HOST, owner.email, PASSWORD, '/settings/api');
  managerCookie = await signInThroughForm(app, HOST, manager.email, PASSWORD, '/settings/api');
  token = await tokenOf(database, tenant, owner, 'owner');
});
afterAll(() => database?.close());

const settingsPage = (cookie: string, path = '/settings/api') => app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });

function choose(cookie: string, csrf: string, style: string) {
  return app.request('/settings/api/tool-names', { host: HOST, cookie, headers: { origin: ORIGIN, accept: 'text/html' }, form: { csrf, style } });
}

/** The names tools/list gives the owner's personal API token. */
async function listedNames(): Promise<string[]> {
  const answer = await app.request('/mcp/orgonaut', {
    host: HOST,
    token,
    headers: { accept: 'application/json, text/event-stream' },
    json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });
  expect(answer.status).toBe(200);
  const text = await answer.text();
  const json = text.trimStart().startsWith('{') ? text : /^data: (.*)$/m.exec(text)![1]!;
  return (JSON.parse(json) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
}

/** The tool-name form of a page: its radios as `value → checked`, and the name of the group they are in. */
function toolNameForm(html: string) {
  const form = /<form method="post" action="\/settings\/api\/tool-names"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) return null;
  const radios = Object.fromEntries([...form.matchAll(/<input type="radio" name="style" value="(\w+)"( checked="")?/g)].map((m) => [m[1]!, Boolean(m[2])]));
  const legend = /<fieldset[^>]*>\s*<legend[^>]*>([\s\S]*?)<\/legend>/.exec(form)?.[1];
  return { radios, group: legend ? pageText(legend).trim() : null };
}

describe('MCP tool names on Settings → API and MCP', () => {
  it('offers the two forms as one named group of choices, the recommended one chosen at first', async () => {
    const html = await (await settingsPage(ownerCookie)).text();
    const form = toolNameForm(html);
    expect(form, 'the tool-name form').not.toBeNull();
    expect(form!.radios).toEqual({ underscore: true, dotted: false });
    // Two radios with only the card's heading above them are announced without a question: the group names it.
    expect(form!.group).toBe('How assistants see the tool names');
    expect(await listedNames()).toContain('org_summary');
  });

  it('saves the dotted form: the page says so and shows it chosen, and tools/list gives dotted names', async () => {
    const csrf = hiddenField(await (await settingsPage(ownerCookie)).text(), 'csrf');
    const answer = await choose(ownerCookie, csrf, 'dotted');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/settings/api?notice=names');
    const html = await (await settingsPage(ownerCookie, '/settings/api?notice=names')).text();
    expect(pageText(html)).toContain('Saved. MCP clients see the new tool names the next time they list tools.');
    expect(toolNameForm(html)!.radios).toEqual({ underscore: false, dotted: true });
    const names = await listedNames();
    expect(names).toContain('org.summary');
    expect(names).not.toContain('org_summary');

    expect((await choose(ownerCookie, csrf, 'underscore')).status).toBe(303);
    expect(await listedNames()).toContain('org_summary');
  });

  it('refuses a form that is neither, and changes nothing', async () => {
    const csrf = hiddenField(await (await settingsPage(ownerCookie)).text(), 'csrf');
    const answer = await choose(ownerCookie, csrf, 'camelCase');
    expect(answer.status).toBe(400);
    expect(await listedNames()).toContain('org_summary');
  });

  it('is not offered to a manager (no settings.manage), whose post is refused', async () => {
    const html = await (await settingsPage(managerCookie)).text();
    expect(toolNameForm(html)).toBeNull();
    expect(pageText(html)).not.toContain('MCP tool names');
    const answer = await choose(managerCookie, hiddenField(html, 'csrf'), 'dotted');
    expect(answer.status).toBe(403);
    expect(await listedNames()).toContain('org_summary');
  });
});

describe('on the free plan (no MCP)', () => {
  it('shows the owner the upgrade message instead of the MCP part: no MCP URL, no connected apps, no tool names', async () => {
    const free = await buildTenant(database, { slug: 'toolnamesfree', plan: 'free' });
    const host = 'toolnamesfree.localhost';
    const owner = await buildMember(database, free, 'owner', { password: PASSWORD });
    const cookie = await signInThroughForm(app, host, owner.email, PASSWORD, '/settings/api');
    const html = await (await app.request('/settings/api', { host, cookie, headers: { accept: 'text/html' } })).text();
    const text = pageText(html);
    expect(text).toContain('Settings → API tokens');
    expect(text).toContain('Your organisation is on the free plan; as its owner, ask your Orgonaut provider to upgrade it.');
    expect(text).not.toContain('/mcp/orgonaut');
    expect(text).not.toContain('Connected apps');
    expect(toolNameForm(html)).toBeNull();
    expect(text).toContain('Create a personal API token');
  });
});
