import { stringFlag } from '../args.js';
import { configMode, readLogin, type StoredLogin } from '../client/config-file.js';
import { CliError, EXIT } from '../client/errors.js';
import { ApiClient, httpRequest, normalizeHost } from '../client/http.js';
import { print, printJson, utcTime } from '../client/output.js';
import type { Me } from './auth.js';
import type { Run } from './shared.js';

/**
 * `orgonaut doctor`: checks the config file, that the server answers /healthz, that the stored token works
 * (GET /api/v1/me), and prints the plan, the abilities and the MCP URL. Exits with the code of the first failure.
 */

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  code: number;
}

export async function doctorCommand(run: Run): Promise<number> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string, code: number = EXIT.api) => checks.push({ name, ok, detail, code });
  let login: StoredLogin | null = null;
  try {
    login = readLogin(run.configFile);
  } catch (error) {
    check('config', false, (error as Error).message, EXIT.auth);
  }
  const mode = configMode(run.configFile);
  if (login) {
    const private_ = mode !== null && (mode & 0o077) === 0;
    check('config', private_, `${run.configFile} (mode ${mode?.toString(8)})${private_ ? '' : ': readable by others; run chmod 600 on it'}`);
  } else if (!checks.length) {
    check('config', false, `no ${run.configFile}; run "orgonaut auth login"`, EXIT.auth);
  }
  const flagHost = stringFlag(run.args, 'host');
  const host = flagHost ? normalizeHost(flagHost) : (login?.host ?? null);
  let me: Me | null = null;
  if (host) {
    try {
      const health = await httpRequest(new URL('/healthz', host), { headers: { accept: 'application/json' }, timeoutMs: 10_000 });
      check('server', health.status === 200, `${host}/healthz answered HTTP ${health.status}`);
    } catch (error) {
      check('server', false, (error as Error).message, error instanceof CliError ? error.exitCode : EXIT.network);
    }
  }
  if (login && checks.every((c) => c.ok)) {
    try {
      me = (await ApiClient.of(login).get<{ data: Me }>('/api/v1/me')).data;
      const lasts = me.credential_expires_at ? `until ${utcTime(me.credential_expires_at)}` : 'does not expire';
      check('token', true, `${me.user?.email ?? 'system'} in ${me.tenant.slug} (${me.role ?? 'no role'}, ${me.credential}; ${lasts})`);
    } catch (error) {
      check('token', false, (error as Error).message, error instanceof CliError ? error.exitCode : EXIT.api);
    }
  }
  const mcpUrl = me && login && me.tenant.mcp_available ? `${login.host}/mcp/orgonaut` : null;
  const failed = checks.find((c) => !c.ok);
  if (run.json) {
    printJson({
      ok: !failed,
      checks: checks.map(({ name, ok, detail }) => ({ name, ok, detail })),
      tenant: me?.tenant ?? null,
      abilities: me?.abilities ?? [],
      mcp_url: mcpUrl,
    });
  } else {
    for (const c of checks) print(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(7)} ${c.detail}`);
    if (me && login) {
      print(`      plan    ${me.tenant.plan} (reporting currency ${me.tenant.reporting_currency})`);
      print(`      MCP     ${mcpUrl ?? `not available on the ${me.tenant.plan} plan`}`);
      print(`      API     ${login.host}/docs/api`);
      print(`      abilities (${me.abilities.length}): ${me.abilities.join(', ')}`);
    }
  }
  return failed ? failed.code : 0;
}
