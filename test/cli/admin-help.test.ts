import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

/**
 * The admin commands are listed twice for operators: by `orgonaut --help` and in docs/OPERATIONS.md's Admin commands
 * table. Every command (and subcommand) one names, the other names too — `oauth-keys rotate|retire|list` among them.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-admin-help-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `command sub` (or `command`, `seed --demo`) of each line of a list. */
const commandsOf = (lines: string[]) => new Set(lines.map((line) => line.split(/\s+/).filter((word) => !/^[<[]/.test(word)).slice(0, 2).join(' ')).map((c) => c.replace(/ --(?!demo|tenant).*$/, '')));

describe('the admin command list', () => {
  it('names the same commands in orgonaut --help and docs/OPERATIONS.md', async () => {
    const help = await runCli(['--help'], path.join(dir, 'config.json'));
    expect(help.code).toBe(0);
    const section = help.stdout.split('Admin commands:\n')[1]!.split('\n\n')[0]!;
    const helpLines = section.split('\n').filter((line) => /^ {2}[a-z]/.test(line)).map((line) => line.trim().split(/\s{2,}/)[0]!);
    const fromHelp = commandsOf(helpLines);
    const operations = fs.readFileSync(path.join(ROOT, 'docs/OPERATIONS.md'), 'utf8');
    const table = operations.split('## Admin commands\n')[1]?.split('\n## ')[0] ?? '';
    const docLines = [...table.matchAll(/^\| `orgonaut ([^`]+)` \|/gm)].map((m) => m[1]!);
    const fromDocs = commandsOf(docLines);
    expect([...fromDocs].sort()).toEqual([...fromHelp].sort());
    for (const sub of ['rotate', 'retire', 'list']) expect(fromHelp).toContain(`oauth-keys ${sub}`);
    expect(fromHelp).toContain('seed --tenant');
    expect(fromHelp).toContain('tokens revoke');
  });
});
