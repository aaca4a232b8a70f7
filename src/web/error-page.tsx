import type { Context } from 'hono';
import { toProblem, type Problem } from '../api/problem.js';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';
import { sessionPrincipal } from './page-auth.js';
import { Shell } from './shell.js';

/**
 * An error as a page: the message and fix from the error family, never a stack trace, and a way on — the start page
 * of this host (an organisation's home, or the central sign-in) — unless the host itself is unknown, where nothing
 * is served. A signed-in member keeps the organisation's frame (its name, navigation, sign-out) around it, as on
 * every other page of theirs: a mistyped address is no reason to lose the way around.
 */
export async function renderErrorPage(c: Context, error: unknown): Promise<Response> {
  const problem = toProblem(error, c.get('requestId'));
  const served = c.get('tenant') !== undefined;
  const page = c as Context<AppEnv>;
  const card = <ErrorCard problem={problem} served={served} />;
  if (await signedIn(page)) {
    return page.html(
      <Shell c={page} title={problem.title}>
        {card}
      </Shell>,
      problem.status as 400,
    );
  }
  return c.html(<Layout title={problem.title}>{card}</Layout>, problem.status as 400);
}

/** Whether the request comes from a signed-in member of the host's tenant (read now if no page read it yet). */
async function signedIn(c: Context<AppEnv>): Promise<boolean> {
  if (c.var.principal && c.var.session) return true;
  if (c.var.principal || !c.var.runtime) return false; // a bearer token's request, or one that never reached the app
  try {
    const principal = await sessionPrincipal(c);
    if (!principal) return false;
    c.set('principal', principal);
    return true;
  } catch {
    return false; // the error may be the database itself: the plain page needs nothing from it
  }
}

function ErrorCard(props: { problem: Problem; served: boolean }) {
  const { problem } = props;
  return (
    <section class="card" role="alert">
      <h1>{problem.title}</h1>
      <p>{problem.detail}</p>
      {problem.fix ? <p class="hint">{problem.fix}</p> : null}
      {props.served ? (
        <p>
          <a href="/">Go to the start page</a>
        </p>
      ) : null}
    </section>
  );
}
