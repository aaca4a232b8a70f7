import { describe, expect, it } from 'vitest';
import { detectMapping } from '../../src/imports/fields.js';
import { parseRow, type ParseContext } from '../../src/imports/parse-row.js';

/** One row's cells → a typed row or a quarantine reason (the field reference's rules). */
const HEADERS = ['Email', 'Name', 'Department', 'Employment Status'];
const ctx: ParseContext = {
  mapping: detectMapping(HEADERS, 'orgonaut'),
  format: 'orgonaut',
  today: '2026-11-29',
  activeCurrencies: new Set(['EUR']),
  departmentTypes: new Set(),
  teamTypes: new Set(),
  createMissingTypes: false,
  headerCount: HEADERS.length,
};
const parse = (employment: string) => parseRow(2, ['ann@x.test', 'Ann', 'Engineering', employment], ctx);

describe('the employment type of a row', () => {
  it('reads the ways HRIS exports write a type', () => {
    for (const [cell, type] of [['Full-Time', 'perm'], ['Part-Time', 'perm'], ['Temporary', 'perm'], ['Intern', 'perm'], ['Contractor', 'contractor'], ['Freelance', 'contractor']] as const) {
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

  it('quarantines anything else as invalid_employment_type, naming the field', () => {
    expect(parse('Wizard').reason).toMatchObject({ code: 'invalid_employment_type', field: 'employment_type' });
  });
});
