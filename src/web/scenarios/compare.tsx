import type { Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { InvalidInput } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { scenarioDelta } from '../../scenarios/delta.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { isUuid } from '../../util/ids.js';
import { Shell } from '../shell.js';
import { deltaClass, num, signed } from '../live/format.js';
import { ScenarioBadges } from './list.js';
import { CostChange, CostSide, isMoneyMetric, metricsFor, type Pair } from './metric-pairs.js';
import { TableScroll } from '../table-scroll.js';

/**
 * Scenarios side by side (`/scenarios/compare?id=…&id=…`): each one's headline figures against Live as it is now,
 * from the same delta service as each scenario's own delta page — "option A or option B?" on one screen.
 */
export const MAX_COMPARED = 6;

export async function comparePage(c: Context<AppEnv>) {
  const ctx = serviceContext(c);
  const ids = [...new Set(c.req.queries('id') ?? [])].filter(Boolean);
  if (ids.length > MAX_COMPARED) throw new InvalidInput('id', `choose at most ${MAX_COMPARED} scenarios to compare`);
  for (const id of ids) if (!isUuid(id)) throw new InvalidInput('id', 'is not a scenario id; choose scenarios on the list');
  const scenarios = [];
  for (const id of ids) scenarios.push(await getScenario(ctx, id));
  const metrics = can(ctx.principal, 'org-metrics.read');
  const deltas = metrics ? await Promise.all(ids.map((id) => scenarioDelta(ctx, { scenarioId: id, compare: 'live' }))) : [];
  const totals = deltas.map((d) => d.metrics.total as Record<string, Pair> | null);
  const currency = ctx.tenant.reportingCurrency;
  const rows = metricsFor(ctx.principal).filter(([key]) => totals.some((t) => t?.[key]));
  return c.html(
    <Shell c={c} title="Compare scenarios" active="/scenarios" wide>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href="/scenarios">Scenarios</a>
          </li>
          <li aria-current="page">Compare</li>
        </ol>
      </nav>
      <div class="page-head">
        <h1>Compare scenarios</h1>
      </div>
      {scenarios.length < 2 ? (
        <p class="notice error" role="alert">
          Choose two or more scenarios on <a href="/scenarios">the list</a> (up to {MAX_COMPARED}), then “Compare selected”.
        </p>
      ) : null}
      {scenarios.length && !metrics ? <p class="hint">Your role does not include org metrics, so there are no figures to compare.</p> : null}
      {scenarios.length && metrics ? (
        <section class="card" aria-labelledby="compare-title">
          <h2 id="compare-title">Against Live as it is now</h2>
          <p class="hint">Each scenario with everything it builds on, metrics on {deltas[0]?.as_of}. Each cell reads the scenario’s figure (its change from Live).</p>
          <TableScroll label="Scenarios against Live">
            <table class="metric-deltas">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col" class="num">
                    Live
                  </th>
                  {scenarios.map((s) => (
                    <th scope="col" class="num">
                      <a href={`/scenarios/${s.id}/delta?compare=live`}>{s.name}</a>
                      <div>
                        <ScenarioBadges s={s} />
                      </div>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map(([key, label, digits]) => {
                  const live = totals.find((t) => t?.[key])?.[key];
                  return (
                    <tr>
                      <th scope="row">{label}</th>
                      <td class="num">{isMoneyMetric(key) ? <CostSide amount={live?.from ?? null} unconvertible={live?.from_unconvertible} currency={currency} /> : num(live?.from, digits)}</td>
                      {totals.map((t) => {
                        const p = t?.[key];
                        if (!p) return <td class="num">–</td>;
                        return isMoneyMetric(key) ? (
                          <td class="num">
                            <CostSide amount={p.to} unconvertible={p.to_unconvertible} currency={currency} />{' '}
                            <span class={deltaClass(p.delta, key)}>
                              (<CostChange pair={p} currency={currency} />)
                            </span>
                          </td>
                        ) : (
                          <td class="num">
                            {num(p.to, digits)} <span class={deltaClass(p.delta, key)}>({signed(p.delta, digits)})</span>
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        </section>
      ) : null}
    </Shell>,
    scenarios.length === 0 ? 400 : 200,
  );
}
