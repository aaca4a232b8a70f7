import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError, EXIT, NotSignedIn } from './errors.js';
import { httpRequest } from './http.js';

/**
 * Browser sign-in (SPEC §4.3): authorization code + PKCE S256 for the first-party client `orgonaut-cli` against the
 * tenant's /cli/oauth/* endpoints, with a one-shot loopback listener on 127.0.0.1 for the redirect. The code is
 * exchanged for a personal API token, then the browser is sent to /cli/oauth/done.
 */
export const CLI_CLIENT_ID = 'orgonaut-cli';

export interface BrowserLoginOptions {
  host: string;
  tokenName: string;
  openBrowser: boolean;
  timeoutMs: number;
  /** Told the URL to open (the CLI prints it, in case no browser opens). */
  onUrl(url: string): void;
}

export interface BrowserLoginResult {
  token: string;
  tenant: string;
  tokenId: string | null;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function browserLogin(options: BrowserLoginOptions): Promise<BrowserLoginResult> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const authorize = new URL('/cli/oauth/authorize', options.host);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: CLI_CLIENT_ID,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    token_name: options.tokenName,
  })) {
    authorize.searchParams.set(key, value);
  }
  try {
    const result = new Promise<BrowserLoginResult>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new NotSignedIn(`no sign-in arrived from the browser within ${Math.round(options.timeoutMs / 1000)} s. Run "orgonaut auth login" again, or use --token.`)),
        options.timeoutMs,
      );
      server.on('request', (req, res) => {
        void handleCallback(req, res, { ...options, state, verifier, redirectUri }).then(
          (outcome) => {
            if (!outcome) return;
            clearTimeout(timer);
            if (outcome instanceof Error) reject(outcome);
            else resolve(outcome);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    });
    options.onUrl(authorize.toString());
    if (options.openBrowser) openInBrowser(authorize.toString());
    return await result;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Handles one request to the loopback listener: null when it was not the callback (keep waiting). */
async function handleCallback(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  flow: BrowserLoginOptions & { state: string; verifier: string; redirectUri: string },
): Promise<BrowserLoginResult | Error | null> {
  const url = new URL(req.url ?? '/', flow.redirectUri);
  if (req.method !== 'GET' || url.pathname !== '/callback') {
    await page(res, 404, 'Not found', 'This address only receives the Orgonaut CLI sign-in.');
    return null;
  }
  if (url.searchParams.get('state') !== flow.state) {
    await page(res, 400, 'Sign-in not accepted', 'This answer does not belong to the sign-in the CLI started. Run "orgonaut auth login" again.');
    return null;
  }
  const error = url.searchParams.get('error');
  if (error) {
    await page(res, 200, 'Sign-in cancelled', 'The Orgonaut CLI was not signed in. You can close this window.');
    return new NotSignedIn(error === 'access_denied' ? 'sign-in was denied in the browser.' : `sign-in failed in the browser (${error}).`);
  }
  const code = url.searchParams.get('code');
  if (!code) {
    await page(res, 400, 'Sign-in not accepted', 'The answer carries no code. Run "orgonaut auth login" again.');
    return new NotSignedIn('the browser sent no authorization code.');
  }
  let exchanged: BrowserLoginResult;
  try {
    exchanged = await exchangeCode(flow.host, { code, verifier: flow.verifier, redirectUri: flow.redirectUri });
  } catch (failure) {
    await page(res, 502, 'Sign-in failed', 'The CLI could not exchange the code for a token; see your terminal.');
    return failure instanceof Error ? failure : new CliError(String(failure), EXIT.auth);
  }
  await send(res, 303, { location: new URL('/cli/oauth/done', flow.host).toString() }, '');
  return exchanged;
}

export async function exchangeCode(host: string, input: { code: string; verifier: string; redirectUri: string }): Promise<BrowserLoginResult> {
  const answer = await httpRequest(new URL('/cli/oauth/token', host), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ grant_type: 'authorization_code', client_id: CLI_CLIENT_ID, code: input.code, code_verifier: input.verifier, redirect_uri: input.redirectUri }),
  });
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    // not JSON: reported below
  }
  if (answer.status !== 200 || typeof body.access_token !== 'string') {
    const reason = typeof body.error_description === 'string' ? body.error_description : `HTTP ${answer.status}`;
    throw new NotSignedIn(`the code could not be exchanged for a token: ${reason.replace(/\.$/, '')}. Run "orgonaut auth login" again.`);
  }
  return { token: body.access_token, tenant: String(body.tenant ?? ''), tokenId: typeof body.token_id === 'string' ? body.token_id : null };
}

/** Answers and resolves once the answer is handed to the socket (the listener closes right after). */
function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve) => {
    res.once('finish', () => resolve());
    res.once('close', () => resolve());
    res.writeHead(status, { 'cache-control': 'no-store', connection: 'close', ...headers });
    res.end(body);
  });
}

function page(res: http.ServerResponse, status: number, title: string, message: string): Promise<void> {
  const escape = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  const headers = { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" };
  return send(res, status, headers, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Orgonaut CLI</title></head><body><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>`);
}

/** Opens a URL in the default browser where there is one; silently does nothing otherwise (the URL is printed). */
export function openInBrowser(url: string): void {
  let command: string;
  let args: string[];
  if (process.platform === 'darwin') {
    command = 'open';
    args = [url];
  } else if (process.platform === 'win32') {
    command = 'cmd';
    args = ['/c', 'start', '""', url.replace(/&/g, '^&')];
  } else {
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
    command = 'xdg-open';
    args = [url];
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the printed URL is the way.
  }
}
