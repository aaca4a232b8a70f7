import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createApp, createRuntime } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, invitations } from '../../src/db/schema/index.js';
import type { User } from '../../src/access/users.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { cookiesOf, hiddenField, pageText, signInThroughForm, testConfig, toRequestInit, type RequestOptions, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { closedPort, decoded, header, SMTP_PASSWORD, SMTP_USER, smtpUrl, startSmtpStandIn, type Received, type SmtpStandIn } from '../support/smtp.js';

/**
 * Email delivery of invitations and password-reset links (SPEC §8: optional, over SMTP): a real SMTP server on
 * 127.0.0.1 receives what Settings → Members sends; the link in the email works; a dead server costs the link nothing;
 * without ORGONAUT_SMTP_URL nothing is sent; the SMTP password shows up nowhere.
 */
const HOST = 'mailing.localhost';
const PASSWORD = 'correct horse battery';
const FROM = 'Mailing Org <people@mailing.test>';

let database: Database;
let tenant: Tenant;
let owner: User;
let smtp: SmtpStandIn;
let smtpPort: number;
let inbox: Received[];

/** The web app with ORGONAUT_SMTP_URL / ORGONAUT_MAIL_FROM as given, and everything it logs. */
function appWith(env: Record<string, string>) {
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const config = loadConfig({ ORGONAUT_BASE_DOMAIN: 'localhost', ...env });
  const runtime = createRuntime(testConfig({ smtp: config.smtp, mailFrom: config.mailFrom }), database, logger);
  const app = createApp(runtime);
  const testApp: TestApp = { app, runtime, request: async (path: string, options: RequestOptions = {}) => app.request(path, toRequestInit(options)) };
  return { app: testApp, logs };
}

type App = ReturnType<typeof appWith>['app'];

async function post(app: App, path: string, form: Record<string, string>, cookie: string) {
  const response = await app.request(path, { host: HOST, cookie, headers: { origin: `http://${HOST}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text(), response };
}

async function signedIn(app: App) {
  const cookie = await signInThroughForm(app, HOST, owner.email, PASSWORD);
  const members = await app.request('/settings/members', { host: HOST, cookie, headers: { accept: 'text/html' } });
  return { cookie, csrf: hiddenField(await members.text(), 'csrf') };
}

async function invite(app: App, email: string, role = 'member') {
  const { cookie, csrf } = await signedIn(app);
  const answer = await post(app, '/settings/members/invite', { csrf, email, role }, cookie);
  const path = /\/invitations\/[A-Za-z0-9_-]+/.exec(answer.html)?.[0] ?? null;
  return { ...answer, text: pageText(answer.html), path };
}

/** Uses a link's page with its pre-session CSRF field and cookie, as a browser does. */
async function submitLinkForm(app: App, path: string, fields: Record<string, string>) {
  const form = await app.request(path, { host: HOST, headers: { accept: 'text/html' } });
  const cookie = cookiesOf(form);
  return post(app, path, { csrf: hiddenField(await form.text(), 'csrf'), ...fields }, cookie);
}

async function auditOf(entityType: string, action: string, entityId: string) {
  const [event] = await database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenant.id), eq(auditEvents.entityType, entityType), eq(auditEvents.action, action), eq(auditEvents.entityId, entityId)));
  return event!;
}

async function invitationId(email: string): Promise<string> {
  const rows = await database.db.select().from(invitations).where(and(eq(invitations.tenantId, tenant.id), eq(invitations.email, email)));
  return rows.at(-1)!.id;
}

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: 'mailing', name: 'Mailing Org', plan: 'business' });
  owner = await buildMember(database, tenant, 'owner', { password: PASSWORD });
  smtp = await startSmtpStandIn();
  smtpPort = smtp.port;
  inbox = smtp.inbox;
});
beforeEach(() => {
  inbox.length = 0;
});
afterAll(async () => {
  await smtp?.close();
  await database?.close();
});

describe('with ORGONAUT_SMTP_URL set', () => {
  it('emails the invitee their invitation From the configured address; the page says so and still shows the link, which works', async () => {
    const { app, logs } = appWith({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort), ORGONAUT_MAIL_FROM: FROM });
    const answer = await invite(app, 'ada.invitee@example.test', 'manager');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Emailed to ada.invitee@example.test.');
    expect(answer.path).not.toBeNull();

    expect(inbox).toHaveLength(1);
    const [mail] = inbox;
    expect(mail!.to).toEqual(['ada.invitee@example.test']);
    expect(mail!.from).toBe('people@mailing.test');
    expect(header(mail!.raw, 'From')).toBe(FROM);
    expect(header(mail!.raw, 'To')).toBe('ada.invitee@example.test');
    expect(header(mail!.raw, 'Subject')).toBe('Join Mailing Org on Orgonaut');
    const body = decoded(mail!.raw);
    // The link emailed is the link shown, absolute on the tenant's own host; the email names the inviter, the role and the expiry.
    expect(body).toContain(`http://${HOST}${answer.path}`);
    expect(body).toContain('owner user invited you to join Mailing Org on Orgonaut as manager');
    expect(body).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(body).toContain('text/html');

    const emailedPath = new URL(/http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/.exec(body)![0]).pathname;
    const joined = await submitLinkForm(app, emailedPath, { name: 'Ada Invitee', password: 'my own secret 1' });
    expect(joined.status).toBe(303);
    await signInThroughForm(app, HOST, 'ada.invitee@example.test', 'my own secret 1');

    const event = await auditOf('invitation', 'created', await invitationId('ada.invitee@example.test'));
    expect(event.metadata).toEqual({ email_delivery: 'sent' });
    expect(JSON.stringify(event)).not.toContain(answer.path!.split('/').pop());
    expect(logs.join('')).not.toContain(SMTP_PASSWORD);
    expect(logs.join('')).not.toContain(encodeURIComponent(SMTP_PASSWORD));
    expect(answer.html).not.toContain(SMTP_PASSWORD);
  });

  it('emails a password-reset link to the member’s own address, and the emailed link sets a new password', async () => {
    const { app } = appWith({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort) });
    const person = await buildMember(database, tenant, 'viewer', { password: PASSWORD });
    const { cookie, csrf } = await signedIn(app);
    // The address the form might carry is not where the link goes: the member's own is.
    const answer = await post(app, `/settings/members/${person.id}/reset`, { csrf, email: 'somebody.else@example.test' }, cookie);
    expect(answer.status).toBe(200);
    expect(pageText(answer.html)).toContain(`Emailed to ${person.email}.`);

    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to).toEqual([person.email]);
    expect(header(inbox[0]!.raw, 'From')).toBe('Orgonaut <no-reply@localhost>'); // the default From
    const body = decoded(inbox[0]!.raw);
    const url = /http:\/\/\S+\/password-reset\/[A-Za-z0-9_-]+/.exec(body)![0];
    expect(answer.html).toContain(url);
    const used = await submitLinkForm(app, new URL(url).pathname, { password: 'a brand new secret' });
    expect(used.status).toBe(200);
    await signInThroughForm(app, HOST, person.email, 'a brand new secret');
    expect((await auditOf('password_reset', 'issued', person.id)).metadata).toEqual({ email_delivery: 'sent' });
  });

  it('sends to the one address invited: a comma in it does not add a recipient', async () => {
    const { app } = appWith({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort) });
    const answer = await invite(app, 'first,spy@example.test');
    expect(answer.status).toBe(200);
    expect(inbox.flatMap((mail) => mail.to).filter((to) => to === 'spy@example.test')).toEqual([]);
    expect(inbox.flatMap((mail) => mail.to).length).toBeLessThanOrEqual(1);
  });

  it('with the mail server down, still creates the invitation and shows its link, saying the email was not sent', async () => {
    const { app, logs } = appWith({ ORGONAUT_SMTP_URL: smtpUrl(await closedPort()) });
    const started = Date.now();
    const answer = await invite(app, 'bob.unmailed@example.test');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('The email to bob.unmailed@example.test could not be sent: the mail server could not be reached. The link below works: send it yourself.');
    expect(answer.text).not.toContain('Emailed to');
    expect(answer.path).not.toBeNull();
    expect(answer.html).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
    expect((await app.request(answer.path!, { host: HOST, headers: { accept: 'text/html' } })).status).toBe(200);
    const event = await auditOf('invitation', 'created', await invitationId('bob.unmailed@example.test'));
    expect(event.metadata).toEqual({ email_delivery: 'failed', email_failure: 'the mail server could not be reached' });
    expect(logs.join('')).toContain('email not sent');
    expect(logs.join('')).not.toContain(SMTP_PASSWORD);
    expect(logs.join('')).not.toContain(encodeURIComponent(SMTP_PASSWORD));
  });

  it('with a wrong SMTP password, says the sign-in was refused, and the password is in neither the page nor the log', async () => {
    const wrong = 'not-the-Right-one-42';
    const { app, logs } = appWith({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort, wrong) });
    const answer = await invite(app, 'carol.refused@example.test');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('could not be sent: the mail server refused its sign-in (check ORGONAUT_SMTP_URL)');
    expect(answer.path).not.toBeNull();
    expect(inbox).toHaveLength(0);
    for (const text of [answer.html, logs.join('')]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(Buffer.from(`\0${SMTP_USER}\0${wrong}`).toString('base64'));
    }
  });
});

describe('without ORGONAUT_SMTP_URL', () => {
  it('sends no email: the page shows the link to copy, as before, and says email delivery is off', async () => {
    const { app } = appWith({});
    const answer = await invite(app, 'dan.copied@example.test');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Send this single-use link yourself');
    expect(answer.text).toContain('Email delivery is off');
    expect(answer.text).not.toContain('Emailed to');
    expect(answer.text).not.toContain('could not be sent');
    expect(answer.path).not.toBeNull();
    expect(inbox).toHaveLength(0);
    expect((await auditOf('invitation', 'created', await invitationId('dan.copied@example.test'))).metadata).toEqual({});
  });
});
