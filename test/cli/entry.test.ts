import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/** How a new user first meets the CLI: the entry points they try and the words other CLIs taught them. */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-entry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ORGONAUT_') && key !== 'DATABASE_URL') env[key] = value;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...env, ORGONAUT_CONFIG: path.join(dir, 'config.json'), HOME: dir, ORGONAUT_DATA_DIR: path.join(dir, 'data') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the orgonaut command line, as a new user tries it', () => {
  it('runs from src/cli/main.ts as from src/main.ts, instead of printing nothing', () => {
    const direct = run('src/cli/main.ts', ['--help']);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^Usage: orgonaut <command> \[options\]/);
    expect(direct.stdout).toBe(run('src/main.ts', ['--help']).stdout);
    const version = run('src/cli/main.ts', ['--version']);
    expect(version.stdout.trim()).toMatch(/^orgonaut \d+\.\d+\.\d+/);
    expect(version.stderr).toBe(''); // no runtime warning from a library either
  });

  it('takes login, logout and whoami as other CLIs spell them (auth login, auth logout, context)', async () => {
    // The words are read the same in this process (runCli) as in a new one: no process per word.
    const orgonaut = (args: string[]) => runCli(args, path.join(dir, 'config.json'));
    const help = (await orgonaut(['--help'])).stdout;
    expect(help).toContain('Shortcuts: login and logout (auth login, auth logout), whoami (context).');
    const logout = await orgonaut(['logout']);
    expect(logout).toMatchObject({ code: 0, stdout: 'Not signed in; nothing to do.\n' });
    const whoami = await orgonaut(['whoami']);
    expect(whoami.code).toBe(3);
    expect(whoami.stderr.trim()).toMatch(/^orgonaut: not signed in \(no .*config\.json\)\. Run "orgonaut auth login/);
    // --json before the command as after it (it once swallowed the command: 'unknown command "whoami"').
    for (const args of [['whoami', '--json'], ['--json', 'whoami'], ['--json', 'context']]) {
      const asJson = await orgonaut(args);
      expect(asJson.code, args.join(' ')).toBe(3);
      expect(JSON.parse(asJson.stderr), args.join(' ')).toMatchObject({ error: { exit_code: 3 } });
    }
    const usage = await orgonaut(['login', '--timeout']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('orgonaut: --timeout needs a value');
    expect(usage.stderr).toContain('orgonaut auth login [--host');
  });
});
