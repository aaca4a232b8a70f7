import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import { CsvParser, CsvSyntaxError, type CsvRecord, type Delimiter } from './parser.js';

/**
 * Reads an uploaded file as a stream of bytes: refuses what is not a UTF-8 CSV (binary files, spreadsheets, UTF-16,
 * invalid UTF-8, files over the size limit, unbalanced quotes) with a message saying what to do, strips a UTF-8 BOM
 * (the decoder does; blank and separator-only lines are skipped by the parser, the header is the first line with content),
 * and hands records to the caller in batches as they are parsed, so a file is never held whole in memory.
 */

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** A file the importer cannot read. Nothing was stored. */
export class FileRefused extends AppError {
  constructor(code: string, status: number, message: string, fix: string, details: Record<string, unknown> = {}) {
    super(code, status, message, fix, details);
  }
}

export function tooLarge(bytes: number | null, limit: number): FileRefused {
  const size = bytes === null ? 'larger than' : `${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is`;
  return new FileRefused('file_too_large', 413, `The file is ${size} ${formatLimit(limit)}.`, 'Split the file, or leave out columns you do not import.', { limit_bytes: limit });
}

function formatLimit(limit: number): string {
  return `${Math.round(limit / 1024 / 1024)} MB`;
}

const CSV_FIX = 'Export the file as CSV (UTF-8), comma- or semicolon-separated, with a header row.';

export interface ReadResult {
  bytes: number;
  sha256: string;
  delimiter: Delimiter;
  headers: string[];
  rows: number;
}

export interface ReadOptions {
  maxBytes?: number;
  /** Called once with the header row, before any data row. */
  onHeader?: (headers: string[], delimiter: Delimiter) => Promise<void> | void;
  /** Called with each batch of data rows (in order); awaited, so a slow consumer slows the reading. */
  onRows: (rows: CsvRecord[]) => Promise<void>;
  batchSize?: number;
}

export async function readCsvFile(source: AsyncIterable<Uint8Array>, options: ReadOptions): Promise<ReadResult> {
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  const batchSize = options.batchSize ?? 2_000;
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let bytes = 0;
  let lines = 1;
  let headers: string[] | null = null;
  let rows = 0;
  let pending: CsvRecord[] = [];
  let headerPromise: Promise<void> | void = undefined;
  const parser = new CsvParser((record) => {
    if (headers === null) {
      headers = record.fields.map((h) => h.trim());
      headerPromise = options.onHeader?.(headers, parser.separator ?? ',');
      return;
    }
    rows++;
    pending.push(record);
  });
  const flush = async (all: boolean) => {
    if (headerPromise) {
      await headerPromise;
      headerPromise = undefined;
    }
    while (pending.length >= batchSize || (all && pending.length)) {
      const batch = pending.slice(0, batchSize);
      pending = pending.slice(batch.length);
      await options.onRows(batch);
    }
  };

  try {
    for await (const chunk of source) {
      if (bytes === 0) refuseKnownBinary(chunk);
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(null, maxBytes);
      if (chunk.indexOf(0) !== -1) throw binary();
      hash.update(chunk);
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidUtf8(chunk, lines);
      }
      lines += countByte(chunk, 10);
      parser.push(text);
      await flush(false);
    }
    try {
      parser.push(decoder.decode());
    } catch {
      throw new FileRefused('invalid_encoding', 422, 'The file ends in the middle of a UTF-8 character: it is not valid UTF-8.', CSV_FIX);
    }
    parser.end();
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new FileRefused('malformed_csv', 422, `The file is not a well-formed CSV: ${error.message}.`, 'Check the quotes on that line: a field containing a quote must be quoted, with the quote doubled ("").', { line: error.line });
    }
    throw error;
  }
  await flush(true);
  if (bytes === 0 || headers === null) throw new FileRefused('empty_file', 422, 'The file is empty.', CSV_FIX);
  const header: string[] = headers;
  if (header.length < 2 || header.every((h) => h === '')) {
    const tabs = header.length === 1 && header[0]!.includes('\t') ? ' Its columns are separated by tabs (a TSV export).' : '';
    throw new FileRefused('no_header_row', 422, `The first non-blank line must be a header row with at least two columns separated by commas or semicolons.${tabs}`, CSV_FIX);
  }
  if (rows === 0) throw new FileRefused('no_rows', 422, 'The file has a header row but no data rows.', 'Add one row per person below the header row.');
  return { bytes, sha256: hash.digest('hex'), delimiter: parser.separator ?? ',', headers: header, rows };
}

function binary(): FileRefused {
  return new FileRefused('binary_file', 422, 'The file contains NUL bytes: it is a binary file, or text encoded as UTF-16/UTF-32.', CSV_FIX);
}

const SIGNATURES: [bytes: number[], what: string][] = [
  [[0x50, 0x4b, 0x03, 0x04], 'a spreadsheet workbook (XLSX) or a ZIP archive'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'a legacy Excel workbook (XLS)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
];

function refuseKnownBinary(chunk: Uint8Array): void {
  if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
    throw new FileRefused('invalid_encoding', 422, 'The file is encoded as UTF-16; the importer reads UTF-8.', CSV_FIX, { encoding: 'UTF-16' });
  }
  for (const [signature, what] of SIGNATURES) {
    if (signature.every((b, i) => chunk[i] === b)) throw new FileRefused('binary_file', 422, `The file is ${what}, not a CSV file.`, CSV_FIX);
  }
}

function invalidUtf8(chunk: Uint8Array, linesBefore: number): FileRefused {
  const at = firstInvalidUtf8(chunk);
  const line = linesBefore + countByte(chunk.subarray(0, Math.max(0, at)), 10);
  const byte = at >= 0 ? chunk[at]! : null;
  if (byte === null || byte < 0x80) return new FileRefused('invalid_encoding', 422, `The file is not valid UTF-8 (line ${line}).`, CSV_FIX, { line });
  // The cell as Windows-1252 reads it (“Zoë”), so the person sees which text it is.
  const cell = cellAround(chunk, at);
  return new FileRefused(
    'invalid_encoding',
    422,
    `The file is not valid UTF-8 (line ${line})${cell ? `: “${cell}”` : ''}. It looks like Latin-1 or Windows-1252 text, as Excel’s plain “CSV (Comma delimited)” saves it.`,
    'Save it again as UTF-8: in Excel, File → Save As → “CSV UTF-8 (Comma delimited) (*.csv)”; in LibreOffice, tick “Edit filter settings” and choose Unicode (UTF-8); or export it from your HR system as CSV (UTF-8).',
    { line },
  );
}

/** The cell holding byte `at`, decoded as Windows-1252 (at most 40 characters). */
function cellAround(chunk: Uint8Array, at: number): string {
  const stop = (b: number) => b === 0x2c || b === 0x3b || b === 0x0a || b === 0x0d || b === 0x22;
  let start = at;
  while (start > 0 && at - start < 40 && !stop(chunk[start - 1]!)) start--;
  let end = at + 1;
  while (end < chunk.length && end - start < 40 && !stop(chunk[end]!)) end++;
  return new TextDecoder('windows-1252').decode(chunk.subarray(start, end)).trim();
}

/** Offset of the first byte that breaks UTF-8 in a chunk (continuation bytes at its start belong to the previous one). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < b.length && (b[i]! & 0xc0) === 0x80) i++;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= b.length) return -1;
      if ((b[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

function countByte(chunk: Uint8Array, byte: number): number {
  let n = 0;
  for (let i = chunk.indexOf(byte); i !== -1; i = chunk.indexOf(byte, i + 1)) n++;
  return n;
}

/** Bytes of a web stream, a Node stream or a buffer as an async iterable. */
export async function* bytesOf(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array | string): AsyncIterable<Uint8Array> {
  if (typeof source === 'string') {
    yield new TextEncoder().encode(source);
    return;
  }
  if (source instanceof Uint8Array) {
    for (let i = 0; i < source.length; i += 64 * 1024) yield source.subarray(i, i + 64 * 1024);
    return;
  }
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source as AsyncIterable<Uint8Array>) yield chunk;
    return;
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
