import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { listSpans, type SpanFilter } from '../../org/spans.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { TableScroll } from '../table-scroll.js';
import { everyPage } from '../every-page.js';
import { Pager, ScenarioBanner } from './components.js';
import { link, viewParams } from './context.js';
import { kindLabel } from './format.js';
import { unitFilterChoices } from './options.js';
import { LiveNav } from './tree.js';
import { pageNumber, SortHeader, SortInputs, tableSorting, type TableSort } from './matrix-sort.js';

/** Live → Spans: the managers behind the tree's narrow and wide span warnings, named (the service of org.spans.list). */

const PAGE_SIZE = 50;

const FILTER_LABELS: Record<SpanFilter, string> = {
  outliers: 'Narrow and wide',
  wide: `Wide (${WIDE_SPAN_MIN} or more)`,
  narrow: `Narrow (${NARROW_SPAN_MAX} or fewer)`,
  all: 'Every manager',
};

type SpanRow = Awaited<ReturnType<typeof listSpans>>['page']['items'][number];
type SpanColumn = 'name' | 'title' | 'unit' | 'reports' | 'layer';
/** Sorted by a header; without one, the service's order: how far out of range (widest first, then narrowest). */
const SPAN_SORTING = tableSorting<SpanRow, SpanColumn>({
  name: { value: (m) => m.display_name, largestFirst: false, numeric: false },
  title: { value: (m) => m.title, largestFirst: false, numeric: false },
  unit: { value: (m) => m.home_org_unit.name, largestFirst: false, numeric: false },
  reports: { value: (m) => m.direct_reports, largestFirst: true, numeric: true },
  layer: { value: (m) => m.layer, largestFirst: false, numeric: true },
});
const SPAN_COLUMNS: SpanColumn[] = ['name', 'title', 'unit', 'reports', 'layer'];

export function spansRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/spans', async (c) => {
    const params = viewParams(c);
    const ctx = serviceContext(c);
    const unit = c.req.query('unit')?.trim() || null;
    const span = c.req.query('span')?.trim() || null;
    const cursor = c.req.query('cursor') || null;
    const sort = SPAN_SORTING.parse(c.req.query('sort'), c.req.query('dir'), SPAN_COLUMNS, null);
    const scenario = params.scenarioId ? await getScenario(ctx, params.scenarioId) : null;
    const page = sort ? pageNumber(c.req.query('page')) : 1;
    const read = (p: { limit: number; cursor: string | null }) => listSpans(ctx, { ...params, orgUnitId: unit, span, ...p });
    // Sorted by a column: every manager the filter keeps, in that order, 50 a page.
    const { items: all, last: result } = sort ? await everyPage(read, (r) => r.page) : await read({ limit: PAGE_SIZE, cursor }).then((r) => ({ items: r.page.items, last: r }));
    const items = sort ? SPAN_SORTING.sort(all, sort).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) : all;
    const units = await unitFilterChoices(ctx, params);
    const order = sort ? { sort: sort.column, dir: sort.dir } : {};
    const here = (extra: Record<string, string | null> = {}) => link('/live/spans', params, { unit, span: result.span === 'outliers' ? null : result.span, ...order, ...extra });
    const sortLink = (s: TableSort<SpanColumn>) => here({ sort: s.column, dir: s.dir });
    const next = sort ? (page * PAGE_SIZE < all.length ? here({ page: String(page + 1) }) : null) : result.page.nextCursor ? here({ cursor: result.page.nextCursor }) : null;
    const later = sort ? page > 1 : Boolean(cursor);
    return c.html(
      <Shell c={c} title={scenario ? `${scenario.name} · Spans of control` : 'Spans of control'} active="/live" wide>
        <div class="page-head">
          <h1>Spans of control</h1>
        </div>
        {scenario ? <ScenarioBanner scenario={scenario} /> : null}
        <LiveNav params={params} active="/live/spans" />
        <section class="card" aria-labelledby="spans-filter-title">
          <h2 id="spans-filter-title" class="visually-hidden">
            Filters
          </h2>
          <form method="get" action="/live/spans" class="grid" role="search">
            {params.scenarioId ? <input type="hidden" name="scenario" value={params.scenarioId} /> : null}
            <SortInputs sort={sort} />
            <div class="field">
              <label for="s-span">Managers</label>
              <select id="s-span" name="span">
                {(Object.keys(FILTER_LABELS) as SpanFilter[]).map((value) => (
                  <option value={value} selected={result.span === value}>
                    {FILTER_LABELS[value]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="s-unit">In unit (and below)</label>
              <select id="s-unit" name="unit">
                <option value="">The whole organisation</option>
                {units.map((u) => (
                  <option value={u.value} selected={unit === u.value}>
                    {u.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="s-asof">As of</label>
              <input id="s-asof" type="date" name="as_of" value={params.asOf ?? ''} />
            </div>
            <div class="actions">
              <button type="submit">Filter</button>
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="spans-title">
          <h2 id="spans-title">
            {FILTER_LABELS[result.span]}
            <span class="hint">
              {' '}
              {result.orgUnit ? `in ${result.orgUnit.name} and below` : 'in the organisation'}, on {result.view.asOf}
            </span>
          </h2>
          <p class="hint">
            A manager's span is their number of direct reports: narrow is {NARROW_SPAN_MAX} or fewer, wide {WIDE_SPAN_MIN} or more —
            the managers the tree's warnings count, each in their primary unit.
          </p>
          {items.length === 0 ? (
            <p class="empty">{result.span === 'all' ? 'No one has direct reports here.' : 'No manager here has a span this narrow or wide.'}</p>
          ) : (
            <TableScroll label="Managers">
              <table>
                <thead>
                  <tr>
                    <SortHeader column="name" label="Manager" sort={sort} href={sortLink} />
                    <SortHeader column="title" label="Title" sort={sort} href={sortLink} />
                    <SortHeader column="unit" label="Primary unit" sort={sort} href={sortLink} />
                    <SortHeader column="reports" label="Direct reports" sort={sort} href={sortLink} num />
                    <th scope="col">Span</th>
                    <SortHeader column="layer" label="Layer" sort={sort} href={sortLink} num first="asc" />
                  </tr>
                </thead>
                <tbody>
                  {items.map((m) => (
                    <tr>
                      <td>
                        <a href={link(`/live/actors/${m.id}`, params)}>{m.display_name}</a>
                        {m.kind !== 'human' ? <span class="badge">{kindLabel(m.kind)}</span> : null}
                      </td>
                      <td>{m.title ?? '–'}</td>
                      <td>
                        <a href={link(`/live/units/${m.home_org_unit.id}`, params)}>{m.home_org_unit.name ?? '–'}</a>
                      </td>
                      <td class="num">{m.direct_reports}</td>
                      <td>{m.span === 'ok' ? 'within range' : <span class="badge warn">{m.span} span</span>}</td>
                      <td class="num">{m.layer}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          <Pager next={next} first={later ? here() : null} label="Pages of managers" />
        </section>
      </Shell>,
    );
  });
  return web;
}
