import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { hrisIntegrations, scenarios } from '../../src/db/schema/index.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * Settings → Integrations → HRIS offers the latest 500 active planning scenarios as targets: one chosen before those
 * is still shown chosen ("(older)", as the Activity filter says it) — left out, saving the form would drop it as a
 * target without a word.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let owner: string;
const HOST = 'webhrisolder.localhost';
const PASSWORD = 'correct horse battery';
const PATH = '/settings/integrations/hris';

async function get(path: string) {
  const response = await app.request(path, { host: HOST, cookie: owner, headers: { accept: 'text/html' } });
  return response.text();
}

async function post(form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of ([] as string[]).concat(value)) body.append(key, v);
  // Repeated fields (a box per target), which the support helper's flat form cannot send.
  const headers = { host: HOST, cookie: owner, origin: `http://${HOST}`, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
  const response = await app.app.request(PATH, { method: 'POST', headers, body: body.toString() });
  return { status: response.status, html: await response.text() };
}

/** What the page's form would send back: its checked boxes (the targets kept when Save is pressed as the page is). */
const checkedTargets = (html: string) => [...html.matchAll(/<input type="checkbox" name="apply_scenarios" value="([^"]+)" checked=""/g)].map((m) => m[1]!);

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  tenant = await buildTenant(database, { slug: 'webhrisolder', plan: 'business' });
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('an HRIS target scenario older than the page’s list of the latest 500', () => {
  it('is shown chosen, by name, and kept when the form is saved again', async () => {
    const ctx = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const old = (await createScenario(ctx, { name: 'The very first plan' })).id;
    const recent = (await createScenario(ctx, { name: 'A recent plan' })).id;
    const csrf = hiddenField(await get(PATH), 'csrf');
    expect((await post({ csrf, status: 'paused', apply_live: 'on', apply_scenarios: [old, recent] })).status).toBe(303);
    // 500 active planning scenarios made since (written directly: only their number matters here), the recent target
    // dated among them.
    const later = Date.now() + 60_000;
    await database.db.insert(scenarios).values(
      Array.from({ length: 500 }, (_, i) => ({ tenantId: tenant.id, name: `Later plan ${i}`, kind: 'planning', liveVersion: 1, createdAt: new Date(later + i * 1000) })),
    );
    await database.db.update(scenarios).set({ createdAt: new Date(later + 250_500) }).where(eq(scenarios.id, recent));

    const html = await get(PATH);
    expect(html).toMatch(new RegExp(`<input type="checkbox" name="apply_scenarios" value="${old}" checked=""/> <span>Scenario: The very first plan \\(older\\)</span>`));
    expect(pageText(html)).toContain('Scenario: A recent plan');
    expect(pageText(html)).not.toContain('A recent plan (older)');
    expect(checkedTargets(html).sort()).toEqual([old, recent].sort());

    // Saved as the page shows it, both stay targets.
    expect((await post({ csrf, status: 'paused', apply_live: 'on', apply_scenarios: checkedTargets(html) })).status).toBe(303);
    const [row] = await database.db.select().from(hrisIntegrations).where(eq(hrisIntegrations.tenantId, tenant.id));
    expect([...row!.applyScenarioIds].sort()).toEqual([old, recent].sort());
  });
});
