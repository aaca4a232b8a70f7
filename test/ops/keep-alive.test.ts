import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { bindPort } from '../../src/listener.js';

/**
 * A load balancer keeps idle connections to the servers behind it and reuses them. If the server closes one first
 * (Node's default: after 5 s idle), a request the balancer sends on it at that moment is lost as a connection reset —
 * the soak saw them once the machine was loaded. The server keeps idle connections ORGONAUT_KEEP_ALIVE_SECONDS
 * (65 s by default, longer than a balancer's usual 60 s), so the balancer is always the one to close them.
 */

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function serverKeepingConnections(keepAliveSeconds: number): Promise<string> {
  const listener = await bindPort({ port: 0, host: '127.0.0.1', databaseUrl: null, keepAliveSeconds });
  closers.push(() => listener.close());
  return `http://127.0.0.1:${listener.port}/healthz`;
}

/** Two requests on one keep-alive connection pool, `idleMs` apart: whether the second went on the first's connection. */
async function reusedAfter(url: string, idleMs: number): Promise<boolean> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const request = http.get(url, { agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, reused: request.reusedSocket }));
        });
        request.on('error', reject);
      });
    expect((await get()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const second = await get();
    expect(second.status).toBe(200);
    return second.reused;
  } finally {
    agent.destroy();
  }
}

describe('idle keep-alive connections', () => {
  it('stay open past Node’s 5 s by default (65 s), and as long as ORGONAUT_KEEP_ALIVE_SECONDS says', async () => {
    expect(loadConfig({}).keepAliveSeconds).toBe(65);
    const [kept, closed] = await Promise.all([
      // 6 s idle: Node's default would have closed it; a balancer reusing it would have had a reset.
      serverKeepingConnections(loadConfig({ ORGONAUT_KEEP_ALIVE_SECONDS: '7' }).keepAliveSeconds).then((url) => reusedAfter(url, 6_000)),
      // Set to 1 s, a connection idle for 2 s was closed by the server: the next request opened a new one.
      serverKeepingConnections(loadConfig({ ORGONAUT_KEEP_ALIVE_SECONDS: '1' }).keepAliveSeconds).then((url) => reusedAfter(url, 2_000)),
    ]);
    expect(kept).toBe(true);
    expect(closed).toBe(false);
  }, 20_000);
});
