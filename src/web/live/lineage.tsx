import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { listLineage } from '../../org/read-history.js';
import { listScenarios } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { Pager } from './components.js';
import { deltaClass, lineageCost, signed, when } from './format.js';
import { LiveNav } from './tree.js';

/** Live → Lineage: how Live changed through promotions and restores, newest first, with summary deltas. */
type Deltas = { headcount?: number; fte?: number; effective_fte?: number; monthly_cost_minor?: number | null; monthly_cost_unconvertible?: string[]; currency?: string };

export function lineageRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/lineage', async (c) => {
    const ctx = serviceContext(c);
    const cursor = c.req.query('cursor') || null;
    const { page } = await listLineage(ctx, { limit: 50, cursor });
    const scenarios = await listScenarios(ctx, { limit: 500 });
    const nameOf = new Map(scenarios.items.map((s) => [s.id, s.name]));
    const ScenarioLink = (props: { id: string | null }) =>
      props.id ? <a href={`/scenarios/${props.id}`}>{nameOf.get(props.id) ?? `#${props.id.slice(0, 8)}`}</a> : <>–</>;
    const showCost = page.items.some((e) => (e.deltas as Deltas | null)?.monthly_cost_minor !== undefined);
    return c.html(
      <Shell c={c} title="Lineage" active="/live" wide>
        <div class="page-head">
          <h1>Lineage of Live</h1>
          <a href="/snapshots">Snapshots</a>
        </div>
        <LiveNav params={{ scenarioId: null, asOf: null }} active="/live/lineage" />
        <section class="card" aria-labelledby="lineage-title">
          <h2 id="lineage-title">Promotions and restores</h2>
          <p class="hint">Each entry replaced Live: the state before was kept as a snapshot (“from”), and “to” is what became Live.</p>
          {page.items.length === 0 ? (
            <p class="empty">Live has not been changed by a promotion or a restore yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Applied</th>
                    <th scope="col">Type</th>
                    <th scope="col">From (snapshot)</th>
                    <th scope="col">To</th>
                    <th scope="col" class="num">Live version</th>
                    <th scope="col" class="num">Headcount</th>
                    <th scope="col" class="num">FTE</th>
                    {showCost ? <th scope="col" class="num">Monthly cost</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((e) => {
                    const d = (e.deltas ?? {}) as Deltas;
                    return (
                      <tr>
                        <td>{when(e.applied_at)}</td>
                        <td>
                          <span class="badge accent">{e.type === 'promotion' ? 'Scenario promotion' : e.type === 'restore' ? 'Snapshot restore' : e.type}</span>
                        </td>
                        <td>
                          <ScenarioLink id={e.from_snapshot_id} />
                        </td>
                        <td>
                          <ScenarioLink id={e.to_scenario_id} />
                        </td>
                        <td class="num">{e.live_version}</td>
                        <td class={`num ${deltaClass(d.headcount) ?? ''}`}>{signed(d.headcount, 0)}</td>
                        <td class={`num ${deltaClass(d.fte) ?? ''}`}>{signed(d.fte)}</td>
                        {showCost ? (
                          <td class={`num ${deltaClass(d.monthly_cost_minor) ?? ''}`}>
                            {d.monthly_cost_minor === undefined ? '–' : lineageCost(d, ctx.tenant.reportingCurrency)}
                          </td>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager label="Lineage pages" next={page.nextCursor ? `/live/lineage?cursor=${encodeURIComponent(page.nextCursor)}` : null} first={cursor ? '/live/lineage' : null} />
        </section>
      </Shell>,
    );
  });
  return web;
}
