import { describe, expect, it } from 'vitest';
import { checkMapping } from '../../src/imports/mapping.js';

/** Mapping edits (REST PATCH, the web form, `orgonaut import --mapping`): what a person asks for is what they get. */
const HEADERS = ['Email', 'Work Email', 'Name', 'Notes'];
const DETECTED = [
  { column: 0, header: 'Email', field: 'email' as const },
  { column: 1, header: 'Work Email', field: null },
  { column: 2, header: 'Name', field: 'name' as const },
  { column: 3, header: 'Notes', field: null },
];
const fields = (mapping: { field: string | null }[]) => mapping.map((m) => m.field);

describe('a mapping edit', () => {
  it('moves a field to the column it names (the column that had it is no longer imported)', () => {
    expect(fields(checkMapping(HEADERS, [{ column: 1, field: 'email' }], DETECTED))).toEqual([null, 'email', 'name', null]);
  });

  it('keeps every column it does not name, and unmaps a column set to null', () => {
    expect(fields(checkMapping(HEADERS, [{ column: 2, field: null }], DETECTED))).toEqual(['email', null, null, null]);
  });

  it('refuses one field named for two columns in the same edit, naming both', () => {
    expect(() => checkMapping(HEADERS, [{ column: 0, field: 'email' }, { column: 1, field: 'email' }], DETECTED)).toThrow('field email is mapped from two columns (0 and 1)');
  });

  it('refuses a column out of range and a field that does not exist, naming the edit', () => {
    expect(() => checkMapping(HEADERS, [{ column: 4, field: 'email' }], DETECTED)).toThrow(expect.objectContaining({ field: 'mapping[0].column' }));
    expect(() => checkMapping(HEADERS, [{ column: 3, field: 'shoe_size' }], DETECTED)).toThrow(expect.objectContaining({ field: 'mapping[0].field' }));
  });
});
