import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { buildTenant, memberToken, writeGraph } from '../support/factories.js';
import { buildFixtureOrg } from '../support/fixture-org.js';

/**
 * Exit codes a script branches on: a bad value exits 2 whichever side caught it — the CLI (`--limit 0`) or the server
 * (`--kind alien`, a 400 problem) — and a refusal that is not about the input (404) still exits 1.
 */

const SLUG = 'cliexit';
let database: Database;
let tenant: Tenant;
let server: CliServer;
let config: string;

beforeAll(async () => {
  database = await testDatabase();
  tenant = await writeGraph(database, await buildTenant(database, { slug: SLUG, plan: 'business' }), buildFixtureOrg('cli-exit'));
  server = await serveForCli(testApp(database), SLUG);
  config = server.signIn('owner', await memberToken(database, tenant, 'owner'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut exit codes for invalid input', () => {
  it('exits 2 for a value the server refuses (400) as for one the CLI refuses itself', async () => {
    const byCli = await runCli(['live', 'actors', '--limit', '0'], config);
    expect(byCli.code, byCli.stderr).toBe(2);
    const byServer = await runCli(['live', 'actors', '--kind', 'alien'], config);
    expect(byServer.stderr).toContain('(HTTP 400 invalid_input)');
    expect(byServer.code).toBe(byCli.code);

    // --json says the same code in the error it prints.
    const asJson = await runCli(['live', 'actors', '--kind', 'alien', '--json'], config);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ exit_code: 2, status: 400, problem: { code: 'invalid_input' } });
  });

  it('keeps exit 1 for a refusal that is not about the input (not found), and lists the codes in the help', async () => {
    const missing = await runCli(['scenario', 'show', '00000000-0000-4000-8000-000000000000'], config);
    expect(missing.stderr).toContain('(HTTP 404 not_found)');
    expect(missing.code).toBe(1);
    expect((await runCli(['--help'], config)).stdout).toMatch(/2 usage or invalid input \(a bad\s+option value or file, whether the CLI or the server caught it: HTTP 400, 422\)/);
  });
});
