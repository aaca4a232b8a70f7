import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fixtureCliWorld } from '../support/cli-world.js';

/**
 * Exit codes a script branches on: a bad value exits 2 whichever side caught it — the CLI (`--limit 0`) or the server
 * (`--kind alien`, a 400 problem) — and a refusal that is not about the input (404) still exits 1.
 */

const SLUG = 'cliexit';
const world = fixtureCliWorld(SLUG, 'cli-exit');

describe('orgonaut exit codes for invalid input', () => {
  it('exits 2 for a value the server refuses (400) as for one the CLI refuses itself', async () => {
    const byCli = await runCli(['live', 'actors', '--limit', '0'], world.config);
    expect(byCli.code, byCli.stderr).toBe(2);
    const byServer = await runCli(['live', 'actors', '--kind', 'alien'], world.config);
    expect(byServer.stderr).toContain('(HTTP 400 invalid_input)');
    expect(byServer.code).toBe(byCli.code);

    // --json says the same code in the error it prints.
    const asJson = await runCli(['live', 'actors', '--kind', 'alien', '--json'], world.config);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ exit_code: 2, status: 400, problem: { code: 'invalid_input' } });
  });

  it('keeps exit 1 for a refusal that is not about the input (not found), and lists the codes in the help', async () => {
    const missing = await runCli(['scenario', 'show', '00000000-0000-4000-8000-000000000000'], world.config);
    expect(missing.stderr).toContain('(HTTP 404 not_found)');
    expect(missing.code).toBe(1);
    expect((await runCli(['--help'], world.config)).stdout).toMatch(/2 usage or invalid input \(a bad\s+option value or file, whether the CLI or the server caught it: HTTP 400, 422\)/);
  });
});
