import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario discard`: the change tray's undo from a terminal, over the REST route; refusals in words. */

const SLUG = 'clidiscard';
const { units } = fixtureIds('cli-discard');
let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
let server: CliServer;
let config: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg('cli-discard'));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  server = await serveForCli(testApp(database), SLUG);
  config = server.signIn('owner', await memberToken(database, tenant, 'owner'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut scenario discard', () => {
  it('discards the changes named, says what became of each, and refuses one others depend on', async () => {
    const sid = (await createScenario(owner, { name: 'CLI undo' })).id;
    const outcome = await applyBatch(owner, sid, [
      { op: 'create_org_unit', type: 'team', name: 'Tiger', parent_id: units.E, ref: 'tiger' },
      { op: 'add_actor', kind: 'agent', display_name: 'Tiger bot', org_unit_id: '$tiger' },
      { op: 'rename_org_unit', org_unit_id: units.M, name: 'Apps' },
    ]);
    const tiger = outcome.created.find((c) => c.ref === 'tiger')!.id;

    const renamed = await runCli(['scenario', 'discard', 'CLI undo', `org_unit:${units.M}`], config);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain(`Discarded the changes to 1 record of scenario "CLI undo"`);
    expect(renamed.stdout).toContain(`org unit ${units.M}: as in the source again`);

    const refused = await runCli(['scenario', 'discard', sid, `org_unit:${tiger}`], config);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/discarding would leave the scenario with 1 problem/);
    expect((await listScenarioChanges(owner, sid)).page.items).toHaveLength(4); // unit, team, agent, placement: nothing discarded

    const usage = await runCli(['scenario', 'discard', sid, 'nonsense'], config);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('"nonsense" is not <family>:<record-id>');
  });
});
