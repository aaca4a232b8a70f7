import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/** Members and account pages (SPEC §8): what a person is told before a destructive step and when choosing a password. */
let database: Database;
let tenant: Tenant;
let app: TestApp;
let owner: string;
const HOST = 'memberspage.localhost';
const PASSWORD = 'correct horse battery';

const get = async (path: string, cookie?: string) => {
  const response = await app.request(path, { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
};

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'memberspage', plan: 'business' });
  app = testApp(database);
  owner = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
});
afterAll(() => database?.close());

describe('Settings → Members', () => {
  it('asks before archiving a member, naming them, and not before reactivating', async () => {
    const member = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const page = await get('/settings/members', owner);
    expect(page.status).toBe(200);
    const archive = new RegExp(`<form method="post" action="/settings/members/${member.id}/archive" data-confirm="Archive [^"]+\\? Their sessions and tokens stop working\\.">`);
    expect(page.html).toMatch(archive);
    const csrf = hiddenField(page.html, 'csrf');
    const archived = await app.request(`/settings/members/${member.id}/archive`, { host: HOST, cookie: owner, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf } });
    expect(archived.status).toBeLessThan(400);
    const after = await get('/settings/members', owner);
    expect(after.html).toContain(`<form method="post" action="/settings/members/${member.id}/reactivate">`);
    // No password-reset link for someone who cannot sign in here any more.
    expect(page.html).toContain(`action="/settings/members/${member.id}/reset"`);
    expect(after.html).not.toContain(`action="/settings/members/${member.id}/reset"`);
  });
});

describe('Transfer ownership', () => {
  it('has no member chosen until the owner picks one, and says so when none is', async () => {
    const admin = await buildMember(database, tenant, 'admin', { password: PASSWORD });
    const page = await get('/settings/members', owner);
    expect(page.html).toMatch(/<select id="transfer-to" name="user_id" required="">\s*<option value="" selected="">Choose a member…<\/option>/);
    const refused = await app.request('/settings/members/transfer', {
      host: HOST,
      cookie: owner,
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(page.html, 'csrf'), user_id: '', confirm: 'yes' },
    });
    expect(refused.status).toBe(400);
    expect(pageText(await refused.text())).toContain('Choose the member who becomes the owner.');
    // Nobody became the owner.
    expect(pageText((await get('/settings/members', owner)).html)).toMatch(new RegExp(`${admin.email} active Role of ${admin.email} admin`));
  });
});

describe('a member without members.manage', () => {
  it('is refused inside the signed-in frame, with the navigation, as on the other pages', async () => {
    const viewer = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
    for (const path of ['/settings/members', '/settings/audit']) {
      const page = await get(path, viewer);
      expect(page.status, path).toBe(403);
      expect(page.html, path).toContain('<h1 id="error-title">Not available for your role</h1>');
      expect(page.html, path).toContain('<a href="/scenarios"');
      expect(page.html, path).toContain('Sign out');
    }
  });

  it('is told in the words of someone signed in what the page needs and who can give it — not of a token or a “tenant”', async () => {
    const viewer = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'viewer', { password: PASSWORD })).email, PASSWORD);
    const page = pageText((await get('/settings/members', viewer)).html);
    expect(page).toContain('This needs “members.manage” (invite members, change roles, archive members), which the viewer role does not include.');
    expect(page).toContain('Ask an owner or admin of this organisation for a role that includes it (in this organisation: owner, admin).');
    expect(page).not.toMatch(/token|tenant/);
    const member = await signInThroughForm(app, HOST, (await buildMember(database, tenant, 'member', { password: PASSWORD })).email, PASSWORD);
    expect(pageText((await get('/activity', member)).html)).toContain('This needs “activity.read” (see the activity log and audit trail), which the member role does not include.');
  });
});

describe('a password-reset link', () => {
  it('ends on a page saying the new password is set, whose link opens sign-in saying so too', async () => {
    const member = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const page = await get('/settings/members', owner);
    const issued = await app.request(`/settings/members/${member.id}/reset`, {
      host: HOST,
      cookie: owner,
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(page.html, 'csrf'), email: member.email },
    });
    const link = /\/password-reset\/[A-Za-z0-9_-]+/.exec(await issued.text())![0];
    const form = await app.request(link, { host: HOST, headers: { accept: 'text/html' } });
    const used = await app.request(link, {
      host: HOST,
      cookie: cookiesOf(form),
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(await form.text(), 'csrf'), password: 'a brand new secret' },
    });
    expect(used.status).toBe(200);
    const next = /href="(\/sign-in\?password=reset[^"]*)"/.exec(await used.text())![1]!.replaceAll('&amp;', '&');
    const signIn = await get(next);
    expect(signIn.status).toBe(200);
    expect(signIn.html).toContain('<p class="notice ok" role="status">Your new password is set. Sign in with it.</p>');
    expect((await get('/sign-in')).html).not.toContain('Your new password is set');
    // Used once, the link says so when opened again, instead of offering a form that cannot work.
    const again = await get(link);
    expect(again.status).toBe(404);
    expect(again.html).toContain('<h1>This link is not valid</h1>');
    expect(again.html).toContain('it was used already or it expired');
    expect(again.html).not.toContain('name="password"');
  });
});

describe('choosing a password', () => {
  it('says how long a new password must be, on the invitation and account pages', async () => {
    const page = await get('/settings/members', owner);
    const invited = await app.request('/settings/members/invite', {
      host: HOST,
      cookie: owner,
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(page.html, 'csrf'), email: 'newcomer@memberspage.test', role: 'member' },
    });
    const link = /\/invitations\/[A-Za-z0-9_-]+/.exec(await invited.text())![0];
    const join = await get(link);
    expect(join.status).toBe(200);
    expect(join.html).toMatch(/<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required="" aria-describedby="password-hint"\/>\s*<span class="hint" id="password-hint">At least 10 characters\.<\/span>/);
    // Joining signs the newcomer in: the member list shows when, not "never".
    const form = await app.request(link, { host: HOST, headers: { accept: 'text/html' } });
    const joined = await app.request(link, {
      host: HOST,
      cookie: cookiesOf(form),
      headers: { origin: `http://${HOST}`, accept: 'text/html' },
      form: { csrf: hiddenField(await form.text(), 'csrf'), name: 'New Comer', password: 'a long enough password' },
    });
    expect(joined.status).toBe(303);
    const members = await get('/settings/members', owner);
    expect(members.html).toMatch(/New Comer<div class="hint">newcomer@memberspage\.test<\/div><\/td>[\s\S]*?<td class="date">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>/);
    const account = await get('/account', owner);
    // The account page says who is signed in, with which role here.
    expect(account.html).toMatch(/<h2 id="me-title">Signed in as<\/h2><dl class="facts"><dt>Name<\/dt><dd>[^<]+<\/dd><dt>Email<\/dt><dd>[^<]+@[^<]+<\/dd><dt>Role<\/dt><dd>owner of [^<]+<\/dd>/);
    expect(account.html).toMatch(/aria-describedby="new_password-hint"\/>\s*<span class="hint" id="new_password-hint">At least 10 characters\.<\/span>/);
  });

  it('marks the password field a refused change is about on Your account, described by the refusal and focused to type again', async () => {
    const member = await buildMember(database, tenant, 'member', { password: PASSWORD });
    const cookie = await signInThroughForm(app, HOST, member.email, PASSWORD);
    const change = async (form: Record<string, string>) => {
      const csrf = hiddenField((await get('/account', cookie)).html, 'csrf');
      const response = await app.request('/account/password', { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form: { csrf, ...form } });
      expect(response.status).toBe(400);
      return response.text();
    };
    const inputOf = (html: string, id: string) => new RegExp(`<input id="${id}"[^>]*>`).exec(html)![0];
    const wrong = await change({ current_password: 'not my password', new_password: 'a brand new password', confirm_password: 'a brand new password' });
    expect(wrong).toContain('<p class="notice error" role="alert" id="pw-error">Your current password is not right.</p>');
    expect(inputOf(wrong, 'current_password')).toContain('aria-invalid="true" aria-describedby="pw-error" autofocus=""');
    expect(inputOf(wrong, 'new_password')).not.toContain('aria-invalid');
    const differ = await change({ current_password: PASSWORD, new_password: 'a brand new password', confirm_password: 'a brand new passw0rd' });
    expect(pageText(differ)).toContain('The two new passwords differ: type the new one again in both fields.');
    expect(inputOf(differ, 'new_password')).toContain('aria-invalid="true" aria-describedby="new_password-hint pw-error" autofocus=""');
    expect(inputOf(differ, 'current_password')).not.toContain('aria-invalid');
  });
});
