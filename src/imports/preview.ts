import { and, asc, eq } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { importRows } from '../db/schema/index.js';
import { InvalidInput } from '../errors.js';
import { minorUnits } from '../org/cost.js';
import { actorAllowance } from '../tenancy/plans.js';
import { loadScenario } from '../scenarios/store.js';
import { parseContext } from './execute.js';
import { headerSaysPercent, MONEY_IMPORT_FIELDS, organisationName, type ColumnMapping } from './fields.js';
import { managerNameColumn } from './manager-columns.js';
import { unmappedForNewPeople } from './mapping.js';
import { columnDateOrder, lastFirst, looksLikePercent, parseRow, type DateOrder, type ParseContext } from './parse-row.js';
import { planImport, type RowResult } from './plan/plan.js';
import { presentReason, presentRun } from './present.js';
import { REASONS, type ReasonCode } from './reasons.js';
import { sameFileImported, sameFileWarning } from './same-file.js';
import { countRowsToProcess, importedRows, liveRecordsEnteredToday, loadRun, rowsToProcess, targetScenarioNames } from './store.js';
import { loadReferences } from './target.js';

/**
 * What a run would do, without doing it: the first rows as the mapping reads them (each with the reason it would be
 * quarantined, if any), and counts from a dry run of the whole plan over the current organisation — rows imported
 * and quarantined, records created / updated / unchanged per family, and the actor allowance after the import.
 */
export async function previewRun(ctx: ServiceContext, id: string, options: { rows?: number } = {}) {
  authorize(ctx.principal, 'imports.manage');
  const sampleSize = options.rows ?? 20;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 200) throw new InvalidInput('rows', 'must be a whole number from 1 to 200');
  const run = await loadRun(ctx.db, ctx.tenant.id, id);
  const mapping = run.mapping as ColumnMapping[];
  const references = await loadReferences(ctx, run.options.create_missing_types === true);
  const parse = parseContext(run, references);
  const showMoney = can(ctx.principal, 'costs.read');

  const first = await ctx.db
    .select({ rowNumber: importRows.rowNumber, line: importRows.line, values: importRows.values, status: importRows.status, reasonCode: importRows.reasonCode, reasonField: importRows.reasonField, reasonDetail: importRows.reasonDetail, reasonOthers: importRows.reasonOthers })
    .from(importRows)
    .where(and(eq(importRows.tenantId, ctx.tenant.id), eq(importRows.runId, run.id)))
    .orderBy(asc(importRows.rowNumber))
    .limit(sampleSize);
  const warnings = mappingWarnings(run.mapping as ColumnMapping[], run.format, showMoney, managerNameColumn(mapping, first.map((r) => r.values)));
  if (showMoney) warnings.push(...centsWarnings(mapping, first));
  const hourly = showMoney ? hourlyLookingPayWarning(mapping, first, parse) : null;
  if (hourly) warnings.push(hourly);
  warnings.push(...headerDateOrderNotes(mapping, showMoney));
  const reversed = lastFirstWarning(mapping, first.map((r) => r.values));
  if (reversed) warnings.push(reversed);
  const percentages = ftePercentWarning(mapping, first.map((r) => r.values));
  if (percentages) warnings.push(percentages);
  const withManager = organisationManagerWarning(mapping, first.map((r) => r.values));
  if (withManager) warnings.push(withManager);
  const same = await sameFileImported(ctx, run);
  if (same) warnings.push(sameFileWarning(same, run.targetKind === 'scenario'));
  const reprocess = run.status === 'completed';
  const total = await countRowsToProcess(ctx.db, ctx.tenant.id, run.id, reprocess);
  let counts = null;
  let results: Map<number, RowResult> | null = null;
  if (!warnings.some((w) => w.code === 'no_identity') && total > 0) {
    const scenario = run.targetKind === 'scenario' && run.targetScenarioId ? await loadScenario(ctx.db, ctx.tenant.id, run.targetScenarioId) : null;
    const base = scenario ? await ctx.graphs.scenario(scenario) : (await ctx.graphs.live(ctx.tenant.id)).graph;
    const enteredToday = scenario ? undefined : await liveRecordsEnteredToday(ctx.db, ctx.tenant.id, parse.today);
    const plan = await planImport({ rows: () => rowsToProcess(ctx.db, ctx.tenant.id, run.id, reprocess), total, earlier: run.step > 0 ? () => importedRows(ctx.db, ctx.tenant.id, run.id) : undefined, parse, base, companyName: ctx.tenant.name, types: references.types, enteredToday });
    results = plan.rows;
    // Dates with the year last, refused until the person importing says which comes first.
    // A row's every problem counts: a slashed date may be its second one, after a bad FTE.
    const slashedDate = (p: { code: string; detail: string }) => p.code === 'invalid_date' && p.detail.includes('depends on who saved the file');
    const slashed = [...plan.rows.values()].filter((r) => r.status === 'quarantined' && (slashedDate(r.reason) || !!r.reason.others?.some(slashedDate))).length;
    if (slashed && !parse.dateOrder) {
      const shown = orderShown(mapping, first.map((r) => r.values));
      const hint = shown ? ` The file’s own dates say the ${shown.order === 'month_first' ? 'month' : 'day'} comes first: “${shown.example.slice(0, 20)}” has no month ${shown.notMonth}.` : '';
      warnings.push({
        code: 'date_order',
        message: `${slashed} row(s) write dates with the year last (03/05/2024), which is refused while it is not known whether the day or the month comes first: choose it in the import’s settings (“Dates like 03/05/2024”; options.date_order over the API).${hint}`,
      });
    }
    const rows = { total, would_import: 0, would_quarantine: 0, created: 0, updated: 0, unchanged: 0 };
    const reasons: Record<string, number> = {};
    for (const r of plan.rows.values()) {
      if (r.status === 'imported') {
        rows.would_import++;
        rows[r.outcome]++;
      } else {
        rows.would_quarantine++;
        reasons[r.reason.code] = (reasons[r.reason.code] ?? 0) + 1;
      }
    }
    const allowance = actorAllowance(ctx.tenant);
    const { before, after } = plan.activeActors;
    counts = {
      rows,
      families: showMoney ? plan.families : { ...plan.families, compensations: undefined },
      quarantine_reasons: reasons,
      actors: { active_before: before, active_after: after, allowance: Number.isFinite(allowance) ? allowance : null, exceeds_allowance: !scenario && after > allowance && after > before },
    };
  }
  // Each sample row's reason: the plan's (duplicates, managers, cycles… need the whole file); for a row the plan left
  // out, the one it was quarantined for by an earlier step, else its own cells'.
  const sample = first.map((row) => {
    const planned = results?.get(row.rowNumber);
    const stored = row.status === 'quarantined' && row.reasonCode && isReason(row.reasonCode) ? { code: row.reasonCode, field: row.reasonField, detail: row.reasonDetail ?? '', others: row.reasonOthers } : null;
    const reason = planned ? (planned.status === 'quarantined' ? planned.reason : null) : row.status === 'pending' ? parseRow(row.rowNumber, row.values, parse).reason : stored;
    const fields: Record<string, string | null> = {};
    for (const m of mapping) if (m.field && (showMoney || !MONEY_IMPORT_FIELDS.has(m.field))) fields[m.field] = row.values[m.column] ?? null;
    return { row_number: row.rowNumber, line: row.line, fields, problem: reason ? presentReason(reason, ctx.principal) : null };
  });
  return { run: presentRun(run, ctx.principal, await targetScenarioNames(ctx.db, ctx.tenant.id, [run])), headers: run.headers, sample, counts, warnings };
}

/**
 * The date columns whose headers state the order (`Start date (DD/MM/YYYY)`): said, with how 03/05/2024 is read, so
 * a header that does not match the file is seen before the run — the import's “Dates like 03/05/2024” does not apply.
 */
function headerDateOrderNotes(mapping: readonly ColumnMapping[], showMoney: boolean) {
  const byOrder = new Map<DateOrder, string[]>();
  for (const m of mapping) {
    if (!m.field || !DATE_FIELDS.has(m.field) || (!showMoney && MONEY_IMPORT_FIELDS.has(m.field))) continue;
    const { order, header } = columnDateOrder({ mapping, dateOrder: null }, m.field);
    if (order && header) byOrder.set(order, [...(byOrder.get(order) ?? []), `“${header.slice(0, 40)}”`]);
  }
  return [...byOrder].map(([order, headers]) => ({
    code: 'date_order_from_header',
    message: `Dates with the year last in ${headers.join(' and ')} are read ${order === 'day_first' ? 'day' : 'month'} first, as the header${headers.length > 1 ? 's say' : ' says'} (03/05/2024 is ${order === 'day_first' ? '3 May' : 'March 5,'} 2024).`,
  }));
}

/**
 * Which comes first in the first rows' dates with the year last, when they say so — a number above 12 can only be a
 * day (11/20/2021: month first) — and none says the other: a hint for the person choosing, never read by itself.
 */
function orderShown(mapping: readonly ColumnMapping[], sample: readonly (readonly (string | null)[])[]): { order: DateOrder; example: string; notMonth: number } | null {
  const columns = mapping.filter((m) => m.field && DATE_FIELDS.has(m.field) && !columnDateOrder({ mapping, dateOrder: null }, m.field).header);
  const found = new Map<DateOrder, { example: string; notMonth: number }>();
  for (const values of sample) {
    for (const m of columns) {
      const value = values[m.column]?.trim() ?? '';
      const date = /^(\d{1,2})[/-](\d{1,2})[/-]\d{4}\b/.exec(value);
      if (!date) continue;
      const [first, second] = [Number(date[1]), Number(date[2])];
      if (second > 12 && second <= 31 && first <= 12 && !found.has('month_first')) found.set('month_first', { example: value, notMonth: second });
      if (first > 12 && first <= 31 && second <= 12 && !found.has('day_first')) found.set('day_first', { example: value, notMonth: first });
    }
  }
  if (found.size !== 1) return null;
  const [order, shown] = [...found][0]!;
  return { order, ...shown };
}

const DATE_FIELDS: ReadonlySet<string> = new Set(['start_date', 'end_date', 'pay_effective_date']);

/**
 * A plain FTE column whose first rows hold whole numbers like 80: percentages without their sign, each row quarantined
 * saying so — said once for the column, with how to have them read as percentages.
 */
function ftePercentWarning(mapping: readonly ColumnMapping[], sample: readonly (readonly (string | null)[])[]) {
  const column = mapping.find((m) => m.field === 'fte');
  if (!column || headerSaysPercent(column.header)) return null;
  const example = sample.map((values) => values[column.column]?.trim() ?? '').find(looksLikePercent);
  if (!example) return null;
  const n = Number(example.replace(',', '.'));
  return {
    code: 'fte_percentages',
    message: `“${column.header.slice(0, 40)}” holds whole numbers such as ${example.slice(0, 10)}, out of range for an FTE (0.01 to 3.00): if they are percentages, head the column “${column.header.trim().slice(0, 30)} %” and upload the file again, or write them ${n / 100} or ${n} % (the rows are quarantined until then).`,
  };
}

/** A department column whose first rows name each organisation with its manager (Workday's): said, with how it is read. */
function organisationManagerWarning(mapping: readonly ColumnMapping[], sample: readonly (readonly (string | null)[])[]) {
  const column = mapping.find((m) => m.field === 'department');
  if (!column) return null;
  for (const values of sample) {
    const value = values[column.column]?.trim() ?? '';
    const read = organisationName(value, column.header);
    if (!read.manager) continue;
    return {
      code: 'organisation_manager',
      message: `“${column.header.slice(0, 40)}” names each organisation with its manager, as Workday does (“${value.slice(0, 60)}”): the department is read without the name (${read.name.slice(0, 40)}), so it stays one department when its manager changes.`,
    };
  }
  return null;
}

/** A name column whose first rows are written `Last, First`: said, with how they are read. */
function lastFirstWarning(mapping: readonly ColumnMapping[], sample: readonly (readonly (string | null)[])[]) {
  const column = mapping.find((m) => m.field === 'name');
  if (!column) return null;
  const example = sample.map((values) => values[column.column]?.trim() ?? '').find((v) => lastFirst(v));
  if (!example) return null;
  return {
    code: 'name_last_first',
    message: `“${column.header.slice(0, 40)}” holds names written Last, First (such as “${example.slice(0, 40)}”): each is read as First Last (${lastFirst(example)!.name.slice(0, 40)}), as people are shown everywhere else.`,
  };
}

function mappingWarnings(mapping: ColumnMapping[], format: string, showMoney: boolean, managerNames: { header: string; example: string } | null) {
  const fields = new Set(mapping.map((m) => m.field).filter(Boolean));
  const warnings: { code: string; message: string }[] = [];
  if (!(fields.has('email') || fields.has('source_hris_id') || (format === 'bamboohr' && fields.has('employee_id')))) {
    warnings.push({ code: 'no_identity', message: 'No identity column is mapped: map email, source_hris + source_hris_id, or (BambooHR) PersonID.' });
  }
  const needs = unmappedForNewPeople(mapping);
  if (needs.has('name')) warnings.push({ code: 'no_name', message: 'No name column is mapped: new people will be quarantined. Map the column that holds names to name (or two to first_name and last_name).' });
  if (needs.has('department')) warnings.push({ code: 'no_department', message: 'No department or team column is mapped: new people will be quarantined. Map the column that holds departments to department (or teams to team).' });
  if (!['manager_email', 'manager_employee_id', 'manager_name', 'manager_first_name', 'manager_last_name'].some((f) => fields.has(f as never))) {
    // “Reports To” with names in it, unmapped by hand: say what it would do, and what finds managers surely.
    const names = managerNames
      ? `“${managerNames.header.slice(0, 40)}” holds names (such as “${managerNames.example.slice(0, 40)}”) and is not mapped: map it to manager_name (a name finds the manager when one person has it), or export the manager’s email or employee id too (BambooHR: “Supervisor EID”; most HR systems: “Manager email”) and map it. Until then, `
      : 'No manager column is mapped (manager_email, manager_employee_id or manager_name): ';
    warnings.push({ code: 'no_manager', message: `${names}reporting lines stay as they are, and new people get no manager.` });
  }
  // Managers named by id, people by no id: no manager of the file could be found by it.
  const ownId = fields.has('employee_id') || fields.has('source_hris_id');
  if (fields.has('manager_employee_id') && !ownId) {
    const header = mapping.find((m) => m.field === 'manager_employee_id')!.header.slice(0, 40);
    warnings.push({
      code: 'no_employee_id',
      message: `Managers are named by employee id (“${header}”), but no column is mapped to employee_id: map the column holding each person’s own id, or managers named by it are found only among people already in the organisation.`,
    });
  }
  if (!showMoney && [...fields].some((f) => MONEY_IMPORT_FIELDS.has(f as never))) warnings.push({ code: 'pay_hidden', message: 'Pay columns are mapped; importing them needs the costs.read ability.' });
  // Named, so a second “Team” or an “E-mail” next to “Work Email” is seen to be left out (the first column of a field wins).
  const unmapped = mapping.filter((m) => !m.field).map((m) => (m.header ? `“${m.header.slice(0, 40)}”` : `column ${m.column + 1} (no header)`));
  if (unmapped.length) {
    const names = unmapped.length > 10 ? `${unmapped.slice(0, 10).join(', ')} and ${unmapped.length - 10} more` : unmapped.join(', ');
    warnings.push({ code: 'unmapped_columns', message: `${unmapped.length} column(s) are not imported: ${names}.` });
  }
  return warnings;
}

/**
 * Pay read in cents (minor units) from a column: said plainly with the first value as it will be read, since HR
 * exports write salaries in the main unit (85000): imported as cents, that is 850.00.
 */
function centsWarnings(mapping: ColumnMapping[], rows: readonly { values: (string | null)[] }[]) {
  const currencyColumn = mapping.find((m) => m.field === 'currency')?.column;
  return mapping
    .filter((m) => m.field === 'base_salary_cents' || m.field === 'daily_rate_cents')
    .map((m) => {
      const major = m.field === 'base_salary_cents' ? 'base_salary' : 'daily_rate';
      const row = rows.find((r) => /^\d{1,13}(\.0+)?$/.test(r.values[m.column]?.trim() ?? ''));
      const value = row?.values[m.column]?.trim();
      const currency = (currencyColumn !== undefined ? row?.values[currencyColumn]?.trim().toUpperCase() : undefined) || null;
      const example = value ? `its first value, ${value}, will be read as ${readAs(Number.parseInt(value, 10), currency)}` : '8500000 is read as 85,000.00';
      return {
        code: 'pay_in_cents',
        message: `Pay in “${m.header.slice(0, 40)}” is read in cents (minor units): ${example}. If the column holds amounts as your HR system shows them (85000 or 85,000.00), map it to ${major} instead.`,
      };
    });
}

/**
 * Annual salaries among the first rows that look like hourly rates — 40.00 beside salaries of about 100,000: under a
 * 500th of the median salary in the same currency (a year has some 2,000 working hours) — when nothing said their
 * period: they would be imported as annual salaries, so the person importing reads it before the run.
 */
function hourlyLookingPayWarning(mapping: readonly ColumnMapping[], rows: readonly { rowNumber: number; values: (string | null)[] }[], parse: ParseContext) {
  const column = mapping.find((m) => m.field === 'base_salary' || m.field === 'base_salary_cents');
  if (!column) return null;
  const salaries = rows.flatMap((r) => {
    const pay = parseRow(r.rowNumber, r.values, parse).input?.pay;
    return pay?.kind === 'salary' ? [{ row: r.rowNumber, pay, written: r.values[column.column]?.trim() ?? '' }] : [];
  });
  const medianOf = (amounts: number[]) => [...amounts].sort((a, b) => a - b)[Math.floor(amounts.length / 2)]!;
  const suspects = salaries.filter((s) => {
    const same = salaries.filter((o) => o.pay.currency === s.pay.currency).map((o) => o.pay.amountMinor);
    return same.length > 1 && s.pay.amountMinor * 500 <= medianOf(same);
  });
  if (!suspects.length) return null;
  const first = suspects[0]!;
  const usual = medianOf(salaries.filter((s) => s.pay.currency === first.pay.currency && !suspects.includes(s)).map((s) => s.pay.amountMinor));
  const header = column.header.slice(0, 40);
  const around = `around ${readAs(usual, first.pay.currency)}`;
  const fix = 'If it is pay by the hour, give the annual salary instead, or add a pay period column (Pay Per: Hour) so such rows are quarantined to fix.';
  if (suspects.length === 1) {
    return {
      code: 'pay_looks_hourly',
      message: `Row ${first.row}’s pay in “${header}”, ${first.written.slice(0, 20)}, looks like an hourly rate beside the other rows’ salaries (${around}), yet it would be imported as an annual salary of ${readAs(first.pay.amountMinor, first.pay.currency)}. ${fix}`,
    };
  }
  const rowsNamed = suspects.slice(0, 5).map((s) => s.row).join(', ') + (suspects.length > 5 ? ` and ${suspects.length - 5} more` : '');
  return {
    code: 'pay_looks_hourly',
    message: `Rows ${rowsNamed} have pay in “${header}” that looks like hourly rates (${suspects.slice(0, 5).map((s) => s.written.slice(0, 20)).join(', ')}) beside the other rows’ salaries (${around}), yet each would be imported as an annual salary. ${fix}`,
  };
}

/** Minor units as the main unit, for a person: 8500000 EUR → “85,000.00 EUR”. */
function readAs(amountMinor: number, currency: string | null): string {
  const digits = currency && /^[A-Z]{3}$/.test(currency) ? minorUnits(currency) : 2;
  const amount = (amountMinor / 10 ** digits).toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return currency ? `${amount} ${currency}` : amount;
}

function isReason(code: string): code is ReasonCode {
  return Object.prototype.hasOwnProperty.call(REASONS, code);
}
