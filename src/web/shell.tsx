import type { Child } from 'hono/jsx';
import { MissingAbility, NotFound, type AppError } from '../errors.js';
import type { Context } from 'hono';
import { can, type Principal } from '../access/policy.js';
import { missingAbilityWords } from './ability-words.js';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';
import { formCsrf } from '../access/sessions.js';

/** The signed-in frame: navigation by ability, the user's sign-out form, and the page. */
export function Shell(props: { c: Context<AppEnv>; title: string; active?: string; children: Child; wide?: boolean }) {
  const { c } = props;
  const principal = c.var.principal!;
  const session = c.var.session;
  const links: [string, string, boolean][] = [
    ['/live', 'Organisation', true],
    ['/live/matrix', 'People', can(principal, 'actors.read')],
    ['/scenarios', 'Scenarios', can(principal, 'scenarios.read')],
    ['/snapshots', 'Snapshots', can(principal, 'scenarios.read')],
    ['/activity', 'Activity', can(principal, 'activity.read')],
    ['/imports', 'Imports', can(principal, 'imports.manage')],
    ['/settings', 'Settings', true],
  ];
  return (
    <Layout title={props.title} tenantName={c.var.tenant?.name} nav={
      <nav aria-label="Main" class="mainnav">
        <ul>
          {links
            .filter(([, , shown]) => shown)
            .map(([href, label]) => (
              <li>
                <a href={href} aria-current={props.active === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
        </ul>
        {session ? (
          <div class="signout">
            <a href="/account" class="whoami" title={session.user.email} aria-current={props.active === '/account' ? 'page' : undefined}>
              {session.user.name}
            </a>
            <form method="post" action="/sign-out">
              <input type="hidden" name="csrf" value={formCsrf(session)} />
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          </div>
        ) : null}
      </nav>
    } wide={props.wide}>
      {props.children}
    </Layout>
  );
}

/** A short message above a page after a form (success or problem). */
export function Notice(props: { kind: 'ok' | 'error'; id?: string; children: Child }) {
  return (
    <p class={props.kind === 'ok' ? 'notice ok' : 'notice error'} role={props.kind === 'ok' ? 'status' : 'alert'} id={props.id}>
      {props.children}
    </p>
  );
}

/**
 * The fix of a refusal, as a page says it. The API's fixes speak to a caller holding ids and parameters: bad input's
 * ('Correct "as_of" and try again.') only repeats the field the message names, in the API's spelling — left out; a
 * missing record's ('Check the id; it must belong to this tenant.'), or a missing page's, is said in the words of someone who
 * followed a link; other not-founds (an unknown address, no MCP here) keep their own fix.
 */
export function pageFix(error: AppError): string | null {
  if (error.code === 'invalid_input') return null;
  if (error.code === 'not_found' && (error instanceof NotFound || !error.fix)) return 'The link may be incomplete or out of date, or what it pointed to belongs to another organisation.';
  return error.fix ?? null;
}

/**
 * A refusal shown above the form that caused it: the message, and the fix when it adds something (`pageFix`). A
 * missing ability is said in the signed-in person's words (`missingAbilityWords`: their role, this organisation), not
 * the API's "your role or token" and "this tenant".
 */
export function ErrorNotice(props: { error: AppError; principal?: Principal | null }) {
  const { error } = props;
  const words = error instanceof MissingAbility && props.principal ? missingAbilityWords(error.ability, props.principal) : null;
  const fix = words ? words.fix : pageFix(error);
  return (
    <Notice kind="error">
      {words ? words.message : error.message} {fix ? <span class="hint">{fix}</span> : null}
    </Notice>
  );
}

/** `aria-invalid` for the field a refusal names (InvalidInput's `details.field`), so it is marked where it is typed. */
export function invalidIf(error: AppError | null | undefined, field: string): 'true' | undefined {
  return error?.details.field === field ? 'true' : undefined;
}
