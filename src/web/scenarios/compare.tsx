import type { Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { InvalidInput } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { scenarioDelta } from '../../scenarios/delta.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { isUuid } from '../../util/ids.js';
import { Shell } from '../shell.js';
import { deltaClass, money, num, signed, signedMoney } from '../live/format.js';
import { ScenarioBadges } from './list.js';
import { WITHOUT_PAY } from './values.js';

/**
 * Scenarios side by side (`/scenarios/compare?id=…&id=…`): each one's headline figures against Live as it is now,
 * from the same delta service as each scenario's own delta page — "option A or option B?" on one screen.
 */
export const MAX_COMPARED = 6;

type Pair = { from: number | null; to: number | null; delta: number | null; unconvertible?: string[] };

const ROWS: [key: string, label: string, digits: number, isMoney: boolean][] = [
  ['headcount', 'Headcount', 0, false],
  ['robots', 'Robots', 0, false],
  ['agents', 'Agents', 0, false],
  ['fte', 'FTE', 2, false],
  ['effective_fte', 'Effective FTE', 2, false],
  ['vacant_positions', 'Vacant positions', 0, false],
  ['span_average', 'Average span', 2, false],
  ['layers', 'Layers', 0, false],
  ['annual_cost_minor', 'Annual cost', 0, true],
  ['monthly_cost_minor', 'Monthly cost', 0, true],
  ['without_compensation', WITHOUT_PAY, 0, false],
];

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
  const rows = ROWS.filter(([key]) => totals.some((t) => t?.[key]));
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
          <div class="table-wrap">
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
                {rows.map(([key, label, digits, isMoney]) => {
                  const live = totals.find((t) => t?.[key])?.[key];
                  const show = (value: number | null | undefined) => (isMoney ? money(value, currency) : num(value, digits));
                  return (
                    <tr>
                      <th scope="row">{label}</th>
                      <td class="num">{live?.unconvertible?.length && live.from === null ? 'unknown' : show(live?.from)}</td>
                      {totals.map((t) => {
                        const p = t?.[key];
                        if (!p) return <td class="num">–</td>;
                        const unknown = p.delta === null && Boolean(p.unconvertible?.length);
                        return (
                          <td class="num">
                            {p.to === null && unknown ? 'unknown' : show(p.to)}{' '}
                            <span class={deltaClass(p.delta)}>({unknown ? `unknown: no ${p.unconvertible!.join(', ')} rate` : isMoney ? signedMoney(p.delta, currency) : signed(p.delta, digits)})</span>
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </Shell>,
    scenarios.length === 0 ? 400 : 200,
  );
}
