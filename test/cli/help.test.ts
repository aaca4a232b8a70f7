import { describe, expect, it } from 'vitest';
import { CLIENT_GROUPS } from '../../src/cli/commands/index.js';

/** `orgonaut commands` (and --help) describe every command a group has: its summary names each one its usage lists. */
describe('orgonaut commands', () => {
  it('names every subcommand of a group in its one-line summary', () => {
    const missing: string[] = [];
    for (const [name, group] of Object.entries(CLIENT_GROUPS)) {
      for (const line of group.usage) {
        const sub = line.split(' ')[1];
        if (!sub || sub.startsWith('<') || sub.startsWith('[') || sub.startsWith('"')) continue;
        for (const word of sub.split('|')) if (!group.summary.includes(word.replace('-', ' '))) missing.push(`${name} ${word}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
