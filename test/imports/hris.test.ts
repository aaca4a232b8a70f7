import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Role } from '../../src/access/bundles.js';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, hrisEvents, hrisIntegrations } from '../../src/db/schema/index.js';
import { flushHrisEvents } from '../../src/integrations/batches.js';
import { open, parseKey, seal } from '../../src/secrets/seal.js';
import { signatureMatches, signBody } from '../../src/integrations/webhook.js';
import { operationalStatus } from '../../src/imports/status.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { loadScenario } from '../../src/scenarios/store.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, contextFor, memberToken, principalFor } from '../support/factories.js';
import { importTenant, liveState } from './support.js';

/**
 * HRIS live sync (reference/bamboohr-live-sync.md): the integration's settings with write-only, encrypted secrets;
 * the signed BambooHR webhook (401 on a bad signature, 404 for another tenant) whose changes are applied in batches
 * through the import pipeline into each target; "sync now" against a stand-in BambooHR API.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let small: Tenant;
const HOST = 'hris.localhost';
const API_KEY = 'bamboo-api-key-0123456789abcdef';
const SECRET = 'whsec-0123456789abcdef-0123456789';
const tokens = new Map<string, string>();
let stand: http.Server;
let standUrl: string;
const pulls: { path: string; authorization: string | undefined; body: string }[] = [];

const EMPLOYEES = [
  { id: 1, firstName: 'Grace', lastName: 'Hopper', workEmail: 'grace@hris.test', department: 'Engineering', division: 'Product', jobTitle: 'CTO', supervisorEId: null, hireDate: '2020-01-06', status: 'Active', employmentHistoryStatus: 'Full-Time' },
  { id: 2, firstName: 'Alan', lastName: 'Turing', workEmail: 'alan@hris.test', department: 'Engineering', division: 'Product', jobTitle: 'Engineer', supervisorEId: '1', hireDate: '2021-03-01', status: 'Active', employmentHistoryStatus: 'Contractor' },
  { id: 3, firstName: 'Edsger', lastName: 'Dijkstra', workEmail: 'edsger@hris.test', department: 'Engineering', division: 'Product', jobTitle: 'Engineer', supervisorEId: '2', hireDate: '0000-00-00', status: 'Active', employmentHistoryStatus: 'Part-Time' },
];

async function send(path: string, init: { method?: string; token?: string | null; json?: unknown; raw?: string; headers?: Record<string, string>; host?: string } = {}) {
  const headers: Record<string, string> = { host: init.host ?? HOST, ...init.headers };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? tokens.get('owner')}`;
  let body: string | undefined = init.raw;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await app.app.request(path, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  return { status: response.status, body: (await response.json()) as any };
}

const tokenFor = (t: Tenant, role: Role) => memberToken(database, t, role);

/** A webhook call signed as BambooHR signs it: hex HMAC-SHA256(secret, raw body + X-BambooHR-Timestamp). */
function webhook(payload: unknown, options: { secret?: string; slug?: string; host?: string; signature?: string | null; timestamp?: string | null; signedTimestamp?: string } = {}) {
  const raw = JSON.stringify(payload);
  const timestamp = options.timestamp === undefined ? String(Math.floor(Date.now() / 1000)) : options.timestamp;
  const signature = options.signature === undefined ? signBody(options.secret ?? SECRET, raw, options.signedTimestamp ?? timestamp ?? '') : options.signature;
  const headers: Record<string, string> = {};
  if (signature !== null) headers['x-bamboohr-signature'] = signature;
  if (timestamp !== null) headers['x-bamboohr-timestamp'] = timestamp;
  return send(`/api/v1/integrations/bamboohr/webhook/${options.slug ?? 'hris'}`, { token: null, raw, host: options.host, headers });
}

async function runsOf(source: string, count: number) {
  for (let i = 0; i < 400; i++) {
    const { body } = await send('/api/v1/imports?limit=100');
    const runs = body.data.filter((r: { source: string }) => r.source === source);
    if (runs.length >= count && runs.every((r: { status: string }) => r.status === 'completed' || r.status === 'failed')) return runs;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${count} finished ${source} runs`);
}

/** The integration's last sync once it has settled (its status is written just after its runs finish). */
async function settledLastSync() {
  for (let i = 0; i < 400; i++) {
    const lastSync = (await send('/api/v1/integrations/hris')).body.data.last_sync;
    if (lastSync.status !== 'running') return lastSync;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the HRIS sync never settled');
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  ({ tenant } = await importTenant(database, { slug: 'hris', plan: 'business' }));
  ({ tenant: small } = await importTenant(database, { slug: 'hrisfree', plan: 'team' }));
  tokens.set('owner', await tokenFor(tenant, 'owner'));
  tokens.set('manager', await tokenFor(tenant, 'manager'));
  tokens.set('small', await tokenFor(small, 'owner'));
  stand = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      pulls.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
      const expected = `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end('{"error":"bad key"}');
        return;
      }
      if (req.method !== 'POST' || !req.url?.startsWith('/api/gateway.php/hrisco/v1/reports/custom')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ title: 'Orgonaut sync', fields: [], employees: EMPLOYEES }));
    });
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  standUrl = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => stand?.close(resolve));
  await database?.close();
});

describe('secrets at rest', () => {
  it('seals with AES-256-GCM bound to its context, and refuses tampering, another context or another key', () => {
    const key = parseKey('0'.repeat(64))!;
    const sealed = seal(key, 'top secret', 'ctx-a');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('top secret');
    expect(open(key, sealed, 'ctx-a')).toBe('top secret');
    expect(() => open(key, sealed, 'ctx-b')).toThrow(/another key/);
    expect(() => open(parseKey('1'.repeat(64))!, sealed, 'ctx-a')).toThrow(/another key/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered!!').toString('base64url');
    expect(() => open(key, parts.join('.'), 'ctx-a')).toThrow();
    expect(parseKey('not a key')).toBeNull();
    expect(parseKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
  });
});

describe('the HRIS integration settings', () => {
  it('starts not connected, and connects with write-only secrets stored encrypted', async () => {
    expect((await send('/api/v1/integrations/hris')).body.data).toMatchObject({ status: 'not_connected', api_key_set: false });
    const put = await send('/api/v1/integrations/hris', { method: 'PUT', json: { provider: 'bamboohr', subdomain: 'hrisco', base_url: standUrl, api_key: API_KEY, webhook_secret: SECRET, apply_to: { live: true } } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ provider: 'bamboohr', status: 'connected', subdomain: 'hrisco', base_url: standUrl, api_key_set: true, webhook_secret_set: true, webhook_url: 'http://hris.localhost/api/v1/integrations/bamboohr/webhook/hris' });
    const everything = JSON.stringify([put.body, (await send('/api/v1/integrations/hris')).body]);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(SECRET);
    const [row] = await database.db.select().from(hrisIntegrations).where(eq(hrisIntegrations.tenantId, tenant.id));
    expect(row!.configEncrypted).toMatch(/^v1\./);
    expect(row!.configEncrypted).not.toContain(API_KEY);
    const audit = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'integration')));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(API_KEY);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it('keeps secrets that are left out, and validates what is sent', async () => {
    const kept = await send('/api/v1/integrations/hris', { method: 'PUT', json: { status: 'connected' } });
    expect(kept.body.data).toMatchObject({ api_key_set: true, webhook_secret_set: true });
    expect((await send('/api/v1/integrations/hris', { method: 'PUT', json: { base_url: 'http://evil.example' } })).body).toMatchObject({ status: 400, field: 'base_url' });
    expect((await send('/api/v1/integrations/hris', { method: 'PUT', json: { webhook_secret: 'short' } })).body).toMatchObject({ status: 400, field: 'webhook_secret' });
    expect((await send('/api/v1/integrations/hris', { method: 'PUT', json: { apply_to: { scenario_ids: ['not-a-uuid'] } } })).body).toMatchObject({ status: 400 });
  });

  it('needs integrations.manage, and a plan with HRIS live sync', async () => {
    expect((await send('/api/v1/integrations/hris', { token: tokens.get('manager') })).body).toMatchObject({ status: 403, ability: 'integrations.manage' });
    expect((await send('/api/v1/integrations/hris/sync', { method: 'POST', token: tokens.get('manager') })).body).toMatchObject({ status: 403, ability: 'integrations.manage' });
    const onTeam = await send('/api/v1/integrations/hris', { token: tokens.get('small'), host: 'hrisfree.localhost' });
    expect(onTeam.body).toMatchObject({ status: 403, code: 'plan_feature', plan: 'team' });
  });
});

describe('the BambooHR webhook', () => {
  const payload = {
    employees: [
      { id: '501', action: 'Created', fields: { firstName: 'Ada', lastName: 'Lovelace', workEmail: 'ada@hris.test', department: 'Research', jobTitle: 'Analyst' } },
      { id: '502', action: 'Created', fields: { firstName: 'Charles', lastName: 'Babbage', workEmail: 'charles@hris.test', department: 'Research', jobTitle: 'Engineer', supervisorEId: '501' } },
    ],
  };

  it('refuses a bad or missing signature (401) and changes nothing', async () => {
    const before = await liveState(database, tenant.id);
    expect((await webhook(payload, { secret: 'whsec-wrong-wrong-wrong-wrong' })).status).toBe(401);
    expect((await webhook(payload, { signature: null })).status).toBe(401);
    expect((await webhook(payload, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    // The old construction (the body alone) is no longer accepted.
    expect((await webhook(payload, { signature: createHmac('sha256', SECRET).update(JSON.stringify(payload)).digest('hex') })).status).toBe(401);
    const events = await database.db.select().from(hrisEvents).where(eq(hrisEvents.tenantId, tenant.id));
    expect(events).toHaveLength(0);
    expect(await liveState(database, tenant.id)).toEqual(before);
  });

  it('refuses a missing, malformed or stale timestamp, or one that is not the signed one (401), and changes nothing', async () => {
    const before = await liveState(database, tenant.id);
    const now = Math.floor(Date.now() / 1000);
    const missing = await webhook(payload, { timestamp: null, signedTimestamp: String(now) });
    expect(missing.status).toBe(401);
    expect(missing.body.detail).toMatch(/X-BambooHR-Timestamp header is missing/);
    // The sender has no bearer token to send: the fix says how to sign.
    expect(missing.body.fix).toMatch(/X-BambooHR-Signature/);
    expect(missing.body.fix).not.toMatch(/bearer|sign in/i);
    expect((await webhook(payload, { timestamp: '' })).status).toBe(401);
    expect((await webhook(payload, { timestamp: new Date().toISOString() })).status).toBe(401);
    const stale = await webhook(payload, { timestamp: String(now - 6 * 60) });
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toMatch(/more than 5 minutes/);
    expect((await webhook(payload, { timestamp: String(now + 6 * 60) })).status).toBe(401);
    // A captured call replayed with a fresh timestamp: the signature covers the old one.
    expect((await webhook(payload, { timestamp: String(now), signedTimestamp: String(now - 10 * 60) })).status).toBe(401);
    const events = await database.db.select().from(hrisEvents).where(eq(hrisEvents.tenantId, tenant.id));
    expect(events).toHaveLength(0);
    expect(await liveState(database, tenant.id)).toEqual(before);
  });

  it('checks the signature over body + timestamp in constant time, within 5 minutes either way', () => {
    const body = new TextEncoder().encode('{"employees":[]}');
    const now = 1_800_000_000_000;
    const ts = String(now / 1000);
    const signature = createHmac('sha256', SECRET).update('{"employees":[]}' + ts).digest('hex');
    expect(signBody(SECRET, body, ts)).toBe(signature);
    expect(signatureMatches(SECRET, body, { signature, timestamp: ts }, now)).toBe(true);
    expect(signatureMatches(SECRET, body, { signature: `sha256=${signature.toUpperCase()}`, timestamp: ts }, now)).toBe(true);
    expect(signatureMatches(SECRET, body, { signature, timestamp: ts }, now + 299_000)).toBe(true);
    expect(signatureMatches(SECRET, body, { signature, timestamp: ts }, now - 299_000)).toBe(true);
    expect(signatureMatches(SECRET, body, { signature, timestamp: ts }, now + 301_000)).toBe(false);
    expect(signatureMatches(SECRET, body, { signature, timestamp: ts }, now - 301_000)).toBe(false);
    expect(signatureMatches(SECRET, body, { signature, timestamp: null }, now)).toBe(false);
    expect(signatureMatches(SECRET, body, { signature: null, timestamp: ts }, now)).toBe(false);
    expect(signatureMatches(SECRET, body, { signature: signature.slice(0, 63), timestamp: ts }, now)).toBe(false);
    expect(signatureMatches(SECRET, new TextEncoder().encode('{"employees":[1]}'), { signature, timestamp: ts }, now)).toBe(false);
  });

  it('answers 404 when {tenant} is not the host’s tenant, or the tenant has no HRIS sync', async () => {
    expect((await webhook(payload, { slug: 'hrisfree' })).status).toBe(404);
    expect((await webhook(payload, { slug: 'nobody' })).status).toBe(404);
    expect((await webhook(payload, { slug: 'hrisfree', host: 'hrisfree.localhost' })).status).toBe(404);
    expect((await webhook(payload, { host: 'app.localhost' })).status).toBe(404);
  });

  it('says in its 404 where the webhook is set up, the same words whatever the cause (not "check the id")', async () => {
    const answers = await Promise.all([webhook(payload, { slug: 'hrisfree' }), webhook(payload, { slug: 'nobody' }), webhook(payload, { slug: 'hrisfree', host: 'hrisfree.localhost' })]);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body.detail).toBe(answers[0]!.body.detail);
      expect(answer.body.detail).toMatch(/no HRIS webhook/i);
      expect(answer.body.fix).toMatch(/Settings → Integrations/);
      expect(answer.body.fix).toMatch(/webhook secret/);
      expect(answer.body.fix).not.toMatch(/Check the id/);
    }
    // The API reference shows this 404, not the generic one.
    const doc = (await (await app.request('/docs/api.json', { host: HOST })).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { example: { detail: string; fix: string } }> }> }>> };
    const example = doc.paths['/api/v1/integrations/bamboohr/webhook/{tenant}']!.post!.responses['404']!.content['application/problem+json']!.example;
    expect(example).toMatchObject({ detail: answers[0]!.body.detail, fix: answers[0]!.body.fix });
  });

  it('queues signed changes and applies them in one batch per target: one snapshot, a scenario too', async () => {
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'), app.runtime.graphs);
    const scenario = await createScenario(owner, { name: 'HRIS shows through' });
    await send('/api/v1/integrations/hris', { method: 'PUT', json: { apply_to: { live: true, scenario_ids: [scenario.id] } } });
    const before = await liveState(database, tenant.id);
    const accepted = await webhook(payload);
    expect(accepted.status).toBe(202);
    expect(accepted.body.data).toEqual({ accepted: 2, skipped: 0, skipped_events: [] });
    const runs = await runsOf('hris_webhook', 2);
    expect(runs.map((r: { status: string; target: { kind: string } }) => [r.status, r.target.kind]).sort()).toEqual([['completed', 'live'], ['completed', 'scenario']]);
    const after = await liveState(database, tenant.id);
    expect(after).toMatchObject({ version: before.version + 1, actors: before.actors + 2, snapshots: before.snapshots + 1 });
    const live = (await owner.graphs.live(tenant.id)).graph;
    const ada = [...live.actors.values()].find((a) => a.email === 'ada@hris.test')!;
    expect(ada).toMatchObject({ sourceHris: 'bamboohr', sourceHrisId: '501', displayName: 'Ada Lovelace' });
    const charles = [...live.actors.values()].find((a) => a.sourceHrisId === '502')!;
    expect([...live.reportingLines.values()].find((l) => l.actorId === charles.id)?.managerId).toBe(ada.id);
    // The scenario shows Live's new people (they follow its source), and its own import changed nothing on top.
    const view = await owner.graphs.scenario(await loadScenario(database.db, tenant.id, scenario.id));
    expect([...view.actors.values()].some((a) => a.sourceHrisId === '501')).toBe(true);
  });

  it('takes a field sent empty (null) as cleared: a supervisor removed in BambooHR removes the manager', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await webhook({ employees: [{ id: '502', action: 'Updated', fields: { supervisorEId: null, jobTitle: 'Lead Engineer' } }] });
    await runsOf('hris_webhook', 4);
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    const charles = [...live.actors.values()].find((a) => a.sourceHrisId === '502')!;
    expect(charles.title).toBe('Lead Engineer');
    const open = [...live.reportingLines.values()].filter((l) => l.actorId === charles.id && (l.validTo === null || l.validTo > today));
    expect(open).toEqual([]);
  });

  it('ends a person whose employment status turns Terminated, when that is the only field the event sends', async () => {
    await webhook({ employees: [{ id: '501', action: 'Updated', fields: { employmentHistoryStatus: 'Terminated' } }] });
    await runsOf('hris_webhook', 6);
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    expect([...live.actors.values()].find((a) => a.sourceHrisId === '501')!.validTo).toBe(new Date().toISOString().slice(0, 10));
  });

  it('ends a person on a Deleted event', async () => {
    await webhook({ employees: [{ id: '502', action: 'Deleted' }] });
    await runsOf('hris_webhook', 8);
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    const charles = [...live.actors.values()].find((a) => a.sourceHrisId === '502')!;
    expect(charles.validTo).toBe(new Date().toISOString().slice(0, 10));
  });

  it('keeps changes waiting while they apply nowhere (no Live, no scenario), and applies them once a target is chosen', async () => {
    await send('/api/v1/integrations/hris', { method: 'PUT', json: { apply_to: { live: false, scenario_ids: [], future_scenarios: false } } });
    const event = { employees: [{ id: '503', action: 'Created', fields: { firstName: 'Mary', lastName: 'Somerville', workEmail: 'mary@hris.test', department: 'Research' } }] };
    expect((await webhook(event)).status).toBe(202);
    const deps = { db: database.db, graphs: app.runtime.graphs };
    expect(await flushHrisEvents(deps, tenant.id)).toEqual([]);
    expect((await send('/api/v1/integrations/hris')).body.data.queued_events).toBe(1);
    const sync = await send('/api/v1/integrations/hris/sync', { method: 'POST' });
    expect(sync.status).toBe(409);
    expect(sync.body.detail).toContain('HRIS changes apply nowhere');
    const admin = await buildMember(database, tenant, 'admin', { password: 'correct horse battery' });
    const cookie = await signInThroughForm(app, HOST, admin.email, 'correct horse battery');
    const page = await app.request('/settings/integrations/hris', { host: HOST, cookie, headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html, /Changes waiting[\s\S]{0,300}/.exec(html)?.[0]).toMatch(/Changes waiting<\/dt><dd>1<div class="hint">They apply nowhere yet/);

    await send('/api/v1/integrations/hris', { method: 'PUT', json: { apply_to: { live: true } } });
    await flushHrisEvents(deps, tenant.id); // (unless the webhook's own debounced flush is taking them right now)
    const [latest] = await runsOf('hris_webhook', 9);
    expect(latest).toMatchObject({ status: 'completed', target: { kind: 'live' } });
    expect((await send('/api/v1/integrations/hris')).body.data.queued_events).toBe(0);
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    expect([...live.actors.values()].find((a) => a.sourceHrisId === '503')).toMatchObject({ displayName: 'Mary Somerville' });
  });

  it('applies the known changes of a delivery and skips, reports and records the ones it does not know', async () => {
    const delivery = {
      employees: [
        { id: '504', action: 'Created', fields: { firstName: 'Emmy', lastName: 'Noether', workEmail: 'emmy@hris.test', department: 'Research' } },
        { id: '503', action: 'Promoted', fields: { jobTitle: 'Head of Research' } },
        { action: 'Updated', fields: { jobTitle: 'Nobody' } },
      ],
    };
    // A bad signature is still refused, whatever the body holds.
    expect((await webhook(delivery, { secret: 'whsec-wrong-wrong-wrong-wrong' })).status).toBe(401);
    const answer = await webhook(delivery);
    expect(answer.status).toBe(202);
    expect(answer.body.data).toEqual({
      accepted: 1,
      skipped: 2,
      skipped_events: [
        { index: 1, employee_id: '503', action: 'Promoted', reason: 'action “Promoted” is not one this receiver applies (Created, Updated or Deleted)' },
        { index: 2, employee_id: null, action: 'Updated', reason: 'has no employee id (the BambooHR employee id is required)' },
      ],
    });
    const [latest] = await runsOf('hris_webhook', 10);
    expect(latest).toMatchObject({ status: 'completed', target: { kind: 'live' } });
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    expect([...live.actors.values()].find((a) => a.sourceHrisId === '504')).toMatchObject({ displayName: 'Emmy Noether' });
    expect([...live.actors.values()].find((a) => a.sourceHrisId === '503')!.title).not.toBe('Head of Research');
    const [entry] = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'hris_webhook')));
    expect(entry).toMatchObject({ action: 'events_skipped', category: 'model', principalKind: 'system', metadata: { accepted: 1, skipped: 2, events: answer.body.data.skipped_events } });
    // The Activity page names it as people say it.
    const admin = await buildMember(database, tenant, 'admin', { password: 'correct horse battery' });
    const cookie = await signInThroughForm(app, HOST, admin.email, 'correct horse battery');
    const activity = await (await app.request('/activity', { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    expect(activity).toContain('>HRIS webhook</span>');
  });
});

describe('sync now', () => {
  it('pulls employees from the HRIS and applies them', async () => {
    await send('/api/v1/integrations/hris', { method: 'PUT', json: { apply_to: { live: true, scenario_ids: [] } } });
    const started = await send('/api/v1/integrations/hris/sync', { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.body.data).toHaveLength(1);
    expect(pulls.at(-1)).toMatchObject({ path: '/api/gateway.php/hrisco/v1/reports/custom?format=JSON&onlyCurrent=false' });
    expect(JSON.parse(pulls.at(-1)!.body).fields).toContain('supervisorEId');
    const [run] = await runsOf('hris_sync', 1);
    expect(run).toMatchObject({ status: 'completed', format: 'bamboohr', summary: { rows: { imported: 3, created: 3 } } });
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    const byId = new Map([...live.actors.values()].filter((a) => a.sourceHris === 'bamboohr').map((a) => [a.sourceHrisId, a]));
    expect(byId.get('1')).toMatchObject({ displayName: 'Grace Hopper', title: 'CTO', validFrom: '2020-01-06' });
    expect(byId.get('3')!.validFrom).toBeNull();
    const lines = [...live.reportingLines.values()];
    expect(lines.find((l) => l.actorId === byId.get('3')!.id)?.managerId).toBe(byId.get('2')!.id);
    const units = [...live.orgUnits.values()];
    const engineering = units.find((u) => u.name === 'Engineering')!;
    expect(units.find((u) => u.id === engineering.parentId)?.name).toBe('Product');
    expect(await settledLastSync()).toMatchObject({ status: 'completed', run_ids: [run.id] });
  });

  it('reports an unreachable HRIS or a refused key without leaking it', async () => {
    await send('/api/v1/integrations/hris', { method: 'PUT', json: { api_key: 'wrong-key-value-123' } });
    const refused = await send('/api/v1/integrations/hris/sync', { method: 'POST' });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ code: 'hris_unreachable', detail: 'BambooHR refused the API key.' });
    expect(JSON.stringify(refused.body)).not.toContain('wrong-key-value-123');
    expect((await send('/api/v1/integrations/hris')).body.data.last_sync).toMatchObject({ status: 'failed' });
  });

  it('shows up in the operational status', async () => {
    const status = await operationalStatus(contextFor(database, tenant, principalFor(tenant, 'manager')));
    expect(status.hris.integration).toMatchObject({ provider: 'bamboohr', status: 'connected', last_sync: { status: 'failed' }, queued_events: 0 });
    expect(status.imports.recent_runs.length).toBeGreaterThanOrEqual(5);
    expect(status.imports.recent_runs[0]).toMatchObject({ status: expect.any(String), source: expect.any(String) });
    expect(JSON.stringify(status)).not.toContain(SECRET);
    await expect(operationalStatus(contextFor(database, tenant, principalFor(tenant, 'member')))).rejects.toMatchObject({ ability: 'activity.read' });
  });
});
