import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startMaintenance } from '../src/maintenance.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { logger, lines };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('the maintenance loop', () => {
  it('runs every job each round; a failing job is logged by name and does not stop the ones after it', async () => {
    const { logger, lines } = capturingLogger();
    const ran: string[] = [];
    const loop = startMaintenance(
      logger,
      [
        { name: 'first', run: async () => void ran.push('first') },
        { name: 'broken job', run: async () => { ran.push('broken'); throw new Error('database went away'); } },
        { name: 'last', run: async () => void ran.push('last') },
      ],
      10,
    );
    await until(() => ran.filter((r) => r === 'last').length >= 2);
    loop.stop();
    expect(ran.slice(0, 6)).toEqual(['first', 'broken', 'last', 'first', 'broken', 'last']);
    const failure = lines.find((l) => l.msg === 'maintenance job failed');
    expect(failure).toMatchObject({ job: 'broken job', err: { message: 'database went away' } });
  });

  it('skips a round while the last one is still busy, and runs nothing after stop()', async () => {
    const { logger } = capturingLogger();
    let running = 0;
    let overlapped = false;
    let rounds = 0;
    const loop = startMaintenance(
      logger,
      [{ name: 'slow', run: async () => {
        running++;
        overlapped ||= running > 1;
        await new Promise((resolve) => setTimeout(resolve, 40));
        running--;
        rounds++;
      } }],
      5,
    );
    await until(() => rounds >= 2);
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(overlapped).toBe(false);
    expect(rounds).toBe(after);
  });

  it('stop() runs no further job of the round and resolves once the running one has finished', async () => {
    const { logger, lines } = capturingLogger();
    const ran: string[] = [];
    let release!: () => void;
    const loop = startMaintenance(
      logger,
      [
        { name: 'slow', run: () => (ran.push('slow started'), new Promise<void>((resolve) => (release = () => (ran.push('slow finished'), resolve())))) },
        { name: 'next', run: async () => void ran.push('next') },
      ],
      5,
    );
    await until(() => ran.length > 0);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(ran).toEqual(['slow started', 'slow finished']);
    expect(lines.filter((l) => l.msg === 'maintenance job failed')).toEqual([]);
  });
});
