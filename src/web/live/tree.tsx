import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { AppEnv } from '../../http/env.js';
import { orgUnitTree } from '../../org/read-structure.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { AsOfForm, DEEP_LAYERS, MetricStats, NARROW_SPAN, ScenarioBanner, StartHere, SubNav, UnitTree, WIDE_SPAN } from './components.js';
import { VACANT_SEATS } from '../scenarios/values.js';
import { link, viewParams, type ViewParams } from './context.js';
import { placementCheckCounts, PlacementChecksCard } from './placement-checks.js';
import type { PlacementCheckCounts } from '../../org/placement-checks.js';

/** Live → the organisation tree: collapsible units with headcount, FTE, vacancies, cost (with `costs.read`) and warnings. */
export function treeRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/live', async (c) => {
    const params = viewParams(c);
    const ctx = serviceContext(c);
    const scenario = params.scenarioId ? await getScenario(ctx, params.scenarioId) : null;
    const tree = await orgUnitTree(ctx, { asOf: params.asOf, scenarioId: params.scenarioId });
    const checks = await placementCheckCounts(ctx, params);
    return c.html(
      <Shell c={c} title={scenario ? `${scenario.name} · Organisation` : 'Organisation'} active="/live" wide>
        <div class="page-head">
          <h1>Organisation</h1>
          <AsOfForm action="/live" params={params} keep={{ open: c.req.query('open') }} />
        </div>
        {scenario ? <ScenarioBanner scenario={scenario} /> : null}
        <LiveNav params={params} active="/live" />
        <OrgTreeSection c={c} params={params} tree={tree} path="/live" checks={checks} />
      </Shell>,
    );
  });
  return web;
}

/** The organisation pages' tabs. */
export function LiveNav(props: { params: ViewParams; active: string }) {
  const items: [string, string][] = [
    [link('/live', props.params), 'Tree'],
    [link('/live/matrix', props.params), 'People'],
    [link('/live/spans', props.params), 'Spans'],
  ];
  if (!props.params.scenarioId) items.push(['/live/lineage', 'Lineage']);
  return <SubNav label="Organisation views" items={items} active={props.active} />;
}

/**
 * Totals, placement checks (`checks`, when the reader may see them), legend and the tree of a view (Live or a
 * scenario); `path` is the page the expand/collapse links return to.
 */
export function OrgTreeSection(props: {
  c: Context<AppEnv>;
  params: ViewParams;
  tree: Awaited<ReturnType<typeof orgUnitTree>>;
  path: string;
  checks?: PlacementCheckCounts | null;
}) {
  const { params, tree } = props;
  const open = props.c.req.query('open');
  const openDepth = open === 'all' ? 99 : open === 'none' ? 0 : 2;
  const here = props.path.startsWith('/scenarios/') ? { ...params, scenarioId: null } : params;
  const keep = (value: string) => link(props.path, here, { open: value });
  return (
    <>
      <section class="card" aria-labelledby="totals-title">
        <h2 id="totals-title">Totals on {tree.view.asOf}</h2>
        <MetricStats m={tree.total} label="Organisation totals" tenant={serviceContext(props.c).tenant} />
        {tree.unassigned ? <p class="hint">{unassignedNote(tree.unassigned.positions)}</p> : null}
      </section>
      {props.checks ? <PlacementChecksCard counts={props.checks} params={params} asOf={tree.view.asOf} /> : null}
      <section class="card" aria-labelledby="tree-title">
        <div class="page-head">
          <h2 id="tree-title">Structure</h2>
          {tree.roots.length ? (
            <p class="actions">
              <a href={keep('all')}>Expand all</a>
              <a href={keep('none')}>Collapse all</a>
            </p>
          ) : null}
        </div>
        {/* No legend nor expand/collapse over an empty day (before the organisation's first unit): nothing to explain. */}
        {tree.roots.length ? (
          <p class="hint legend">
            Warnings: <span class="badge warn">narrow span</span> a manager with {NARROW_SPAN} or fewer direct reports,{' '}
            <span class="badge warn">wide span</span> {WIDE_SPAN} or more (<a href={link('/live/spans', params)}>who they are</a>),{' '}
            <span class="badge danger">deep</span> {DEEP_LAYERS} or more reporting layers in the unit. A unit's figures and
            warnings count the unit and the units below it; a span warning links to the managers it counts. Headcount and FTE
            (contracted) count each person once, in their primary unit; eff. FTE sums the share of every placement in the unit
            (FTE × allocation).
            {tree.total?.cost ? (
              <>
                {' '}
                A unit’s cost (“€…/yr”) is what its people in seats cost a year; the amount beside its vacancies, “(€…/yr)”, is
                their budget — “{VACANT_SEATS}” on unit and scenario pages: what the vacant positions would cost a year at their
                target pay, not part of the unit’s cost.
              </>
            ) : null}
          </p>
        ) : null}
        {tree.roots.length === 0 && params.asOf ? (
          // A day before the first unit (or after the last closed) is not an empty organisation.
          <p class="empty">
            There are no org units on {tree.view.asOf}. <a href={link(props.path, { ...here, asOf: null })}>See today</a> or pick another day.
          </p>
        ) : (
          <UnitTree roots={tree.roots} params={params} openDepth={openDepth} label="Org units" />
        )}
        {tree.roots.length === 0 && !params.scenarioId && !params.asOf ? <StartHere principal={serviceContext(props.c).principal} /> : null}
      </section>
    </>
  );
}

/** What the totals hold that no unit of the tree does: the positions with no budgeted team yet. */
function unassignedNote(positions: { budgeted: number; vacant: number }): string {
  const seats = positions.budgeted === 1 ? '1 position' : `${positions.budgeted} positions`;
  return `The totals include ${seats} with no budgeted team yet (${positions.vacant} vacant), in no unit below.`;
}
