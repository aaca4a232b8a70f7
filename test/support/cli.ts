import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { vi } from 'vitest';
import type { StoredLogin } from '../../src/cli/client/config-file.js';
import { main, reportFailure } from '../../src/cli/main.js';
import type { TestApp } from './app.js';

/**
 * Running `orgonaut …` in tests, two ways: `runCli` in this process (what src/main.ts does, minus the exit: fast,
 * for tests of what a command prints and its exit code) and `spawnCli` as a real process (`node --import tsx
 * src/main.ts …`, for what only a process shows: stdin, a closed pipe, exit, a browser sign-in's listener).
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `orgonaut <args>` in this process with the sign-in stored in `config` (ORGONAUT_CONFIG), capturing what it
 * prints (stdout and stderr, console included) and its exit code as the `orgonaut` command would exit with it.
 * Commands that read stdin need `spawnCli`.
 */
export async function runCli(args: readonly string[], config: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true)),
    vi.spyOn(console, 'log').mockImplementation((...parts) => void (stdout += `${format(...parts)}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...parts) => void (stderr += `${format(...parts)}\n`)),
  ];
  // main() listens for EPIPE on stdout each run; a process runs it once, so these would pile up here.
  const listening = new Set(process.stdout.listeners('error'));
  const saved = process.env.ORGONAUT_CONFIG;
  process.env.ORGONAUT_CONFIG = config;
  try {
    const code = await main(args).catch(reportFailure);
    return { code, stdout, stderr };
  } finally {
    for (const spy of spies) spy.mockRestore();
    for (const listener of process.stdout.listeners('error')) if (!listening.has(listener)) process.stdout.off('error', listener as () => void);
    if (saved === undefined) delete process.env.ORGONAUT_CONFIG;
    else process.env.ORGONAUT_CONFIG = saved;
  }
}

/** Our environment without the server's variables (DATABASE_URL, PORT, HOST, ORGONAUT_*) or a display, plus `extra`. */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'PORT' || key === 'HOST' || key.startsWith('ORGONAUT_') || key === 'DISPLAY' || key === 'WAYLAND_DISPLAY') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Starts `orgonaut <args>` as a process (environment: `cliEnv(env)`), writes `stdin` (if any) and closes it; killed
 * after `killAfterMs`. `exited` resolves with its exit code and output.
 */
export function spawnCli(args: readonly string[], env: Record<string, string>, options: { stdin?: string; killAfterMs?: number } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  const exited = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 50_000);
  void exited.then(() => clearTimeout(timer));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

export interface CliServer {
  /** The tenant's address as `orgonaut auth login --host` takes it: `http://<slug>.localhost:<port>`. */
  url: string;
  /** A temporary folder of the test's own, for sign-in files and files to import; removed on close. */
  dir: string;
  /**
   * Writes the sign-in file `<dir>/<name>.json` as `orgonaut auth login` leaves it (readable by this user only), for
   * `token` of `user`; returns its path, the `config` of `runCli`.
   */
  signIn(name: string, token: string, user?: string): string;
  /** Stops listening and removes the folder. */
  close(): Promise<void>;
}

/**
 * `app` on a loopback listener, for the CLI to talk to as it talks to a server (the tenant `slug` by its host), and a
 * temporary folder. `onRequest` sees the URL of every request the server receives, to see what a command asks for.
 */
export async function serveForCli(app: TestApp, slug: string, options: { onRequest?: (url: URL) => void } = {}): Promise<CliServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `orgonaut-${slug}-`));
  const server = await new Promise<ServerType>((resolve) => {
    const fetch = (request: Request) => (options.onRequest?.(new URL(request.url)), app.app.fetch(request));
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://${slug}.localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    dir,
    signIn: (name, token, user = `${name}@cli.test`) => {
      const file = path.join(dir, `${name}.json`);
      const login: StoredLogin = { host: url, tenant: slug, token, user };
      fs.writeFileSync(file, JSON.stringify(login), { mode: 0o600 });
      return file;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
