import { describe, expect, it } from 'vitest';
import { detectMapping } from '../../src/imports/fields.js';
import { parseRow, type ParseContext } from '../../src/imports/parse-row.js';
import { parseContextFor } from './support.js';

/** One row's cells → a typed row or a quarantine reason (the field reference's rules). */
const HEADERS = ['Email', 'Name', 'Department', 'Employment Status'];
const ctx: ParseContext = parseContextFor(HEADERS);
const parse = (employment: string) => parseRow(2, ['ann@x.test', 'Ann', 'Engineering', employment], ctx);

describe('the employment type of a row', () => {
  it('reads the ways HRIS exports write a type', () => {
    for (const [cell, type] of [['Full-Time', 'perm'], ['Part-Time', 'perm'], ['Temporary', 'perm'], ['Intern', 'perm'], ['Contractor', 'contractor'], ['Freelance', 'contractor']] as const) {
      expect(parse(cell).input?.employmentType, cell).toBe(type);
    }
    // Spreadsheet shorthands and the German mini-job: employees; an agency temp is a contractor.
    for (const [cell, type] of [['Temp', 'perm'], ['Internship', 'perm'], ['Summer internship', 'perm'], ['Minijob', 'perm'], ['Agency temp', 'contractor']] as const) {
      expect(parse(cell).input?.employmentType, cell).toBe(type);
    }
  });

  it('leaves the type alone for a status that is a state, not a type (BambooHR’s Terminated for a leaver)', () => {
    for (const cell of ['Terminated', 'Furloughed', 'On Leave']) {
      const row = parse(cell);
      expect(row.reason, cell).toBeNull();
      expect(row.input?.employmentType, cell).toBeUndefined();
    }
  });

  it('reads Terminated as a leaver when the file has no status (a BambooHR export, a webhook sending only it)', () => {
    expect(parse('Terminated').input).toMatchObject({ inactiveFrom: '2026-11-29' });
    const headers = ['Email', 'Name', 'Department', 'Employment Status', 'Termination Date', 'Status'];
    const context = parseContextFor(headers);
    // The termination date is the last day employed: the model's end is the day after.
    expect(parseRow(2, ['ann@x.test', 'Ann', 'Ops', 'Terminated', '2026-05-01', ''], context).input).toMatchObject({ validTo: '2026-05-02' });
    // A status says it all.
    expect(parseRow(2, ['ann@x.test', 'Ann', 'Ops', 'Terminated', '', 'Active'], context).input).toMatchObject({ validTo: null });
    expect(parseRow(2, ['ann@x.test', 'Ann', 'Ops', 'Full-Time', '', ''], context).input?.inactiveFrom).toBeUndefined();
  });

  it('reads the end date as the last day employed: a one-day contract is fine, a last day before the start is not', () => {
    const headers = ['Email', 'Name', 'Department', 'Hire Date', 'Termination Date'];
    const context = parseContextFor(headers);
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '2026-03-02', '2026-03-02'], context).input).toMatchObject({ validFrom: '2026-03-02', validTo: '2026-03-03' });
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '2026-03-02', '2026-03-01'], context).reason).toEqual({
      code: 'invalid_date',
      field: 'end_date',
      detail: 'the last day 2026-03-01 is before the start date 2026-03-02',
    });
  });

  it('quarantines anything else as invalid_employment_type, naming the field', () => {
    expect(parse('Wizard').reason).toMatchObject({ code: 'invalid_employment_type', field: 'employment_type' });
  });
});

describe('dates, statuses and currencies as spreadsheets write them', () => {
  const headers = ['Email', 'Name', 'Department', 'Hire Date', 'Status', 'Currency', 'Salary Cents'];
  const context = parseContextFor(headers);
  const row = (cells: { date?: string; status?: string; currency?: string }) => parseRow(2, ['ann@x.test', 'Ann', 'Engineering', cells.date ?? '', cells.status ?? '', cells.currency ?? '', cells.currency ? '100' : ''], context);

  it('reads dates that cannot be misread: ISO, year first, day-first dotted', () => {
    for (const [cell, day] of [['2024-03-05', '2024-03-05'], ['2024-03-05T00:00:00Z', '2024-03-05'], ['2024/3/5', '2024-03-05'], ['05.03.2024', '2024-03-05'], ['5.3.2024', '2024-03-05'], ['2024-03-05 00:00:00', '2024-03-05'], ['05.03.2024 00:00', '2024-03-05']]) {
      expect(row({ date: cell }).input?.validFrom, cell).toBe(day);
    }
  });

  it('refuses slashed dates with the year last, saying why, and impossible days', () => {
    expect(row({ date: '03/05/2024' }).reason).toMatchObject({ code: 'invalid_date', field: 'start_date', detail: expect.stringContaining('whether the day or the month comes first depends on who saved the file') });
    expect(row({ date: '31.02.2024' }).reason).toMatchObject({ code: 'invalid_date' });
    // A date cell exported as a number (Excel's serial day): say so.
    expect(row({ date: '43836' }).reason).toMatchObject({ code: 'invalid_date', detail: '“43836” is not a date written YYYY-MM-DD (a spreadsheet’s day number: format the column as a date, YYYY-MM-DD, before saving the file)' });
    expect(row({ date: '05.03.2024 14:30' }).reason).toMatchObject({ code: 'invalid_date' });
  });

  it('refuses a two-digit year saying which four-digit year to write, without guessing the century', () => {
    const detail = (date: string, order?: 'day_first') => (order ? parseRow(2, ['ann@x.test', 'Ann', 'Engineering', date, '', '', ''], { ...context, dateOrder: order }) : row({ date })).reason;
    expect(detail('05-Mar-24')).toEqual({ code: 'invalid_date', field: 'start_date', detail: '“05-Mar-24” has a two-digit year, and the import does not guess the century: write the year with four digits — 05-Mar-2024 if that is the year meant' });
    expect(detail('05.03.24')?.detail).toContain('— 05.03.2024 if that is the year meant');
    expect(detail('March 5, 24')?.detail).toContain('— March 5, 2024 if that is the year meant');
    // A year more than ten years ahead is offered as last century's.
    expect(detail('1.2.68')?.detail).toContain('— 1.2.1968 if that is the year meant');
    // Slashes: the order is asked for too, unless the import already says it.
    expect(detail('3/5/24')?.detail).toBe('“3/5/24” has a two-digit year, and the import does not guess the century: write the year with four digits — 3/5/2024 if that is the year meant, and say in the import’s settings whether the day or the month comes first (“Dates like 03/05/2024”)');
    expect(detail('3/5/24', 'day_first')?.detail).toBe('“3/5/24” has a two-digit year, and the import does not guess the century: write the year with four digits — 3/5/2024 if that is the year meant');
    // An impossible day of a year written in full is still said as such.
    expect(detail('2024-02-30')?.detail).toContain('February 2024 has 29 days');
  });

  it('reads a person on leave as active, a resigned one as inactive', () => {
    expect(row({ status: 'On Leave' }).input).toMatchObject({ validTo: null });
    expect(row({ status: 'Leave of Absence' }).reason).toBeNull();
    expect(row({ status: 'Resigned' }).input).toMatchObject({ inactiveFrom: '2026-11-29' });
    // Other HR systems' words (Personio's onboarding and leave, Workday's separated…).
    for (const status of ['Onboarding', 'Leave', 'On_Leave', 'Parental leave', 'Notice period']) expect(row({ status }).input, status).toMatchObject({ validTo: null });
    // Still employed until their last day: garden leave, offboarding (the end date, if any, says when they go).
    for (const status of ['Garden leave', 'Offboarding', 'Pre-hire']) expect(row({ status }).input, status).toMatchObject({ validTo: null });
    for (const status of ['Separated', 'Ex-employee', 'Former Employee', 'Deceased']) expect(row({ status }).input, status).toMatchObject({ inactiveFrom: '2026-11-29' });
    expect(row({ status: 'Maybe' }).reason).toMatchObject({ code: 'invalid_status' });
  });

  it('names the active currencies when a row’s is not one', () => {
    expect(row({ currency: 'chf' }).reason).toMatchObject({ code: 'invalid_currency', detail: 'CHF is not an active currency of this tenant (active: EUR)' });
    expect(row({ currency: 'eur' }).input?.pay).toMatchObject({ currency: 'EUR', amountMinor: 100 });
  });
});

describe('an FTE as spreadsheets write it', () => {
  const headers = ['Email', 'Name', 'Department', 'FTE'];
  const context = parseContextFor(headers);
  const fte = (cell: string) => parseRow(2, ['ann@x.test', 'Ann', 'Engineering', cell], context);

  it('reads decimals with a point or a comma, and whole percentages', () => {
    for (const [cell, value] of [['0.8', 0.8], ['0,8', 0.8], ['80%', 0.8], ['80 %', 0.8], ['100 %', 1], ['1', 1]] as const) {
      expect(fte(cell).input?.fte, cell).toBe(value);
    }
  });

  it('refuses a number beyond 3 suggesting a percentage, and a percentage out of range or with decimals', () => {
    expect(fte('80').reason).toMatchObject({ code: 'invalid_fte', field: 'fte', detail: '80 must be from 0.01 to 3.00, and looks like a percentage: write 0.8 or 80 % (or head the column “FTE %” if it holds percentages)' });
    expect(fte('100').reason?.detail).toBe('100 must be from 0.01 to 3.00, and looks like a percentage: write 1 or 100 % (or head the column “FTE %” if it holds percentages)');
    expect(fte('50.0').reason?.detail).toContain('looks like a percentage: write 0.5 or 50 %');
    // A number no percentage would be is said to be out of range, nothing more.
    expect(fte('9').reason?.detail).toBe('9 must be from 0.01 to 3.00');
    expect(fte('350 %').reason).toMatchObject({ code: 'invalid_fte', detail: '350 % must be from 1 % to 300 %' });
    expect(fte('33.3%').reason).toMatchObject({ code: 'invalid_fte', detail: '“33.3%” is not a whole percentage (an FTE has two decimals at most): write 33 % or 0.33' });
    expect(fte('0').reason).toMatchObject({ code: 'invalid_fte' });
  });
});

describe('header spellings of HR exports', () => {
  it('maps e-mail, position, manager e-mail and joining/exit date variants', () => {
    const headers = ['E-mail Address', 'Position', 'Manager E-mail', 'Date of Joining', 'Exit Date'];
    expect(detectMapping(headers, 'orgonaut').map((m) => m.field)).toEqual(['email', 'job_title', 'manager_email', 'start_date', 'end_date']);
  });
});

describe('a row without an email in an Orgonaut CSV', () => {
  it('says an employee id is no identity there, and what would be', () => {
    const headers = ['Employee ID', 'Email', 'Name', 'Department'];
    const context = parseContextFor(headers);
    expect(parseRow(2, ['1001', '', 'Ann', 'Ops'], context).reason).toMatchObject({ code: 'missing_required_field', field: 'email', detail: expect.stringContaining('add source_hris + source_hris_id columns, or import the file as BambooHR') });
    expect(parseRow(2, ['', '', 'Ann', 'Ops'], context).reason?.detail).toBe('is blank, and email is this file’s only identity');
  });
});

describe('a row for a vacant position', () => {
  it('says it looks like a vacancy and that the position is added in Orgonaut, in a hand-kept sheet and a BambooHR export', () => {
    const headers = ['Email', 'First name', 'Last name', 'Department', 'Job title'];
    const context = parseContextFor(headers);
    const detail = (first: string, last: string) => parseRow(2, ['', first, last, 'Data', 'Data Analyst'], context).reason?.detail;
    expect(detail('Vacant', 'Position')).toBe('is blank: this looks like a vacant position (“Vacant Position”), not a person — the import brings in people only: ignore the row, and add the position to its unit in Orgonaut');
    for (const [first, last] of [['TBH', ''], ['Open', 'Role'], ['To be hired', '(Q1)'], ['N.N.', ''], ['Vakant', '']]) expect(detail(first!, last!), first).toContain('looks like a vacant position');
    // People, even with names that start like one, are told what identity is missing.
    for (const [first, last] of [['Nnamdi', 'Okoro'], ['Tbilisi', 'Desk'], ['Vacanti', 'Rosa']]) expect(detail(first!, last!), first).toBe('is blank, and email is this file’s only identity');
    const bamboo = parseContextFor(['PersonID', 'Name', 'Email', 'Department'], { format: 'bamboohr' });
    expect(parseRow(2, ['', 'TBH - Data Analyst', '', 'Data'], bamboo).reason).toMatchObject({ code: 'missing_required_identity', detail: expect.stringContaining('looks like a vacant position (“TBH - Data Analyst”)') });
  });
});

describe('a malformed email', () => {
  const headers = ['Email', 'Name', 'Department', 'Manager Email'];
  const context = parseContextFor(headers);
  const detail = (email: string, manager = '') => parseRow(2, [email, 'Ann', 'Ops', manager], context).reason?.detail;

  it('is named with what to look for', () => {
    expect(detail('ann lee@x.test')).toBe('“ann lee@x.test” is not a valid email address (it contains a space), and it is this row’s only identity');
    expect(detail('ann.x.test')).toContain('(it has no @)');
    expect(detail('ann@hrco')).toContain('(its domain has no ending such as .com)');
    expect(detail('ann@x.test', 'boss@@x.test')).toBe('“boss@@x.test” is not a valid email address');
  });
});

describe('an unknown type', () => {
  it('is named with the types the tenant has, or that it has none yet', () => {
    const headers = ['Email', 'Name', 'Department', 'Department Type', 'Team', 'Team Type'];
    const base: ParseContext = { ...ctx, mapping: detectMapping(headers, 'orgonaut'), headerCount: headers.length, departmentTypes: new Set(['sales']) };
    const context: ParseContext = { ...base, typeNames: { departments: ['Sales'], teams: [] } };
    expect(parseRow(2, ['a@x.test', 'A', 'Labs', 'Lab', '', ''], context).reason?.detail).toBe('“Lab” is not a department type of this tenant (it has: Sales)');
    expect(parseRow(2, ['a@x.test', 'A', 'Labs', 'sales', 'Pod', 'Squad'], context).reason?.detail).toBe('“Squad” is not a team type of this tenant (it has none yet)');
    expect(parseRow(2, ['a@x.test', 'A', 'Labs', 'Lab', '', ''], base).reason?.detail).toBe('“Lab” is not a department type of this tenant');
  });
});

describe('an FTE column headed as a percentage', () => {
  it('reads its numbers as percentages', () => {
    const headers = ['Email', 'Name', 'Department', 'FTE %'];
    const context = parseContextFor(headers);
    expect(context.mapping[3]!.field).toBe('fte');
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '80'], context).input?.fte).toBe(0.8);
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '100 %'], context).input?.fte).toBe(1);
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '0.8'], context).reason).toMatchObject({
      code: 'invalid_fte',
      field: 'fte',
      detail: '“0.8” would be 0.8 % of full time in “FTE %”, a column of percentages: write 80 (or 80 %) for 0.8 FTE — or, if the column holds fractions of full time, head it “FTE”',
    });
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '1'], context).reason?.detail).toBe('“1” would be 1 % of full time in “FTE %”, a column of percentages: write 100 (or 100 %) for 1 FTE — or, if the column holds fractions of full time, head it “FTE”');
    // Written with its sign, a percentage is what it says.
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '5 %'], context).input?.fte).toBe(0.05);
    const spelled = ['Email', 'Name', 'Department', 'FTE pct'];
    const other: ParseContext = { ...ctx, mapping: detectMapping(spelled, 'orgonaut'), headerCount: spelled.length };
    expect(parseRow(2, ['a@x.test', 'A', 'Ops', '50'], other).input?.fte).toBe(0.5);
  });
});

describe('an FTE column whose header says percent in other words', () => {
  const read = (header: string, cell: string) => {
    const headers = ['Email', 'Name', 'Department', header];
    const context = parseContextFor(headers);
    return { field: context.mapping[3]!.field, row: parseRow(2, ['a@x.test', 'A', 'Ops', cell], context) };
  };

  it('maps it to fte and reads its numbers as percentages', () => {
    for (const header of ['FTE %', 'FTE (%)', 'FTE in %', 'Work percentage', 'Employment %', 'Employment (%)', 'Work %', 'Working time %', 'Beschäftigungsgrad', 'Beschäftigungsgrad (%)', 'Arbeitspensum', 'Pensum', 'Taux d’activité', 'Taux d\'activité (%)', 'Quotité de travail']) {
      const { field, row } = read(header, '50');
      expect(field, header).toBe('fte');
      expect(row.input?.fte, header).toBe(0.5);
      expect(read(header, '80 %').row.input?.fte, header).toBe(0.8);
      expect(read(header, '100').row.input?.fte, header).toBe(1);
    }
  });

  it('leaves a plain FTE column and an unrelated percentage alone', () => {
    expect(read('FTE', '0.5').row.input?.fte).toBe(0.5);
    expect(read('Bonus %', '10').field).toBeNull();
    expect(read('Employment', 'Full-Time').field).toBeNull();
  });
});

describe('an allocation written as a fraction of full time', () => {
  const headers = ['Email', 'Name', 'Department', 'Allocation'];
  const context = parseContextFor(headers);
  const allocation = (cell: string) => parseRow(2, ['ann@x.test', 'Ann', 'Engineering', cell], context);

  it('reads percentages with or without the sign', () => {
    for (const [cell, value] of [['80', 80], ['80 %', 80], ['100%', 100], ['0', 0], ['150', 150], ['12.5', 12.5]] as const) {
      expect(allocation(cell).input?.allocationPct, cell).toBe(value);
    }
  });

  it('is refused with the percentage to write instead, not read as 0.5 %', () => {
    expect(allocation('0.5').reason).toEqual({ code: 'invalid_allocation', field: 'allocation_pct', detail: '0.5 looks like a fraction of full time, but the allocation is a percentage (0 to 300): write 50 (or 50 %)' });
    expect(allocation('1.0').reason?.detail).toContain('write 100 (or 100 %)');
    expect(allocation('1').reason?.detail).toContain('write 100 (or 100 %)');
    expect(allocation('0,25').reason?.detail).toContain('write 25 (or 25 %)');
    // Written with its sign, a small percentage is what it says.
    expect(allocation('1 %').input?.allocationPct).toBe(1);
    expect(allocation('350').reason?.detail).toBe('350 must be from 0 to 300 (percent)');
  });
});

describe('an organisation named with its manager, as Workday writes a supervisory organisation', () => {
  const department = (header: string, cell: string) => parseRow(2, ['ann@x.test', 'Ann', cell], parseContextFor(['Email', 'Name', header])).input?.department?.name;

  it('is the organisation, without the manager’s name, in a Supervisory Organization column', () => {
    expect(department('Supervisory Organization', 'Finance (Amir Khan)')).toBe('Finance');
    expect(department('Supervisory Organization', 'Research & Development (Anne-Marie van der Berg)')).toBe('Research & Development');
    expect(department('Supervisory Organization', 'Finance')).toBe('Finance');
    // One word in brackets is no person's name: it is part of the organisation's.
    expect(department('Supervisory Organization', 'Sales (EMEA)')).toBe('Sales (EMEA)');
  });

  it('is left as written in a department column of any other name', () => {
    expect(department('Department', 'Finance (Amir Khan)')).toBe('Finance (Amir Khan)');
  });
});
