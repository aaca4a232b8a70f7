// First: run as a script (`tsx src/cli/main.ts`), the CLI loads oidc-provider too, whose runtime warning is filtered.
import '../util/quiet-oidc-warning.js';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_VERSION } from '../util/version.js';
import { AdminCommandFailed, sendAdminCommand } from '../admin/channel.js';
import type { AdminCommand, AdminResult } from '../admin/commands.js';
import { ConfigError, describeVariables, loadConfig, type Config } from '../config.js';
import { DataDirLocked, lockHolder } from '../db/lock.js';
import { bindPort } from '../listener.js';
import type { RunningServer } from '../server.js';
import { DatabaseUnavailable, StartupError } from '../startup-errors.js';
import { AppError } from '../errors.js';
import { publicOrigin } from '../tenancy/hosts.js';
import { booleanFlag, InputError, integerFlag, meant, parseArgs, requiredFlag, stringFlag, unknownOptions, UsageError, type ParsedArgs } from './args.js';
import { CliError } from './client/errors.js';
import { sortKeys } from './client/output.js';
import { CLIENT_ALIASES, CLIENT_GROUPS, CLIENT_USAGE, isClientCommand, runClientCommand } from './commands/index.js';
import { normalizeBooleanFlags } from './commands/shared.js';

/**
 * The server side (database, migrations, the app) is imported only by the commands that need it, so the client
 * commands start in a fraction of a second.
 */
let serverSide: {
  runAdminCommand: typeof import('../admin/commands.js').runAdminCommand;
  createMailer: typeof import('../mail/mailer.js').createMailer;
  createLogger: typeof import('../logger.js').createLogger;
  openDatabase: typeof import('../db/connection.js').openDatabase;
  migrate: typeof import('../db/migrate.js').migrate;
  listTenants: typeof import('../tenancy/tenants.js').listTenants;
  readyBanner: typeof import('../server.js').readyBanner;
  startServer: typeof import('../server.js').startServer;
} | null = null;

async function loadServerSide() {
  if (!serverSide) {
    const [commands, mail, logging, connection, migrations, tenants, server] = await Promise.all([
      import('../admin/commands.js'),
      import('../mail/mailer.js'),
      import('../logger.js'),
      import('../db/connection.js'),
      import('../db/migrate.js'),
      import('../tenancy/tenants.js'),
      import('../server.js'),
    ]);
    serverSide = {
      runAdminCommand: commands.runAdminCommand,
      createMailer: mail.createMailer,
      createLogger: logging.createLogger,
      openDatabase: connection.openDatabase,
      migrate: migrations.migrate,
      listTenants: tenants.listTenants,
      readyBanner: server.readyBanner,
      startServer: server.startServer,
    };
  }
  return serverSide;
}

const USAGE = `Usage: orgonaut <command> [options]

Admin commands:
  serve                                   Start the server (what \`npm start\` runs)
  migrate                                 Apply database migrations
  seed --demo                             Seed the demo tenants (acme, globex, initech)
  seed --tenant <slug> [--actors <N>]     Generate an organisation of N actors (10–100,000; default 300)
                                          [--replace] [--seed <s>]
  tenants list
  tenants create <slug> --plan <plan> [--name <name>] [--currency EUR|USD] [--domain <host>]
  tenants set-plan <slug> <plan>          Plans: free, team, business, enterprise, agency
  tenants set-allowance <slug> <n|default>
                                          Override the plan's actor allowance (default: the plan's again)
  tenants domains add|remove <slug> <domain>
                                          Serve the tenant on a custom domain too (one tenant per domain)
  tenants domains list <slug>
  tokens create --tenant <slug> --user <email> [--name <n>] [--abilities a,b] [--expires-in-days N]
                                          Create a personal API token (default: all the member's role abilities)
  tokens list --tenant <slug> [--user <email>]
  tokens revoke <id> --tenant <slug>
  members invite --tenant <slug> --email <email> [--role owner|admin|manager|member|viewer]
                                          Print a single-use link that makes them a member (default role: owner,
                                          how a new tenant gets its first member)
  members list --tenant <slug>
  roles list --tenant <slug>              The tenant's role bundles, marking those that differ from the defaults
  roles set <role> --tenant <slug> --abilities a,b
                                          Set exactly what a role grants (any role but owner; billing.manage and
                                          ownership.transfer stay the owner's); audited, live within a second
  roles reset <role> --tenant <slug>      Put a role back to its default bundle
  oauth-keys rotate --tenant <slug>       New OAuth signing and cookie keys sign; the previous stay accepted
  oauth-keys retire --tenant <slug>       Drop the previous keys (refused within an hour of rotating; --force)
  oauth-keys list --tenant <slug>
  oauth-clients add --tenant <slug> --name <name> --redirect-uri <uri[,uri…]> [--confidential]
                                          Pre-register an OAuth client (never cleaned up as unused); a
                                          confidential client's secret is printed once
  oauth-clients list --tenant <slug>      Every OAuth client: pre-registered and dynamically registered
  oauth-clients remove <client-id> --tenant <slug>
                                          Remove a client with every grant and token issued to it

Options:
  --json                                  Print machine-readable JSON
  --help                                  Show this help and every environment variable
  --version                               Print the version

${CLIENT_USAGE}

Admin commands work whether or not a server is running: on PostgreSQL directly, and on an embedded data directory
held by a running server through that server's loopback admin channel.

Environment variables:
${describeVariables()}`;

export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await runCommandLine(argv);
  } catch (error) {
    // A script asking for JSON gets every failure as one JSON object on stderr (stdout stays data), usage mistakes
    // and configuration errors included, with the exit code the text would have: `{"error": {code, message, exit_code, …}}`.
    if (!asksForJson(argv)) throw error;
    const failure = jsonFailureOf(error);
    process.stderr.write(`${JSON.stringify(sortKeys({ error: failure }), null, 2)}\n`);
    return failure.exit_code;
  }
}

/** Whether the command line asks for JSON (`--json`, anywhere before a `--`). */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => /^--json(=|$)/.test(arg));
}

/** A failure as the JSON `error` object: what reportFailure prints as text, with a code, a fix where there is one and the exit code. */
export function jsonFailureOf(error: unknown): { code: string; message: string; fix?: string; exit_code: number; [more: string]: unknown } {
  if (error instanceof InputError) return { code: 'input_error', message: error.message, exit_code: 2 };
  if (error instanceof UsageError) return { code: 'usage_error', message: error.message, fix: 'Run "orgonaut --help" for usage.', exit_code: 2 };
  if (error instanceof ConfigError) return { code: 'config_error', message: `configuration error: ${error.message}`, variable: error.variable, exit_code: 1 };
  if (error instanceof DataDirLocked) return { code: 'data_dir_locked', message: error.message, exit_code: 1 };
  if (error instanceof DatabaseUnavailable) return { code: 'database_unavailable', message: error.message, exit_code: 1 };
  if (error instanceof StartupError) return { code: 'startup_error', message: error.message, exit_code: 1 };
  const refusal = refusalOf(error);
  if (refusal) return { code: 'refused', ...refusal };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'unexpected_error', message: `unexpected error: ${message}`, ...(error instanceof Error && error.stack ? { stack: error.stack } : {}), exit_code: 70 };
}

async function runCommandLine(argv: readonly string[]): Promise<number> {
  // `orgonaut live actors --all | head`: the reader going away ends the command quietly, not with an EPIPE stack.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  // The client commands talk to a server over REST: they need no server configuration (and are not broken by it).
  if (isClientCommand(parseArgs(normalizeBooleanFlags(argv)).positionals[0])) return runClientCommand(argv);
  // `tenants list --json acme`: a flag that takes no value never swallows the next word (then refused below).
  const args = parseArgs(argv.map((arg) => (/^--(json|demo|replace|force|confidential|help|version)$/.test(arg) ? `${arg}=true` : arg)));
  const [command] = args.positionals;
  // `orgonaut help` is what people type first.
  if (args.flags.has('help') || (command === 'help' && args.positionals.length === 1)) {
    console.log(USAGE);
    return 0;
  }
  if (command === undefined && args.flags.has('version')) {
    console.log(`orgonaut ${PACKAGE_VERSION}`);
    return 0;
  }
  // Without a command (`orgonaut`) print the usage rather than start a server here.
  if (command === undefined) {
    if (booleanFlag(args, 'json')) throw new UsageError('no command given');
    console.error(USAGE);
    return 2;
  }
  refuseUnknownAdminFlags(command, args);
  const config = loadConfig();
  if (command === 'serve') {
    refuseExtraWords(args, 1);
    return serveCommand(config);
  }
  const json = booleanFlag(args, 'json');
  const adminCommand = toAdminCommand(command, args, config);
  const result = await runAdmin(config, adminCommand);
  console.log(json ? JSON.stringify(result.data, null, 2) : result.message);
  return 0;
}

/** An admin command's refusal (`{message, code?, fix?, exit_code}`), or null for anything else. */
function refusalOf(error: unknown): { message: string; code?: string; fix?: string; exit_code: number } | null {
  if (error instanceof AppError || error instanceof AdminCommandFailed) {
    // A not-found's fix is about ids in URLs ("Check the id"); the admin commands name members by email.
    const fix = error.fix && error.code !== 'not_found' ? error.fix : undefined;
    // Invalid input exits 2 as a malformed argument does, whether the server or the command line judged it.
    const exit_code = error.code === 'invalid_input' ? 2 : 1;
    return { message: error.message, ...(error.code ? { code: error.code } : {}), ...(fix ? { fix } : {}), exit_code };
  }
  return null;
}

async function serveCommand(config: Config): Promise<number> {
  // Fail fast, before the slow parts: the port first (a taken one touches no data directory), then the database
  // (an unreachable one is reported within the connect), and only then load the app (a second or more).
  const listener = await bindPort(config);
  // A signal during start-up (Ctrl-C while the first start seeds the demo, a stop while migrations run) is held
  // until start-up is done, then the server shuts down as usual: killed half-way, a demo seed would stay half made
  // and never be completed (it runs on a database without tenants only). A second signal still exits at once.
  let server: RunningServer | null = null;
  let stopping: string | null = null;
  const shutDown = (running: NonNullable<typeof server>, signal: string) => {
    running.runtime.logger.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        running.runtime.logger.info({ signal }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        running.runtime.logger.error({ err: error, signal }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = signal;
    if (server) shutDown(server, signal);
    else console.error(`orgonaut: ${signal}: stopping once start-up has finished (send it again to stop at once)`);
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const database = await (await import('../db/connection.js')).openDatabase(config);
    server = await (await loadServerSide()).startServer(config, { listener, database });
  } catch (error) {
    // startServer closed what it was given; a database that could not be opened leaves the port to close here.
    await listener.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    throw error;
  }
  const { listTenants, readyBanner } = await loadServerSide();
  if (stopping) {
    shutDown(server, stopping);
    return new Promise<number>(() => {});
  }
  const tenants = await listTenants(server.runtime.database.db);
  console.log(readyBanner(config, server, tenants));
  // The banner is for people; log collectors get the same moment as a JSON line.
  server.runtime.logger.info({ host: config.host, port: server.port, database: server.runtime.database.kind, tenants: tenants.length }, 'ready');
  return new Promise<number>(() => {});
}

function toAdminCommand(command: string, args: ParsedArgs, config: Config): AdminCommand {
  const [, sub, ...rest] = args.positionals;
  refuseExtraWords(args, wordsOf(command, sub, args));
  switch (command) {
    case 'migrate':
      return { name: 'migrate' };
    case 'seed':
      if (booleanFlag(args, 'demo')) return { name: 'seed.demo', password: config.demoPassword };
      if (!args.flags.has('tenant')) throw new UsageError('seed needs --demo, or --tenant <slug> --actors <N>');
      return {
        name: 'seed.tenant',
        tenant: requiredFlag(args, 'tenant'),
        actors: integerFlag(args, 'actors') ?? 300,
        replace: booleanFlag(args, 'replace'),
        seed: stringFlag(args, 'seed'),
      };
    case 'tenants':
      if (sub === 'list') return { name: 'tenants.list' };
      if (sub === 'create' && rest[0]) {
        const domain = stringFlag(args, 'domain');
        return {
          name: 'tenants.create',
          slug: rest[0],
          plan: requiredFlag(args, 'plan'),
          tenantName: stringFlag(args, 'name'),
          currency: stringFlag(args, 'currency'),
          domains: domain ? [domain] : [],
          baseDomain: config.baseDomain,
        };
      }
      if (sub === 'set-plan' && rest[0] && rest[1]) return { name: 'tenants.set-plan', slug: rest[0], plan: rest[1] };
      if (sub === 'set-allowance' && rest[0] && rest[1]) return { name: 'tenants.set-allowance', slug: rest[0], allowance: parseAllowanceWord(rest[1]) };
      if (sub === 'domains') {
        const [action, slug, domain] = rest;
        if (action === 'list' && slug) return { name: 'tenants.domains.list', slug };
        if (action === 'add' && slug && domain) return { name: 'tenants.domains.add', slug, domain, baseDomain: config.baseDomain };
        if (action === 'remove' && slug && domain) return { name: 'tenants.domains.remove', slug, domain };
        throw new UsageError('tenants domains needs add <slug> <domain>, remove <slug> <domain>, or list <slug>');
      }
      throw new UsageError('tenants needs list, create <slug> --plan <plan>, set-plan <slug> <plan>, set-allowance <slug> <n|default>, or domains add|remove|list <slug> [<domain>]');
    case 'tokens': {
      const tenant = requiredFlag(args, 'tenant');
      if (sub === 'list') return { name: 'tokens.list', tenant, email: stringFlag(args, 'user') };
      if (sub === 'revoke' && rest[0]) return { name: 'tokens.revoke', tenant, id: rest[0] };
      if (sub === 'create') {
        const abilities = stringFlag(args, 'abilities');
        return {
          name: 'tokens.create',
          tenant,
          email: requiredFlag(args, 'user'),
          tokenName: stringFlag(args, 'name') ?? 'admin token',
          abilities: abilities ? abilities.split(',').map((a) => a.trim()) : undefined,
          expiresInDays: integerFlag(args, 'expires-in-days'),
        };
      }
      throw new UsageError('tokens needs create --tenant <slug> --user <email>, list --tenant <slug>, or revoke <id> --tenant <slug>');
    }
    case 'members': {
      const tenant = requiredFlag(args, 'tenant');
      if (sub === 'list') return { name: 'members.list', tenant };
      if (sub === 'invite') {
        return { name: 'members.invite', tenant, email: requiredFlag(args, 'email'), role: stringFlag(args, 'role') ?? 'owner', origin: tenantOrigin(config, tenant) };
      }
      throw new UsageError('members needs invite --tenant <slug> --email <email>, or list --tenant <slug>');
    }
    case 'roles': {
      const tenant = requiredFlag(args, 'tenant');
      if (sub === 'list') return { name: 'roles.list', tenant };
      if (sub === 'set' && rest[0]) {
        // --abilities "" is a role with no abilities, said on purpose; a missing flag or value is a mistake.
        const list = args.flags.get('abilities');
        if (typeof list !== 'string') throw new UsageError('roles set needs --abilities a,b (exactly what the role grants from now on; "" for none)');
        return { name: 'roles.set', tenant, role: rest[0], abilities: list.split(',').map((a) => a.trim()).filter(Boolean) };
      }
      if (sub === 'reset' && rest[0]) return { name: 'roles.reset', tenant, role: rest[0] };
      throw new UsageError('roles needs list --tenant <slug>, set <role> --tenant <slug> --abilities a,b, or reset <role> --tenant <slug>');
    }
    case 'oauth-keys': {
      const tenant = requiredFlag(args, 'tenant');
      if (sub === 'rotate') return { name: 'oauth-keys.rotate', tenant };
      if (sub === 'retire') return { name: 'oauth-keys.retire', tenant, force: booleanFlag(args, 'force') };
      if (sub === 'list') return { name: 'oauth-keys.list', tenant };
      throw new UsageError('oauth-keys needs rotate, retire or list, with --tenant <slug>');
    }
    case 'oauth-clients': {
      const tenant = requiredFlag(args, 'tenant');
      if (sub === 'list') return { name: 'oauth-clients.list', tenant };
      if (sub === 'remove' && rest[0]) return { name: 'oauth-clients.remove', tenant, clientId: rest[0] };
      if (sub === 'add') {
        return {
          name: 'oauth-clients.add',
          tenant,
          clientName: requiredFlag(args, 'name'),
          redirectUris: requiredFlag(args, 'redirect-uri').split(','),
          confidential: booleanFlag(args, 'confidential'),
          redirectDomains: config.mcpRedirectDomains,
        };
      }
      throw new UsageError('oauth-clients needs add --tenant <slug> --name <name> --redirect-uri <uri>, list --tenant <slug>, or remove <client-id> --tenant <slug>');
    }
    default:
      throw unknownCommand(command);
  }
}

/** `set-allowance`'s `<n|default>`: a number of actors, or the plan's allowance again; anything else a usage mistake. */
function parseAllowanceWord(word: string): number | null {
  if (word.trim().toLowerCase() === 'default') return null;
  if (!/^\d+$/.test(word.trim())) throw new UsageError(`set-allowance needs a whole number of actors or "default", not "${word}"`);
  return Number(word.trim());
}

/** How many words an admin command takes, its own name included: `tokens revoke <id>` is 3. */
function wordsOf(command: string, sub: string | undefined, args?: ParsedArgs): number {
  if (command === 'tenants') {
    if (sub === 'domains') return args?.positionals[2] === 'list' ? 4 : 5;
    return sub === 'create' ? 3 : sub === 'set-plan' || sub === 'set-allowance' ? 4 : 2;
  }
  if (command === 'tokens') return sub === 'revoke' ? 3 : 2;
  if (command === 'oauth-clients') return sub === 'remove' ? 3 : 2;
  if (command === 'members' || command === 'oauth-keys') return 2;
  if (command === 'roles') return sub === 'set' || sub === 'reset' ? 3 : 2;
  return 1;
}

/** `tokens revoke <id> <id2>` or `migrate now`: a word the command does not take is refused, never ignored. */
function refuseExtraWords(args: ParsedArgs, count: number): void {
  const extra = args.positionals.slice(count);
  if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((w) => `"${w}"`).join(' ')} for "${args.positionals.slice(0, count).join(' ')}"`);
}

/** The options of each admin command; any other is a usage mistake (a misspelt `--abilities` must not grant all). */
const ADMIN_FLAGS: Record<string, string[]> = {
  serve: [],
  migrate: [],
  seed: ['demo', 'tenant', 'actors', 'replace', 'seed'],
  tenants: ['plan', 'name', 'currency', 'domain'],
  tokens: ['tenant', 'user', 'name', 'abilities', 'expires-in-days'],
  members: ['tenant', 'email', 'role'],
  roles: ['tenant', 'abilities'],
  'oauth-keys': ['tenant', 'force'],
  'oauth-clients': ['tenant', 'name', 'redirect-uri', 'confidential'],
};

/**
 * The public origin of a tenant's host as the server advertises it: `<scheme>://<slug>.<base domain>`, with the port
 * when served plainly on one (behind TLS the load balancer's port is the public one, not PORT).
 */
function tenantOrigin(config: Config, slug: string): string {
  return publicOrigin(config.publicScheme, `${slug.trim().toLowerCase()}.${config.baseDomain}`, config.port);
}

/** `unknown command "scenarios": did you mean "scenario"?` — over the client and the admin commands alike. */
function unknownCommand(command: string): UsageError {
  const guess = meant(command, [...Object.keys(CLIENT_GROUPS), ...Object.keys(CLIENT_ALIASES), ...Object.keys(ADMIN_FLAGS), 'help']);
  return new UsageError(`unknown command "${command}"${guess ? `: did you mean "${guess}"?` : ''}`);
}

function refuseUnknownAdminFlags(command: string, args: ParsedArgs): void {
  const known = ADMIN_FLAGS[command];
  if (!known) throw unknownCommand(command);
  const unknown = [...args.flags.keys()].filter((flag) => flag !== 'json' && !known.includes(flag));
  if (unknown.length) throw unknownOptions(unknown, known, ` for "${command}"`);
}

/**
 * Runs an admin command where the data is: directly on PostgreSQL or a free embedded directory, else through the
 * admin channel of the server holding the directory.
 */
async function runAdmin(config: Config, command: AdminCommand): Promise<AdminResult> {
  if (!config.databaseUrl && lockHolder(config.dataDir) !== null) {
    // A server holds the directory; while it starts, its admin channel may not be open yet: wait a little.
    for (let waited = 0; waited < 15_000; waited += 250) {
      const result = await sendAdminCommand(config.dataDir, command);
      if (result) return result;
      if (lockHolder(config.dataDir) === null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  // Only now, with no server to ask: loading the server side (PGlite, the app) takes a second or two.
  const { openDatabase, migrate, runAdminCommand, createMailer, createLogger } = await loadServerSide();
  const database = await openDatabase(config);
  // An invitation is emailed through ORGONAUT_SMTP_URL of this environment, as the server would; the command's
  // output says what became of the email, so the mailer logs nothing here.
  const mailer = createMailer(config, createLogger('silent'));
  try {
    if (command.name !== 'migrate') await migrate(database);
    return await runAdminCommand(database, command, { mailer });
  } finally {
    mailer?.close();
    await database.close();
  }
}

/** Runs the command line and exits with its code (what `src/main.ts`, the `orgonaut` command, does). */
export function runAndExit(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: unknown) => process.exit(reportFailure(error)),
  );
}

// `tsx src/cli/main.ts --help`: run as a script, this module is the CLI too, rather than doing nothing at all.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) runAndExit(process.argv.slice(2));

/** One clear line for the problems people can fix; a stack only for real bugs. */
export function reportFailure(error: unknown): number {
  if (error instanceof CliError) {
    console.error(`orgonaut: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    console.error(`orgonaut: ${error.message}${error instanceof InputError ? '' : '\nRun "orgonaut --help" for usage.'}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    console.error(`orgonaut: configuration error: ${error.message}`);
    return 1;
  }
  if (error instanceof DataDirLocked || error instanceof DatabaseUnavailable || error instanceof StartupError) {
    console.error(`orgonaut: ${error.message}`);
    return 1;
  }
  const refusal = refusalOf(error);
  if (refusal) {
    const message = /[.!?]$/.test(refusal.message) ? refusal.message : `${refusal.message}.`;
    console.error(`orgonaut: ${message}${refusal.fix ? ` ${refusal.fix}` : ''}`);
    return refusal.exit_code;
  }
  console.error('orgonaut: unexpected error', error);
  return 70;
}
