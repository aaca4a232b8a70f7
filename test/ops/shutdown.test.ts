import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accepts,
  api,
  bigScenario,
  createDatabase,
  liveAfterPromotion,
  liveChecksum,
  openRequest,
  query,
  runsOnPostgres,
  seedTenant,
  serversOn,
  settled,
  sleep,
  type LiveChecksum,
  type OpsDatabase,
  type SeededTenant,
  type ServerProcess,
} from './support.js';

/**
 * Graceful shutdown of a real server process (docs/OPERATIONS.md "Shutdown"): the first SIGTERM stops accepting
 * connections, lets in-flight requests and background tasks finish, closes the database and exits 0; a second
 * SIGTERM exits at once. A promotion running at SIGTERM either finishes or is failed on the next start — Live is
 * exactly as before it or exactly as after it, never in between.
 */

const RUNS = runsOnPostgres('test/ops/shutdown.test.ts', 'the shutdown tests');
const ACTORS = 20_000;
const CHANGES = 10_000;

let database: OpsDatabase;
let seeded: SeededTenant;
let origin: string;
/** Promoted while the server is told to stop. */
let promoted: string;
/** Changed by the slow requests. */
let edited: string;
let before: LiveChecksum;
let after: LiveChecksum;
const { start, killAll } = serversOn(() => database);

/** A POST of change commands whose body the test sends in two halves, whenever it likes. */
function slowChanges(server: ServerProcess, fte: number) {
  const body = Buffer.from(JSON.stringify({ changes: [{ op: 'set_fte', actor_id: actorId, fte }] }));
  const request = openRequest(server.port, new URL(origin).host, 'POST', `/api/v1/scenarios/${edited}/changes`, {
    authorization: `Bearer ${seeded.token}`,
    'content-type': 'application/json',
    'content-length': String(body.length),
  });
  request.req.write(body.subarray(0, 10));
  return { ...request, finish: () => request.req.end(body.subarray(10)) };
}

let actorId: string;

describe.skipIf(!RUNS)('shutting a server down with SIGTERM', () => {
  beforeAll(async () => {
    database = await createDatabase('shutdown');
    const db = await database.open();
    seeded = await seedTenant(db, 'ops-shutdown', ACTORS);
    origin = `http://${seeded.tenant.slug}.localhost`;
    promoted = await bigScenario(db, seeded, 'Promoted at SIGTERM', CHANGES);
    edited = await bigScenario(db, seeded, 'Edited slowly', 1);
    [{ id: actorId }] = await query<{ id: string }>(database.url, `select id from actors where tenant_id = $1 and version_to is null order by id desc limit 1`, [seeded.tenant.id]);
    before = await liveChecksum(database.url, seeded.tenant.id);
    after = await liveAfterPromotion(database, seeded, promoted);
    expect(after.version).toBe(before.version + 1);
    expect(after.families.actors).not.toBe(before.families.actors);
  }, 240_000);

  afterAll(async () => {
    await killAll();
    await database?.drop();
  }, 60_000);

  it(
    'lets a request in flight finish with 200, refuses new connections meanwhile, and exits 0',
    async () => {
      const server = await start();
      const slow = slowChanges(server, 0.55);
      await sleep(300); // the server has the request's headers and part of its body
      const signalled = performance.now();
      server.signal('SIGTERM');
      // The signal is handled once the event loop is free (on a loaded machine that can take a while); from then on,
      // while the request in flight is still held open by this test, new connections are refused.
      let refusing = false;
      for (const deadline = performance.now() + 10_000; performance.now() < deadline; await sleep(50)) {
        if (!(await accepts(server.port))) {
          refusing = true;
          break;
        }
      }
      expect(server.running(), 'still running while a request is in flight').toBe(true);
      expect(refusing, 'new connections are refused').toBe(true);
      slow.finish();
      const answered = await slow.response;
      expect(answered.status, answered.text).toBe(200);
      expect(JSON.parse(answered.text).data).toMatchObject({ scenario_id: edited, records_changed: 1 });
      const exit = await server.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      console.log(
        `shutdown: request answered ${(answered.at - signalled).toFixed(0)} ms after SIGTERM, process exited ${(exit.at - answered.at).toFixed(0)} ms after the answer`,
      );
      expect(exit.at - answered.at, 'exits promptly once the request is answered').toBeLessThan(3_000);
      expect(server.output()).not.toMatch(/"level":50/);
    },
    120_000,
  );

  it(
    'exits at once on a second SIGTERM',
    async () => {
      const server = await start();
      await settled(server.port); // a signal is handled between turns of the event loop: not during the warm-up
      const slow = slowChanges(server, 0.56); // never finished: the first SIGTERM would wait for it
      await sleep(300);
      server.signal('SIGTERM');
      await sleep(500);
      expect(server.running()).toBe(true);
      const second = performance.now();
      server.signal('SIGTERM');
      const exit = await server.exited;
      console.log(`shutdown: exited ${(exit.at - second).toFixed(0)} ms after the second SIGTERM (code ${exit.code})`);
      expect(exit.at - second).toBeLessThan(500);
      expect(exit.code).not.toBe(0);
      await expect(slow.response).rejects.toThrow();
    },
    120_000,
  );

  it(
    'lets a running promotion finish (or fails it on the next start), never leaving Live half-applied',
    async () => {
      const server = await start();
      const started = await api(server.port, origin, 'POST', `/api/v1/scenarios/${promoted}/promote`, seeded.token, {});
      expect(started.status, started.text).toBe(202);
      const taskId = started.body.data.id as string;
      for (let polls = 0; ; polls++) {
        const task = await api(server.port, origin, 'GET', `/api/v1/tasks/${taskId}`, seeded.token);
        if (task.body.data.status === 'running') break;
        expect(task.body.data.status).toBe('pending');
        expect(polls).toBeLessThan(1_000);
        await sleep(10);
      }
      const signalled = performance.now();
      server.signal('SIGTERM');
      // The signal is handled once the event loop is free (a promotion computes in bursts); from then on, while the
      // task finishes, new connections are refused.
      let refusing = false;
      for (const deadline = performance.now() + 10_000; server.running() && performance.now() < deadline; await sleep(50)) {
        if (!(await accepts(server.port))) {
          refusing = true;
          break;
        }
      }
      expect(refusing || !server.running(), 'new connections are refused while the task finishes').toBe(true);
      const exit = await server.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      const [task] = await query(database.url, 'select status, error from tasks where id = $1', [taskId]);
      const live = await liveChecksum(database.url, seeded.tenant.id);
      console.log(`shutdown: promotion task ${task.status} at exit, ${(exit.at - signalled).toFixed(0)} ms after SIGTERM`);
      if (task.status === 'succeeded') expect(live).toEqual(after);
      else expect(live).toEqual(before);

      // The next start: the task is not left "running", and Live still matches what it says.
      const next = await start();
      const [settled] = await query(database.url, 'select status, error from tasks where id = $1', [taskId]);
      expect(['succeeded', 'failed'], `task after the restart: ${JSON.stringify(settled)}`).toContain(settled.status);
      const [scenario] = await query(database.url, 'select kind from scenarios where id = $1', [promoted]);
      if (settled.status === 'succeeded') {
        expect(await liveChecksum(database.url, seeded.tenant.id)).toEqual(after);
        expect(scenario.kind).toBe('applied');
      } else {
        expect(await liveChecksum(database.url, seeded.tenant.id)).toEqual(before);
        expect(scenario.kind).toBe('planning');
      }
      await next.stop();
    },
    180_000,
  );
});
