import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, EXIT, NotSignedIn } from './errors.js';

/**
 * Where the CLI keeps its sign-in: `$ORGONAUT_CONFIG`, else `~/.config/orgonaut/config.json` (or under
 * `$XDG_CONFIG_HOME`). The file holds a secret, so it is written readable by this user only (0600).
 */
export interface StoredLogin {
  /** `<scheme>://<host[:port]>` of the tenant, no path. */
  host: string;
  /** The tenant's slug (sent as X-Tenant). */
  tenant: string;
  /** The personal API token. */
  token: string;
  /** Set when the CLI created the token itself (browser sign-in), so logout can revoke it. */
  token_id?: string | null;
  user?: string | null;
  signed_in_at?: string;
  /** When the token expires (from /api/v1/me at sign-in); null when it does not. */
  expires_at?: string | null;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORGONAUT_CONFIG) return path.resolve(env.ORGONAUT_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'orgonaut', 'config.json');
}

export function readLogin(file = configPath()): StoredLogin | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.api);
  }
  try {
    const value = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof value.host !== 'string' || typeof value.token !== 'string' || typeof value.tenant !== 'string') throw new Error('fields missing');
    return value as StoredLogin;
  } catch {
    throw new NotSignedIn(`${file} is not a valid Orgonaut CLI config. Run "orgonaut auth login" to sign in again.`);
  }
}

/** The stored sign-in, or a NotSignedIn error telling how to sign in. */
export function requireLogin(file = configPath()): StoredLogin {
  const login = readLogin(file);
  if (!login) throw new NotSignedIn(`not signed in (no ${file}). Run "orgonaut auth login --host https://<tenant>.orgonaut.co" first.`);
  return login;
}

export function writeLogin(login: StoredLogin, file = configPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

export function removeLogin(file = configPath()): boolean {
  try {
    fs.rmSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The permission bits of the config file, or null when it does not exist. */
export function configMode(file = configPath()): number | null {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return null;
  }
}
