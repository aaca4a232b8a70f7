import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { listSpans, type SpanFilter } from '../../org/spans.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { TableScroll } from '../table-scroll.js';
import { Pager, ScenarioBanner } from './components.js';
import { link, viewParams } from './context.js';
import { kindLabel } from './format.js';
import { unitChoices } from './options.js';
import { LiveNav } from './tree.js';

/** Live → Spans: the managers behind the tree's narrow and wide span warnings, named (the service of org.spans.list). */

const PAGE_SIZE = 50;

const FILTER_LABELS: Record<SpanFilter, string> = {
  outliers: 'Narrow and wide',
  wide: `Wide (${WIDE_SPAN_MIN} or more)`,
  narrow: `Narrow (${NARROW_SPAN_MAX} or fewer)`,
  all: 'Every manager',
};

export function spansRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live/spans', async (c) => {
    const params = viewParams(c);
    const ctx = serviceContext(c);
    const unit = c.req.query('unit')?.trim() || null;
    const span = c.req.query('span')?.trim() || null;
    const cursor = c.req.query('cursor') || null;
    const scenario = params.scenarioId ? await getScenario(ctx, params.scenarioId) : null;
    const result = await listSpans(ctx, { ...params, orgUnitId: unit, span, limit: PAGE_SIZE, cursor });
    const units = await unitChoices(ctx, params);
    const here = (extra: Record<string, string | null> = {}) => link('/live/spans', params, { unit, span: result.span === 'outliers' ? null : result.span, ...extra });
    const items = result.page.items;
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
              <button type="submit">Show</button>
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
                    <th scope="col">Manager</th>
                    <th scope="col">Title</th>
                    <th scope="col">Primary unit</th>
                    <th scope="col" class="num">Direct reports</th>
                    <th scope="col">Span</th>
                    <th scope="col" class="num">Layer</th>
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
          <Pager next={result.page.nextCursor ? here({ cursor: result.page.nextCursor }) : null} first={cursor ? here() : null} label="Pages of managers" />
        </section>
      </Shell>,
    );
  });
  return web;
}
