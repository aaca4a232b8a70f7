import { describe, expect, it } from 'vitest';
import { FreshLookups } from '../../src/util/fresh-lookups.js';

/** A look-up whose answer the test gives when it wants; `started` lists them in order. */
function controlledLoads() {
  const started: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const load = () =>
    new Promise<string>((resolve, reject) => {
      started.push({ resolve, reject });
    });
  return { started, load };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('fresh look-ups of what is current (Live versions, scenario counts)', () => {
  it('answers a caller with a look-up that started after it asked, never one already in flight', async () => {
    const lookups = new FreshLookups();
    const { started, load } = controlledLoads();
    const first = lookups.get('live-version:t1', load);
    expect(started).toHaveLength(1);
    // Asked while the first look-up is in flight: a change committed just before must not be missed.
    const second = lookups.get('live-version:t1', load);
    expect(started).toHaveLength(1); // waits for the next look-up instead of starting a second in parallel
    started[0]!.resolve('v1');
    expect(await first).toBe('v1');
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.resolve('v2');
    expect(await second).toBe('v2');
  });

  it('lets a burst of callers share one look-up per round trip', async () => {
    const lookups = new FreshLookups();
    const { started, load } = controlledLoads();
    const burst = Array.from({ length: 32 }, () => lookups.get('k', load));
    expect(started).toHaveLength(1);
    started[0]!.resolve('a');
    await tick();
    expect(started).toHaveLength(2); // the 31 that asked while the first was in flight share the second
    started[1]!.resolve('b');
    expect(await Promise.all(burst)).toEqual(['a', ...Array(31).fill('b')]);
    // Nothing in flight any more: the next caller starts its own look-up at once.
    const later = lookups.get('k', load);
    expect(started).toHaveLength(3);
    started[2]!.resolve('c');
    expect(await later).toBe('c');
  });

  it('keeps keys apart and lets a failed look-up fail only its own callers', async () => {
    const lookups = new FreshLookups();
    const { started, load } = controlledLoads();
    const one = lookups.get('live-version:t1', load);
    const other = lookups.get('live-version:t2', load);
    expect(started).toHaveLength(2); // another tenant does not wait
    const queued = lookups.get('live-version:t1', load);
    started[0]!.reject(new Error('connection lost'));
    await expect(one).rejects.toThrow('connection lost');
    await tick();
    started[2]!.resolve('v7'); // the queued caller got a fresh try
    started[1]!.resolve('v3');
    expect(await queued).toBe('v7');
    expect(await other).toBe('v3');
  });
});
