import { Hono } from 'hono';
import { TableScroll } from '../table-scroll.js';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import type { AppEnv } from '../../http/env.js';
import { PLAN_FEATURES } from '../../tenancy/plans.js';
import { fieldLabel, personLabel, when } from '../live/format.js';
import { pageErrorHandler } from '../live/page-errors.js';
import { Shell } from '../shell.js';
import { apiSettingsRoutes } from './api.js';
import { memberRoutes } from './members.js';
import { organisationSettingsRoutes } from './organisation.js';
import { listActivity } from '../../org/read-history.js';

/** Settings: the index, API and MCP, members, organisation settings, and the security audit log. */
export function settingsRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  // A refusal (a missing ability, an unknown member) is shown inside the signed-in frame, as on the other pages.
  web.onError(pageErrorHandler);
  for (const routes of [apiSettingsRoutes(), memberRoutes(), organisationSettingsRoutes()]) {
    routes.onError(pageErrorHandler);
    web.route('/', routes);
  }
  web.get('/settings', (c) => {
    const { principal, tenant } = serviceContext(c);
    const mcp = PLAN_FEATURES[tenant.plan].mcp;
    const hris = PLAN_FEATURES[tenant.plan].hrisSync;
    const items: [string, string, string, boolean][] = [
      ['/settings/api', mcp ? 'API and MCP' : 'API tokens', mcp ? 'Connect AI assistants, personal API tokens, connected apps' : 'Personal API tokens for the REST API and the CLI', true],
      ['/settings/members', 'Members', 'Invite people, change roles, archive members', can(principal, 'members.manage')],
      ['/settings/integrations/hris', 'Integrations', hris ? 'HRIS live sync with BambooHR: connection, webhook, sync now' : 'HRIS live sync (Business plans and up)', can(principal, 'integrations.manage') || (!hris && can(principal, 'settings.manage'))],
      ['/settings/organisation', 'Organisation', 'Currencies and exchange rates, cost settings, department and team types', true],
      ['/settings/audit', 'Security log', 'Sign-ins, tokens, connected apps, role and plan changes', can(principal, 'activity.read')],
      ['/account', 'Your account', 'Change your password', true],
    ];
    return c.html(
      <Shell c={c} title="Settings" active="/settings">
        <h1>Settings</h1>
        <p class="hint">
          {tenant.name} is on the <strong>{tenant.plan}</strong> plan.
        </p>
        <ul class="choices">
          {items
            .filter(([, , , shown]) => shown)
            .map(([href, label, hint]) => (
              <li>
                <a href={href}>{label}</a>
                <div class="hint">{hint}</div>
              </li>
            ))}
        </ul>
      </Shell>,
    );
  });
  web.get('/settings/audit', async (c) => {
    const ctx = serviceContext(c);
    const events = (await listActivity(ctx, { category: 'security', limit: LOG_LIMIT })).page.items;
    return c.html(
      <Shell c={c} title="Security log" active="/settings" wide>
        <div class="page-head">
          <h1>Settings → Security log</h1>
          <a href="/settings">All settings</a>
        </div>
        <p class="hint">
          The latest {LOG_LIMIT} security events, newest first. To filter them or open one, use{' '}
          <a href="/activity?category=security">Activity, security events</a>.
        </p>
        <section class="card" aria-labelledby="events-title">
          <h2 id="events-title">Security events</h2>
          {events.length === 0 ? (
            <p class="empty">Nothing recorded yet.</p>
          ) : (
            <TableScroll label="Security events">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Who</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr>
                      <td class="date">{when(e.at)}</td>
                      <td>
                        <span class="badge warn">{fieldLabel(e.entity_type)}</span> {e.action.replaceAll('_', ' ')}
                      </td>
                      <td>
                        {e.user ? (
                          <>
                            {e.user.name ?? e.user.email}
                            {e.user.name ? <div class="hint">{e.user.email}</div> : null}
                          </>
                        ) : e.principal_kind === 'system' ? (
                          'System'
                        ) : (
                          '–'
                        )}
                      </td>
                      <td>
                        <EventDetails
                          values={{
                            member: e.member ? personLabel(e.member) : null,
                            ...(e.metadata as Record<string, unknown> | null),
                            ...(e.after as Record<string, unknown> | null),
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      </Shell>,
    );
  });
  return web;
}

const LOG_LIMIT = 200;

/** An event's details as labelled values ("Email admin@… · IP 127.0.0.1"); record ids, which say nothing to a person, are left out. */
function EventDetails(props: { values: Record<string, unknown> }) {
  const shown = Object.entries(props.values).filter(([key, value]) => value !== null && value !== undefined && !(key.endsWith('_id') && typeof value === 'string'));
  if (!shown.length) return <>–</>;
  const text = (value: unknown) =>
    Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? when(value) : String(value);
  return (
    <dl class="fields">
      {shown.map(([key, value]) => (
        <>
          <dt>{key === 'ip' ? 'IP address' : fieldLabel(key)}</dt>
          <dd>{text(value).slice(0, 300)}</dd>
        </>
      ))}
    </dl>
  );
}

