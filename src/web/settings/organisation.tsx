import { Hono, type Context } from 'hono';
import { TableScroll } from '../table-scroll.js';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { AppError, InvalidInput } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { createType, knownCurrencies, listCurrencies, listTypes, removeType, renameType, setCurrency, updateCostSettings } from '../../tenancy/settings.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { Notice, Shell } from '../shell.js';
import { formCsrf } from '../../access/sessions.js';

/** Settings → Organisation: currencies and exchange rates, cost settings, department and team types. */
export function organisationSettingsRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/settings/organisation', (c) => page(c, c.req.query('saved') ? { notice: 'Saved.' } : {}));

  const post = (path: string, apply: (c: Context<AppEnv>, body: Record<string, unknown>) => Promise<void>) =>
    web.post(path, async (c) => {
      const body = await c.req.parseBody();
      await checkSessionCsrf(c, body.csrf);
      try {
        await apply(c, body);
      } catch (error) {
        if (error instanceof AppError && (error.status === 400 || error.status === 409)) {
          // `form`: which form was sent, so a name typed in one of the two type forms comes back in that one only.
          // The path sent to, not the route's: a type's rename form is told apart by its id.
          const draft = { ...Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'csrf')), form: c.req.path };
          const field = (error as { field?: string }).field ?? '';
          const label = FIELD_LABELS[field];
          // A conflict says what to do about it too (a type in use: give its units another type first).
          const message = label && error instanceof InvalidInput ? `${label}${error.reasonText}` : error.status === 409 && error.fix ? `${error.message} ${error.fix}` : error.message;
          return page(c, { error: message, draft, invalid: label ? field : undefined }, 400);
        }
        throw error;
      }
      c.var.runtime.tenants.forget();
      return c.redirect('/settings/organisation?saved=1', 303);
    });

  post(COSTS, (c, body) =>
    updateCostSettings(serviceContext(c), {
      burdenPct: Number(formString(body, 'burden_pct')),
      workingDaysPerYear: Number(formString(body, 'working_days_per_year')),
    }),
  );
  post(CURRENCIES, (c, body) => {
    const rate = formString(body, 'rate').trim();
    return setCurrency(serviceContext(c), { code: formString(body, 'code'), active: formString(body, 'active') !== 'no', rate: rate ? Number(rate) : null });
  });
  post('/settings/organisation/department-types', async (c, body) => {
    await createType(serviceContext(c), 'department', formString(body, 'name'));
  });
  post('/settings/organisation/team-types', async (c, body) => {
    await createType(serviceContext(c), 'team', formString(body, 'name'));
  });
  for (const [kind, path] of [
    ['department', '/settings/organisation/department-types'],
    ['team', '/settings/organisation/team-types'],
  ] as const) {
    post(`${path}/:id`, async (c, body) => {
      await renameType(serviceContext(c), kind, c.req.param('id')!, formString(body, 'name'));
    });
    post(`${path}/:id/remove`, async (c) => {
      await removeType(serviceContext(c), kind, c.req.param('id')!);
    });
  }
  return web;
}

const COSTS = '/settings/organisation/costs';
const CURRENCIES = '/settings/organisation/currencies';

/** The form label a refused field is known by, to begin the message with (the service names its key). */
const FIELD_LABELS: Record<string, string> = {
  burden_pct: 'Employer burden: ',
  working_days_per_year: 'Working days per year: ',
  rate: 'Rate: ',
  code: 'Currency: ',
  name: 'Name: ',
};

async function page(c: Context<AppEnv>, state: { notice?: string; error?: string; draft?: Record<string, string>; invalid?: string }, status: 200 | 400 = 200) {
  const draft = state.draft ?? {};
  // The field a refusal names, marked where it was typed (of the form that was sent: both type forms have a "name").
  const invalid = (form: string, field: string) => (draft.form === form && state.invalid === field ? ('true' as const) : undefined);
  const ctx = serviceContext(c);
  const manage = can(ctx.principal, 'settings.manage');
  const [currencies, known, departmentTypes, teamTypes] = await Promise.all([listCurrencies(ctx), knownCurrencies(ctx), listTypes(ctx, 'department'), listTypes(ctx, 'team')]);
  const csrf = formCsrf(c.var.session!);
  const { tenant } = ctx;
  return c.html(
    <Shell c={c} title="Organisation settings" active="/settings">
      <div class="page-head">
        <h1>Settings → Organisation</h1>
        <a href="/settings">All settings</a>
      </div>
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <Notice kind="error">{state.error}</Notice> : null}
      {manage ? null : <p class="hint">Only owners and admins can change these settings.</p>}
      <section class="card" aria-labelledby="cost-title">
        <h2 id="cost-title">Cost settings</h2>
        <p class="hint">
          Loaded annual cost = base salary × (1 + burden) or day rate × working days, reported in {tenant.reportingCurrency}.
        </p>
        {manage ? (
          <form method="post" action="/settings/organisation/costs" class="grid">
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Employer burden (%)
              <input name="burden_pct" type="number" step="0.01" min="0" max="200" value={draft.burden_pct ?? String(tenant.burdenPct)} required aria-invalid={invalid(COSTS, 'burden_pct')} />
            </label>
            <label>
              Working days per year
              <input
                name="working_days_per_year"
                type="number"
                step="1"
                min="100"
                max="366"
                value={draft.working_days_per_year ?? String(tenant.workingDaysPerYear)}
                required
                aria-invalid={invalid(COSTS, 'working_days_per_year')}
              />
            </label>
            <div>
              <button type="submit">Save cost settings</button>
            </div>
          </form>
        ) : (
          // Read as text, not as fields that look editable but are not.
          <dl class="facts">
            <dt>Employer burden</dt>
            <dd>{tenant.burdenPct} %</dd>
            <dt>Working days per year</dt>
            <dd>{tenant.workingDaysPerYear}</dd>
          </dl>
        )}
      </section>
      <section class="card" aria-labelledby="currency-title">
        <h2 id="currency-title">Currencies and exchange rates</h2>
        <p class="hint">A figure in a currency without a rate is shown as not convertible, never as zero.</p>
        <TableScroll label="Currencies">
          <table>
            <thead>
              <tr>
                <th>Currency</th>
                <th class="num">Rate to {tenant.reportingCurrency}</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {currencies.map((cur) => (
                <tr>
                  <td>
                    <code>{cur.code}</code> {cur.name} {cur.reporting ? <span class="badge accent">reporting</span> : null}
                  </td>
                  <td class="num">{cur.rate_to_reporting ?? <span class="badge warn">no rate</span>}</td>
                  <td>{cur.active ? <span class="badge ok">active</span> : <span class="badge">inactive</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        {manage ? (
          <>
            <h3 id="currency-form-title">Add a currency or change its rate</h3>
            <form method="post" action="/settings/organisation/currencies" class="grid" aria-labelledby="currency-form-title">
              <input type="hidden" name="csrf" value={csrf} />
              <label>
                Currency
                <select name="code" aria-invalid={invalid(CURRENCIES, 'code')}>
                  {known.map((k) => (
                    <option value={k.code} selected={k.code === draft.code}>
                      {k.code} — {k.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Units of {tenant.reportingCurrency} per unit
                <input name="rate" type="number" step="0.00000001" min="0" placeholder="e.g. 1.17" value={draft.rate ?? ''} aria-invalid={invalid(CURRENCIES, 'rate')} />
              </label>
              <label>
                Active
                <select name="active">
                  <option value="yes">yes</option>
                  <option value="no" selected={draft.active === 'no'}>
                    no
                  </option>
                </select>
              </label>
              <div>
                <button type="submit">Save currency</button>
              </div>
            </form>
          </>
        ) : null}
      </section>
      <TypeList title="Department types" kind="department-types" types={departmentTypes} csrf={csrf} manage={manage} draft={draft} invalid={state.invalid} />
      <TypeList title="Team types" kind="team-types" types={teamTypes} csrf={csrf} manage={manage} draft={draft} invalid={state.invalid} />
    </Shell>,
    status,
  );
}

function TypeList(props: { title: string; kind: string; types: { id: string; name: string }[]; csrf: string; manage: boolean; draft: Record<string, string>; invalid?: string }) {
  const action = `/settings/organisation/${props.kind}`;
  return (
    <section class="card" aria-labelledby={`${props.kind}-title`}>
      <h2 id={`${props.kind}-title`}>{props.title}</h2>
      {props.types.length ? (
        <ul class="tags">
          {props.types.map((t) => (
            <li class="badge">{t.name}</li>
          ))}
        </ul>
      ) : (
        <p class="hint">None yet.</p>
      )}
      {props.manage ? (
        <form method="post" action={action} class="inline">
          <input type="hidden" name="csrf" value={props.csrf} />
          <label for={`${props.kind}-name`}>New type</label>
          <input
            id={`${props.kind}-name`}
            name="name"
            required
            maxlength={100}
            value={props.draft.form === action ? props.draft.name : undefined}
            aria-invalid={props.draft.form === action && props.invalid === 'name' ? 'true' : undefined}
          />
          <button type="submit" class="secondary">
            Add
          </button>
        </form>
      ) : null}
      {props.manage && props.types.length ? (
        // Rename or remove: each type's own forms, out of the way until asked for.
        <details class="type-edit" open={props.types.some((t) => props.draft.form?.startsWith(`${action}/${t.id}`)) || undefined}>
          <summary>Rename or remove a type</summary>
          <p class="hint">A new name shows wherever the type is used. A type a {props.kind === 'department-types' ? 'department' : 'team'} has — in Live, a scenario or the past — cannot be removed.</p>
          <ul class="type-rows">
            {props.types.map((t) => {
              const rename = `${action}/${t.id}`;
              const fieldId = `${props.kind}-${t.id}`;
              return (
                <li>
                  <form method="post" action={rename} class="inline">
                    <input type="hidden" name="csrf" value={props.csrf} />
                    <label class="visually-hidden" for={fieldId}>
                      Name of {t.name}
                    </label>
                    <input
                      id={fieldId}
                      name="name"
                      required
                      maxlength={100}
                      value={props.draft.form === rename ? props.draft.name : t.name}
                      aria-invalid={props.draft.form === rename && props.invalid === 'name' ? 'true' : undefined}
                    />
                    <button type="submit" class="secondary">
                      Rename<span class="visually-hidden"> {t.name}</span>
                    </button>
                  </form>
                  <form method="post" action={`${rename}/remove`} class="inline" data-confirm={`Remove the type “${t.name}”?`}>
                    <input type="hidden" name="csrf" value={props.csrf} />
                    <button type="submit" class="secondary">
                      Remove<span class="visually-hidden"> {t.name}</span>
                    </button>
                  </form>
                </li>
              );
            })}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
