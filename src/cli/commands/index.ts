import { InputError, parseArgs, unknownOptions, UsageError } from '../args.js';
import { PLACEMENT_CHECKS } from '../../org/placement-checks.js';
import { ApiProblem, CliError, EXIT, NetworkError, NotSignedIn, StillRunning } from '../client/errors.js';
import { printJson, print, sortKeys } from '../client/output.js';
import { authCommand } from './auth.js';
import { contextCommand } from './context.js';
import { doctorCommand } from './doctor.js';
import { importCommand } from './import.js';
import { liveCommand } from './live.js';
import { refsCommand } from './refs.js';
import { reportCommand } from './report.js';
import { scenarioCommand } from './scenario.js';
import { tasksCommand } from './tasks.js';
import { createRun, normalizeBooleanFlags, type Run } from './shared.js';

/**
 * The `orgonaut` client commands: a REST API client for one tenant (the admin commands — serve, migrate, seed,
 * tenants, tokens — are in cli/main.ts). Each group is one file; this is the table of them and their help.
 */

interface Group {
  run(run: Run): Promise<number>;
  summary: string;
  usage: string[];
}

const VIEW = '[--scenario <id|name>] [--as-of YYYY-MM-DD]';
const PAGE = '[--limit N] [--cursor C] [--all]';

export const CLIENT_GROUPS: Record<string, Group> = {
  auth: {
    run: authCommand,
    summary: 'Sign in: login to a tenant (browser PKCE or --token), logout, status of the stored sign-in',
    usage: [
      'auth login [--host https://acme.orgonaut.co] [--no-browser] [--name <token name>] [--timeout <seconds>]',
      'auth login --token <orgo_pat_…|-> [--host <url>] [--tenant <slug>]   (headless; "-" reads the token from stdin)',
      'auth logout [--revoke]',
      'auth status',
    ],
  },
  context: { run: contextCommand, summary: 'Tenant, plan, user, role and the abilities of the stored token', usage: ['context'] },
  live: {
    run: liveCommand,
    summary: 'Read Live (or a scenario with --scenario): units, tree, departments, teams, actors, positions, placements, reporting lines, compensation, metrics',
    usage: [
      `live units [--type company|department|team|system] [--parent <unit>] [--search q] [--include-inactive] ${VIEW} ${PAGE}`,
      `live tree [--depth N] [--type department,team] [--root <unit>] ${VIEW}`,
      `live departments [--search q] [--include-inactive] ${VIEW} ${PAGE}`,
      `live teams [--search q] [--team-type <type>] [--without-manager] [--include-inactive] ${VIEW} ${PAGE}`,
      `live actors [--kind human|robot|agent] [--unit <unit>] [--search q] [--without-manager] [--placement-check ${PLACEMENT_CHECKS.join('|')}] [--include-inactive] ${VIEW} ${PAGE}`,
      `live positions [--unit <unit> | --no-budgeted-team] [--status filled|vacant|closed|open] [--ids <id>,<id>…] [--include-inactive] ${VIEW} ${PAGE}`,
      `live placements [--actor <id>] [--unit <unit>] [--position <id>] [--include-inactive] ${VIEW} ${PAGE}`,
      `live reporting-lines [--manager <actor>] [--actor <actor>] [--include-inactive] ${VIEW} ${PAGE}`,
      `live compensation [--actor <actor>] [--include-inactive] ${VIEW} ${PAGE}   (needs costs.read)`,
      `live metrics [--unit <unit>] ${VIEW}`,
    ],
  },
  scenario: {
    run: scenarioCommand,
    summary: 'Scenario lifecycle: list, create, show, rename, edit, delta, changes, apply, discard, submit, withdraw, archive, unarchive, tasks, promote',
    usage: [
      `scenario list [--kind planning|applied|snapshot] [--state active|archived] ${PAGE}`,
      'scenario create "<name>" [--description <text>] [--from <scenario id|name>]',
      'scenario show <id|name>       (a scenario or snapshot by its id or its name)',
      'scenario delta <id|name> [--family <family>] [--compare source|live|promotion] [--as-of YYYY-MM-DD]   (every page of records)',
      `scenario changes <id|name> [--family <family>] ${PAGE}`,
      'scenario apply <id|name> <file.json|->     file: {"changes":[{"op":"set_fte","actor_id":"…","fte":0.8}]}',
      'scenario discard <id|name> <family>:<record-id>…   undo the scenario\'s changes to those records',
      'scenario rename <id|name> "<new name>"',
      'scenario edit <id|name> [--name <new name>] [--description <text>]   (--description "" clears it)',
      'scenario submit|withdraw|archive|unarchive <id|name>',
      `scenario tasks <id|name> [--status pending|running|succeeded|failed] [--kind promotion|restore|import] ${PAGE}`,
      'scenario promote <id|name> [--resolutions <file.json>] [--wait [--timeout <seconds>]]   (--wait: 10 minutes unless --timeout says; exit 5 if still running)',
    ],
  },
  tasks: {
    run: tasksCommand,
    summary: 'Background tasks (promotions, restores, import undos): list them (running, failed, by kind), show one',
    usage: [`tasks list [--status pending|running|succeeded|failed] [--kind promotion|restore|import] ${PAGE}`, 'tasks show <task-id>'],
  },
  report: {
    run: reportCommand,
    summary: 'Reports: roster, org-unit metrics, spans of control, lineage, snapshots, activity',
    usage: [
      `report roster [--unit <unit>] [--primary-only] [--kind human|robot|agent] ${VIEW} ${PAGE}`,
      `report metrics [--type <type>] [--unit <unit>] [--include-inactive] ${VIEW} ${PAGE}`,
      `report spans [--span outliers|narrow|wide|all] [--unit <unit>] ${VIEW} ${PAGE}    (managers by number of direct reports)`,
      `report lineage ${PAGE}`,
      `report snapshots ${PAGE}`,
      `report activity [--category model|security] [--entity-type <type>] [--scenario <id|name>] [--since D] [--until D] ${PAGE}`,
    ],
  },
  import: {
    run: importCommand,
    summary: 'CSV imports: upload a file (mapping, preview, start, --wait), a run\'s status, the list of runs; review the quarantine: list, fix, ignore, reprocess',
    usage: [
      'import <file.csv> [--target live|<scenario id|name>] [--mapping "<header>=<field>,…"] [--wait [--timeout <seconds>]]   (field - = not imported; --wait: 30 minutes unless --timeout says, exit 5 if still running)',
      'import status <run-id>',
      `import list [--status pending|processing|completed|failed] ${PAGE}`,
      `import quarantine <run-id> [--resolution pending|reprocessing|failed|fixed|ignored] ${PAGE}`,
      'import fix <run-id> <row> --set <field>=<value> [--set <field>=<value>…]   (a header, field or column number; <field>= empties the cell)',
      'import ignore <run-id> <row>',
      'import reprocess <run-id> [--wait [--timeout <seconds>]]   (imports the fixed rows)',
    ],
  },
  refs: {
    run: refsCommand,
    summary: 'Reference lists: department types, team types (search, create, rename, remove), currencies',
    usage: [
      `refs department-types [--search q] ${PAGE}`,
      `refs team-types [--search q] ${PAGE}`,
      'refs department-types|team-types --create "<name>"',
      'refs department-types|team-types rename <id|name> "<new name>"',
      'refs department-types|team-types remove <id|name>   (refused while a department or team, its history or a scenario has the type)',
      `refs currencies ${PAGE}`,
    ],
  },
  doctor: {
    run: doctorCommand,
    summary: 'Check the config, the server (/healthz) and the token (/api/v1/me); print plan, abilities, MCP URL',
    usage: ['doctor [--host <url>]'],
  },
  commands: {
    run: async (run) => listCommands(run),
    summary: 'List the client commands (--json for a machine-readable list)',
    usage: ['commands [--json]'],
  },
};

/** The words people type first, as other CLIs spell them: `orgonaut login` is `orgonaut auth login`. */
export const CLIENT_ALIASES: Record<string, string[]> = { login: ['auth', 'login'], logout: ['auth', 'logout'], whoami: ['context'] };

export function isClientCommand(word: string | undefined): boolean {
  return word !== undefined && (Object.hasOwn(CLIENT_GROUPS, word) || Object.hasOwn(CLIENT_ALIASES, word));
}

/** argv with a shortcut's command written out (`login --host …` → `auth login --host …`). */
function expandAlias(argv: readonly string[]): string[] {
  const word = parseArgs(normalizeBooleanFlags(argv)).positionals[0];
  const at = word !== undefined && Object.hasOwn(CLIENT_ALIASES, word) ? argv.indexOf(word) : -1;
  return at === -1 ? [...argv] : [...argv.slice(0, at), ...CLIENT_ALIASES[word!]!, ...argv.slice(at + 1)];
}

export const CLIENT_USAGE = `Client commands (the REST API of one tenant; sign in first with "orgonaut auth login"):
${Object.values(CLIENT_GROUPS)
  .flatMap((g) => g.usage)
  .map((line) => `  ${line}`)
  .join('\n')}

Shortcuts: login and logout (auth login, auth logout), whoami (context).

Client options:
  --json            Print the API's JSON, keys sorted (deterministic)
  --help            Show the usage of a command group

Exit codes: 0 ok, 1 API error (the problem's detail and fix are printed), 2 usage or invalid input (a bad
option value or file, whether the CLI or the server caught it: HTTP 400, 422), 3 not signed in or token refused,
4 server unreachable, 5 still running (--wait ran out of time; the task goes on). The sign-in is stored in $ORGONAUT_CONFIG or ~/.config/orgonaut/config.json (0600).`;

function listCommands(run: Run): number {
  if (run.json) {
    printJson({ commands: Object.entries(CLIENT_GROUPS).map(([name, g]) => ({ name, summary: g.summary, usage: g.usage.map((u) => `orgonaut ${u}`) })) });
    return 0;
  }
  const width = Math.max(...Object.keys(CLIENT_GROUPS).map((n) => n.length));
  for (const [name, group] of Object.entries(CLIENT_GROUPS)) print(`${name.padEnd(width)}  ${group.summary}`);
  return 0;
}

/** Runs a client command; usage mistakes throw UsageError (exit 2), API failures CliErrors with their codes. */
export async function runClientCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(normalizeBooleanFlags(expandAlias(argv)));
  const name = args.positionals[0]!;
  const group = CLIENT_GROUPS[name]!;
  if (args.flags.has('help')) {
    print(`Usage:\n${group.usage.map((u) => `  orgonaut ${u}`).join('\n')}\n\nAdd --json for the API's JSON (keys sorted).`);
    return 0;
  }
  try {
    refuseUnknownFlags(args.flags.keys(), group, name, args.positionals[1]);
    refuseExtraWords(args.positionals, group);
    return await group.run(createRun(args));
  } catch (error) {
    // A script asking for JSON gets its failure as JSON too (on stderr, stdout stays data), with the exit code.
    if (args.flags.has('json') && error instanceof CliError) return printJsonFailure(error);
    const usage = group.usage.map((u) => `orgonaut ${u}`);
    if (args.flags.has('json') && error instanceof UsageError) return printJsonUsageFailure(error, usage);
    if (error instanceof UsageError && !(error instanceof InputError)) throw new UsageError(`${error.message}\nUsage:\n${usage.map((u) => `  ${u}`).join('\n')}`);
    throw error;
  }
}

/**
 * `{"error": {"code", "exit_code", "message", "problem"?, "status"?}}` on stderr, keys sorted as every --json output;
 * returns the exit code. The code is the API problem's, else what kind of failure it was.
 */
function printJsonFailure(error: CliError): number {
  const problem = error instanceof ApiProblem ? { status: error.status, problem: error.problem } : {};
  const code =
    error instanceof ApiProblem
      ? (error.problem.code ?? 'api_error')
      : error instanceof NotSignedIn
        ? 'not_signed_in'
        : error instanceof NetworkError
          ? 'network_error'
          : error instanceof StillRunning
            ? 'still_running'
            : (error.code ?? (error.exitCode === EXIT.usage ? 'input_error' : 'error'));
  const running = error instanceof StillRunning ? error.running : {};
  process.stderr.write(`${JSON.stringify(sortKeys({ error: { code, message: error.message, exit_code: error.exitCode, ...problem, ...running } }), null, 2)}\n`);
  return error.exitCode;
}

/**
 * A usage mistake under --json: `{"error": {"code": "usage_error", "exit_code": 2, "message", "usage": [the group's
 * usage lines]}}` on stderr (a file that cannot be used: `input_error`, without the usage), like every other failure.
 */
function printJsonUsageFailure(error: UsageError, usage: string[]): number {
  const body = error instanceof InputError ? { code: 'input_error', message: error.message, exit_code: EXIT.usage } : { code: 'usage_error', message: error.message, exit_code: EXIT.usage, usage };
  process.stderr.write(`${JSON.stringify(sortKeys({ error: body }), null, 2)}\n`);
  return EXIT.usage;
}

/**
 * A word no usage line of the group takes is refused, never ignored: `scenario create Reshape sales` would otherwise
 * create "Reshape". The words a line takes are its subcommand and `<placeholders>`, up to its first option.
 * Words no line starts with are left to the group, which names its subcommands.
 */
function refuseExtraWords(positionals: readonly string[], group: Group): void {
  const [name, ...words] = positionals;
  let longest: string[] | null = null;
  for (const line of group.usage) {
    const taken = line.split(/\s{2,}/)[0]!.split(/\s+/).slice(1);
    const end = taken.findIndex((token) => /^(\[|--|\()/.test(token));
    const pattern = end === -1 ? taken : taken.slice(0, end);
    const matches = pattern.every((token, i) => i >= words.length || /^"?</.test(token) || token.split('|').includes(words[i]!));
    if (!matches) continue;
    if (words.length <= pattern.length) return;
    if (!longest || pattern.length > longest.length) longest = pattern;
  }
  if (!longest) return;
  const extra = words.slice(longest.length);
  const quote = longest.some((token) => token.startsWith('"')) ? '; put quotes around a value with spaces' : '';
  throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((w) => `"${w}"`).join(' ')} for "${[name, ...words.slice(0, longest.length)].join(' ')}"${quote}`);
}

/** Options every client command takes. */
const COMMON_FLAGS = new Set(['json', 'help']);

/**
 * A misspelt or foreign option is a usage mistake, not something to ignore (`--url` for `--host` would otherwise
 * talk to the default server). A subcommand's options are the ones its usage lines name: an option of another
 * subcommand of the group (`live tree --search`, `live departments --team-type`) is refused too, naming the ones it takes.
 */
function refuseUnknownFlags(given: Iterable<string>, group: Group, name: string, sub: string | undefined): void {
  const flagsOf = (lines: readonly string[]) => new Set([...COMMON_FLAGS, ...lines.flatMap((line) => [...line.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!))]);
  const lines = linesOf(group, sub);
  const known = flagsOf(lines);
  const unknown = [...given].filter((flag) => !known.has(flag));
  if (!unknown.length) return;
  const elsewhere = flagsOf(group.usage);
  if (lines !== group.usage && unknown.every((flag) => elsewhere.has(flag))) {
    const takes = [...known].filter((flag) => !COMMON_FLAGS.has(flag)).map((flag) => `--${flag}`);
    const what = `${unknown.map((flag) => `--${flag}`).join(', ')} ${unknown.length > 1 ? 'are not options' : 'is not an option'} of "${name} ${sub}"`;
    throw new UsageError(`${what} (${takes.length ? `it takes ${takes.join(', ')}` : 'it takes none but --json'})`);
  }
  throw unknownOptions(unknown, known);
}

/**
 * The usage lines of a group's subcommand: those naming it (`live teams …`, `scenario submit|withdraw… <id>`), else
 * those whose first word is a placeholder (`import <file.csv> …`), else all of them.
 */
function linesOf(group: Group, sub: string | undefined): readonly string[] {
  if (sub === undefined) return group.usage;
  const second = (line: string) => line.split(/\s+/)[1] ?? '';
  const named = group.usage.filter((line) => !/^[[<"(-]/.test(second(line)) && second(line).split('|').includes(sub));
  if (named.length) return named;
  const placeholder = group.usage.filter((line) => /^"?</.test(second(line)));
  return placeholder.length ? placeholder : group.usage;
}
