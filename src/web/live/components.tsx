import type { Child } from 'hono/jsx';
import { can, type Principal } from '../../access/policy.js';
import type { UnitMetricsOut } from '../../org/metrics-service.js';
import type { TreeNode } from '../../org/read-structure.js';
import type { Tenant } from '../../tenancy/tenants.js';
import { NARROW_SPAN_MAX, WIDE_SPAN_MIN } from '../../org/unit-acc.js';
import { count, money, moneyShort, num, pct } from './format.js';
import { link, type ViewParams } from './context.js';
import { VACANT_SEATS } from '../scenarios/values.js';

/** Building blocks shared by the organisation and scenario pages. */

/** Span-of-control thresholds behind the warnings: the metrics' own (org/unit-acc.ts); and the depth one. */
export const NARROW_SPAN = NARROW_SPAN_MAX;
export const WIDE_SPAN = WIDE_SPAN_MIN;
export const DEEP_LAYERS = 7;

type Metrics = NonNullable<UnitMetricsOut>;

/** The tenant's settings every cost figure is made from (org/cost.ts). */
export type CostBasisSettings = Pick<Tenant, 'burdenPct' | 'workingDaysPerYear' | 'reportingCurrency'>;

/**
 * How a cost figure is made, in this organisation's own settings, said next to the figures: a salary of 90,000 shows
 * as 112,500 a year with a 25 % burden, which reads as a wrong number unless the page says so.
 */
export function CostBasis(props: { tenant: CostBasisSettings }) {
  const { tenant } = props;
  return (
    <p class="hint cost-basis">
      Costs are loaded costs in {tenant.reportingCurrency}: annual salary plus the {num(tenant.burdenPct)} % employer burden,
      or day rate × {num(tenant.workingDaysPerYear, 0)} working days (<a href="/settings/organisation">cost settings</a>).
    </p>
  );
}

/**
 * The headline metrics of a unit or of the organisation, as a definition list. Cost only when the service sent it,
 * then with how it is made (`tenant`: the cost settings).
 */
export function MetricStats(props: { m: UnitMetricsOut; label: string; tenant: CostBasisSettings }) {
  const m = props.m;
  if (!m) return <p class="hint">Your role does not include org metrics.</p>;
  const items: [string, Child][] = [
    ['Headcount', num(m.headcount, 0)],
    ['Robots / agents', `${num(m.robots, 0)} / ${num(m.agents, 0)}`],
    ['FTE', num(m.fte)],
    ['Effective FTE', num(m.effective_fte)],
    ['Positions filled', `${num(m.positions.filled, 0)} of ${num(m.positions.budgeted, 0)}`],
    ['Vacancies', `${num(m.positions.vacant, 0)}${m.positions.vacancy_rate === null ? '' : ` (${pct(m.positions.vacancy_rate)})`}`],
    // Decimals as the delta and compare pages give them, so Live's average span reads the same on every page.
    ['Span (avg / median)', `${num(m.span.average, 2)} / ${num(m.span.median, 1)}`],
    ['Layers', num(m.layers, 0)],
    ['ICs per manager', num(m.manager_to_ic.ics_per_manager, 1)],
  ];
  if (m.cost) {
    items.push(['Annual cost', <CostFigure figure={m.cost.annual} />]);
    items.push(['Monthly cost', <CostFigure figure={m.cost.monthly} />]);
    items.push(['Cost per FTE', <CostFigure figure={m.cost.per_fte} />]);
    // Budgeted, not paid: the vacant seats at their target pay, apart from the cost of the people in seats above.
    items.push([VACANT_SEATS, <CostFigure figure={m.cost.vacant_seats_annual} />]);
  }
  return (
    <>
      <dl class="stats" aria-label={props.label}>
        {items.map(([dt, dd]) => (
          <div>
            <dt>{dt}</dt>
            <dd>{dd}</dd>
          </div>
        ))}
      </dl>
      {m.cost ? <CostBasis tenant={props.tenant} /> : null}
    </>
  );
}

function CostFigure(props: { figure: { amount_minor: number | null; currency: string; unconvertible?: string[] } }) {
  const { figure } = props;
  return (
    <>
      {money(figure.amount_minor, figure.currency)}
      {figure.unconvertible?.length ? (
        <span class="badge warn" title={`No exchange rate for ${figure.unconvertible.join(', ')}`}>
          excludes {figure.unconvertible.join(', ')}
        </span>
      ) : null}
    </>
  );
}

/**
 * Warnings about a unit and the units below it, as its figures count them: managers with narrow or wide spans (each
 * in their primary unit) and deep hierarchies. A span count links to the managers it counts — the Spans page for the
 * unit and below, in the same view — so the number clicked is the number of names listed.
 */
export function UnitWarnings(props: { unit: { id: string; name: string }; params: ViewParams; narrow: number; wide: number; layers: number }) {
  const { unit, params } = props;
  const spans = (span: 'narrow' | 'wide', n: number, limit: string) => (
    <a class="badge warn" href={link('/live/spans', params, { unit: unit.id, span })} title={`Managers in ${unit.name} and below with ${limit} direct reports`}>
      {count(n, `${span} span`, `${span} spans`)}
      <span class="visually-hidden"> in {unit.name} and below</span>
    </a>
  );
  return (
    <>
      {props.narrow > 0 ? spans('narrow', props.narrow, `${NARROW_SPAN} or fewer`) : null}
      {props.wide > 0 ? spans('wide', props.wide, `${WIDE_SPAN} or more`) : null}
      {props.layers >= DEEP_LAYERS ? (
        <span class="badge danger" title={`${DEEP_LAYERS} or more reporting layers`}>
          deep: {props.layers} layers
        </span>
      ) : null}
    </>
  );
}

/**
 * The figures of a tree node in one line, short enough that the unit's warnings stay on it at 1280 px: "3 vacancies
 * (€162.5k/yr) · €3.1m/yr" — the vacancies' budget beside their count, then the cost of the people in seats. The
 * budget's full name (the scenario pages' {@link VACANT_SEATS}: budgeted, so it never reads as pay) is what assistive
 * technology reads and the pointer's tooltip shows; the tree's legend says it too.
 */
function NodeFigures(props: { m: Metrics }) {
  const { m } = props;
  const parts: Child[] = [count(m.headcount, 'person', 'people')];
  if (m.robots) parts.push(count(m.robots, 'robot', 'robots'));
  if (m.agents) parts.push(count(m.agents, 'agent', 'agents'));
  parts.push(`${num(m.fte)} FTE`, `${num(m.effective_fte)} eff. FTE`);
  const vacancies = m.positions.vacant ? count(m.positions.vacant, 'vacancy', 'vacancies') : null;
  const vacant = m.cost?.vacant_seats_annual;
  if (vacant && (vacant.amount_minor || vacant.unconvertible?.length)) {
    const excludes = vacant.unconvertible?.length ? `, excludes ${vacant.unconvertible.join(', ')}` : '';
    const amount = moneyShort(vacant.amount_minor, vacant.currency);
    const full = `${VACANT_SEATS}: ${amount}${excludes}`;
    parts.push(
      <span class="vacant-budget" title={full}>
        {vacancies ? `${vacancies} ` : `${VACANT_SHORT} `}
        <span aria-hidden="true">
          ({amount}/yr{excludes})
        </span>
        <span class="visually-hidden">, {full}</span>
      </span>,
    );
  } else if (vacancies) parts.push(vacancies);
  if (m.cost) parts.push(`${moneyShort(m.cost.annual.amount_minor, m.cost.annual.currency)}/yr`);
  return (
    <span class="figures">
      {parts.map((part, i) => (
        <>
          {i ? ' · ' : ''}
          {part}
        </>
      ))}
    </span>
  );
}

/** A tree line's budget of vacant seats without a vacancy count to stand beside (left out of the count). */
const VACANT_SHORT = 'Vacant';

/**
 * The org unit tree. Each unit's line (its link, figures and warnings) stands on its own; a unit with children
 * follows it with a `<details>` whose `<summary>` is only the toggle — a native, keyboard-operable disclosure named
 * after the unit ("Engineering: 3 units below", expanded or collapsed) — so no link sits inside a button, where
 * screen readers could not reach it. `openDepth` levels start expanded.
 */
export function UnitTree(props: { roots: TreeNode[]; params: ViewParams; openDepth: number; label: string }) {
  if (props.roots.length === 0) {
    return <p class="empty">There are no org units on this day yet.</p>;
  }
  return (
    <ul class="tree" aria-label={props.label}>
      {props.roots.map((node) => (
        <TreeItem node={node} params={props.params} level={1} openDepth={props.openDepth} />
      ))}
    </ul>
  );
}

function TreeItem(props: { node: TreeNode; params: ViewParams; level: number; openDepth: number }): Child {
  const { node, params, level } = props;
  const line = (
    <span class="node">
      <a href={link(`/live/units/${node.id}`, params)}>{node.name}</a>
      <span class="badge">{node.type}</span>
      {node.active ? null : <span class="badge danger">closed</span>}
      {node.metrics ? <NodeFigures m={node.metrics} /> : null}
      {node.metrics ? (
        <UnitWarnings unit={node} params={params} narrow={node.metrics.span.narrow} wide={node.metrics.span.wide} layers={node.metrics.layers} />
      ) : null}
    </span>
  );
  const children = node.children ?? [];
  if (children.length === 0) {
    return (
      <li>
        <div class="leaf">
          {line}
          {node.child_count > 0 ? <span class="hint"> ({count(node.child_count, 'unit', 'units')} below)</span> : null}
        </div>
      </li>
    );
  }
  return (
    <li class="branch">
      <div class="line">{line}</div>
      <details open={level <= props.openDepth}>
        <summary>
          <span class="visually-hidden">
            {node.name}: {count(children.length, 'unit', 'units')} below
          </span>
        </summary>
        <ul>
          {children.map((child) => (
            <TreeItem node={child} params={params} level={level + 1} openDepth={props.openDepth} />
          ))}
        </ul>
      </details>
    </li>
  );
}

/** A secondary navigation (tabs) with `aria-current` on the page shown. */
export function SubNav(props: { label: string; items: [string, string][]; active: string; exact?: boolean }) {
  return (
    <nav aria-label={props.label} class="subnav">
      <ul>
        {props.items.map(([href, text]) => (
          <li>
            <a href={href} aria-current={(props.exact ? href : href.split('?')[0]) === props.active ? 'page' : undefined}>
              {text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Where a page sits in the structure: each unit of `units` (root first) a link, then the page itself. */
export function UnitTrail(props: { units: { id: string; name: string }[]; current: string; params: ViewParams }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        {props.units.map((u) => (
          <li>
            <a href={link(`/live/units/${u.id}`, props.params)}>{u.name}</a>
          </li>
        ))}
        <li aria-current="page">{props.current}</li>
      </ol>
    </nav>
  );
}

/** "As of" day picker: a GET form that keeps the view's scenario and any other fields given. */
export function AsOfForm(props: { action: string; params: ViewParams; keep?: Record<string, string | null | undefined>; id?: string }) {
  const id = props.id ?? 'as-of';
  return (
    <form method="get" action={props.action} class="inline asof">
      {props.params.scenarioId ? <input type="hidden" name="scenario" value={props.params.scenarioId} /> : null}
      {Object.entries(props.keep ?? {}).map(([name, value]) => (value ? <input type="hidden" name={name} value={value} /> : null))}
      <label for={id}>As of</label>
      <input id={id} type="date" name="as_of" value={props.params.asOf ?? ''} />
      <button type="submit" class="secondary">
        Show
      </button>
      {props.params.asOf ? <a href={link(props.action, { ...props.params, asOf: null }, props.keep)}>Today</a> : null}
    </form>
  );
}

/** Previous/next links of a cursor-paginated list. */
export function Pager(props: { next: string | null; first: string | null; label: string }) {
  if (!props.next && !props.first) return null;
  return (
    <nav aria-label={props.label} class="pager">
      {props.first ? <a href={props.first}>« First page</a> : null}
      {props.next ? (
        <a href={props.next} rel="next">
          Next page »
        </a>
      ) : null}
    </nav>
  );
}

/** A banner telling which scenario an organisation page is showing. */
export function ScenarioBanner(props: { scenario: { id: string; name: string; kind: string; state: string } }) {
  const { scenario } = props;
  return (
    <p class="context-banner" role="note">
      Showing {scenario.kind === 'snapshot' ? 'snapshot' : 'scenario'} <a href={`/scenarios/${scenario.id}`}>{scenario.name}</a>{' '}
      <span class="badge accent">{scenario.kind}</span> {scenario.state === 'archived' ? <span class="badge">archived</span> : null} ·{' '}
      <a href="/live">back to Live</a>
    </p>
  );
}

/**
 * What to do about an organisation with nothing in Live yet (a new tenant): where its people and units come from —
 * an import, or the HRIS sync — for those who may start either; who to ask for everyone else.
 */
export function StartHere(props: { principal: Principal }) {
  const importer = can(props.principal, 'imports.manage');
  const hris = can(props.principal, 'integrations.manage');
  if (!importer && !hris) return <p class="hint">An owner or admin brings the organisation in with an import; it shows here once they have.</p>;
  return (
    <p class="hint start-here">
      Bring your organisation in:{' '}
      {importer ? <a href="/imports">import a CSV file or an HR export</a> : null}
      {importer && hris ? ', or ' : null}
      {hris ? <a href="/settings/integrations/hris">connect your HRIS</a> : null}.
    </p>
  );
}
