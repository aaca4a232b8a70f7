import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { InvalidInput, type AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { scenarioDelta } from '../../scenarios/delta.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { ErrorNotice, Notice, Shell } from '../shell.js';
import { checkSessionCsrf } from '../forms.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { discardChanges, type DiscardTarget } from '../../scenarios/discard.js';
import { loadScenario } from '../../scenarios/store.js';
import { AsOfForm, SubNav } from '../live/components.js';
import { link } from '../live/context.js';
import { count, deltaClass, fieldLabel, money, num, quoted, signed } from '../live/format.js';
import { CostChange, CostSide, isMoneyMetric, metricsFor, type Pair } from './metric-pairs.js';
import { conflictOwner, conflictValue, fieldConflict, MERGE_PROBLEMS_NOTE, ScenarioHead, type Conflict } from './overview.js';
import { fieldValue, RecordFields, scenarioNames, VACANT_SEATS, type ValueNames } from './values.js';
import type { ServiceContext } from '../../context.js';
import { ENTITY_TYPES, FAMILY_OF_ENTITY } from '../../org/family-names.js';
import { recordsOf } from '../../org/types.js';
import { openView } from '../../org/view.js';
import { toMajor } from '../../org/cost.js';
import { safeFileName, toCsv, type CsvCell } from '../live/csv.js';
import { TableScroll } from '../table-scroll.js';
import { PLACEMENT_CHECKS } from '../../org/placement-checks.js';

/**
 * The delta of a scenario: only the records and fields that differ from its source (or from Live), grouped by
 * model family, with conflicts and metric deltas in total and per org unit. Money only when the service sent it.
 */
type Rec = Record<string, unknown>;
type FamilyDelta = { added: Rec[]; removed: Rec[]; changed: { id: string; label: string | null; fields: Record<string, { from: unknown; to: unknown }> }[] };
/** A cost pair with currencies that have no exchange rate carries them, and its delta is unknown (null). */
type Withheld = { part: string; needs: string[]; note: string };

const FAMILY_TITLES: Record<string, string> = {
  org_unit: 'Org units',
  department: 'Departments',
  team: 'Teams',
  actor: 'Actors',
  reporting_line: 'Reporting lines',
  placement: 'Placements',
  position: 'Positions',
  compensation: 'Compensation',
};


/**
 * The comparison a delta page or CSV asks for: what the address names (`live`, `source`), else an applied scenario's
 * promotion, else nothing — the delta service's default (a branch with no change of its own is compared with Live).
 * Any other value is bad input (400, naming the values allowed).
 */
function requestedCompare(asked: string | undefined, kind: string): 'live' | 'source' | 'promotion' | null {
  if (asked === 'live' || asked === 'source') return asked;
  // An address naming another comparison (a typo, an old link) is refused, not shown as the default under its name.
  if (asked) throw new InvalidInput('compare', `must be “live” or “source” (or left out for the default comparison), not ${quoted(asked)}`);
  return kind === 'applied' ? 'promotion' : null;
}

export function deltaRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id/delta.csv', async (c) => {
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    const scenario = await getScenario(ctx, id);
    const delta = await scenarioDelta(ctx, { scenarioId: id, compare: requestedCompare(c.req.query('compare'), scenario.kind), asOf: c.req.query('as_of')?.trim() || null });
    const names = await scenarioNames(ctx, id);
    const recordOf = await recordLookup(ctx, id);
    const body = toCsv(['part', 'family', 'record', 'field', 'from', 'to', 'change'], deltaRows(delta, names, recordOf, ctx.tenant.reportingCurrency, metricsFor(ctx.principal)));
    const name = safeFileName(`${ctx.tenant.slug}-delta-${scenario.name}-${delta.as_of}.csv`);
    return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'private, no-store' });
  });

  web.get('/scenarios/:id/delta', (c) => deltaPage(c, { notice: c.req.query('notice') === 'discarded' ? DISCARDED : undefined }));

  web.post('/scenarios/:id/discard', async (c) => {
    const body = await c.req.parseBody({ all: true });
    await checkSessionCsrf(c, body.csrf);
    const id = c.req.param('id');
    const records = [body.record ?? []].flat().filter((v): v is string => typeof v === 'string').map(discardTarget);
    try {
      await discardChanges(serviceContext(c), id, records);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      // Refused for what it would leave: offer to discard every record involved together.
      const also = Array.isArray(known.details.also) ? (known.details.also as { family: string; record_id: string; label: string | null }[]) : [];
      return deltaPage(c, { error: known, together: also.length ? [...records, ...also] : undefined }, formStatus(known));
    }
    return c.redirect(`/scenarios/${id}/delta?notice=discarded`, 303);
  });
  return web;
}

const DISCARDED = 'Change discarded: the record is as in the source again.';

/** A discard form's `record` value, `family:record_id`, as the service takes it. */
function discardTarget(value: string): DiscardTarget {
  const at = value.indexOf(':');
  return at < 0 ? { family: value, record_id: '' } : { family: value.slice(0, at), record_id: value.slice(at + 1) };
}

interface DeltaPageState {
  notice?: string;
  error?: AppError;
  /** After a refused discard: every record it involves, to discard together. */
  together?: (DiscardTarget & { label?: string | null })[];
}

async function deltaPage(c: Context<AppEnv>, state: DeltaPageState, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const id = c.req.param('id')!;
  const asOf = c.req.query('as_of')?.trim() || null;
  const scenario = await getScenario(ctx, id);
  // An applied scenario shows what its promotion changed, unless asked to compare with Live as it is now.
  const delta = await scenarioDelta(ctx, { scenarioId: id, compare: requestedCompare(c.req.query('compare'), scenario.kind), asOf });
  const compare = delta.compare;
  // What the address asked for, kept by the as-of form and the CSV (which otherwise take the same default).
  const askedCompare = c.req.query('compare');
  const asked = askedCompare === 'live' || askedCompare === 'source' ? askedCompare : null;
  const names = await scenarioNames(ctx, id);
  const currency = ctx.tenant.reportingCurrency;
  const recordOf = await recordLookup(ctx, id);
  const discard = scenario.editable && can(ctx.principal, 'scenarios.write') ? { action: `/scenarios/${id}/discard`, csrf: csrfOf(c), own: await ownChanges(ctx, id) } : null;
  const families = Object.entries(delta.families) as [string, FamilyDelta][];
  const conflicts = delta.conflicts as unknown as Conflict[];
  const total = delta.metrics.total as Record<string, Pair> | null;
  const byUnit = delta.metrics.by_org_unit as ({ org_unit_id: string; name: string | null } & Record<string, Pair>)[];
  const base = `/scenarios/${id}/delta`;
  // A removed record is still in what the scenario is compared with: Live, its source scenario or the snapshot of Live before.
  const againstView = { scenarioId: delta.against.kind === 'live' ? null : delta.against.scenario_id, asOf };
  const promotion = delta.against.kind === 'snapshot';
  const against = delta.against.kind === 'scenario' ? `scenario ${quoted(delta.against.name)}` : delta.against.kind === 'snapshot' ? `the Live it replaced (snapshot ${quoted(delta.against.name)})` : 'Live';
  // The two sides by name: "before/after" reads backwards for a snapshot, which is older than the Live it is compared with.
  const sides = promotion
    ? { from: 'Live before', to: 'Live after promotion' }
    : { from: delta.against.kind === 'scenario' ? quoted(delta.against.name) : 'Live', to: `This ${scenario.kind === 'snapshot' ? 'snapshot' : 'scenario'}` };
  const recordCount = families.reduce((n, [, f]) => n + f.added.length + f.removed.length + f.changed.length, 0);
  const unitMoney = can(ctx.principal, 'costs.read');
  const withheld = delta.withheld as Withheld[];
  const hiddenFamilies = withheld.filter((w) => FAMILY_TITLES[w.part] !== undefined && w.part !== 'compensation');
  // A source promoted since is part of Live: the scenario follows Live, and "compared with its source" is Live too.
  const source = scenario.kind === 'planning' && scenario.source?.kind === 'scenario' && scenario.source.scenario_id ? await getScenario(ctx, scenario.source.scenario_id).catch(() => null) : null;
  const followsLive = source !== null && source.kind !== 'planning';
  const sourceLink: [string, string] = [link(base, { scenarioId: null, asOf }, { compare: 'source' }), `Compared with ${quoted(scenario.source?.kind === 'scenario' ? scenario.source.name ?? 'its source' : 'Live')}`];
  const liveLink: [string, string] = [link(base, { scenarioId: null, asOf }, { compare: 'live' }), scenario.kind === 'applied' ? 'Compared with Live now' : 'Compared with Live'];
  const promotionLink: [string, string] = [link(base, { scenarioId: null, asOf }), 'What its promotion changed'];
  return c.html(
    <Shell c={c} title={`Delta · ${scenario.name}`} active={scenario.kind === 'snapshot' ? '/snapshots' : '/scenarios'} wide>
      <ScenarioHead scenario={scenario} active="delta" canEdit={can(c.var.principal!, 'scenarios.write')} />
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      {state.together && discard ? <DiscardTogether action={discard.action} csrf={discard.csrf} records={state.together} /> : null}
      <div class="page-head">
        {scenario.kind === 'planning' && scenario.source?.kind === 'scenario' && !followsLive ? (
          <SubNav
            label="Compare with"
            items={[sourceLink, liveLink]}
            active={compare === 'live' ? liveLink[0] : sourceLink[0]}
            exact
          />
        ) : scenario.kind === 'applied' ? (
          <SubNav label="Compare with" items={[promotionLink, liveLink]} active={compare === 'live' ? liveLink[0] : promotionLink[0]} exact />
        ) : (
          <p class="hint">
            {scenario.kind === 'planning'
              ? followsLive
                ? `Compared with Live as it is now: ${quoted(source!.name)}, which this scenario started from, has been promoted since, so it follows Live.`
                : 'Compared with Live as it is now.'
              : 'A snapshot is compared with Live as it is now: “added” and “removed” read as what restoring it would do to Live.'}
          </p>
        )}
        <AsOfForm action={base} params={{ scenarioId: null, asOf }} keep={{ compare: asked }} />
        <a class="button secondary" href={link(`${base}.csv`, { scenarioId: null, asOf }, asked ? { compare: asked } : {})} download>
          Download CSV
        </a>
      </div>
      <p class="hint">
        Against {against}, metrics on {delta.as_of}. {count(recordCount, 'record differs', 'records differ')}; everything else is unchanged
        and not shown.
      </p>
      {withheld.some((w) => w.part === 'money') && total ? (
        <p class="hint">Cost figures and pay are not shown: your access does not include costs (costs.read).</p>
      ) : null}
      {hiddenFamilies.length ? (
        <p class="hint">
          Not shown, as your access does not include them:{' '}
          {hiddenFamilies.map((w) => `${FAMILY_TITLES[w.part]!.toLowerCase()} (${w.needs.join(', ')})`).join('; ')}.
        </p>
      ) : null}
      <section class="card" aria-labelledby="metrics-title">
        <h2 id="metrics-title">Metric deltas</h2>
        {total ? <MetricTable pairs={total} metrics={metricsFor(ctx.principal)} currency={currency} sides={sides} /> : <p class="hint">Your role does not include org metrics.</p>}
        {total?.without_compensation?.to ? (
          <p class="hint">
            The cost figures leave out {count(total.without_compensation.to, 'actor', 'actors')} with no pay in effect in {sides.to.toLowerCase()}: their cost is
            unknown, not 0.
          </p>
        ) : null}
        {total && can(ctx.principal, 'placements.read') && PLACEMENT_CHECKS.some((check) => total[check]?.delta) ? (
          <p class="hint">
            The placement check rows count the actors failing each check across the whole organisation (so not by org unit below): a rise is more
            to fix, a fall less.
          </p>
        ) : null}
        {total?.vacant_seats_annual_cost_minor?.delta ? (
          <p class="hint">
            {VACANT_SEATS}: what the vacant positions would cost a year filled at their target pay (loaded, as a person’s pay is counted). It is a
            budget, not pay: the annual and monthly cost count only the people in seats.
          </p>
        ) : null}
      </section>
      {conflicts.length ? (
        <section class="card" aria-labelledby="conflicts-title">
          <h2 id="conflicts-title">Conflicts ({conflicts.length})</h2>
          <p class="warning">
            {conflicts.some(fieldConflict) ? 'Changed both here and in the source since this scenario was created. They are resolved when promoting.' : null}
            {conflicts.some((k) => !fieldConflict(k)) ? ` ${MERGE_PROBLEMS_NOTE}` : null}
          </p>
          <TableScroll label="Conflicts">
            <table>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Field</th>
                  <th scope="col">When created</th>
                  <th scope="col">Scenario</th>
                  <th scope="col">{delta.against.kind === 'scenario' ? `${quoted(delta.against.name)} now` : 'Live now'}</th>
                </tr>
              </thead>
              <tbody>
                {conflicts.map((k) => (
                  <tr>
                    <td>
                      {fieldLabel(k.family)}: {k.label ?? `#${k.id.slice(0, 8)}`}
                      {conflictOwner(k)}
                    </td>
                    <td>{k.field ? fieldLabel(k.field) : 'whole record'}</td>
                    {k.reason === 'removed_in_source' ? (
                      <td colspan={3}>Removed from the source since.</td>
                    ) : !fieldConflict(k) ? (
                      <td colspan={3}>{k.problem}</td>
                    ) : (
                      <>
                        <td>{conflictValue(k, 'base', names, currency)}</td>
                        <td class="changed">{conflictValue(k, 'scenario', names, currency)}</td>
                        <td>{conflictValue(k, 'source', names, currency)}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {scenario.editable ? (
            <p>
              <a href={`/scenarios/${id}#promote-title`}>Resolve them when promoting</a>
            </p>
          ) : null}
        </section>
      ) : null}
      <section class="card" aria-labelledby="records-title">
        <h2 id="records-title">Changed records</h2>
        {families.length === 0 ? (
          <p class="empty">
            No differences from {against}.{' '}
            {scenario.editable ? <a href={`/scenarios/${id}/changes`}>Stage changes in the change tray</a> : null}
          </p>
        ) : (
          <div class="delta-layout">
            <nav aria-label="Record families" class="delta-families">
              <ul>
                {families.map(([family, d]) => (
                  <li>
                    <a href={`#family-${family}`}>{FAMILY_TITLES[family] ?? fieldLabel(family)}</a>{' '}
                    <span class="badge">{d.added.length + d.removed.length + d.changed.length}</span>
                  </li>
                ))}
              </ul>
            </nav>
            <div>
              {families.map(([family, d]) => (
                <FamilySection family={family} delta={d} names={names} currency={currency} recordOf={recordOf} discard={discard} view={{ scenarioId: id, asOf }} againstView={againstView} />
              ))}
            </div>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="units-title">
        <h2 id="units-title">Metric deltas by org unit</h2>
        {byUnit.length ? (
          <p class="hint">
            Each figure reads {sides.from} → {sides.to.toLowerCase()} (change).
          </p>
        ) : null}
        {byUnit.length === 0 ? (
          <p class="empty">No org unit’s figures moved.</p>
        ) : (
          <TableScroll label="Metric deltas by org unit">
            <table>
              <thead>
                <tr>
                  <th scope="col">Org unit</th>
                  <th scope="col" class="num">Headcount</th>
                  <th scope="col" class="num">FTE</th>
                  <th scope="col" class="num">Effective FTE</th>
                  <th scope="col" class="num">Vacancies</th>
                  <th scope="col" class="num">Average span</th>
                  <th scope="col" class="num">Layers</th>
                  {unitMoney ? <th scope="col" class="num">Monthly cost</th> : null}
                  {unitMoney ? (
                    <th scope="col" class="num">
                      {VACANT_SEATS}
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {byUnit.map((u) => (
                  <tr>
                    <th scope="row">
                      <a href={link(`/live/units/${u.org_unit_id}`, { scenarioId: id, asOf })}>{u.name ?? `#${u.org_unit_id.slice(0, 8)}`}</a>
                    </th>
                    <PairCell metric="headcount" pair={u.headcount} digits={0} />
                    <PairCell metric="fte" pair={u.fte} digits={2} />
                    <PairCell metric="effective_fte" pair={u.effective_fte} digits={2} />
                    <PairCell metric="vacant_positions" pair={u.vacant_positions} digits={0} />
                    <PairCell metric="span_average" pair={u.span_average} digits={2} />
                    <PairCell metric="layers" pair={u.layers} digits={0} />
                    {unitMoney && u.monthly_cost_minor ? <PairCell metric="monthly_cost_minor" pair={u.monthly_cost_minor} digits={0} currency={currency} /> : unitMoney ? <td class="num">–</td> : null}
                    {unitMoney && u.vacant_seats_annual_cost_minor ? (
                      <PairCell metric="vacant_seats_annual_cost_minor" pair={u.vacant_seats_annual_cost_minor} digits={0} currency={currency} />
                    ) : unitMoney ? (
                      <td class="num">–</td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </Shell>,
    status,
  );
}

/**
 * The delta as rows for a spreadsheet: metric totals and per org unit (money in currency units, not minor units),
 * then each added, changed (one row per field) and removed record, named as on the page.
 */
function deltaRows(
  delta: Awaited<ReturnType<typeof scenarioDelta>>,
  names: ValueNames,
  recordOf: RecordOf,
  currency: string,
  metrics: [string, string, number][],
): CsvCell[][] {
  const rows: CsvCell[][] = [];
  const metric = (record: string, pairs: Record<string, unknown>) => {
    for (const [key, label] of metrics) {
      const p = pairs[key] as Pair | undefined;
      if (!p) continue;
      const v = (n: number | null) => (n === null ? null : key.endsWith('_minor') ? toMajor(n, currency) : n);
      rows.push(['metric', '', record, label, v(p.from), v(p.to), p.delta === null && p.unconvertible?.length ? `unknown (no ${p.unconvertible.join(', ')} rate)` : v(p.delta)]);
    }
  };
  if (delta.metrics.total) metric('Total', delta.metrics.total as Record<string, unknown>);
  for (const unit of delta.metrics.by_org_unit as ({ name: string | null; org_unit_id: string } & Record<string, unknown>)[]) metric(unit.name ?? unit.org_unit_id, unit);
  for (const [family, d] of Object.entries(delta.families) as [string, FamilyDelta][]) {
    const title = FAMILY_TITLES[family] ?? fieldLabel(family);
    for (const r of d.added) rows.push(['added', title, recordLabel(r), '', '', '', '']);
    for (const r of d.changed) {
      const record = recordOf(family, r.id);
      const own = typeof record?.currency === 'string' ? record.currency : currency;
      for (const [field, change] of Object.entries(r.fields)) {
        rows.push(['changed', title, recordLabel(r), fieldLabel(field), fieldValue(field, change.from, names, own), fieldValue(field, change.to, names, own), '']);
      }
    }
    for (const r of d.removed) rows.push(['removed', title, recordLabel(r), '', '', '', '']);
  }
  return rows;
}

function PairCell(props: { pair: Pair | undefined; digits: number; currency?: string; metric: string }) {
  const p = props.pair;
  if (!p) return <td class="num">–</td>;
  if (props.currency !== undefined) {
    const currency = props.currency;
    return (
      <td class="num">
        <CostSide amount={p.from} unconvertible={p.from_unconvertible} currency={currency} /> →{' '}
        <CostSide amount={p.to} unconvertible={p.to_unconvertible} currency={currency} />{' '}
        <span class={deltaClass(p.delta, props.metric)}>(<CostChange pair={p} currency={currency} />)</span>
      </td>
    );
  }
  return (
    <td class="num">
      {num(p.from, props.digits)} → {num(p.to, props.digits)} <span class={deltaClass(p.delta, props.metric)}>({signed(p.delta, props.digits)})</span>
    </td>
  );
}

function MetricTable(props: { pairs: Record<string, Pair>; metrics: [string, string, number][]; currency: string; sides: { from: string; to: string } }) {
  const rows = props.metrics.filter(([key]) => props.pairs[key]);
  return (
    <TableScroll label="Metric deltas">
      <table class="metric-deltas">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" class="num">Change</th>
            <th scope="col" class="num">{props.sides.from}</th>
            <th scope="col" class="num">{props.sides.to}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([key, label, digits]) => {
            const p = props.pairs[key]!;
            if (isMoneyMetric(key)) {
              return (
                <tr class={p.delta || p.unconvertible?.length ? 'moved' : undefined}>
                  <th scope="row">{label}</th>
                  <td class={`num ${deltaClass(p.delta, key) ?? ''}`}>
                    <CostChange pair={p} currency={props.currency} />
                  </td>
                  <td class="num">
                    <CostSide amount={p.from} unconvertible={p.from_unconvertible} currency={props.currency} />
                  </td>
                  <td class="num">
                    <CostSide amount={p.to} unconvertible={p.to_unconvertible} currency={props.currency} />
                  </td>
                </tr>
              );
            }
            return (
              <tr class={p.delta ? 'moved' : undefined}>
                <th scope="row">{label}</th>
                <td class={`num ${deltaClass(p.delta, key) ?? ''}`}>{signed(p.delta, digits)}</td>
                <td class="num">{num(p.from, digits)}</td>
                <td class="num">{num(p.to, digits)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** The service names every record (`labelOf` in scenarios/delta.ts); an id prefix only if it could not. */
function recordLabel(r: Rec): string {
  if (typeof r.label === 'string' && r.label) return r.label;
  const key = [r.id, r.org_unit_id, r.actor_id].find((v): v is string => typeof v === 'string') ?? '';
  return `#${key.slice(0, 8)}`;
}

type RecordOf = (family: string, id: string) => Rec | undefined;

/** A changed record as it is in the scenario (or in Live): its currency and, for pay, what it is when only its dates change. */
async function recordLookup(ctx: ServiceContext, scenarioId: string): Promise<RecordOf> {
  const graphs = [(await openView(ctx, { scenarioId })).graph, (await openView(ctx, {})).graph];
  return (family, id) => {
    const f = FAMILY_OF_ENTITY.get(family);
    return f ? (graphs.map((g) => recordsOf(g, f).get(id)).find(Boolean) as Rec | undefined) : undefined;
  };
}

/** "salary €120,000": a pay record whose amount did not change (the one a raise ends), so the reader sees what ends. */
function payContext(family: string, record: Rec | undefined, fields: Record<string, unknown>, currency: string): string | null {
  if (family !== 'compensation' || !record || 'amount_minor' in fields || typeof record.amountMinor !== 'number') return null;
  return `${record.kind === 'day_rate' ? 'day rate' : 'salary'} ${money(record.amountMinor, currency)}`;
}

/** Where a delta page's discard buttons post, and the records the scenario itself changed (`family:id`): only those can be discarded. */
type Discard = { action: string; csrf: string; own: ReadonlySet<string> } | null;

/** The scenario's own changes (not its source's), as `family:record_id`. */
async function ownChanges(ctx: ServiceContext, scenarioId: string): Promise<Set<string>> {
  const changes = await ctx.graphs.changes(await loadScenario(ctx.db, ctx.tenant.id, scenarioId));
  return new Set(changes.map((change) => `${ENTITY_TYPES[change.family]}:${change.recordId}`));
}

/** A record's "Discard this change" button, if the scenario itself changed it and the reader may edit it. */
function DiscardButton(props: { discard: Discard; family: string; id: string; label: string }) {
  const { discard } = props;
  if (!discard?.own.has(`${props.family}:${props.id}`)) return null;
  return (
    <form method="post" action={discard.action} class="discard">
      <input type="hidden" name="csrf" value={discard.csrf} />
      <input type="hidden" name="record" value={`${props.family}:${props.id}`} />
      <button type="submit" class="link" aria-label={`Discard this change (${props.label})`}>
        Discard this change
      </button>
    </form>
  );
}

/** After a refused discard: the records it involves, to discard in one go. */
function DiscardTogether(props: { action: string; csrf: string; records: (DiscardTarget & { label?: string | null })[] }) {
  return (
    <form method="post" action={props.action} class="card">
      <input type="hidden" name="csrf" value={props.csrf} />
      <p>These changes go together: discard them all at once?</p>
      <ul>
        {props.records.map((r) => (
          <li>
            <input type="hidden" name="record" value={`${r.family}:${r.record_id}`} />
            {fieldLabel(r.family)}: {r.label ?? `#${r.record_id.slice(0, 8)}`}
          </li>
        ))}
      </ul>
      <button type="submit">Discard these {props.records.length} changes</button>
    </form>
  );
}

/** A delta record's id: its own, or (a department's, a team's) its org unit's. */
function recordId(r: Rec): string {
  return [r.id, r.org_unit_id].find((v): v is string => typeof v === 'string') ?? '';
}

/** Which organisation a record's link opens: the scenario (or what it is compared with: Live is no scenario) on the page's day. */
type View = { scenarioId: string | null; asOf: string | null };

const UNIT_FAMILIES = new Set(['org_unit', 'department', 'team']);
/** Families whose record belongs to one actor (`actor_id`): the record is read on that actor's page. */
const ACTOR_OWNED_FAMILIES = new Set(['placement', 'compensation', 'reporting_line']);

/**
 * The page that shows a record in the scenario (a removed one: in what it is compared with): an org unit's page, an
 * actor's page, or for a placement, a pay record or a reporting line the page of the actor it belongs to. Null for a
 * family without a page (positions).
 */
function recordPage(family: string, r: Rec, record: Rec | undefined, view: View): string | null {
  const first = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '');
  if (UNIT_FAMILIES.has(family)) {
    const id = first(r.org_unit_id, r.id);
    return id ? link(`/live/units/${id}`, view) : null;
  }
  if (family === 'actor') return typeof r.id === 'string' ? link(`/live/actors/${r.id}`, view) : null;
  if (ACTOR_OWNED_FAMILIES.has(family)) {
    const actor = first(r.actor_id, record?.actorId, record?.actor_id);
    return actor ? link(`/live/actors/${actor}`, view) : null;
  }
  return null;
}

/** A delta record's name, linked to its page in the scenario where it has one. */
function RecordName(props: { href: string | null; label: string }) {
  return <strong>{props.href ? <a href={props.href}>{props.label}</a> : props.label}</strong>;
}

function FamilySection(props: { family: string; delta: FamilyDelta; names: ValueNames; currency: string; recordOf: RecordOf; discard: Discard; view: View; againstView: View }) {
  const { family, delta, names, view } = props;
  const title = FAMILY_TITLES[family] ?? fieldLabel(family);
  return (
    <section id={`family-${family}`} aria-labelledby={`family-${family}-title`} class="family">
      <h3 id={`family-${family}-title`}>
        {title}{' '}
        <span class="hint">
          {[delta.added.length ? `${delta.added.length} added` : '', delta.changed.length ? `${delta.changed.length} changed` : '', delta.removed.length ? `${delta.removed.length} removed` : '']
            .filter(Boolean)
            .join(', ')}
        </span>
      </h3>
      <ul class="delta-records">
        {delta.added.map((r) => (
          <li class="added">
            <span class="badge ok">added</span> <RecordName href={recordPage(family, r, undefined, view)} label={recordLabel(r)} />{' '}
            <DiscardButton discard={props.discard} family={family} id={recordId(r)} label={recordLabel(r)} />
            <RecordFields record={r} names={names} currency={props.currency} skip={['label', 'name', 'display_name', 'external_uid']} />
          </li>
        ))}
        {delta.changed.map((r) => {
          const record = props.recordOf(family, r.id);
          // Money in the record's own currency (a pay in USD is not in euros), else the tenant's.
          const currency = typeof record?.currency === 'string' ? record.currency : props.currency;
          const context = payContext(family, record, r.fields, currency);
          return (
            <li class="changed">
              <span class="badge warn">changed</span> <RecordName href={recordPage(family, r, record, view)} label={recordLabel(r)} />
              {context ? <span class="hint"> ({context})</span> : null}{' '}
              <DiscardButton discard={props.discard} family={family} id={r.id} label={recordLabel(r)} />
              <TableScroll label={`Changed fields of ${recordLabel(r)}`}>
                <table class="field-changes">
                  <caption class="visually-hidden">Changed fields of {recordLabel(r)}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">From</th>
                      <th scope="col">To</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(r.fields).map(([field, change]) => (
                      <tr>
                        <th scope="row">{fieldLabel(field)}</th>
                        <td>
                          <del>{fieldValue(field, change.from, names, typeof r.fields.currency?.from === 'string' ? r.fields.currency.from : currency)}</del>
                        </td>
                        <td>
                          <ins>{fieldValue(field, change.to, names, currency)}</ins>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </li>
          );
        })}
        {delta.removed.map((r) => (
          <li class="removed-record">
            <span class="badge danger">removed</span> <RecordName href={recordPage(family, r, undefined, props.againstView)} label={recordLabel(r)} />{' '}
            <DiscardButton discard={props.discard} family={family} id={recordId(r)} label={recordLabel(r)} />
          </li>
        ))}
      </ul>
    </section>
  );
}
