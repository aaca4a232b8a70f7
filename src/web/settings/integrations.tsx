import { Hono, type Context } from 'hono';
import { anyOfRoles, grantorsIn, rolesIncluding } from '../../access/bundles.js';
import { serviceContext } from '../../access/middleware.js';
import type { ServiceContext } from '../../context.js';
import { CopyButton } from '../copy-button.js';
import { can } from '../../access/policy.js';
import { AppError, InvalidInput, MissingAbility, NotFound } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { syncNow } from '../../integrations/batches.js';
import { DEFAULT_BAMBOO_URL } from '../../integrations/bamboohr.js';
import { getIntegration, INTEGRATION_STATUSES, putIntegration, type IntegrationInput, type IntegrationOut } from '../../integrations/settings.js';
import { getScenario, listScenarios } from '../../scenarios/lifecycle.js';
import { PLAN_FEATURES } from '../../tenancy/plans.js';
import { checkSessionCsrf } from '../forms.js';
import { formRefusal, NotForYourRole } from '../imports/components.js';
import { when } from '../live/format.js';
import { upgradeAdvice } from '../live/page-errors.js';
import { ErrorNotice, invalidIf, Notice, Shell } from '../shell.js';
import { formCsrf } from '../../access/sessions.js';

/**
 * Settings → Integrations → HRIS (reference/bamboohr-live-sync.md): one BambooHR integration per tenant, on plans
 * with HRIS live sync, for people with `integrations.manage`. The API key and webhook secret are write-only: the page
 * only says whether each is set, and never puts a stored secret into the HTML. Also: the webhook URL to copy, the
 * apply targets, the pull schedule (off, hourly, daily at a UTC hour) with the next slot, "Sync now" and how the last
 * sync went.
 */
const PATH = '/settings/integrations/hris';

const NOTICES: Record<string, string> = {
  saved: 'Saved. Secrets you entered are stored encrypted and are not shown again.',
  sync: 'Sync started: every employee is being pulled from BambooHR and imported into each target. Follow the runs below or in Imports.',
};

const STATUS_LABELS: Record<string, string> = { connected: 'connected', paused: 'paused (changes wait)', disconnected: 'disconnected', not_connected: 'not connected' };

export function integrationSettingsRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get(PATH, (c) => page(c, { notice: NOTICES[c.req.query('notice') ?? ''] }));

  web.post(PATH, async (c) => {
    const body = await c.req.parseBody({ all: true });
    await checkSessionCsrf(c, body.csrf);
    const draft = { status: field(body, 'status'), subdomain: field(body, 'subdomain'), base_url: field(body, 'base_url'), sync_frequency: field(body, 'sync_frequency'), sync_hour: field(body, 'sync_hour') };
    try {
      await putIntegration(serviceContext(c), inputOf(body), c.var.origin);
    } catch (error) {
      const known = formRefusal(error);
      if (!known) throw error;
      return page(c, { error: known, draft }, known.status as 400);
    }
    return c.redirect(`${PATH}?notice=saved`, 303);
  });

  web.post(`${PATH}/sync`, async (c) => {
    await checkSessionCsrf(c, (await c.req.parseBody()).csrf);
    try {
      const { done } = await syncNow(serviceContext(c));
      done.catch((err: unknown) => c.var.logger.error({ err }, 'HRIS sync did not report back'));
    } catch (error) {
      // The HRIS unreachable or refusing the key (502) is a refusal the person can act on, like a conflict.
      const known = formRefusal(error) ?? (error instanceof AppError && error.code === 'hris_unreachable' ? error : null);
      if (!known) throw error;
      return page(c, { error: known }, known.status as 400);
    }
    return c.redirect(`${PATH}?notice=sync`, 303);
  });
  return web;
}

type Body = Record<string, string | File | (string | File)[]>;

function field(body: Body, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** The form as the settings service takes it: secrets only when typed (kept otherwise) or removed on request. */
function inputOf(body: Body): IntegrationInput {
  const secret = (name: string, clear: string) => {
    if (field(body, clear) === 'on') return null;
    const value = field(body, name);
    return value ? value : undefined;
  };
  const scenarioIds = ([] as unknown[]).concat(body.apply_scenarios ?? []).filter((v): v is string => typeof v === 'string' && v !== '');
  return {
    provider: 'bamboohr',
    status: field(body, 'status') || undefined,
    subdomain: field(body, 'subdomain') || null,
    base_url: field(body, 'base_url') || null,
    api_key: secret('api_key', 'clear_api_key'),
    webhook_secret: secret('webhook_secret', 'clear_webhook_secret'),
    apply_to: { live: field(body, 'apply_live') === 'on', scenario_ids: scenarioIds, future_scenarios: field(body, 'apply_future') === 'on' },
    // A form without the schedule's fields (an older page still open) leaves the schedule as it is.
    schedule: { frequency: field(body, 'sync_frequency') || undefined, hour_utc: body.sync_hour === undefined ? undefined : hourOf(field(body, 'sync_hour')) },
  };
}

/** The hour typed: blank is none; anything but digits is NaN, which the settings service refuses in words. */
function hourOf(text: string): number | null {
  if (!text) return null;
  return /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
}

const FREQUENCY_LABELS: Record<string, string> = { off: 'Off (webhook and Sync now only)', hourly: 'Every hour', daily: 'Every day at the hour below' };

/** "Every hour, at :17", "Daily at 02:17 UTC" (the minute is the tenant's own, so tenants' pulls are spread over the hour). */
function scheduleText(schedule: IntegrationOut['schedule']): string {
  const minute = String(schedule.minute_utc ?? 0).padStart(2, '0');
  if (schedule.frequency === 'hourly') return `Every hour, at :${minute}`;
  if (schedule.frequency === 'daily') return `Daily at ${String(schedule.hour_utc ?? 0).padStart(2, '0')}:${minute} UTC`;
  return 'Off';
}

interface State {
  notice?: string;
  error?: AppError;
  draft?: { status: string; subdomain: string; base_url: string; sync_frequency: string; sync_hour: string };
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 404 | 409 | 502 = 200) {
  const ctx = serviceContext(c);
  if (!PLAN_FEATURES[ctx.tenant.plan].hrisSync) return upgradePage(c);
  let integration: IntegrationOut;
  try {
    integration = await getIntegration(ctx, c.var.origin);
  } catch (error) {
    if (error instanceof MissingAbility) {
      return c.html(
        <NotForYourRole c={c} title="HRIS integration" active="/settings">
          <p>
            Connecting and changing the HRIS integration needs the <code>integrations.manage</code> ability ({rolesIncluding('integrations.manage', ctx.principal.bundles, 'organisation')}).
          </p>
          <p class="hint">Ask {anyOfRoles(grantorsIn(ctx.principal.bundles))} of this organisation.</p>
        </NotForYourRole>,
        403,
      );
    }
    throw error;
  }
  const chosen = new Set(integration.apply_to.scenario_ids);
  const scenarios = can(ctx.principal, 'scenarios.read') ? await targetChoices(ctx, chosen) : [];
  const draft = state.draft ?? {
    status: integration.status === 'not_connected' ? 'connected' : integration.status,
    subdomain: integration.subdomain ?? '',
    base_url: integration.base_url === DEFAULT_BAMBOO_URL ? '' : (integration.base_url ?? ''),
    sync_frequency: integration.schedule.frequency,
    sync_hour: integration.schedule.hour_utc === null ? '' : String(integration.schedule.hour_utc),
  };
  const hourError = state.error instanceof InvalidInput && state.error.field === 'schedule.hour_utc' ? state.error.reasonText : null;
  const csrf = formCsrf(c.var.session!);
  return c.html(
    <Shell c={c} title="HRIS integration" active="/settings">
      <div class="page-head">
        <h1>Settings → Integrations → HRIS</h1>
        <a href="/settings">All settings</a>
      </div>
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <ErrorNotice error={state.error} /> : null}
      <section class="card" aria-labelledby="status-title">
        <h2 id="status-title">BambooHR live sync</h2>
        <p>
          Status:{' '}
          <span class={integration.status === 'connected' ? 'badge ok' : integration.status === 'paused' ? 'badge warn' : 'badge'}>{STATUS_LABELS[integration.status]}</span>
        </p>
        <p class="hint">
          Changes from BambooHR go through the same import rules as a CSV file: rows it cannot import are quarantined for review in{' '}
          <a href="/imports">Imports</a>.
        </p>
        <LastSync integration={integration} />
        <form method="post" action={`${PATH}/sync`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="secondary" disabled={integration.status !== 'connected' || !integration.api_key_set || !integration.subdomain || undefined}>
            Sync now
          </button>
          {integration.status !== 'connected' || !integration.api_key_set || !integration.subdomain ? (
            <span class="hint"> Connect BambooHR with a subdomain and an API key to sync.</span>
          ) : null}
        </form>
      </section>
      <section class="card" aria-labelledby="connect-title">
        <h2 id="connect-title">Connection</h2>
        <form method="post" action={PATH} class="stack">
          <input type="hidden" name="csrf" value={csrf} />
          <div class="grid">
            <div class="field">
              <label for="hris-provider">Provider</label>
              <select id="hris-provider" name="provider">
                <option value="bamboohr" selected>
                  BambooHR
                </option>
              </select>
            </div>
            <div class="field">
              <label for="hris-status">Status</label>
              <select id="hris-status" name="status">
                {INTEGRATION_STATUSES.map((s) => (
                  <option value={s} selected={draft.status === s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="hris-subdomain">BambooHR subdomain</label>
              <input id="hris-subdomain" name="subdomain" value={draft.subdomain} maxlength={63} placeholder="acme (for acme.bamboohr.com)" autocomplete="off" />
            </div>
            <div class="field">
              <label for="hris-base-url">API base URL (optional)</label>
              <input id="hris-base-url" name="base_url" type="url" value={draft.base_url} maxlength={500} placeholder={DEFAULT_BAMBOO_URL} />
            </div>
            <SecretField id="hris-api-key" name="api_key" label="API key" set={integration.api_key_set} clearLabel="Remove the stored API key" />
            <SecretField id="hris-webhook-secret" name="webhook_secret" label="Webhook secret (16 characters or more)" set={integration.webhook_secret_set} clearLabel="Remove the stored webhook secret" />
          </div>
          <fieldset>
            <legend>Apply incoming changes to</legend>
            <div class="checks">
              <label>
                <input type="checkbox" name="apply_live" checked={integration.apply_to.live} /> <span>Live (a snapshot is taken before each batch)</span>
              </label>
              {scenarios.map((s) => (
                <label>
                  <input type="checkbox" name="apply_scenarios" value={s.id} checked={chosen.has(s.id)} /> <span>Scenario: {s.name}</span>
                </label>
              ))}
              <label>
                <input type="checkbox" name="apply_future" checked={integration.apply_to.future_scenarios} /> <span>Scenarios created from now on</span>
              </label>
            </div>
          </fieldset>
          <fieldset>
            <legend>Scheduled sync</legend>
            <p class="hint">
              Pulls every employee from BambooHR, as Sync now does, so changes whose webhook call was missed are caught up. Times are UTC.
            </p>
            <div class="grid">
              <div class="field">
                <label for="hris-sync-frequency">Frequency</label>
                <select id="hris-sync-frequency" name="sync_frequency">
                  {Object.entries(FREQUENCY_LABELS).map(([value, label]) => (
                    <option value={value} selected={draft.sync_frequency === value}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="hris-sync-hour">Hour of the daily sync (UTC, 0–23)</label>
                <input
                  id="hris-sync-hour"
                  name="sync_hour"
                  type="number"
                  min={0}
                  max={23}
                  step={1}
                  value={draft.sync_hour}
                  placeholder="2"
                  aria-invalid={invalidIf(state.error, 'schedule.hour_utc')}
                  aria-describedby={hourError ? 'hris-sync-hour-error' : undefined}
                />
                {hourError ? (
                  <span id="hris-sync-hour-error" class="error">
                    The hour {hourError}
                  </span>
                ) : null}
              </div>
            </div>
          </fieldset>
          <div>
            <button type="submit">Save</button>
          </div>
        </form>
      </section>
      <section class="card" aria-labelledby="webhook-title">
        <h2 id="webhook-title">Webhook</h2>
        <p>
          In BambooHR (Settings → Webhooks) send employee changes to this address, signed with the webhook secret above (header{' '}
          <code>X-BambooHR-Signature</code>, HMAC-SHA256 of the body followed by <code>X-BambooHR-Timestamp</code>, which must be within five minutes). Changes are acknowledged at once and applied in batches about a second later.
        </p>
        <div class="field">
          <label for="webhook-url">Webhook URL</label>
          <div class="secret">
            <input id="webhook-url" readonly value={integration.webhook_url ?? ''} />
            <CopyButton target="webhook-url" what="Webhook URL" secondary />
          </div>
        </div>
        {!integration.webhook_secret_set ? <p class="warning">No webhook secret is set: the webhook refuses every call until one is.</p> : null}
      </section>
    </Shell>,
    status,
  );
}

/**
 * The scenarios offered as targets: the latest 500 active planning scenarios, and a chosen one older than those (as
 * the Activity filter does, "(older)") — left out, it would not show chosen, and saving the form would drop it
 * without a word. A chosen scenario archived since or deleted is not offered (a sync skips it; saving it is refused).
 */
async function targetChoices(ctx: ServiceContext, chosen: ReadonlySet<string>): Promise<{ id: string; name: string }[]> {
  const latest = (await listScenarios(ctx, { kind: 'planning', state: 'active', limit: 500 })).items;
  const listed = new Set(latest.map((s) => s.id));
  const older: { id: string; name: string }[] = [];
  for (const id of [...chosen].filter((id) => !listed.has(id))) {
    const scenario = await getScenario(ctx, id).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    if (scenario?.kind === 'planning' && scenario.state === 'active') older.push({ id, name: `${scenario.name} (older)` });
  }
  return [...latest, ...older];
}

/** A write-only secret: never pre-filled; says whether one is stored, and offers to remove it. */
function SecretField(props: { id: string; name: string; label: string; set: boolean; clearLabel: string }) {
  return (
    <div class="field">
      <label for={props.id}>
        {props.label} <span class={props.set ? 'badge ok' : 'badge'}>{props.set ? 'set' : 'not set'}</span>
      </label>
      <input id={props.id} name={props.name} type="password" value="" autocomplete="new-password" maxlength={512} placeholder={props.set ? 'Leave blank to keep the stored value' : ''} aria-describedby={`${props.id}-hint`} />
      <span id={`${props.id}-hint`} class="hint">
        Write-only: it is stored encrypted and never shown again.
      </span>
      {props.set ? (
        <label>
          <input type="checkbox" name={`clear_${props.name}`} /> {props.clearLabel}
        </label>
      ) : null}
    </div>
  );
}

function LastSync(props: { integration: IntegrationOut }) {
  const { last_sync: sync, last_webhook_at: webhookAt, queued_events: queued, apply_to: applyTo, schedule, status } = props.integration;
  return (
    <dl class="facts">
      <dt>Scheduled sync</dt>
      <dd>
        {scheduleText(schedule)}
        {schedule.next_sync_at ? <div>Next sync at {when(schedule.next_sync_at)}</div> : null}
        {schedule.frequency !== 'off' && status !== 'connected' ? <div class="hint">Not pulled while the integration is {STATUS_LABELS[status]}.</div> : null}
      </dd>
      <dt>Last sync</dt>
      <dd>
        {sync.at ? (
          <>
            {when(sync.at)} <span class={sync.status === 'completed' ? 'badge ok' : sync.status === 'failed' ? 'badge danger' : 'badge warn'}>{sync.status ?? 'unknown'}</span>
            {sync.trigger ? <span class="hint"> ({sync.trigger === 'schedule' ? 'scheduled' : 'Sync now'})</span> : null}
          </>
        ) : (
          'never'
        )}
        {sync.error ? <div class="error">{sync.error}</div> : null}
        {sync.run_ids.length ? (
          <div>
            Runs:{' '}
            {sync.run_ids.map((id, i) => (
              <>
                {i ? ', ' : ''}
                <a href={`/imports/${id}/progress`}>{id.slice(0, 8)}</a>
              </>
            ))}
          </div>
        ) : null}
      </dd>
      <dt>Last webhook call</dt>
      <dd>{webhookAt ? when(webhookAt) : 'never'}</dd>
      <dt>Changes waiting</dt>
      <dd>
        {queued}
        {queued && !applyTo.live && !applyTo.scenario_ids.length ? (
          <div class="hint">They apply nowhere yet: choose Live or a scenario under “Apply incoming changes to”.</div>
        ) : null}
      </dd>
    </dl>
  );
}

function upgradePage(c: Context<AppEnv>) {
  const tenant = c.var.tenant!;
  return c.html(
    <Shell c={c} title="HRIS integration" active="/settings">
      <div class="page-head">
        <h1>Settings → Integrations → HRIS</h1>
        <a href="/settings">All settings</a>
      </div>
      <section class="card" aria-labelledby="upgrade-title">
        <h2 id="upgrade-title">HRIS live sync</h2>
        <p>
          Keeping Live in step with BambooHR (a signed webhook for each change, and “Sync now”) is part of the Business, Enterprise and Agency plans.
          Your organisation is on the <strong>{tenant.plan}</strong> plan; {upgradeAdvice(c.var.principal!)}
        </p>
        <p class="hint">
          Meanwhile, export a CSV from your HRIS and bring it in through <a href="/imports">Imports</a>.
        </p>
      </section>
    </Shell>,
  );
}
