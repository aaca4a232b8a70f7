import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminChannel } from '../../src/admin/channel.js';
import { runAdminCommand, type AdminCommand } from '../../src/admin/commands.js';
import type { Database } from '../../src/db/connection.js';
import { InvalidInput, NotFound } from '../../src/errors.js';
import { auditEvents } from '../../src/db/schema/index.js';
import { actorAllowance } from '../../src/tenancy/plans.js';
import { findTenantBySlug, listTenantDomains, type Tenant } from '../../src/tenancy/tenants.js';
import { testApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';
import { today } from '../../src/org/dates.js';
import { activeActors } from '../../src/org/metrics.js';

/**
 * `orgonaut tenants set-allowance <slug> <n|default>` (SPEC §2: the actor allowance is overridable per tenant) and
 * `orgonaut tenants domains add|remove|list <slug> <domain>` (SPEC §1: a tenant is served on its custom domains):
 * what the command line sends, what the commands change, what they refuse, and the audit trail.
 */

let database: Database;
let app: TestApp;
let team: Tenant;
let rival: Tenant;

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  team = await buildTenant(database, { slug: 'allowco', plan: 'team' });
  rival = await buildTenant(database, { slug: 'rivalco', plan: 'business' });
}, 120_000);
afterAll(() => database?.close());

const admin = (command: AdminCommand) => runAdminCommand(database, command);
const events = (tenantId: string, entityType: string) =>
  database.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.entityType, entityType)));

describe('the command line', () => {
  it('sends set-allowance and domains commands as the admin commands they are, and refuses malformed ones', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-tenant-settings-'));
    fs.writeFileSync(path.join(dataDir, 'orgonaut.lock'), String(process.pid));
    const received: AdminCommand[] = [];
    const channel = await startAdminChannel(dataDir, async (command) => (received.push(command), { message: 'ok', data: null }));
    const saved = { dataDir: process.env.ORGONAUT_DATA_DIR, url: process.env.DATABASE_URL, base: process.env.ORGONAUT_BASE_DOMAIN };
    process.env.ORGONAUT_DATA_DIR = dataDir;
    process.env.ORGONAUT_BASE_DOMAIN = 'orgonaut.test';
    delete process.env.DATABASE_URL;
    try {
      const config = path.join(dataDir, 'cli.json');
      for (const args of [
        ['tenants', 'set-allowance', 'acme', '300'],
        ['tenants', 'set-allowance', 'acme', 'default'],
        ['tenants', 'domains', 'add', 'acme', 'people.acme.com'],
        ['tenants', 'domains', 'remove', 'acme', 'people.acme.com'],
        ['tenants', 'domains', 'list', 'acme'],
        ['tenants', 'create', 'newco', '--plan', 'team', '--domain', 'people.newco.com'],
      ]) {
        const result = await runCli(args, config);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      }
      expect(received).toEqual([
        { name: 'tenants.set-allowance', slug: 'acme', allowance: 300 },
        { name: 'tenants.set-allowance', slug: 'acme', allowance: null },
        { name: 'tenants.domains.add', slug: 'acme', domain: 'people.acme.com', baseDomain: 'orgonaut.test' },
        { name: 'tenants.domains.remove', slug: 'acme', domain: 'people.acme.com' },
        { name: 'tenants.domains.list', slug: 'acme' },
        // create --domain is checked against the base domain as domains add is.
        { name: 'tenants.create', slug: 'newco', plan: 'team', tenantName: undefined, currency: undefined, domains: ['people.newco.com'], baseDomain: 'orgonaut.test' },
      ]);
      const bad = await runCli(['tenants', 'set-allowance', 'acme', 'lots'], config);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('set-allowance needs a whole number of actors or "default", not "lots"');
      const extra = await runCli(['tenants', 'domains', 'add', 'acme', 'a.com', 'b.com'], config);
      expect(extra.code).toBe(2);
      expect(extra.stderr).toContain('unexpected argument "b.com"');
      expect(received).toHaveLength(6);
    } finally {
      for (const [name, value] of [['ORGONAUT_DATA_DIR', saved.dataDir], ['DATABASE_URL', saved.url], ['ORGONAUT_BASE_DOMAIN', saved.base]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await channel.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('an admin command the server refuses', () => {
  it('exits 2 for invalid input, as a malformed argument does, and 1 for a tenant that is not there', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-admin-refusals-'));
    fs.writeFileSync(path.join(dataDir, 'orgonaut.lock'), String(process.pid));
    const channel = await startAdminChannel(dataDir, async (command) => {
      if (command.name === 'tenants.domains.add') throw new InvalidInput('domain', 'must be a host name such as people.acme.com');
      throw new NotFound('Tenant', 'ghost');
    });
    const saved = { dataDir: process.env.ORGONAUT_DATA_DIR, url: process.env.DATABASE_URL };
    process.env.ORGONAUT_DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    try {
      const config = path.join(dataDir, 'cli.json');
      const invalid = await runCli(['tenants', 'domains', 'add', 'acme', 'people_acme'], config);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain('Invalid domain: must be a host name such as people.acme.com.');
      const asJson = await runCli(['tenants', 'domains', 'add', 'acme', 'people_acme', '--json'], config);
      expect(asJson.code).toBe(2);
      expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'invalid_input', exit_code: 2 } });
      const missing = await runCli(['tenants', 'set-allowance', 'ghost', '300'], config);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Tenant "ghost" not found.');
    } finally {
      for (const [name, value] of [['ORGONAUT_DATA_DIR', saved.dataDir], ['DATABASE_URL', saved.url]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await channel.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('orgonaut tenants set-allowance', () => {
  it('overrides the plan’s actor allowance and sets it back to the plan’s, with an audit event each time', async () => {
    expect(actorAllowance(team)).toBe(250);
    const raised = await admin({ name: 'tenants.set-allowance', slug: 'allowco', allowance: 400 });
    expect(raised.message).toBe('The actor allowance of allowco is now 400 actors (was the team plan\'s 250). Imports and promotions beyond it are refused; actors already there stay.');
    expect(actorAllowance((await findTenantBySlug(database.db, 'allowco'))!)).toBe(400);
    expect((await admin({ name: 'tenants.set-allowance', slug: 'allowco', allowance: 400 })).message).toContain('already 400; nothing changed');

    await admin({ name: 'tenants.set-allowance', slug: 'allowco', allowance: null });
    const back = (await findTenantBySlug(database.db, 'allowco'))!;
    expect(back.actorAllowance).toBeNull();
    expect(actorAllowance(back)).toBe(250);
    const audit = await events(team.id, 'actor_allowance');
    expect(audit.map((e) => [e.before, e.after])).toEqual([
      [{ actor_allowance: null }, { actor_allowance: 400 }],
      [{ actor_allowance: 400 }, { actor_allowance: null }],
    ]);
  });

  it('refuses a negative or absurd number and an unknown tenant', async () => {
    await expect(admin({ name: 'tenants.set-allowance', slug: 'allowco', allowance: -1 })).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'allowance' } });
    await expect(admin({ name: 'tenants.set-allowance', slug: 'allowco', allowance: 20_000_000 })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(admin({ name: 'tenants.set-allowance', slug: 'nosuch', allowance: 5 })).rejects.toMatchObject({ code: 'not_found' });
    expect((await findTenantBySlug(database.db, 'allowco'))!.actorAllowance).toBeNull();
  });
});

describe('orgonaut tenants domains', () => {
  const BASE = 'localhost';

  it('serves the tenant on a domain it adds, until it removes it', async () => {
    const added = await admin({ name: 'tenants.domains.add', slug: 'allowco', domain: ' People.AllowCo.example. ', baseDomain: BASE });
    expect(added.data).toMatchObject({ domain: 'people.allowco.example', added: true });
    expect(await listTenantDomains(database.db, team.id)).toEqual(['people.allowco.example']);
    // The host now answers for the tenant (its sign-in page), as its slug host does.
    const served = await app.request('/sign-in', { host: 'people.allowco.example', headers: { accept: 'text/html' } });
    expect(served.status).toBe(200);
    expect((await admin({ name: 'tenants.domains.list', slug: 'allowco' })).message).toBe('people.allowco.example');
    expect((await admin({ name: 'tenants.domains.add', slug: 'allowco', domain: 'people.allowco.example', baseDomain: BASE })).message).toContain('already a custom domain of allowco');

    const removed = await admin({ name: 'tenants.domains.remove', slug: 'allowco', domain: 'people.allowco.example' });
    expect(removed.message).toContain('no longer served on people.allowco.example');
    expect(await listTenantDomains(database.db, team.id)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 900)); // the tenant directory's cache
    expect((await app.request('/sign-in', { host: 'people.allowco.example', headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await events(team.id, 'tenant_domain')).map((e) => [e.action, e.after])).toEqual([
      ['added', { domain: 'people.allowco.example' }],
      ['removed', { domain: 'people.allowco.example' }],
    ]);
  });

  it('refuses a domain another tenant has, naming it, and leaves it with that tenant', async () => {
    await admin({ name: 'tenants.domains.add', slug: 'rivalco', domain: 'org.rival.example', baseDomain: BASE });
    await expect(admin({ name: 'tenants.domains.add', slug: 'allowco', domain: 'ORG.rival.example', baseDomain: BASE })).rejects.toMatchObject({
      status: 409,
      message: 'The domain org.rival.example is already a custom domain of tenant rivalco.',
      details: { field: 'domain', tenant: 'rivalco' },
    });
    expect(await listTenantDomains(database.db, rival.id)).toEqual(['org.rival.example']);
    expect(await listTenantDomains(database.db, team.id)).toEqual([]);
  });

  it('refuses what is not a custom domain: URLs, ports, IP addresses, single labels, wildcards and the base domain’s own hosts', async () => {
    for (const domain of ['https://people.acme.com', 'people.acme.com:8443', 'people.acme.com/x', '10.0.0.7', 'intranet', '*.acme.com', '-bad-.acme.com', 'a..b.com', '', 'acme.localhost', 'app.localhost', 'localhost']) {
      await expect(admin({ name: 'tenants.domains.add', slug: 'allowco', domain, baseDomain: BASE }), domain).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'domain' } });
    }
    expect(await listTenantDomains(database.db, team.id)).toEqual([]);
  });

  it('says which domains a tenant has when asked to remove one it does not have', async () => {
    await expect(admin({ name: 'tenants.domains.remove', slug: 'rivalco', domain: 'nope.example' })).rejects.toMatchObject({
      status: 404,
      message: 'nope.example is not a custom domain of rivalco (its custom domains are org.rival.example).',
    });
  });
});

describe('orgonaut tenants create --domain', () => {
  const create = (slug: string, domain: string) => admin({ name: 'tenants.create', slug, plan: 'team', domains: [domain], baseDomain: 'orgonaut.test' });

  it('refuses what domains add refuses, naming the domain, and creates no tenant', async () => {
    for (const domain of ['https://people.newco.com', 'people.newco.com:8443', '10.0.0.7', 'intranet', '*.newco.com', 'newco.orgonaut.test', 'orgonaut.test']) {
      await expect(create('newco', domain), domain).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'domain' } });
    }
    await admin({ name: 'tenants.domains.add', slug: 'rivalco', domain: 'hr.rival.example', baseDomain: 'localhost' });
    await expect(create('newco', 'HR.rival.example')).rejects.toMatchObject({ status: 409, message: 'The domain hr.rival.example is already a custom domain of tenant rivalco.' });
    expect(await findTenantBySlug(database.db, 'newco')).toBeNull();
  });

  it('stores the domain as domains add stores it', async () => {
    await create('newco', ' People.NewCo.example. ');
    const created = (await findTenantBySlug(database.db, 'newco'))!;
    expect(await listTenantDomains(database.db, created.id)).toEqual(['people.newco.example']);
  });
});

describe('orgonaut tenants set-allowance below the actors a tenant has', () => {
  it('sets it, and warns with the active actors today against the new allowance', async () => {
    const crowd = await writeGraph(database, await buildTenant(database, { slug: 'crowdco', plan: 'team' }), buildFixtureOrg('crowdco'));
    const active = activeActors(buildFixtureOrg('crowdco'), today()).size;
    expect(active).toBeGreaterThan(3);
    const lowered = await admin({ name: 'tenants.set-allowance', slug: 'crowdco', allowance: 3 });
    expect(lowered.message).toBe(
      "The actor allowance of crowdco is now 3 actors (was the team plan's 250). Imports and promotions beyond it are refused; actors already there stay.\n" +
        `Warning: crowdco has ${active} active actors today, more than the new allowance of 3: none is removed, but an import or promotion that adds actors is refused while it is over it.`,
    );
    expect(lowered.data).toMatchObject({ actor_allowance: 3, active_actors: active, over_allowance: true });
    expect((await findTenantBySlug(database.db, 'crowdco'))!.actorAllowance).toBe(3);
    // At or above the count, no warning.
    const enough = await admin({ name: 'tenants.set-allowance', slug: 'crowdco', allowance: active });
    expect(enough.message).not.toContain('Warning');
    expect(enough.data).toMatchObject({ active_actors: active });
    expect((enough.data as { over_allowance?: boolean }).over_allowance).toBeUndefined();
    expect(crowd.plan).toBe('team');
  });
});
