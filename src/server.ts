import { startAdminChannel } from './admin/channel.js';
import { runAdminCommand } from './admin/commands.js';
import { createApp, createRuntime, type Runtime } from './app.js';
import { VARIABLES, type Config } from './config.js';
import { openDatabase, type Database } from './db/connection.js';
import { bindPort, type Listener } from './listener.js';
import { migrate } from './db/migrate.js';
import { DEMO_TENANTS, DEMO_USERS, seedDemo } from './db/seed/demo.js';
import { createLogger } from './logger.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { findTenantBySlug, listTenants, type Tenant } from './tenancy/tenants.js';
import { publicOrigin } from './tenancy/hosts.js';
import { PLAN_FEATURES } from './tenancy/plans.js';
import { failInterruptedTasks, failTasksOfThisProcess, runningTaskCount, waitForRunningTasks } from './scenarios/tasks.js';
import { STALE_AFTER_MS } from './util/heartbeat.js';
import { registerProcessGauges } from './observability/gauges.js';
import { warmUpLargestTenants } from './org/warm-up.js';
import { importMaintenance } from './imports/maintenance.js';
import { startMaintenance } from './maintenance.js';
import { applyDueHrisWork } from './integrations/batches.js';
import { startHrisScheduler } from './integrations/schedule.js';
import { registerSecretKey, resolveSecretKey } from './secrets/key.js';
import { dropExpiredReveals } from './access/secret-reveals.js';
import { endedSessionsSweep } from './access/sessions.js';

export interface RunningServer {
  runtime: Runtime;
  url: string;
  port: number;
  demoSeeded: boolean;
  close(): Promise<void>;
}

export { StartupError } from './startup-errors.js';

/**
 * Start-up: port → database → migrations → demo seed (first run of the embedded default, or ORGONAUT_DEMO) → the
 * app. The port is bound first, so a taken one is reported before the database is touched; until the app takes
 * over, /healthz answers 200 and /readyz 503 (see listener.ts). `prepared` passes a port already bound and a
 * database already open (`orgonaut serve` does both before loading this module); both are closed on failure.
 * Returns once the app answers.
 */
export async function startServer(config: Config, prepared: { listener?: Listener; database?: Database } = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const listener = prepared.listener ?? (await bindPort(config));
  let database: Database;
  try {
    database = prepared.database ?? (await openDatabase(config));
  } catch (error) {
    await listener.close().catch(() => {});
    throw error;
  }
  let admin: { close(): Promise<void> } | null = null;
  let mailer: Mailer | null = null;
  try {
    await migrate(database);
    // Only one process opens an embedded database: every task left running there was interrupted.
    const interrupted = await failInterruptedTasks(database.db, database.kind === 'embedded' ? 0 : STALE_AFTER_MS);
    if (interrupted) logger.warn({ tasks: interrupted }, 'background tasks interrupted by a restart were marked failed');
    const secrets = await resolveSecretKey(config, database);
    registerSecretKey(database.db, secrets.key);
    if (secrets.source === 'database') logger.warn('ORGONAUT_SECRET_KEY is not set: integration secrets are encrypted with a key kept in the database (development only)');
    // Admin commands of other processes reach an embedded database through this channel; open it before the slow
    // parts of start-up so they never find the directory locked and no channel to talk to.
    const adminRuntime: { forget(): void; port: number } = { forget: () => {}, port: listener.port };
    // One mailer (ORGONAUT_SMTP_URL) for the process: an invitation made through the channel is emailed as one made
    // in Settings → Members, by the same mailer.
    mailer = createMailer(config, logger);
    const processMailer = mailer;
    admin =
      database.kind === 'embedded'
        ? await startAdminChannel(
            config.dataDir,
            async (command) => {
              // An invitation links to this server as it listens (the command's process may not know its PORT).
              if (command.name === 'members.invite') {
                command = { ...command, origin: publicOrigin(config.publicScheme, `${command.tenant.trim().toLowerCase()}.${config.baseDomain}`, adminRuntime.port) };
              }
              const result = await runAdminCommand(database, command, { mailer: processMailer });
              adminRuntime.forget();
              return result;
            },
            (error) => logger.error({ err: error }, 'admin command failed'),
          )
        : null;
    const demoSeeded = await seedDemoIfWanted(config, database);
    const defaultTenant = config.defaultTenant ?? ((await findTenantBySlug(database.db, 'acme')) && isDemo(config) ? 'acme' : null);
    const runtime = createRuntime({ ...config, defaultTenant }, database, logger, { mailer });
    const app = createApp(runtime);
    adminRuntime.forget = () => {
      runtime.tenants.forget();
      runtime.authenticator.forget();
    };
    const { server, port } = listener;
    // Once shutting down, every answer ends its connection: a kept-alive connection (a load balancer's, a client's)
    // would otherwise keep the process waiting, and keep bringing new requests, until its idle timeout.
    let draining = false;
    server.prependListener('request', (_request, response) => {
      if (draining && !response.headersSent) response.setHeader('Connection', 'close');
    });
    listener.handle(app.fetch);
    const maintenance = startMaintenance(logger, [
      ...(await importMaintenance(database, logger)),
      {
        name: 'fail background tasks of stopped processes',
        run: async () => {
          const failed = await failInterruptedTasks(database.db);
          if (failed) logger.warn({ tasks: failed }, 'background tasks of a stopped process were marked failed');
        },
      },
      { name: 'apply due HRIS batches', run: () => applyDueHrisWork({ db: database.db, graphs: runtime.graphs, logger }) },
      { name: 'drop secrets held past their reveal', run: async () => void (await dropExpiredReveals(database.db)) },
      endedSessionsSweep(database.db),
    ]);
    // Scheduled HRIS pulls: every instance looks for due integrations; each is claimed by one instance only.
    const hrisScheduler = startHrisScheduler({ db: database.db, graphs: runtime.graphs, logger });
    void warmUpLargestTenants(database.db, runtime.graphs, logger);
    registerProcessGauges(database, runtime.graphs, runningTaskCount);
    return {
      runtime,
      url: `http://${config.host}:${port}`,
      port,
      demoSeeded,
      close: async () => {
        // Stop accepting, let in-flight requests and background tasks finish (bounded), then close the database.
        // Housekeeping gets the same 40 s as requests and tasks, counted from now, not after them.
        const maintenanceStopped = Promise.race([
          Promise.all([maintenance.stop(), hrisScheduler.stop()]),
          new Promise((resolve) => setTimeout(resolve, 40_000).unref()),
        ]);
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // server.close() closes the connections idle at that moment; those busy then are closed as they fall idle.
        const closeIdle = () => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        closeIdle();
        const sweeper = setInterval(closeIdle, 50);
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
        clearInterval(sweeper);
        if (!(await waitForRunningTasks(30_000))) {
          const failed = await failTasksOfThisProcess(database.db).catch(() => 0);
          logger.warn({ tasks: failed }, 'shutting down with background tasks still running: marked failed, their work is rolled back');
        }
        await maintenanceStopped;
        await runtime.rateCounter.stop();
        await admin?.close();
        admin = null;
        mailer?.close();
        await database.close();
      },
    };
  } catch (error) {
    await admin?.close().catch(() => {});
    mailer?.close();
    await database.close().catch(() => {});
    await listener.close().catch(() => {});
    throw error;
  }
}

/** The demo belongs to the embedded default (or is asked for); a configured PostgreSQL is never seeded unasked. */
function isDemo(config: Config): boolean {
  return config.demo || !config.databaseUrl;
}

/** Arbitrary constant for the demo seed's advisory lock: instances starting together with ORGONAUT_DEMO seed once. */
const DEMO_SEED_LOCK = 7_402_512;

async function seedDemoIfWanted(config: Config, database: Database): Promise<boolean> {
  return database.exclusively(DEMO_SEED_LOCK, async () => {
    const fresh = (await listTenants(database.db)).length === 0;
    if (!(config.demo || (!config.databaseUrl && fresh))) return false;
    const created = await seedDemo(database.db, { password: config.demoPassword });
    return created.length > 0;
  });
}

/** The lines printed when the server is ready: where to go and who to sign in as. */
export function readyBanner(config: Config, server: RunningServer, tenants: Pick<Tenant, 'slug' | 'plan'>[]): string {
  const port = server.port;
  const base = config.baseDomain;
  const origin = (name: string) => publicOrigin(config.publicScheme, name, port);
  const lines = [
    `Orgonaut is ready on ${server.runtime.database.describe}.`,
    '',
    ...tenants.map(({ slug, plan }) => {
      const url = origin(`${slug}.${base}`);
      return `  ${slug.padEnd(10)} ${url}   ${PLAN_FEATURES[plan].mcp ? `MCP: ${url}/mcp/orgonaut` : `(no MCP on the ${plan} plan)`}`;
    }),
  ];
  const fallback = server.runtime.config.defaultTenant;
  if (fallback && tenants.some((t) => t.slug === fallback)) {
    lines.push(`  (${origin(base)} and ${publicOrigin('http', '127.0.0.1', port)} serve ${fallback})`);
  } else if (fallback) {
    lines.push(`  (ORGONAUT_DEFAULT_TENANT is "${fallback}", which is no tenant: ${origin(base)} answers 404 until it is created)`);
  }
  lines.push(`  central    ${origin(`app.${base}`)}`);
  if (tenants.length === 0) {
    lines.push(
      '',
      'No tenants yet. Create one and invite its owner (they get a link to set a password):',
      '  npm run orgonaut -- tenants create <slug> --plan business --name "<name>"',
      '  npm run orgonaut -- members invite --tenant <slug> --email <email>',
      'or seed the demo tenants: npm run orgonaut -- seed --demo',
    );
  }
  if (isDemo(config) && tenants.some((t) => DEMO_TENANTS.some((d) => d.slug === t.slug))) {
    // The well-known demo password is printed; one the operator chose is a secret, kept out of the output (and logs).
    const password = config.demoPassword === VARIABLES.ORGONAUT_DEMO_PASSWORD.fallback ? `password "${config.demoPassword}"` : 'password: the value of ORGONAUT_DEMO_PASSWORD';
    lines.push('', `Demo users (${password}):`);
    for (const user of DEMO_USERS) lines.push(`  ${user.email.padEnd(22)} ${user.role} of ${user.tenant}`);
  }
  return lines.join('\n');
}
