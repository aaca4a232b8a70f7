import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppEnv } from '../../http/env.js';
import { listLineage } from '../../org/read-history.js';
import { importFileNames } from '../../imports/runs.js';
import { scenarioNamesById } from '../../scenarios/lifecycle.js';
import { quoted } from '../../util/words.js';
import { Shell } from '../shell.js';
import { Pager } from './components.js';
import { deltaClass, lineageCost, signed, when } from './format.js';
import { LiveNav } from './tree.js';
import { TableScroll } from '../table-scroll.js';

/** Live → Lineage: how Live changed through promotions, restores and imports, newest first, with summary deltas. */
type Deltas = {
  headcount?: number;
  fte?: number;
  effective_fte?: number;
  monthly_cost_minor?: number | null;
  monthly_cost_unconvertible?: string[];
  currency?: string;
  import_run_id?: string;
};

const TYPE_LABELS: Record<string, string> = { promotion: 'Scenario promotion', restore: 'Snapshot restore', import: 'Import' };

export function lineageRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/lineage', async (c) => {
    const ctx = serviceContext(c);
    const cursor = c.req.query('cursor') || null;
    const { page } = await listLineage(ctx, { limit: 50, cursor });
    // The snapshots and scenarios this page names, looked up by id however old (the 500 latest left older ones unnamed).
    const nameOf = await scenarioNamesById(ctx, page.items.flatMap((e) => [e.from_snapshot_id, e.to_scenario_id]));
    const ScenarioLink = (props: { id: string | null }) =>
      props.id ? <a href={`/scenarios/${props.id}`}>{nameOf.get(props.id) ?? `#${props.id.slice(0, 8)}`}</a> : <>–</>;
    const showCost = page.items.some((e) => (e.deltas as Deltas | null)?.monthly_cost_minor !== undefined);
    const importLinks = can(ctx.principal, 'imports.manage');
    // The imported files by name, as Activity names them, for who may open the runs.
    const runIds = page.items.map((e) => (e.deltas as Deltas | null)?.import_run_id).filter((id): id is string => Boolean(id));
    const fileOf = importLinks ? await importFileNames(ctx, runIds) : new Map<string, string>();
    /** What became Live: the scenario promoted or snapshot restored, or the import run (its page for who may open it). */
    const To = (props: { id: string | null; importRunId?: string }) => {
      if (!props.importRunId) return <ScenarioLink id={props.id} />;
      if (!importLinks) return <>an import run</>;
      const file = fileOf.get(props.importRunId);
      return <a href={`/imports/${props.importRunId}/progress`}>{file ? `Import of ${quoted(file)}` : 'the import run'}</a>;
    };
    return c.html(
      <Shell c={c} title="Lineage" active="/live" wide>
        <div class="page-head">
          <h1>Lineage of Live</h1>
          <a href="/snapshots">Snapshots</a>
        </div>
        <LiveNav params={{ scenarioId: null, asOf: null }} active="/live/lineage" />
        <section class="card" aria-labelledby="lineage-title">
          <h2 id="lineage-title">Promotions, restores and imports</h2>
          <p class="hint">Each entry replaced Live: the state before was kept as a snapshot (“from”), and “to” is what became Live.</p>
          {page.items.length === 0 ? (
            <p class="empty">Live has not been changed by a promotion, a restore or an import yet.</p>
          ) : (
            <TableScroll label="Promotions, restores and imports">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Applied</th>
                    <th scope="col">Type</th>
                    <th scope="col">From (snapshot)</th>
                    <th scope="col">To</th>
                    <th scope="col">By</th>
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
                        <td class="date">{when(e.applied_at)}</td>
                        <td>
                          <span class="badge accent">{TYPE_LABELS[e.type] ?? e.type}</span>
                        </td>
                        <td>
                          <ScenarioLink id={e.from_snapshot_id} />
                        </td>
                        <td>
                          <To id={e.to_scenario_id} importRunId={d.import_run_id} />
                        </td>
                        <td>{e.user?.name ?? 'the system'}</td>
                        <td class="num">{e.live_version}</td>
                        <td class={`num ${deltaClass(d.headcount, 'headcount') ?? ''}`}>{signed(d.headcount, 0)}</td>
                        <td class={`num ${deltaClass(d.fte, 'fte') ?? ''}`}>{signed(d.fte)}</td>
                        {showCost ? (
                          <td class={`num ${deltaClass(d.monthly_cost_minor, 'monthly_cost_minor') ?? ''}`}>
                            {d.monthly_cost_minor === undefined ? '–' : lineageCost(d, ctx.tenant.reportingCurrency)}
                          </td>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          )}
          <Pager label="Lineage pages" next={page.nextCursor ? `/live/lineage?cursor=${encodeURIComponent(page.nextCursor)}` : null} first={cursor ? '/live/lineage' : null} />
        </section>
      </Shell>,
    );
  });
  return web;
}
