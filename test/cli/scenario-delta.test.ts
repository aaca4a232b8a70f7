import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, contextFor, memberToken, principalFor, writeGraph } from '../support/factories.js';
import { AS_OF, buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/** `orgonaut scenario delta` of a delta bigger than a page: every page, merged; `--family` keeps one family. */

const SLUG = 'clidelta';
const HIRES = 200;
let database: Database;
let tenant: Tenant;
let server: ServerType;
let dir: string;
let config: string;
let sid: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-cli-delta-'));
  database = await testDatabase();
  tenant = await buildTenant(database, { slug: SLUG, plan: 'business' });
  tenant = await writeGraph(database, tenant, buildFixtureOrg(SLUG));
  const owner = contextFor(database, tenant, principalFor(tenant, 'owner'));
  const { id, units } = fixtureIds(SLUG);
  sid = (await createScenario(owner, { name: 'Hiring wave' })).id;
  const hires = Array.from({ length: HIRES }, (_, n) => ({ op: 'add_actor', kind: 'human', display_name: `Hire ${n}`, org_unit_id: units.P, manager_id: id('eng_head'), fte: 1, date: AS_OF }));
  await applyBatch(owner, sid, hires);
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
