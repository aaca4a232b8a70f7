import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { previewRun } from '../../src/imports/preview.js';
import { listRows } from '../../src/imports/review.js';
import { startRun, updateRunSettings } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { testDatabase } from '../support/db.js';
import { importTenant, livePeople } from './support.js';

/**
 * A customer's first hour is getting their org in: exports as HR systems write them (BambooHR, Personio, HiBob,
 * Workday, Rippling) and a hand-made spreadsheet saved by Excel. Each is uploaded as it is: the headers map without
 * help, the preview says what a person needs to know, and the run puts every person under their manager, in their
 * department, with their FTE and pay.
 */

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

const csv = (rows: string[][], separator = ',') => rows.map((r) => r.map((v) => (/[",;\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(separator)).join('\r\n') + '\r\n';

async function upload(slug: string, body: string | Uint8Array, fileName: string) {
  const { owner } = await importTenant(database, { slug });
  const run = await createRunFromUpload(owner, { body, fileName });
  return { owner, run };
}

const mapped = (run: { mapping: { header: string; field: string | null }[] }) => Object.fromEntries(run.mapping.map((m) => [m.header, m.field]));


async function run(ctx: ServiceContext, id: string) {
  return (await startRun(ctx, id)).done;
}

describe('a BambooHR custom report', () => {
  const file = csv([
    ['Employee #', 'First Name', 'Last Name', 'Preferred Name', 'Job Title', 'Department', 'Division', 'Location', 'Work Email', 'Hire Date', 'Reporting to', 'Supervisor EID', 'Employment Status', 'Status', 'Termination Date'],
    ['1', 'Ada', 'Lovelace', '', 'CEO', 'Executive', 'Company', 'London', 'ada@bamboo.test', '2015-01-05', '', '', 'Full-Time', 'Active', '0000-00-00'],
    ['2', 'Grace', 'Hopper', '', 'VP Engineering', 'Engineering', 'Product', 'Remote', 'grace@bamboo.test', '2016-03-01', 'Lovelace, Ada', '1', 'Full-Time', 'Active', '0000-00-00'],
    ['3', 'Alan', 'Turing', 'Al', 'Engineer', 'Engineering', 'Product', 'London', 'alan@bamboo.test', '2019-06-01', 'Hopper, Grace', '2', 'Part-Time', 'Active', '0000-00-00'],
    ['4', 'Tim', 'Berners-Lee', '', 'Engineer', 'Engineering', 'Product', 'Remote', 'tim@bamboo.test', '2019-06-01', 'Hopper, Grace', '2', 'Terminated', 'Inactive', '2024-02-29'],
  ]);

  it('is read as BambooHR, with managers by Supervisor EID and the names in “Reporting to” left out', async () => {
    const { owner, run: created } = await upload('hrs-bamboo', file, 'employees.csv');
    expect(created.format).toBe('bamboohr');
    expect(mapped(created)).toMatchObject({ 'Employee #': 'employee_id', 'Supervisor EID': 'manager_employee_id', 'Reporting to': null, 'Work Email': 'email', 'Hire Date': 'start_date', 'Termination Date': 'end_date', Division: 'parent_department' });
    const preview = await previewRun(owner, created.id);
    expect(preview.counts?.rows).toMatchObject({ would_import: 4, would_quarantine: 0 });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 4, quarantined: 0 } });
    const org = await livePeople(owner);
    expect(org['alan@bamboo.test']).toMatchObject({ name: 'Alan Turing', manager: 'grace@bamboo.test', unit: 'Engineering', active: true });
    expect(org['tim@bamboo.test']).toMatchObject({ active: false });
  });
});

describe('a Personio export', () => {
  const file = csv([
    ['ID', 'First name', 'Last name', 'Email', 'Gender', 'Status', 'Position', 'Supervisor', 'Department', 'Team', 'Office', 'Subcompany', 'Cost center', 'Employment type', 'Weekly working hours', 'Hire date', 'Termination date'],
    ['101', 'Lena', 'Schmidt', 'lena@personio.test', 'female', 'active', 'Managing Director', '', 'Management', '', 'Munich', 'Acme GmbH', 'CC-100', 'internal', '40', '2018-04-01', ''],
    ['102', 'Jonas', 'Weber', 'jonas@personio.test', 'male', 'leave', 'Head of Sales', 'Lena Schmidt', 'Sales', 'Field Sales', 'Munich', 'Acme GmbH', 'CC-200', 'internal', '40', '2019-01-15', ''],
    ['103', 'Mia', 'Fischer', 'mia@personio.test', 'female', 'onboarding', 'Account Executive', 'Jonas Weber', 'Sales', 'Field Sales', 'Berlin', 'Acme GmbH', 'CC-200', 'external', '20', '2026-12-01', ''],
  ]);

  it('maps ID, Position and Office, reads internal / external, and finds managers by the names in “Supervisor”', async () => {
    const { owner, run: created } = await upload('hrs-personio', file, 'personio-export.csv');
    expect(created.format).toBe('orgonaut');
    expect(mapped(created)).toMatchObject({ ID: 'employee_id', Position: 'job_title', Office: 'location', Supervisor: 'manager_name', 'Employment type': 'employment_type', 'Cost center': 'cost_center' });
    const preview = await previewRun(owner, created.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_manager');
    expect(preview.counts?.rows).toMatchObject({ would_import: 3, would_quarantine: 0 });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 3, quarantined: 0 } });
    expect((await livePeople(owner))['mia@personio.test']).toMatchObject({ title: 'Account Executive', unit: 'Field Sales', active: true, manager: 'jonas@personio.test' });
  });

  it('says what an unmapped “Supervisor” of names would do, when the mapping leaves it out', async () => {
    const { owner, run: created } = await upload('hrs-personio-unmapped', file, 'personio-export.csv');
    const column = created.mapping.find((m) => m.header === 'Supervisor')!.column;
    await updateRunSettings(owner, created.id, { mapping: [{ column, field: null }] });
    const manager = (await previewRun(owner, created.id)).warnings.find((w) => w.code === 'no_manager');
    expect(manager?.message).toContain('“Supervisor” holds names (such as “Lena Schmidt”) and is not mapped: map it to manager_name');
  });
});

describe('a Personio export in German', () => {
  // As Personio writes it with the account in German and Excel saves it: semicolons, dotted dates, decimal commas.
  const file = csv([
    ['ID', 'Vorname', 'Nachname', 'E-Mail', 'Status', 'Position', 'Vorgesetzte(r)', 'Vorgesetzter E-Mail', 'Abteilung', 'Team', 'Standort', 'Eintrittsdatum', 'Austrittsdatum', 'Wochenstunden', 'FTE', 'Gehalt', 'Währung'],
    ['101', 'Lena', 'Schmidt', 'lena@personio-de.test', 'aktiv', 'Geschäftsführerin', '', '', 'Geschäftsführung', '', 'München', '01.04.2018', '', '40', '1', '150.000,00', 'EUR'],
    ['102', 'Jonas', 'Weber', 'jonas@personio-de.test', 'aktiv', 'Leiter Vertrieb', 'Lena Schmidt', 'lena@personio-de.test', 'Vertrieb', 'Außendienst', 'München', '15.01.2019', '', '40', '1', '95.000,00', 'EUR'],
    ['103', 'Mia', 'Fischer', 'mia@personio-de.test', 'aktiv', 'Account Executive', 'Jonas Weber', 'jonas@personio-de.test', 'Vertrieb', 'Außendienst', 'Berlin', '01.02.2022', '', '20', '0,5', '30.000,00', 'EUR'],
    ['104', 'Paul', 'Braun', 'paul@personio-de.test', 'inaktiv', 'Vertriebsassistent', 'Jonas Weber', 'jonas@personio-de.test', 'Vertrieb', '', 'Berlin', '01.03.2020', '31.12.2023', '40', '1', '45.000,00', 'EUR'],
  ], ';');

  it('maps the German headers without help and imports everyone under their manager, with FTE and pay', async () => {
    const { owner, run: created } = await upload('hrs-personio-de', file, 'Mitarbeiter_Export.csv');
    expect(mapped(created)).toMatchObject({
      ID: 'employee_id', Vorname: 'first_name', Nachname: 'last_name', 'E-Mail': 'email', Status: 'status', Position: 'job_title',
      'Vorgesetzter E-Mail': 'manager_email', Abteilung: 'department', Team: 'team', Standort: 'location', Eintrittsdatum: 'start_date',
      Austrittsdatum: 'end_date', FTE: 'fte', Gehalt: 'base_salary', Währung: 'currency',
      // Names (the manager is found by the email column), and hours, which say an FTE only against the company's full week.
      'Vorgesetzte(r)': null, Wochenstunden: null,
    });
    const preview = await previewRun(owner, created.id);
    expect(preview.counts?.rows).toMatchObject({ would_import: 4, would_quarantine: 0 });
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_manager');
    expect(preview.warnings.find((w) => w.code === 'unmapped_columns')?.message).toContain('Wochenstunden');
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 4, quarantined: 0 } });
    const org = await livePeople(owner);
    expect(org['mia@personio-de.test']).toMatchObject({ name: 'Mia Fischer', title: 'Account Executive', manager: 'jonas@personio-de.test', unit: 'Außendienst', fte: 0.5, pay: '30000 EUR', active: true });
    expect(org['lena@personio-de.test']).toMatchObject({ manager: null, unit: 'Geschäftsführung', pay: '150000 EUR' });
    expect(org['paul@personio-de.test']).toMatchObject({ active: false });
  });

  it('maps the basic French and Spanish headers, accents or not', async () => {
    const { run: french } = await upload('hrs-french', csv([['Prénom', 'Nom', 'E-mail', 'Service', "Date d'entrée", 'Poste'], ['Chloé', 'Dubois', 'chloe@fr.test', 'Finance', '02.01.2021', 'Comptable']]), 'salaries.csv');
    expect(mapped(french)).toEqual({ Prénom: 'first_name', Nom: 'last_name', 'E-mail': 'email', Service: 'department', "Date d'entrée": 'start_date', Poste: 'job_title' });
    const { run: spanish } = await upload('hrs-spanish', csv([['Nombre', 'Apellido', 'Correo electrónico', 'Departamento', 'Fecha de ingreso', 'Departement'], ['Lucía', 'García', 'lucia@es.test', 'Ventas', '2021-01-02', 'x']]), 'empleados.csv');
    expect(mapped(spanish)).toEqual({ Nombre: 'first_name', Apellido: 'last_name', 'Correo electrónico': 'email', Departamento: 'department', 'Fecha de ingreso': 'start_date', Departement: null });
  });
});

describe('a German payroll export (Personalnummer, Vorgesetzter ID)', () => {
  // As German payroll and HR tools (DATEV, SAP, Personio with ids) write it: people and managers by personnel number,
  // the kind of contract in words (Festangestellt, Freelancer, Extern), a cost center per department.
  const file = csv([
    ['Personalnummer', 'Vorname', 'Nachname', 'E-Mail', 'Position', 'Abteilung', 'Vorgesetzter ID', 'Beschäftigungsart', 'FTE', 'Kostenstelle'],
    ['P-20', 'Yusuf', 'Demir', 'yusuf@payroll-de.test', 'Leiter Data Science', 'Data Science', '', 'Festangestellt', '1', 'CC-400'],
    ['P-21', 'Mara', 'Klein', 'mara@payroll-de.test', 'Data Scientist', 'Data Science', 'P-20', 'Freelancer', '0,5', ''],
    ['P-22', 'Olaf', 'Berg', 'olaf@payroll-de.test', 'Data Engineer', 'Data Science', 'P-20', 'Extern', '1', ''],
  ], ';');

  it('maps the ids, the manager’s id, the contract kind and the cost center without help', async () => {
    const { owner, run: created } = await upload('hrs-payroll-de', file, 'Personalstamm.csv');
    expect(mapped(created)).toEqual({
      Personalnummer: 'employee_id', Vorname: 'first_name', Nachname: 'last_name', 'E-Mail': 'email', Position: 'job_title', Abteilung: 'department',
      'Vorgesetzter ID': 'manager_employee_id', Beschäftigungsart: 'employment_type', FTE: 'fte', Kostenstelle: 'cost_center',
    });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 3, quarantined: 0 } });
    const org = await livePeople(owner);
    expect(org['mara@payroll-de.test']).toMatchObject({ manager: 'yusuf@payroll-de.test', fte: 0.5, unit: 'Data Science' });
    expect(org['olaf@payroll-de.test']).toMatchObject({ manager: 'yusuf@payroll-de.test' });
    const graph = (await owner.graphs.live(owner.tenant.id)).graph;
    const kinds = Object.fromEntries([...graph.positions.values()].map((p) => [p.title, p.employmentType]));
    expect(kinds).toEqual({ 'Leiter Data Science': 'perm', 'Data Scientist': 'contractor', 'Data Engineer': 'contractor' });
    expect([...graph.departments.values()].map((d) => d.costCenter)).toEqual(['CC-400']);
  });
});

describe('a HiBob people report', () => {
  const file = csv([
    ['Employee ID', 'Display name', 'First name', 'Last name', 'Email', 'Department', 'Site', 'Job title', 'Reports to', 'Reports to email', 'Start date', 'Employment type', 'Work FTE %', 'Base salary', 'Base salary currency'],
    ['E-1', 'Noa Levi', 'Noa', 'Levi', 'noa@bob.test', 'Leadership', 'Tel Aviv', 'CEO', '', '', '2017-02-01', 'Permanent', '100', '180,000.00', 'USD'],
    ['E-2', 'Sam Cohen', 'Sam', 'Cohen', 'sam@bob.test', 'Product', 'London', 'Product Manager', 'Noa Levi', 'noa@bob.test', '2020-09-14', 'Permanent', '80', '85,000.00', 'GBP'],
  ]);

  it('maps the site and the FTE % and pay currency columns, and imports pay as written', async () => {
    const { owner, run: created } = await upload('hrs-hibob', file, 'bob.csv');
    expect(mapped(created)).toMatchObject({ 'Employee ID': 'employee_id', Site: 'location', 'Reports to': null, 'Reports to email': 'manager_email', 'Work FTE %': 'fte', 'Base salary currency': 'currency' });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 2, quarantined: 0 } });
    expect((await livePeople(owner))['sam@bob.test']).toMatchObject({ manager: 'noa@bob.test', fte: 0.8, pay: '85000 GBP' });
  });
});

describe('a Workday worker report', () => {
  const file = csv([
    ['Employee ID', 'Worker', 'Legal Name - First Name', 'Legal Name - Last Name', 'Primary Work Email', 'Business Title', 'Job Profile', 'Supervisory Organization', 'Cost Center', 'Manager', 'Manager Employee ID', 'Hire Date', 'Worker Type', 'Time Type', 'FTE', 'Location', 'Management Level', 'Annual Base Pay', 'Currency'],
    ['21001', 'Maria Garcia', 'Maria', 'Garcia', 'maria@wd.test', 'Chief Financial Officer', 'Executive', 'Finance', 'CC4000', '', '', '2012-07-01', 'Employee', 'Full time', '1', 'New York', 'Executive', '250000', 'USD'],
    ['21002', 'James Smith', 'James', 'Smith', 'james@wd.test', 'Senior Accountant', 'Accountant III', 'Finance', 'CC4000', 'Maria Garcia', '21001', '2018-03-12', 'Employee', 'Part time', '0.5', 'New York', 'Individual Contributor', '60000', 'USD'],
    ['21003', 'Priya Patel', 'Priya', 'Patel', 'priya@wd.test', 'Audit Consultant', 'Consultant', 'Finance', 'CC4000', 'Maria Garcia', '21001', '2025-01-06', 'Contingent Worker', 'Full time', '1', 'Remote', 'Individual Contributor', '', ''],
  ]);

  it('maps the legal names, work email, business title, management level and base pay; a contingent worker is a contractor', async () => {
    const { owner, run: created } = await upload('hrs-workday', file, 'Workers_Report.csv');
    expect(mapped(created)).toMatchObject({
      Worker: 'name',
      'Legal Name - First Name': 'first_name',
      'Legal Name - Last Name': 'last_name',
      'Primary Work Email': 'email',
      'Business Title': 'job_title',
      'Job Profile': null, // the business title comes first
      'Supervisory Organization': 'department',
      'Manager Employee ID': 'manager_employee_id',
      'Worker Type': 'employment_type',
      'Management Level': 'level',
      'Annual Base Pay': 'base_salary',
    });
    const preview = await previewRun(owner, created.id);
    expect(preview.counts?.rows).toMatchObject({ would_import: 3, would_quarantine: 0 });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 3, quarantined: 0 } });
    const org = await livePeople(owner);
    expect(org['james@wd.test']).toMatchObject({ name: 'James Smith', title: 'Senior Accountant', manager: 'maria@wd.test', fte: 0.5, pay: '60000 USD' });
    const graph = (await owner.graphs.live(owner.tenant.id)).graph;
    const priya = [...graph.actors.values()].find((a) => a.email === 'priya@wd.test')!;
    const seat = [...graph.placements.values()].find((p) => p.actorId === priya.id)!.positionId;
    expect(graph.positions.get(seat!)?.employmentType).toBe('contractor');
  });
});

describe('a Rippling employee export', () => {
  const file = csv([
    ['Legal first name', 'Legal last name', 'Preferred first name', 'Work email', 'Title', 'Department', 'Manager', "Manager's work email", 'Start date', 'Employment type', 'Work location', 'Annual salary', 'Salary currency'],
    ['Olivia', 'Brown', '', 'olivia@rippling.test', 'CEO', 'Executive', '', '', '2019-05-01', 'Salaried, full-time', 'San Francisco', '$240,000.00', 'USD'],
    ['Ethan', 'Lee', '', 'ethan@rippling.test', 'Support Specialist', 'Support', 'Olivia Brown', 'olivia@rippling.test', '2023-02-13', 'Hourly, part-time', 'Remote', '$41,600.00', 'USD'],
    ['Ava', 'Kim', '', 'ava@rippling.test', 'Designer', 'Design', 'Olivia Brown', 'olivia@rippling.test', '2024-08-01', 'Contractor', 'Remote', '', ''],
  ]);

  it('maps the legal names and the manager’s work email, and reads “Salaried, full-time” and “Hourly, part-time”', async () => {
    const { owner, run: created } = await upload('hrs-rippling', file, 'rippling.csv');
    expect(mapped(created)).toMatchObject({ 'Legal first name': 'first_name', 'Legal last name': 'last_name', "Manager's work email": 'manager_email', Manager: null, 'Work location': 'location', 'Annual salary': 'base_salary', 'Salary currency': 'currency' });
    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 3, quarantined: 0 } });
    expect((await livePeople(owner))['ethan@rippling.test']).toMatchObject({ name: 'Ethan Lee', manager: 'olivia@rippling.test', pay: '41600 USD' });
  });
});

describe('a hand-made spreadsheet saved by Excel', () => {
  const HEADER = ['Employee #', 'Name', 'E-Mail', 'Reports To', 'Job Title', 'Dept', 'Team', 'Hire Date', 'FTE %', 'Annual salary (EUR)', '', ''];
  const ROWS = [
    ['1001', 'Anna Müller', 'anna@excel.test', '', 'Geschäftsführerin', 'Management', '', '01.03.2015', '100', '150.000,00', '', ''],
    ['1002', 'Björn Schäfer', 'bjoern@excel.test', '1001', 'Head of Engineering', 'Engineering', 'Platform', '15.06.2018', '100', '110.000,00', '', ''],
    ['1003', 'Chloé Dubois', 'chloe@excel.test', '1002', 'Engineer', 'Engineering', 'Platform', '02.01.2021', '80', '72.000,00', '', ''],
    ['Total', '', '', '', '', '', '', '', '', '332.000,00', '', ''],
  ];
  /** Semicolons, CRLF, trailing empty columns, a totals row, and a separator-only last line. */
  const text = csv([HEADER, ...ROWS], ';') + ';;;;;;;;;;;\r\n';

  it('maps every header, reads managers from “Reports To” (employee numbers) and the currency from the salary header', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    const { owner, run: created } = await upload('hrs-excel', bom, 'Mitarbeiter.csv');
    expect(created.file.delimiter).toBe(';');
    expect(mapped(created)).toMatchObject({ 'Employee #': 'employee_id', Name: 'name', 'E-Mail': 'email', 'Reports To': 'manager_employee_id', 'Job Title': 'job_title', Dept: 'department', 'Hire Date': 'start_date', 'FTE %': 'fte', 'Annual salary (EUR)': 'base_salary' });
    const preview = await previewRun(owner, created.id);
    expect(preview.counts?.rows).toMatchObject({ would_import: 3, would_quarantine: 1 });
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_manager');
    // The totals line is named for what it is.
    expect(preview.sample[3]?.problem?.detail).toBe('is blank: this looks like a totals row (“Total”), not a person — ignore it');

    const done = await run(owner, created.id);
    expect(done.summary).toMatchObject({ rows: { imported: 3, quarantined: 1 } });
    const org = await livePeople(owner);
    expect(org['chloe@excel.test']).toMatchObject({ name: 'Chloé Dubois', manager: 'bjoern@excel.test', unit: 'Platform', fte: 0.8, pay: '72000 EUR' });
    expect(org['anna@excel.test']).toMatchObject({ title: 'Geschäftsführerin', manager: null, pay: '150000 EUR' });
    const [totals] = (await listRows(owner, done.id, { status: 'quarantined' })).items;
    expect(totals?.reason?.detail).toContain('totals row');
  });

  it('keeps reading “Reports To” by its values when the format is changed (the headers are read again)', async () => {
    const { owner, run: created } = await upload('hrs-excel-format', text, 'Mitarbeiter.csv');
    const bamboo = await updateRunSettings(owner, created.id, { options: { format: 'bamboohr' } });
    expect(mapped(bamboo)).toMatchObject({ 'Reports To': 'manager_employee_id', 'Employee #': 'employee_id' });
    expect(mapped(await updateRunSettings(owner, created.id, { options: { format: 'orgonaut' } }))).toMatchObject({ 'Reports To': 'manager_employee_id' });
  });

  it('reads “Reports To” holding emails as the manager’s email', async () => {
    const byEmail = csv([HEADER.slice(0, 8), ...ROWS.slice(0, 3).map((r, i) => [...r.slice(0, 3), ['', 'anna@excel.test', 'bjoern@excel.test'][i]!, ...r.slice(4, 8)])], ';');
    const { run: created } = await upload('hrs-excel-email', byEmail, 'team.csv');
    expect(mapped(created)).toMatchObject({ 'Reports To': 'manager_email' });
  });

  it('saved as Windows-1252 (Excel’s plain “CSV”) is refused with the text it could not read and how to save it as UTF-8', async () => {
    const cp1252 = Uint8Array.from([...text.replace('\uFEFF', '')].map((c) => ({ ü: 0xfc, ö: 0xf6, ä: 0xe4, é: 0xe9 })[c] ?? c.charCodeAt(0)));
    const { owner } = await importTenant(database, { slug: 'hrs-excel-1252' });
    await expect(createRunFromUpload(owner, { body: cp1252, fileName: 'Mitarbeiter.csv' })).rejects.toMatchObject({
      code: 'invalid_encoding',
      message: expect.stringContaining('(line 2): “Anna Müller”'),
      fix: expect.stringContaining('CSV UTF-8 (Comma delimited)'),
    });
  });
});
