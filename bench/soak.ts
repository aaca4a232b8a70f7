import fs from 'node:fs';
import http from 'node:http';
import * as oauth from 'oauth4webapi';
import { openPostgres } from '../src/db/connection.js';
import { GraphStore } from '../src/org/graph-store.js';
import { createScenario } from '../src/scenarios/lifecycle.js';
import { benchOwnerToken, benchTenant, BENCH_PASSWORD, startOrgonaut, type ServerProcess } from './mcp.js';
import { describeUrl, formatBytes, formatMs, ownerContext, preparePostgres } from './support.js';

/**
 * `npm run bench:soak`: a steady, realistic mix against PostgreSQL for minutes — what a day of traffic does to
 * latency and memory. One or two server processes (`src/main.ts serve`, as `npm start` runs them) on a fresh
 * database share one public host, requests alternating between them as a load balancer would:
 *
 * - OAuth refresh grants (rotating chains of MCP clients authorized through the real sign-in and consent pages),
 * - MCP reads with the chains' OAuth access tokens: org_summary, org_units_tree, org_actors_list,
 * - governed scenario actions: scenario_action_plan then scenario_action_confirm (same client, the other instance),
 * - REST reads with personal API tokens: org units, actors, org metrics, scenarios.
 *
 * Requests start at a fixed rate (open loop: a slow answer does not slow the arrivals), each measured from its start
 * to its last byte. At the end: throughput, p50/p99/max per kind, errors, and each server's RSS and V8 heap sampled
 * every 10 s (/proc/<pid>/status and the /metrics memory gauge).
 */

const USAGE = `Usage: npm run bench:soak -- [options]

Options:
  --rate <n>         requests per second in total (default 50)
  --duration <d>     how long to run: 300, 300s, 5m, 1h (default 5m)
  --instances <n>    server processes, 1 or 2 (default 2)
  --actors <n>       organisation size of the soak tenant (default 2000)
  --sample <s>       seconds between memory samples (default 10)
  --postgres <url>   PostgreSQL server (default DATABASE_URL); a database orgonaut_bench_<pid> is created on it
                     and dropped afterwards
  --help             show this help`;

interface Options {
  rate: number;
  durationS: number;
  instances: number;
  actors: number;
  sampleS: number;
  postgres: string | null;
}

class UsageError extends Error {}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--duration: "${text}" is not a duration like 300, 90s, 5m or 1h`);
  const n = Number(match[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(match[2] ?? 's') as 's' | 'm' | 'h'];
  if (n < 5) throw new UsageError('--duration must be at least 5 seconds');
  return n;
}

function parseOptions(argv: string[]): Options | null {
  const options: Options = { rate: 50, durationS: 300, instances: 2, actors: 2_000, sampleS: 10, postgres: process.env.DATABASE_URL || null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    const number = (min: number, max: number) => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} must be a number from ${min} to ${max}`);
      return n;
    };
    switch (name) {
      case '--help':
      case '-h':
        return null;
      case '--rate':
        options.rate = number(1, 2_000);
        break;
      case '--duration':
        options.durationS = parseDuration(value());
        break;
      case '--instances':
        options.instances = number(1, 2);
        break;
      case '--actors':
        options.actors = Math.round(number(10, 100_000));
        break;
      case '--sample':
        options.sampleS = number(1, 600);
        break;
      case '--postgres': {
        const url = value();
        if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--postgres needs a postgres:// URL');
        options.postgres = url;
        break;
      }
      default:
        throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (!options.postgres) throw new UsageError('the soak runs on PostgreSQL: pass --postgres <url> or set DATABASE_URL');
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP to one instance behind the shared public host

const SLUG = 'soak';
const OWNER = 'owner@soak.test';
const REDIRECT_URI = 'https://claude.ai/api/mcp/auth_callback';
const MCP_PROTOCOL = '2025-06-18';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agents = new Map<string, http.Agent>();

/** A request to the instance on `port` with the public host's Host header, from `localAddress` (kept-alive). */
function send(port: number, method: string, url: string, headers: Record<string, string>, body?: string, localAddress = '127.0.0.1'): Promise<Answer> {
  let agent = agents.get(localAddress);
  if (!agent) agents.set(localAddress, (agent = new http.Agent({ keepAlive: true, maxSockets: 64 })));
  const target = new URL(url);
  const all: Record<string, string> = { ...headers, host: target.host };
  if (body !== undefined) all['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: `${target.pathname}${target.search}`, headers: all, agent, localAddress, timeout: 60_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('timed out after 60 s')));
    req.once('error', reject);
    req.end(body);
  });
}

/** fetch for oauth4webapi, to the instance `port()` names at each call. */
function oauthFetch(port: () => number, localAddress = '127.0.0.1') {
  return async (url: string, init: oauth.CustomFetchOptions<string, unknown>): Promise<Response> => {
    const body = typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : undefined;
    const answer = await send(port(), init.method, url, { ...(init.headers as Record<string, string>) }, body, localAddress);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value !== undefined) headers.set(name, value);
    }
    return new Response(answer.status === 204 ? null : answer.text, { status: answer.status, headers });
  };
}

/** A browser for the sign-in and consent pages: cookies per path, form posts with Origin, redirects on the host. */
class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  constructor(
    private readonly origin: string,
    private readonly port: number,
  ) {}

  async request(url: string, form?: Record<string, string>): Promise<Answer> {
    const target = new URL(url, this.origin);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.cookies]
      .filter(([, c]) => c.path === '/' || target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    if (cookie) headers.cookie = cookie;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = this.origin;
    }
    const answer = await send(this.port, form ? 'POST' : 'GET', target.href, headers, form ? new URLSearchParams(form).toString() : undefined);
    for (const header of [answer.headers['set-cookie'] ?? []].flat()) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      if (value === '' || attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return answer;
  }

  /** authorize → sign-in → consent → the code; returns the redirect back to the client. */
  async authorize(url: string): Promise<URL> {
    let answer = await this.request(url);
    let current = url;
    for (let step = 0; step < 20; step++) {
      const location = answer.headers.location;
      if (location?.startsWith(REDIRECT_URI)) return new URL(location);
      if (location) {
        current = new URL(location, current).href;
        answer = await this.request(current);
        continue;
      }
      if (answer.status !== 200) throw new Error(`authorization stopped at HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
      const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(answer.text);
      if (!form) throw new Error(`no form on the page: ${answer.text.slice(0, 300)}`);
      const fields: Record<string, string> = {};
      for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[name!] = decode(value!);
      if (/name="password"/.test(form[2]!)) Object.assign(fields, { email: OWNER, password: BENCH_PASSWORD });
      else fields.decision = 'allow';
      current = new URL(decode(form[1]!), current).href;
      answer = await this.request(current, fields);
    }
    throw new Error('too many steps in the authorization');
  }
}

function decode(text: string): string {
  return text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

// ---------------------------------------------------------------------------------------------------------------
// The mix

type Kind =
  | 'oauth refresh'
  | 'mcp org_summary'
  | 'mcp org_units_tree'
  | 'mcp org_actors_list'
  | 'mcp scenario plan'
  | 'mcp scenario confirm'
  | 'rest org-units'
  | 'rest actors'
  | 'rest org-metrics'
  | 'rest scenarios';

/** Share of the arrivals (a plan is followed by its confirm, which is counted on its own line). */
const MIX: [Kind, number][] = [
  ['oauth refresh', 5],
  ['mcp org_summary', 14],
  ['mcp org_units_tree', 14],
  ['mcp org_actors_list', 14],
  ['mcp scenario plan', 5],
  ['rest org-units', 14],
  ['rest actors', 14],
  ['rest org-metrics', 10],
  ['rest scenarios', 10],
];
const MIX_TOTAL = MIX.reduce((n, [, w]) => n + w, 0);

function pick(): Kind {
  let r = Math.random() * MIX_TOTAL;
  for (const [kind, weight] of MIX) {
    r -= weight;
    if (r < 0) return kind;
  }
  return MIX[0]![0];
}

interface Chain {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  refreshToken: string;
  accessToken: string;
  localAddress: string;
  /** A refresh is in flight (chains are sequential: each refresh uses the token the previous one returned). */
  busy: boolean;
  /** The planning scenario this client drafts in, and whether a plan/confirm pair is in flight. */
  scenarioId: string;
  drafting: boolean;
}

class Stats {
  readonly times = new Map<Kind, number[]>();
  readonly errors = new Map<Kind, number>();
  readonly examples = new Map<string, number>();
  skipped = 0;

  ok(kind: Kind, ms: number): void {
    let list = this.times.get(kind);
    if (!list) this.times.set(kind, (list = []));
    list.push(ms);
  }

  error(kind: Kind, ms: number, what: string): void {
    this.ok(kind, ms);
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    const key = `${kind}: ${what.slice(0, 160)}`;
    this.examples.set(key, (this.examples.get(key) ?? 0) + 1);
  }

  total(): number {
    let n = 0;
    for (const list of this.times.values()) n += list.length;
    return n;
  }

  errorCount(): number {
    let n = 0;
    for (const e of this.errors.values()) n += e;
    return n;
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
}

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Memory of the servers

interface MemorySample {
  atS: number;
  perInstance: { rss: number | null; heapUsed: number | null; heapTotal: number | null; graphRecords: number | null }[];
}

function rssOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function gaugesOf(port: number): Promise<{ heapUsed: number | null; heapTotal: number | null; graphRecords: number | null }> {
  try {
    const text = (await send(port, 'GET', `http://127.0.0.1:${port}/metrics`, {})).text;
    const read = (pattern: RegExp) => {
      const match = pattern.exec(text);
      return match ? Number(match[1]) : null;
    };
    return {
      heapUsed: read(/^orgonaut_process_memory_bytes\{kind="heap_used"\} (\d+)/m),
      heapTotal: read(/^orgonaut_process_memory_bytes\{kind="heap_total"\} (\d+)/m),
      graphRecords: read(/^orgonaut_graph_cache_records (\d+)/m),
    };
  } catch {
    return { heapUsed: null, heapTotal: null, graphRecords: null };
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench:soak: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  console.log(`Orgonaut soak — ${new Date().toISOString()}`);
  console.log(
    `${options.rate} req/s for ${options.durationS} s, ${options.instances} instance${options.instances > 1 ? 's' : ''}, ${options.actors.toLocaleString('en-US')} actors, PostgreSQL at ${describeUrl(options.postgres!)}`,
  );

  const prepared = await preparePostgres(options.postgres!);
  const servers: ServerProcess[] = [];
  const interrupted = async () => {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    await prepared.dispose().catch(() => {});
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted());
  process.once('SIGTERM', () => void interrupted());
  try {
    // ---- Set-up: the tenant, its owner, personal tokens for REST (600 requests a minute each), planning scenarios.
    const restShare = MIX.filter(([k]) => k.startsWith('rest')).reduce((n, [, w]) => n + w, 0) / MIX_TOTAL;
    const restTokenCount = Math.max(2, Math.ceil((options.rate * restShare * 60) / 400));
    const chainCount = 8;
    const database = await openPostgres(prepared.target.kind === 'postgres' ? prepared.target.url : '', { max: 4 });
    const restTokens: string[] = [];
    const scenarioIds: string[] = [];
    try {
      const tenant = await benchTenant(database.db, SLUG, options.actors, log);
      for (let i = 0; i < restTokenCount; i++) restTokens.push((await benchOwnerToken(database.db, tenant, OWNER)).token);
      const { userId } = await benchOwnerToken(database.db, tenant, OWNER);
      const ctx = { ...ownerContext(database, tenant, new GraphStore(database.db)) };
      ctx.principal = { ...ctx.principal, userId };
      for (let i = 0; i < chainCount; i++) scenarioIds.push((await createScenario(ctx, { name: `Soak drafts ${i + 1} (${new Date().toISOString()})` })).id);
    } finally {
      await database.close();
    }
    const url = (prepared.target as { url: string }).url;
    for (let i = 0; i < options.instances; i++) servers.push(await startOrgonaut(url));
    const ports = servers.map((s) => s.port);
    const origin = `http://${SLUG}.localhost:${ports[0]}`;
    let turn = 0;
    const nextPort = () => ports[turn++ % ports.length]!;

    // ---- OAuth clients: discovery and registration, the browser flow, the code redeemed on the other instance.
    const chains: Chain[] = [];
    const browser = new Browser(origin, ports[0]!);
    for (let i = 0; i < chainCount; i++) {
      const localAddress = `127.0.9.${i + 1}`;
      const options_ = { [oauth.customFetch]: oauthFetch(nextPort, localAddress), [oauth.allowInsecureRequests]: true } as const;
      const issuer = new URL(`${origin}/mcp/orgonaut`);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options_, algorithm: 'oauth2' }));
      const client = await oauth.processDynamicClientRegistrationResponse(
        await oauth.dynamicClientRegistrationRequest(
          as,
          { client_name: `Soak client ${i + 1}`, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
          options_,
        ),
      );
      const verifier = oauth.generateRandomCodeVerifier();
      const authorize = new URL(as.authorization_endpoint!);
      for (const [k, v] of Object.entries({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'soak',
      })) {
        authorize.searchParams.set(k, v);
      }
      const callback = await browser.authorize(authorize.href);
      const params = oauth.validateAuthResponse(as, client, callback, 'soak');
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, options_));
      chains.push({ as, client, refreshToken: tokens.refresh_token!, accessToken: tokens.access_token, localAddress, busy: false, scenarioId: scenarioIds[i]!, drafting: false });
    }
    const actorIds = await (async () => {
      const answer = await send(ports[0]!, 'GET', `${origin}/api/v1/actors?limit=500`, { authorization: `Bearer ${restTokens[0]}`, accept: 'application/json' });
      return (JSON.parse(answer.text) as { data: { id: string }[] }).data.map((a) => a.id);
    })();
    log(`    set up: ${chains.length} OAuth clients, ${restTokens.length} personal tokens, ${actorIds.length} actors to draft changes for`);

    // ---- The requests.
    const stats = new Stats();
    const any = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;
    let rpcId = 0;

    async function timed(kind: Kind, run: () => Promise<{ ok: boolean; what?: string }>): Promise<boolean> {
      const started = performance.now();
      try {
        const outcome = await run();
        if (outcome.ok) stats.ok(kind, performance.now() - started);
        else stats.error(kind, performance.now() - started, outcome.what ?? 'failed');
        return outcome.ok;
      } catch (error) {
        stats.error(kind, performance.now() - started, (error as Error).message);
        return false;
      }
    }

    const tool = async (chain: Chain, name: string, args: Record<string, unknown>, port = nextPort()) => {
      const answer = await send(
        port,
        'POST',
        `${origin}/mcp/orgonaut`,
        { authorization: `Bearer ${chain.accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MCP_PROTOCOL },
        JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method: 'tools/call', params: { name, arguments: args } }),
      );
      let text = answer.text;
      if (String(answer.headers['content-type'] ?? '').includes('text/event-stream')) text = text.split('\n').find((l) => l.startsWith('data:'))?.slice(5) ?? '';
      const body = text ? (JSON.parse(text) as { result?: { isError?: boolean; structuredContent?: Record<string, unknown> } }) : {};
      const ok = answer.status === 200 && body.result !== undefined && !body.result.isError;
      return { ok, what: ok ? undefined : `HTTP ${answer.status} ${answer.text.slice(0, 200)}`, result: body.result?.structuredContent };
    };

    const rest = async (path: string) => {
      const answer = await send(nextPort(), 'GET', `${origin}${path}`, { authorization: `Bearer ${any(restTokens)}`, accept: 'application/json' });
      return { ok: answer.status === 200, what: `HTTP ${answer.status} ${answer.text.slice(0, 200)}` };
    };

    function issue(kind: Kind): void {
      switch (kind) {
        case 'oauth refresh': {
          const chain = chains.find((c) => !c.busy);
          if (!chain) {
            stats.skipped++;
            return;
          }
          chain.busy = true;
          void timed(kind, async () => {
            const response = await oauth.refreshTokenGrantRequest(chain.as, chain.client, oauth.None(), chain.refreshToken, {
              [oauth.customFetch]: oauthFetch(nextPort, chain.localAddress),
              [oauth.allowInsecureRequests]: true,
            });
            const tokens = await oauth.processRefreshTokenResponse(chain.as, chain.client, response);
            chain.refreshToken = tokens.refresh_token!;
            chain.accessToken = tokens.access_token;
            return { ok: true };
          }).finally(() => (chain.busy = false));
          return;
        }
        case 'mcp org_summary':
          void timed(kind, () => tool(any(chains), 'org_summary', {}));
          return;
        case 'mcp org_units_tree':
          void timed(kind, () => tool(any(chains), 'org_units_tree', {}));
          return;
        case 'mcp org_actors_list':
          void timed(kind, () => tool(any(chains), 'org_actors_list', { limit: 50 }));
          return;
        case 'mcp scenario plan': {
          // One pair at a time per client and scenario: a confirm applies against the revision its plan saw.
          const chain = chains.filter((c) => !c.drafting)[0];
          if (!chain) {
            stats.skipped++;
            return;
          }
          chain.drafting = true;
          void (async () => {
            let proposalId: string | undefined;
            await timed('mcp scenario plan', async () => {
              const fte = Math.round((0.5 + Math.random() * 0.5) * 100) / 100;
              const planned = await tool(chain, 'scenario_action_plan', { scenario_id: chain.scenarioId, changes: [{ op: 'set_fte', actor_id: any(actorIds), fte }] });
              proposalId = planned.result?.proposal_id as string | undefined;
              return planned;
            });
            if (proposalId) await timed('mcp scenario confirm', () => tool(chain, 'scenario_action_confirm', { proposal_id: proposalId }));
          })().finally(() => (chain.drafting = false));
          return;
        }
        case 'rest org-units':
          void timed(kind, () => rest('/api/v1/org-units?limit=50'));
          return;
        case 'rest actors':
          void timed(kind, () => rest(`/api/v1/actors?limit=100`));
          return;
        case 'rest org-metrics':
          void timed(kind, () => rest('/api/v1/org-metrics'));
          return;
        case 'rest scenarios':
          void timed(kind, () => rest('/api/v1/scenarios?limit=20'));
          return;
      }
    }

    // ---- Memory samples, every --sample seconds, from the first request on.
    const samples: MemorySample[] = [];
    const began = performance.now();
    const sample = async () => {
      const perInstance = await Promise.all(servers.map(async (s) => ({ rss: rssOf(s.pid), ...(await gaugesOf(s.port)) })));
      samples.push({ atS: (performance.now() - began) / 1000, perInstance });
    };
    await sample();
    const sampler = setInterval(() => void sample(), options.sampleS * 1000);
    let lastTotal = 0;
    const progress = setInterval(() => {
      const total = stats.total();
      const last = samples.at(-1)!;
      log(
        `    ${((performance.now() - began) / 1000).toFixed(0).padStart(5)} s  ${(((total - lastTotal) / 10) | 0).toString().padStart(4)} req/s  ${stats.errorCount()} errors  RSS ${last.perInstance.map((p) => (p.rss ? formatBytes(p.rss) : '-')).join(' / ')}`,
      );
      lastTotal = total;
    }, 10_000);

    // ---- Arrivals at a steady rate (open loop).
    const durationMs = options.durationS * 1000;
    let issued = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - began;
        if (elapsed >= durationMs) {
          clearInterval(tick);
          resolve();
          return;
        }
        const due = Math.floor((elapsed / 1000) * options!.rate);
        while (issued < due) {
          issued++;
          issue(pick());
        }
      }, 5);
    });
    const elapsedS = (performance.now() - began) / 1000;
    // Let the requests in flight finish (they count), then a last sample.
    for (let waited = 0; waited < 60_000 && stats.total() + stats.skipped < issued; waited += 100) await new Promise((r) => setTimeout(r, 100));
    clearInterval(sampler);
    clearInterval(progress);
    await sample();

    // ---- Report.
    const rows: string[][] = [];
    const kinds = [...MIX.map(([k]) => k), 'mcp scenario confirm' as Kind];
    kinds.sort((x, y) => x.localeCompare(y));
    const all: number[] = [];
    for (const kind of kinds) {
      const times = [...(stats.times.get(kind) ?? [])].sort((x, y) => x - y);
      all.push(...times);
      rows.push([
        kind,
        times.length.toLocaleString('en-US'),
        (times.length / elapsedS).toFixed(1),
        times.length ? formatMs(percentile(times, 0.5)) : '-',
        times.length ? formatMs(percentile(times, 0.99)) : '-',
        times.length ? formatMs(times.at(-1)!) : '-',
        String(stats.errors.get(kind) ?? 0),
      ]);
    }
    all.sort((x, y) => x - y);
    rows.push(['all', all.length.toLocaleString('en-US'), (all.length / elapsedS).toFixed(1), formatMs(percentile(all, 0.5)), formatMs(percentile(all, 0.99)), formatMs(all.at(-1) ?? NaN), String(stats.errorCount())]);
    console.log(`\nRequests (${elapsedS.toFixed(0)} s; ${issued.toLocaleString('en-US')} arrivals, ${stats.skipped} skipped because every client was busy):\n`);
    console.log(table(['kind', 'requests', 'req/s', 'p50', 'p99', 'max', 'errors'], rows, [false, true, true, true, true, true, true]));
    if (stats.examples.size) {
      console.log('\nErrors:');
      for (const [what, n] of [...stats.examples].sort((x, y) => y[1] - x[1]).slice(0, 10)) console.log(`  ${n} × ${what}`);
    }
    const memoryHeader = ['time', ...servers.flatMap((_, i) => [`RSS ${i + 1}`, `heap used ${i + 1}`, `heap total ${i + 1}`, `graph records ${i + 1}`])];
    const memoryRows = samples.map((s) => [
      `${s.atS.toFixed(0)} s`,
      ...s.perInstance.flatMap((p) => [p.rss ? formatBytes(p.rss) : '-', p.heapUsed ? formatBytes(p.heapUsed) : '-', p.heapTotal ? formatBytes(p.heapTotal) : '-', p.graphRecords?.toLocaleString('en-US') ?? '-']),
    ]);
    console.log(`\nServer memory (every ${options.sampleS} s; RSS from /proc/<pid>/status, heap from /metrics):\n`);
    console.log(table(memoryHeader, memoryRows, memoryHeader.map((_, i) => i > 0)));
    const first = samples[1] ?? samples[0]!;
    const last = samples.at(-1)!;
    console.log(
      `\nRSS from the first to the last sample: ${last.perInstance.map((p, i) => `instance ${i + 1} ${formatBytes(first.perInstance[i]!.rss ?? 0)} → ${formatBytes(p.rss ?? 0)}`).join('; ')}`,
    );
    return stats.errorCount() ? 1 : 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    for (const agent of agents.values()) agent.destroy();
    await prepared.dispose().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench:soak failed:', error);
    process.exit(1);
  },
);
