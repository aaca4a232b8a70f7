/** A tiny argv parser: positionals, `--flag`, `--key value` and `--key=value`. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('--')) {
          flags.set(arg.slice(2), next);
          i++;
        } else {
          flags.set(arg.slice(2), true);
        }
      }
    } else if (arg === '-h') {
      flags.set('help', true);
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
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

/** "unknown option --x" / "unknown options --x, --y" (+ `suffix`): a misspelt option is refused, never ignored. */
export function unknownOptions(flags: readonly string[], suffix = ''): UsageError {
  return new UsageError(`unknown option${flags.length > 1 ? 's' : ''} ${flags.map((f) => `--${f}`).join(', ')}${suffix}`);
}
