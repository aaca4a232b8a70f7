/** Statuses a background task (promotion, restore) or an import run is still moving through. */
const MOVING = new Set(['pending', 'running', 'processing']);

/**
 * Reads a background task or import run again (every 25 ms, for up to 10 s), as a client polls it, until its status is
 * final — `succeeded`, `completed` or `failed` — and returns it.
 */
export async function settledStatus<T extends { status: string }>(read: () => Promise<T>, what = 'task'): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (!MOVING.has(value.status)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not settle`);
}
