import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminFilePath, sendAdminCommand } from '../../src/admin/channel.js';
import { runAdminCommand, type AdminResult } from '../../src/admin/commands.js';
import type { Database } from '../../src/db/connection.js';
import { auditEvents, invitations, memberships } from '../../src/db/schema/index.js';
import { AppError } from '../../src/errors.js';
import { cookiesOf, hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant } from '../support/factories.js';

/**
 * `orgonaut members invite|list`: a tenant made with `tenants create` has nobody who can sign in; the operator
 * invites its owner, who opens the printed link, sets a password and is the tenant's owner.
 */

let database: Database;
let app: TestApp;

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
});
afterAll(() => database?.close());

const admin = (command: Parameters<typeof runAdminCommand>[1]) => runAdminCommand(database, command);

async function refusal(command: Parameters<typeof runAdminCommand>[1]): Promise<AppError> {
  const error = await admin(command).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('orgonaut members invite', () => {
  it('gives a new tenant its first owner through a single-use link that sets their password', async () => {
    await admin({ name: 'tenants.create', slug: 'freshco', plan: 'business', tenantName: 'Fresh Co' });
    expect((await admin({ name: 'tenants.set-plan', slug: 'freshco', plan: 'business' })).message).toBe('Tenant freshco is already on the business plan; nothing changed.');
    const empty = await admin({ name: 'members.list', tenant: 'freshco' });
    expect(empty.message).toContain('freshco has no members yet');

    const invited: AdminResult = await admin({ name: 'members.invite', tenant: 'freshco', email: 'Ada@Fresh.test', role: 'owner', origin: 'http://freshco.localhost:3000' });
    const url = (invited.data as { url: string }).url;
    expect((await admin({ name: 'members.list', tenant: 'freshco' })).message).toMatch(/^ada@fresh\.test\s+owner\s+invited\s+\(link valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    expect(url).toMatch(/^http:\/\/freshco\.localhost:3000\/invitations\/[\w-]{40,}$/);
    expect(invited.message).toContain(url);

    // The link works as one made in Settings → Members: set a name and password, and you are signed in.
    const host = 'freshco.localhost';
    const linkPath = new URL(url).pathname;
    const page = await app.request(linkPath, { host, headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const cookie = cookiesOf(page);
    const accepted = await app.request(linkPath, {
      host,
      cookie,
      headers: { origin: `http://${host}` },
      form: { csrf: hiddenField(await page.text(), 'csrf'), name: 'Ada Lovelace', password: 'a long enough password' },
    });
    expect(accepted.status).toBe(303);
    await signInThroughForm(app, host, 'ada@fresh.test', 'a long enough password');

    const members = await admin({ name: 'members.list', tenant: 'freshco' });
    expect(members.message).toMatch(/^ada@fresh\.test\s+owner\s+active\s+Ada Lovelace$/m);
    // Used once: the same link is gone.
    expect((await app.request(linkPath, { host, headers: { accept: 'text/html' } })).status).not.toBe(200);
  });

  it('refuses a second owner, a present member, an unknown role or tenant, each with the reason', async () => {
    expect((await refusal({ name: 'members.invite', tenant: 'freshco', email: 'bob@fresh.test', role: 'owner', origin: 'http://x' })).message).toBe(
      'freshco already has an owner (ada@fresh.test).',
    );
    expect((await refusal({ name: 'members.invite', tenant: 'freshco', email: 'ada@fresh.test', role: 'admin', origin: 'http://x' })).message).toContain(
      'already a member of freshco (owner, active)',
    );
    expect((await refusal({ name: 'members.invite', tenant: 'freshco', email: 'bob@fresh.test', role: 'boss', origin: 'http://x' })).code).toBe('invalid_input');
    expect((await refusal({ name: 'members.invite', tenant: 'nosuchco', email: 'bob@fresh.test', role: 'admin', origin: 'http://x' })).code).toBe('not_found');
    const admitted = await admin({ name: 'members.invite', tenant: 'freshco', email: 'bob@fresh.test', role: 'admin', origin: 'http://x' });
    expect(admitted.message).toContain('as admin');
  });

  it('keeps one owner invitation and one per person open: inviting again replaces the earlier link', async () => {
    await admin({ name: 'tenants.create', slug: 'lostlink', plan: 'team' });
    const first = await admin({ name: 'members.invite', tenant: 'lostlink', email: 'cy@lost.test', role: 'owner', origin: 'http://lostlink.localhost:3000' });
    const second = await admin({ name: 'members.invite', tenant: 'lostlink', email: 'di@lost.test', role: 'owner', origin: 'http://lostlink.localhost:3000' });
    expect(second.message).toContain('The earlier invitation link (cy@lost.test as owner) no longer works.');
    const host = 'lostlink.localhost';
    const page = (result: AdminResult) => app.request(new URL((result.data as { url: string }).url).pathname, { host, headers: { accept: 'text/html' } });
    expect((await page(first)).status).not.toBe(200);
    expect((await page(second)).status).toBe(200);
    // Inviting the same person again (a lost link) replaces their link too, whatever the role.
    const third = await admin({ name: 'members.invite', tenant: 'lostlink', email: 'ed@lost.test', role: 'viewer', origin: 'http://lostlink.localhost:3000' });
    const fourth = await admin({ name: 'members.invite', tenant: 'lostlink', email: 'ed@lost.test', role: 'manager', origin: 'http://lostlink.localhost:3000' });
    expect(fourth.message).toContain('The earlier invitation link (ed@lost.test as viewer) no longer works.');
    expect((await page(third)).status).not.toBe(200);
    expect((await page(fourth)).status).toBe(200);
    expect((await page(second)).status).toBe(200);
    // Each replaced link is in the security log.
    const revoked = await database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'invitation'), eq(auditEvents.action, 'revoked')));
    expect(revoked.map((e) => (e.before as { email: string }).email).sort()).toEqual(['cy@lost.test', 'ed@lost.test']);
  });
});

describe('orgonaut members list', () => {
  it('shows only invitations that still work, as Settings → Members does: not one whose sender may no longer invite', async () => {
    const tenant = await buildTenant(database, { slug: 'deadlinks', plan: 'business' });
    const sender = await buildMember(database, tenant, 'admin');
    const live = await admin({ name: 'members.invite', tenant: 'deadlinks', email: 'kept@dead.test', role: 'viewer', origin: 'http://deadlinks.localhost:3000' });
    expect(live.message).toContain('kept@dead.test');
    // An invitation an admin sent, who was archived before archiving ended their invitations (rows from then).
    await database.db.insert(invitations).values({ tenantId: tenant.id, email: 'dead@dead.test', role: 'admin', tokenHash: 'x'.repeat(64), invitedBy: sender.id, expiresAt: new Date(Date.now() + 86_400_000) });
    expect((await admin({ name: 'members.list', tenant: 'deadlinks' })).message).toContain('dead@dead.test');
    await database.db.update(memberships).set({ status: 'archived' }).where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, sender.id)));

    const listed = await admin({ name: 'members.list', tenant: 'deadlinks' });
    expect(listed.message).not.toContain('dead@dead.test');
    expect(listed.message).toMatch(/kept@dead\.test\s+viewer\s+invited/);
    expect((listed.data as { invitations: { email: string }[] }).invitations.map((i) => i.email)).toEqual(['kept@dead.test']);
  });
});

describe('the admin command line', () => {
  it('prints the invitation link on the tenant host of the configuration, and refuses a misspelt option', async () => {
    // In this process (runCli: main() and reportFailure, as the `orgonaut` command runs them), in the configuration of
    // an embedded deployment: a process per command cost seconds each to load and open the data directory.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-members-'));
    const env: Record<string, string | undefined> = { ORGONAUT_DATA_DIR: dataDir, PORT: '4123', ORGONAUT_BASE_DOMAIN: 'orgonaut.test', DATABASE_URL: undefined };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    const setEnv = (values: Record<string, string | undefined>) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    };
    const run = (args: string[]) => runCli(args, path.join(dataDir, 'cli.json'));
    // The data directory starts as a copy of the run's migrated template, where there is one (on PGlite), so the
    // commands do not each wait for the migrations; they run on it as on any embedded deployment's.
    const template = inject('pgliteTemplate');
    if (template) {
      const seeded = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: new Blob([fs.readFileSync(template)]) });
      await seeded.waitReady;
      await seeded.close();
    }
    setEnv(env);
    try {
      const misspelt = await run(['members', 'invite', '--tenant', 'newco', '--mail', 'ada@newco.test']);
      expect(misspelt.code).toBe(2);
      expect(misspelt.stderr).toContain('unknown option --mail (did you mean --email?) for "members"');
      const created = await run(['tenants', 'create', 'newco', '--plan', 'team']);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout.trim()).toBe(`Created tenant newco on the team plan, in the embedded database in ${dataDir}.`);
      const invited = await run(['members', 'invite', '--tenant', 'newco', '--email', 'ada@newco.test']);
      expect(invited.code, invited.stderr).toBe(0);
      expect(invited.stdout).toMatch(/^Invited ada@newco\.test to newco as owner\./);
      expect(invited.stdout).toMatch(/^http:\/\/newco\.orgonaut\.test:4123\/invitations\/[\w-]{40,}$/m);

      // A word a command does not take is refused (exit 2) before anything is done, never ignored.
      const usage = async (args: string[], message: string) => {
        const result = await run(args);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr.split('\n')[0]).toBe(`orgonaut: ${message}`);
      };
      await usage(['tokens', 'revoke', 'id-1', 'id-2', '--tenant', 'newco'], 'unexpected argument "id-2" for "tokens revoke id-1"');
      await usage(['tenants', 'list', 'newco'], 'unexpected argument "newco" for "tenants list"');
      await usage(['migrate', 'now'], 'unexpected argument "now" for "migrate"');
      await usage(['seed'], 'seed needs --demo, or --tenant <slug> --actors <N>');
      // With --json the same mistake is JSON on stderr (a flag that takes no value never swallows the next word).
      const asJson = await run(['tenants', 'list', '--json', 'newco']);
      expect(asJson.code).toBe(2);
      expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'usage_error', message: 'unexpected argument "newco" for "tenants list"', exit_code: 2 } });
      const help = await run(['help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('members invite --tenant <slug> --email <email>');

      // With --json a refusal is JSON on stderr, with the exit code, as for the client commands.
      const refused = await run(['members', 'invite', '--tenant', 'nosuchco', '--email', 'bob@newco.test', '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stderr)).toEqual({ error: { message: 'Tenant "nosuchco" not found.', code: 'not_found', exit_code: 1 } });
    } finally {
      setEnv(saved);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the admin channel file of a killed server', () => {
  it('is taken for no channel (so the command waits for the new server or runs directly), not an unexpected error', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-stale-channel-'));
    try {
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      fs.writeFileSync(adminFilePath(dataDir), JSON.stringify({ pid: 999_999, port, secret: 'stale' }), { mode: 0o600 });
      expect(await sendAdminCommand(dataDir, { name: 'tenants.list' })).toBeNull();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('orgonaut tokens create', () => {
  it('names the member and their role when the role lacks an ability asked for (not "your role")', async () => {
    const tenant = await buildTenant(database, { slug: 'tokenco', plan: 'business' });
    await buildMember(database, tenant, 'viewer', { email: 'vera@tokenco.test' });
    const refused = await refusal({ name: 'tokens.create', tenant: 'tokenco', email: 'vera@tokenco.test', tokenName: 'x', abilities: ['org-units.read', 'scenarios.write'] });
    expect(refused.message).toBe('Invalid abilities: vera@tokenco.test is viewer of tokenco, a role without "scenarios.write", so their token cannot have it');
    expect((await refusal({ name: 'tokens.create', tenant: 'tokenco', email: 'vera@tokenco.test', tokenName: 'x', abilities: ['bogus.read'] })).message).toContain('"bogus.read" is not an ability');
    const made = await admin({ name: 'tokens.create', tenant: 'tokenco', email: 'vera@tokenco.test', tokenName: 'x', abilities: ['org-units.read'] });
    expect(made.message).toContain('Created token "x" for vera@tokenco.test in tokenco (abilities: org-units.read).');
  });
});

describe('orgonaut tokens revoke', () => {
  // ada@fresh.test became freshco's owner in the first test of this file.
  it('revokes once: again it says when it was revoked, and neither moves that time nor audits it twice', async () => {
    const created = await admin({ name: 'tokens.create', tenant: 'freshco', email: 'ada@fresh.test', tokenName: 'ci' });
    const id = (created.data as { token: { id: string } }).token.id;
    const first = await admin({ name: 'tokens.revoke', tenant: 'freshco', id });
    expect(first.message).toBe(`Revoked token ci (${id}).`);
    const revokedAt = (first.data as { revoked_at: string }).revoked_at;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await admin({ name: 'tokens.revoke', tenant: 'freshco', id });
    expect(again.message).toMatch(new RegExp(`^Token ci \\(${id}\\) was already revoked on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`));
    expect((again.data as { revoked_at: string }).revoked_at).toBe(revokedAt);
    const audits = await database.db.select().from(auditEvents).where(and(eq(auditEvents.entityId, id), eq(auditEvents.action, 'revoked')));
    expect(audits).toHaveLength(1);
  });
});
