import { Hono } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import type { ServiceContext } from '../../context.js';
import type { AppEnv } from '../../http/env.js';
import { listActivity } from '../../org/read-history.js';
import { listScenarios, scenarioNamesById } from '../../scenarios/lifecycle.js';
import { Shell } from '../shell.js';
import { Pager } from '../live/components.js';
import { namesOf, type Names } from '../live/context.js';
import { fieldLabel, personLabel, quoted, scenarioChoices, when } from '../live/format.js';
import { getActivityEvent } from './activity-event.js';
import { fieldValue, scenarioNames } from './values.js';
import { can } from '../../access/policy.js';
import { labelOf } from '../../scenarios/delta.js';
import type { OrgGraph } from '../../org/types.js';
import { openView } from '../../org/view.js';
import { TableScroll } from '../table-scroll.js';

type ActivityItem = Awaited<ReturnType<typeof listActivity>>['page']['items'][number];

/** Activity: the tenant's audit trail (model changes and security events), filterable, with each event's before/after. */
const ENTITY_TYPES = [
  'scenario',
  'snapshot',
  'org_unit',
  'department',
  'team',
  'actor',
  'reporting_line',
  'placement',
  'position',
  'compensation',
  'sign_in',
  'sign_out',
  'api_token',
  'oauth_app',
  'oauth_client',
  'oauth_token',
  'oauth_keys',
  'membership',
  'invitation',
  'plan',
];

type EventUser = { email: string; name: string | null } | null;

function who(user: EventUser, kind: string | null, client: string | null): string {
  const person = user ? user.name ?? user.email : kind === 'system' ? 'System' : '–';
  return client ? `${person} via ${client}` : person;
}

/** Where an event's record can be looked at, if anywhere. */
function recordHref(type: string, id: string | null, scenarioId: string | null): string | null {
  if (!id) return null;
  const q = scenarioId ? `?scenario=${scenarioId}` : '';
  if (type === 'scenario' || type === 'snapshot') return `/scenarios/${id}`;
  if (type === 'actor') return `/live/actors/${id}${q}`;
  if (type === 'org_unit' || type === 'department' || type === 'team') return `/live/units/${id}${q}`;
  if (type === 'import_run') return `/imports/${id}/progress`;
  const row = importRow(type, id);
  if (row) return `/imports/${row.runId}/review#row-${row.rowNumber}`;
  return null;
}

/** An import row's event names it `<run id>:<row number>` (imports/review.ts): its run and number, else null. */
function importRow(type: string, id: string | null): { runId: string; rowNumber: number } | null {
  const match = type === 'import_row' && id ? /^([0-9a-f-]{36}):(\d+)$/.exec(id) : null;
  return match ? { runId: match[1]!, rowNumber: Number(match[2]) } : null;
}

/** What an event's category means, as the filter names it ("model" and "security" are stored codes). */
const CATEGORY_LABELS: Record<string, string> = { model: 'Model change (Live or a scenario)', security: 'Security' };

/**
 * Which record an event is about, in words: a member by name and email, a scenario or snapshot by its name, any
 * other record as every delta names it (`labelOf`: "Zed New", "Zed New in Search (50 %)", "Pay of Ann Lee",
 * "Ann Lee reports to Bo Chen"), from the record its before/after hold and the graphs of Live (or the scenario).
 */
function recordName(
  e: { entity_type: string; entity_id: string | null; before: unknown; after: unknown; member: { email: string; name: string | null } | null },
  lookup: RecordNames,
): string | null {
  if (e.member) return personLabel(e.member);
  const row = importRow(e.entity_type, e.entity_id);
  if (row) return `Row ${row.rowNumber} of an import`;
  if (e.entity_type === 'import_run') {
    const file = [e.after, e.before].map((r) => (typeof r === 'object' && r !== null ? (r as Record<string, unknown>).file_name : null)).find((f) => typeof f === 'string');
    return typeof file === 'string' ? `Import of ${quoted(file)}` : 'An import';
  }
  if ((e.entity_type === 'scenario' || e.entity_type === 'snapshot') && e.entity_id && lookup.scenarios.get(e.entity_id)) return lookup.scenarios.get(e.entity_id)!;
  const record = [e.after, e.before].find((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
  if (!record) return null;
  // Events answer in snake_case (display_name, actor_id); labelOf reads records as the graph holds them (camelCase).
  const camel = Object.fromEntries(Object.entries(record).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
  return labelOf(camel, lookup.graphs, lookup.showActors);
}

interface RecordNames {
  graphs: OrgGraph[];
  showActors: boolean;
  scenarios: Map<string, string>;
}

/**
 * The graphs records are named from: the scenarios asked for, then Live; one that does not open (another tenant's id,
 * a typo, a role without the reads) names nothing.
 */
async function recordNames(ctx: ServiceContext, scenarioIds: (string | null)[], scenarios: Map<string, string>): Promise<RecordNames> {
  const graphs: OrgGraph[] = [];
  for (const request of [...scenarioIds.filter((id): id is string => !!id).map((scenarioId) => ({ scenarioId })), {}]) {
    try {
      graphs.push((await openView(ctx, request)).graph);
    } catch {
      // Names nothing from it.
    }
  }
  return { graphs, showActors: can(ctx.principal, 'actors.read'), scenarios };
}

/**
 * The record of each event of a page, in words: from Live (and the scenario filtered on); an event Live cannot name
 * — the placement of a person added in a scenario — is named from its own scenario, for every scenario the page shows
 * such an event of, however old (a page holds at most 50 events, so at most 50 scenarios are opened).
 */
async function eventNames(ctx: ServiceContext, events: ActivityItem[], filterScenarioId: string | null, scenarios: Map<string, string>): Promise<Map<string, string | null>> {
  const lookup = await recordNames(ctx, [filterScenarioId], scenarios);
  const names = new Map(events.map((e) => [e.id, recordName(e, lookup)]));
  const unnamed = (e: ActivityItem) => !names.get(e.id) && e.scenario_id && e.scenario_id !== filterScenarioId;
  for (const scenarioId of new Set(events.filter(unnamed).map((e) => e.scenario_id!))) {
    const inScenario = await recordNames(ctx, [scenarioId], scenarios);
    for (const e of events) if (unnamed(e) && e.scenario_id === scenarioId) names.set(e.id, recordName(e, inScenario));
  }
  return names;
}

/** The scenarios events name — the one each happened in, and the one a scenario or snapshot event is about. */
function scenariosNamedBy(events: { entity_type: string; entity_id: string | null; scenario_id: string | null }[]): (string | null)[] {
  return events.flatMap((e) => [e.scenario_id, e.entity_type === 'scenario' || e.entity_type === 'snapshot' ? e.entity_id : null]);
}

async function namesFor(ctx: ServiceContext, scenarioId: string | null): Promise<Names> {
  try {
    return await scenarioNames(ctx, scenarioId);
  } catch {
    return namesOf();
  }
}

export function activityRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/activity', async (c) => {
    const ctx = serviceContext(c);
    const q = (name: string) => c.req.query(name)?.trim() || null;
    const filter = { category: q('category'), entityType: q('entity'), scenarioId: q('scenario'), since: q('since'), until: q('until') };
    const cursor = q('cursor');
    const { page } = await listActivity(ctx, { ...filter, cursor, limit: 50 });
    const scenarios = await listScenarios(ctx, { limit: 500 });
    const choices = scenarioChoices(scenarios.items);
    // Named by one look-up of the scenarios this page shows, however old: the filter's list holds only the latest.
    const scenarioName = await scenarioNamesById(ctx, [...scenariosNamedBy(page.items), filter.scenarioId]);
    const names = await eventNames(ctx, page.items, filter.scenarioId, scenarioName);
    const query = (extra: Record<string, string | null>) => {
      const params = new URLSearchParams();
      const all = { category: filter.category, entity: filter.entityType, scenario: filter.scenarioId, since: filter.since, until: filter.until, ...extra };
      for (const [k, v] of Object.entries(all)) if (v) params.set(k, v);
      const text = params.toString();
      return text ? `/activity?${text}` : '/activity';
    };
    const filtered = Object.values(filter).some(Boolean);
    return c.html(
      <Shell c={c} title="Activity" active="/activity" wide>
        <div class="page-head">
          <h1>Activity</h1>
          <a href="/live/lineage">Lineage of Live</a>
        </div>
        <p class="hint">What changed, when and by whom: every change to scenarios and Live, and security events.</p>
        <section class="card" aria-labelledby="filters-title">
          <h2 id="filters-title" class="visually-hidden">
            Filters
          </h2>
          <form method="get" action="/activity" class="grid" role="search">
            <div class="field">
              <label for="a-category">Category</label>
              <select id="a-category" name="category">
                <option value="">All</option>
                <option value="model" selected={filter.category === 'model'}>
                  Model changes
                </option>
                <option value="security" selected={filter.category === 'security'}>
                  Security
                </option>
              </select>
            </div>
            <div class="field">
              <label for="a-entity">Record type</label>
              <select id="a-entity" name="entity">
                <option value="">All</option>
                {ENTITY_TYPES.map((t) => (
                  <option value={t} selected={filter.entityType === t}>
                    {fieldLabel(t)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="a-scenario">Scenario</label>
              <select id="a-scenario" name="scenario">
                <option value="">Any</option>
                {/* A scenario older than the list's latest, chosen by a link: offered too, so the filter shows it chosen. */}
                {filter.scenarioId && !choices.has(filter.scenarioId) && scenarioName.has(filter.scenarioId) ? (
                  <option value={filter.scenarioId} selected>
                    {scenarioName.get(filter.scenarioId)} (older)
                  </option>
                ) : null}
                {scenarios.items.map((s) => (
                  <option value={s.id} selected={filter.scenarioId === s.id}>
                    {choices.get(s.id)} ({s.kind}{s.state === 'archived' ? ', archived' : ''})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="a-since">From</label>
              <input id="a-since" type="date" name="since" value={filter.since ?? ''} />
            </div>
            <div class="field">
              <label for="a-until">To</label>
              <input id="a-until" type="date" name="until" value={filter.until ?? ''} />
            </div>
            <div class="actions">
              <button type="submit">Filter</button>
              {filtered ? <a href="/activity">Clear filters</a> : null}
            </div>
          </form>
        </section>
        <section class="card" aria-labelledby="events-title">
          <h2 id="events-title">Events</h2>
          {page.items.length === 0 ? (
            <p class="empty">{filtered ? 'No event matches these filters.' : 'Nothing has happened yet.'}</p>
          ) : (
            <TableScroll label="Events">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">What</th>
                    <th scope="col">Who</th>
                    <th scope="col">Scenario</th>
                    <th scope="col">
                      <span class="visually-hidden">Details</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((e) => {
                    const href = recordHref(e.entity_type, e.entity_id, e.scenario_id);
                    return (
                      <tr>
                        <td class="date">{when(e.at)}</td>
                        <td class="what">
                          <span class={e.category === 'security' ? 'badge warn' : 'badge'}>{fieldLabel(e.entity_type)}</span>{' '}
                          {names.get(e.id) ? <><strong>{names.get(e.id)}</strong> </> : null}
                          {e.action.replaceAll('_', ' ')}
                          {/* Where a sign-in happened, when not on this organisation's own address. */}
                          {(e.metadata as { host?: unknown } | null)?.host === 'central' ? <span class="hint"> on the central sign-in page</span> : null}
                          {href ? (
                            <>
                              {' '}
                              <a href={href}>open</a>
                            </>
                          ) : null}
                        </td>
                        <td>{who(e.user, e.principal_kind, e.client_name)}</td>
                        <td>{e.scenario_id ? <a href={`/scenarios/${e.scenario_id}`}>{scenarioName.get(e.scenario_id) ?? 'a scenario'}</a> : e.category === 'model' ? 'Live' : '–'}</td>
                        <td>
                          <a href={`/activity/${e.id}`} aria-label={`Details of ${fieldLabel(e.entity_type)} ${e.action} at ${when(e.at)}`}>
                            Details
                          </a>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          )}
          <Pager label="Activity pages" next={page.nextCursor ? query({ cursor: page.nextCursor }) : null} first={cursor ? query({}) : null} />
        </section>
      </Shell>,
    );
  });

  web.get('/activity/:id', async (c) => {
    const ctx = serviceContext(c);
    const e = await getActivityEvent(ctx, c.req.param('id'));
    const names = await namesFor(ctx, e.scenario_id);
    const scenarios = await scenarioNamesById(ctx, scenariosNamedBy([e]));
    const name = recordName({ ...e, member: null }, await recordNames(ctx, [e.scenario_id], scenarios));
    const before = (e.before ?? {}) as Record<string, unknown>;
    const after = (e.after ?? {}) as Record<string, unknown>;
    const objects = typeof e.before === 'object' && typeof e.after === 'object';
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const currencyOf = (r: Record<string, unknown>) => (typeof r.currency === 'string' ? r.currency : ctx.tenant.reportingCurrency);
    const metadata = Object.entries((e.metadata ?? {}) as Record<string, unknown>);
    const href = recordHref(e.entity_type, e.entity_id, e.scenario_id);
    return c.html(
      <Shell c={c} title="Activity event" active="/activity" wide>
        <nav aria-label="Breadcrumb" class="breadcrumb">
          <ol>
            <li>
              <a href="/activity">Activity</a>
            </li>
            <li aria-current="page">Event</li>
          </ol>
        </nav>
        <h1>
          {fieldLabel(e.entity_type)} {e.action}
        </h1>
        <section class="card" aria-labelledby="event-title">
          <h2 id="event-title">Event</h2>
          <dl class="facts">
            <dt>When</dt>
            <dd>{when(e.at)}</dd>
            <dt>Who</dt>
            <dd>
              {who(e.user, e.principal_kind, e.client_name)}
              {/* How they acted (session, api_token, oauth…); "system" beside a person (a sign-in) would only confuse. */}
              {e.principal_kind && !(e.user && e.principal_kind === 'system') ? <span class="hint"> ({e.principal_kind})</span> : null}
            </dd>
            <dt>Category</dt>
            <dd>{CATEGORY_LABELS[e.category] ?? e.category}</dd>
            <dt>Record</dt>
            <dd>
              {href ? <a href={href}>{name ?? e.entity_id}</a> : name ?? e.entity_id ?? '–'}
              {/* The id beside a name only where no link leads to the record (an import row's id is its run's and number). */}
              {name && e.entity_id && !href ? <span class="hint"> ({e.entity_id})</span> : null}
            </dd>
            <dt>Scenario</dt>
            <dd>{e.scenario_id ? <a href={`/scenarios/${e.scenario_id}`}>{scenarios.get(e.scenario_id) ?? 'open the scenario'}</a> : e.category === 'model' ? 'Live' : '–'}</dd>
            {e.request_id ? (
              <>
                <dt>Request</dt>
                <dd>
                  <code>{e.request_id}</code>
                </dd>
              </>
            ) : null}
          </dl>
        </section>
        <section class="card" aria-labelledby="changes-title">
          <h2 id="changes-title">Before and after</h2>
          {keys.length === 0 ? (
            <p class="empty">This event records no field values.</p>
          ) : objects ? (
            <TableScroll label="Before and after">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => {
                    const changed = JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null);
                    return (
                      <tr class={changed ? 'changed' : undefined}>
                        <th scope="row">
                          {fieldLabel(k)} {changed ? <span class="visually-hidden">(changed)</span> : null}
                        </th>
                        <td>{e.before === null ? '–' : fieldValue(k, before[k], names, currencyOf(before))}</td>
                        <td>{e.after === null ? '–' : fieldValue(k, after[k], names, currencyOf(after))}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableScroll>
          ) : (
            <pre class="mono">{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>
          )}
        </section>
        {metadata.length ? (
          <section class="card" aria-labelledby="meta-title">
            <h2 id="meta-title">Details</h2>
            <dl class="facts">
              {metadata.map(([k, v]) => (
                <>
                  <dt>{fieldLabel(k)}</dt>
                  <dd>
                    {k === 'host' && v === 'central' ? (
                      'the central sign-in page'
                    ) : k === 'import_run_id' && typeof v === 'string' ? (
                      <a href={`/imports/${v}/progress`}>open the import</a>
                    ) : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (
                      v.join(', ')
                    ) : typeof v === 'object' ? (
                      JSON.stringify(v)
                    ) : (
                      String(v)
                    )}
                  </dd>
                </>
              ))}
            </dl>
          </section>
        ) : null}
      </Shell>,
    );
  });
  return web;
}
