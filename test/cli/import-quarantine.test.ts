import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/access/bundles.js';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliResult, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { memberToken } from '../support/factories.js';
import { csvOf, importTenant } from '../imports/support.js';

/**
 * Reviewing an import's quarantine from the CLI, against a running server (as test/cli/import.test.ts): import a file
 * with a bad currency, list the quarantined rows, fix one in place, ignore another, reprocess, and find the fixed
 * person in Live — without the web page or curl.
 */

const SLUG = 'cliquarantine';
let database: Database;
let tenant: Tenant;
let server: CliServer;
let dir: string;
const configs: Partial<Record<Role, string>> = {};

const cli = (args: string[], role: Role = 'owner') => runCli(args, configs[role]!);

function expectOneLine(result: CliResult, code: number, pattern: RegExp) {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('orgonaut: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
}

const PEOPLE = csvOf(
  ['email', 'first_name', 'last_name', 'department', 'job_title', 'manager_email', 'fte', 'currency', 'base_salary'],
  [
    ['ceo@cq.test', 'Cee', 'Oh', 'Executive', 'CEO', '', '1', 'EUR', '150000'],
    ['zoe@cq.test', 'Zoe', 'Quinn', 'Executive', 'Engineer', 'ceo@cq.test', '1', 'XYZ', '90000'],
    ['yan@cq.test', 'Yan', 'Bad', 'Executive', 'Engineer', 'ceo@cq.test', 'abc', 'EUR', '80000'],
  ],
);

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant } = await importTenant(database, { slug: SLUG }));
  server = await serveForCli(testApp(database), SLUG);
  dir = server.dir;
  for (const role of ['owner', 'viewer'] as const) {
    configs[role] = path.join(dir, `${role}.json`);
    const login = await runCli(['auth', 'login', '--host', server.url, '--token', await memberToken(database, tenant, role, { name: `cli ${role}` })], configs[role]!);
    expect(login.code, login.stderr).toBe(0);
  }
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('orgonaut import quarantine, fix, ignore, reprocess', () => {
  let run: string;

  it('lists the quarantined rows of a run: row, reason code, message, state', async () => {
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(file, PEOPLE);
    const imported = await cli(['import', file, '--wait']);
    expect(imported.code, imported.stderr).toBe(0);
    run = /\(run ([0-9a-f-]{36})\)\.$/m.exec(imported.stdout)![1]!;
    // The outcome says how to review from the CLI too.
    expect(imported.stdout).toContain(`orgonaut import quarantine ${run}`);

    const listed = await cli(['import', 'quarantine', run]);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ROW\s+REASON\s+MESSAGE\s+STATE$/);
    expect(listed.stdout).toMatch(/^\s*2\s+invalid_currency\s+XYZ is not an active currency.*\s+pending$/m);
    expect(listed.stdout).toMatch(/^\s*3\s+invalid_fte\s+\S.*\s+pending$/m);
    expect(listed.stdout).not.toMatch(/^\s*1\s/m);
    // What to do next, as commands.
    expect(listed.stderr).toContain(`orgonaut import fix ${run} <row> --set <field>=<value>`);

    const json = await cli(['import', 'quarantine', run, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.data.map((r: { row_number: number; reason: { code: string }; resolution: string }) => [r.row_number, r.reason.code, r.resolution])).toEqual([
      [2, 'invalid_currency', 'pending'],
      [3, 'invalid_fte', 'pending'],
    ]);
  });

  it('fixes a row in place with --set, says whether it reads well now, and ignores another', async () => {
    const fixed = await cli(['import', 'fix', run, '2', '--set', 'currency=EUR']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/^Fixed row 2 of run [0-9a-f-]{36}: currency XYZ → EUR\. Queued for reprocessing\.$/m);
    expect(fixed.stdout).toContain('It reads well now.');
    expect(fixed.stderr).toContain(`orgonaut import reprocess ${run} --wait`);

    // A fix that still leaves a problem says which one.
    const still = await cli(['import', 'fix', run, '3', '--set', 'fte=lots', '--set', 'job_title=Senior Engineer']);
    expect(still.code, still.stderr).toBe(0);
    expect(still.stdout).toMatch(/^Still a problem: .+ \(invalid_fte\)/m);

    const ignored = await cli(['import', 'ignore', run, '3']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.stdout).toMatch(/^Row 3 of run [0-9a-f-]{36} ignored: no reprocess takes it/m);

    const listed = await cli(['import', 'quarantine', run]);
    expect(listed.stdout).toMatch(/^\s*2\s+invalid_currency\s.*\s+reprocessing$/m);
    expect(listed.stdout).toMatch(/^\s*3\s+invalid_fte\s.*\s+ignored$/m);
    const pending = await cli(['import', 'quarantine', run, '--resolution', 'ignored']);
    expect(pending.stdout).toMatch(/^\s*3\s/m);
    expect(pending.stdout).not.toMatch(/^\s*2\s/m);
  });

  it('reprocesses the fixed rows with --wait, and the fixed person is in Live', async () => {
    expect((await cli(['live', 'actors', '--search', 'zoe'])).stdout.trim()).toBe('Nothing to show.');
    const reprocessed = await cli(['import', 'reprocess', run, '--wait']);
    expect(reprocessed.code, reprocessed.stderr).toBe(0);
    expect(reprocessed.stdout).toMatch(/^Completed: /m);
    const listed = await cli(['import', 'quarantine', run]);
    expect(listed.stdout).toMatch(/^\s*2\s+invalid_currency\s.*\s+fixed$/m);
    const actors = await cli(['live', 'actors', '--search', 'zoe']);
    expect(actors.code, actors.stderr).toBe(0);
    expect(actors.stdout).toMatch(/^Zoe Quinn\s+human\s+Engineer\s/m);
  });

  it('refuses mistakes with one clear line and the documented exit code', async () => {
    expectOneLine(await cli(['import', 'fix', run, 'two', '--set', 'fte=1']), 2, /^orgonaut: <row> must be a row number \(1 = the first data row\), got "two"$/);
    expectOneLine(await cli(['import', 'fix', run, '3']), 2, /^orgonaut: import fix needs at least one --set <field>=<value>/);
    expectOneLine(await cli(['import', 'fix', run, '3', '--set', 'fte']), 2, /^orgonaut: --set "fte" is not <field>=<value>/);
    expectOneLine(await cli(['import', 'ignore', run]), 2, /missing <row>/);
    expectOneLine(await cli(['import', 'quarantine']), 2, /missing <run-id>/);
    // The row was imported: the server's 409, exit 1.
    expectOneLine(await cli(['import', 'ignore', run, '1']), 1, /\(HTTP 409 \w+\)$/);
    expectOneLine(await cli(['import', 'quarantine', run], 'viewer'), 1, /"imports\.manage" ability.*\(HTTP 403 missing_ability\)$/);
    expectOneLine(await cli(['import', 'quarantine', '00000000-0000-4000-8000-000000000000']), 1, /\(HTTP 404 not_found\)$/);
    const json = await cli(['import', 'fix', run, 'two', '--set', 'fte=1', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr).error.exit_code).toBe(2);
  });
});
