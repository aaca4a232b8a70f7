import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { anyOfRoles, rolesWith } from '../../access/bundles.js';
import { can } from '../../access/policy.js';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { orgUnitTree } from '../../org/read-structure.js';
import { archiveScenario, getScenario, readScenario, submitScenario, unarchiveScenario, withdrawScenario } from '../../scenarios/lifecycle.js';
import { hasChangesToPromote } from '../../scenarios/chain.js';
import { promoteScenario, type ConflictResolution } from '../../scenarios/promotion.js';
import { listTasks } from '../../scenarios/tasks.js';
import { checkSessionCsrf } from '../forms.js';
import { ErrorNotice, Notice, Shell } from '../shell.js';
import { AsOfForm, SubNav } from '../live/components.js';
import { link } from '../live/context.js';
import { deltaClass, fieldLabel, quoted, signed, signedMoney, when } from '../live/format.js';
import { scenarioDelta } from '../../scenarios/delta.js';
import { counted } from '../../util/words.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { OrgTreeSection } from '../live/tree.js';
import { placementCheckCounts } from '../live/placement-checks.js';
import { ScenarioBadges } from './list.js';
import { fieldValue, scenarioNames, VACANT_SEATS, WITHOUT_PAY, type ValueNames } from './values.js';
import { TableScroll } from '../table-scroll.js';

/** One scenario: what it is, its changes, its tree, and the lifecycle actions (submit, archive, promote). */
export type ScenarioDetail = Awaited<ReturnType<typeof getScenario>>;

const NOTICES: Record<string, string> = {
  created: 'Scenario created. Stage changes in the change tray; Live stays as it is until you promote.',
  submitted: 'Submitted for review. Editing stays possible until the scenario is promoted.',
  withdrawn: 'Taken back from review. Submit it again when it is ready.',
  archived: 'Scenario archived. It no longer counts against the plan’s limit.',
  unarchived: 'Scenario active again.',
  edited: 'Name and description saved.',
};

/** The notice each lifecycle action comes back with. */
const NOTICE_OF = { submit: 'submitted', withdraw: 'withdrawn', archive: 'archived', unarchive: 'unarchived' } as const;

/** Title, badges and the scenario's tabs, shared by its pages. */
/** The last breadcrumb of a scenario's page other than its overview (the scenario's name before it links to the overview). */
const CRUMBS = { changes: 'Change tray', delta: 'Delta', task: 'Task', edit: 'Edit' } as const;

export function ScenarioHead(props: { scenario: ScenarioDetail; active: 'overview' | 'changes' | 'delta' | 'task' | 'edit'; canEdit?: boolean }) {
  const s = props.scenario;
  const base = `/scenarios/${s.id}`;
  const items: [string, string][] = [[base, 'Overview']];
  if (s.kind === 'planning' && props.canEdit !== false) items.push([`${base}/changes`, 'Change tray']);
  items.push([`${base}/delta`, 'Delta'], [link('/live/matrix', { scenarioId: s.id, asOf: null }), 'People']);
  const active = props.active === 'overview' ? base : props.active === 'task' || props.active === 'edit' ? '' : `${base}/${props.active}`;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href={s.kind === 'snapshot' ? '/snapshots' : '/scenarios'}>{s.kind === 'snapshot' ? 'Snapshots' : 'Scenarios'}</a>
          </li>
          {props.active === 'overview' ? (
            <li aria-current="page">{s.name}</li>
          ) : (
            <>
              <li>
                <a href={base}>{s.name}</a>
              </li>
              <li aria-current="page">{CRUMBS[props.active]}</li>
            </>
          )}
        </ol>
      </nav>
      <div class="page-head">
        <h1>
          {props.active === 'overview' ? '' : `${CRUMBS[props.active]}: `}
          {s.name}
        </h1>
        <p>
          <ScenarioBadges s={s} />
        </p>
      </div>
      <SubNav label="Scenario views" items={items} active={active} />
    </>
  );
}

export function overviewRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id', (c) => page(c, { notice: NOTICES[c.req.query('notice') ?? ''] }));

  const transitions = { submit: submitScenario, withdraw: withdrawScenario, archive: archiveScenario, unarchive: unarchiveScenario } as const;
  for (const [action, run] of Object.entries(transitions)) {
    web.post(`/scenarios/:id/${action}`, async (c) => {
      await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
      try {
        await run(serviceContext(c), c.req.param('id'));
      } catch (error) {
        const known = formError(error);
        if (!known) throw error;
        return page(c, { error: known }, formStatus(known));
      }
      return c.redirect(`/scenarios/${c.req.param('id')}?notice=${NOTICE_OF[action as keyof typeof transitions]}`, 303);
    });
  }

  web.post('/scenarios/:id/promote', async (c) => {
    const body = (await c.req.parseBody()) as Record<string, unknown>;
    await checkSessionCsrf(c, body.csrf);
    const resolutions = resolutionsOf(body);
    if (body.confirm !== 'yes') {
      return page(c, { confirmMissing: true, chosen: resolutions }, 400);
    }
    const ctx = serviceContext(c);
    let started;
    try {
      started = await promoteScenario(ctx, c.req.param('id'), resolutions);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      const conflicts = Array.isArray(known.details.conflicts) ? (known.details.conflicts as Conflict[]) : null;
      // A choice for a conflict that is gone since the page was loaded is dropped, not sent again and again.
      const stale = new Set(((known.details.unmatched_resolutions ?? []) as ConflictResolution[]).map(resolutionName));
      const chosen = resolutions.filter((r) => !stale.has(resolutionName(r)));
      const shown = stale.size && !conflicts ? conflictsChanged(stale.size) : known;
      // The box was ticked: a person who now resolves conflicts should not have to tick it again.
      return page(c, { error: shown, conflicts, chosen, confirmed: true }, formStatus(known));
    }
    started.done.catch((err) => c.var.logger.error({ err, task: started.task.id }, 'promotion task did not report back'));
    return c.redirect(`/scenarios/${c.req.param('id')}/tasks/${started.task.id}`, 303);
  });
  return web;
}

export interface Conflict {
  family: string;
  id: string;
  label?: string | null;
  field: string | null;
  base?: unknown;
  scenario?: unknown;
  source?: unknown;
  reason: string;
  /** The planning scenario this one was started from whose change it is (promoted with it). */
  in_scenario?: { id: string; name: string };
  /** `invalid_after_merge`: what the change would make invalid once merged with the source's changes since. */
  problem?: string;
  /** An amount (pay, target pay): the currency of its minor units, or `currencies` by side when a side changed it. */
  currency?: string;
  currencies?: Record<ConflictSide, string | null>;
}

type ConflictSide = 'base' | 'scenario' | 'source';

/**
 * One side of a field conflict as a person reads it: a name for a reference, an amount as money in the record's own
 * currency ("US$95,000", not 9500000 nor the reporting currency's sign), else the value.
 */
export function conflictValue(conflict: Conflict, side: ConflictSide, names: ValueNames | null, reportingCurrency: string): string {
  const currency = conflict.currencies?.[side] ?? conflict.currency ?? reportingCurrency;
  return fieldValue(conflict.field ?? '', conflict[side], names, currency);
}

/**
 * A conflict resolved by choosing a value (a field changed on both sides, or a record removed from the source) —
 * not a change that would leave Live invalid once merged (`invalid_after_merge`), resolved by changing the scenario.
 */
export const fieldConflict = (conflict: Conflict) => conflict.reason !== 'invalid_after_merge';

export const MERGE_PROBLEMS_NOTE =
  'Where a problem is listed, a change of this scenario would leave Live invalid once combined with a change made in the source since: change the scenario so it is gone (choosing a value does not resolve it).';

/** Whose change a conflict is, when not the scenario's own: " (a change of “Q3 base”)". */
export function conflictOwner(conflict: Conflict): string {
  return conflict.in_scenario ? ` (a change of ${quoted(conflict.in_scenario.name)}, which this scenario builds on)` : '';
}

const RESOLVE = 'resolve|';
const resolutionName = (c: { family: string; id: string; field: string | null }) => `${RESOLVE}${c.family}|${c.id}|${String(c.field)}`;

/** Conflict choices posted as `resolve|<family>|<id>|<field>` = scenario | live. */
/** Choices sent for conflicts gone since the page was loaded (Live changed again): said plainly, nothing promoted. */
function conflictsChanged(count: number): AppError {
  const choices = count === 1 ? 'A value you chose was for a conflict that is' : `${count} values you chose were for conflicts that are`;
  return new AppError(
    'invalid_input',
    400,
    `Live changed since this page was loaded: ${choices} no longer there, so nothing was promoted.`,
    'Check the scenario against Live now and promote again.',
  );
}

function resolutionsOf(body: Record<string, unknown>): ConflictResolution[] {
  const out: ConflictResolution[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (!name.startsWith(RESOLVE) || (value !== 'scenario' && value !== 'live')) continue;
    const [family, id, field] = name.slice(RESOLVE.length).split('|');
    if (family && id && field) out.push({ family, id, field, choice: value });
  }
  return out;
}

interface State {
  notice?: string;
  error?: AppError;
  conflicts?: Conflict[] | null;
  chosen?: ConflictResolution[];
  confirmMissing?: boolean;
  confirmed?: boolean;
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const { scenario, row, source } = await readScenario(ctx, c.req.param('id')!);
  const asOf = c.req.query('as_of')?.trim() || null;
  const tree = await orgUnitTree(ctx, { scenarioId: scenario.id, asOf });
  const checks = await placementCheckCounts(ctx, { scenarioId: scenario.id, asOf });
  const tasks = await listTasks(ctx, { scenarioId: scenario.id });
  const csrf = csrfOf(c);
  const writer = can(ctx.principal, 'scenarios.write');
  const promoter = can(ctx.principal, 'scenarios.promote');
  const counts = Object.entries(scenario.change_counts);
  // Changes nothing in Live yet: nothing to review or promote (one started from a scenario carries its source's changes;
  // the rule promotion itself applies).
  const carries = scenario.kind === 'planning' && (await hasChangesToPromote(ctx, row));
  const unchanged = scenario.editable && !carries;
  // The headline figures of the delta, so the overview answers "what does this do to cost and headcount?", against
  // what the delta service compares with by default (a branch with no change of its own: Live). An applied scenario:
  // what its promotion did to Live.
  const impact =
    scenario.kind !== 'snapshot' && (counts.length || carries) && can(ctx.principal, 'org-metrics.read')
      ? await scenarioDelta(ctx, { scenarioId: scenario.id, compare: scenario.kind === 'applied' ? 'promotion' : null })
      : null;
  // Known conflicts are offered in the promotion form from the start (the delta against the source finds the same ones
  // promotion does), so nobody has to be refused once to see the choices; after a refusal, the ones it named.
  const offered: Conflict[] | null = state.conflicts?.length
    ? state.conflicts
    : scenario.editable && promoter && !unchanged && impact?.compare === 'source' && impact.conflicts.length
      ? (impact.conflicts as unknown as Conflict[])
      : null;
  const names = offered ? await scenarioNames(ctx, scenario.id) : null;
  const base = `/scenarios/${scenario.id}`;
  // A source promoted since is part of Live: the scenario follows Live and builds on nothing more.
  const buildsOn = source?.kind === 'planning' ? source.name : null;
  const facts: [string, unknown][] = [
    ['Kind', scenario.kind],
    scenario.source
      ? [
          'Started from',
          scenario.source.kind === 'live' ? (
            'Live'
          ) : (
            <>
              <a href={`/scenarios/${scenario.source.scenario_id}`}>{scenario.source.name ?? 'a scenario'}</a>
              {scenario.kind === 'planning' && !buildsOn ? ' (promoted since: this scenario now follows Live)' : null}
            </>
          ),
        ]
      : ['Holds', 'Live as it was when this snapshot was taken'],
    ['Created', when(scenario.created_at)],
    ['Last changed', when(scenario.updated_at)],
  ];
  if (scenario.submitted_at) facts.push(['Submitted', when(scenario.submitted_at)]);
  if (scenario.promoted_at) facts.push(['Promoted', when(scenario.promoted_at)]);
  if (scenario.archived_at) facts.push(['Archived', when(scenario.archived_at)]);
  return c.html(
    <Shell c={c} title={scenario.name} active={scenario.kind === 'snapshot' ? '/snapshots' : '/scenarios'} wide>
      <ScenarioHead scenario={scenario} active="overview" canEdit={can(c.var.principal!, 'scenarios.write')} />
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error && !state.conflicts?.length ? (
        <ErrorNotice error={state.error} principal={c.var.principal} />
      ) : null}
      {impact?.conflicts.length && !state.conflicts?.length ? (
        <p class="warning" role="status">
          {counted(impact.conflicts.length, 'change', 'changes')} of this scenario {impact.conflicts.length === 1 ? 'meets' : 'meet'} a change made since in{' '}
          {impact.against.kind === 'scenario' ? quoted(impact.against.name) : 'Live'}. <a href={`${base}/delta#conflicts-title`}>Review the conflicts</a>;{' '}
          {offered ? (
            <>
              choose which value wins under <a href="#conflicts-title">Promote to Live</a>.
            </>
          ) : (
            'you choose which value wins when promoting.'
          )}
        </p>
      ) : null}
      {scenario.description ? <p>{scenario.description}</p> : null}
      <div class="columns">
        <section class="card" aria-labelledby="about-title">
          <h2 id="about-title">About</h2>
          <dl class="facts">
            {facts.map(([dt, dd]) => (
              <>
                <dt>{dt}</dt>
                <dd>{dd}</dd>
              </>
            ))}
          </dl>
        </section>
        <section class="card" aria-labelledby="counts-title">
          <h2 id="counts-title">Changed records</h2>
          {counts.length === 0 ? (
            <p class="empty">
              {scenario.kind !== 'planning'
                ? 'This is a read-only copy.'
                : carries
                  ? `No changes of its own yet: it carries the changes of ${quoted(source?.name ?? 'its source')}, which promoting it applies too.`
                  : 'No changes yet.'}{' '}
              {scenario.editable && writer ? <a href={`${base}/changes`}>Open the change tray</a> : null}
            </p>
          ) : (
            <TableScroll label="Changed records">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Record</th>
                    <th scope="col" class="num">Added</th>
                    <th scope="col" class="num">Changed</th>
                    <th scope="col" class="num">Removed</th>
                  </tr>
                </thead>
                <tbody>
                  {counts.map(([family, n]) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/delta#family-${family}`}>{fieldLabel(family)}</a>
                      </th>
                      <td class="num">{n.add ?? 0}</td>
                      <td class="num">{n.change ?? 0}</td>
                      <td class="num">{n.remove ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          {impact?.metrics.total ? (
            <Impact id="impact-title" total={impact.metrics.total} title={impact.against.kind === 'snapshot' ? 'What its promotion changed in Live' : `Change against ${impact.against.kind === 'scenario' ? quoted(impact.against.name) : 'Live'}`} currency={ctx.tenant.reportingCurrency} />
          ) : null}
          <p>
            <a href={`${base}/delta`}>Review the delta</a>
            {scenario.kind === 'snapshot' && can(ctx.principal, 'snapshots.restore') ? (
              <>
                {' · '}
                <a href={`/snapshots/${scenario.id}/restore`}>Restore this snapshot…</a>
              </>
            ) : null}
            {can(ctx.principal, 'activity.read') ? (
              <>
                {' · '}
                <a href={`/activity?scenario=${scenario.id}`}>Who changed what (activity)</a>
              </>
            ) : null}
          </p>
        </section>
      </div>
      {scenario.kind === 'planning' && writer ? (
        <section class="card" aria-labelledby="actions-title">
          <h2 id="actions-title">Actions</h2>
          <div class="actions">
            {scenario.editable ? (
              <a class="button" href={`${base}/changes`}>
                Change tray
              </a>
            ) : null}
            {scenario.editable ? (
              scenario.submitted ? (
                <LifecycleButton action={`${base}/withdraw`} csrf={csrf} label="Withdraw from review" />
              ) : unchanged ? null : (
                <LifecycleButton action={`${base}/submit`} csrf={csrf} label="Submit for review" />
              )
            ) : null}
            {scenario.state === 'active' ? (
              <LifecycleButton
                action={`${base}/archive`}
                csrf={csrf}
                label="Archive"
                confirm={
                  scenario.submitted
                    ? 'This scenario is submitted for review: archive it only if the review is over. Archive it? You can bring it back later.'
                    : 'Archive this scenario? You can bring it back later.'
                }
              />
            ) : (
              <LifecycleButton action={`${base}/unarchive`} csrf={csrf} label="Unarchive" />
            )}
            <a href={`${base}/edit`}>Rename or edit the description</a>
            {scenario.editable ? <a href={`/scenarios?source=${scenario.id}#create-title`}>Branch a new scenario from this one</a> : null}
          </div>
          {scenario.editable && !promoter && !unchanged ? (
            // Why there is no Promote to Live: said, not left to guess.
            <p class="hint">
              Promoting to Live is not part of your access (scenarios.promote): submit the scenario for review and ask{' '}
              {anyOfRoles(rolesWith('scenarios.promote', ctx.principal.bundles))} to promote it.
            </p>
          ) : null}
        </section>
      ) : null}
      {scenario.editable && promoter && unchanged ? (
        // Promoting a scenario that changes nothing would only snapshot Live and bump its version: not offered.
        <section class="card" aria-labelledby="promote-title">
          <h2 id="promote-title">Promote to Live</h2>
          <p class="empty">Nothing to promote yet: this scenario does not change Live. Stage changes in the change tray first.</p>
        </section>
      ) : scenario.editable && promoter ? (
        <PromoteForm
          scenario={scenario}
          csrf={csrf}
          conflicts={offered}
          refused={Boolean(state.conflicts?.length)}
          chosen={state.chosen ?? []}
          confirmMissing={state.confirmMissing ?? false}
          confirmed={state.confirmed ?? false}
          names={names}
          currency={ctx.tenant.reportingCurrency}
          buildsOn={buildsOn}
        />
      ) : null}
      {tasks.length ? (
        <section class="card" aria-labelledby="tasks-title">
          <h2 id="tasks-title">Background tasks</h2>
          <ul class="choices">
            {tasks.map((t) => (
              <li>
                <a href={`${base}/tasks/${t.id}`}>{t.kind === 'promotion' ? 'Promotion' : t.kind === 'restore' ? 'Restore' : t.kind}</a>{' '}
                <TaskStatus status={t.status} /> <span class="hint">started {when(t.created_at)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <div class="page-head">
        <h2>Organisation in this {scenario.kind === 'snapshot' ? 'snapshot' : 'scenario'}</h2>
        <AsOfForm action={base} params={{ scenarioId: null, asOf }} id="tree-as-of" />
      </div>
      <OrgTreeSection c={c} params={{ scenarioId: scenario.id, asOf }} tree={tree} path={base} checks={checks} />
    </Shell>,
    status,
  );
}

type ImpactPair = { from: number | null; to: number | null; delta: number | null; unconvertible?: string[] };

/** Headcount, FTE and cost changes (a delta's `metrics.total`) under a heading, each with its sign. */
export function Impact(props: { id: string; total: Record<string, unknown>; title: string; currency: string }) {
  const total = props.total as Record<string, ImpactPair>;
  const cost = (p: ImpactPair | undefined) => (!p ? null : p.delta === null && p.unconvertible?.length ? `unknown (no ${p.unconvertible.join(', ')} rate)` : signedMoney(p.delta, props.currency));
  // [label, shown, delta, metric key (its colour: a cost rise warns, a fall saves; other metrics move neutrally)]
  const rows: [string, string | null, number | null, string][] = [
    ['Headcount', signed(total.headcount?.delta, 0), total.headcount?.delta ?? null, 'headcount'],
    // Headcount counts people: a scenario adding an AI agent or a robot says so, or it reads "Headcount 0" and nothing more.
    ...(['robots', 'agents'] as const).map((key): [string, string | null, number | null, string] => {
      const delta = total[key]?.delta;
      return [key === 'robots' ? 'Robots' : 'Agents', delta ? signed(delta, 0) : null, delta ?? null, key];
    }),
    ['FTE', signed(total.fte?.delta, 2), total.fte?.delta ?? null, 'fte'],
    ['Vacant positions', signed(total.vacant_positions?.delta, 0), total.vacant_positions?.delta ?? null, 'vacant_positions'],
    ['Annual cost', cost(total.annual_cost_minor), total.annual_cost_minor?.delta ?? null, 'annual_cost_minor'],
    ['Monthly cost', cost(total.monthly_cost_minor), total.monthly_cost_minor?.delta ?? null, 'monthly_cost_minor'],
    // Budgeted, not paid: new vacant seats at their target pay, apart from the cost of the people in seats.
    [VACANT_SEATS, total.vacant_seats_annual_cost_minor?.delta ? cost(total.vacant_seats_annual_cost_minor) : null, total.vacant_seats_annual_cost_minor?.delta ?? null, 'vacant_seats_annual_cost_minor'],
    // A hire without pay adds no cost: say so rather than let "€0" read as free.
    [WITHOUT_PAY, total.without_compensation?.delta ? signed(total.without_compensation.delta, 0) : null, null, 'without_compensation'],
  ];
  const id = props.id;
  return (
    <>
      <h3 id={id}>{props.title}</h3>
      <dl class="facts" aria-labelledby={id}>
        {rows
          .filter(([, shown]) => shown !== null)
          .map(([label, shown, value, metric]) => (
            <>
              <dt>{label}</dt>
              <dd class={deltaClass(value, metric)}>{shown}</dd>
            </>
          ))}
      </dl>
    </>
  );
}

export function TaskStatus(props: { status: string }) {
  const cls = props.status === 'succeeded' ? 'badge ok' : props.status === 'failed' ? 'badge danger' : 'badge warn';
  return <span class={cls}>{props.status}</span>;
}

function PromoteForm(props: {
  scenario: ScenarioDetail;
  csrf: string;
  conflicts: Conflict[] | null;
  /** The conflicts are listed because promoting was just refused for them (said as an alert). */
  refused: boolean;
  chosen: ConflictResolution[];
  confirmMissing: boolean;
  confirmed: boolean;
  names: ValueNames | null;
  currency: string;
  /** The name of the planning scenario it builds on; null when it follows Live. */
  buildsOn: string | null;
}) {
  const { scenario, conflicts, buildsOn } = props;
  const sourceLabel = buildsOn !== null ? `${buildsOn} now` : 'Live now';
  const open = new Set((conflicts ?? []).map(resolutionName));
  const kept = props.chosen.filter((r) => !open.has(resolutionName(r)));
  return (
    <section class="card" aria-labelledby="promote-title">
      <h2 id="promote-title">Promote to Live</h2>
      <p>
        Promotion snapshots Live as it is, applies this scenario’s changes to Live, and locks the scenario as <em>applied</em>. It runs in
        the background; you can follow it.
      </p>
      {buildsOn !== null ? (
        <p class="warning">
          This scenario started from {quoted(buildsOn)}: promoting it also applies the changes it builds on from there.{' '}
          <a href={`/scenarios/${scenario.id}/delta?compare=live`}>See everything Live would get</a>.
        </p>
      ) : null}
      <form method="post" action={`/scenarios/${scenario.id}/promote`} class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        {kept.map((r) => (
          <input type="hidden" name={resolutionName(r)} value={r.choice} />
        ))}
        {conflicts?.length ? (
          <div class="conflicts" role="group" aria-labelledby="conflicts-title">
            <h3 id="conflicts-title">Resolve {conflicts.length === 1 ? 'a conflict' : `${conflicts.length} conflicts`}</h3>
            <p class="warning" role={props.refused ? 'alert' : undefined}>
              {conflicts.some(fieldConflict) ? 'These fields were changed both in this scenario and in its source since it was created. Choose, for each, which value Live should get.' : null}
              {conflicts.some((c) => !fieldConflict(c)) ? ` ${MERGE_PROBLEMS_NOTE}` : null}
            </p>
            {kept.length ? (
              <p class="hint">
                {kept.length === 1 ? 'The choice you already made for another field is kept.' : `The ${kept.length} choices you already made for other fields are kept.`}
              </p>
            ) : null}
            <TableScroll label="Conflicts to resolve">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Record</th>
                    <th scope="col">Field</th>
                    <th scope="col">When created</th>
                    <th scope="col">Scenario</th>
                    <th scope="col">{sourceLabel}</th>
                    <th scope="col">Keep</th>
                  </tr>
                </thead>
                <tbody>
                  {conflicts.map((conflict, i) => {
                    const name = resolutionName(conflict);
                    const previous = props.chosen.find((r) => resolutionName(r) === name)?.choice;
                    const show = (side: ConflictSide) => conflictValue(conflict, side, props.names, props.currency);
                    return (
                      <tr>
                        <td>
                          {fieldLabel(conflict.family)}: {conflict.label ?? `#${conflict.id.slice(0, 8)}`}
                          {conflictOwner(conflict)}
                        </td>
                        <td>{conflict.field ? fieldLabel(conflict.field) : 'whole record'}</td>
                        {conflict.reason === 'removed_in_source' ? (
                          <td colspan={3}>Removed from the source since; the scenario still changes it.</td>
                        ) : !fieldConflict(conflict) ? (
                          <td colspan={3}>{conflict.problem}</td>
                        ) : (
                          <>
                            <td>{show('base')}</td>
                            <td class="changed">{show('scenario')}</td>
                            <td>{show('source')}</td>
                          </>
                        )}
                        <td>
                          {!fieldConflict(conflict) ? (
                            <a href={`/scenarios/${scenario.id}/changes`}>Change the scenario</a>
                          ) : (
                            <div class="choice-pair" role="radiogroup" aria-label={`Value for ${conflict.field ? fieldLabel(conflict.field) : 'the record'} of ${conflict.label ?? conflict.family}`}>
                              <span>
                                <input type="radio" id={`c${i}-s`} name={name} value="scenario" required checked={previous === 'scenario' || undefined} />
                                <label for={`c${i}-s`}>scenario</label>
                              </span>
                              {conflict.reason === 'removed_in_source' ? null : (
                                <span>
                                  <input type="radio" id={`c${i}-l`} name={name} value="live" checked={previous === 'live' || undefined} />
                                  <label for={`c${i}-l`}>{buildsOn !== null ? 'source' : 'Live'}</label>
                                </span>
                              )}
                            </div>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          </div>
        ) : null}
        <div class="field check">
          <input type="checkbox" id="promote-confirm" name="confirm" value="yes" required checked={props.confirmed || undefined} aria-invalid={props.confirmMissing ? 'true' : undefined} aria-describedby={props.confirmMissing ? 'confirm-error' : undefined} />
          <label for="promote-confirm">I understand that Live will be replaced by this scenario (a snapshot of Live is kept).</label>
        </div>
        {props.confirmMissing ? (
          <p class="notice error" role="alert" id="confirm-error">
            Tick the box to confirm, then promote again.
          </p>
        ) : null}
        <div>
          <button type="submit">{conflicts?.length ? 'Resolve and promote' : 'Promote to Live'}</button>
        </div>
      </form>
    </section>
  );
}

/** One lifecycle action of the overview (submit, withdraw, archive, unarchive): a form with its button. */
function LifecycleButton(props: { action: string; csrf: string; label: string; confirm?: string }) {
  return (
    <form method="post" action={props.action} data-confirm={props.confirm}>
      <input type="hidden" name="csrf" value={props.csrf} />
      <button type="submit" class="secondary">
        {props.label}
      </button>
    </form>
  );
}
