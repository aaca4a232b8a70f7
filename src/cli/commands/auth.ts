import fs from 'node:fs';
import os from 'node:os';
import { booleanFlag, integerFlag, stringFlag, UsageError, unknownSubcommand } from '../args.js';
import { browserLogin } from '../client/browser-login.js';
import { readLogin, removeLogin, writeLogin, type StoredLogin } from '../client/config-file.js';
import { NotSignedIn, SignInExpired } from '../client/errors.js';
import { ApiClient, normalizeHost } from '../client/http.js';
import { hint, print, printJson, printPairs, utcTime } from '../client/output.js';
import { word, type Run } from './shared.js';

/** `orgonaut auth login|logout|status`: sign in through the browser (PKCE) or with a token, and forget it again. */

export interface Me {
  tenant: { slug: string; name: string; plan: string; reporting_currency: string; mcp_available: boolean };
  user: { id: string; email: string; name: string } | null;
  role: string | null;
  credential: string;
  /** When the credential stops working; null when it does not expire. */
  credential_expires_at?: string | null;
  abilities: string[];
}

export async function authCommand(run: Run): Promise<number> {
  const sub = word(run, 0, 'login|logout|status');
  if (sub === 'login') return login(run);
  if (sub === 'logout') return logout(run);
  if (sub === 'status') return status(run);
  throw unknownSubcommand('auth', sub, ['login', 'logout', 'status']);
}

async function login(run: Run): Promise<number> {
  const previous = readLogin(run.configFile);
  const host = normalizeHost(stringFlag(run.args, 'host') ?? previous?.host ?? 'http://localhost:3000');
  const tenantFlag = stringFlag(run.args, 'tenant')?.trim().toLowerCase() || null;
  let token = stringFlag(run.args, 'token');
  let tokenId: string | null = null;
  if (token === '-') token = fs.readFileSync(0, 'utf8').trim();
  if (token !== undefined && !token) throw new UsageError('--token is empty');
  if (token === undefined) {
    const timeout = integerFlag(run.args, 'timeout') ?? 300;
    const result = await browserLogin({
      host,
      tokenName: stringFlag(run.args, 'name') ?? `Orgonaut CLI on ${os.hostname()}`,
      openBrowser: !booleanFlag(run.args, 'no-browser'),
      timeoutMs: timeout * 1000,
      onUrl: (url) => {
        hint('Sign in to Orgonaut in your browser. If it does not open, visit this address:');
        hint(url);
      },
    });
    token = result.token;
    tokenId = result.tokenId;
  }
  const me = await verify(new ApiClient(host, token, tenantFlag), host, tenantFlag);
  const stored: StoredLogin = {
    host,
    tenant: me.data.tenant.slug,
    token,
    token_id: tokenId,
    user: me.data.user?.email ?? null,
    signed_in_at: new Date().toISOString(),
    expires_at: me.data.credential_expires_at ?? null,
  };
  writeLogin(stored, run.configFile);
  if (run.json) {
    printJson({ host, tenant: me.data.tenant, user: me.data.user, role: me.data.role, abilities: me.data.abilities, expires_at: stored.expires_at, config: run.configFile });
  } else {
    const who = me.data.user ? `${me.data.user.email} (${me.data.role ?? 'no role'})` : 'a system credential';
    print(`Signed in to ${me.data.tenant.name} (${me.data.tenant.slug}, ${me.data.tenant.plan} plan) on ${host} as ${who} ${until(stored.expires_at)}.`);
    print(`Saved to ${run.configFile}.`);
  }
  return 0;
}

/** "until 2027-02-27 14:03 UTC" for a token that expires, "with a token that does not expire" otherwise. */
function until(expiresAt: string | null | undefined): string {
  return expiresAt ? `until ${utcTime(expiresAt)}` : 'with a token that does not expire';
}

/** GET /api/v1/me with the new credential; a refusal says the token is the problem, and nothing is stored. */
async function verify(client: ApiClient, host: string, tenant: string | null): Promise<{ data: Me }> {
  try {
    return await client.get<{ data: Me }>('/api/v1/me');
  } catch (error) {
    if (error instanceof NotSignedIn) {
      // The central host serves every tenant: the CLI's way of naming one is --tenant (sent as X-Tenant).
      const fix = !tenant && /X-Tenant/.test(error.reason ?? '') ? 'Add --tenant <slug>' : 'Check it (orgo_pat_…, of this tenant, not revoked or expired)';
      throw new NotSignedIn(`${host} refused the token: ${error.reason ?? 'not accepted'}. ${fix}; nothing was saved.`);
    }
    throw error;
  }
}

async function logout(run: Run): Promise<number> {
  const stored = readLogin(run.configFile);
  if (!stored) {
    if (run.json) printJson({ signed_out: false, config: run.configFile });
    else print('Not signed in; nothing to do.');
    return 0;
  }
  let revoked = false;
  if (stored.token_id || booleanFlag(run.args, 'revoke')) {
    try {
      revoked = await revoke(ApiClient.of(stored), stored);
    } catch (error) {
      // An expired token works nowhere any more: nothing is left to revoke, and signing in again is not the point here.
      if (!(error instanceof SignInExpired)) hint(`orgonaut: the token could not be revoked on the server (${(error as Error).message}); revoke it in Settings.`);
    }
  }
  removeLogin(run.configFile);
  if (run.json) printJson({ signed_out: true, revoked, config: run.configFile });
  else print(`Signed out of ${stored.tenant} on ${stored.host}${revoked ? ' and revoked the token' : ''}; removed ${run.configFile}.`);
  return 0;
}

/** Revokes the stored token: by id when the CLI created it, else found among the user's tokens by its prefix. */
async function revoke(client: ApiClient, stored: StoredLogin): Promise<boolean> {
  let id = stored.token_id ?? null;
  if (!id) {
    const tokens = await client.get<{ data: { id: string; prefix: string; revoked_at: string | null }[] }>('/api/v1/tokens');
    const matches = tokens.data.filter((t) => !t.revoked_at && stored.token.startsWith(t.prefix));
    if (matches.length !== 1) return false;
    id = matches[0]!.id;
  }
  await client.delete(`/api/v1/tokens/${encodeURIComponent(id)}`);
  return true;
}

function status(run: Run): number {
  const stored = readLogin(run.configFile);
  if (run.json) {
    printJson(
      stored
        ? { signed_in: true, host: stored.host, tenant: stored.tenant, user: stored.user ?? null, expires_at: stored.expires_at ?? null, config: run.configFile }
        : { signed_in: false, config: run.configFile },
    );
    return stored ? 0 : 3;
  }
  if (!stored) {
    print(`Not signed in (no ${run.configFile}). Run "orgonaut auth login".`);
    return 3;
  }
  printPairs([
    ['Host', stored.host],
    ['Tenant', stored.tenant],
    ['User', stored.user ?? '-'],
    ['Token', `${stored.token.slice(0, 13)}…`],
    ['Signed in', stored.signed_in_at ? utcTime(stored.signed_in_at) : '-'],
    ['Expires', stored.expires_at === undefined ? '-' : stored.expires_at === null ? 'never' : `${utcTime(stored.expires_at)}${Date.parse(stored.expires_at) <= Date.now() ? ' (expired: run "orgonaut auth login")' : ''}`],
    ['Config', run.configFile],
  ]);
  return 0;
}
