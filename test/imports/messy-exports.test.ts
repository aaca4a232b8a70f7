import { readFileSync } from 'node:fs';
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
 * A customer's first hour: their HR system's export, uploaded as the system and Excel wrote it
 * (`test/imports/fixtures/`) — a BambooHR custom report from a US account (BOM, every cell quoted, `Last, First` names
 * under a “Last Name, First Name” header, US dates, managers by name, pay with its currency written in, separator-only
 * trailing rows), a Personio export from a German account (BOM, semicolons, a date format in the headers, dotted and
 * slashed dates, Beschäftigungsgrad in percent, decimal-comma pay in a header's currency), a HiBob export from a French
 * account (French headers, JJ/MM/AAAA, taux d'activité in percent, space-grouped pay) and a Workday-style worker report
 * from the UK (`Last, First` workers and managers, DD/MM/YYYY, FTE with its % sign, £ amounts). Each is previewed and run
 * through the real import: what maps, what the preview says, who ends up where, and each row a customer must fix
 * quarantined with a reason that names the field and the fix.
 */

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function upload(slug: string, name: string) {
  const { owner } = await importTenant(database, { slug });
  const run = await createRunFromUpload(owner, { body: fixture(name), fileName: name });
  return { owner, run };
}

const mapped = (run: { mapping: { header: string; field: string | null }[] }) => Object.fromEntries(run.mapping.map((m) => [m.header, m.field]));


/** The quarantined rows of a run after it ran: row number, code, field and the sentence a person reads. */
async function quarantined(ctx: ServiceContext, runId: string) {
  return (await listRows(ctx, runId, { quarantined: true })).items.map((r) => ({ row: r.row_number, code: r.reason!.code, field: r.reason!.field, detail: r.reason!.detail }));
}

describe('a BambooHR custom report from a US account', () => {
  it('maps “Last Name, First Name” as names, and imports everyone once the US date order is chosen', async () => {
    const { owner, run } = await upload('messy-bamboo', 'bamboohr-custom-report.csv');
    expect(mapped(run)).toMatchObject({
      'Employee #': 'employee_id', 'Last Name, First Name': 'name', 'Work Email': 'email', 'Job Title': 'job_title', Department: 'department', Division: 'parent_department',
      'Hire Date': 'start_date', 'Reporting to': 'manager_name', 'Employment Status': 'employment_type', FTE: 'fte', Status: 'status', 'Pay Rate': 'base_salary',
    });
    const first = await previewRun(owner, run.id);
    expect(first.warnings.map((w) => w.code)).not.toContain('no_name');
    // US dates: refused until the person importing says the month comes first — the preview says so and where.
    const dates = first.warnings.find((w) => w.code === 'date_order')?.message;
    expect(dates).toMatch(/^7 row\(s\) write dates with the year last/);
    expect(dates).toContain('The file’s own dates say the month comes first: “03/15/2018” has no month 15.');
    // BambooHR's “Pay Rate” is the pay amount, read without help: “210000.00 USD” with its currency.
    expect(first.warnings.map((w) => w.code)).not.toContain('unmapped_columns');
    await updateRunSettings(owner, run.id, { options: { date_order: 'month_first' } });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('date_order');
    // Once for the column: what such FTEs look like, and how to have them read as percentages.
    expect(preview.warnings).toContainEqual({
      code: 'fte_percentages',
      message: '“FTE” holds whole numbers such as 80, out of range for an FTE (0.01 to 3.00): if they are percentages, head the column “FTE %” and upload the file again, or write them 0.8 or 80 % (the rows are quarantined until then).',
    });
    // Blank trailing rows are no rows; the FTE written as a percentage is the one row to fix.
    expect(preview.counts?.rows).toMatchObject({ total: 7, would_import: 6, would_quarantine: 1 });
    expect(preview.sample.find((s) => s.problem)?.problem).toMatchObject({
      code: 'invalid_fte',
      field: 'fte',
      detail: '80 must be from 0.01 to 3.00, and looks like a percentage: write 0.8 or 80 % (or head the column “FTE %” if it holds percentages)',
    });

    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 7, imported: 6, quarantined: 1 } });
    expect(await quarantined(owner, run.id)).toEqual([{ row: 6, code: 'invalid_fte', field: 'fte', detail: expect.stringContaining('write 0.8 or 80 %') }]);
    const org = await livePeople(owner);
    expect(org['carmen.reyes@bamboo-messy.test']).toMatchObject({ name: 'Carmen Reyes', manager: null, unit: 'Executive', start: '2016-02-01', pay: '210000 USD' });
    expect(org['daniel.okafor@bamboo-messy.test']).toMatchObject({ name: 'Daniel Okafor', title: 'Director, Engineering', manager: 'carmen.reyes@bamboo-messy.test', unit: 'Engineering' });
    expect(org['linh.nguyen@bamboo-messy.test']).toMatchObject({ name: 'Linh Nguyen', manager: 'daniel.okafor@bamboo-messy.test', start: '2021-11-04', pay: '128000 USD' });
    expect(org['peter.schultz@bamboo-messy.test']).toMatchObject({ fte: 0.6, pay: '72000 USD' });
    expect(org['tanya.brooks@bamboo-messy.test']).toMatchObject({ manager: 'carmen.reyes@bamboo-messy.test', pay: null, active: true });
    expect(org['mark.ellis@bamboo-messy.test']).toMatchObject({ active: false });
    expect(org['rosa.diaz@bamboo-messy.test']).toBeUndefined();
  });
});

describe('a Personio export from a German account', () => {
  it('reads the dates as its headers say, Beschäftigungsgrad as percent, and names the misspelt manager', async () => {
    const { owner, run } = await upload('messy-personio', 'personio-de.csv');
    expect(mapped(run)).toMatchObject({
      ID: 'employee_id', Vorname: 'first_name', Nachname: 'last_name', 'E-Mail': 'email', Status: 'status', Position: 'job_title', Abteilung: 'department', Team: 'team',
      'Vorgesetzte(r)': 'manager_name', 'Eintrittsdatum (TT.MM.JJJJ)': 'start_date', 'Austrittsdatum (TT.MM.JJJJ)': 'end_date', Beschäftigungsgrad: 'fte', 'Gehalt (EUR)': 'base_salary',
      Kostenstelle: 'cost_center', Standort: 'location',
    });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).toEqual(['date_order_from_header']);
    expect(preview.counts?.rows).toMatchObject({ total: 6, would_import: 5, would_quarantine: 1 });

    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 6, imported: 5, quarantined: 1 } });
    expect(await quarantined(owner, run.id)).toEqual([
      { row: 5, code: 'unknown_manager', field: 'manager_name', detail: expect.stringContaining('no one in this file or the organisation is named “Lena Schmitt”') },
    ]);
    const org = await livePeople(owner);
    expect(org['mia.fischer@personio-messy.test']).toMatchObject({ title: 'Account Executive, Enterprise', manager: 'jonas.weber@personio-messy.test', unit: 'Außendienst', fte: 0.8, pay: '62500 EUR', start: '2022-02-01' });
    expect(org['paul.braun@personio-messy.test']).toMatchObject({ fte: 0.5, active: false });
    // 01/10/2024 in a TT.MM.JJJJ column is the first of October.
    expect(org['sophie.wagner@personio-messy.test']).toMatchObject({ start: '2024-10-01', fte: 0.5, manager: 'lena.schmidt@personio-messy.test' });
    expect(org['lena.schmidt@personio-messy.test']).toMatchObject({ fte: 1, pay: '150000 EUR', unit: 'Geschäftsführung' });
  });
});

describe('a HiBob export from a French account', () => {
  it('maps the French headers (team and id too), reads taux d’activité as percent, and says how to write a fraction there', async () => {
    const { owner, run } = await upload('messy-hibob', 'hibob-fr.csv');
    expect(mapped(run)).toEqual({
      Identifiant: 'employee_id', Prénom: 'first_name', Nom: 'last_name', 'Adresse e-mail': 'email', 'Intitulé du poste': 'job_title', Département: 'department', Équipe: 'team',
      Responsable: 'manager_name', "Date d'entrée (JJ/MM/AAAA)": 'start_date', "Taux d'activité (%)": 'fte', 'Salaire annuel (EUR)': 'base_salary', Site: 'location', 'Type de contrat': 'employment_type',
    });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).toEqual(['date_order_from_header']);
    expect(preview.counts?.rows).toMatchObject({ total: 5, would_import: 4, would_quarantine: 1 });

    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { imported: 4, quarantined: 1 } });
    expect(await quarantined(owner, run.id)).toEqual([
      { row: 4, code: 'invalid_fte', field: 'fte', detail: '“0,8” would be 0,8 % of full time in “Taux d\'activité (%)”, a column of percentages: write 80 (or 80 %) for 0.8 FTE — or, if the column holds fractions of full time, head it “FTE”' },
    ]);
    const org = await livePeople(owner);
    expect(org['hugo.bernard@bob-messy.test']).toMatchObject({ title: 'Responsable produit, Paiements', manager: 'camille.martin@bob-messy.test', unit: 'Paiements', fte: 0.8, start: '2020-09-14', pay: '72000 EUR' });
    expect(org['ines.petit@bob-messy.test']).toMatchObject({ name: 'Inès Petit', unit: 'Paiements', start: '2023-05-03' });
    expect(org['louis.durand@bob-messy.test']).toMatchObject({ unit: 'Produit', fte: 0.6, pay: null });
  });
});

describe('a Workday-style worker report from the UK', () => {
  it('reads Last, First workers and managers, DD/MM/YYYY hire dates, FTE percentages and organisations named with their manager, and imports everyone', async () => {
    const { owner, run } = await upload('messy-workday', 'workday-uk.csv');
    expect(mapped(run)).toEqual({
      'Employee ID': 'employee_id', Worker: 'name', 'Primary Work Email': 'email', 'Business Title': 'job_title', 'Supervisory Organization': 'department', Manager: 'manager_name',
      'Hire Date (DD/MM/YYYY)': 'start_date', FTE: 'fte', 'Worker Type': 'employment_type', Location: 'location', 'Annual Base Pay': 'base_salary', Currency: 'currency',
    });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings).toEqual([
      { code: 'date_order_from_header', message: 'Dates with the year last in “Hire Date (DD/MM/YYYY)” are read day first, as the header says (03/05/2024 is 3 May 2024).' },
      { code: 'name_last_first', message: '“Worker” holds names written Last, First (such as “Taylor, Olivia”): each is read as First Last (Olivia Taylor), as people are shown everywhere else.' },
      {
        code: 'organisation_manager',
        message: '“Supervisory Organization” names each organisation with its manager, as Workday does (“Operations (Olivia Taylor)”): the department is read without the name (Operations), so it stays one department when its manager changes.',
      },
    ]);
    const done = await (await startRun(owner, run.id)).done;
    expect(done.summary).toMatchObject({ rows: { total: 4, imported: 4, quarantined: 0 } });
    const org = await livePeople(owner);
    expect(org['olivia.taylor@wd-messy.test']).toMatchObject({ name: 'Olivia Taylor', start: '2015-01-07', fte: 1, pay: '180000 GBP', manager: null });
    expect(org['amir.khan@wd-messy.test']).toMatchObject({ title: 'Head of Finance, EMEA', manager: 'olivia.taylor@wd-messy.test', start: '2018-03-12' });
    expect(org['siobhan.walsh@wd-messy.test']).toMatchObject({ manager: 'amir.khan@wd-messy.test', fte: 0.8, unit: 'Finance', pay: '52000 GBP' });
    expect(org['sean.obrien@wd-messy.test']).toMatchObject({ name: "Sean O'Brien", fte: 0.5, start: '2024-02-15', pay: null, unit: 'Finance' });
    expect(org['olivia.taylor@wd-messy.test']!.unit).toBe('Operations');
    const graph = (await owner.graphs.live(owner.tenant.id)).graph;
    expect([...graph.orgUnits.values()].filter((u) => u.type === 'department').map((u) => u.name).sort()).toEqual(['Finance', 'Operations']);
  });
});

describe('a report saved with its title lines above the header', () => {
  it('is read from its header on, each row with its line in the file', async () => {
    const { owner } = await importTenant(database, { slug: 'messy-titled' });
    const titled = Buffer.concat([Buffer.from('Workers Report - All Active Workers,,,,,,,,,,,\r\n"Run on 01/12/2026, 08:00"\r\n\r\n'), fixture('workday-uk.csv')]);
    const run = await createRunFromUpload(owner, { body: titled, fileName: 'Workers_Report.csv' });
    expect(run.mapping[0]!.header).toBe('Employee ID');
    expect(mapped(run)).toMatchObject({ Worker: 'name', 'Primary Work Email': 'email', 'Hire Date (DD/MM/YYYY)': 'start_date' });
    const preview = await previewRun(owner, run.id);
    expect(preview.warnings.map((w) => w.code)).not.toContain('no_identity');
    expect(preview.counts?.rows).toMatchObject({ total: 4, would_import: 4 });
    expect(preview.sample.map((s) => s.line)).toEqual([5, 6, 7, 8]);
  });
});
