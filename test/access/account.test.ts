import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, memberships } from '../../src/db/schema/index.js';
import { SIGN_IN_LIMITS } from '../../src/access/sign-in.js';
import { setMembership } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Your account → Change password, as a person (and someone at an unattended, signed-in browser) uses it. */
let database: Database;
let app: TestApp;
let tenant: Tenant;
const HOST = 'account.localhost';
const ORIGIN = `http://${HOST}`;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'account', plan: 'business' });
  app = testApp(database);
});
afterAll(() => database?.close());

async function signedIn(role: 'member' | 'owner' = 'member') {
  const user = await buildMember(database, tenant, role, { password: PASSWORD });
  const cookie = await signInThroughForm(app, HOST, user.email, PASSWORD, '/account');
  const page = await app.request('/account', { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { user, cookie, csrf: hiddenField(await page.text(), 'csrf') };
}

function change(who: { cookie: string; csrf: string }, current: string, next = 'a brand new password') {
  return app.request('/account/password', {
    host: HOST,
    cookie: who.cookie,
    headers: { origin: ORIGIN, accept: 'text/html' },
    form: { csrf: who.csrf, current_password: current, new_password: next, confirm_password: next },
  });
}

describe('changing the password', () => {
  it('is recorded in the security log', async () => {
    const me = await signedIn();
    const changed = await change(me, PASSWORD);
    expect(changed.status).toBe(303);
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'password_changed'), eq(auditEvents.entityId, me.user.id)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ category: 'security', userId: me.user.id });
  });

  it('is recorded in the log of every organisation the person belongs to (one password opens them all), not of one they left', async () => {
    const me = await signedIn();
    const other = await buildTenant(database, { plan: 'business' });
    const left = await buildTenant(database, { plan: 'business' });
    await setMembership(database.db, other.id, me.user.id, 'viewer');
    await setMembership(database.db, left.id, me.user.id, 'viewer');
    await database.db.update(memberships).set({ status: 'archived' }).where(and(eq(memberships.tenantId, left.id), eq(memberships.userId, me.user.id)));
    expect((await change(me, PASSWORD)).status).toBe(303);
    const logged = async (t: Tenant) =>
      database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, t.id), eq(auditEvents.action, 'password_changed'), eq(auditEvents.entityId, me.user.id)));
    expect(await logged(tenant)).toHaveLength(1);
    const elsewhere = await logged(other);
    expect(elsewhere).toHaveLength(1);
    expect(elsewhere[0]).toMatchObject({ category: 'security', userId: me.user.id, metadata: { changed_in: tenant.slug } });
    expect(await logged(left)).toHaveLength(0);
  });

  it('records a wrong current password like a failed sign-in (without the password)', async () => {
    const me = await signedIn();
    expect((await change(me, 'a guess at it')).status).toBe(400);
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'password_change_refused'), eq(auditEvents.entityId, me.user.id)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ category: 'security', userId: me.user.id, metadata: { reason: 'wrong_current_password' } });
    expect(JSON.stringify(events[0])).not.toContain('a guess at it');
  });

  it('lets no more guesses of the current password through than the limit when they are sent all at once', async () => {
    const me = await signedIn();
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => change(me, `burst guess ${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 400)).toHaveLength(SIGN_IN_LIMITS.perAccount.limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16 - SIGN_IN_LIMITS.perAccount.limit);
  });

  it('stops guessing the current password from an open session, even with the right one after the limit', async () => {
    const me = await signedIn();
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount.limit; i++) {
      const wrong = await change(me, `guess number ${i}`);
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('Your current password is not right.');
    }
    const blocked = await change(me, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Too many wrong current passwords');
    // The password did not change: signing in with the old one still works.
    await expect(signInThroughForm(app, HOST, me.user.email, PASSWORD)).resolves.toBeTruthy();
  });
});
