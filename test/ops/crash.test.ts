import * as oauth from 'oauth4webapi';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../src/org/graph-store.js';
import { planProposal } from '../../src/scenarios/proposals.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import {
  api,
  authorizeInBrowser,
  bigScenario,
  createDatabase,
  InstanceBrowser,
  liveAfterPromotions,
  liveChecksum,
  mcp,
  oauthVia,
  ownerContext,
  PASSWORD,
  query,
  refreshRaw,
  registerPublicClient,
  REDIRECT_URI,
  runsOnPostgres,
  seedTenant,
  serversOn,
  settled,
  sleep,
  type LiveChecksum,
  type OpsDatabase,
  type SeededTenant,
} from './support.js';

/**
 * A server killed (SIGKILL) in the middle of work that must be all or nothing, then started again (real processes,
 * PostgreSQL): a promotion of a larger organisation (killed while it computes, and inside its final transaction),
 * concurrent confirms of governed proposals, and refresh-token rotations. After the restart Live is exactly as
 * before or exactly as after (every family's rows and the Live version), each proposal was applied once or not at
 * all, and a client retrying a refresh that was cut short either succeeds with its old refresh token or gets a
 * clean invalid_grant — never a 5xx, and never two live refresh tokens for one client. (A kill during an import is
 * test/imports/crash.test.ts.)
 */

const RUNS = runsOnPostgres('test/ops/crash.test.ts', 'the kill tests');
const ACTORS = 20_000;
const CHANGES = 10_000;
const PROPOSALS = 16;
const CONFIRMS_EACH = 3;
const COMMANDS_EACH = 50;
const CLIENTS = 20;
/** How long a restarted server may take to fail a task whose process died (an import's is 15 s; see the report). */
const RECOVERY_MS = 40_000;

let database: OpsDatabase;
const { start, killAll } = serversOn(() => database);

/** A client of its own polling the database every few milliseconds (so the test sees the server's work as it happens). */
async function until(what: string, sql: string, params: unknown[], timeoutMs: number, holds: (rows: any[]) => boolean): Promise<any[] | null> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const { rows } = await client.query(sql, params);
      if (holds(rows)) return rows;
      await sleep(3);
    }
    console.log(`crash test: ${what} not seen within ${timeoutMs} ms`);
    return null;
  } finally {
    await client.end();
  }
}

/** Polls a task until it is no longer pending or running; its row. */
async function settledTask(taskId: string, timeoutMs: number): Promise<{ status: string; error: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [task] = await query(database.url, 'select status, error from tasks where id = $1', [taskId]);
    if ((task.status !== 'running' && task.status !== 'pending') || Date.now() > deadline) return task;
    await sleep(250);
  }
}

describe.skipIf(!RUNS)('a server killed mid-operation, then started again (PostgreSQL)', () => {
  const promotions: { name: string; seeded: SeededTenant; scenarioId: string; before: LiveChecksum; after: LiveChecksum }[] = [];
  let proposalsTenant: SeededTenant;
  const proposals: { scenarioId: string; proposalId: string }[] = [];
  let oauthTenant: SeededTenant;

  beforeAll(async () => {
    database = await createDatabase('crash');
    const db = await database.open();
    for (const name of ['computing', 'transaction']) {
      const seeded = await seedTenant(db, `crash-${name}`, ACTORS);
      const scenarioId = await bigScenario(db, seeded, `Promoted when killed (${name})`, CHANGES);
      promotions.push({ name, seeded, scenarioId, before: await liveChecksum(database.url, seeded.tenant.id), after: null as never });
    }

    // Proposals, each in a scenario of its own, planned by the owner (confirmed later with the owner's personal token).
    proposalsTenant = await seedTenant(db, 'crash-proposals', 5_000);
    const graphs = new GraphStore(db.db);
    const ctx = ownerContext(db, proposalsTenant.tenant, proposalsTenant.userId, graphs);
    const actorIds = [...(await graphs.live(proposalsTenant.tenant.id)).graph.actors.keys()].sort();
    for (let i = 0; i < PROPOSALS; i++) {
      const scenario = await createScenario(ctx, { name: `Confirmed when killed ${i}` });
      const changes = actorIds.slice(i * COMMANDS_EACH, (i + 1) * COMMANDS_EACH).map((id) => ({ op: 'set_fte', actor_id: id, fte: 0.41 }));
      const planned = await planProposal(ctx, { scenarioId: scenario.id, changes });
      proposals.push({ scenarioId: scenario.id, proposalId: planned.proposal_id });
    }

    oauthTenant = await seedTenant(db, 'crash-oauth', 0, 'business');

    const afters = await liveAfterPromotions(database, promotions);
    afters.forEach((after, i) => {
      promotions[i]!.after = after;
      expect(after.version).toBe(promotions[i]!.before.version + 1);
    });
  }, 300_000);

  afterAll(async () => {
    await killAll();
    await database?.drop();
  }, 60_000);

  // -------------------------------------------------------------------------------------------------------------
  // (a) promotion

  const taskAfterRestart = new Map<string, { status: string; error: string | null; waitedMs: number; liveAtKill: 'before' | 'after' }>();

  for (const killPoint of ['computing', 'transaction'] as const) {
    it(
      `leaves Live exactly as before or after a promotion killed ${killPoint === 'computing' ? 'while it computes' : 'inside its final transaction'}, and promoting again lands exactly on after`,
      async () => {
        const p = promotions.find((x) => x.name === killPoint)!;
        const origin = `http://${p.seeded.tenant.slug}.localhost`;
        const server = await start();
        await settled(server.port);
        const started = await api(server.port, origin, 'POST', `/api/v1/scenarios/${p.scenarioId}/promote`, p.seeded.token, {});
        expect(started.status, started.text).toBe(202);
        const taskId = started.body.data.id as string;
        if (killPoint === 'computing') {
          await until('the task running', 'select status from tasks where id = $1', [taskId], 60_000, (rows) => rows[0]?.status === 'running');
        } else {
          // The promotion's transaction: the snapshot row, the tenant row locked, rows of Live closed and inserted.
          const seen = await until(
            'the promotion transaction',
            `select state, left(query, 70) as query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null
               and query ~* '(for update|set version_to|jsonb_to_recordset|insert into "scenarios")'`,
            [],
            60_000,
            (rows) => rows.length > 0,
          );
          console.log(`crash test (promotion, transaction): killed at ${JSON.stringify(seen?.[0])}`);
        }
        await server.kill();

        const atKill = await liveChecksum(database.url, p.seeded.tenant.id);
        const [scenario] = await query(database.url, 'select kind, state from scenarios where id = $1', [p.scenarioId]);
        const [{ snapshots }] = await query(database.url, `select count(*)::int as snapshots from scenarios where tenant_id = $1 and kind = 'snapshot'`, [p.seeded.tenant.id]);
        const [{ lineage }] = await query(database.url, `select count(*)::int as lineage from lineage_entries where tenant_id = $1`, [p.seeded.tenant.id]);
        const applied = atKill.version !== p.before.version;
        console.log(`crash test (promotion, ${killPoint}): killed ${applied ? 'after the commit: Live exactly after' : 'before the commit: Live untouched'}`);
        if (applied) {
          expect(atKill).toEqual(p.after);
          expect(scenario).toMatchObject({ kind: 'applied' });
          expect({ snapshots, lineage }).toEqual({ snapshots: 1, lineage: 1 });
        } else {
          expect(atKill).toEqual(p.before);
          expect(scenario).toMatchObject({ kind: 'planning', state: 'active' });
          expect({ snapshots, lineage }).toEqual({ snapshots: 0, lineage: 0 });
        }

        // Started again: what the task says, and — if nothing was applied — the promotion run to its end.
        const again = await start();
        const waitStarted = Date.now();
        const task = await settledTask(taskId, RECOVERY_MS);
        taskAfterRestart.set(killPoint, { ...task, waitedMs: Date.now() - waitStarted, liveAtKill: applied ? 'after' : 'before' });
        if (!applied) {
          const retried = await api(again.port, origin, 'POST', `/api/v1/scenarios/${p.scenarioId}/promote`, p.seeded.token, {});
          expect(retried.status, retried.text).toBe(202);
          expect(await settledTask(retried.body.data.id, 120_000)).toMatchObject({ status: 'succeeded' });
        }
        expect(await liveChecksum(database.url, p.seeded.tenant.id)).toEqual(p.after);
        await again.stop();
      },
      240_000,
    );
  }

  it('marks the promotion task of a killed server failed on the next start (and says nothing was applied only when so)', () => {
    for (const [killPoint, task] of taskAfterRestart) {
      console.log(`crash test (promotion, ${killPoint}): task after the restart: ${task.status} (${task.waitedMs} ms), ${task.error ?? ''}`);
      expect(['succeeded', 'failed'], `the task of the promotion killed ${killPoint}, ${RECOVERY_MS / 1000} s after the restart`).toContain(task.status);
      if (task.status === 'failed') expect(task.liveAtKill).toBe('before');
    }
  });

  // -------------------------------------------------------------------------------------------------------------
  // (b) governed proposals

  it(
    'applies each proposal exactly once or not at all when killed among concurrent confirms',
    async () => {
      const { tenant, token } = proposalsTenant;
      const origin = `http://${tenant.slug}.localhost`;
      const server = await start();
      await settled(server.port);
      const answers: ({ status: number; result?: any; proposal: number } | { failed: string; proposal: number })[] = [];
      let firstAnswer!: () => void;
      const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
      let id = 0;
      // The proposals' confirms go out staggered (each proposal's together, 40 ms after the one before), so the kill
      // after the first answer finds some proposals confirmed, some in flight and some not yet asked for.
      const calls = proposals.flatMap((p, index) =>
        Array.from({ length: CONFIRMS_EACH }, () =>
          sleep(index * 40)
            .then(() => mcp(server.port, origin, token, { id: ++id, method: 'tools/call', params: { name: 'scenario_action_confirm', arguments: { proposal_id: p.proposalId } } }))
            .then(
            (answer) => {
              answers.push({ status: answer.status, result: answer.result, proposal: index });
              firstAnswer();
            },
            (error: Error) => answers.push({ failed: error.message, proposal: index }),
          ),
        ),
      );
      await answered;
      await server.kill();
      await Promise.all(calls);
      const completed = answers.filter((a): a is { status: number; result?: any; proposal: number } => 'status' in a);
      for (const a of completed) {
        expect(a.status).toBe(200);
        expect(a.result?.isError, JSON.stringify(a.result)).not.toBe(true);
        expect(a.result.structuredContent.status).toBe('confirmed');
      }

      async function states() {
        return Promise.all(
          proposals.map(async (p) => {
            const [row] = await query(database.url, 'select status, outcome from scenario_proposals where id = $1', [p.proposalId]);
            const [scenario] = await query(database.url, 'select revision::int as revision from scenarios where id = $1', [p.scenarioId]);
            const [changes] = await query(database.url, 'select count(*)::int as n, min(revision)::int as lo, max(revision)::int as hi from scenario_changes where scenario_id = $1', [p.scenarioId]);
            const [audited] = await query(
              database.url,
              `select count(*) filter (where entity_type = 'actor')::int as records, count(*) filter (where entity_type = 'proposal' and action = 'confirmed')::int as confirmations
                 from audit_events where tenant_id = $1 and scenario_id = $2`,
              [tenant.id, p.scenarioId],
            );
            return { status: row.status as string, revision: scenario.revision as number, changes: changes.n as number, revisions: [changes.lo, changes.hi], records: audited.records as number, confirmations: audited.confirmations as number };
          }),
        );
      }
      const once = { status: 'confirmed', revision: 1, changes: COMMANDS_EACH, revisions: [1, 1], records: COMMANDS_EACH };
      const none = { status: 'planned', revision: 0, changes: 0, revisions: [null, null], records: 0, confirmations: 0 };
      const atKill = await states();
      const confirmedAtKill = atKill.filter((s) => s.status === 'confirmed').length;
      const unaudited = atKill.filter((s) => s.status === 'confirmed' && s.confirmations === 0).length;
      console.log(
        `crash test (proposals): ${completed.length} of ${PROPOSALS * CONFIRMS_EACH} confirms answered before the kill; ${confirmedAtKill} of ${PROPOSALS} proposals confirmed, ${PROPOSALS - confirmedAtKill} not` +
          (unaudited ? `; ${unaudited} confirmed without their "confirmed" audit entry (written after the commit)` : ''),
      );
      expect(confirmedAtKill, 'the kill came while confirms were in flight').toBeLessThan(PROPOSALS);
      for (const [i, s] of atKill.entries()) {
        if (s.status === 'confirmed') expect(s, `proposal ${i}`).toMatchObject(once);
        else expect(s, `proposal ${i}`).toEqual(none);
        expect(s.confirmations, `proposal ${i}`).toBeLessThanOrEqual(1);
      }

      // Started again: each proposal confirmed once more — the ones applied say so, the others apply now, once.
      const again = await start();
      for (const [i, p] of proposals.entries()) {
        const answer = await mcp(again.port, origin, token, { id: 1000 + i, method: 'tools/call', params: { name: 'scenario_action_confirm', arguments: { proposal_id: p.proposalId } } });
        expect(answer.status).toBe(200);
        expect(answer.result.structuredContent).toMatchObject({ status: 'confirmed', already_confirmed: atKill[i]!.status === 'confirmed' });
      }
      for (const [i, s] of (await states()).entries()) expect(s, `proposal ${i} after the restart`).toMatchObject(once);
      await again.stop();
    },
    240_000,
  );

  // -------------------------------------------------------------------------------------------------------------
  // (d) refresh-token rotation

  it(
    'lets a client whose refresh was cut short retry with its old refresh token, or refuses it cleanly — never a 5xx, never two live refresh tokens',
    async () => {
      const first = await start();
      const origin = `http://${oauthTenant.tenant.slug}.localhost:${first.port}`; // the public host, whichever instance answers
      const browser = new InstanceBrowser(first.port, () => first.port);
      const clients: { as: oauth.AuthorizationServer; client: oauth.Client; tokens: oauth.TokenEndpointResponse }[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const { as, client } = await registerPublicClient(origin, first.port, `Crash client ${i}`);
        const { params, verifier } = await authorizeInBrowser(browser, as, client, { email: oauthTenant.email, password: PASSWORD });
        const tokens = await oauth.processAuthorizationCodeResponse(
          as,
          client,
          await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, oauthVia(() => first.port)),
        );
        clients.push({ as, client, tokens });
      }
      const liveTokens = async () => {
        const rows = await query<{ client_id: string; live: number; unconsumed: number; grants: number }>(
          database.url,
          `select c.client_id,
                  count(*) filter (where s.model = 'RefreshToken' and s.consumed_at is null and (s.expires_at is null or s.expires_at > now())
                                   and exists (select 1 from oauth_store g where g.tenant_id = s.tenant_id and g.model = 'Grant' and g.id = s.grant_id))::int as live,
                  count(*) filter (where s.model = 'RefreshToken' and s.consumed_at is null)::int as unconsumed,
                  count(*) filter (where s.model = 'Grant')::int as grants
             from (select distinct client_id from oauth_store where tenant_id = $1 and model = 'Client') c
             left join oauth_store s on s.tenant_id = $1 and s.client_id = c.client_id
            group by c.client_id`,
          [oauthTenant.tenant.id],
        );
        return new Map(rows.map((r) => [r.client_id, r]));
      };
      for (const c of clients) expect((await liveTokens()).get(c.client.client_id)).toMatchObject({ live: 1, grants: 1 });

      // Every client refreshes at once; the server is killed as soon as one refresh token has been used (rotation
      // consumes the old token, then stores the new one), or at the first answer.
      const outcomes: ({ status: number; body: any } | { failed: string })[] = new Array(CLIENTS);
      let firstAnswer!: () => void;
      const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
      let killed = false;
      const consumed = until(
        'a refresh token used',
        `select count(*)::int as n from oauth_store where tenant_id = $1 and model = 'RefreshToken' and consumed_at is not null`,
        [oauthTenant.tenant.id],
        30_000,
        (rows) => killed || rows[0].n > 0,
      );
      const refreshes = clients.map((c, i) =>
        refreshRaw(c.as, c.client, c.tokens.refresh_token!, first.port).then(
          (r) => {
            outcomes[i] = r;
            firstAnswer();
          },
          (error: Error) => (outcomes[i] = { failed: error.message }),
        ),
      );
      await Promise.race([answered, consumed]);
      await first.kill();
      killed = true;
      await Promise.all([...refreshes, consumed]);

      const next = await start();
      const summary = { answered: 0, cutShort: 0, retriedOk: 0, retriedInvalidGrant: 0 };
      for (const [i, c] of clients.entries()) {
        const outcome = outcomes[i]!;
        if ('status' in outcome) {
          summary.answered++;
          expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
          // It got its new tokens: they work on the restarted server.
          const rotated = await refreshRaw(c.as, c.client, outcome.body.refresh_token, next.port);
          expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
          expect((await liveTokens()).get(c.client.client_id)).toMatchObject({ live: 1, grants: 1 });
          continue;
        }
        summary.cutShort++;
        const retry = await refreshRaw(c.as, c.client, c.tokens.refresh_token!, next.port);
        expect(retry.status, `retry of client ${i}: ${JSON.stringify(retry.body)}`).toBeLessThan(500);
        const live = (await liveTokens()).get(c.client.client_id)!;
        if (retry.status === 200) {
          summary.retriedOk++;
          expect(live).toMatchObject({ live: 1, grants: 1 });
          const access = await mcp(next.port, origin, retry.body.access_token, { id: 1, method: 'tools/list' });
          expect(access.status).toBe(200);
        } else {
          summary.retriedInvalidGrant++;
          expect(retry).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
          expect(live.live, `client ${i}: no refresh token may still work`).toBe(0);
        }
      }
      for (const [clientId, row] of await liveTokens()) expect(row.live, `live refresh tokens of ${clientId}`).toBeLessThanOrEqual(1);
      console.log(
        `crash test (refresh): ${summary.answered} of ${CLIENTS} refreshes answered before the kill; of the ${summary.cutShort} cut short, ${summary.retriedOk} succeeded on retry with the old token, ${summary.retriedInvalidGrant} got invalid_grant`,
      );
      expect(summary.cutShort, 'the kill came while refreshes were in flight').toBeGreaterThan(0);
      await next.stop();
    },
    240_000,
  );
});
