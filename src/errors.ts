/**
 * One family of errors for every surface. Each has a stable `code`, an HTTP status, a message written for people
 * and, where there is one, the fix. Mappers turn them into RFC 9457 problems (api/problem.ts), MCP `isError` results
 * (mcp/result.ts) and error pages (web/). Messages come from these templates only; tenant-entered text goes into
 * structured fields, never into messages. Anything that is not an AppError is reported as an internal error.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fix?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends AppError {
  constructor(what: string, id?: string) {
    super('not_found', 404, id && id.length <= 64 ? `${what} "${id}" not found.` : `${what} not found.`, 'Check the id; it must belong to this tenant.', id ? { id } : {});
  }
}

/**
 * A host that serves no organisation. Said as an address, not an id, and the same whatever the host names, so it
 * tells nothing about which organisations exist.
 */
export class UnknownAddress extends AppError {
  constructor() {
    super(
      'not_found',
      404,
      'There is no Orgonaut organisation at this address.',
      "Check the address: each organisation has its own (e.g. https://acme.orgonaut.co), as in its invitation link.",
    );
  }
}

/** An `X-Tenant` this host does not serve (another organisation's, or none): the same answer for both. */
export class TenantHeaderRefused extends AppError {
  /** `central`: on the central host, which serves every organisation, the slug names none. */
  constructor(central = false) {
    super(
      'not_found',
      404,
      central ? 'No organisation has the slug named in X-Tenant.' : 'The organisation named in X-Tenant is not served at this address.',
      central
        ? "Check the slug in X-Tenant: it is the first part of your organisation's own address (acme in acme.orgonaut.co)."
        : "Send the slug of this address's organisation in X-Tenant, or leave the header out.",
    );
  }
}

export class InvalidInput extends AppError {
  /** What is wrong, without the "Invalid <field>: " the message starts with: for a surface that names the field its own way. */
  readonly reasonText: string;

  constructor(
    readonly field: string,
    reason: string,
    extra: Record<string, unknown> = {},
  ) {
    super('invalid_input', 400, `Invalid ${field}: ${reason}`, `Correct "${field}" and try again.`, {
      field,
      ...extra,
    });
    this.reasonText = reason;
  }
}

export class Unauthenticated extends AppError {
  constructor(reason: string, fix = 'Sign in again or send a valid bearer token.') {
    super('unauthenticated', 401, reason, fix);
  }
}

export class MissingAbility extends AppError {
  /** `fix` names the roles of the tenant's own bundles where the caller knows them (api/problem.ts missingAbilityFix). */
  constructor(
    readonly ability: string,
    fix = 'Ask an owner or admin of this tenant for a role that includes it, or use a token that was granted it.',
  ) {
    super(
      'missing_ability',
      403,
      `This needs the "${ability}" ability, which your role or token does not have.`,
      fix,
      { ability },
    );
  }
}

/** Over a plan limit (`tenancy/plan-limits.ts` says it in full: how far over, what makes room, who upgrades). */
export class PlanLimit extends AppError {
  constructor(limit: string, plan: string, allowed: number, message: string, fix: string) {
    super('plan_limit', 403, message, fix, { limit, plan, allowed });
  }
}

export class Conflict extends AppError {
  constructor(message: string, fix?: string, details: Record<string, unknown> = {}) {
    super('conflict', 409, message, fix, details);
  }
}

export class ReadOnlyContext extends AppError {
  constructor(kind: string, fix = 'Make changes in an active planning scenario instead.') {
    super('read_only', 409, `This ${kind} is read-only.`, fix, { kind });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
