import type { Context } from 'hono';
import { toProblem } from '../api/problem.js';
import { Layout } from './layout.js';

/**
 * An error as a page: the message and fix from the error family, never a stack trace, and a way on — the start page
 * of this host (an organisation's home, or the central sign-in) — unless the host itself is unknown, where nothing
 * is served.
 */
export function renderErrorPage(c: Context, error: unknown): Response | Promise<Response> {
  const problem = toProblem(error, c.get('requestId'));
  const served = c.get('tenant') !== undefined;
  return c.html(
    <Layout title={problem.title}>
      <section class="card" role="alert">
        <h1>{problem.title}</h1>
        <p>{problem.detail}</p>
        {problem.fix ? <p class="hint">{problem.fix}</p> : null}
        {served ? (
          <p>
            <a href="/">Go to the start page</a>
          </p>
        ) : null}
      </section>
    </Layout>,
    problem.status as 400,
  );
}
