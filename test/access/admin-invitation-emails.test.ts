import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { sendAdminCommand } from '../../src/admin/channel.js';
import { runAdminCommand } from '../../src/admin/commands.js';
import { loadConfig } from '../../src/config.js';
import { fromPglite, type Database } from '../../src/db/connection.js';
import { migrate } from '../../src/db/migrate.js';
import { auditEvents, invitations } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/logger.js';
import { createMailer } from '../../src/mail/mailer.js';
import { startServer } from '../../src/server.js';
import { cookiesOf, hiddenField, pageText, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';
import { closedPort, decoded, header, SMTP_PASSWORD, smtpUrl, startSmtpStandIn, type Received, type SmtpStandIn } from '../support/smtp.js';

/**
 * `orgonaut members invite` emails the invitee as Settings → Members does (one invitation service, access/members.ts),
 * through ORGONAUT_SMTP_URL: a real SMTP server on 127.0.0.1 receives it, and the emailed link makes the owner. Without
 * SMTP, or with a mail server down, the command still makes the invitation and prints its link, saying why it was
 * not emailed, and exits 0 (as the page answers 200).
 */
const FROM = 'Operators <ops@orgonaut.test>';

let database: Database;
let app: TestApp;
let smtp: SmtpStandIn;
let smtpPort: number;
let inbox: Received[];

/** The mailer the command gets where ORGONAUT_SMTP_URL is `url`. */
function mailerFor(url: string) {
  return createMailer(loadConfig({ ORGONAUT_BASE_DOMAIN: 'localhost', ORGONAUT_SMTP_URL: url, ORGONAUT_MAIL_FROM: FROM }), createLogger('silent'));
}

async function auditsOf(tenantId: string, action: string) {
  return database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.entityType, 'invitation'), eq(auditEvents.action, action)));
}

/** Opens an invitation link's page and accepts it with a name and password, as a browser does. */
async function accept(host: string, linkPath: string, name: string, password: string) {
  const page = await app.request(linkPath, { host, headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  const cookie = cookiesOf(page);
  return app.request(linkPath, { host, cookie, headers: { origin: `http://${host}` }, form: { csrf: hiddenField(await page.text(), 'csrf'), name, password } });
}

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
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

describe('orgonaut members invite with ORGONAUT_SMTP_URL set', () => {
  it('emails the invitee one message, naming no inviter, whose link makes them the owner', async () => {
    const tenant = await buildTenant(database, { slug: 'mailedco', name: 'Mailed Co', plan: 'business' });
    const mailer = mailerFor(smtpUrl(smtpPort));
    const invited = await runAdminCommand(database, { name: 'members.invite', tenant: 'mailedco', email: 'Ada@Mailed.test', role: 'owner', origin: 'http://mailedco.localhost:3000' }, { mailer });
    const url = (invited.data as { url: string }).url;
    expect(invited.message).toContain('Emailed the link to ada@mailed.test.');
    expect(invited.message).not.toContain('send this link yourself');
    expect(invited.message.split('\n').at(-1)).toBe(url);
    expect(invited.data).toMatchObject({ delivery: { status: 'sent', to: 'ada@mailed.test' } });

    expect(inbox).toHaveLength(1);
    const [mail] = inbox;
    expect(mail!.to).toEqual(['ada@mailed.test']);
    expect(header(mail!.raw, 'From')).toBe(FROM);
    expect(header(mail!.raw, 'Subject')).toBe('Join Mailed Co on Orgonaut');
    const body = decoded(mail!.raw);
    // The operator is nobody the invitee knows: the email names no inviter (not "null invited you").
    expect(body).toContain('You are invited to join Mailed Co on Orgonaut as owner.');
    expect(body).not.toMatch(/null|undefined/);
    const emailed = /http:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/.exec(body)![0];
    expect(emailed).toBe(url);

    const accepted = await accept('mailedco.localhost', new URL(emailed).pathname, 'Ada Mailed', 'a long enough password');
    expect(accepted.status).toBe(303);
    await signInThroughForm(app, 'mailedco.localhost', 'ada@mailed.test', 'a long enough password');
    expect((await runAdminCommand(database, { name: 'members.list', tenant: 'mailedco' })).message).toMatch(/^ada@mailed\.test\s+owner\s+active\s+Ada Mailed$/m);

    // The security log says who made it and that the email went, and holds neither the link nor the SMTP password.
    const [created] = await auditsOf(tenant.id, 'created');
    expect(created!.metadata).toEqual({ via: 'admin-cli', email_delivery: 'sent' });
    expect(created!.principalKind).toBe('system');
    expect(JSON.stringify(created)).not.toContain(url.split('/').pop());
    expect(invited.message).not.toContain(SMTP_PASSWORD);
    // Only the hash of the token is kept.
    const [row] = await database.db.select().from(invitations).where(eq(invitations.tenantId, tenant.id));
    expect(row!.tokenHash).not.toBe(url.split('/').pop());
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with the mail server down keeps the invitation: the link is printed and works, the failure named and audited', async () => {
    const tenant = await buildTenant(database, { slug: 'downco', name: 'Down Co', plan: 'business' });
    const invited = await runAdminCommand(
      database,
      { name: 'members.invite', tenant: 'downco', email: 'bo@down.test', role: 'owner', origin: 'http://downco.localhost:3000' },
      { mailer: mailerFor(smtpUrl(await closedPort())) },
    );
    const url = (invited.data as { url: string }).url;
    expect(invited.message).toContain('The email to bo@down.test could not be sent: the mail server could not be reached. The invitation stands: send this link yourself.');
    expect(invited.message).not.toContain('Emailed');
    expect(invited.message.split('\n').at(-1)).toBe(url);
    expect(invited.message).not.toMatch(/ECONNREFUSED/);
    expect(inbox).toHaveLength(0);
    expect((await app.request(new URL(url).pathname, { host: 'downco.localhost', headers: { accept: 'text/html' } })).status).toBe(200);
    const [created] = await auditsOf(tenant.id, 'created');
    expect(created!.metadata).toEqual({ via: 'admin-cli', email_delivery: 'failed', email_failure: 'the mail server could not be reached' });
  });
});

describe('one invitation service for the admin command and Settings → Members', () => {
  it('a member inviting the same person again replaces the operator’s link, each step audited as the one rule', async () => {
    const tenant = await buildTenant(database, { slug: 'sharedco', name: 'Shared Co', plan: 'business' });
    const owner = await buildMember(database, tenant, 'owner', { password: 'correct horse battery' });
    const first = await runAdminCommand(database, { name: 'members.invite', tenant: 'sharedco', email: 'cy@shared.test', role: 'viewer', origin: 'http://sharedco.localhost:3000' });
    expect(first.message).toContain('SMTP is not configured (ORGONAUT_SMTP_URL): send this link yourself.');

    // The owner invites cy again on the web, with email delivery on: the operator's link stops working, cy is emailed
    // the new one, naming the owner as the inviter.
    const mailing = testApp(database, { smtp: loadConfig({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort) }).smtp });
    const host = 'sharedco.localhost';
    const cookie = await signInThroughForm(mailing, host, owner.email, 'correct horse battery');
    const members = await mailing.request('/settings/members', { host, cookie, headers: { accept: 'text/html' } });
    const answer = await mailing.request('/settings/members/invite', {
      host,
      cookie,
      headers: { origin: `http://${host}`, accept: 'text/html' },
      form: { csrf: hiddenField(await members.text(), 'csrf'), email: 'cy@shared.test', role: 'manager' },
    });
    expect(answer.status).toBe(200);
    expect(pageText(await answer.text())).toContain('Emailed to cy@shared.test.');
    expect(inbox).toHaveLength(1);
    expect(decoded(inbox[0]!.raw)).toContain(`${owner.name} invited you to join Shared Co on Orgonaut as manager`);
    expect((await app.request(new URL((first.data as { url: string }).url).pathname, { host, headers: { accept: 'text/html' } })).status).not.toBe(200);

    const revoked = await auditsOf(tenant.id, 'revoked');
    expect(revoked.map((e) => ({ before: e.before, metadata: e.metadata, user: e.userId }))).toEqual([{ before: { email: 'cy@shared.test', role: 'viewer' }, metadata: { reason: 'replaced' }, user: owner.id }]);
    const created = await auditsOf(tenant.id, 'created');
    expect(created.map((e) => e.metadata).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ email_delivery: 'sent' }, { via: 'admin-cli' }]);

    // And the operator's command refuses a present member as the web does, naming them.
    await expect(runAdminCommand(database, { name: 'members.invite', tenant: 'sharedco', email: owner.email, role: 'admin', origin: 'http://x' })).rejects.toThrow(
      `${owner.email} is already a member of sharedco (owner, active).`,
    );
  });
});

/** An embedded data directory, a copy of the run's migrated template where there is one (on PGlite). */
async function embeddedDataDir(prefix: string): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const template = inject('pgliteTemplate');
  if (template) {
    const seeded = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: new Blob([fs.readFileSync(template)]) });
    await seeded.waitReady;
    await seeded.close();
  } else {
    // No template on a PostgreSQL run (the suite's template is made for embedded runs): migrate the directory here.
    const fresh = fromPglite(new PGlite(path.join(dataDir, 'pgdata')), 'setup');
    await migrate(fresh);
    await fresh.close();
  }
  return dataDir;
}

describe('the orgonaut command', () => {
  it('says whether it emailed the link, prints it either way, and exits 0 when only the email failed', async () => {
    // In this process, on an embedded data directory (a copy of the run's migrated template), as admin-members.test.ts runs it.
    const dataDir = await embeddedDataDir('orgonaut-invite-mail-');
    const keys = ['ORGONAUT_DATA_DIR', 'PORT', 'ORGONAUT_BASE_DOMAIN', 'DATABASE_URL', 'ORGONAUT_SMTP_URL', 'ORGONAUT_MAIL_FROM'];
    const saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]));
    const setEnv = (values: Record<string, string | undefined>) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    };
    const run = (args: string[]) => runCli(args, path.join(dataDir, 'cli.json'));
    setEnv({ ORGONAUT_DATA_DIR: dataDir, PORT: '4124', ORGONAUT_BASE_DOMAIN: 'orgonaut.test', DATABASE_URL: undefined, ORGONAUT_SMTP_URL: undefined, ORGONAUT_MAIL_FROM: undefined });
    try {
      expect((await run(['tenants', 'create', 'cmdco', '--plan', 'team', '--name', 'Cmd Co'])).code).toBe(0);

      const unmailed = await run(['members', 'invite', '--tenant', 'cmdco', '--email', 'ann@cmd.test', '--role', 'admin']);
      expect(unmailed.code, unmailed.stderr).toBe(0);
      expect(unmailed.stdout).toMatch(/^Invited ann@cmd\.test to cmdco as admin\. SMTP is not configured \(ORGONAUT_SMTP_URL\): send this link yourself\./);
      expect(unmailed.stdout).toMatch(/^http:\/\/cmdco\.orgonaut\.test:4124\/invitations\/[\w-]{40,}$/m);
      expect(inbox).toHaveLength(0);

      setEnv({ ORGONAUT_SMTP_URL: smtpUrl(smtpPort), ORGONAUT_MAIL_FROM: FROM });
      const mailed = await run(['members', 'invite', '--tenant', 'cmdco', '--email', 'ben@cmd.test']);
      expect(mailed.code, mailed.stderr).toBe(0);
      expect(mailed.stdout).toContain('Invited ben@cmd.test to cmdco as owner. Emailed the link to ben@cmd.test.');
      const printed = /^http:\/\/\S+$/m.exec(mailed.stdout)![0];
      expect(inbox).toHaveLength(1);
      expect(inbox[0]!.to).toEqual(['ben@cmd.test']);
      expect(decoded(inbox[0]!.raw)).toContain(printed);
      expect(decoded(inbox[0]!.raw)).toContain('You are invited to join Cmd Co on Orgonaut as owner.');
      expect(mailed.stdout + mailed.stderr).not.toContain(SMTP_PASSWORD);

      setEnv({ ORGONAUT_SMTP_URL: smtpUrl(await closedPort()) });
      const failed = await run(['members', 'invite', '--tenant', 'cmdco', '--email', 'cat@cmd.test', '--role', 'viewer', '--json']);
      expect(failed.code, failed.stderr).toBe(0);
      expect(JSON.parse(failed.stdout)).toMatchObject({ email: 'cat@cmd.test', role: 'viewer', delivery: { status: 'failed', to: 'cat@cmd.test', reason: 'the mail server could not be reached' } });
      const failedText = await run(['members', 'invite', '--tenant', 'cmdco', '--email', 'cat@cmd.test', '--role', 'viewer']);
      expect(failedText.code, failedText.stderr).toBe(0);
      expect(failedText.stdout).toContain('The email to cat@cmd.test could not be sent: the mail server could not be reached. The invitation stands: send this link yourself.');
      expect(failedText.stdout).toMatch(/^http:\/\/cmdco\.orgonaut\.test:4124\/invitations\/[\w-]{40,}$/m);
      expect(failedText.stderr).toBe('');
      // The invitations stand: each person's link is pending.
      const listed = await run(['members', 'list', '--tenant', 'cmdco']);
      expect(listed.stdout).toMatch(/^ann@cmd\.test\s+admin\s+invited/m);
      expect(listed.stdout).toMatch(/^ben@cmd\.test\s+owner\s+invited/m);
      expect(listed.stdout).toMatch(/^cat@cmd\.test\s+viewer\s+invited/m);
    } finally {
      setEnv(saved);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('orgonaut members invite through a running server’s admin channel', () => {
  it('is emailed through the server’s ORGONAUT_SMTP_URL, by the one mailer Settings → Members uses too', async () => {
    const dataDir = await embeddedDataDir('orgonaut-invite-channel-');
    // A tenant already there: the server does not seed the demo into an empty directory.
    const before = fromPglite(new PGlite(path.join(dataDir, 'pgdata')), 'setup');
    await runAdminCommand(before, { name: 'tenants.create', slug: 'chanco', plan: 'team', tenantName: 'Chan Co' });
    await before.close();
    const config = loadConfig({ ORGONAUT_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ORGONAUT_BASE_DOMAIN: 'localhost', ORGONAUT_LOG_LEVEL: 'silent', ORGONAUT_SMTP_URL: smtpUrl(smtpPort) });
    const server = await startServer(config);
    try {
      // One mailer per process: the channel's invitation goes out through the app's.
      const sent = vi.spyOn(server.runtime.mailer!, 'send');
      const invited = await sendAdminCommand(dataDir, { name: 'members.invite', tenant: 'chanco', email: 'dee@chan.test', role: 'owner', origin: 'http://ignored' });
      expect(invited!.message).toContain('Emailed the link to dee@chan.test.');
      expect(sent).toHaveBeenCalledTimes(1);
      expect(sent.mock.calls[0]![0]).toMatchObject({ to: 'dee@chan.test', subject: 'Join Chan Co on Orgonaut' });
      const url = (invited!.data as { url: string }).url;
      expect(url).toMatch(new RegExp(`^http://chanco\\.localhost:${server.port}/invitations/`));
      expect(inbox).toHaveLength(1);
      expect(inbox[0]!.to).toEqual(['dee@chan.test']);
      expect(decoded(inbox[0]!.raw)).toContain(url);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
