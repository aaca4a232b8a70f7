import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError, parseCsv } from '../../src/imports/csv/parser.js';
import { FileRefused, readCsvFile } from '../../src/imports/csv/reader.js';
import { detectFormat, detectMapping, normaliseHeader } from '../../src/imports/fields.js';

/** The streaming RFC 4180 parser and the file reader's refusals. */

function feed(text: string, size: number) {
  const out: { fields: string[]; line: number }[] = [];
  const parser = new CsvParser((r) => out.push(r));
  for (let i = 0; i < text.length; i += size) parser.push(text.slice(i, i + size));
  parser.end();
  return out;
}

async function read(bytes: Uint8Array | string, maxBytes?: number) {
  const rows: string[][] = [];
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const chunks = (async function* () {
    for (let i = 0; i < data.length; i += 7) yield data.subarray(i, i + 7);
  })();
  const result = await readCsvFile(chunks, { maxBytes, onRows: async (batch) => void rows.push(...batch.map((r) => r.fields)), batchSize: 2 });
  return { ...result, rows };
}

const TRICKY = 'name,notes,email\r\n"Lovelace, Ada","said ""hi""\nthen left",ada@x.test\r\nBob,5\'10" tall,bob@x.test\r\n\r\n"",,\r\nlast,"",z@x.test';

describe('CsvParser', () => {
  it('reads quoted fields with separators, doubled quotes and line breaks, CRLF and blank lines', () => {
    const { records, delimiter } = parseCsv(TRICKY);
    expect(delimiter).toBe(',');
    expect(records.map((r) => r.fields)).toEqual([
      ['name', 'notes', 'email'],
      ['Lovelace, Ada', 'said "hi"\nthen left', 'ada@x.test'],
      ['Bob', '5\'10" tall', 'bob@x.test'],
      ['', '', ''],
      ['last', '', 'z@x.test'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 6, 7]);
  });

  it('gives the same records whatever the chunk size (streaming)', () => {
    const whole = parseCsv(TRICKY).records;
    for (const size of [1, 2, 3, 5, 64]) expect(feed(TRICKY, size)).toEqual(whole);
  });

  it('detects semicolons from the header line and keeps commas inside fields', () => {
    const { records, delimiter } = parseCsv('email;fte;note\nann@x.test;0,5;"a; b"\n');
    expect(delimiter).toBe(';');
    expect(records[1]!.fields).toEqual(['ann@x.test', '0,5', 'a; b']);
  });

  it('skips separator-only rows (spreadsheet trailing rows) like blank lines, but keeps quoted empty fields', () => {
    const text = 'email;name;dept\r\n;;\r\na@x.test;Ann;Ops\r\n;;;;;;\r\n  ; ;\t\r\n"";;\r\n;;\r\n;;';
    const { records, delimiter } = parseCsv(text);
    expect(delimiter).toBe(';');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['email', 'name', 'dept']],
      [3, ['a@x.test', 'Ann', 'Ops']],
      [6, ['', '', '']],
    ]);
    for (const size of [1, 2, 3, 7]) expect(feed(text, size)).toEqual(records);
    expect(parseCsv('email,name\nb@x.test,Bo\n,,,,\n,,,,\n').records.map((r) => r.fields)).toEqual([['email', 'name'], ['b@x.test', 'Bo']]);
  });

  it('takes the first line with content as the header, and guesses the separator from it', () => {
    for (const lead of ['\n', '\r\n\r\n', '  \n', ',,,,\n', '\uFEFF\n', ';;\n\n']) {
      const text = `${lead}email;fte;note\nann@x.test;0,5;"a, b"\n`;
      const { records, delimiter } = parseCsv(text);
      expect(delimiter, JSON.stringify(lead)).toBe(';');
      expect(records.map((r) => r.fields), JSON.stringify(lead)).toEqual([
        ['email', 'fte', 'note'],
        ['ann@x.test', '0,5', 'a, b'],
      ]);
      for (const size of [1, 2, 5]) expect(feed(text, size), JSON.stringify(lead)).toEqual(records);
    }
    expect(parseCsv('\n\nemail;name').delimiter).toBe(';');
    expect(parseCsv('\n\n').records).toEqual([]);
  });

  it('skips a report’s title lines above the header (one filled cell each), keeping line numbers', () => {
    const text = 'Workers Report - All Active Workers,,,\r\n"Run on 01/12/2026, 08:00"\r\n\r\nemail;name;note\r\nann@x.test;Ann;"a, b"\r\n';
    const { records, delimiter } = parseCsv(text);
    expect(delimiter).toBe(';');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [4, ['email', 'name', 'note']],
      [5, ['ann@x.test', 'Ann', 'a, b']],
    ]);
    for (const size of [1, 2, 5, 11]) expect(feed(text, size)).toEqual(records);
    // Excel's sep= line is still the separator's, and a header of one column is still the header (refused later).
    expect(parseCsv('sep=;\nemail;name\na@x.test;A\n').records.map((r) => r.fields)).toEqual([['email', 'name'], ['a@x.test', 'A']]);
    expect(parseCsv('email\na@x.test\nb@x.test\n').records.map((r) => r.fields)).toEqual([['email'], ['a@x.test'], ['b@x.test']]);
    // A tab-separated file's header is its first line, even when a later line has a comma in a cell.
    expect(parseCsv('email\tname\nann@x.test\tLee, Ann\n').records[0]!.fields).toEqual(['email\tname']);
  });

  it('reads a last line without a line break, and lone CR line ends', () => {
    expect(parseCsv('a,b\rc,d').records.map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('refuses an unbalanced quote and junk after a closing quote, naming the line', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(/opened on line 2 is never closed/);
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(/after a closing quote on line 2/);
  });
});

describe('readCsvFile', () => {
  it('strips a UTF-8 BOM and streams rows in batches', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Email,Name\nä@x.test,Zoë\nb@x.test,Bo\n')]);
    const result = await read(bom);
    expect(result.headers).toEqual(['Email', 'Name']);
    expect(result.rows).toEqual([['ä@x.test', 'Zoë'], ['b@x.test', 'Bo']]);
    expect(result).toMatchObject({ rows: expect.any(Array), delimiter: ',', bytes: bom.length });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a semicolon file starting with an empty line after a BOM, and does not count separator-only rows', async () => {
    const text = new TextEncoder().encode('\r\nEmail;Name;Department\r\nä@x.test;Zoë;Ops\r\n;;\r\nb@x.test;Bo;Ops\r\n;;\r\n;;\r\n');
    const result = await read(new Uint8Array([0xef, 0xbb, 0xbf, ...text]));
    expect(result).toMatchObject({ delimiter: ';', headers: ['Email', 'Name', 'Department'] });
    expect(result.rows).toEqual([['ä@x.test', 'Zoë', 'Ops'], ['b@x.test', 'Bo', 'Ops']]);
    const error = await read('\nemail;name\n;;\n;;\n').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'no_rows' });
  });

  it('reads Excel’s “sep=;” first line as the separator, not as the header, keeping line numbers', async () => {
    const text = new TextEncoder().encode('sep=;\r\nEmail;Name;Notes\r\nä@x.test;Zoë;"a, b; c"\r\n');
    const result = await read(new Uint8Array([0xef, 0xbb, 0xbf, ...text]));
    expect(result).toMatchObject({ delimiter: ';', headers: ['Email', 'Name', 'Notes'] });
    expect(result.rows).toEqual([['ä@x.test', 'Zoë', 'a, b; c']]);
    // The separator it names wins over the header's own count, in any chunking.
    for (const size of [1, 3, 100]) expect(feed('sep=,\nA;B,C\n1;2,3\n', size)).toEqual([{ fields: ['A;B', 'C'], line: 2 }, { fields: ['1;2', '3'], line: 3 }]);
  });

  const refusals: [string, Uint8Array | string, string, RegExp][] = [
    ['UTF-16', new Uint8Array([0xff, 0xfe, 0x65, 0x00, 0x6d, 0x00]), 'invalid_encoding', /UTF-16/],
    ['UTF-16 without BOM', new TextEncoder().encode('e\0m\0a\0i\0l\0'), 'binary_file', /NUL bytes/],
    ['invalid UTF-8 (Latin-1)', new Uint8Array([...new TextEncoder().encode('email,name\nz@x.test,Zo'), 0xeb, 0x0a]), 'invalid_encoding', /not valid UTF-8 \(line 2\).*Latin-1/],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'binary_file', /PNG image/],
    ['other binary data', new Uint8Array([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00, 0x01]), 'binary_file', /NUL bytes/],
    ['an XLSX workbook', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'binary_file', /XLSX/],
    ['unbalanced quotes', 'email,name\n"a@x.test,Ann\nb@x.test,Bo\n', 'malformed_csv', /never closed/],
    ['an empty file', '', 'empty_file', /empty/],
    ['a header only', 'email,name\n', 'no_rows', /no data rows/],
    ['one column', 'hello world\nfoo\n', 'no_header_row', /at least two columns/],
    ['tab-separated', 'email\tname\nann@x.test\tAnn\n', 'no_header_row', /separated by tabs/],
  ];
  for (const [what, bytes, code, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const error = await read(bytes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileRefused);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a file over the size limit while reading it', async () => {
    const error = await read('email,name\n' + 'a@x.test,Ann\n'.repeat(100), 500).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'file_too_large', status: 413 });
  });
});

describe('header mapping', () => {
  it('normalises headers and detects BambooHR files', () => {
    expect(['First Name', 'first_name', 'firstName', ' FIRST-NAME '].map(normaliseHeader)).toEqual(['first_name', 'first_name', 'first_name', 'first_name']);
    expect(detectFormat(['Name', 'PersonID', 'SupervisorID', 'Email'])).toBe('bamboohr');
    expect(detectFormat(['email', 'first_name', 'department'])).toBe('orgonaut');
    expect(detectFormat(['Employee ID', 'Email', 'Department', 'Division'])).toBe('orgonaut'); // a Division column alone is no sign of BambooHR
    const mapping = detectMapping(['Name', 'PersonID', 'SupervisorID', 'Work Email', 'Job Title', 'Hire Date', 'Favourite colour', 'Email Address'], 'bamboohr');
    expect(mapping.map((m) => m.field)).toEqual(['name', 'employee_id', 'manager_employee_id', 'email', 'job_title', 'start_date', null, null]);
  });

  it('maps the spellings HR people and spreadsheet templates use, and headers with a note in brackets', () => {
    const fields = (headers: string[]) => detectMapping(headers, 'orgonaut').map((m) => m.field);
    expect(fields(['Emp ID', 'Official Email', 'Designation', 'Date Hired', 'Date Left', "Supervisor's Email", 'Manager Number', 'Pay Grade', 'Employment Percentage'])).toEqual(
      ['employee_id', 'email', 'job_title', 'start_date', 'end_date', 'manager_email', 'manager_employee_id', 'level', 'fte'],
    );
    expect(fields(['Employee Code', 'Corporate Email', 'Join Date', 'Leaving Date', 'Manager E-mail Address', 'Cost Center Name', 'Gross Salary'])).toEqual(
      ['employee_id', 'email', 'start_date', 'end_date', 'manager_email', 'cost_center', 'base_salary'],
    );
    // A note in brackets (or a template's asterisk for a required column) is not part of the name.
    expect(fields(['Email Address (Work)*', 'Surname(s)', 'Hire Date (MM/DD/YYYY)', 'Termination Date [if any]', 'Manager Email (Work)'])).toEqual(['email', 'last_name', 'start_date', 'end_date', 'manager_email']);
    expect(fields(['E-Mail (geschäftlich)', 'Eintritt', 'Austritt'])).toEqual(['email', 'start_date', 'end_date']);
    // …but a note that changes the unit is: a salary in cents is not read as one in euros.
    expect(fields(['Salary (in cents)', 'Salary (EUR)'])).toEqual([null, 'base_salary']);
  });
});
