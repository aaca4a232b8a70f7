import fs from 'node:fs';
import path from 'node:path';

/**
 * A PID lock file beside the embedded database. PGlite has no cross-process lock and silently corrupts a data
 * directory opened by two processes, so the first process takes `orgonaut.lock` and every other one is refused.
 * A lock left by a process that no longer exists is taken over.
 */
export interface DataDirLock {
  path: string;
  release(): void;
}

export class DataDirLocked extends Error {
  override name = 'DataDirLocked';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by another Orgonaut process (pid ${pid}); ` +
        'stop it, or set ORGONAUT_DATA_DIR to another directory',
    );
  }
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, 'orgonaut.lock');
}

/** The pid holding the data directory, or null when it is free (or held by a process that is gone). */
export function lockHolder(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(lockPath(dataDir), 'utf8'), 10);
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return { path: file, release: () => releaseLock(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== null && holder !== process.pid) throw new DataDirLocked(dataDir, holder);
      // Stale lock (its process is gone) or our own from an earlier open: take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

function releaseLock(file: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
