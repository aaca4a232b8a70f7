import type { Context, ErrorHandler } from 'hono';
import { missingAbilityWords } from '../ability-words.js';
import { AppError, MissingAbility } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { pageFix, Shell } from '../shell.js';
import { formCsrf } from '../../access/sessions.js';

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

export { missingAbilityWords, upgradeAdvice } from '../ability-words.js';

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
  return formCsrf(c.var.session!);
}
