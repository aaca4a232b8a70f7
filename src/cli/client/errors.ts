import { utcTime } from './output.js';

/**
 * Failures of the `orgonaut` client commands, each with its exit code (SPEC: 0 ok, 1 API/problem error, 2 usage,
 * 3 not signed in / 401, 4 network; 5 still running: `--wait` stopped waiting, the task goes on). Messages are one
 * line written for people: what happened, then the fix.
 */
export const EXIT = { ok: 0, api: 1, usage: 2, auth: 3, network: 4, pending: 5 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What `--json` prints as `error.code` (`not_found`, `ambiguous_name`, `import_failed`…); else one by its kind. */
    readonly code?: string,
  ) {
    super(message.replace(/\s*\n\s*/g, ' ').trim());
    this.name = new.target.name;
  }
}

/** An RFC 9457 problem (or another error answer) from the API. */
export interface ProblemBody {
  status?: number;
  code?: string;
  detail?: string;
  title?: string;
  fix?: string;
  ability?: string;
  field?: string;
  [extension: string]: unknown;
}

/**
 * An RFC 9457 problem the API answered. A bad value the server caught (400, 422: `--kind alien`, a change file's
 * field) exits 2 like one the CLI caught itself (`--limit 0`): invalid input is one code, whichever side judged it.
 * Every other refusal exits 1.
 */
export class ApiProblem extends CliError {
  constructor(
    readonly status: number,
    readonly problem: ProblemBody,
    message = describeProblem(status, problem),
  ) {
    super(message, status === 400 || status === 422 ? EXIT.usage : EXIT.api);
  }
}

/** The option a query parameter is given by, where its name is not the parameter's (`org_unit_id` ← `--unit`). */
const OPTION_OF: Record<string, string> = {
  scenario_id: 'scenario',
  org_unit_id: 'unit',
  parent_id: 'parent',
  root_id: 'root',
  q: 'search',
  team_type_id: 'team-type',
  actor_id: 'actor',
  manager_id: 'manager',
  position_id: 'position',
};

/**
 * A 400 about a query parameter (or body field) the command sent, named as the person typed it: `Invalid --as-of: …
 * Correct --as-of` rather than the API's `as_of`, which they never wrote (`optionOf`: the option of each parameter
 * whose name is not the option's). The problem itself (`--json`) is left as the API sent it.
 */
export function namedByOption(error: unknown, sent: Record<string, unknown>, optionOf: Record<string, string> = OPTION_OF): unknown {
  if (!(error instanceof ApiProblem) || error.status !== 400) return error;
  const field = error.problem.field;
  if (typeof field !== 'string' || !/^[a-z_]+$/.test(field) || sent[field] === undefined || sent[field] === null || sent[field] === '') return error;
  const option = `--${optionOf[field] ?? field.replaceAll('_', '-')}`;
  const shown = {
    ...error.problem,
    detail: error.problem.detail?.replace(`Invalid ${field}:`, `Invalid ${option}:`),
    fix: error.problem.fix?.replace(`"${field}"`, option),
  };
  return new ApiProblem(error.status, error.problem, describeProblem(error.status, shown));
}

/** No stored credential, or the API refused it (401). */
export class NotSignedIn extends CliError {
  constructor(
    message: string,
    /** The server's reason, when it refused a credential. */
    readonly reason?: string,
  ) {
    super(message, EXIT.auth);
  }
}

/**
 * The stored sign-in's token has expired (a CLI sign-in lasts ORGONAUT_CLI_TOKEN_DAYS, 90 days by default): said
 * plainly, with the date, rather than as a refused credential.
 */
export class SignInExpired extends NotSignedIn {
  constructor(where: string, expiresAt: string | null, reason?: string) {
    const when = expiresAt ? ` on ${utcTime(expiresAt)}` : '';
    super(`your sign-in to ${where} expired${when}. Run "orgonaut auth login" to sign in again.`, reason);
  }
}

/**
 * `--wait` ran out of time before the background task finished: not a failure of the task, which goes on, nor a
 * success a script may build on (exit 5, the message names the task and the command to keep polling with).
 */
export class StillRunning extends CliError {
  constructor(
    message: string,
    /** What is still running, for --json: `{ task_id }` (a promotion), `{ run_id }` (an import). */
    readonly running: Record<string, string>,
  ) {
    super(message, EXIT.pending);
  }
}

/** The server could not be reached (refused, unknown host, timeout, TLS). */
export class NetworkError extends CliError {
  constructor(message: string) {
    super(message, EXIT.network);
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function describeProblem(status: number, problem: ProblemBody): string {
  const detail = problem.detail ?? problem.title ?? `The server answered HTTP ${status}`;
  const parts = [sentence(detail)];
  if (problem.fix) parts.push(sentence(problem.fix));
  if (status === 429 && typeof problem.retry_after === 'number') parts.push(`Retry in ${problem.retry_after} s.`);
  parts.push(`(HTTP ${status}${problem.code ? ` ${problem.code}` : ''})`);
  return parts.join(' ');
}
