import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, hrisIntegrations, importRuns } from '../../src/db/schema/index.js';
import type { BatchDeps } from '../../src/integrations/batches.js';
import { nextSyncSlot, runDueHrisSyncs, startHrisScheduler, syncMinute } from '../../src/integrations/schedule.js';
import { operationalStatus } from '../../src/imports/status.js';
import { createLogger } from '../../src/logger.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, contextFor, memberToken, principalFor, uid } from '../support/factories.js';
import { importTenant } from './support.js';

/**
 * Scheduled HRIS pulls (catching up missed webhooks): off, hourly or daily at a UTC hour, set on the integration (REST
 * and the settings page, with integrations.manage); every instance's scheduler claims a due integration once and runs
 * the same pull as "sync now" against a stand-in BambooHR; a failed pull is recorded and tried again at the next slot.
 * Each tenant's pulls run at its own minute past the hour (from its id), so tenants are spread over the hour.
 * Clocks are injected: nothing here waits for an hour to pass.
 */

let database: Database;
let app: TestApp;
let tenant: Tenant;
let team: Tenant;
let deps: BatchDeps;
const HOST = 'hrissched.localhost';
const API_KEY = 'bamboo-sched-key-0123456789abcdef';
let owner: string;
let manager: string;
let stand: http.Server;
let standUrl: string;
/** Pulls the stand-in answered, by subdomain. */
const pulls: string[] = [];
let failing = false;

const EMPLOYEES = [
  { id: 11, firstName: 'Katherine', lastName: 'Johnson', workEmail: 'katherine@sched.test', department: 'Flight', division: 'Research', jobTitle: 'Mathematician', supervisorEId: null, status: 'Active' },
  { id: 12, firstName: 'Dorothy', lastName: 'Vaughan', workEmail: 'dorothy@sched.test', department: 'Flight', division: 'Research', jobTitle: 'Supervisor', supervisorEId: '11', status: 'Active' },
];

async function send(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const headers: Record<string, string> = { host: HOST, authorization: `Bearer ${init.token ?? owner}` };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await app.app.request(path, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  return { status: response.status, body: (await response.json()) as any };
}

const integration = async () => (await send('/api/v1/integrations/hris')).body.data;
const schedule = (json: unknown) => send('/api/v1/integrations/hris', { method: 'PUT', json: { schedule: json } });
const scheduledRuns = () => database.db.select().from(importRuns).where(and(eq(importRuns.tenantId, tenant.id), eq(importRuns.source, 'hris_sync')));
/** The tenant's minute past the hour, as the page and the timestamps write it. */
const mm = () => String(syncMinute(tenant.id)).padStart(2, '0');
/** A clock just past the integration's next slot. */
const justAfter = (iso: string) => () => new Date(new Date(iso).getTime() + 60_000);

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  deps = { db: database.db, graphs: app.runtime.graphs };
  ({ tenant } = await importTenant(database, { slug: 'hrissched', plan: 'business' }));
  ({ tenant: team } = await importTenant(database, { slug: 'hrisschedteam', plan: 'team' }));
  owner = await memberToken(database, tenant, 'owner');
  manager = await memberToken(database, tenant, 'manager');
  stand = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      pulls.push(/gateway\.php\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?');
      if (failing) return void res.writeHead(503).end('{"error":"maintenance"}');
      if (req.headers.authorization !== `Basic ${Buffer.from(`${API_KEY}:x`).toString('base64')}`) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ employees: EMPLOYEES }));
    });
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  standUrl = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
  const put = await send('/api/v1/integrations/hris', { method: 'PUT', json: { provider: 'bamboohr', subdomain: 'schedco', base_url: standUrl, api_key: API_KEY, apply_to: { live: true } } });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await new Promise((resolve) => stand?.close(resolve));
  await database?.close();
});

describe('the next slot', () => {
  const id = uid('next-slot-tenant');
  const m = syncMinute(id);
  const at = (iso: string) => new Date(iso);
  /** That day's `hour`:`m` UTC. */
  const slot = (day: string, hour: number) => new Date(`${day}T${String(hour).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`);

  it('is the tenant’s minute of the next hour, or of the chosen hour UTC — never now itself', () => {
    expect(nextSyncSlot(id, 'hourly', null, at('2026-03-01T10:00:00Z'))).toEqual(m === 0 ? slot('2026-03-01', 11) : slot('2026-03-01', 10));
    expect(nextSyncSlot(id, 'hourly', 5, slot('2026-03-01', 11))).toEqual(slot('2026-03-01', 12));
    expect(nextSyncSlot(id, 'hourly', null, new Date(slot('2026-03-01', 11).getTime() - 1))).toEqual(slot('2026-03-01', 11));
    expect(nextSyncSlot(id, 'hourly', null, at('2026-12-31T23:59:59Z'))).toEqual(slot('2027-01-01', 0));
    expect(nextSyncSlot(id, 'daily', 2, at('2026-03-01T01:59:00Z'))).toEqual(slot('2026-03-01', 2));
    expect(nextSyncSlot(id, 'daily', 2, slot('2026-03-01', 2))).toEqual(slot('2026-03-02', 2));
    expect(nextSyncSlot(id, 'daily', 2, new Date(slot('2026-03-01', 2).getTime() - 1))).toEqual(slot('2026-03-01', 2));
    expect(nextSyncSlot(id, 'daily', 23, at('2026-12-31T23:59:30Z'))).toEqual(slot('2027-01-01', 23));
    expect(nextSyncSlot(id, 'off', 2, at('2026-03-01T01:00:00Z'))).toBeNull();
  });

  it('is stable for a tenant and spread over the hour across tenants', () => {
    const ids = Array.from({ length: 600 }, (_, i) => uid(`tenant-${i}`, 'spread'));
    const minutes = ids.map(syncMinute);
    expect(ids.map(syncMinute)).toEqual(minutes);
    expect(minutes.every((minute) => Number.isInteger(minute) && minute >= 0 && minute < 60)).toBe(true);
    const perMinute = new Map<number, number>();
    for (const minute of minutes) perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    // 600 tenants over 60 minutes: every minute used, none with more than a few times its share of 10.
    expect(perMinute.size).toBe(60);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(25);
    // Two tenants with different minutes are pulled at different times, hourly and daily.
    const other = ids.find((candidate) => syncMinute(candidate) !== m)!;
    const now = at('2026-03-01T10:20:00Z');
    expect(nextSyncSlot(other, 'hourly', null, now)).not.toEqual(nextSyncSlot(id, 'hourly', null, now));
    expect(nextSyncSlot(other, 'daily', 4, now)).not.toEqual(nextSyncSlot(id, 'daily', 4, now));
    expect(nextSyncSlot(other, 'daily', 4, now)!.getUTCHours()).toBe(4);
  });
});

describe('the schedule setting', () => {
  it('is off at first: the scheduler pulls nothing, however late it is', async () => {
    expect((await integration()).schedule).toEqual({ frequency: 'off', hour_utc: null, minute_utc: null, next_sync_at: null });
    expect(await runDueHrisSyncs(deps, { now: () => new Date('2099-01-01T00:00:00Z') })).toBe(0);
    expect(pulls).toEqual([]);
    expect(await scheduledRuns()).toEqual([]);
  });

  it('refuses an hour outside 0–23, a fraction, a daily sync without an hour and an unknown frequency, changing nothing', async () => {
    for (const [json, field, detail] of [
      [{ frequency: 'daily', hour_utc: 24 }, 'schedule.hour_utc', 'must be a whole hour from 0 to 23 (UTC)'],
      [{ frequency: 'daily', hour_utc: -1 }, 'schedule.hour_utc', 'must be a whole hour from 0 to 23 (UTC)'],
      [{ frequency: 'daily', hour_utc: 2.5 }, 'schedule.hour_utc', 'must be a whole hour from 0 to 23 (UTC)'],
      [{ frequency: 'daily' }, 'schedule.hour_utc', 'is needed for a daily sync'],
      [{ frequency: 'weekly' }, 'schedule.frequency', ''],
    ] as const) {
      const refused = await schedule(json);
      expect(refused.status, JSON.stringify(json)).toBe(400);
      expect(refused.body, JSON.stringify(json)).toMatchObject({ field });
      expect(refused.body.detail).toContain(detail);
    }
    expect((await integration()).schedule).toEqual({ frequency: 'off', hour_utc: null, minute_utc: null, next_sync_at: null });
  });

  it('cannot be changed without integrations.manage', async () => {
    const refused = await send('/api/v1/integrations/hris', { method: 'PUT', token: manager, json: { schedule: { frequency: 'hourly' } } });
    expect(refused.body).toMatchObject({ status: 403, ability: 'integrations.manage' });
    expect((await integration()).schedule.frequency).toBe('off');
  });

  it('sets a daily sync at a UTC hour, shows its next slot and audits the change', async () => {
    const before = Date.now();
    const put = await schedule({ frequency: 'daily', hour_utc: 2 });
    expect(put.status).toBe(200);
    const { next_sync_at: next } = put.body.data.schedule;
    expect(put.body.data.schedule).toMatchObject({ frequency: 'daily', hour_utc: 2, minute_utc: syncMinute(tenant.id) });
    expect(next).toMatch(new RegExp(`T02:${mm()}:00\\.000Z$`));
    expect(new Date(next).getTime()).toBeGreaterThan(before);
    expect(new Date(next).getTime()).toBeLessThanOrEqual(before + 24 * 3_600_000 + 60_000);
    const [audit] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'integration'), eq(auditEvents.action, 'updated')));
    expect(audit!.metadata).toMatchObject({ changed: ['schedule'], schedule: 'daily', hour_utc: 2 });
  });
});

describe('the scheduler', () => {
  it('does nothing before the slot shown, not even a millisecond before', async () => {
    const { next_sync_at: next } = (await integration()).schedule;
    expect(await runDueHrisSyncs(deps, { now: () => new Date(new Date(next).getTime() - 1_000) })).toBe(0);
    expect(await runDueHrisSyncs(deps, { now: () => new Date(new Date(next).getTime() - 1) })).toBe(0);
    expect(pulls).toEqual([]);
  });

  it('pulls a due integration at the slot shown, once, and imports it once, however many schedulers race for it', async () => {
    const { next_sync_at: next } = (await integration()).schedule;
    // The clock exactly at the slot REST shows: that is when it is claimed.
    const now = () => new Date(next);
    const pulled = await Promise.all([runDueHrisSyncs(deps, { now }), runDueHrisSyncs(deps, { now }), runDueHrisSyncs(deps, { now })]);
    expect(pulled.reduce((a, b) => a + b, 0)).toBe(1);
    expect(pulls).toEqual(['schedco']);
    const runs = await scheduledRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', targetKind: 'live', fileName: 'BambooHR scheduled sync (2 employees)' });
    const live = (await app.runtime.graphs.live(tenant.id)).graph;
    expect([...live.actors.values()].filter((a) => a.sourceHris === 'bamboohr').map((a) => a.displayName).sort()).toEqual(['Dorothy Vaughan', 'Katherine Johnson']);
    const after = await integration();
    expect(after.last_sync).toMatchObject({ status: 'completed', trigger: 'schedule', error: null, run_ids: [runs[0]!.id] });
    // The next slot is the next day's, and the same clock finds nothing due any more.
    expect(new Date(after.schedule.next_sync_at).getTime() - new Date(next).getTime()).toBe(24 * 3_600_000);
    expect(await runDueHrisSyncs(deps, { now })).toBe(0);
    expect(pulls).toHaveLength(1);
  });

  it('records a failed pull and tries again at the next slot, not before', async () => {
    failing = true;
    const { next_sync_at: next } = (await integration()).schedule;
    expect(await runDueHrisSyncs(deps, { now: justAfter(next) })).toBe(1);
    const failed = await integration();
    expect(failed.last_sync).toMatchObject({ status: 'failed', trigger: 'schedule', error: 'BambooHR answered with HTTP 503.' });
    expect(JSON.stringify(failed)).not.toContain('maintenance');
    expect(new Date(failed.schedule.next_sync_at).getTime() - new Date(next).getTime()).toBe(24 * 3_600_000);
    expect(await runDueHrisSyncs(deps, { now: justAfter(next) })).toBe(0);
    expect(pulls).toHaveLength(2);
    expect(await scheduledRuns()).toHaveLength(1);
    // The settings page says how the scheduled pull went.
    const admin = await buildMember(database, tenant, 'admin', { password: 'correct horse battery' });
    const cookie = await signInThroughForm(app, HOST, admin.email, 'correct horse battery');
    const html = await (await app.request('/settings/integrations/hris', { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    expect(html).toContain('BambooHR answered with HTTP 503.');
    expect(html).toContain('(scheduled)');

    failing = false;
    expect(await runDueHrisSyncs(deps, { now: justAfter(failed.schedule.next_sync_at) })).toBe(1);
    expect((await integration()).last_sync).toMatchObject({ status: 'completed', trigger: 'schedule', error: null });
    expect(await scheduledRuns()).toHaveLength(2);
  });

  it('skips a paused or disconnected integration, and a tenant whose plan has no HRIS sync', async () => {
    for (const status of ['paused', 'disconnected']) {
      const put = await send('/api/v1/integrations/hris', { method: 'PUT', json: { status, schedule: { frequency: 'hourly' } } });
      expect(put.body.data.schedule).toEqual({ frequency: 'hourly', hour_utc: 2, minute_utc: syncMinute(tenant.id), next_sync_at: null });
      expect(await runDueHrisSyncs(deps, { now: () => new Date('2099-01-01T00:00:00Z') })).toBe(0);
    }
    // A tenant on the team plan whose integration was left due (it had one before a downgrade).
    await database.db.insert(hrisIntegrations).values({ tenantId: team.id, provider: 'bamboohr', status: 'connected', syncSchedule: 'hourly', nextSyncAt: new Date('2026-01-01T00:00:00Z') });
    expect(await runDueHrisSyncs(deps, { now: () => new Date('2099-01-01T00:00:00Z') })).toBe(0);
    expect(pulls).toHaveLength(3);
    // Connected again: the next slot is counted from now — the slots missed while paused are not pulled at once.
    const resumed = await send('/api/v1/integrations/hris', { method: 'PUT', json: { status: 'connected' } });
    expect(new Date(resumed.body.data.schedule.next_sync_at).getTime()).toBeGreaterThan(Date.now());
    expect(resumed.body.data.schedule.next_sync_at).toMatch(new RegExp(`:${mm()}:00\\.000Z$`));
  });

  it('runs in a loop that, once stopped, has finished the pull it was running', async () => {
    const { next_sync_at: next } = (await integration()).schedule;
    const scheduler = startHrisScheduler({ ...deps, logger: createLogger('silent') }, { now: justAfter(next), intervalMs: 5 });
    for (let i = 0; i < 2_000 && pulls.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(pulls).toHaveLength(4);
    await scheduler.stop();
    expect((await integration()).last_sync).toMatchObject({ status: 'completed', trigger: 'schedule' });
    expect(await scheduledRuns()).toHaveLength(3);
  });

  it('shows the schedule and next sync in the operational status assistants read', async () => {
    const { schedule: now } = await integration();
    const status = await operationalStatus(contextFor(database, tenant, principalFor(tenant, 'manager')));
    expect(status.hris.integration).toMatchObject({ schedule: now, last_sync: { status: 'completed', trigger: 'schedule' } });
  });
});

describe('the settings page', () => {
  it('sets the schedule, refuses an hour outside 0–23 in words by the field, and shows the next sync', async () => {
    const admin = await buildMember(database, tenant, 'admin', { password: 'correct horse battery' });
    const cookie = await signInThroughForm(app, HOST, admin.email, 'correct horse battery');
    const open = async () => (await app.request('/settings/integrations/hris', { host: HOST, cookie, headers: { accept: 'text/html' } })).text();
    const form = (html: string, frequency: string, hour: string) => ({
      csrf: hiddenField(html, 'csrf'),
      provider: 'bamboohr',
      status: 'connected',
      subdomain: 'schedco',
      base_url: standUrl,
      apply_live: 'on',
      sync_frequency: frequency,
      sync_hour: hour,
    });
    let html = await open();
    expect(html).toContain(`Every hour, at :${mm()}`);
    const refused = await app.request('/settings/integrations/hris', { host: HOST, cookie, form: form(html, 'daily', '24') });
    expect(refused.status).toBe(400);
    const refusal = await refused.text();
    expect(refusal).toContain('The hour must be a whole hour from 0 to 23 (UTC)');
    expect(refusal).toMatch(/id="hris-sync-hour"[^>]*aria-invalid="true"/);
    expect(refusal).toMatch(/id="hris-sync-hour"[^>]*value="24"/);
    expect((await integration()).schedule.frequency).toBe('hourly');

    const saved = await app.request('/settings/integrations/hris', { host: HOST, cookie, form: form(html, 'daily', '7') });
    expect(saved.status).toBe(303);
    const after = await integration();
    expect(after.schedule).toMatchObject({ frequency: 'daily', hour_utc: 7, next_sync_at: expect.stringMatching(new RegExp(`T07:${mm()}:00\\.000Z$`)) });
    expect(after).toMatchObject({ subdomain: 'schedco', api_key_set: true, apply_to: { live: true } });
    // A form without the schedule's fields (a page opened before they existed) leaves the schedule as it is.
    const { sync_frequency: _f, sync_hour: _h, ...older } = form(html, 'off', '');
    expect((await app.request('/settings/integrations/hris', { host: HOST, cookie, form: older })).status).toBe(303);
    expect((await integration()).schedule).toEqual(after.schedule);
    html = await open();
    expect(html).toContain(`Daily at 07:${mm()} UTC`);
    expect(html).toContain(`Next sync at ${after.schedule.next_sync_at.slice(0, 16).replace('T', ' ')} UTC`);
  });

  it('is not for a member without integrations.manage: the schedule stays as it is', async () => {
    const other = await buildMember(database, tenant, 'manager', { password: 'correct horse battery' });
    const cookie = await signInThroughForm(app, HOST, other.email, 'correct horse battery');
    const page = await app.request('/settings/integrations/hris', { host: HOST, cookie, headers: { accept: 'text/html' } });
    expect(page.status).toBe(403);
    const csrf = hiddenField(await (await app.request('/settings', { host: HOST, cookie, headers: { accept: 'text/html' } })).text(), 'csrf');
    const posted = await app.request('/settings/integrations/hris', { host: HOST, cookie, form: { csrf, sync_frequency: 'off', sync_hour: '' } });
    expect(posted.status).toBe(403);
    expect(await posted.text()).toContain('<code>integrations.manage</code>');
    expect((await integration()).schedule).toMatchObject({ frequency: 'daily', hour_utc: 7 });
  });
});

describe('two tenants', () => {
  it('get their own stable minutes, shown as the next sync, and each is claimed at its slot, once, by racing schedulers', async () => {
    // A second tenant on a plan with HRIS sync whose minute differs from the first's (ids are random: 1 in 60 share one).
    let other: Tenant | null = null;
    for (let i = 0; i < 20 && !other; i++) {
      const { tenant: candidate } = await importTenant(database, { slug: `hrissched${i}`, plan: 'business' });
      if (syncMinute(candidate.id) !== syncMinute(tenant.id)) other = candidate;
    }
    const otherToken = await memberToken(database, other!, 'owner');
    const otherHost = `${other!.slug}.localhost`;
    const sendOther = async (json?: unknown) => {
      const headers: Record<string, string> = { host: otherHost, authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' };
      const response = await app.app.request('/api/v1/integrations/hris', { method: json ? 'PUT' : 'GET', headers, body: json ? JSON.stringify(json) : undefined });
      return ((await response.json()) as any).data;
    };
    const put = await sendOther({ provider: 'bamboohr', subdomain: 'otherco', base_url: standUrl, api_key: API_KEY, apply_to: { live: true }, schedule: { frequency: 'hourly' } });
    const mine = (await schedule({ frequency: 'hourly' })).body.data.schedule;
    const theirs = put.schedule;

    // Each at its own minute past the hour, within the next hour; the minutes differ, so the slots do.
    for (const [shown, t] of [[mine, tenant], [theirs, other!]] as const) {
      expect(shown).toMatchObject({ frequency: 'hourly', minute_utc: syncMinute(t.id) });
      expect(new Date(shown.next_sync_at).getUTCMinutes()).toBe(shown.minute_utc);
      expect(new Date(shown.next_sync_at).getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    }
    expect(mine.next_sync_at).not.toBe(theirs.next_sync_at);
    // Stable: switching to daily and back finds the same minute and the same next slot.
    expect((await sendOther({ schedule: { frequency: 'daily', hour_utc: 3 } })).schedule).toMatchObject({ hour_utc: 3, minute_utc: theirs.minute_utc });
    expect((await sendOther({ schedule: { frequency: 'hourly' } })).schedule).toEqual({ ...theirs, hour_utc: 3 });
    expect((await sendOther()).schedule).toEqual({ ...theirs, hour_utc: 3 });

    // The clock steps through both slots: nothing a millisecond before a slot, exactly the one due at it, never twice.
    const [first, second] = [
      { shown: mine, subdomain: 'schedco', read: async () => (await integration()).schedule },
      { shown: theirs, subdomain: 'otherco', read: async () => (await sendOther()).schedule },
    ].sort((a, b) => a.shown.next_sync_at.localeCompare(b.shown.next_sync_at));
    const before = pulls.length;
    const race = (iso: string, offset = 0) => {
      const now = () => new Date(new Date(iso).getTime() + offset);
      return Promise.all([runDueHrisSyncs(deps, { now }), runDueHrisSyncs(deps, { now })]).then((n) => n[0]! + n[1]!);
    };
    expect(await race(first!.shown.next_sync_at, -1)).toBe(0);
    expect(await race(first!.shown.next_sync_at)).toBe(1);
    expect(pulls.slice(before)).toEqual([first!.subdomain]);
    expect(await race(first!.shown.next_sync_at)).toBe(0);
    expect(await race(second!.shown.next_sync_at, -1)).toBe(0);
    expect(await race(second!.shown.next_sync_at)).toBe(1);
    expect(pulls.slice(before)).toEqual([first!.subdomain, second!.subdomain]);
    expect(await race(second!.shown.next_sync_at)).toBe(0);
    // Each moved on by exactly an hour, to the same minute: what is shown next is again when it runs.
    for (const { shown, read } of [first!, second!]) {
      const next = await read();
      expect(new Date(next.next_sync_at).getTime() - new Date(shown.next_sync_at).getTime()).toBe(3_600_000);
    }
  });
});
