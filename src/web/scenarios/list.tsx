import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { PLAN_FEATURES, PLANS, type Plan } from '../../tenancy/plans.js';
import { upgradeAdvice } from '../ability-words.js';
import { createScenario, listScenarios, type presentScenario } from '../../scenarios/lifecycle.js';
import { SCENARIO_KINDS } from '../../scenarios/store.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { ErrorNotice, invalidIf, Shell } from '../shell.js';
import { Pager } from '../live/components.js';
import { day, scenarioChoices } from '../live/format.js';
import { everyPage } from '../every-page.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { comparePage, MAX_COMPARED } from './compare.js';
import { TableScroll } from '../table-scroll.js';
import { pageNumber, SortHeader, SortInputs, tableSorting, type TableSort } from '../live/matrix-sort.js';

/** Scenarios: the list with kind / state / submitted badges and filters, and the form that creates one. */
type ScenarioOut = ReturnType<typeof presentScenario>;

export function scenarioListRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios', (c) => page(c, { source: c.req.query('source') ?? '' }));
  web.get('/scenarios/compare', comparePage);
  web.post('/scenarios', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const draft = { name: formString(body, 'name'), description: formString(body, 'description'), source: formString(body, 'source') };
    try {
      const created = await createScenario(serviceContext(c), {
        name: draft.name,
        description: draft.description,
        sourceScenarioId: draft.source && draft.source !== 'live' ? draft.source : null,
      });
      return c.redirect(`/scenarios/${created.id}?notice=created`, 303);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      return page(c, { ...draft, error: known }, formStatus(known));
    }
  });
  return web;
}

export function ScenarioBadges(props: { s: Pick<ScenarioOut, 'kind' | 'state' | 'submitted'> }) {
  const { s } = props;
  return (
    <>
      <span class={s.kind === 'planning' ? 'badge accent' : s.kind === 'applied' ? 'badge ok' : 'badge'}>{s.kind}</span>{' '}
      {/* The state as the State filter reads it: an applied scenario was archived by its promotion. */}
      {s.kind === 'snapshot' ? <span class="badge">read-only</span> : s.state === 'archived' ? <span class="badge">archived</span> : <span class="badge ok">active</span>}{' '}
      {s.submitted && s.kind === 'planning' ? <span class="badge warn">submitted for review</span> : null}
    </>
  );
}

/** The list's own order is newest first (paged by the service's cursor); by name or last update it is sorted here. */
type ScenarioColumn = 'name' | 'created' | 'updated';
const SCENARIO_SORTING = tableSorting<ScenarioOut, ScenarioColumn>({
  name: { value: (s) => s.name, largestFirst: false, numeric: false },
  created: { value: (s) => s.created_at, largestFirst: true, numeric: false },
  updated: { value: (s) => s.updated_at, largestFirst: true, numeric: false },
});
const NEWEST_FIRST: TableSort<ScenarioColumn> = { column: 'created', dir: 'desc' };
const PAGE_SIZE = 50;

/** One page of the list: in its own order the service's page; in another every matching scenario sorted, `page` picking 50. */
async function listPage(c: Context<AppEnv>, filter: { kind: string | null; state: string | null }, sort: TableSort<ScenarioColumn>): Promise<{ items: ScenarioOut[]; next: Record<string, string> | null; later: boolean }> {
  const ctx = serviceContext(c);
  if (sort.column === NEWEST_FIRST.column && sort.dir === NEWEST_FIRST.dir) {
    const cursor = c.req.query('cursor') || null;
    const list = await listScenarios(ctx, { ...filter, cursor, limit: PAGE_SIZE });
    return { items: list.items, next: list.nextCursor ? { cursor: list.nextCursor } : null, later: Boolean(cursor) };
  }
  const page = pageNumber(c.req.query('page'));
  const { items: all } = await everyPage((p) => listScenarios(ctx, { ...filter, ...p }), (list) => list);
  const items = SCENARIO_SORTING.sort(all, sort).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return { items, next: page * PAGE_SIZE < all.length ? { page: String(page + 1) } : null, later: page > 1 };
}

interface State {
  name?: string;
  description?: string;
  source?: string;
  error?: AppError;
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const kind = c.req.query('kind') || null;
  const scenarioState = c.req.query('state') || null;
  const sort = SCENARIO_SORTING.parse(c.req.query('sort'), c.req.query('dir'), ['name', 'created', 'updated'], NEWEST_FIRST);
  const ordered = sort !== NEWEST_FIRST;
  const list = await listPage(c, { kind, state: scenarioState }, sort);
  const sources = await listScenarios(ctx, { kind: 'planning', state: 'active', limit: 500 });
  const choices = scenarioChoices(sources.items);
  const cap = PLAN_FEATURES[ctx.tenant.plan].activePlanningScenarios;
  const writer = can(ctx.principal, 'scenarios.write');
  // No room for another active planning scenario (none on the plan, or all in use): the form would only be refused,
  // so it gives way to what to do instead — unless a refused form is being shown back with what was typed.
  const full = sources.items.length >= cap;
  const offerForm = writer && (!full || Boolean(state.error));
  const filtered = Boolean(kind || scenarioState);
  const query = (extra: Record<string, string | null>) => {
    const q = new URLSearchParams();
    const order = ordered ? { sort: sort.column, dir: sort.dir } : {};
    for (const [k, v] of Object.entries({ kind, state: scenarioState, ...order, ...extra })) if (v) q.set(k, v);
    const text = q.toString();
    return text ? `/scenarios?${text}` : '/scenarios';
  };
  // A header sorts the filtered list from its first page; the list's own order needs no parameter.
  const sortLink = (s: TableSort<ScenarioColumn>) => query(s.column === NEWEST_FIRST.column && s.dir === NEWEST_FIRST.dir ? { sort: null, dir: null } : { sort: s.column, dir: s.dir });
  return c.html(
    <Shell c={c} title="Scenarios" active="/scenarios" wide>
      <div class="page-head">
        <h1>Scenarios</h1>
        <p class="hint">
          {cap === 0
            ? `Your ${ctx.tenant.plan} plan does not include planning scenarios.`
            : Number.isFinite(cap)
            ? `${sources.items.length} of the ${cap} active planning scenarios your ${ctx.tenant.plan} plan allows ${sources.items.length === 1 ? 'is' : 'are'} in use.${sources.items.length >= cap ? ' Archive or promote one to start another.' : ''}`
            : 'No limit on active planning scenarios.'}
        </p>
      </div>
      {state.error ? (
        <ErrorNotice error={state.error} principal={c.var.principal} />
      ) : null}
      {offerForm ? (
        <section class="card" aria-labelledby="create-title">
          <h2 id="create-title">New scenario</h2>
          <form method="post" action="/scenarios" class="grid roomy">
            <input type="hidden" name="csrf" value={csrfOf(c)} />
            <div class="field">
              <label for="s-name">Name</label>
              <input id="s-name" name="name" required maxlength={200} value={state.name ?? ''} placeholder="e.g. 2026-Q1 platform realignment" aria-invalid={invalidIf(state.error, 'name')} />
            </div>
            <div class="field">
              <label for="s-source">Start from</label>
              <select id="s-source" name="source">
                <option value="live">Live (today’s organisation)</option>
                {sources.items.map((s) => (
                  <option value={s.id} selected={state.source === s.id}>
                    Scenario: {choices.get(s.id)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field wide">
              <label for="s-description">Description (optional)</label>
              <textarea id="s-description" name="description" rows={2} maxlength={2000}>
                {state.description ?? ''}
              </textarea>
            </div>
            <div>
              <button type="submit">Create scenario</button>
            </div>
          </form>
        </section>
      ) : writer ? (
        <NoRoom plan={ctx.tenant.plan} cap={cap} advice={upgradeAdvice(ctx.principal)} />
      ) : (
        <p class="hint">Your role can look at scenarios but not create them.</p>
      )}
      <section class="card" aria-labelledby="list-title">
        <div class="page-head">
          <h2 id="list-title">All scenarios</h2>
          <form method="get" action="/scenarios" class="inline" role="search" aria-label="Filter scenarios">
            <span class="pair">
              <label for="f-kind">Kind</label>
              <select id="f-kind" name="kind">
                <option value="">All</option>
                {SCENARIO_KINDS.map((k) => (
                  <option value={k} selected={kind === k}>
                    {k}
                  </option>
                ))}
              </select>
            </span>
            <span class="pair">
              <label for="f-state">State</label>
              <select id="f-state" name="state">
                <option value="">All</option>
                <option value="active" selected={scenarioState === 'active'}>
                  active
                </option>
                <option value="archived" selected={scenarioState === 'archived'}>
                  archived
                </option>
              </select>
            </span>
            <SortInputs sort={ordered ? sort : null} />
            <button type="submit" class="secondary">
              Filter
            </button>
            {filtered ? <a href="/scenarios">Clear</a> : null}
          </form>
        </div>
        {list.items.length === 0 ? (
          <p class="empty">
            {filtered
              ? 'No scenario matches these filters.'
              : offerForm
              ? 'No scenarios yet. Create one above to model a change without touching Live.'
              : writer
              ? 'No scenarios yet.'
              : 'No scenarios yet. Those that members with a planning role create will be listed here.'}
          </p>
        ) : (
          <form method="get" action="/scenarios/compare" id="compare-form">
            <TableScroll label="Scenarios">
              <table>
                <thead>
                  <tr>
                    <th scope="col">
                      <span class="visually-hidden">Compare</span>
                    </th>
                    <SortHeader column="name" label="Name" sort={sort} href={sortLink} />
                    <th scope="col">Status</th>
                    <th scope="col">Started from</th>
                    <SortHeader column="created" label="Created" sort={sort} href={sortLink} first="desc" />
                    <SortHeader column="updated" label="Updated" sort={sort} href={sortLink} first="desc" />
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((s) => (
                    <tr>
                      <td>
                        <input type="checkbox" name="id" value={s.id} aria-label={`Compare ${s.name}`} />
                      </td>
                      <td>
                        <a href={`/scenarios/${s.id}`}>{s.name}</a>
                        {s.description ? <div class="hint">{s.description}</div> : null}
                      </td>
                      <td>
                        <ScenarioBadges s={s} />
                      </td>
                      <td>{s.source ? (s.source.kind === 'live' ? 'Live' : <a href={`/scenarios/${s.source.scenario_id}`}>{s.source.name ?? 'a scenario'}</a>) : '–'}</td>
                      <td class="date">{day(s.created_at)}</td>
                      <td class="date">{day(s.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <p class="actions">
              <button type="submit" class="secondary">
                Compare selected
              </button>
              <span class="hint">Tick two or more (up to {MAX_COMPARED}) to see their headcount, FTE{can(ctx.principal, 'costs.read') ? ' and cost' : ''} side by side.</span>
            </p>
          </form>
        )}
        <Pager label="Scenario pages" next={list.next ? query(list.next) : null} first={list.later ? query({}) : null} />
      </section>
    </Shell>,
    status,
  );
}

/** Plans that include planning scenarios, as a person reads them ("Team, Business, Enterprise and Agency"). */
function plansWithScenarios(): string {
  const names = PLANS.filter((p) => PLAN_FEATURES[p].activePlanningScenarios > 0).map((p) => p[0]!.toUpperCase() + p.slice(1));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
}

/** In place of the new-scenario form when the plan has no room for another active planning scenario. */
function NoRoom(props: { plan: Plan; cap: number; advice: string }) {
  return (
    <section class="card" aria-labelledby="create-title">
      <h2 id="create-title">New scenario</h2>
      {props.cap === 0 ? (
        <p>
          Planning scenarios are part of the {plansWithScenarios()} plans. Your organisation is on the <strong>{props.plan}</strong> plan; to model
          changes without touching Live, {props.advice}
        </p>
      ) : (
        <p>
          Every active planning scenario the <strong>{props.plan}</strong> plan allows is in use: this form comes back once one is archived or
          promoted. For more than {props.cap} at a time, {props.advice}
        </p>
      )}
      <p class="hint">
        Meanwhile you can review the organisation and take <a href="/snapshots">snapshots</a> of Live.
      </p>
    </section>
  );
}
