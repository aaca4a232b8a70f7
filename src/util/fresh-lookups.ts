/**
 * Look-ups of a value that changes (a tenant's Live version, its scenario counts) asked for by many requests at
 * once. Every caller gets the answer of a look-up that started after it asked, so it sees everything committed
 * before it asked — in this process or any other — and yet a burst of callers shares one look-up: while one is in
 * flight, callers wait for the next, which starts when it ends and answers all of them (group commit, for reads).
 * One caller at a time pays one look-up each, as without this; 32 at once share about one per round trip.
 */
export class FreshLookups {
  private readonly slots = new Map<string, Slot>();

  /** The value of `key` as a look-up started now or later finds it; `load` starts one (the key names what it reads). */
  get<V>(key: string, load: () => Promise<V>): Promise<V> {
    const slot = this.slots.get(key);
    if (!slot) return this.start(key, load);
    // One in flight started before this caller asked: wait for it to end, then share the next.
    slot.next ??= slot.running.then(settle, settle).then(() => this.start(key, load));
    return slot.next as Promise<V>;
  }

  private start<V>(key: string, load: () => Promise<V>): Promise<V> {
    const running = load();
    const slot: Slot = { running, next: null };
    this.slots.set(key, slot);
    const done = () => {
      if (this.slots.get(key) === slot && slot.next === null) this.slots.delete(key);
    };
    running.then(done, done);
    return running;
  }
}

interface Slot {
  running: Promise<unknown>;
  /** The look-up that starts when `running` ends, shared by every caller that asked in the meantime. */
  next: Promise<unknown> | null;
}

const settle = (): void => {};
