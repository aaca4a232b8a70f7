/**
 * CSV as RFC 4180 writes it: CRLF line ends, fields with a comma, quote or line break in double quotes, quotes
 * doubled. Text that a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe
 * (OWASP "CSV injection"); numbers are written as numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A file name safe for Content-Disposition (letters, digits, dot, dash, underscore). */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-');
}
