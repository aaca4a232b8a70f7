import { describe, expect, it } from 'vitest';
import { meant, unknownOptions, unknownSubcommand } from '../../src/cli/args.js';

/** A mistyped command or option is refused (exit 2) with the one it was probably meant to be, when there is one. */
describe('did you mean', () => {
  it('names the nearest word by spelling, the plural or singular of a command included', () => {
    expect(meant('scenarios', ['scenario', 'live', 'report'])).toBe('scenario');
    expect(meant('dleta', ['delta', 'show', 'list'])).toBe('delta');
    expect(meant('abilties', ['tenant', 'user', 'name', 'abilities'])).toBe('abilities');
  });

  it('names nothing for a word too far from every one, or as near to two', () => {
    expect(meant('frobnicate', ['scenario', 'live', 'report'])).toBeNull();
    // Up to four letters, one edit: "to" is two from "tree".
    expect(meant('to', ['tree', 'units'])).toBeNull();
    // "tem" is one edit from both "team" and "tes": no guess.
    expect(meant('tem', ['team', 'tes'])).toBeNull();
  });

  it('reads the options other CLIs spell otherwise as ours, only when the command takes them', () => {
    expect(meant('url', ['host', 'token'], { url: 'host' })).toBe('host');
    expect(unknownOptions(['url'], ['host', 'token']).message).toBe('unknown option --url (did you mean --host?)');
    expect(unknownOptions(['org'], ['plan', 'name']).message).toBe('unknown option --org');
    expect(unknownOptions(['unti', 'zzz'], ['unit', 'search'], ' for "live actors"').message).toBe('unknown options --unti (did you mean --unit?), --zzz for "live actors"');
  });

  it('lists a group’s commands after the guess', () => {
    expect(unknownSubcommand('tasks', 'shwo', ['list', 'show']).message).toBe('unknown tasks command "shwo": did you mean "show"? (list or show)');
    expect(unknownSubcommand('auth', 'signin', ['login', 'logout', 'status']).message).toBe('unknown auth command "signin" (login, logout or status)');
  });
});
