import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppEnv } from '../../http/env.js';
import { indexGraph } from '../../org/graph-index.js';
import { listPlacements, listPositions, managerOf } from '../../org/read-people.js';
import { getOrgUnit, orgUnitTree } from '../../org/read-structure.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { AsOfForm, MetricStats, Pager, ScenarioBanner, UnitTrail, UnitTree } from './components.js';
import { link, namesOf, viewParams } from './context.js';
import { count, kindLabel, money, num } from './format.js';
import { LiveNav } from './tree.js';
import { TableScroll } from '../table-scroll.js';
import { SortHeader, tableSorting, type TableSort } from './matrix-sort.js';

type PositionRow = Awaited<ReturnType<typeof listPositions>>['page']['items'][number];
type PositionColumn = 'title' | 'status' | 'fte' | 'pay';
/**
 * A unit's positions sorted by a header (the service's order without one). Pay — the target salary a year, in its
 * own currency; a day rate or none goes last — is a column only with `costs.read`.
 */
const POSITION_SORTING = tableSorting<PositionRow, PositionColumn>({
  title: { value: (p) => p.title, largestFirst: false, numeric: false },
  status: { value: (p) => p.status, largestFirst: false, numeric: false },
  fte: { value: (p) => p.planned_fte, largestFirst: true, numeric: true },
  pay: { value: (p) => ('target_salary' in p && p.target_salary ? (p.target_salary as { amount_minor: number }).amount_minor : null), largestFirst: true, numeric: true },
});

/**
 * Why a unit is not in effect on the day shown: a day before it opened is not "closed" (a past as-of date on a unit
 * opened later), and a closed one says since when.
 */
function notInEffect(unit: { valid_from: string | null; valid_to: string | null }, asOf: string): string {
  if (unit.valid_from && asOf < unit.valid_from) return `not open yet on ${asOf}: opens ${unit.valid_from}`;
  return unit.valid_to ? `closed since ${unit.valid_to}` : 'closed';
}

/** An org unit: its path, children, metrics, roster (actors placed in it) and positions, in Live or a scenario. */
export function unitRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/units/:id', async (c) => {
    const params = viewParams(c);
    const ctx = serviceContext(c);
    const cursor = c.req.query('cursor') || null;
    const scenario = params.scenarioId ? await getScenario(ctx, params.scenarioId) : null;
    const { view, unit } = await getOrgUnit(ctx, c.req.param('id'), params);
    const here = `/live/units/${unit.id}`;
    // The units below with their own figures, as the tree shows them (their units below collapsed).
    const below = unit.children.length ? ((await orgUnitTree(ctx, { ...params, rootId: unit.id, depth: 2 })).roots[0]?.children ?? []) : [];
    const leadId = unit.department?.lead_actor_id ?? null;
    const roster = can(ctx.principal, 'placements.read')
      ? await listPlacements(ctx, { ...params, orgUnitId: unit.id, limit: 200, cursor })
      : null;
    const positions = can(ctx.principal, 'positions.read') ? await listPositions(ctx, { ...params, orgUnitId: unit.id, limit: 200 }) : null;
    const positionSort = POSITION_SORTING.parse(c.req.query('sort'), c.req.query('dir'), can(ctx.principal, 'costs.read') ? ['title', 'status', 'fte', 'pay'] : ['title', 'status', 'fte'], null);
    const positionRows = positions ? (positionSort ? POSITION_SORTING.sort(positions.page.items, positionSort) : positions.page.items) : [];
    const positionSortLink = (s: TableSort<PositionColumn>) => `${link(here, params, { sort: s.column, dir: s.dir })}#positions-title`;
    const names = namesOf(view.graph);
    const index = indexGraph(view.graph);
    const tray = scenario?.editable && can(ctx.principal, 'scenarios.write') ? `/scenarios/${scenario.id}/changes` : null;
    return c.html(
      <Shell c={c} title={unit.name} active="/live" wide>
        {scenario ? <ScenarioBanner scenario={scenario} /> : null}
        <UnitTrail units={unit.path} current={unit.name} params={params} />
        <div class="page-head">
          <h1>
            {unit.name} <span class="badge">{unit.type}</span> {unit.active ? null : <span class="badge danger">{notInEffect(unit, view.asOf)}</span>}
          </h1>
          <AsOfForm action={here} params={params} />
        </div>
        {/* A unit is a place in the tree: the Tree tab is the current one. */}
        <LiveNav params={params} active="/live" />
        {unit.code || unit.department?.cost_center || leadId || unit.team?.purpose ? (
          <p class="hint">
            {leadId ? (
              <>
                Led by <a href={link(`/live/actors/${leadId}`, params)}>{names.actor(leadId)}</a>.{' '}
              </>
            ) : null}
            {unit.code ? <>Code {unit.code}. </> : null}
            {unit.department?.cost_center ? <>Cost centre {unit.department.cost_center}. </> : null}
            {unit.team?.purpose ?? null}
          </p>
        ) : null}
        {tray ? (
          <p class="actions">
            <span class="hint">Plan in this scenario:</span>
            {/* The system unit (Unassigned) is Orgonaut's: it is not renamed or moved. */}
            {unit.type !== 'system' ? (
              <>
                <a href={`${tray}?op=rename_org_unit&org_unit_id=${unit.id}#op-rename_org_unit`}>Rename</a>
                <a href={`${tray}?op=move_org_unit&org_unit_id=${unit.id}#op-move_org_unit`}>Move</a>
              </>
            ) : null}
            <a href={`${tray}?op=add_actor&org_unit_id=${unit.id}#op-add_actor`}>Add someone here</a>
            <a href={`${tray}?op=create_position&org_unit_id=${unit.id}#op-create_position`}>Create a position here</a>
          </p>
        ) : null}
        <section class="card" aria-labelledby="metrics-title">
          <h2 id="metrics-title">Metrics (this unit and everything below it)</h2>
          <MetricStats m={unit.metrics} label={`Metrics of ${unit.name}`} tenant={ctx.tenant} />
        </section>
        <section class="card" aria-labelledby="children-title">
          <h2 id="children-title">Units below</h2>
          {below.length === 0 ? (
            <p class="empty">No units below this one.</p>
          ) : (
            <>
              <p class="hint">Each unit's figures count it and the units below it, as in the tree.</p>
              <UnitTree roots={below} params={params} openDepth={0} label={`Units below ${unit.name}`} />
            </>
          )}
        </section>
        <section class="card" aria-labelledby="roster-title">
          <h2 id="roster-title">Roster</h2>
          {/* The metrics count the subtree, the roster this unit only: said, so 89 in Headcount beside 5 names is no riddle. */}
          {roster && unit.children.length ? (
            <p class="hint">
              Who is placed directly in {unit.name}. The metrics above also count everyone in the units below it, each with its own
              roster; <a href={link('/live/matrix', params, { unit: unit.id, below: '1' })}>everyone placed in {unit.name} and below</a> is
              one list in the People table, to sort and export.
            </p>
          ) : null}
          {!roster ? (
            <p class="hint">Your role does not include placements.</p>
          ) : roster.page.items.length === 0 ? (
            <p class="empty">
              Nobody is placed directly in this unit{cursor ? ' on this page' : ''}.{unit.children.length ? ' Units below may have people.' : ''}
            </p>
          ) : (
            <TableScroll label="Roster">
              <table>
                <caption class="visually-hidden">Actors placed in {unit.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Title</th>
                    <th scope="col">Position</th>
                    <th scope="col">Manager</th>
                    <th scope="col" class="num">Allocation</th>
                    <th scope="col" class="num">Effective FTE</th>
                  </tr>
                </thead>
                <tbody>
                  {roster.page.items.map((p) => {
                    const actor = view.graph.actors.get(p.actor_id);
                    const managerId = managerOf(index, p.actor_id, view.asOf);
                    return (
                      <tr>
                        <td>
                          <a href={link(`/live/actors/${p.actor_id}`, params)}>{names.actor(p.actor_id)}</a>{' '}
                          {p.is_primary ? <span class="badge accent">primary</span> : <span class="badge">secondary</span>}
                        </td>
                        <td>{actor ? kindLabel(actor.kind) : '–'}</td>
                        <td>{actor?.title ?? '–'}</td>
                        <td>{p.position_id ? names.position(p.position_id) : '–'}</td>
                        <td>{managerId ? <a href={link(`/live/actors/${managerId}`, params)}>{names.actor(managerId)}</a> : '–'}</td>
                        <td class="num">{num(p.allocation_pct)} %</td>
                        <td class="num">{num(p.effective_fte)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          )}
          {roster ? (
            <Pager
              label="Roster pages"
              next={roster.page.nextCursor ? link(here, params, { cursor: roster.page.nextCursor }) : null}
              first={cursor ? link(here, params) : null}
            />
          ) : null}
        </section>
        {positions ? (
          <section class="card" aria-labelledby="positions-title">
            <h2 id="positions-title">Positions</h2>
            {/* As for the roster: the metrics count the subtree's positions, this table the unit's own. */}
            {unit.children.length && unit.metrics ? (
              <p class="hint">
                Budgeted directly in {unit.name}. The metrics above count the {count(unit.metrics.positions.budgeted, 'position', 'positions')} of{' '}
                {unit.name} and the units below it ({num(unit.metrics.positions.vacant, 0)} vacant); each unit below lists its own.
              </p>
            ) : null}
            {positions.page.items.length === 0 ? (
              <p class="empty">No budgeted positions directly in this unit.</p>
            ) : (
              <TableScroll label="Positions">
                <table>
                  <thead>
                    <tr>
                      <SortHeader column="title" label="Title" sort={positionSort} href={positionSortLink} />
                      <SortHeader column="status" label="Status" sort={positionSort} href={positionSortLink} />
                      <th scope="col">Filled by</th>
                      <SortHeader column="fte" label="Planned FTE" sort={positionSort} href={positionSortLink} num />
                      <th scope="col">Type</th>
                      {positions.page.items.some((p) => 'target_salary' in p) ? <SortHeader column="pay" label="Target pay" sort={positionSort} href={positionSortLink} num /> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {positionRows.map((p) => (
                      <tr>
                        <td>{p.title}</td>
                        <td>
                          <span class={p.status === 'vacant' ? 'badge warn' : p.status === 'filled' ? 'badge ok' : 'badge'}>{p.status}</span>
                        </td>
                        <td>
                          {p.filled_by.length
                            ? p.filled_by.map((id, i) => (
                                <>
                                  {i ? ', ' : ''}
                                  <a href={link(`/live/actors/${id}`, params)}>{names.actor(id)}</a>
                                </>
                              ))
                            : '–'}
                        </td>
                        <td class="num">{num(p.planned_fte)}</td>
                        <td>{p.employment_type}</td>
                        {'target_salary' in p ? (
                          <td class="num">
                            {p.target_salary ? `${money(p.target_salary.amount_minor, p.target_salary.currency)} a year` : p.day_rate ? `${money(p.day_rate.amount_minor, p.day_rate.currency)} a day` : '–'}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
          </section>
        ) : null}
      </Shell>,
    );
  });
  return web;
}
