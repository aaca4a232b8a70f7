import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAdminChannel } from '../../src/admin/channel.js';
import type { AdminCommand } from '../../src/admin/commands.js';
import { runCli } from '../support/cli.js';

/** Which modules of the server side (the app, the database engine) `orgonaut` loaded. */
const loaded = vi.hoisted(() => [] as string[]);
vi.mock('../../src/server.js', async (original) => (loaded.push('server'), original()));
vi.mock('../../src/db/connection.js', async (original) => (loaded.push('db/connection'), original()));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  loaded.length = 0;
});

/** ORGONAUT_DATA_DIR held by this process (as a running server holds it), with its admin channel answering `answer`. */
async function heldDataDir(answer: (command: AdminCommand) => { message: string; data: unknown }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orgonaut-channel-'));
  fs.writeFileSync(path.join(dataDir, 'orgonaut.lock'), String(process.pid));
  const received: AdminCommand[] = [];
  const channel = await startAdminChannel(dataDir, async (command) => (received.push(command), answer(command)));
  const saved = { dataDir: process.env.ORGONAUT_DATA_DIR, url: process.env.DATABASE_URL };
  process.env.ORGONAUT_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  cleanup.push(async () => {
    for (const [name, value] of [['ORGONAUT_DATA_DIR', saved.dataDir], ['DATABASE_URL', saved.url]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await channel.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, received };
}

describe('an admin command while a server holds the embedded data directory', () => {
  it('is answered through the channel without loading the app or the database engine (a second or two of start-up)', async () => {
    const { dataDir, received } = await heldDataDir(() => ({ message: 'acme  business  EUR  Acme Corporation', data: [{ slug: 'acme' }] }));
    const listed = await runCli(['tenants', 'list'], path.join(dataDir, 'cli.json'));
    expect(listed, listed.stderr).toMatchObject({ code: 0, stdout: 'acme  business  EUR  Acme Corporation\n' });
    expect(received).toEqual([{ name: 'tenants.list' }]);
    expect(loaded).toEqual([]);
  });
});
