import { Hono, type Context } from 'hono';
import { TableScroll } from '../table-scroll.js';
import { CopyButton } from '../copy-button.js';
import { ABILITIES, type Ability } from '../../access/abilities.js';
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenView } from '../../access/api-tokens.js';
import { connectedApps, disconnectApp } from '../../access/connected-apps.js';
import { holdSecret, takeSecret } from '../../access/secret-reveals.js';
import { MCP_SCOPE } from '../../oauth/scopes.js';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { PLAN_FEATURES } from '../../tenancy/plans.js';
import { setToolNameStyle } from '../../tenancy/settings.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { day, quoted, when } from '../live/format.js';
import { counted } from '../../util/words.js';
import { Notice, Shell } from '../shell.js';
import { formCsrf } from '../../access/sessions.js';

/**
 * Settings → API and MCP (plans with MCP) / Settings → API tokens (others): the MCP URL and OAuth endpoints with
 * short guides, personal API tokens (secret shown once), connected apps and the tool-name setting.
 */
const NOTICES: Record<string, string> = {
  revoked: 'The token was revoked. Requests with it are refused from now on.',
  disconnected: 'The app was disconnected: its access and refresh tokens no longer work.',
  names: 'Saved. MCP clients see the new tool names the next time they list tools.',
};

const SHOWN_ONCE = 'The new token’s secret was shown once and is not shown again. If you did not copy it, revoke the token and create another.';

export function apiSettingsRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/settings/api', async (c) => {
    // After creating a token (POST → 303 here): its secret, once. A reload finds it gone and creates nothing.
    const reveal = c.req.query('reveal');
    if (reveal !== undefined) {
      const held = await takeSecret(c.var.runtime.database.db, c.var.session!.id, reveal);
      if (held) return page(c, { secret: held.secret, createdName: held.label });
      return page(c, { notice: SHOWN_ONCE });
    }
    return page(c, { notice: NOTICES[c.req.query('notice') ?? ''] });
  });

  web.post('/settings/api/tokens', async (c) => {
    const body = await c.req.parseBody({ all: true });
    await checkSessionCsrf(c, body.csrf);
    const abilities = ([] as unknown[]).concat(body.abilities ?? []).filter((a): a is string => typeof a === 'string');
    const draft: TokenDraft = { name: formString(body as Record<string, unknown>, 'name'), abilities, expiry: formString(body as Record<string, unknown>, 'expires_in_days') };
    // Only the offered choices: an altered value must not silently become "never expires" (or a server error).
    if (!EXPIRY_CHOICES.some(([value]) => value === draft.expiry)) return page(c, { error: 'Choose when the token expires.', draft }, 400);
    const days = Number(draft.expiry);
    try {
      const created = await createApiToken(serviceContext(c), {
        name: draft.name,
        abilities,
        expiresAt: days > 0 ? new Date(Date.now() + days * 86_400_000) : null,
      });
      // POST/redirect/GET: the secret waits, sealed, for this session's next view of the page, so reloading that page
      // neither resubmits the form (a second token) nor shows the secret again.
      const reveal = await holdSecret(c.var.runtime.database.db, c.var.session!.id, created.token.name, created.secret);
      return c.redirect(`/settings/api?reveal=${reveal}`, 303);
    } catch (error) {
      if (error instanceof AppError && error.status === 400) return page(c, { error: error.message, draft }, 400);
      throw error;
    }
  });

  web.post('/settings/api/tokens/:id/revoke', async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    await revokeApiToken(serviceContext(c), c.req.param('id'));
    c.var.runtime.authenticator.forget();
    return c.redirect('/settings/api?notice=revoked', 303);
  });

  web.post('/settings/api/apps/revoke', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    await disconnectApp(serviceContext(c), { userId: formString(body, 'user_id'), clientId: formString(body, 'client_id') });
    c.var.runtime.authenticator.forget();
    return c.redirect('/settings/api?notice=disconnected', 303);
  });

  web.post('/settings/api/tool-names', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    await setToolNameStyle(serviceContext(c), formString(body, 'style'));
    c.var.runtime.tenants.forget();
    return c.redirect('/settings/api?notice=names', 303);
  });
  return web;
}

interface PageState {
  notice?: string;
  error?: string;
  secret?: string;
  createdName?: string;
  /** What a refused creation asked for, shown again so nothing has to be re-entered. */
  draft?: TokenDraft;
}

interface TokenDraft {
  name: string;
  abilities: string[];
  expiry: string;
}

/** The lifetimes offered for a new token: form value (days; 0 = never) and label. */
const EXPIRY_CHOICES = [
  ['30', 'in 30 days'],
  ['90', 'in 90 days'],
  ['365', 'in a year'],
  ['0', 'never'],
] as const;

async function page(c: Context<AppEnv>, state: PageState, status: 200 | 400 = 200) {
  const ctx = serviceContext(c);
  const mcp = PLAN_FEATURES[ctx.tenant.plan].mcp;
  const admin = can(ctx.principal, 'members.manage');
  const tokens = await listApiTokens(ctx, { all: admin });
  const apps = mcp ? await connectedApps(ctx, { all: admin }) : [];
  const csrf = formCsrf(c.var.session!);
  const title = mcp ? 'API and MCP' : 'API tokens';
  return c.html(
    <Shell c={c} title={title} active="/settings">
      <div class="page-head">
        <h1>Settings → {title}</h1>
        <a href="/settings">All settings</a>
      </div>
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <Notice kind="error">{state.error}</Notice> : null}
      {state.secret ? <NewSecret name={state.createdName!} secret={state.secret} origin={c.var.origin} slug={ctx.tenant.slug} mcp={mcp} /> : null}
      {mcp ? <McpSection origin={c.var.origin} slug={ctx.tenant.slug} /> : <UpgradeSection plan={ctx.tenant.plan} owner={can(ctx.principal, 'billing.manage')} />}
      <CreateToken abilities={[...ctx.principal.roleAbilities].sort()} csrf={csrf} mcp={mcp} draft={state.draft} />
      <TokenTable tokens={tokens} csrf={csrf} showOwner={admin} me={ctx.principal.userId} myRole={ctx.principal.roleAbilities} mcp={mcp} />
      {mcp ? <AppsTable apps={apps} csrf={csrf} showOwner={admin} /> : null}
      {mcp && can(ctx.principal, 'settings.manage') ? <ToolNames csrf={csrf} current={ctx.tenant.settings.mcpToolNames ?? 'underscore'} /> : null}
    </Shell>,
    status,
    // It may show a secret once (a new token, an invitation or reset link): never kept by a cache or in history.
    { 'cache-control': 'no-store' },
  );
}

function NewSecret(props: { name: string; secret: string; origin: string; slug: string; mcp: boolean }) {
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Token {quoted(props.name)} created</h2>
      <p class="warning">Copy it now: this is the only time it is shown. Only a hash is kept.</p>
      <div class="secret">
        <label for="new-secret" class="visually-hidden">
          New token
        </label>
        <input id="new-secret" readonly value={props.secret} />
        <CopyButton target="new-secret" what="the token" />
      </div>
      {/* How to use it right away: the first call a person makes, and the MCP fallback's two headers. */}
      <p class="hint">
        Try it: <code>{`curl -H "Authorization: Bearer <token>" ${props.origin}/api/v1/me`}</code>
        {props.mcp ? (
          <>
            {' '}
            · for an MCP client without OAuth, send it as <code>Authorization: Bearer &lt;token&gt;</code> with{' '}
            <code>{`X-Tenant: ${props.slug}`}</code> to <code>{`${props.origin}/mcp/orgonaut`}</code>
          </>
        ) : null}
      </p>
    </section>
  );
}

function CopyRow(props: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <div class="secret">
        <input id={props.id} readonly value={props.value} />
        <CopyButton target={props.id} what={props.label} secondary />
      </div>
    </div>
  );
}

function McpSection(props: { origin: string; slug: string }) {
  const mcpUrl = `${props.origin}/mcp/orgonaut`;
  return (
    <section class="card" aria-labelledby="mcp-title">
      <h2 id="mcp-title">Connect an AI assistant (MCP)</h2>
      <p>Give your assistant this address. It signs you in with OAuth and asks for your approval; nothing else is needed.</p>
      <CopyRow id="mcp-url" label="MCP server URL" value={mcpUrl} />
      <details>
        <summary>OAuth endpoints (for manual setups)</summary>
        <CopyRow id="prm" label="Protected resource metadata" value={`${props.origin}/.well-known/oauth-protected-resource/mcp/orgonaut`} />
        <CopyRow id="asm" label="Authorization server metadata" value={`${props.origin}/.well-known/oauth-authorization-server/mcp/orgonaut`} />
        <CopyRow id="reg" label="Registration" value={`${props.origin}/oauth/register`} />
        <CopyRow id="authz" label="Authorization" value={`${props.origin}/oauth/authorize`} />
        <CopyRow id="token" label="Token" value={`${props.origin}/oauth/token`} />
      </details>
      <h3>Guides</h3>
      <ul>
        <li>
          <strong>ChatGPT</strong>: Settings → Apps &amp; Connectors → Create → paste the URL, authentication OAuth, then sign in and
          choose Allow.
        </li>
        <li>
          <strong>Claude</strong> (claude.ai, Desktop): Settings → Connectors → Add custom connector → paste the URL → Connect.
        </li>
        <li>
          <strong>Cursor</strong>: Settings → MCP → Add new server → type “streamable HTTP”, URL as above; Cursor opens the sign-in
          page.
        </li>
        <li>
          <strong>Claude Code</strong>: <code>{`claude mcp add --transport http orgonaut ${mcpUrl}`}</code>, then <code>/mcp</code> to
          sign in.
        </li>
        <li>
          <strong>Without OAuth</strong>: create a token below with <code>mcp.access</code> and the read abilities you need, and send{' '}
          <code>Authorization: Bearer &lt;token&gt;</code> and <code>{`X-Tenant: ${props.slug}`}</code>.
        </li>
      </ul>
    </section>
  );
}

function UpgradeSection(props: { plan: string; owner: boolean }) {
  return (
    <section class="card" aria-labelledby="upgrade-title">
      <h2 id="upgrade-title">AI assistants (MCP)</h2>
      <p>
        Connecting ChatGPT, Claude, Cursor and other assistants through Orgonaut's MCP server is part of the Business, Enterprise and
        Agency plans. Your organisation is on the <strong>{props.plan}</strong> plan;{' '}
        {/* Plans are set by the operators of this Orgonaut (SPEC §2): the owner is the one who asks them. */}
        {props.owner ? 'as its owner, ask your Orgonaut provider to upgrade it.' : 'ask its owner to upgrade.'} Personal API tokens for the
        REST API and the CLI work on every plan.
      </p>
    </section>
  );
}

function CreateToken(props: { abilities: Ability[]; csrf: string; mcp: boolean; draft?: TokenDraft }) {
  const defaults = new Set<string>(['org-units.read', 'teams.read', 'actors.read', 'placements.read', 'positions.read', 'org-metrics.read', 'scenarios.read']);
  if (props.mcp) defaults.add('mcp.access');
  const checked = props.draft ? new Set(props.draft.abilities) : defaults;
  return (
    <section class="card" aria-labelledby="create-title">
      <h2 id="create-title">Create a personal API token</h2>
      <form method="post" action="/settings/api/tokens" class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label for="token-name">Name</label>
        <input id="token-name" name="name" required maxlength={100} placeholder="e.g. Weekly headcount report" value={props.draft?.name} />
        <fieldset>
          <legend>Abilities (a token can only have what your role has)</legend>
          <div class="checks">
            {props.abilities.map((a) => (
              <label>
                <input type="checkbox" name="abilities" value={a} checked={checked.has(a)} />
                <span>
                  <code>{a}</code> <span class="hint">{ABILITIES[a]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <label for="token-expiry">Expires</label>
        <select id="token-expiry" name="expires_in_days">
          {EXPIRY_CHOICES.map(([value, label]) => (
            <option value={value} selected={props.draft?.expiry === value}>
              {label}
            </option>
          ))}
        </select>
        <div>
          <button type="submit">Create token</button>
        </div>
      </form>
    </section>
  );
}

function TokenTable(props: { tokens: ApiTokenView[]; csrf: string; showOwner: boolean; me: string | null; myRole: ReadonlySet<Ability>; mcp: boolean }) {
  // A token keeps the abilities chosen at creation, but uses only those the role still has (role ∩ token): after a
  // role change, say which of your own tokens' abilities no longer work instead of letting calls fail unexplained.
  const lapsed = (t: ApiTokenView) => (t.user_id === props.me ? t.abilities.filter((a) => !props.myRole.has(a as Ability)) : []);
  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{props.showOwner ? 'API tokens of this organisation' : 'Your API tokens'}</h2>
      {props.tokens.length === 0 ? (
        <p class="hint">No tokens yet: create one above for a script, the REST API{props.mcp ? ' or an MCP client without OAuth' : ''}.</p>
      ) : (
        <TableScroll label="API tokens">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                {props.showOwner ? <th>Member</th> : null}
                <th>Token</th>
                <th>Abilities</th>
                <th>Last used</th>
                <th>Expires</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  {props.showOwner ? <td>{t.user_email}</td> : null}
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>
                    <details>
                      <summary>{counted(t.abilities.length, 'ability', 'abilities')}</summary>
                      <code>{t.abilities.join(', ')}</code>
                    </details>
                    {lapsed(t).length ? (
                      <div class="hint">
                        Not in your role any more, so not usable: <code>{lapsed(t).join(', ')}</code>
                      </div>
                    ) : null}
                  </td>
                  <td>{t.last_used_at ? when(t.last_used_at) : 'never'}</td>
                  <td>
                    {t.revoked_at ? (
                      <span class="badge danger">revoked</span>
                    ) : isExpired(t) ? (
                      <span class="badge warn" title={when(t.expires_at)}>
                        expired
                      </span>
                    ) : t.expires_at ? (
                      <>
                        {day(t.expires_at)}
                        {/* A script using it is about to break: say so while there is time to replace it. */}
                        {Date.parse(t.expires_at) - Date.now() < SOON_MS ? (
                          <>
                            {' '}
                            <span class="badge warn">expires soon</span>
                          </>
                        ) : null}
                      </>
                    ) : (
                      'never'
                    )}
                  </td>
                  <td>
                    {t.revoked_at || isExpired(t) ? null : (
                      <form method="post" action={`/settings/api/tokens/${t.id}/revoke`} data-confirm={`Revoke ${quoted(t.name)}? Requests with it will be refused.`}>
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <button type="submit" class="secondary" aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** Tokens expiring within a week are marked on the list. */
const SOON_MS = 7 * 86_400_000;

function isExpired(token: ApiTokenView): boolean {
  return token.expires_at !== null && Date.parse(token.expires_at) <= Date.now();
}

function AppsTable(props: { apps: Awaited<ReturnType<typeof connectedApps>>; csrf: string; showOwner: boolean }) {
  return (
    <section class="card" aria-labelledby="apps-title">
      <h2 id="apps-title">Connected apps</h2>
      {props.apps.length === 0 ? (
        <p class="hint">No AI assistant is connected yet. Give one the MCP server URL above: once you allow it, it is listed here.</p>
      ) : (
        <TableScroll label="Connected apps">
          <table>
            <thead>
              <tr>
                <th>App</th>
                {props.showOwner ? <th>Member</th> : null}
                <th>Authorised</th>
                <th>Access</th>
                <th>Last used</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.apps.map((app) => {
                const name = app.clientName ?? app.clientId;
                const abilityScopes = app.scopes.filter((scope) => scope !== MCP_SCOPE);
                return (
                  <tr>
                    <td>
                      {name} {app.verified ? null : <span class="badge warn">unverified</span>}
                      {app.redirectHost ? <div class="hint">{app.redirectHost}</div> : null}
                      {app.activeGrants === 0 ? (
                        <div class="hint">
                          <span class="badge">no active access</span> The app signed out or its access ended; only the approval is remembered.
                        </div>
                      ) : null}
                    </td>
                    {props.showOwner ? <td>{app.userEmail}</td> : null}
                    <td>{when(app.authorisedAt)}</td>
                    <td>{abilityScopes.length ? <code>{abilityScopes.join(', ')}</code> : 'everything the role allows'}</td>
                    <td>{app.lastUsedAt ? when(app.lastUsedAt) : 'never'}</td>
                    <td>
                      <form method="post" action="/settings/api/apps/revoke" data-confirm={app.activeGrants === 0 ? `Forget the approval of ${name}? It will ask again next time.` : `Disconnect ${name}?`}>
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <input type="hidden" name="user_id" value={app.userId} />
                        <input type="hidden" name="client_id" value={app.clientId} />
                        <button type="submit" class="secondary" aria-label={`${app.activeGrants === 0 ? 'Forget' : 'Disconnect'} ${name}${props.showOwner ? ` of ${app.userEmail}` : ''}`}>
                          {app.activeGrants === 0 ? 'Forget' : 'Disconnect'}
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

function ToolNames(props: { csrf: string; current: string }) {
  return (
    <section class="card" aria-labelledby="names-title">
      <h2 id="names-title">MCP tool names</h2>
      <p class="hint">
        Some assistants accept only names like <code>capability_list</code>; both forms always work when called. Choose how tools are
        listed.
      </p>
      <form method="post" action="/settings/api/tool-names" class="stack">
        <input type="hidden" name="csrf" value={props.csrf} />
        <fieldset>
          <legend>How assistants see the tool names</legend>
          <div class="radio-row">
            <label>
              <input type="radio" name="style" value="underscore" checked={props.current === 'underscore'} /> <span><code>capability_list</code> (recommended)</span>
            </label>
            <label>
              <input type="radio" name="style" value="dotted" checked={props.current === 'dotted'} /> <span><code>capability.list</code></span>
            </label>
          </div>
        </fieldset>
        <div>
          <button type="submit" class="secondary">
            Save
          </button>
        </div>
      </form>
    </section>
  );
}
