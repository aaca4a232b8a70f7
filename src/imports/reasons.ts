import { FAMILIES, type Family } from '../org/types.js';

/**
 * Quarantine reason codes (reference/fix-common-import-errors.md, plus the ones this importer needs), the model
 * family each belongs to in run summaries, a short title people understand (web review, CLI) and what to do about each.
 */
export const REASONS = {
  missing_required_field: { title: 'A required field is blank or malformed', family: 'actors', fix: 'Fill in the field; a blank or malformed email is this error when email is the file’s only identity. A line that is no person (a totals or notes line): ignore it.' },
  missing_required_identity: { title: 'Nothing identifies the person', family: 'actors', fix: 'Give a valid email, or both source_hris and source_hris_id, or (BambooHR) PersonID / employee_id.' },
  duplicate_email: { title: 'The email is on another row too', family: 'actors', fix: 'Merge the rows: one canonical row per person. In the review, ignore the others and queue the one to keep (“Save fix and queue”, changed or not). A person in several teams is one row with their main team (the import sets the primary placement); add the other teams in Orgonaut.' },
  duplicate_source_identity: { title: 'The HRIS id is on another row too', family: 'actors', fix: 'Keep one row per source record; make sure PersonIDs (in an Orgonaut CSV: employee ids) are unique. In the review, ignore the other rows and queue the one to keep (“Save fix and queue”, changed or not). A person in several teams is one row with their main team.' },
  identity_conflict: { title: 'Email and HRIS id point at different people', family: 'actors', fix: 'Correct the email or the source id so both point at the same person (or at nobody yet). Two rows of one person: keep one — ignore the other, or correct its identity if it is someone else.' },
  live_changed: { title: 'Changed since the file was read', family: 'actors', fix: 'Another import, a promotion or a restore changed this person in Live (or, for an import into a scenario, an edit of the scenario or of Live changed them there) after the file was read, so the row no longer means what it did. To update the person as they are now, put their current email or HRIS id in the row and queue it again; if the row is out of date, ignore it. To import it as it reads now all the same — a new person, or bringing back someone who left — queue it again unchanged: the next reprocess takes Live as it is then (or the scenario, for an import into one).' },
  invalid_email: { title: 'The email is not a valid address', family: 'actors', fix: 'Write the email as name@example.com.' },
  invalid_kind: { title: 'Unknown kind of actor', family: 'actors', fix: 'Use human, robot or agent.' },
  invalid_fte: { title: 'The FTE is not a valid number', family: 'actors', fix: 'Use a number from 0.01 to 3.00 with at most two decimals (0.8 or 0,8), or a whole percentage (80 %). A column of percentages without the sign: head it “FTE %”.' },
  invalid_date: { title: 'A date is not valid', family: 'actors', fix: 'Write dates as YYYY-MM-DD (for dates with the year last, like 03/05/2024, choose in the import’s settings whether the day or the month comes first), and make the end date later than the start date.' },
  invalid_status: { title: 'Unknown status', family: 'actors', fix: 'Use active or inactive.' },
  malformed_row: { title: 'The row has more cells than the header', family: 'actors', fix: 'The row has more cells than the header: quote fields that contain the separator.' },
  invalid_allocation: { title: 'The allocation is not a valid percentage', family: 'placements', fix: 'Use a percentage from 0 to 300 with at most two decimals (80 or 80 %; a fraction of full time such as 0.8 is written 80).' },
  invalid_employment_type: { title: 'Unknown employment type', family: 'positions', fix: 'Use perm (employee) or contractor.' },
  invalid_currency: { title: 'Unknown or inactive currency', family: 'compensations', fix: 'Use an active currency of this tenant (settings), written as its ISO code, e.g. EUR.' },
  invalid_amount: { title: 'The pay amount is not valid', family: 'compensations', fix: 'Give one pay amount per row: base_salary or daily_rate as HR systems write it (85000, 85,000.00, 85.000,00), or base_salary_cents / daily_rate_cents as a whole number of cents (8500000).' },
  hourly_pay: { title: 'Pay by the hour', family: 'compensations', fix: 'Orgonaut keeps an annual base salary or a day rate, never an hourly rate: give the person’s annual salary (with the period Year, or no period) or their day rate (with the period Day). The period comes from the pay period column (Pay Per, Salary pay period, Frequency), else the pay type (Hourly) or the amount itself (40/hour).' },
  invalid_pay_period: { title: 'The pay period is not readable', family: 'compensations', fix: 'Write the period of the pay amount as Year, Month, Quarter, Week, Day or Hour (also Annual, Monthly, Yearly…); Month and Quarter amounts are imported as the annual salary. It must agree with a period written in the amount, and a day rate column takes the period Day only.' },
  unknown_department_type: { title: 'Unknown department type', family: 'departments', fix: 'Use an existing department type, or turn on “create missing types”.' },
  unknown_team_type: { title: 'Unknown team type', family: 'teams', fix: 'Use an existing team type, or turn on “create missing types”.' },
  department_named_like_team: { title: 'A team here already has this name', family: 'departments', fix: 'Orgonaut does not make a department beside a team of the same name, nor turn a team into a department. If the person belongs in that team, write the team in the team column and the department it sits in in the department column. If it has become a department, make it one in Orgonaut first (rename or close the team), then reprocess.' },
  ambiguous_team: { title: 'Several teams have this name', family: 'teams', fix: 'Several teams have this name: fill in the department column to say which one is meant (or rename one of the teams).' },
  unknown_manager: { title: 'The manager was not found', family: 'reportingLines', fix: 'Name a manager who is in this file or already in the organisation: by email or employee id, or by a name only one person has (two people of one name: give the email).' },
  inactive_manager: { title: 'The manager has left', family: 'reportingLines', fix: 'Name the person’s current manager, or leave the manager blank for a top-level leader. The one named has left (an end date on or before today, or an inactive status, in this file or in the organisation); if they have not, correct their end date or status.' },
  reporting_cycle: { title: 'The reporting line makes a loop', family: 'reportingLines', fix: 'Break the loop: someone in the chain must report to someone outside it.' },
} as const satisfies Record<string, { title: string; family: Family; fix: string }>;

export type ReasonCode = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** A reason code as a short phrase (an unknown code, from a newer server, spelled out). */
export function reasonTitle(code: string): string {
  return (REASONS as Record<string, { title: string }>)[code]?.title ?? code.replaceAll('_', ' ');
}

/** What to do about a reason code (null for a code this version does not know). */
export function reasonFix(code: string): string | null {
  return (REASONS as Record<string, { fix: string }>)[code]?.fix ?? null;
}

/** One problem of a row: the code, the field at fault (import field name) and a sentence for people. */
export interface Problem {
  code: ReasonCode;
  field: string | null;
  detail: string;
}

/**
 * Why a row was quarantined: its first problem (the reason summaries count), and `others`, the further problems its
 * cells have on their own — all said at once, so a reviewer fixes them in one go.
 */
export interface Quarantine extends Problem {
  others?: Problem[];
}

export function quarantine(code: ReasonCode, field: string | null, detail: string): Quarantine {
  return { code, field, detail };
}

/** Thrown inside row parsing to quarantine the row being parsed. */
export class RowRejected extends Error {
  constructor(readonly reason: Quarantine) {
    super(reason.detail);
  }
}

export function reject(code: ReasonCode, field: string | null, detail: string): never {
  throw new RowRejected(quarantine(code, field, detail));
}

/**
 * A run's model families in words and in the order the pipeline goes through them, for summaries people read (the
 * CLI's `import status`); the API keeps its keys (`orgUnits`, `reportingLines`). The same words as the run's page.
 */
export const FAMILY_LABELS: Record<Family, string> = {
  orgUnits: 'Org units',
  departments: 'Departments',
  teams: 'Teams',
  actors: 'People and other actors',
  reportingLines: 'Reporting lines',
  placements: 'Placements',
  positions: 'Positions',
  compensations: 'Compensation',
};
export { FAMILIES };
