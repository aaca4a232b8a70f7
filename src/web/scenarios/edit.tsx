import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { authorize } from '../../access/policy.js';
import type { AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { DESCRIPTION_MAX, editScenario, getScenario } from '../../scenarios/lifecycle.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { ErrorNotice, Shell } from '../shell.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { ScenarioHead } from './overview.js';

/**
 * Renaming a planning scenario or changing its description (`/scenarios/:id/edit`, linked from the overview's
 * actions): a form of its own, so a refusal (a name another active scenario has, an empty name) comes back with what
 * was typed and the message under the field at fault. Applied scenarios and snapshots keep their names (the service
 * refuses; the page says so instead of offering a form).
 */
export function scenarioEditRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id/edit', (c) => page(c, {}));
  web.post('/scenarios/:id/edit', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const draft = { name: formString(body, 'name'), description: formString(body, 'description') };
    try {
      await editScenario(serviceContext(c), c.req.param('id'), draft);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      return page(c, { draft, error: known }, formStatus(known));
    }
    return c.redirect(`/scenarios/${c.req.param('id')}?notice=edited`, 303);
  });
  return web;
}

interface State {
  draft?: { name: string; description: string };
  error?: AppError;
}

async function page(c: Context<AppEnv>, state: State, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  authorize(ctx.principal, 'scenarios.write');
  const scenario = await getScenario(ctx, c.req.param('id')!);
  const base = `/scenarios/${scenario.id}`;
  const fieldOf = state.error?.details.field;
  // The refusal under the field it is about; one about no field (or about the scenario) above the form.
  const onField = fieldOf === 'name' || fieldOf === 'description' ? (fieldOf as string) : null;
  const fault = (field: 'name' | 'description') =>
    onField === field ? { 'aria-invalid': 'true' as const, 'aria-describedby': `edit-${field}-error` } : {};
  const FieldError = (props: { field: 'name' | 'description' }) =>
    onField === props.field && state.error ? (
      <p class="notice error" id={`edit-${props.field}-error`}>
        {state.error.message} {state.error.fix ? <span class="hint">{state.error.fix}</span> : null}
      </p>
    ) : null;
  const name = state.draft?.name ?? scenario.name;
  const description = state.draft?.description ?? scenario.description ?? '';
  return c.html(
    <Shell c={c} title={`Edit ${scenario.name}`} active="/scenarios">
      <ScenarioHead scenario={scenario} active="edit" />
      {state.error && !onField ? <ErrorNotice error={state.error} principal={c.var.principal} /> : null}
      {scenario.kind !== 'planning' ? (
        <section class="card" aria-labelledby="edit-title">
          <h2 id="edit-title">Name and description</h2>
          <p class="empty">
            {scenario.kind === 'snapshot' ? 'A snapshot' : 'A promoted scenario'} keeps the name and description it had: Lineage and the activity log
            refer to it by them.
          </p>
          <p>
            <a href={base}>Back to the {scenario.kind === 'snapshot' ? 'snapshot' : 'scenario'}</a>
          </p>
        </section>
      ) : (
        <section class="card" aria-labelledby="edit-title">
          <h2 id="edit-title">Name and description</h2>
          <form method="post" action={`${base}/edit`} class="grid roomy">
            <input type="hidden" name="csrf" value={csrfOf(c)} />
            <div class="field wide">
              <label for="edit-name">Name</label>
              <input id="edit-name" name="name" required maxlength={200} value={name} {...fault('name')} />
              <FieldError field="name" />
              {scenario.state === 'active' ? (
                <p class="hint">Names are unique among active planning scenarios, ignoring case and spaces.</p>
              ) : (
                <p class="hint">This scenario is archived: it may take a name an active scenario has, but cannot be unarchived under it.</p>
              )}
            </div>
            <div class="field wide">
              <label for="edit-description">Description (optional)</label>
              <textarea id="edit-description" name="description" rows={3} maxlength={DESCRIPTION_MAX} {...fault('description')}>
                {description}
              </textarea>
              <FieldError field="description" />
            </div>
            <div class="actions">
              <button type="submit">Save</button>
              <a href={base}>Cancel</a>
            </div>
          </form>
        </section>
      )}
    </Shell>,
    status,
  );
}
