import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario apply`: what a batch did, each record it created named with the command (counted from 1) that made it. */

const SLUG = 'cliapply';
const { id, units } = fixtureIds('cli-apply');
let database: Database;
let tenant: Tenant;
let server: CliServer;
let config: string;
let dir: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: SLUG, plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg('cli-apply'));
  server = await serveForCli(testApp(database), SLUG);
  config = server.signIn('owner', await memberToken(database, tenant, 'owner'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-apply-'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('orgonaut scenario apply', () => {
  it('names the command that created each record as people count them in the file (the second is command 2), with its op', async () => {
    const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
    const scenario = await createScenario(owner, { name: 'CLI apply' });
    const file = path.join(dir, 'changes.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        changes: [
          { op: 'set_fte', actor_id: id('p1'), fte: 0.8 },
          { op: 'add_actor', kind: 'agent', display_name: 'Triage bot', org_unit_id: units.P },
          { op: 'create_position', title: 'Staff engineer', org_unit_id: units.P },
        ],
      }),
    );
    const applied = await runCli(['scenario', 'apply', 'CLI apply', file], config);
    expect(applied.code, applied.stderr).toBe(0);
    const lines = applied.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Applied 3 changes to scenario "CLI apply" (now revision 1); 4 records changed.`);
    expect(lines.slice(1).map((l) => l.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '<id>'))).toEqual([
      '  created actor <id> (command 2, add_actor)',
      '  created placement <id> (command 2, add_actor)',
      '  created position <id> (command 3, create_position)',
    ]);
    const json = JSON.parse((await runCli(['scenario', 'changes', scenario.id, '--json'], config)).stdout);
    expect(json.data.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['Triage bot', 'Staff engineer']));
  });
});
