import path from 'node:path';
import { z } from 'zod';
import { parseKey } from './secrets/seal.js';
import { isPlan, type Plan } from './tenancy/plans.js';

/** A rate limit: `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** A rate limit for every plan, with overrides for some. */
export interface PlanRateLimits {
  default: RateLimit;
  plans: Partial<Record<Plan, RateLimit>>;
}

/** The limit that applies to a tenant on `plan`. */
export function rateLimitFor(limits: PlanRateLimits, plan: Plan): RateLimit {
  return limits.plans[plan] ?? limits.default;
}

/**
 * Every environment variable Orgonaut reads, parsed and validated in one place. Each entry has a default (or is
 * optional) and a description; `npm start -- --help` prints this table and docs/OPERATIONS.md lists it.
 */
interface VariableSpec<T> {
  schema: z.ZodType<T>;
  description: string;
  fallback?: string;
  /** How a refused value is quoted back in the error, when it may hold a secret (a password in a URL). */
  quoted?: (raw: string) => string;
}

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['0', '1', 'true', 'false', 'yes', 'no', ''], { error: 'must be 1/0, true/false or yes/no' }))
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** ORGONAUT_TRUST_PROXY: a flag (1/true = one proxy) or the number of proxies in front (0–10). */
const proxyHops = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const lowered = v.toLowerCase();
    if (['', '0', 'false', 'no'].includes(lowered)) return 0;
    if (['true', 'yes'].includes(lowered)) return 1;
    if (/^\d+$/.test(lowered) && Number(lowered) <= 10) return Number(lowered);
    ctx.addIssue({ code: 'custom', message: 'must be 0/1, true/false, yes/no or a number of proxies (up to 10)' });
    return z.NEVER;
  });

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+$/, 'must be a host name such as localhost or orgonaut.co');

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be a tenant slug such as acme');

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://');

/** SMTP server settings read from ORGONAUT_SMTP_URL. */
export interface SmtpSettings {
  /** smtps:// — TLS from the start (usually port 465); smtp:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  host: string;
  port: number;
  user: string | null;
  password: string | null;
}

/** A URL with the password of its user part replaced, for messages and logs. */
export function withoutPassword(raw: string): string {
  const start = raw.indexOf('://');
  const at = raw.lastIndexOf('@');
  if (start < 0 || at < start) return raw;
  const userinfo = raw.slice(start + 3, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? raw : `${raw.slice(0, start + 3)}${userinfo.slice(0, colon)}:[redacted]${raw.slice(at)}`;
}

const SMTP_URL_FORM = 'must be smtp://[user:password@]host[:port] or smtps://… (user and password URL-encoded)';

/** ORGONAUT_SMTP_URL: empty = no email; else the server, its port (587 for smtp, 465 for smtps) and credentials. */
const smtpUrl = z
  .string()
  .trim()
  .transform((v, ctx): SmtpSettings | null | typeof z.NEVER => {
    if (v === '') return null;
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: SMTP_URL_FORM });
      return z.NEVER;
    }
    if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: SMTP_URL_FORM });
      return z.NEVER;
    }
    const secure = url.protocol === 'smtps:';
    try {
      return {
        secure,
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port ? Number(url.port) : secure ? 465 : 587,
        user: url.username ? decodeURIComponent(url.username) : null,
        password: url.password ? decodeURIComponent(url.password) : null,
      };
    } catch {
      ctx.addIssue({ code: 'custom', message: `${SMTP_URL_FORM}; its user or password is not URL-encoded` });
      return z.NEVER;
    }
  });

/** ORGONAUT_MAIL_FROM: `address@domain` or `Name <address@domain>`. */
const mailFrom = z
  .string()
  .trim()
  .regex(/^(?:[^<>\r\n",;]+<[^\s<>@,;]+@[^\s<>@,;]+>|[^\s<>@,;]+@[^\s<>@,;]+)$/, 'must be an email address, optionally with a name: Orgonaut <no-reply@orgonaut.co>');

/** `600/60` for every plan, or with per-plan entries: `600/60,team=120/60,enterprise=2000/60`. */
const planRateLimits = z
  .string()
  .trim()
  .transform((text, ctx): PlanRateLimits | typeof z.NEVER => {
    const limits: PlanRateLimits = { default: { limit: 0, windowSeconds: 0 }, plans: {} };
    let hasDefault = false;
    for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
      const match = /^(?:([a-z]+)=)?(\d+)\/(\d+)$/.exec(entry);
      const plan = match?.[1];
      if (!match || (plan !== undefined && !isPlan(plan))) {
        ctx.addIssue({ code: 'custom', message: `must be requests/seconds, optionally per plan (600/60,enterprise=2000/60); "${entry}" is not` });
        return z.NEVER;
      }
      const rule = { limit: Number(match[2]), windowSeconds: Number(match[3]) };
      if (rule.limit < 1 || rule.windowSeconds < 1 || rule.windowSeconds > 86_400) {
        ctx.addIssue({ code: 'custom', message: `must allow at least 1 request in a window of 1 to 86400 seconds; "${entry}" does not` });
        return z.NEVER;
      }
      if (plan === undefined) {
        limits.default = rule;
        hasDefault = true;
      } else limits.plans[plan as Plan] = rule;
    }
    if (!hasDefault) {
      ctx.addIssue({ code: 'custom', message: 'must include a requests/seconds entry for every plan not named (e.g. 600/60,enterprise=2000/60)' });
      return z.NEVER;
    }
    return limits;
  });

export const VARIABLES = {
  PORT: { schema: port, fallback: '3000', description: 'TCP port the HTTP server listens on.' },
  HOST: { schema: z.string().trim().min(1), fallback: '127.0.0.1', description: 'Interface to bind (0.0.0.0 for all).' },
  DATABASE_URL: {
    schema: postgresUrl,
    fallback: '',
    description: 'PostgreSQL connection URL. When empty, the embedded database (PGlite) in ORGONAUT_DATA_DIR is used.',
  },
  ORGONAUT_DATA_DIR: {
    schema: z.string().trim().min(1),
    fallback: '.orgonaut',
    description: 'Directory of the embedded database and its lock and admin-channel files.',
  },
  ORGONAUT_BASE_DOMAIN: {
    schema: hostname,
    fallback: 'localhost',
    description: 'Tenants are served on <slug>.<base domain>; app.<base domain> is the central host.',
  },
  ORGONAUT_DEFAULT_TENANT: {
    schema: slug.optional(),
    description: 'Tenant served on the bare base host (localhost, 127.0.0.1). "acme" when the demo is seeded.',
  },
  ORGONAUT_PUBLIC_SCHEME: {
    schema: z.string().trim().toLowerCase().pipe(z.enum(['http', 'https'], { error: 'must be http or https' })),
    fallback: 'http',
    description: 'Scheme of every URL the server advertises (https in production behind TLS).',
  },
  ORGONAUT_TRUST_PROXY: {
    schema: proxyHops,
    fallback: '0',
    description:
      'Trust X-Forwarded-Host / X-Forwarded-Proto / X-Forwarded-For from a reverse proxy: 1 (or true) for one proxy in front, N for N proxies in a chain (each header is read at its N-th entry from the right, the one the outermost proxy wrote; entries further left came from the client and are ignored).',
  },
  ORGONAUT_DEMO: {
    schema: flag,
    fallback: '',
    description: 'Seed the demo tenants on start even on PostgreSQL (they are always seeded on a new embedded database).',
  },
  ORGONAUT_DEMO_PASSWORD: {
    schema: z.string().min(8, 'must be at least 8 characters'),
    fallback: 'orgonaut-demo',
    description: 'Password of the demo users.',
  },
  ORGONAUT_LOG_LEVEL: {
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' })),
    fallback: 'info',
    description: 'Log level (JSON logs on stdout).',
  },
  ORGONAUT_METRICS_TOKEN: {
    schema: z.string().trim(),
    fallback: '',
    description: 'Bearer token that may read /metrics from anywhere (without it, only loopback requests may).',
  },
  ORGONAUT_API_RATE_LIMIT: {
    schema: planRateLimits,
    fallback: '600/60',
    description:
      'REST requests each personal API token or signed-in user may make per window, as requests/seconds; per plan with plan=requests/seconds entries (e.g. 600/60,enterprise=2000/60). Counted across instances.',
  },
  ORGONAUT_MCP_RATE_LIMIT: {
    schema: planRateLimits,
    fallback: '600/60',
    description: 'MCP requests each connected app (OAuth) or personal API token may make per window; same form as ORGONAUT_API_RATE_LIMIT.',
  },
  ORGONAUT_MCP_ACTION_RATE_LIMIT: {
    schema: planRateLimits,
    fallback: '30/60',
    description: 'Calls of each governed action tool (plan, confirm, cancel a scenario change) per credential and window; same form.',
  },
  ORGONAUT_CLI_TOKEN_DAYS: {
    schema: z.coerce
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be from 1 to 3650 days')
      .max(3650, 'must be from 1 to 3650 days'),
    fallback: '90',
    description: 'Days a personal API token made by CLI sign-in (orgonaut auth login in the browser) lasts; then the CLI asks to sign in again.',
  },
  ORGONAUT_KEEP_ALIVE_SECONDS: {
    schema: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be from 1 to 3600 seconds')
      .max(3600, 'must be from 1 to 3600 seconds'),
    fallback: '65',
    description:
      'Seconds an idle keep-alive connection stays open. Keep it longer than the idle timeout of the load balancer in front (60 s on AWS ALB and nginx; set 620 behind Google Cloud load balancers), so the balancer never reuses a connection the server is closing.',
  },
  ORGONAUT_GRAPH_CACHE_RECORDS: {
    schema: z.coerce
      .number({ error: 'must be a number of records' })
      .int('must be a whole number of records')
      .min(10_000, 'must be at least 10000 records (one small organisation)'),
    fallback: '4000000',
    description:
      'Organisation records (units, actors, placements, pay, …) each process keeps in its graph cache, the least recently read organisations and scenarios out first. Lower it on small machines, raise it when many large organisations are read at once (orgonaut_graph_cache_records on /metrics shows what is held).',
  },
  ORGONAUT_SECRET_KEY: {
    schema: z
      .string()
      .trim()
      .refine((v) => v === '' || parseKey(v) !== null, 'must be 32 bytes written as 64 hex digits or as base64 (generate one with: openssl rand -base64 32)'),
    fallback: '',
    description:
      'Key that encrypts integration secrets, OAuth client secrets and each tenant\'s OAuth signing and cookie keys (AES-256-GCM). Unset: a key file in ORGONAUT_DATA_DIR (embedded) or a key stored in the database (PostgreSQL, development only).',
  },
  ORGONAUT_SMTP_URL: {
    schema: smtpUrl,
    fallback: '',
    quoted: withoutPassword,
    description:
      'SMTP server that emails invitations and password-reset links, as smtp://user:password@host:587 (STARTTLS when offered) or smtps://user:password@host:465 (user and password URL-encoded). Unset: no email; the links are only shown to copy.',
  },
  ORGONAUT_MAIL_FROM: {
    schema: mailFrom,
    description: 'From address of those emails, as address@domain or Name <address@domain>. Default: Orgonaut <no-reply@ORGONAUT_BASE_DOMAIN>.',
  },
  MCP_REDIRECT_DOMAINS: {
    schema: list,
    fallback: '',
    description: 'Comma-separated domains OAuth redirect URIs must belong to (empty = https, loopback and app schemes).',
  },
  MCP_ALLOWED_ORIGINS: {
    schema: list,
    fallback: '',
    description: "Comma-separated extra origins allowed to call /mcp/orgonaut (besides the tenant's own hosts).",
  },
} satisfies Record<string, VariableSpec<unknown>>;

type Variables = typeof VARIABLES;
type Parsed = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  baseDomain: string;
  defaultTenant: string | null;
  publicScheme: 'http' | 'https';
  trustProxy: boolean;
  /** How many proxies are in front (ORGONAUT_TRUST_PROXY); 0 = none trusted. */
  proxyHops: number;
  demo: boolean;
  demoPassword: string;
  logLevel: Parsed['ORGONAUT_LOG_LEVEL'];
  metricsToken: string | null;
  /** Requests each REST principal may make per window, by plan (ORGONAUT_API_RATE_LIMIT). */
  apiRateLimit: PlanRateLimits;
  /** MCP requests per credential and window, by plan (ORGONAUT_MCP_RATE_LIMIT). */
  mcpRateLimit: PlanRateLimits;
  /** Calls of each governed action tool per credential and window, by plan (ORGONAUT_MCP_ACTION_RATE_LIMIT). */
  mcpActionRateLimit: PlanRateLimits;
  /** Days a CLI sign-in's personal API token lasts (ORGONAUT_CLI_TOKEN_DAYS). */
  cliTokenDays: number;
  /** Seconds an idle keep-alive connection stays open (ORGONAUT_KEEP_ALIVE_SECONDS). */
  keepAliveSeconds: number;
  /** Records the graph cache holds (ORGONAUT_GRAPH_CACHE_RECORDS). */
  graphCacheRecords: number;
  mcpRedirectDomains: string[];
  mcpAllowedOrigins: string[];
  /** ORGONAUT_SECRET_KEY as written (parsed by secrets/key.ts), or null. */
  secretKey: string | null;
  /** The SMTP server invitations and reset links are emailed through (ORGONAUT_SMTP_URL); null = no email. */
  smtp: SmtpSettings | null;
  /** From address of those emails (ORGONAUT_MAIL_FROM). */
  mailFrom: string;
}

/** A configuration problem, reported as one line naming the variable and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a Config, or throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = {} as Record<string, unknown>;
  for (const [name, spec] of Object.entries(VARIABLES) as [string, VariableSpec<unknown>][]) {
    // Set but empty (`PORT=` in a compose file passing on an unset variable) counts as unset: PORT would otherwise
    // read as 0, a random port, and HOST or ORGONAUT_DATA_DIR would be refused.
    const raw = env[name] === undefined || env[name] === '' ? spec.fallback : env[name];
    if (raw === undefined) continue;
    const result = spec.schema.safeParse(raw);
    if (!result.success) {
      throw new ConfigError(name, `${result.error.issues[0]?.message ?? 'is invalid'} (got "${spec.quoted ? spec.quoted(raw) : raw}")`);
    }
    parsed[name] = result.data;
  }
  const p = parsed as Parsed;
  return {
    port: p.PORT,
    host: p.HOST,
    databaseUrl: p.DATABASE_URL || null,
    dataDir: path.resolve(p.ORGONAUT_DATA_DIR),
    baseDomain: p.ORGONAUT_BASE_DOMAIN,
    defaultTenant: p.ORGONAUT_DEFAULT_TENANT ?? null,
    publicScheme: p.ORGONAUT_PUBLIC_SCHEME,
    trustProxy: p.ORGONAUT_TRUST_PROXY > 0,
    proxyHops: p.ORGONAUT_TRUST_PROXY,
    demo: p.ORGONAUT_DEMO,
    demoPassword: p.ORGONAUT_DEMO_PASSWORD,
    logLevel: p.ORGONAUT_LOG_LEVEL,
    metricsToken: p.ORGONAUT_METRICS_TOKEN || null,
    apiRateLimit: p.ORGONAUT_API_RATE_LIMIT,
    mcpRateLimit: p.ORGONAUT_MCP_RATE_LIMIT,
    mcpActionRateLimit: p.ORGONAUT_MCP_ACTION_RATE_LIMIT,
    cliTokenDays: p.ORGONAUT_CLI_TOKEN_DAYS,
    graphCacheRecords: p.ORGONAUT_GRAPH_CACHE_RECORDS,
    keepAliveSeconds: p.ORGONAUT_KEEP_ALIVE_SECONDS,
    mcpRedirectDomains: p.MCP_REDIRECT_DOMAINS,
    mcpAllowedOrigins: p.MCP_ALLOWED_ORIGINS,
    secretKey: p.ORGONAUT_SECRET_KEY || null,
    smtp: p.ORGONAUT_SMTP_URL,
    mailFrom: p.ORGONAUT_MAIL_FROM ?? `Orgonaut <no-reply@${p.ORGONAUT_BASE_DOMAIN}>`,
  };
}

/** The `--help` text: every variable with its default and description. */
export function describeVariables(): string {
  const lines = Object.entries(VARIABLES as Record<string, VariableSpec<unknown>>).map(([name, spec]) => {
    const fallback = spec.fallback === undefined || spec.fallback === '' ? '' : ` (default ${spec.fallback})`;
    return `  ${name}${fallback}\n      ${spec.description}`;
  });
  return lines.join('\n');
}
