import { Hono } from 'hono';
import { and, desc, eq } from 'drizzle-orm';
import { serviceContext } from '../../access/middleware.js';
import { authorize, can } from '../../access/policy.js';
import type { ServiceContext } from '../../context.js';
import { auditEvents, users } from '../../db/schema/index.js';
import type { AppEnv } from '../../http/env.js';
import { PLAN_FEATURES } from '../../tenancy/plans.js';
import { Shell } from '../shell.js';
import { apiSettingsRoutes } from './api.js';
import { memberRoutes } from './members.js';
import { organisationSettingsRoutes } from './organisation.js';

/** Settings: the index, API and MCP, members, organisation settings, and the security audit log. */
export function settingsRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.route('/', apiSettingsRoutes());
  web.route('/', memberRoutes());
  web.route('/', organisationSettingsRoutes());
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
    const events = await securityEvents(ctx);
    return c.html(
      <Shell c={c} title="Security log" active="/settings" wide>
        <div class="page-head">
          <h1>Settings → Security log</h1>
          <a href="/settings">All settings</a>
        </div>
        {events.length === 0 ? (
          <p class="hint">Nothing recorded yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Event</th>
                  <th>Who</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr>
                    <td>{e.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
                    <td>
                      <code>{e.entityType}</code> {e.action}
                    </td>
                    <td>{e.email ?? (e.principalKind === 'system' ? 'system' : '—')}</td>
                    <td class="mono">{JSON.stringify({ ...e.metadata, ...(e.after ? { after: e.after } : {}) }).slice(0, 200)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Shell>,
    );
  });
  return web;
}

/** The tenant's security events, newest first (needs `activity.read`). */
async function securityEvents(ctx: ServiceContext) {
  authorize(ctx.principal, 'activity.read');
  return ctx.db
    .select({ at: auditEvents.at, entityType: auditEvents.entityType, action: auditEvents.action, principalKind: auditEvents.principalKind, metadata: auditEvents.metadata, after: auditEvents.after, email: users.email })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.userId))
    .where(and(eq(auditEvents.tenantId, ctx.tenant.id), eq(auditEvents.category, 'security')))
    .orderBy(desc(auditEvents.at))
    .limit(200);
}
