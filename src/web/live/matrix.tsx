import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppEnv } from '../../http/env.js';
import { toMajor } from '../../org/cost.js';
import { ACTOR_KINDS } from '../../org/types.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { CostBasis, Pager, ScenarioBanner, StartHere } from './components.js';
import { link, namesOf, viewParams } from './context.js';
import { safeFileName, toCsv } from './csv.js';
import { kindLabel, money, num, quoted } from './format.js';
import { allMatrixRows, matrixPage, type MatrixFilter, type MatrixRow } from './matrix-rows.js';
import { isDefaultSort, pageNumber, parseSort, sortColumns, SortHeader, SortInputs, sortRows, type MatrixSort } from './matrix-sort.js';
import { InvalidInput } from '../../errors.js';
import type { OrgView } from '../../org/view.js';
import { SELECT_MAX, managerChoices, unitFilterChoices, type Choice } from './options.js';
import { ID_SEPARATOR, referenceOf } from '../scenarios/tray-ops.js';
import { isUuid } from '../../util/ids.js';
import { LiveNav } from './tree.js';
import { checkPlacementCheck, PLACEMENT_CHECK_MEANING, PLACEMENT_CHECKS, type PlacementCheck } from '../../org/placement-checks.js';
import { PLACEMENT_CHECK_LABEL } from './placement-checks.js';
import { TableScroll } from '../table-scroll.js';

/** Live → People: a filterable, paginated table of actors and their placements, and its CSV export. */
const PAGE_SIZE = 50;

function filterOf(c: Context<AppEnv>): MatrixFilter {
  const params = viewParams(c);
  const orgUnitId = c.req.query('unit')?.trim() || null;
  // A typed manager (large organisations) reads "Name · Title — <id>": the id counts.
  const manager = referenceOf(c.req.query('manager') ?? '') || null;
  return {
    ...params,
    kind: c.req.query('kind')?.trim() || null,
    orgUnitId,
    includeSubunits: Boolean(orgUnitId) && c.req.query('below') === '1',
    query: c.req.query('q')?.trim() || null,
    withoutManager: manager === 'none',
    managerId: manager && manager !== 'none' ? manager : null,
    // Refused naming the address's field (400); without placements.read the service refuses the filter (403).
    placementCheck: checkPlacementCheck(c.req.query('check')?.trim(), 'check'),
  };
}

/** The query string of a filter and order (for links, the CSV export and the pager). */
function filterLink(path: string, f: MatrixFilter, sort: MatrixSort, extra: Record<string, string | null> = {}) {
  const order = isDefaultSort(sort) ? {} : { sort: sort.column, dir: sort.dir };
  return link(path, f, { kind: f.kind, unit: f.orgUnitId, q: f.query, below: f.includeSubunits ? '1' : null, manager: f.withoutManager ? 'none' : f.managerId, check: f.placementCheck, ...order, ...extra });
}

/**
 * A manager typed by name without picking a suggestion (the large-organisation field) is the one manager of that
 * name on the day; several or none is said, naming the field. An id is left to the reads (unknown: 404).
 */
function managerNamed(filter: MatrixFilter, managers: Choice[]): MatrixFilter {
  const typed = filter.managerId;
  if (!typed || isUuid(typed)) return filter;
  const lower = typed.toLowerCase();
  const matches = managers.filter((m) => m.label.toLowerCase() === lower || m.label.toLowerCase().startsWith(`${lower} · `));
  if (matches.length === 1) return { ...filter, managerId: matches[0]!.value };
  const day = filter.asOf ?? 'today';
  throw new InvalidInput(
    'manager',
    matches.length ? `${matches.length} managers on ${day} are called ${quoted(typed.slice(0, 100))}; pick one of the suggestions` : `no one called ${quoted(typed.slice(0, 100))} manages anyone on ${day}; pick one of the suggestions`,
  );
}

/** The "Reports to" filter: every manager on the day — a select, or past SELECT_MAX a field typed with suggestions. */
function ManagerFilter(props: { managers: Choice[]; filter: MatrixFilter; nameOf: (id: string) => string }) {
  const { managers, filter } = props;
  const chosen = filter.managerId ? managers.find((m) => m.value === filter.managerId) : undefined;
  if (managers.length > SELECT_MAX) {
    const value = filter.withoutManager ? 'none' : filter.managerId ? `${chosen?.label ?? props.nameOf(filter.managerId)}${ID_SEPARATOR}${filter.managerId}` : '';
    return (
      <div class="field">
        <label for="f-manager">Manager</label>
        <input id="f-manager" name="manager" list="f-manager-list" value={value} placeholder="Anyone" autocomplete="off" aria-describedby="f-manager-hint" />
        <span id="f-manager-hint" class="hint">
          Type a manager’s name and pick a suggestion; <code>none</code> for no manager.
        </span>
        <datalist id="f-manager-list">
          <option value="none">No manager</option>
          {managers.map((m) => (
            <option value={`${m.label}${ID_SEPARATOR}${m.value}`} />
          ))}
        </datalist>
      </div>
    );
  }
  return (
    <div class="field">
      <label for="f-manager">Manager</label>
      <select id="f-manager" name="manager">
        <option value="">Any</option>
        <option value="none" selected={filter.withoutManager}>
          No manager
        </option>
        {managers.map((m) => (
          <option value={m.value} selected={m.value === filter.managerId}>
            Reports to {m.label}
          </option>
        ))}
        {/* Reached from the page of someone with no report on this day: kept while the other filters change. */}
        {filter.managerId && !chosen ? (
          <option value={filter.managerId} selected>
            Reports to {props.nameOf(filter.managerId)}
          </option>
        ) : null}
      </select>
    </div>
  );
}

/** The "Placement check" filter: those failing one check on the day, named in words (with `placements.read`). */
function PlacementCheckFilter(props: { chosen: PlacementCheck | null }) {
  return (
    <div class="field">
      <label for="f-check">Placement check</label>
      <select id="f-check" name="check">
        <option value="">Any</option>
        {PLACEMENT_CHECKS.map((check) => (
          <option value={check} selected={props.chosen === check}>
            {PLACEMENT_CHECK_LABEL[check]}
          </option>
        ))}
      </select>
    </div>
  );
}

function sortOf(c: Context<AppEnv>, show: { cost: boolean; allocation: boolean }): MatrixSort {
  return parseSort(c.req.query('sort'), c.req.query('dir'), sortColumns(show));
}

/**
 * One page of the table: by name, the service's cursor pages; in any other order every matching row is sorted and
 * `page` picks 50 of them.
 */
async function tablePage(c: Context<AppEnv>, filter: MatrixFilter, sort: MatrixSort): Promise<{ view: OrgView; rows: MatrixRow[]; total: number; next: Record<string, string> | null; later: boolean }> {
  const ctx = serviceContext(c);
  if (isDefaultSort(sort)) {
    const cursor = c.req.query('cursor') || null;
    const { view, rows, nextCursor, total } = await matrixPage(ctx, filter, { limit: PAGE_SIZE, cursor });
    return { view, rows, total, next: nextCursor ? { cursor: nextCursor } : null, later: Boolean(cursor) };
  }
  const page = pageNumber(c.req.query('page'));
  const { view, rows: all } = await allMatrixRows(ctx, filter);
  const rows: MatrixRow[] = sortRows(all, sort).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return { view, rows, total: all.length, next: page * PAGE_SIZE < all.length ? { page: String(page + 1) } : null, later: page > 1 };
}

/**
 * A row's annual cost: unknown without pay in effect (not 0), and unknown naming the currency when the pay has no
 * exchange rate to the reporting currency, as the lineage page says it.
 */
function costCell(r: MatrixRow) {
  if (!r.annualCost) return <span title="No pay in effect on the day">unknown</span>;
  if (r.annualCost.amountMinor === null && r.annualCost.unconvertible.length) return `unknown (no ${r.annualCost.unconvertible.join(', ')} rate)`;
  return money(r.annualCost.amountMinor, r.annualCost.currency);
}

/**
 * Why a unit's list can be longer than its headcount: it has everyone placed there, secondary placements too, while
 * the unit's metrics count each person once, in their primary unit, and share their FTE and cost by allocation.
 */
function UnitListNote(props: { unitId: string; unitName: string; filter: MatrixFilter; allocation: boolean; cost: boolean }) {
  const whole = ['FTE', ...(props.allocation ? ['allocation'] : []), ...(props.cost ? ['annual cost'] : [])];
  const figures = `${whole.slice(0, -1).join(', ')}${whole.length > 1 ? ' and ' : ''}${whole.at(-1)}`;
  return (
    <p class="hint">
      Everyone with a placement in {props.unitName}
      {props.filter.includeSubunits ? ' or a unit below it' : ''} is listed, secondary placements too (their primary unit is another), so the list can be
      longer than the unit’s headcount, which counts each person once, in their primary unit. {figures} {whole.length > 1 ? 'are' : 'is'} each person’s whole, not their share here:
      the <a href={link(`/live/units/${props.unitId}`, props.filter)}>unit’s page</a> counts shares.
    </p>
  );
}

export function matrixRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/matrix', async (c) => {
    const ctx = serviceContext(c);
    const asked = filterOf(c);
    const managers = await managerChoices(ctx, asked);
    const filter = managerNamed(asked, managers);
    const showCost = can(ctx.principal, 'costs.read');
    const showAllocation = can(ctx.principal, 'placements.read');
    const sort = sortOf(c, { cost: showCost, allocation: showAllocation });
    const scenario = filter.scenarioId ? await getScenario(ctx, filter.scenarioId) : null;
    const { view, rows, total, next, later } = await tablePage(c, filter, sort);
    const units = await unitFilterChoices(ctx, filter);
    const sortLink = (s: MatrixSort) => filterLink('/live/matrix', filter, s);
    const filtered = Boolean(filter.kind || filter.orgUnitId || filter.query || filter.withoutManager || filter.managerId || filter.placementCheck);
    const names = namesOf(view.graph);
    return c.html(
      <Shell c={c} title="People" active="/live/matrix" wide>
        <div class="page-head">
          <h1>People</h1>
          <a class="button secondary" href={filterLink('/live/matrix.csv', filter, sort)} download>
            Download CSV
          </a>
        </div>
        {scenario ? <ScenarioBanner scenario={scenario} /> : null}
        <LiveNav params={filter} active="/live/matrix" />
        <section class="card" aria-labelledby="filter-title">
          <h2 id="filter-title" class="visually-hidden">
            Filters
          </h2>
          <form method="get" action="/live/matrix" class="grid filters" role="search">
            {filter.scenarioId ? <input type="hidden" name="scenario" value={filter.scenarioId} /> : null}
            <SortInputs sort={isDefaultSort(sort) ? null : sort} />
            <div class="field">
              <label for="f-q">Search</label>
              {/* A short placeholder that fits the field at every width; all that is searched is the field's description
                  and tooltip (a visible hint under it would lift the field out of the row of filters). */}
              <input id="f-q" type="search" name="q" value={filter.query ?? ''} placeholder="Name or email" aria-describedby="f-q-hint" title="Matches names, emails and job titles" />
              <span id="f-q-hint" class="visually-hidden">
                Matches names, emails and job titles.
              </span>
            </div>
            <div class="field">
              <label for="f-kind">Kind</label>
              <select id="f-kind" name="kind">
                <option value="">All kinds</option>
                {ACTOR_KINDS.map((k) => (
                  <option value={k} selected={filter.kind === k}>
                    {kindLabel(k)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <div class="label-row">
                <label for="f-unit">Placed in</label>
                <label class="inline-check">
                  <input type="checkbox" name="below" value="1" checked={filter.includeSubunits} /> and <span class="visually-hidden">units</span> below
                </label>
              </div>
              <select id="f-unit" name="unit">
                <option value="">Any unit</option>
                {units.map((u) => (
                  <option value={u.value} selected={filter.orgUnitId === u.value}>
                    {u.label}
                  </option>
                ))}
              </select>
            </div>
            <ManagerFilter managers={managers} filter={filter} nameOf={names.actor} />
            {showAllocation ? <PlacementCheckFilter chosen={filter.placementCheck} /> : null}
            <div class="field">
              <label for="f-asof">As of</label>
              <input id="f-asof" type="date" name="as_of" value={filter.asOf ?? ''} />
            </div>
            <div class="actions">
              <button type="submit">Filter</button>
              {filtered ? <a href={link('/live/matrix', filter, isDefaultSort(sort) ? {} : { sort: sort.column, dir: sort.dir })}>Clear filters</a> : null}
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="people-title">
          <h2 id="people-title">
            {total === 0 ? 'No one found' : `${total} ${total === 1 ? 'actor' : 'actors'}`}
            <span class="hint">
              {/* The heading names the unit too, with whether the units below count. */}
              {filter.orgUnitId ? ` placed in ${names.unit(filter.orgUnitId)}${filter.includeSubunits ? ' and the units below' : ''}` : ''}
              {filter.managerId ? ` reporting to ${names.actor(filter.managerId)}` : ''}
              {filter.placementCheck ? ` failing the placement check “${PLACEMENT_CHECK_LABEL[filter.placementCheck]}”` : ''} on {view.asOf}
              {total > rows.length ? ` · ${rows.length} on this page` : ''}
            </span>
          </h2>
          {filter.placementCheck ? (
            <p class="hint">
              {PLACEMENT_CHECK_LABEL[filter.placementCheck]}: {PLACEMENT_CHECK_MEANING[filter.placementCheck]}.
            </p>
          ) : null}
          {rows.length === 0 ? (
            <>
              <p class="empty">
                {filtered ? (
                  'Nobody matches these filters. Try fewer filters.'
                ) : filter.asOf ? (
                  // A day before the first hire (or after everyone left) is not an empty organisation.
                  <>
                    No one is in the organisation on {view.asOf}. <a href={link('/live/matrix', { ...filter, asOf: null })}>See today</a> or pick
                    another day.
                  </>
                ) : (
                  'There are no actors in this organisation yet.'
                )}
              </p>
              {!filtered && !filter.scenarioId && !filter.asOf ? <StartHere principal={ctx.principal} /> : null}
            </>
          ) : (
            <TableScroll label="People">
              <table>
                <thead>
                  <tr>
                    <SortHeader column="name" label="Name" sort={sort} href={sortLink} />
                    <SortHeader column="kind" label="Kind" sort={sort} href={sortLink} />
                    <SortHeader column="title" label="Title" sort={sort} href={sortLink} />
                    <SortHeader column="unit" label="Primary unit" sort={sort} href={sortLink} />
                    <SortHeader column="fte" label="FTE" sort={sort} href={sortLink} num />
                    {showAllocation ? <SortHeader column="allocation" label="Allocation" sort={sort} href={sortLink} num /> : null}
                    <SortHeader column="manager" label="Manager" sort={sort} href={sortLink} />
                    {showCost ? <SortHeader column="cost" label="Annual cost" sort={sort} href={sortLink} num /> : null}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr>
                      <td>
                        <a href={link(`/live/actors/${r.id}`, filter)}>{r.name}</a>
                      </td>
                      <td>{kindLabel(r.kind)}</td>
                      <td>{r.title ?? '–'}</td>
                      <td>{r.primaryUnitId ? <a href={link(`/live/units/${r.primaryUnitId}`, filter)}>{r.primaryUnit}</a> : <span class="badge warn">unplaced</span>}</td>
                      <td class="num">{num(r.fte)}</td>
                      {showAllocation ? (
                        <td class="num">
                          {num(r.allocationPct)} %{r.allocationPct !== null && r.allocationPct > 100 ? <span class="badge warn">over</span> : null}
                        </td>
                      ) : null}
                      <td>{r.managerId ? <a href={link(`/live/actors/${r.managerId}`, filter)}>{r.manager}</a> : '–'}</td>
                      {showCost ? <td class="num">{costCell(r)}</td> : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          {filter.orgUnitId && rows.length > 0 ? (
            <UnitListNote unitId={filter.orgUnitId} unitName={names.unit(filter.orgUnitId)} filter={filter} allocation={showAllocation} cost={showCost} />
          ) : null}
          {showCost && rows.length > 0 ? <CostBasis tenant={ctx.tenant} /> : null}
          <Pager
            label="People pages"
            next={next ? filterLink('/live/matrix', filter, sort, next) : null}
            first={later ? filterLink('/live/matrix', filter, sort) : null}
          />
        </section>
      </Shell>,
    );
  });

  web.get('/live/matrix.csv', async (c) => {
    const ctx = serviceContext(c);
    const asked = filterOf(c);
    // The export follows the filter as the page reads it, a manager typed by name included.
    const filter = asked.managerId && !isUuid(asked.managerId) ? managerNamed(asked, await managerChoices(ctx, asked)) : asked;
    const showCost = can(ctx.principal, 'costs.read');
    const showAllocation = can(ctx.principal, 'placements.read');
    const sort = sortOf(c, { cost: showCost, allocation: showAllocation });
    const { view, rows: unsorted } = await allMatrixRows(ctx, filter);
    const rows = sortRows(unsorted, sort);
    const header = ['id', 'name', 'kind', 'title', 'email', 'primary_unit_id', 'primary_unit', 'fte'];
    if (showAllocation) header.push('allocation_pct');
    header.push('manager_id', 'manager');
    if (showCost) header.push('annual_loaded_cost', 'currency');
    const body = toCsv(
      header,
      rows.map((r) => [
        r.id,
        r.name,
        r.kind,
        r.title,
        r.email,
        r.primaryUnitId,
        r.primaryUnit,
        r.fte,
        ...(showAllocation ? [r.allocationPct] : []),
        r.managerId,
        r.manager,
        ...(showCost ? [r.annualCost?.amountMinor == null ? null : toMajor(r.annualCost.amountMinor, r.annualCost.currency), r.annualCost?.currency ?? null] : []),
      ]),
    );
    const name = safeFileName(`${ctx.tenant.slug}-people-${filter.scenarioId ? 'scenario-' : ''}${view.asOf}.csv`);
    return c.body(body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
    });
  });
  return web;
}
