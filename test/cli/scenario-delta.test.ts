import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario delta` of a delta bigger than a page: every page, merged; `--family` keeps one family. */

const SLUG = 'clidelta';
const HIRES = 200;
let database: Database;
let tenant: Tenant;
let server: CliServer;
let config: string;
let sid: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: SLUG, plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SLUG));
  const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  const { id, units } = fixtureIds(SLUG);
  sid = (await createScenario(owner, { name: 'Hiring wave' })).id;
  const hires = Array.from({ length: HIRES }, (_, n) => ({ op: 'add_actor', kind: 'human', display_name: `Hire ${n}`, org_unit_id: units.P, manager_id: id('eng_head'), fte: 1, date: AS_OF }));
  await applyBatch(owner, sid, hires);
  server = await serveForCli(testApp(database), SLUG);
  config = server.signIn('owner', await memberToken(database, tenant, 'owner'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut scenario delta of a big scenario', () => {
  it('--json gives every record of every page once, with the counts', async () => {
    const run = await runCli(['scenario', 'delta', sid, '--as-of', AS_OF, '--json'], config);
    expect(run.code, run.stderr).toBe(0);
    const { data } = JSON.parse(run.stdout);
    expect(data.next_cursor).toBeNull();
    const ids = Object.values(data.families as Record<string, Record<string, { id: string }[]>>).flatMap((f) => [...f.added!, ...f.removed!, ...f.changed!].map((r) => r.id));
    expect(ids.length).toBe(3 * HIRES);
    expect(new Set(ids).size).toBe(ids.length);
    expect(data.counts.actor).toEqual({ added: HIRES, removed: 0, changed: 0 });
    expect(data.families.placement.added).toHaveLength(HIRES);
  });

  it('--family keeps one family’s records, all of them', async () => {
    const run = await runCli(['scenario', 'delta', sid, '--as-of', AS_OF, '--family', 'reporting_line'], config);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^Reporting line\s+\+\s+Hire \d+ reports to eng_head\s+added$/gm)).toHaveLength(HIRES);
    expect(run.stdout).not.toMatch(/^(Actor|Placement)\s/m);
    const wrong = await runCli(['scenario', 'delta', sid, '--family', 'people'], config);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/family.*org_unit.*compensation/);
  });
});
