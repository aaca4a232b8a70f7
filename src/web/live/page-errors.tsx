import type { Context, ErrorHandler } from 'hono';
import { ABILITIES, ALL_ABILITIES, type Ability } from '../../access/abilities.js';
import { rolesWith } from '../../access/bundles.js';
import { can, type Principal } from '../../access/policy.js';
import { AppError, MissingAbility } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { pageFix, Shell } from '../shell.js';

/**
 * Errors on the organisation and scenario pages. A known refusal (not found — another tenant's id included —,
 * missing ability, bad filter) is shown inside the signed-in frame with its message and fix; anything else goes on
 * to the app's error handler (logged, generic page).
 */
const TITLES: Record<number, string> = {
  400: 'Please check the address',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Not possible right now',
};

export const pageErrorHandler: ErrorHandler<AppEnv> = (error, c) => {
  if (!(error instanceof AppError) || error.status >= 500 || !c.var.principal || !c.var.session) throw error;
  const lacking = error instanceof MissingAbility ? missingAbilityWords(error.ability, c.var.principal) : null;
  const title = lacking ? 'Not available for your role' : (TITLES[error.status] ?? 'Something is not right');
  return c.html(
    <Shell c={c} title={title}>
      <section class="card" role="alert" aria-labelledby="error-title">
        <h1 id="error-title">{title}</h1>
        <p>{lacking?.message ?? error.message}</p>
        {lacking ? <p class="hint">{lacking.fix}</p> : pageFix(error) ? <p class="hint">{pageFix(error)}</p> : null}
        <p class="actions">
          <a href="/live">Organisation</a>
          <a href="/scenarios">Scenarios</a>
        </p>
      </section>
    </Shell>,
    error.status as 400,
  );
};

/**
 * A page the signed-in person's role does not open, in their words: what it needs, as the role table says it, and who
 * can give it — the API's "your role or token" and "owner or admin of this tenant" speak to a caller with a token.
 * An ability the role has but the plan withholds is the plan's doing.
 */
export function missingAbilityWords(ability: string, principal: Principal): { message: string; fix: string } {
  const known = (ALL_ABILITIES as readonly string[]).includes(ability) ? (ability as Ability) : null;
  const what = known ? `“${ability}” (${ABILITIES[known].charAt(0).toLowerCase()}${ABILITIES[known].slice(1)})` : `“${ability}”`;
  if (known && principal.roleAbilities.has(known)) {
    return { message: `This needs ${what}, which this organisation’s plan does not include.`, fix: `To use it, ${upgradeAdvice(principal)}` };
  }
  const role = principal.role ? `the ${principal.role} role` : 'your role';
  const roles = known ? rolesWith(known) : [];
  return {
    message: `This needs ${what}, which ${role} does not include.`,
    fix: `Ask an owner or admin of this organisation for a role that includes it${roles.length ? ` (by default: ${roles.join(', ')})` : ''}.`,
  };
}

/**
 * Who asks for a bigger plan, said to the person reading: plans are set by the operators of this Orgonaut (SPEC §2), so
 * its owner asks them — "ask your owner" said to the owner sends them in a circle — and anyone else asks the owner.
 */
export function upgradeAdvice(principal: Principal): string {
  return can(principal, 'billing.manage') ? 'as the owner of the organisation, ask your Orgonaut provider to upgrade its plan.' : 'ask the owner of the organisation to upgrade its plan.';
}

/** The errors a form re-renders with its message (bad input, a conflict, a plan cap, a missing ability). */
export function formError(error: unknown): AppError | null {
  if (error instanceof AppError && (error.status === 400 || error.status === 403 || error.status === 409) && error.code !== 'csrf_rejected') {
    return error;
  }
  return null;
}

/** The HTTP status a re-rendered form answers with. */
export function formStatus(error: AppError): 400 | 403 | 409 {
  return error.status as 400 | 403 | 409;
}

/** The CSRF token of the signed-in session (pages behind `pageAuth` always have one). */
export function csrfOf(c: Context<AppEnv>): string {
  return c.var.session!.csrfToken;
}
