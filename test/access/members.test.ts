import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, memberships } from '../../src/db/schema/index.js';
import { SIGN_IN_LIMITS } from '../../src/access/sign-in.js';
import { issueApiToken } from '../../src/access/api-tokens.js';
import { effectiveAbilities } from '../../src/access/policy.js';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { saveConsent } from '../../src/oauth/consents.js';
import { listConnectedApps } from '../../src/oauth/index.js';
import type { User } from '../../src/access/users.js';
import { setMembership } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * Members (SPEC §3, §8): password-reset links only for members of a lower role who belong to this tenant alone, and
 * invitations that never sign anyone in as an existing account without that account's password.
 */
let database: Database;
let tenant: Tenant;
let otherTenant: Tenant;
let app: TestApp;
const HOST = 'members.localhost';
const OTHER_HOST = 'membersother.localhost';
const PASSWORD = 'correct horse battery';
let owner: User;
let admin: User;
let secondAdmin: User;
let manager: User;
let ownerCookie: string;
let adminCookie: string;

async function page(path: string, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
}

async function post(path: string, form: Record<string, string>, cookie: string, host = HOST) {
  const response = await app.request(path, { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), location: response.headers.get('location'), response };
}

async function csrf(cookie: string): Promise<string> {
  return hiddenField((await page('/settings/members', cookie)).html, 'csrf');
}

/** Asks for a reset link as `cookie`; the link's path when one is shown. */
async function resetLink(cookie: string, user: User) {
  const answer = await post(`/settings/members/${user.id}/reset`, { csrf: await csrf(cookie), email: user.email }, cookie);
  const path = /\/password-reset\/[A-Za-z0-9_-]+/.exec(answer.html)?.[0] ?? null;
  return { ...answer, path };
}

/** Uses a link page with its pre-session CSRF field and cookie, as a browser does. */
async function submitLinkForm(path: string, fields: Record<string, string>, host = HOST) {
  const form = await app.request(path, { host, headers: { accept: 'text/html' } });
  const html = await form.text();
  const cookie = cookiesOf(form);
  const answer = await post(path, { csrf: hiddenField(html, 'csrf'), ...fields }, cookie, host);
  return { form: html, ...answer, cookie: cookiesOf(answer.response, cookie) };
}

const canSignIn = (email: string, password: string, host = HOST) =>
  signInThroughForm(app, host, email, password).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'members', plan: 'business' });
  otherTenant = await buildTenant(database, { slug: 'membersother', plan: 'business' });
  app = testApp(database);
  owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  admin = await buildMember(database, tenant, 'admin', { password: PASSWORD });
  secondAdmin = await buildMember(database, tenant, 'admin', { password: PASSWORD });
  manager = await buildMember(database, tenant, 'manager', { password: PASSWORD });
  ownerCookie = await signInThroughForm(app, HOST, owner.email, PASSWORD);
  adminCookie = await signInThroughForm(app, HOST, admin.email, PASSWORD);
});
afterAll(() => database?.close());

describe('password-reset links', () => {
  it('are refused for the owner and for a member of the same role, and not offered on the page', async () => {
    for (const target of [owner, secondAdmin]) {
      const refused = await resetLink(adminCookie, target);
      expect(refused.status, target.email).toBe(409);
      expect(refused.path).toBeNull();
      expect(refused.html).toContain('Only someone with a higher role');
    }
    const members = (await page('/settings/members', adminCookie)).html;
    expect(members).not.toContain(`/settings/members/${owner.id}/reset`);
    expect(members).not.toContain(`/settings/members/${secondAdmin.id}/reset`);
    expect(members).toContain(`/settings/members/${manager.id}/reset`);
    expect(await canSignIn(owner.email, PASSWORD)).toBe(true);
  });

  it('work for a member of a lower role who belongs here only: the new password signs them in, the old one not', async () => {
    const person = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const link = await resetLink(adminCookie, person);
    expect(link.status).toBe(200);
    // The admin is told what using it will end, besides the old password.
    expect(link.html).toContain('Once used, it signs them out everywhere and revokes their connected apps and API tokens.');
    const used = await submitLinkForm(link.path!, { password: 'a brand new secret' });
    expect(used.status).toBe(200);
    expect(await canSignIn(person.email, 'a brand new secret')).toBe(true);
    expect(await canSignIn(person.email, PASSWORD)).toBe(false);
    // The owner outranks an admin.
    expect((await resetLink(ownerCookie, secondAdmin)).status).toBe(200);
  });

  it('replace each other: only the newest link works', async () => {
    const person = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    const first = await resetLink(adminCookie, person);
    expect(first.html).toMatch(/works until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const second = await resetLink(adminCookie, person);
    expect((await app.request(first.path!, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await submitLinkForm(second.path!, { password: 'the newest secret' })).status).toBe(200);
    expect(await canSignIn(person.email, 'the newest secret')).toBe(true);
  });

  it('are refused for someone who also belongs to another tenant (one password serves both)', async () => {
    const agency = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    await setMembership(database.db, otherTenant.id, agency.id, 'owner');
    const refused = await resetLink(adminCookie, agency);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('also belongs to another organisation');
    expect(await canSignIn(agency.email, PASSWORD, OTHER_HOST)).toBe(true);
  });

  it('issued earlier cannot be used once the person has joined another tenant', async () => {
    const person = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    const link = await resetLink(adminCookie, person);
    expect(link.path).not.toBeNull();
    await setMembership(database.db, otherTenant.id, person.id, 'owner');
    const used = await submitLinkForm(link.path!, { password: 'taken over at last' });
    expect(used.status).toBe(400);
    expect(used.html).toContain('This reset link cannot be used any more');
    expect(used.html).not.toContain('Invalid token');
    expect(await canSignIn(person.email, 'taken over at last', OTHER_HOST)).toBe(false);
    expect(await canSignIn(person.email, PASSWORD, OTHER_HOST)).toBe(true);
  });
});

describe('role changes', () => {
  it('are made only by someone of a higher role: an admin cannot lower a fellow admin (then reset their password), the owner can', async () => {
    const peer = await buildMember(database, tenant, 'admin', { password: PASSWORD });
    const roleOf = async () => (await database.db.select().from(memberships).where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, peer.id))))[0]!.role;
    const listed = (await page('/settings/members', adminCookie)).html;
    expect(listed).not.toContain(`action="/settings/members/${peer.id}/role"`);
    expect(listed).toContain(`action="/settings/members/${manager.id}/role"`);

    const refused = await post(`/settings/members/${peer.id}/role`, { csrf: await csrf(adminCookie), role: 'viewer' }, adminCookie);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Only someone with a higher role than admin can change their role');
    expect(await roleOf()).toBe('admin');
    expect((await resetLink(adminCookie, peer)).path).toBeNull();

    const byOwner = await post(`/settings/members/${peer.id}/role`, { csrf: await csrf(ownerCookie), role: 'manager' }, ownerCookie);
    expect(byOwner.status).toBe(303);
    expect(await roleOf()).toBe('manager');
  });
});

describe('archiving a peer', () => {
  it('is done only by someone of a higher role: an admin cannot archive or reactivate a fellow admin, the owner can', async () => {
    const peer = await buildMember(database, tenant, 'admin', { password: PASSWORD });
    const peerCookie = await signInThroughForm(app, HOST, peer.email, PASSWORD);
    const statusOf = async () => (await database.db.select().from(memberships).where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, peer.id))))[0]!.status;
    const listed = (await page('/settings/members', adminCookie)).html;
    expect(listed).not.toContain(`action="/settings/members/${peer.id}/archive"`);
    expect(listed).toContain(`action="/settings/members/${manager.id}/archive"`);

    const refused = await post(`/settings/members/${peer.id}/archive`, { csrf: await csrf(adminCookie) }, adminCookie);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Only someone with a higher role than admin can archive them');
    expect(await statusOf()).toBe('active');
    expect((await app.request('/api/v1/me', { host: HOST, cookie: peerCookie })).status).toBe(200);

    expect((await post(`/settings/members/${peer.id}/archive`, { csrf: await csrf(ownerCookie) }, ownerCookie)).status).toBe(303);
    expect(await statusOf()).toBe('archived');
    expect((await page('/settings/members', adminCookie)).html).not.toContain(`action="/settings/members/${peer.id}/reactivate"`);
    const notBack = await post(`/settings/members/${peer.id}/reactivate`, { csrf: await csrf(adminCookie) }, adminCookie);
    expect(notBack.status).toBe(409);
    expect(notBack.html).toContain('Only someone with a higher role than admin can reactivate them');
    expect(await statusOf()).toBe('archived');
    expect((await post(`/settings/members/${peer.id}/reactivate`, { csrf: await csrf(ownerCookie) }, ownerCookie)).status).toBe(303);
    expect(await statusOf()).toBe('active');
  });
});

describe('archiving', () => {
  it('signs the member out of this tenant only, not out of their other organisations', async () => {
    const agency = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    await setMembership(database.db, otherTenant.id, agency.id, 'viewer');
    const here = await signInThroughForm(app, HOST, agency.email, PASSWORD);
    const there = await signInThroughForm(app, OTHER_HOST, agency.email, PASSWORD);
    const archived = await post(`/settings/members/${agency.id}/archive`, { csrf: await csrf(adminCookie) }, adminCookie);
    expect(archived.status).toBe(303);
    expect((await app.request('/api/v1/me', { host: HOST, cookie: here })).status).toBe(401);
    expect((await app.request('/api/v1/me', { host: OTHER_HOST, cookie: there })).status).toBe(200);
  });
});

describe('archiving and reactivating', () => {
  it('revokes the member’s API tokens and connected apps for good: reactivation brings none back', async () => {
    const leaver = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const { secret } = await issueApiToken(database.db, {
      tenantId: tenant.id,
      userId: leaver.id,
      roleAbilities: effectiveAbilities(DEFAULT_BUNDLES.member, null, tenant.plan),
      name: 'laptop',
      abilities: ['org-units.read'],
    });
    await saveConsent(database.db, tenant.id, leaver.id, { clientId: 'leaver-client', clientName: 'Claude', clientKind: 'dynamic', scopes: ['mcp:use'], redirectHost: 'claude.ai' });
    expect((await app.request('/api/v1/me', { host: HOST, token: secret })).status).toBe(200);

    const archived = await post(`/settings/members/${leaver.id}/archive`, { csrf: await csrf(adminCookie) }, adminCookie);
    expect(archived.status).toBe(303);
    expect((await page(archived.location!, adminCookie)).html).toContain('their API tokens and connected apps are revoked');
    expect(await listConnectedApps(database.db, tenant.id, { userId: leaver.id })).toEqual([]);
    const reactivated = await post(`/settings/members/${leaver.id}/reactivate`, { csrf: await csrf(adminCookie) }, adminCookie);
    expect(reactivated.status).toBe(303);
    const refused = await app.request('/api/v1/me', { host: HOST, token: secret });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ detail: 'This API token has been revoked.' });
    const audit = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'revoked')));
    expect(audit.map((e) => e.entityType).sort()).toEqual(expect.arrayContaining(['api_token', 'oauth_app']));
  });
});

describe('archiving and reactivating a member with an unused password-reset link', () => {
  it('ends the link for good: reactivation does not bring it back', async () => {
    const leaver = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    const link = await resetLink(adminCookie, leaver);
    expect(link.path).not.toBeNull();
    expect((await post(`/settings/members/${leaver.id}/archive`, { csrf: await csrf(adminCookie) }, adminCookie)).status).toBe(303);
    expect((await post(`/settings/members/${leaver.id}/reactivate`, { csrf: await csrf(adminCookie) }, adminCookie)).status).toBe(303);
    expect((await app.request(link.path!, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(404);
    expect(await canSignIn(leaver.email, PASSWORD)).toBe(true);
  });
});

describe('ownership', () => {
  it('is transferred only by the owner, to an active member, who becomes owner while the old owner becomes admin', async () => {
    const company = await buildTenant(database, { slug: 'membersown', plan: 'business' });
    const host = 'membersown.localhost';
    const boss = await buildMember(database, company, 'owner', { password: PASSWORD });
    const heir = await buildMember(database, company, 'admin', { password: PASSWORD });
    const bossCookie = await signInThroughForm(app, host, boss.email, PASSWORD);
    const heirCookie = await signInThroughForm(app, host, heir.email, PASSWORD);
    const roleOf = async (user: User) =>
      (await database.db.select().from(memberships).where(and(eq(memberships.tenantId, company.id), eq(memberships.userId, user.id))))[0]!.role;
    const form = async (cookie: string) => hiddenField((await page('/settings/members', cookie, host)).html, 'csrf');

    expect((await page('/settings/members', heirCookie, host)).html).not.toContain('action="/settings/members/transfer"');
    expect((await page('/settings/members', bossCookie, host)).html).toContain('action="/settings/members/transfer"');
    const byAdmin = await post('/settings/members/transfer', { csrf: await form(heirCookie), user_id: heir.id, confirm: 'yes' }, heirCookie, host);
    expect(byAdmin.status).toBe(403);
    const unconfirmed = await post('/settings/members/transfer', { csrf: await form(bossCookie), user_id: heir.id }, bossCookie, host);
    expect(unconfirmed.status).toBe(409);
    expect(await roleOf(boss)).toBe('owner');

    const done = await post('/settings/members/transfer', { csrf: await form(bossCookie), user_id: heir.id, confirm: 'yes' }, bossCookie, host);
    expect(done.status).toBe(303);
    expect([await roleOf(heir), await roleOf(boss)]).toEqual(['owner', 'admin']);
    const me = (await (await app.request('/api/v1/me', { host, cookie: heirCookie })).json()) as { data: { role: string; abilities: string[] } };
    expect(me.data.role).toBe('owner');
    expect(me.data.abilities).toContain('ownership.transfer');
    // The old owner cannot take it back.
    const back = await post('/settings/members/transfer', { csrf: await form(bossCookie), user_id: boss.id, confirm: 'yes' }, bossCookie, host);
    expect(back.status).toBe(403);
  });
});

describe('invitations', () => {
  it('keep what was typed when refused: the email and the role come back with the reason', async () => {
    const refused = await post('/settings/members/invite', { csrf: await csrf(adminCookie), email: manager.email, role: 'manager' }, adminCookie);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('is already a member');
    expect(refused.html).toContain(`value="${manager.email}"`);
    expect(refused.html).toMatch(/<option value="manager" selected="">manager<\/option>/);
  });

  async function invite(email: string): Promise<string> {
    const created = await post('/settings/members/invite', { csrf: await csrf(adminCookie), email, role: 'viewer' }, adminCookie);
    expect(created.status).toBe(200);
    expect(created.response.headers.get('cache-control')).toBe('no-store'); // the single-use link is on this page
    expect(created.html).toMatch(/it is shown once and works until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    return /\/invitations\/[A-Za-z0-9_-]+/.exec(created.html)![0];
  }

  it('to an email already invited replace the earlier link: one pending invitation, the old link dead', async () => {
    const first = await invite('twice.asked@example.test');
    const second = await invite('twice.asked@example.test');
    const listed = (await page('/settings/members', adminCookie)).html;
    expect(listed.match(/twice\.asked@example\.test as/g)).toHaveLength(1);
    expect((await app.request(first, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await app.request(second, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('of an email that already has an account ask for that account’s password, and a wrong one joins nobody', async () => {
    const outsider = await buildMember(database, otherTenant, 'owner', { password: PASSWORD });
    const path = await invite(outsider.email);
    const wrong = await submitLinkForm(path, { password: 'whatever I like' });
    expect(wrong.form).toContain('You already have an Orgonaut account');
    expect(wrong.form).not.toContain('name="name"');
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('not the password of your existing account');
    expect(wrong.response.headers.getSetCookie().some((c) => /orgonaut_session=[^;]/.test(c))).toBe(false);
    const joined = await database.db.select().from(memberships).where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, outsider.id)));
    expect(joined).toHaveLength(0);
    expect(await canSignIn(outsider.email, PASSWORD, OTHER_HOST)).toBe(true);

    const right = await submitLinkForm(path, { password: PASSWORD });
    expect(right.status).toBe(303);
    expect(right.location).toBe('/live');
    const me = await app.request('/api/v1/me', { host: HOST, cookie: right.cookie });
    expect(((await me.json()) as { data: { user: { email: string }; role: string } }).data).toMatchObject({ user: { email: outsider.email }, role: 'viewer' });
    expect(await canSignIn(outsider.email, PASSWORD, OTHER_HOST)).toBe(true); // the password did not change
  });

  it('stop answering password guesses for an existing account after the sign-in limit, and record them', async () => {
    const target = await buildMember(database, otherTenant, 'owner', { password: PASSWORD });
    const path = await invite(target.email);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccount.limit; i++) {
      const wrong = await submitLinkForm(path, { password: `guess number ${i}` });
      expect(wrong.html).toContain('not the password of your existing account');
    }
    const blocked = await submitLinkForm(path, { password: PASSWORD });
    expect(blocked.status).toBe(400);
    expect(blocked.html).toContain('too many wrong passwords');
    const joined = await database.db.select().from(memberships).where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, target.id)));
    expect(joined).toHaveLength(0);
    const guesses = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.action, 'wrong_password'), eq(auditEvents.userId, target.id)));
    expect(guesses).toHaveLength(SIGN_IN_LIMITS.perAccount.limit);
  });

  it('sent by someone who can no longer invite (archived, or moved to a role without members.manage) let nobody in', async () => {
    for (const leaving of ['archive', 'role'] as const) {
      const inviter = await buildMember(database, tenant, 'admin', { password: PASSWORD });
      const inviterCookie = await signInThroughForm(app, HOST, inviter.email, PASSWORD);
      const email = `sock.puppet.${leaving}@example.test`;
      const created = await post('/settings/members/invite', { csrf: await csrf(inviterCookie), email, role: 'admin' }, inviterCookie);
      const path = /\/invitations\/[A-Za-z0-9_-]+/.exec(created.html)![0];
      // The link's form, opened while the inviter could still invite.
      const opened = await app.request(path, { host: HOST, headers: { accept: 'text/html' } });
      const linkCsrf = hiddenField(await opened.text(), 'csrf');
      const form: Record<string, string> = leaving === 'archive' ? {} : { role: 'viewer' };
      const done = await post(`/settings/members/${inviter.id}/${leaving}`, { csrf: await csrf(ownerCookie), ...form }, ownerCookie);
      expect(done.status).toBe(303);

      expect((await app.request(path, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(404);
      const accepted = await post(path, { csrf: linkCsrf, name: 'Sock Puppet', password: 'my own secret 1' }, cookiesOf(opened));
      expect(accepted.status).toBe(404);
      expect(accepted.html).toContain('not valid any more');
      expect(accepted.response.headers.getSetCookie().some((c) => /orgonaut_session=[^;]/.test(c))).toBe(false);
      expect(await canSignIn(email, 'my own secret 1')).toBe(false);
      expect((await page('/settings/members', ownerCookie)).html).not.toContain(email);
      const ended = await database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, 'invitation'), eq(auditEvents.action, 'revoked')));
      expect(ended.some((e) => (e.metadata as { reason?: string }).reason === (leaving === 'archive' ? 'inviter_archived' : 'inviter_role_changed'))).toBe(true);
    }
  });

  it('answer no more password guesses for an existing account than the limit when they are sent all at once', async () => {
    const target = await buildMember(database, otherTenant, 'owner', { password: PASSWORD });
    const path = await invite(target.email);
    const opened = await app.request(path, { host: HOST, headers: { accept: 'text/html' } });
    const linkCsrf = hiddenField(await opened.text(), 'csrf');
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => post(path, { csrf: linkCsrf, password: `burst guess ${i}` }, cookiesOf(opened)).then((a) => a.html)),
    );
    expect(answers.filter((html) => html.includes('not the password of your existing account'))).toHaveLength(SIGN_IN_LIMITS.perAccount.limit);
    expect(answers.filter((html) => html.includes('too many wrong passwords'))).toHaveLength(16 - SIGN_IN_LIMITS.perAccount.limit);
  });

  it('of a new email create the account with the name and password given', async () => {
    const path = await invite('fresh.face@example.test');
    const short = await submitLinkForm(path, { name: 'Fresh Face', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.html).toContain('use at least 10 characters');
    expect(short.html).toContain('value="Fresh Face"'); // the name typed is kept
    const joined = await submitLinkForm(path, { name: 'Fresh Face', password: 'my own secret 1' });
    expect(joined.form).toContain('You were invited as viewer (fresh.face@example.test)');
    expect(joined.status).toBe(303);
    expect(await canSignIn('fresh.face@example.test', 'my own secret 1')).toBe(true);
  });
});
