import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, tokenOf, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/**
 * `orgonaut` over the REST rate limit: a read is tried again when Retry-After says (a script walking many records
 * need not handle 429), a write is not — it fails with the problem and when to retry. The server here allows two
 * requests per token every eight seconds.
 */

let database: Database;
let server: CliServer;
let config: string;

/** `orgonaut <args>` in this process (runCli), signed in with `config`. */
const cli = (args: string[]) => runCli(args, config);

beforeAll(async () => {
  database = await testDatabase();
  const tenant = await writeGraph(database, await buildTenant(database, { slug: 'clirate', plan: 'business' }), buildFixtureOrg('cli-rate'));
  const app = testApp(database, { apiRateLimit: { default: { limit: 2, windowSeconds: 8 }, plans: {} } });
  const user = await buildMember(database, tenant, 'owner');
  const token = await tokenOf(database, tenant, user, 'owner', { name: 'cli' });
  server = await serveForCli(app, 'clirate');
  config = server.signIn('config', token, user.email);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut over the rate limit', () => {
  it('waits and reads again, and never sends a write twice', async () => {
    // Two per eight seconds: within at most five reads, one finds the budget spent.
    let retried = null;
    for (let i = 0; i < 5 && !retried; i++) {
      const read = await cli(['live', 'units', '--json']);
      expect(read.code, read.stderr).toBe(0);
      expect(JSON.parse(read.stdout).data.length).toBeGreaterThan(0);
      if (read.stderr) retried = read;
    }
    expect(retried?.stderr).toMatch(/^orgonaut: rate limited by \S+; trying again in \d+ s\.$/m);

    let refused = null;
    const created: string[] = [];
    for (let i = 0; i < 5 && !refused; i++) {
      const write = await cli(['scenario', 'create', `Plan ${i}`, '--json']);
      if (write.code === 0) created.push(JSON.parse(write.stdout).data.name);
      else refused = write;
    }
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/HTTP 429/);
    expect(refused?.stderr).not.toContain('trying again');
    // A read: over the limit, it waits for the window itself.
    const listed = JSON.parse((await cli(['scenario', 'list', '--json'])).stdout).data.map((s: { name: string }) => s.name);
    expect(listed.sort()).toEqual(created.sort());
  }, 60_000);
});
