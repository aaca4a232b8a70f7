import { editDistance } from '../util/edit-distance.js';

/** A tiny argv parser: positionals, `--flag`, `--key value` and `--key=value`. */
export interface ParsedArgs {
  positionals: string[];
  /** Each option's value (the last one given, for an option given more than once). */
  flags: Map<string, string | true>;
  /** Every value of each option, in order (`--set a=1 --set b=2`: both); see listFlag. */
  repeated?: Map<string, (string | true)[]>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const repeated = new Map<string, (string | true)[]>();
  const set = (name: string, value: string | true) => {
    flags.set(name, value);
    repeated.set(name, [...(repeated.get(name) ?? []), value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        set(arg.slice(2, eq), arg.slice(eq + 1));
      } else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('--')) {
          set(arg.slice(2), next);
          i++;
        } else {
          set(arg.slice(2), true);
        }
      }
    } else if (arg === '-h') {
      flags.set('help', true);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags, repeated };
}

/** A CLI usage mistake: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A file the command was given that cannot be used (missing, unreadable, not JSON): exit code 2 like a usage mistake,
 * but one line, without the usage the command was written correctly by.
 */
export class InputError extends UsageError {
  override name = 'InputError';
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** Every value of an option that may be given several times (`--set a=1 --set b=2`), in order; [] when not given. */
export function listFlag(args: ParsedArgs, name: string): string[] {
  const values = args.repeated?.get(name) ?? (args.flags.has(name) ? [args.flags.get(name)!] : []);
  if (values.some((value) => value === true)) throw new UsageError(`--${name} needs a value`);
  return values as string[];
}

export function requiredFlag(args: ParsedArgs, name: string): string {
  const value = stringFlag(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function integerFlag(args: ParsedArgs, name: string): number | undefined {
  const value = stringFlag(args, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new UsageError(`--${name} must be a whole number`);
  return number;
}

/**
 * "unknown option --x" / "unknown options --x, --y" (+ `suffix`): a misspelt option is refused, never ignored. Each
 * says the option of `known` it was probably meant to be (`--unti (did you mean --unit?)`, `--url (did you mean --host?)`).
 */
export function unknownOptions(flags: readonly string[], known: Iterable<string>, suffix = ''): UsageError {
  const options = [...known];
  const named = flags.map((flag) => {
    const guess = meant(flag, options, OPTION_SYNONYMS);
    return `--${flag}${guess ? ` (did you mean --${guess}?)` : ''}`;
  });
  return new UsageError(`unknown option${flags.length > 1 ? 's' : ''} ${named.join(', ')}${suffix}`);
}

/** A command group's word it does not have: `unknown scenario command "lst": did you mean "list"? (list, create … or promote)`. */
export function unknownSubcommand(group: string, sub: string, subs: readonly string[]): UsageError {
  const guess = meant(sub, subs);
  const all = subs.length > 1 ? `${subs.slice(0, -1).join(', ')} or ${subs.at(-1)}` : subs.join('');
  return new UsageError(`unknown ${group ? `${group} ` : ''}command "${sub}"${guess ? `: did you mean "${guess}"?` : ''} (${all})`);
}

/** Options people write for one this CLI names otherwise (other CLIs' `--url`, `--org`). */
const OPTION_SYNONYMS: Readonly<Record<string, string>> = {
  url: 'host',
  server: 'host',
  endpoint: 'host',
  org: 'tenant',
  organisation: 'tenant',
  organization: 'tenant',
};

/**
 * The word of `known` that `word` was probably meant to be: a synonym given, else the one nearest by spelling, at
 * most two edits away (one for a word of up to four letters) and unambiguous; else none.
 */
export function meant(word: string, known: readonly string[], synonyms: Readonly<Record<string, string>> = {}): string | null {
  const lower = word.toLowerCase();
  const synonym = synonyms[lower];
  if (synonym && known.includes(synonym)) return synonym;
  const most = lower.length <= 4 ? 1 : 2;
  const near = known.map((candidate) => ({ candidate, distance: editDistance(lower, candidate, most) })).filter((c) => c.distance <= most);
  const fewest = Math.min(...near.map((c) => c.distance));
  const best = near.filter((c) => c.distance === fewest);
  return best.length === 1 ? best[0]!.candidate : null;
}
