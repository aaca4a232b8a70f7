import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppEnv } from '../../http/env.js';
import type { presentCompensation, presentPlacement } from '../../org/present.js';
import { getActor } from '../../org/read-people.js';
import { ancestors } from '../../org/read-structure.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { spanClass } from '../../org/unit-acc.js';
import { AsOfForm, CostBasis, ScenarioBanner, UnitTrail } from './components.js';
import { link, namesOf, viewParams } from './context.js';
import { count, day, kindLabel, money, num } from './format.js';
import { LiveNav } from './tree.js';
import type { PlacementCheck } from '../../org/placement-checks.js';
import { PLACEMENT_CHECK_LABEL, placementCheckLink, placementCheckWords } from './placement-checks.js';
import { TableScroll } from '../table-scroll.js';

/** An actor: manager, direct reports, placements and positions — and compensation only with `costs.read`. */

type Person = { id: string; display_name: string; title: string | null };
interface ActorPage {
  id: string;
  kind: string;
  display_name: string;
  email: string | null;
  title: string | null;
  level: string | null;
  fte: number | null;
  active: boolean;
  valid_from: string | null;
  valid_to: string | null;
  primary_org_unit_id: string | null;
  source_hris: string | null;
  manager: Person | null;
  direct_reports: Person[];
  placements?: ReturnType<typeof presentPlacement>[];
  /** With `placements.read`, for an actor in effect on the day: their placements' allocation added up, and the checks they fail. */
  total_allocation_pct?: number;
  placement_checks?: PlacementCheck[];
  annual_loaded_cost?: { amount_minor: number | null; currency: string; unconvertible: string[] } | null;
  cost_note?: string;
  compensation?: ReturnType<typeof presentCompensation>[];
}

export function actorRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/actors/:id', async (c) => {
    const params = viewParams(c);
    const ctx = serviceContext(c);
    const scenario = params.scenarioId ? await getScenario(ctx, params.scenarioId) : null;
    const { view, actor: raw } = await getActor(ctx, c.req.param('id'), params);
    const actor = raw as unknown as ActorPage;
    const names = namesOf(view.graph);
    const tray = scenario?.editable && can(ctx.principal, 'scenarios.write') ? `/scenarios/${scenario.id}/changes` : null;
    const reports = actor.direct_reports.length;
    const allocation = (actor.placements ?? []).reduce((sum, p) => sum + p.allocation_pct, 0);
    const primary = actor.placements?.find((p) => p.is_primary);
    const here = `/live/actors/${actor.id}`;
    // Where the actor sits: the primary unit's path, as the unit pages show it.
    const home = actor.primary_org_unit_id ? view.graph.orgUnits.get(actor.primary_org_unit_id) : undefined;
    const trail = home ? [...ancestors(view, home), home] : [];
    const facts: [string, unknown][] = [
      ['Kind', kindLabel(actor.kind)],
      ['Title', actor.title ?? '–'],
      ['Email', actor.email ?? '–'],
      ['Level', actor.level ?? '–'],
      ['Contracted FTE', num(actor.fte)],
      ['Primary unit', actor.primary_org_unit_id ? <a href={link(`/live/units/${actor.primary_org_unit_id}`, params)}>{names.unit(actor.primary_org_unit_id)}</a> : '–'],
      ['In effect', `${day(actor.valid_from)} → ${actor.valid_to ? day(actor.valid_to) : 'open'}`],
    ];
    if (actor.total_allocation_pct !== undefined) {
      facts.push([
        'Total allocation',
        <>
          {num(actor.total_allocation_pct)} % <span class="hint">of their capacity, across their placements</span>
        </>,
      ]);
    }
    if (actor.source_hris) facts.push(['Source', actor.source_hris]);
    const checks = actor.placement_checks ?? [];
    return c.html(
      <Shell c={c} title={actor.display_name} active="/live/matrix" wide>
        {scenario ? <ScenarioBanner scenario={scenario} /> : null}
        {trail.length ? <UnitTrail units={trail} current={actor.display_name} params={params} /> : null}
        <div class="page-head">
          <h1>
            {actor.display_name} <span class="badge">{kindLabel(actor.kind)}</span>{' '}
            {actor.active ? null : <span class="badge danger">inactive on {view.asOf}</span>}
          </h1>
          <AsOfForm action={here} params={params} />
        </div>
        {/* A person is one row of People (as the main navigation says): its tab is the current one. */}
        <LiveNav params={params} active="/live/matrix" />
        {tray && actor.active ? (
          <p class="actions">
            <span class="hint">Plan in this scenario:</span>
            <a href={`${tray}?op=set_manager&actor_id=${actor.id}#op-set_manager`}>Change manager</a>
            <a href={`${tray}?op=set_fte&actor_id=${actor.id}#op-set_fte`}>Change FTE</a>
            {primary ? <a href={`${tray}?op=move_placement&placement_id=${primary.id}#op-move_placement`}>Move to another unit</a> : null}
            {can(ctx.principal, 'scenarios.delete') ? <a href={`${tray}?op=deactivate_actor&actor_id=${actor.id}#op-deactivate_actor`}>Deactivate</a> : null}
          </p>
        ) : null}
        <section class="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Details</h2>
          <dl class="facts">
            {facts.map(([dt, dd]) => (
              <>
                <dt>{dt}</dt>
                <dd>{dd}</dd>
              </>
            ))}
          </dl>
          {checks.length ? (
            <div class="warning" role="note" aria-labelledby="checks-title">
              <h3 id="checks-title">{checks.length === 1 ? 'Placement check failed' : 'Placement checks failed'}</h3>
              <ul>
                {checks.map((check) => (
                  <li>
                    <strong>{PLACEMENT_CHECK_LABEL[check]}</strong>: {placementCheckWords(check, actor.total_allocation_pct ?? 0, view.asOf)}.{' '}
                    <a href={placementCheckLink(params, check)}>Everyone failing “{PLACEMENT_CHECK_LABEL[check]}”</a>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </section>
        <section class="card" aria-labelledby="lines-title">
          <h2 id="lines-title">Reporting line</h2>
          <h3>Manager</h3>
          {actor.manager ? (
            <p>
              <a href={link(`/live/actors/${actor.manager.id}`, params)}>{actor.manager.display_name}</a>
              {actor.manager.title ? <span class="hint"> · {actor.manager.title}</span> : null}
            </p>
          ) : (
            // The top of a line has reports; with none, it is someone outside any line (an agent, a gap an import left).
            <p class="empty">
              {reports > 0 ? (
                <>No manager: {actor.display_name} is at the top of a reporting line.</>
              ) : (
                <>
                  No manager: {actor.display_name} reports to no one and no one reports to them.{' '}
                  <a href={link('/live/matrix', params, { manager: 'none' })}>Everyone without a manager</a>
                </>
              )}
            </p>
          )}
          <h3>
            Direct reports ({reports}){' '}
            {reports > 0 && spanClass(reports) !== 'ok' ? <span class="badge warn">{spanClass(reports)} span</span> : null}
          </h3>
          {reports === 0 ? (
            <p class="empty">Nobody reports to {actor.display_name}.</p>
          ) : (
            <ul class="people">
              {actor.direct_reports.map((r) => (
                <li>
                  <a href={link(`/live/actors/${r.id}`, params)}>{r.display_name}</a>
                  {r.title ? <span class="hint"> · {r.title}</span> : null}
                </li>
              ))}
            </ul>
          )}
          {reports > 0 ? (
            <p>
              <a href={link('/live/matrix', params, { manager: actor.id })}>
                {actor.display_name}'s direct reports in the People table
              </a>{' '}
              <span class="hint">— their units, FTE{can(ctx.principal, 'costs.read') ? ' and cost' : ''}, to sort and export</span>
            </p>
          ) : null}
        </section>
        {actor.placements ? (
          <section class="card" aria-labelledby="placements-title">
            <h2 id="placements-title">Placements</h2>
            {actor.placements.length === 0 ? (
              <p class="empty">Not placed in any unit on {view.asOf}.</p>
            ) : (
              <TableScroll label="Placements">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Unit</th>
                      <th scope="col">Position</th>
                      <th scope="col" class="num">Allocation</th>
                      <th scope="col" class="num">Effective FTE</th>
                      <th scope="col">From</th>
                      {tray ? <th scope="col"><span class="visually-hidden">Plan</span></th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {actor.placements.map((p) => (
                      <tr>
                        <td>
                          <a href={link(`/live/units/${p.org_unit_id}`, params)}>{names.unit(p.org_unit_id)}</a>{' '}
                          {p.is_primary ? <span class="badge accent">primary</span> : <span class="badge">secondary</span>}
                        </td>
                        <td>{p.position_id ? names.position(p.position_id) : '–'}</td>
                        <td class="num">{num(p.allocation_pct)} %</td>
                        <td class="num">{num(p.effective_fte)}</td>
                        <td class="date">{day(p.valid_from)}</td>
                        {tray ? (
                          <td>
                            <a href={`${tray}?op=set_allocation&placement_id=${p.id}#op-set_allocation`}>Set allocation</a>
                            {p.is_primary ? null : (
                              <>
                                {' · '}
                                <a href={`${tray}?op=set_primary_placement&placement_id=${p.id}#op-set_primary_placement`}>Make primary</a>
                              </>
                            )}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row" colspan={2}>
                        Total allocation
                      </th>
                      <td class="num">
                        {num(allocation)} % {allocation > 100 ? <span class="badge warn">over 100 %</span> : null}
                      </td>
                      <td class="num">{num((actor.placements ?? []).reduce((s, p) => s + p.effective_fte, 0))}</td>
                      <td colspan={tray ? 2 : 1}></td>
                    </tr>
                  </tfoot>
                </table>
              </TableScroll>
            )}
          </section>
        ) : null}
        {actor.compensation ? (
          <section class="card" aria-labelledby="pay-title">
            <h2 id="pay-title">Compensation</h2>
            {actor.annual_loaded_cost && actor.compensation.length > 0 ? (
              <p>
                Loaded annual cost: <strong>{money(actor.annual_loaded_cost.amount_minor, actor.annual_loaded_cost.currency)}</strong>
                {actor.annual_loaded_cost.unconvertible.length ? (
                  <span class="badge warn"> no exchange rate for {actor.annual_loaded_cost.unconvertible.join(', ')}</span>
                ) : null}
              </p>
            ) : null}
            {actor.annual_loaded_cost && actor.compensation.length > 0 ? <CostBasis tenant={ctx.tenant} /> : null}
            {actor.cost_note && actor.compensation.length > 0 ? <p>{actor.cost_note}</p> : null}
            {actor.compensation.length === 0 ? (
              <p class="empty">No compensation recorded: cost is unknown, not zero.</p>
            ) : (
              <TableScroll label="Compensation">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col" class="num">Amount</th>
                      <th scope="col">From</th>
                      <th scope="col">To</th>
                    </tr>
                  </thead>
                  <tbody>
                    {actor.compensation.map((comp) => (
                      <tr class={comp.active ? undefined : 'muted'}>
                        <td>
                          {comp.kind === 'salary' ? 'Annual salary' : 'Day rate'} {comp.active ? <span class="badge ok">current</span> : null}
                        </td>
                        <td class="num">{money(comp.amount.amount_minor, comp.amount.currency)}</td>
                        <td class="date">{day(comp.valid_from)}</td>
                        <td>{comp.valid_to ? day(comp.valid_to) : 'open'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
            {tray ? (
              <p>
                <a href={`${tray}?op=set_compensation&actor_id=${actor.id}#op-set_compensation`}>Plan a pay change</a>
              </p>
            ) : null}
          </section>
        ) : null}
        <p class="hint">{count(reports, 'direct report', 'direct reports')} · Actor id <code>{actor.id}</code></p>
      </Shell>,
    );
  });
  return web;
}
