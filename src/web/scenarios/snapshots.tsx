import { Hono, type Context } from 'hono';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { NotFound, type AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { createSnapshot, getScenario, listScenarios, readScenario } from '../../scenarios/lifecycle.js';
import { restoreSnapshot, snapshotMatchesLive } from '../../scenarios/promotion.js';
import { checkSessionCsrf, formString } from '../forms.js';
import { Notice, Shell } from '../shell.js';
import { Pager } from '../live/components.js';
import { quoted, when } from '../live/format.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { TableScroll } from '../table-scroll.js';

/** Snapshots of Live: the list, taking one now, and restoring one (with a confirmation step, then a task). */
export function snapshotRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/snapshots', (c) => listPage(c, { notice: c.req.query('notice') === 'created' ? 'Snapshot taken: Live as it is now is kept read-only.' : undefined }));
  web.post('/snapshots', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    const draft = { name: formString(body, 'name'), description: formString(body, 'description') };
    try {
      await createSnapshot(serviceContext(c), draft);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      return listPage(c, { ...draft, error: known }, formStatus(known));
    }
    return c.redirect('/snapshots?notice=created', 303);
  });

  // A snapshot's own address in the docs (reference/snapshots.md): its page is the scenario page of its kind.
  web.get('/snapshots/:id', async (c) => {
    const snapshot = await getScenario(serviceContext(c), c.req.param('id'));
    if (snapshot.kind !== 'snapshot') throw new NotFound('Snapshot', c.req.param('id'));
    return c.redirect(`/scenarios/${snapshot.id}`, 301);
  });
  web.get('/snapshots/:id/restore', (c) => confirmPage(c, {}));
  web.post('/snapshots/:id/restore', async (c) => {
    const body = await c.req.parseBody();
    await checkSessionCsrf(c, body.csrf);
    if (body.confirm !== 'yes') return confirmPage(c, { confirmMissing: true }, 400);
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    let started;
    try {
      started = await restoreSnapshot(ctx, id);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      return confirmPage(c, { error: known }, formStatus(known));
    }
    started.done.catch((err) => c.var.logger.error({ err, task: started.task.id }, 'restore task did not report back'));
    return c.redirect(`/scenarios/${id}/tasks/${started.task.id}`, 303);
  });
  return web;
}

interface ListState {
  notice?: string;
  error?: AppError;
  name?: string;
  description?: string;
}

async function listPage(c: Context<AppEnv>, state: ListState, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const cursor = c.req.query('cursor') || null;
  const list = await listScenarios(ctx, { kind: 'snapshot', cursor, limit: 50 });
  const restorer = can(ctx.principal, 'snapshots.restore');
  return c.html(
    <Shell c={c} title="Snapshots" active="/snapshots" wide>
      <div class="page-head">
        <h1>Snapshots</h1>
        <a href="/live/lineage">Lineage of Live</a>
      </div>
      <p class="hint">A snapshot is a read-only copy of Live. One is taken automatically before every promotion, restore and import into Live.</p>
      {state.notice ? <Notice kind="ok">{state.notice}</Notice> : null}
      {state.error ? <Notice kind="error">{state.error.message}</Notice> : null}
      {can(ctx.principal, 'scenarios.write') ? (
        <section class="card" aria-labelledby="take-title">
          <h2 id="take-title">Take a snapshot of Live now</h2>
          <form method="post" action="/snapshots" class="grid">
            <input type="hidden" name="csrf" value={csrfOf(c)} />
            <div class="field">
              <label for="snap-name">Name (optional)</label>
              <input id="snap-name" name="name" maxlength={200} value={state.name ?? ''} placeholder={`Live on ${new Date().toISOString().slice(0, 10)}`} />
            </div>
            <div class="field">
              <label for="snap-description">Description (optional)</label>
              <input id="snap-description" name="description" maxlength={2000} value={state.description ?? ''} />
            </div>
            <div>
              <button type="submit">Take snapshot</button>
            </div>
          </form>
        </section>
      ) : null}
      <section class="card" aria-labelledby="snapshots-title">
        <h2 id="snapshots-title">All snapshots</h2>
        {list.items.length === 0 ? (
          <p class="empty">No snapshots yet.</p>
        ) : (
          <TableScroll label="All snapshots">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Taken</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((s) => (
                  <tr>
                    <td>
                      <a href={`/scenarios/${s.id}`}>{s.name}</a>
                      {s.description ? <div class="hint">{s.description}</div> : null}
                    </td>
                    <td class="date">{when(s.created_at)}</td>
                    <td class="actions">
                      <a href={`/scenarios/${s.id}/delta`}>Compare with Live</a>
                      {restorer ? (
                        <a class="button secondary" href={`/snapshots/${s.id}/restore`} aria-label={`Restore ${s.name}`}>
                          Restore…
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <Pager label="Snapshot pages" next={list.nextCursor ? `/snapshots?cursor=${encodeURIComponent(list.nextCursor)}` : null} first={cursor ? '/snapshots' : null} />
      </section>
    </Shell>,
    status,
  );
}

async function confirmPage(c: Context<AppEnv>, state: { error?: AppError; confirmMissing?: boolean }, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const { scenario: snapshot, row } = await readScenario(ctx, c.req.param('id')!);
  const isSnapshot = snapshot.kind === 'snapshot';
  const restorer = can(ctx.principal, 'snapshots.restore');
  // Said before the button is pressed: restoring a snapshot Live already matches would change nothing (and is refused).
  const matches = isSnapshot && restorer && (await snapshotMatchesLive(ctx, row));
  return c.html(
    <Shell c={c} title={`Restore ${snapshot.name}`} active="/snapshots">
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <ol>
          <li>
            <a href="/snapshots">Snapshots</a>
          </li>
          <li aria-current="page">Restore</li>
        </ol>
      </nav>
      <section class="card narrow" aria-labelledby="restore-title">
        <h1 id="restore-title">Restore {quoted(snapshot.name)}?</h1>
        {state.error && !matches ? <Notice kind="error">{state.error.message}</Notice> : null}
        {!isSnapshot ? (
          <p class="notice error" role="alert">
            Only snapshots can be restored; this is a {snapshot.kind} scenario.
          </p>
        ) : !restorer ? (
          <p class="notice error" role="alert">
            Restoring needs the “snapshots.restore” ability, which your role does not have.
          </p>
        ) : matches ? (
          <>
            <p class={state.error ? 'notice error' : 'notice ok'} role={state.error ? 'alert' : 'status'}>
              This snapshot matches Live, so there is nothing to restore: restoring it would change nothing. Live is left as it is.
            </p>
            <div class="actions">
              <a href="/snapshots">Back to snapshots</a>
              <a href="/live/lineage">Lineage of Live</a>
            </div>
          </>
        ) : (
          <>
            <p>
              Live will first be kept as a new snapshot, then replaced by this snapshot’s state (taken {when(snapshot.created_at)}). A lineage entry
              records the restore. Planning scenarios based on Live will show the restored state.
            </p>
            <p>
              <a href={`/scenarios/${snapshot.id}/delta`}>See what differs from Live first</a>
            </p>
            <form method="post" action={`/snapshots/${snapshot.id}/restore`} class="stack">
              <input type="hidden" name="csrf" value={csrfOf(c)} />
              <div class="field check">
                <input type="checkbox" id="restore-confirm" name="confirm" value="yes" required aria-describedby={state.confirmMissing ? 'restore-error' : undefined} />
                <label for="restore-confirm">I understand that Live will be replaced by this snapshot.</label>
              </div>
              {state.confirmMissing ? (
                <p class="notice error" role="alert" id="restore-error">
                  Tick the box to confirm.
                </p>
              ) : null}
              <div class="actions">
                <button type="submit" class="danger">
                  Restore into Live
                </button>
                <a href="/snapshots">Cancel</a>
              </div>
            </form>
          </>
        )}
      </section>
    </Shell>,
    status,
  );
}
