import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { testApp } from '../support/app.js';
import { runCli, serveForCli, type CliServer } from '../support/cli.js';
import { testDatabase } from '../support/db.js';
import { memberToken } from '../support/factories.js';
import { csvOf, importTenant } from '../imports/support.js';

/**
 * `orgonaut import --wait` on a file with several kinds of bad rows: the preview and the outcome name each quarantine
 * reason in words beside its code, with what to do, in one order (most rows first, then by code) in both tables.
 */

const SLUG = 'clireasons';
let database: Database;
let tenant: Tenant;
let server: CliServer;
let dir: string;
let config: string;

beforeAll(async () => {
  database = await testDatabase();
  ({ tenant } = await importTenant(database, { slug: SLUG }));
  server = await serveForCli(testApp(database), SLUG);
  dir = server.dir;
  config = path.join(dir, 'owner.json');
  const login = await runCli(['auth', 'login', '--host', server.url, '--token', await memberToken(database, tenant, 'owner', { name: 'cli reasons' })], config);
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('quarantine reasons in orgonaut import', () => {
  it('lists them in words with their fix once, after the preview, not again at the end of --wait', async () => {
    const csv = csvOf(['email', 'first_name', 'last_name', 'department', 'job_title', 'manager_email', 'fte'], [
      ['ceo@rs.test', 'Cee', 'Oh', 'Executive', 'CEO', '', '1'],
      ['', 'No', 'Mail', 'Executive', 'Engineer', 'ceo@rs.test', '1'],
      ['bob@rs.test', 'Bob', 'Ray', 'Executive', 'Engineer', 'ghost@rs.test', '1'],
      ['cat@rs.test', 'Cat', 'Day', 'Executive', 'Engineer', 'ceo@rs.test', 'abc'],
      ['dan@rs.test', 'Dan', 'Po', 'Executive', 'Engineer', 'ceo@rs.test', 'xyz'],
    ]);
    const file = path.join(dir, 'reasons.csv');
    fs.writeFileSync(file, csv);
    const result = await runCli(['import', file, '--wait'], config);
    expect(result.code, result.stderr).toBe(0);
    const tables = result.stdout.split(/^QUARANTINE REASON\s+CODE\s+ROWS$/m).slice(1).map((part) => part.split('\n').filter((l) => /\s\d+$/.test(l)).slice(0, 3));
    const expected = [
      expect.stringMatching(/^The FTE is not a valid number\s+invalid_fte\s+2$/),
      expect.stringMatching(/^A required field is blank or malformed\s+missing_required_field\s+1$/),
      expect.stringMatching(/^The manager was not found\s+unknown_manager\s+1$/),
    ];
    // One reason-and-fix block: the outcome (the same reasons) does not print it again.
    expect(tables, result.stdout).toEqual([expected]);
    const fixLine = '  The manager was not found: Name a manager who is in this file or already in the organisation';
    expect(result.stdout.split(fixLine), result.stdout).toHaveLength(2);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('  The FTE is not a valid number: '))).toHaveLength(1);
    expect(result.stdout).toMatch(/^Completed: 1 of 5 rows imported .*; 4 quarantined, 0 ignored\.$/m);
    // The block comes before the outcome line, and `import status` still prints it.
    expect(result.stdout.indexOf(fixLine)).toBeLessThan(result.stdout.indexOf('Completed: '));
    const run = /\(run ([0-9a-f-]{36})\)\.$/m.exec(result.stdout)![1]!;
    const status = await runCli(['import', 'status', run], config);
    expect(status.stdout).toContain(fixLine);
  });
});
