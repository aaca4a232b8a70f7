import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * `orgonaut roles list|set|reset`: what the command line takes is checked before anything runs — a `set` without
 * `--abilities` (or with the flag but no value) must never empty a role, and an option it does not take is refused.
 * (What the commands do is tested through the same admin command in test/access/role-bundles.test.ts.)
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-admin-roles-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const orgonaut = (args: string[]) => runCli(args, path.join(dir, 'config.json'));

describe('orgonaut roles', () => {
  it('refuses a set without a list of abilities, naming what it needs', async () => {
    for (const args of [
      ['roles', 'set', 'member', '--tenant', 'acme'],
      ['roles', 'set', 'member', '--tenant', 'acme', '--abilities'],
    ]) {
      const run = await orgonaut(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('roles set needs --abilities a,b');
    }
  });

  it('refuses what it does not take', async () => {
    const misspelt = await orgonaut(['roles', 'set', 'member', '--tenant', 'acme', '--abilitys', 'org-units.read']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('abilitys');
    const unknown = await orgonaut(['roles', 'grant', '--tenant', 'acme']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('roles needs list --tenant <slug>, set <role>');
    const extra = await orgonaut(['roles', 'reset', 'member', 'viewer', '--tenant', 'acme']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "viewer"');
  });
});
