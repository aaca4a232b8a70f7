import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * `--json` is for scripts: every outcome is one JSON object, failures included — a usage mistake (unknown option,
 * missing argument, misspelt command or subcommand) as much as an API refusal — on stderr, with a code, a message
 * and the exit code the text would have had (2 for usage). Nothing here needs a server or a database.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-json-errors-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const orgonaut = (args: string[]) => runCli(args, path.join(dir, 'config.json'));

/** The one JSON object on stderr (nothing else there, nothing on stdout), and the exit code. */
async function jsonFailure(args: string[]) {
  const result = await orgonaut(args);
  expect(result.stdout, args.join(' ')).toBe('');
  let body: { error: { code: string; message: string; exit_code: number; usage?: string[]; fix?: string } };
  try {
    body = JSON.parse(result.stderr);
  } catch {
    throw new Error(`orgonaut ${args.join(' ')}: stderr is not one JSON object:\n${result.stderr}`);
  }
  expect(Object.keys(body), args.join(' ')).toEqual(['error']);
  expect(body.error.exit_code, args.join(' ')).toBe(result.code);
  return { code: result.code, error: body.error };
}

describe('orgonaut --json failures', () => {
  it('answers usage mistakes of the client commands as JSON, with the group’s usage lines, exit 2', async () => {
    const unknownFlag = await jsonFailure(['live', 'actors', '--colour', 'red', '--json']);
    expect(unknownFlag).toMatchObject({ code: 2, error: { code: 'usage_error', message: expect.stringContaining('--colour') } });
    expect(unknownFlag.error.usage!.every((line) => line.startsWith('orgonaut live '))).toBe(true);
    const missing = await jsonFailure(['--json', 'login', '--timeout']);
    expect(missing).toMatchObject({ code: 2, error: { code: 'usage_error', message: '--timeout needs a value' } });
    const misspelt = await jsonFailure(['scenario', 'craete', 'Plan', '--json']);
    expect(misspelt).toMatchObject({ code: 2, error: { code: 'usage_error' } });
    expect(misspelt.error.message).toMatch(/craete/);
    const extra = await jsonFailure(['context', 'extra', '--json']);
    expect(extra).toMatchObject({ code: 2, error: { code: 'usage_error', message: expect.stringContaining('"extra"') } });
  });

  it('answers usage mistakes of the admin commands and an unknown command as JSON, exit 2', async () => {
    const unknownCommand = await jsonFailure(['tenantz', 'list', '--json']);
    expect(unknownCommand).toMatchObject({ code: 2, error: { code: 'usage_error', message: 'unknown command "tenantz": did you mean "tenants"?', fix: 'Run "orgonaut --help" for usage.' } });
    const unknownFlag = await jsonFailure(['tokens', 'list', '--tenant', 'acme', '--usr', 'a@b.c', '--json']);
    expect(unknownFlag).toMatchObject({ code: 2, error: { code: 'usage_error', message: 'unknown option --usr (did you mean --user?) for "tokens"' } });
    const missing = await jsonFailure(['--json', 'oauth-keys', 'rotate']);
    expect(missing).toMatchObject({ code: 2, error: { code: 'usage_error', message: '--tenant is required' } });
    const misspelt = await jsonFailure(['oauth-keys', 'rotat', '--tenant', 'acme', '--json']);
    expect(misspelt).toMatchObject({ code: 2, error: { code: 'usage_error', message: expect.stringContaining('oauth-keys needs rotate, retire or list') } });
    const nothing = await jsonFailure(['--json']);
    expect(nothing).toMatchObject({ code: 2, error: { code: 'usage_error', message: 'no command given' } });
  });

  it('keeps a not-signed-in failure as JSON with a code', async () => {
    const whoami = await jsonFailure(['whoami', '--json']);
    expect(whoami).toMatchObject({ code: 3, error: { code: 'not_signed_in', exit_code: 3 } });
  });

  it('still prints usage mistakes as text without --json', async () => {
    const text = await orgonaut(['tenantz', 'list']);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe('orgonaut: unknown command "tenantz": did you mean "tenants"?\nRun "orgonaut --help" for usage.\n');
  });
});
