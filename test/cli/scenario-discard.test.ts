import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listScenarioChanges } from '../../src/scenarios/list-changes.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario discard`: the change tray's undo from a terminal, over the REST route; refusals in words. */

const SLUG = 'clidiscard';
const { units } = fixtureIds('cli-discard');
let database: Database;
let tenant: Tenant;
let owner: ServiceContext;
let server: ServerType;
let dir: string;
let config: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-cli-discard-'));
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg('cli-discard'));
  owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  const app = testApp(database);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (request: Request) => app.app.fetch(request), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://${SLUG}.localhost:${(server.address() as AddressInfo).port}`;
  config = path.join(dir, 'owner.json');
  fs.writeFileSync(config, JSON.stringify({ host: url, tenant: SLUG, token: await memberToken(database, tenant, 'owner'), user: 'owner@cli.test' }), { mode: 0o600 });
}, 180_000);

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await database?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
