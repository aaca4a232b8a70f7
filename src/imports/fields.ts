/**
 * The import field reference (reference/csv-field-reference.md): canonical Orgonaut CSV fields, the header spellings
 * each accepts (canonical, BambooHR and the HR exports of docs/IMPORTS.md, German, French and Spanish ones too), header
 * normalisation and format detection. Pure.
 */

/**
 * What a column holding a percentage of full time is headed when the header says so in its words, with no % sign:
 * German and Swiss exports' Beschäftigungsgrad / (Arbeits)Pensum, French ones' taux d'activité / quotité de travail.
 */
const PERCENT_OF_FULL_TIME_HEADERS = ['beschaftigungsgrad', 'beschaftigungsumfang', 'arbeitspensum', 'pensum', 'taux_d_activite', 'taux_activite', 'taux_d_emploi', 'taux_d_occupation', 'quotite_de_travail', 'quotite_travail', 'porcentaje_de_jornada'];

export const IMPORT_FIELDS = {
  email: 'Work email: contact data and the default identity of a person',
  first_name: 'First name',
  last_name: 'Last name',
  name: 'Full name (instead of first and last name)',
  kind: 'human (default), robot or agent',
  source_hris: 'The HRIS the person comes from (e.g. bamboohr); with source_hris_id, the durable identity',
  source_hris_id: 'The person’s id in that HRIS',
  employee_id: 'Employee id (BambooHR PersonID: becomes the Bamboo source identity; canonical CSV: the external id)',
  department: 'Department name (created when missing)',
  parent_department: 'Parent department of a department created by the import (BambooHR Division)',
  department_type: 'Department type (must exist unless create-missing types is on)',
  cost_center: 'Cost center of the department',
  team: 'Team name, inside the department (created when missing)',
  team_type: 'Team type (must exist unless create-missing types is on)',
  job_title: 'Job title: the actor’s title and the title of the position they fill',
  level: 'Level or grade',
  role_type: 'Role type of the position',
  manager_email: 'The manager’s email (blank for top-level leaders)',
  manager_employee_id: 'The manager’s employee id (BambooHR SupervisorID)',
  manager_name: 'The manager’s name, as the file writes people’s names (Ada Lovelace, or Lovelace, Ada): used when the row gives no manager email or id, and finds the manager only when one person of the file (else of the organisation) has that name',
  manager_first_name: 'Manager first name: with manager_last_name, the manager’s name (as manager_name)',
  manager_last_name: 'Manager last name: with manager_first_name, the manager’s name (as manager_name)',
  fte: 'Contracted FTE, 0.01–3.00 (0.8, 0,8 or 80 %; a column headed as percentages — “FTE %”, “Employment %”, “Work percentage”, “Beschäftigungsgrad” — holds them: 80 is 0.8)',
  allocation_pct: 'Allocation of the primary placement, 0–300 % (80 or 80 %; a fraction such as 0.8 is refused, not read as 0.8 %)',
  employment_type: 'perm (employee) or contractor',
  start_date: 'Start (hire) date, YYYY-MM-DD (also YYYY/M/D, DD.MM.YYYY and 5 March 2024; 03/05/2024 only when the header states the format — “Start date (DD/MM/YYYY)” — or the import’s date order says whether the day or the month comes first)',
  end_date: 'Last day employed (termination date), written like start_date: the person counts that day and is gone from the next',
  status: 'active (also on leave, furloughed…) or inactive (terminated, resigned…): inactive ends the person today unless end_date says when',
  currency: 'Currency of the pay (an active currency of the tenant)',
  base_salary: 'Annual base salary as HR systems write it, in the currency’s main unit: 85000, 85,000.00, 85.000,00, $85,000, 85.000,00 € or 85000 EUR (or the currency in the header: “Annual salary (EUR)”); another period when pay_period says so or the amount does (EUR 5,000/month)',
  daily_rate: 'Day rate in the currency’s main unit, written like base_salary (650 or 650.00)',
  base_salary_cents: 'Annual base salary in minor units (cents): 8500000 is 85,000.00',
  daily_rate_cents: 'Day rate in minor units (cents): 65000 is 650.00',
  pay_period: 'What the pay amount is for: Year (the default when blank), Month or Quarter (imported as the annual salary: ×12, ×4), Week, Day (a day rate) or Hour (quarantined: Orgonaut keeps no hourly pay) — BambooHR “Pay Per”, HiBob “Salary pay period”, Personio “Salary interval”, Workday “Frequency”',
  pay_type: 'The pay type, read for its period when no pay_period is given: Hourly is pay by the hour (quarantined), Daily a day rate; Salary and others say nothing (BambooHR “Pay Type”)',
  pay_effective_date: 'The day the pay takes effect, YYYY-MM-DD (default: start date, or today for a change)',
  location: 'Location (accepted, not imported)',
} as const;

export type ImportField = keyof typeof IMPORT_FIELDS;
export const FIELD_NAMES = Object.keys(IMPORT_FIELDS) as ImportField[];

/** Fields that hold pay: mapping or fixing them needs `costs.read`. */
export const MONEY_IMPORT_FIELDS: ReadonlySet<ImportField> = new Set(['currency', 'base_salary', 'daily_rate', 'base_salary_cents', 'daily_rate_cents', 'pay_period', 'pay_type', 'pay_effective_date']);

export type ImportFormat = 'orgonaut' | 'bamboohr';

/**
 * Header spellings, normalised (see normaliseHeader: `Prénom` is `prenom`, `Vorgesetzter E-Mail` `vorgesetzter_e_mail`),
 * that map to each field. The field's own name always does. Besides English: Personio's German export and the
 * basics of French and Spanish ones.
 */
const ALIASES: Partial<Record<ImportField, string[]>> = {
  email: ['work_email', 'email_address', 'e_mail', 'e_mail_address', 'work_e_mail', 'email_work', 'work_email_address', 'business_email', 'company_email', 'primary_email', 'primary_work_email', 'business_email_address', 'e_mail_adresse', 'email_adresse', 'geschaftliche_e_mail', 'dienstliche_e_mail', 'courriel', 'adresse_e_mail', 'correo', 'correo_electronico', 'official_email', 'corporate_email', 'office_email', 'work_mail', 'email_id'],
  first_name: ['firstname', 'given_name', 'forename', 'legal_first_name', 'legal_name_first_name', 'first_name_legal', 'vorname', 'prenom', 'nombre'],
  last_name: ['lastname', 'surname', 'family_name', 'legal_last_name', 'legal_name_last_name', 'last_name_legal', 'nachname', 'familienname', 'nom', 'nom_de_famille', 'apellido', 'apellidos'],
  name: ['full_name', 'fullname', 'display_name', 'employee_name', 'person_name', 'worker', 'worker_name', 'legal_name', 'employee_full_name', 'vollstandiger_name', 'nom_complet', 'nombre_completo',
    // Both parts in one column, as BambooHR's “Last Name, First Name” report field (each cell read as its header says).
    'last_name_first_name', 'lastname_firstname', 'last_first_name', 'name_last_first', 'first_name_last_name', 'nachname_vorname', 'vorname_nachname', 'prenom_nom'],
  kind: ['actor_kind', 'actor_type'],
  employee_id: ['id', 'person_id', 'personid', 'employee_number', 'employee_no', 'employee', 'employee_eid', 'eid', 'eeid', 'ee_id', 'worker_id', 'personnel_number', 'staff_id', 'staff_number', 'personalnummer', 'mitarbeiter_id', 'mitarbeiternummer', 'matricule', 'identifiant', 'identifiant_salarie', 'id_salarie', 'numero_de_salarie', 'numero_salarie', 'id_empleado', 'numero_de_empleado', 'emp_id', 'emp_no', 'emp_number', 'emp_code', 'employee_code', 'employee_num', 'staff_no'],
  department: ['department_name', 'dept', 'dept_name', 'supervisory_organization', 'abteilung', 'service', 'departement', 'departamento'],
  parent_department: ['parent_department_name', 'division'],
  cost_center: ['cost_centre', 'costcenter', 'kostenstelle', 'kostenstellen', 'centre_de_cout', 'centro_de_coste', 'cost_center_name', 'cost_center_code', 'cost_centre_name', 'cost_centre_code'],
  team: ['team_name', 'equipe', 'nom_de_l_equipe', 'equipo'],
  job_title: ['title', 'jobtitle', 'job', 'position', 'position_title', 'job_position', 'business_title', 'job_profile', 'job_name', 'stellenbezeichnung', 'berufsbezeichnung', 'jobtitel', 'poste', 'intitule_du_poste', 'puesto', 'cargo', 'designation', 'job_role', 'role_title'],
  level: ['job_level', 'grade', 'job_grade', 'management_level', 'career_level', 'seniority', 'pay_grade', 'band'],
  manager_email: ['supervisor_email', 'manager_e_mail', 'manager_email_address', 'manager_work_email', 'line_manager_email', 'reports_to_email', 'supervisor_work_email', 'supervisor_e_mail', 'manager_s_email', 'manager_s_work_email', 'managers_email', 'managers_work_email', 'direct_manager_email', 'reports_to_work_email', 'vorgesetzter_e_mail', 'vorgesetzte_r_e_mail', 'vorgesetzte_e_mail', 'e_mail_vorgesetzter', 'e_mail_des_vorgesetzten', 'e_mail_du_manager', 'email_du_manager', 'correo_del_responsable', 'supervisor_s_email', 'supervisor_s_work_email', 'supervisors_email', 'manager_e_mail_address', 'supervisor_email_address', 'supervisor_e_mail_address', 'mgr_email', 'manager_mail'],
  manager_employee_id: ['supervisor_id', 'supervisorid', 'supervisor_e_id', 'supervisor_eid', 'manager_id', 'reports_to_id', 'manager_employee_number', 'manager_s_employee_id', 'manager_eid', 'supervisor_employee_id', 'supervisor_employee_number', 'reports_to_employee', 'reports_to_employee_id', 'reports_to_employee_number', 'line_manager_id', 'vorgesetzter_id', 'vorgesetzte_r_id', 'personalnummer_vorgesetzter', 'personalnummer_des_vorgesetzten', 'manager_number', 'manager_no', 'supervisor_no', 'supervisor_number', 'mgr_id'],
  fte: ['capacity', 'fte_capacity', 'fte_percent', 'fte_percentage', 'fte_pct', 'work_fte', 'full_time_equivalent', 'scheduled_fte', 'vollzeitaquivalent', 'vollzeitaequivalent', 'work_percentage', 'employment_percentage', 'working_time_percentage', ...PERCENT_OF_FULL_TIME_HEADERS],
  allocation_pct: ['allocation', 'allocation_percent', 'allocation_percentage'],
  employment_type: ['employment_status', 'employment_history_status', 'contract_type', 'worker_type', 'employee_type', 'worker_category', 'beschaftigungsart', 'vertragsart', 'type_de_contrat', 'tipo_de_contrato'],
  start_date: ['hire_date', 'original_hire_date', 'valid_from', 'joining_date', 'date_of_joining', 'entry_date', 'employment_start_date', 'date_of_hire', 'hired_on', 'start', 'eintrittsdatum', 'date_d_entree', 'date_d_embauche', 'fecha_de_ingreso', 'fecha_de_alta', 'date_hired', 'employment_start', 'start_dt', 'hire_dt', 'join_date', 'date_joined', 'joined_on', 'eintritt'],
  end_date: ['termination_date', 'leave_date', 'exit_date', 'last_working_day', 'last_day', 'employment_end_date', 'austrittsdatum', 'date_de_sortie', 'fecha_de_baja', 'fecha_de_salida', 'termination_dt', 'end_dt', 'date_left', 'leaving_date', 'leaver_date', 'austritt'],
  status: ['employee_status'],
  currency: ['pay_currency', 'salary_currency', 'base_salary_currency', 'compensation_currency', 'currency_code', 'wahrung', 'waehrung', 'devise', 'moneda'],
  base_salary: ['salary', 'annual_salary', 'base_pay', 'annual_base_salary', 'yearly_salary', 'salary_amount', 'annual_pay', 'base_salary_amount', 'annual_base_pay', 'fix_salary', 'fixed_salary', 'annual_fixed_salary', 'gross_annual_salary', 'annual_gross_salary', 'gehalt', 'jahresgehalt', 'bruttojahresgehalt', 'salaire', 'salaire_annuel', 'salario', 'salario_anual', 'gross_salary', 'annual_base',
    // HR systems' pay columns, whatever their period (pay_period says it): BambooHR “Pay Rate”, Workday “Total Base Pay”.
    'pay_rate', 'base_pay_rate', 'total_base_pay', 'base_rate', 'compensation_rate', 'salary_rate', 'grundgehalt', 'fixgehalt', 'festgehalt', 'salaire_de_base', 'salaire_fixe', 'salario_base'],
  daily_rate: ['day_rate', 'daily_pay', 'rate_per_day', 'day_rate_amount', 'daily_rate_amount'],
  base_salary_cents: ['salary_cents', 'annual_salary_cents', 'base_salary_minor', 'salary_minor'],
  daily_rate_cents: ['day_rate_cents', 'daily_rate_minor', 'day_rate_minor'],
  pay_period: ['pay_per', 'paid_per', 'pay_rate_per', 'salary_pay_period', 'salary_period', 'salary_interval', 'pay_interval', 'period', 'frequency', 'pay_frequency', 'salary_frequency', 'compensation_frequency', 'base_pay_frequency', 'rate_period', 'gehaltsintervall', 'zahlungsintervall', 'intervall', 'periodicite', 'periodicite_du_salaire', 'periodicidad'],
  pay_type: ['pay_rate_type', 'salary_type', 'compensation_type', 'wage_type', 'pay_basis', 'verguetungsart', 'type_de_remuneration'],
  pay_effective_date: ['compensation_effective_date', 'pay_rate_effective_date', 'salary_effective_date'],
  location: ['office', 'site', 'work_location', 'location_name', 'office_location', 'work_site', 'standort', 'buro', 'lieu_de_travail', 'ubicacion', 'oficina'],
};

/** A header's percent marker: `%`, `(%)`, `in %`, `percent(age)`, `pct`, `Prozent`, `pourcentage`, `porcentaje`. */
const PERCENT_MARK = /(?:\b(?:in|en)\s*)?(?:\(\s*%\s*\)|%|\bper\s?cent(?:age)?\b|\bpct\b|\bprozent\b|\bpourcentage\b|\bporcentaje\b)/i;

/**
 * What a header with a percent marker is once the marker is left out, when that means a share of full time: `Employment
 * %`, `Work %`, `Working time (%)`. (`Bonus %` is none: such a header maps only by its whole spelling.)
 */
const SHARE_OF_FULL_TIME = new Set(['fte', 'employment', 'work', 'working_time', 'work_time', 'workload', 'part_time', 'capacity', 'arbeitszeit', 'beschaftigung', 'temps_de_travail', 'activite', 'jornada']);

/**
 * Whether a column's header says it holds percentages (`FTE %`, `FTE (percent)`, `Work percentage`, `Pensum`): its
 * numbers are read as percentages (50 is half time), not as fractions.
 */
export function headerSaysPercent(header: string): boolean {
  return PERCENT_MARK.test(header) || PERCENT_OF_FULL_TIME_HEADERS.includes(normaliseHeader(withoutNote(header)));
}

const BY_HEADER: ReadonlyMap<string, ImportField> = (() => {
  const map = new Map<string, ImportField>();
  for (const field of FIELD_NAMES) {
    map.set(field, field);
    for (const alias of ALIASES[field] ?? []) map.set(alias, field);
  }
  return map;
})();

/** Headers that only BambooHR files have (not `Division`: plenty of other exports have one too). */
const BAMBOO_MARKERS = new Set(['person_id', 'personid', 'supervisor_id', 'supervisorid', 'supervisor_e_id', 'supervisor_eid', 'employee_eid']);

/**
 * `First Name` ≡ `first_name` ≡ `firstName`: camelCase split, lowercased, accents dropped (`Prénom` ≡ `prenom`,
 * `Währung` ≡ `wahrung`, `ß` ≡ `ss`), anything but letters and digits becomes one underscore, trimmed of underscores.
 */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function fieldForHeader(header: string, format: ImportFormat): ImportField | null {
  const key = normaliseHeader(header);
  if (format === 'bamboohr' && key === 'id') return 'employee_id';
  const field = BY_HEADER.get(key) ?? BY_HEADER.get(normaliseHeader(withoutNote(header))) ?? BY_HEADER.get(normaliseHeader(withoutNote(header).replace(DATE_FORMAT, ' ')));
  if (field) return field;
  // “Employment %”, “FTE in %”: a share of full time, headed with its unit.
  if (headerSaysPercent(header)) {
    const share = normaliseHeader(withoutNote(header).replace(PERCENT_MARK, ' '));
    if (SHARE_OF_FULL_TIME.has(share)) return 'fte';
    if (BY_HEADER.get(share) === 'allocation_pct') return 'allocation_pct';
  }
  // “Annual salary (EUR)”, “Salary in €”: a pay column that names its currency.
  const currency = headerCurrency(header);
  const amount = currency ? BY_HEADER.get(normaliseHeader(header.replace(CURRENCY_IN_HEADER, ' ').replace(/\bin\s*$/i, ''))) : undefined;
  return amount && PAY_AMOUNT_FIELDS.has(amount) ? amount : null;
}

/**
 * A header without the note in brackets templates and exports add (`Hire Date (MM/DD/YYYY)`, `Email (Work)`,
 * `Termination Date [if any]`): the header itself when the note speaks of the unit of a pay amount — `Salary (in
 * cents)` is no salary in the currency's main unit — and “(EUR)” is left to the pay columns' currency reading.
 */
function withoutNote(header: string): string {
  const notes = header.match(/[(\[][^)\]]*[)\]]/g) ?? [];
  if (notes.some((note) => /cent|minor|penn|pence/i.test(note))) return header;
  return header.replace(/[(\[][^)\]]*[)\]]/g, ' ');
}

/**
 * A date format written in a header (`Start date (DD/MM/YYYY)`, `Hire Date - mm/dd/yyyy`, German `TT.MM.JJJJ`, French
 * `JJ/MM/AAAA`, `YYYY-MM-DD`): the day (D, German T, French J), the month (M) and the year (Y, German J, French A).
 */
const DATE_FORMAT = /(?<![a-z])(?:([dtj]{1,2}|m{1,2})([./\-\s])([dtj]{1,2}|m{1,2})\2[yja]{2,4}|[yja]{4}([./\-])m{1,2}\4[dtj]{1,2})(?![a-z])/i;

/**
 * How a column's header says its dates are written, when it does: `day_first` (`DD/MM/YYYY`, `TT.MM.JJJJ`),
 * `month_first` (`MM/DD/YYYY`) or `year_first` (`YYYY-MM-DD`); null when it says nothing.
 */
export function headerDateOrder(header: string): 'day_first' | 'month_first' | 'year_first' | null {
  const match = DATE_FORMAT.exec(header);
  if (!match) return null;
  if (!match[1]) return 'year_first';
  const first = match[1].toLowerCase()[0];
  const second = match[3]!.toLowerCase()[0];
  if (first === 'm' && second !== 'm') return 'month_first';
  if (first !== 'm' && second === 'm') return 'day_first';
  return null;
}

/** Headers of an organisation column that Workday writes with the organisation's manager after it. */
const ORGANISATION_WITH_MANAGER_HEADERS = new Set(['supervisory_organization', 'supervisory_organisation', 'supervisory_org', 'sup_org']);

/** A person's name in brackets after an organisation's: `Finance (Amir Khan)`, `R&D (Anne-Marie van der Berg)`. */
const MANAGER_SUFFIX = /^(.*?\S)\s*\(\s*(\p{Lu}[\p{L}'’.-]*(?:\s+(?:(?:van|von|de|der|den|da|di|du|la|le|del|dos|bin|al|ter|zu)\s+)*\p{Lu}[\p{L}'’.-]*){1,3})\s*\)$/u;

/**
 * An organisation's name as a column headed like Workday's `Supervisory Organization` writes it — with its manager in
 * brackets, `Finance (Amir Khan)` —: the organisation's own (`Finance`), so it is one department whoever manages it.
 * Other columns' names are their own (`Sales (North America)` in a Department column stays as it is).
 */
export function organisationName(value: string, header: string | null): { name: string; manager: string | null } {
  if (!header || !ORGANISATION_WITH_MANAGER_HEADERS.has(normaliseHeader(header))) return { name: value, manager: null };
  const match = MANAGER_SUFFIX.exec(value.trim());
  return match ? { name: match[1]!, manager: match[2]! } : { name: value, manager: null };
}

/** Pay amounts written in the currency's main unit: a header may say which currency (“Annual salary (EUR)”). */
const PAY_AMOUNT_FIELDS: ReadonlySet<ImportField> = new Set(['base_salary', 'daily_rate']);
const CURRENCY_SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP', '¥': 'JPY' };
/** A currency code or symbol at the end of a header, in brackets or not: “(EUR)”, “[€]”, “ in USD”, “ - GBP”. */
const CURRENCY_IN_HEADER = /[\s(\[-]*(?:\b([A-Z]{3})\b|([€$£¥]))[\s)\]]*$/;

/** The currency a pay column's header names (`Annual salary (EUR)` → EUR), if it names one. */
export function headerCurrency(header: string): string | null {
  const match = CURRENCY_IN_HEADER.exec(header.trim());
  if (!match) return null;
  return match[1] ?? CURRENCY_SYMBOLS[match[2]!] ?? null;
}

export function detectFormat(headers: readonly string[]): ImportFormat {
  return headers.some((h) => BAMBOO_MARKERS.has(normaliseHeader(h))) ? 'bamboohr' : 'orgonaut';
}

export interface ColumnMapping {
  column: number;
  header: string;
  field: ImportField | null;
}

/** Maps each header to a field; the first column wins when two name the same field. */
export function detectMapping(headers: readonly string[], format: ImportFormat): ColumnMapping[] {
  const used = new Set<ImportField>();
  return headers.map((header, column) => {
    const field = fieldForHeader(header, format);
    if (!field || used.has(field)) return { column, header, field: null };
    used.add(field);
    return { column, header, field };
  });
}

export function isImportField(value: string): value is ImportField {
  return Object.prototype.hasOwnProperty.call(IMPORT_FIELDS, value);
}

/** The field reference for clients (mapping editors): each field, its meaning and the headers it accepts. */
export function fieldReference() {
  return FIELD_NAMES.map((field) => ({ field, description: IMPORT_FIELDS[field], headers: [field, ...(ALIASES[field] ?? [])], money: MONEY_IMPORT_FIELDS.has(field) }));
}
