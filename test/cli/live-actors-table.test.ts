import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fixtureCliWorld } from '../support/cli-world.js';
import { AS_OF, fixtureIds } from '../support/fixture-org.js';

/**
 * `orgonaut live actors` as a table: each actor's primary unit and manager by name (as `report roster` shows them),
 * and in a terminal narrower than the table, free-text cells cut with `…` instead of lines that wrap; piped output
 * and --json are left whole.
 */

const SLUG = 'cliactors';
const { id } = fixtureIds('cli-actors');
const world = fixtureCliWorld(SLUG, 'cli-actors');

/** Runs the CLI as if stdout were a terminal `columns` wide. */
async function inTerminal(args: string[], columns: number) {
  const saved = { isTTY: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'), columns: Object.getOwnPropertyDescriptor(process.stdout, 'columns') };
  Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
  Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true });
  try {
    return await runCli(args, world.config);
  } finally {
    for (const [key, descriptor] of Object.entries(saved)) {
      if (descriptor) Object.defineProperty(process.stdout, key, descriptor);
      else delete (process.stdout as unknown as Record<string, unknown>)[key];
    }
  }
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('orgonaut live actors', () => {
  it('shows each actor’s primary unit and manager by name', async () => {
    const shown = await runCli(['live', 'actors', '--as-of', AS_OF], world.config);
    expect(shown.code, shown.stderr).toBe(0);
    expect(lines(shown.stdout)[0]).toMatch(/^NAME\s+KIND\s+TITLE\s+UNIT\s+MANAGER\s+FTE\s+EMAIL\s+ID$/);
    expect(shown.stdout).toMatch(new RegExp(`^p1\\s+human\\s+-\\s+Platform\\s+eng_head\\s+1\\.00\\s+p1@fixture\\.test\\s+${id('p1')}$`, 'm'));
    expect(shown.stdout).toMatch(/^m1\s+human\s+-\s+Mobile\s+eng_head\s/m);
    expect(shown.stdout).toMatch(/^ceo\s+human\s+Chief Executive\s+Fixture Co\s+-\s+1\.00\s/m);
  });

  it('fits a narrow terminal by cutting names, titles and emails with …, never the ids; piped, every line stays whole', async () => {
    const piped = await runCli(['live', 'actors', '--as-of', AS_OF], world.config);
    expect(Math.max(...lines(piped.stdout).map((l) => l.length))).toBeGreaterThan(100);
    expect(piped.stdout).not.toContain('…');

    const narrow = await inTerminal(['live', 'actors', '--as-of', AS_OF], 100);
    expect(narrow.code, narrow.stderr).toBe(0);
    const rows = lines(narrow.stdout);
    expect(rows).toHaveLength(lines(piped.stdout).length);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(100);
    expect(narrow.stdout).toContain('…');
    expect(narrow.stdout).toMatch(new RegExp(`^ceo\\s+human\\s+Chief E…\\s.*\\s${id('ceo')}$`, 'm'));
    expect(narrow.stdout).toMatch(/^p1\s+human\s+-\s+Platform\s+eng_head\s+1\.00\s+p1@fixtu…\s/m);

    // Wide enough: nothing cut.
    expect((await inTerminal(['live', 'actors', '--as-of', AS_OF], 300)).stdout).toBe(piped.stdout);
  });

  it('leaves --json as the API gave it, in a terminal too (ids, no names added, nothing cut)', async () => {
    const piped = await runCli(['live', 'actors', '--as-of', AS_OF, '--json'], world.config);
    const narrow = await inTerminal(['live', 'actors', '--as-of', AS_OF, '--json'], 40);
    expect(narrow.stdout).toBe(piped.stdout);
    const p1 = JSON.parse(piped.stdout).data.find((a: { display_name: string }) => a.display_name === 'p1');
    expect(p1).toMatchObject({ primary_org_unit_id: id('P'), manager_id: id('eng_head'), email: 'p1@fixture.test' });
    expect(p1).not.toHaveProperty('manager');
  });
});
