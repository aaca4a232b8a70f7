import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { toProblem } from '../api/problem.js';
import { isAppError } from '../errors.js';
import type { AdminCommand, AdminResult } from './commands.js';

/**
 * The loopback-only admin channel of a server running on an embedded data directory. Only one process may open
 * PGlite's files, so admin commands (migrate, seed, tenants, tokens) started while the server runs are sent here.
 * The channel listens on 127.0.0.1 on a random port and accepts a request only with the secret written, readable
 * by this user only, to `<data dir>/admin.json`.
 */
export interface AdminChannelFile {
  pid: number;
  port: number;
  secret: string;
}

const MAX_BODY = 64 * 1024;

export function adminFilePath(dataDir: string): string {
  return path.join(dataDir, 'admin.json');
}

export async function startAdminChannel(
  dataDir: string,
  run: (command: AdminCommand) => Promise<AdminResult>,
  onUnexpected: (error: unknown) => void = () => {},
): Promise<{ close(): Promise<void> }> {
  const secret = randomBytes(32).toString('base64url');
  const server = http.createServer((req, res) => {
    void handle(req, res, secret, run, onUnexpected);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const file = adminFilePath(dataDir);
  const content: AdminChannelFile = { pid: process.pid, port: (server.address() as AddressInfo).port, secret };
  fs.writeFileSync(file, JSON.stringify(content), { mode: 0o600 });
  return {
    close: async () => {
      fs.rmSync(file, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  secret: string,
  run: (command: AdminCommand) => Promise<AdminResult>,
  onUnexpected: (error: unknown) => void,
): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST' || req.url !== '/command') return reply(404, { error: 'not found' });
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'bad secret' });
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY) return reply(413, { error: 'too large' });
  }
  try {
    reply(200, { ok: true, result: await run(JSON.parse(body) as AdminCommand) });
  } catch (error) {
    if (!isAppError(error)) onUnexpected(error);
    reply(200, { ok: false, problem: toProblem(error) });
  }
}

/** Sends a command to the server holding `dataDir`; null when no server channel is there. */
export async function sendAdminCommand(dataDir: string, command: AdminCommand): Promise<AdminResult | null> {
  let channel: AdminChannelFile;
  try {
    channel = JSON.parse(fs.readFileSync(adminFilePath(dataDir), 'utf8')) as AdminChannelFile;
  } catch {
    return null;
  }
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${channel.port}/command`, {
      method: 'POST',
      headers: { authorization: `Bearer ${channel.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(command),
    });
  } catch (error) {
    // A file left behind by a server that was killed (a new one, still starting, has not written its own yet): no
    // channel there. Any other failure may have come after the command was sent, so it is not retried.
    if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return null;
    throw error;
  }
  const answer = (await response.json()) as { ok: boolean; result?: AdminResult; problem?: { detail: string; fix?: string; code?: string } };
  if (!answer.ok) throw new AdminCommandFailed(answer.problem?.detail ?? 'the command failed', answer.problem?.fix, answer.problem?.code);
  return answer.result!;
}

export class AdminCommandFailed extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    /** The problem's code (`not_found`, `invalid_input`…), as the command run directly would have it. */
    readonly code?: string,
  ) {
    super(message);
  }
}
