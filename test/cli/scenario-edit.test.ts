import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createScenario, getScenario } from '../../src/scenarios/lifecycle.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor } from '../support/factories.js';

/** `orgonaut scenario rename|edit` against a loopback server: the REST PATCH, said in words; refusals in one line. */

const SLUG = 'cliedit';
let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
let server: CliServer;
let ownerConfig: string;
let viewerConfig: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: SLUG, plan: 'business' });
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  server = await serveForCli(testApp(database), SLUG);
  ownerConfig = server.signIn('owner', await memberToken(database, tenant, 'owner'));
  viewerConfig = server.signIn('viewer', await memberToken(database, tenant, 'viewer'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut scenario rename|edit', () => {
  it('renames a scenario given by its name, and says what changed', async () => {
    const s = await createScenario(owner, { name: 'CLI draft' });
    const renamed = await runCli(['scenario', 'rename', 'cli draft', '2026-03 platform realignment'], ownerConfig);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toBe(`Scenario ${s.id}: renamed "CLI draft" to "2026-03 platform realignment".\n`);
    expect((await getScenario(owner, s.id)).name).toBe('2026-03 platform realignment');
  });

  it('changes and clears the description with edit, and prints the API answer with --json', async () => {
    const s = await createScenario(owner, { name: 'CLI described' });
    const edited = await runCli(['scenario', 'edit', s.id, '--description', 'Move Mobile under Sales', '--json'], ownerConfig);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout).data).toMatchObject({ id: s.id, name: 'CLI described', description: 'Move Mobile under Sales' });
    const cleared = await runCli(['scenario', 'edit', s.id, '--description', ''], ownerConfig);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain('description cleared');
    expect((await getScenario(owner, s.id)).description).toBeNull();
  });

  it('refuses a taken name, an edit with nothing to change, and a viewer, in one line each', async () => {
    await createScenario(owner, { name: 'CLI taken' });
    const s = await createScenario(owner, { name: 'CLI mine' });
    const taken = await runCli(['scenario', 'rename', s.id, 'cli TAKEN'], ownerConfig);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr.trim().split('\n')).toHaveLength(1);
    expect(taken.stderr).toMatch(/^orgonaut: .*already named “CLI taken”/);

    const nothing = await runCli(['scenario', 'edit', s.id], ownerConfig);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('scenario edit needs --name <new name>, --description <text>');

    const viewer = await runCli(['scenario', 'rename', s.id, 'Viewer name'], viewerConfig);
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toContain('scenarios.write');
    expect((await getScenario(owner, s.id)).name).toBe('CLI mine');
  });
});
