import type { Db } from '../db/connection.js';

/** How often a process stamps the work it is doing. */
export const HEARTBEAT_MS = 2_000;
/** Work not stamped for this long belongs to a process that is gone (it died; its transaction never committed). */
export const STALE_AFTER_MS = 15_000;

/**
 * Stamps the rows of the work this process is doing (background tasks, import runs) every HEARTBEAT_MS while any is
 * registered, so that another process can tell work in progress from work a dead process left behind. One timer per
 * heartbeat, unref'd (it never keeps the process alive), stopped when nothing is left. A stamp that fails is tried
 * again on the next beat; work whose stamps all fail is eventually failed as interrupted, which is right.
 */
export class Heartbeat {
  private readonly active = new Map<Db, Set<string>>();
  private timer: NodeJS.Timeout | null = null;

  /** `stamp` sets `heartbeat_at = now()` on the rows `ids` of `db` that this process still owns. */
  constructor(private readonly stamp: (db: Db, ids: string[]) => Promise<unknown>) {}

  add(db: Db, id: string): void {
    let ids = this.active.get(db);
    if (!ids) this.active.set(db, (ids = new Set()));
    ids.add(id);
    this.timer ??= setInterval(() => this.beat(), HEARTBEAT_MS).unref();
  }

  delete(db: Db, id: string): void {
    const ids = this.active.get(db);
    ids?.delete(id);
    if (ids && !ids.size) this.active.delete(db);
    if (!this.active.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private beat(): void {
    for (const [db, ids] of this.active) {
      if (ids.size) void this.stamp(db, [...ids]).catch(() => {});
    }
  }
}
