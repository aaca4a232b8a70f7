/**
 * A streaming RFC 4180 parser: text goes in by chunks of any size, records come out as they complete. Fields may be
 * quoted (`"a, b"`), with doubled quotes inside (`"5'10"""`) and line breaks inside; records end with LF, CRLF or CR.
 * The separator is a comma or a semicolon, detected from the header line (the one used more often outside quotes), or
 * named by a first line `sep=;` as Excel writes and reads it.
 * Blank lines — empty, whitespace or separators only (`;;;;`, the trailing rows spreadsheets export) — are no records:
 * the header is the first line with two filled cells — a report's title lines above it (`Workers Report,,,`, one filled
 * cell each) are no records either —, and the separator is guessed from it.
 *
 * Lenient where real exports are sloppy: a quote in the middle of an unquoted field is kept as a character, and
 * spaces after a closing quote are ignored. Strict where guessing would corrupt data: any other character after a
 * closing quote, and a quoted field still open at the end of the file, are errors naming the line.
 */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRecord {
  fields: string[];
  /** The line the record starts on (1-based). */
  line: number;
}

export type Delimiter = ',' | ';';

const State = {
  /** At the start of a field. */
  Start: 0,
  /** Inside an unquoted field. */
  Unquoted: 1,
  /** Inside a quoted field. */
  Quoted: 2,
  /** Just after a quote inside a quoted field: a doubled quote or the closing one. */
  QuoteInQuoted: 3,
  /** After a closing quote: a separator or a line end must follow. */
  AfterQuoted: 4,
} as const;
type State = (typeof State)[keyof typeof State];

const LF = 10;
const CR = 13;
const QUOTE = 34;
/** How much text may come before the header line ends: a file without line breaks is not a CSV. */
const MAX_HEADER_CHARS = 1_000_000;

export class CsvParser {
  private delimiter: Delimiter | null;
  private delimiterCode = 44;
  /** Text held back until the header line is complete (delimiter detection). */
  private head = '';
  private state: State = State.Start;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private skipLf = false;
  private quotedInRecord = false;
  /** Records before the header that are none: a report's title lines, and Excel's `sep=;` line. */
  private skipRecords = 0;

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    options: { delimiter?: Delimiter } = {},
  ) {
    this.delimiter = options.delimiter ?? null;
    if (this.delimiter) this.delimiterCode = this.delimiter.charCodeAt(0);
  }

  /** The separator in use (known once the header line has been read). */
  get separator(): Delimiter | null {
    return this.delimiter;
  }

  push(chunk: string): void {
    if (this.delimiter === null) {
      this.head += chunk;
      const header = headerLine(this.head);
      if (!header.complete) {
        if (this.head.length > MAX_HEADER_CHARS) throw new CsvSyntaxError('no line break in the first megabyte: this is not a CSV file with a header row', 1);
        return;
      }
      this.startWith(this.head.slice(header.start, header.end), header.titles);
      return;
    }
    this.consume(chunk);
  }

  /**
   * The header line is known: the separator is the one Excel's `sep=;` line names (that line is no record), else the
   * one the header uses most; the text held back is parsed, without the report's title lines above the header.
   */
  private startWith(headerLine: string, titles: number): void {
    const sep = /^\uFEFF?\s*sep=([,;])\s*$/i.exec(headerLine);
    this.setDelimiter(sep ? (sep[1] as Delimiter) : detectDelimiter(headerLine));
    this.skipRecords = titles + (sep !== null ? 1 : 0);
    const held = this.head;
    this.head = '';
    this.consume(held);
  }

  /** Ends the input: emits the last record, or throws when a quoted field was never closed. */
  end(): void {
    if (this.delimiter === null) {
      const header = finalHeaderLine(this.head);
      this.startWith(this.head.slice(header.start, header.end), header.titles);
    }
    if (this.state === State.Quoted) {
      throw new CsvSyntaxError(`a quoted field opened on line ${this.quoteLine} is never closed (unbalanced quotes)`, this.quoteLine);
    }
    if (this.state !== State.Start || this.fields.length > 0 || this.field !== '') this.endRecord();
  }

  private setDelimiter(delimiter: Delimiter): void {
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  private consume(chunk: string): void {
    const n = chunk.length;
    const d = this.delimiterCode;
    let i = 0;
    while (i < n) {
      if (this.skipLf) {
        this.skipLf = false;
        if (chunk.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      switch (this.state) {
        case State.Quoted: {
          const q = chunk.indexOf('"', i);
          const stop = q === -1 ? n : q;
          this.countLines(chunk, i, stop);
          this.field += chunk.slice(i, stop);
          if (q === -1) return;
          i = q + 1;
          this.state = State.QuoteInQuoted;
          continue;
        }
        case State.QuoteInQuoted: {
          if (chunk.charCodeAt(i) === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            i++;
            continue;
          }
          this.state = State.AfterQuoted;
          continue;
        }
        case State.AfterQuoted: {
          const c = chunk.charCodeAt(i);
          if (c === d) {
            this.endField();
            i++;
          } else if (c === LF || c === CR) {
            i = this.lineEnd(c, i);
          } else if (c === 32 || c === 9) {
            i++;
          } else {
            throw new CsvSyntaxError(`unexpected character after a closing quote on line ${this.line}; quotes inside a quoted field must be doubled ("")`, this.line);
          }
          continue;
        }
        default: {
          if (this.state === State.Start && chunk.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted;
            this.quotedInRecord = true;
            this.quoteLine = this.line;
            i++;
            continue;
          }
          let j = i;
          while (j < n) {
            const c = chunk.charCodeAt(j);
            if (c === d || c === LF || c === CR) break;
            j++;
          }
          this.field += chunk.slice(i, j);
          this.state = State.Unquoted;
          if (j === n) return;
          const c = chunk.charCodeAt(j);
          if (c === d) {
            this.endField();
            i = j + 1;
          } else {
            i = this.lineEnd(c, j);
          }
        }
      }
    }
  }

  /** A record ends at `i` (LF or CR); returns where to continue. */
  private lineEnd(c: number, i: number): number {
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    if (c === CR) this.skipLf = true;
    return i + 1;
  }

  private countLines(text: string, from: number, to: number): void {
    for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) this.line++;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.Start;
  }

  private endRecord(): void {
    const blank = !this.quotedInRecord && isBlank(this.field) && this.fields.every(isBlank);
    this.fields.push(this.field);
    const record = { fields: this.fields, line: this.recordLine };
    this.fields = [];
    this.field = '';
    this.state = State.Start;
    this.quotedInRecord = false;
    if (blank) return;
    if (this.skipRecords > 0) this.skipRecords--;
    else this.onRecord(record);
  }
}

/**
 * An unquoted field with nothing but whitespace or separators (a record of such fields is a blank line: `;;;;`, or
 * `,,,,` in a semicolon file, has no data).
 */
function isBlank(field: string): boolean {
  return field === '' || /^[\s,;\uFEFF]*$/.test(field);
}

/** How many title lines a report may have above its header before a file of one column is taken as one. */
const MAX_TITLE_LINES = 5;

/**
 * Where the header line is in the text read so far: the first line with at least two filled cells (or Excel's
 * `sep=;` line), after blank lines and a report's title lines (`Workers Report,,,`, `Run on 01/12/2026` — one filled
 * cell each, `titles` of them), whichever separator the file uses. When the first lines with content all have one
 * filled cell, the file has one column: the first of them is the header (refused later). `complete` is false while
 * the text does not yet say.
 */
function headerLine(text: string): { start: number; end: number; complete: boolean; titles: number; first?: { start: number; end: number } } {
  let start = 0;
  let quoted = false;
  let content = false;
  /** Cells of the current line with something in them, and whether the current cell has. */
  let filled = 0;
  let cellFilled = false;
  const firstContent: { start: number; end: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      quoted = !quoted;
      content = true;
      cellFilled = true;
    } else if (!quoted && (c === LF || c === CR)) {
      if (content) {
        const line = text.slice(start, i);
        if (cellFilled) filled++;
        // A line with tabs is a TSV file's header (refused later as one), not a title above a header.
        if (filled >= 2 || /^\uFEFF?\s*sep=[,;]\s*$/i.test(line) || line.includes('\t')) return { start, end: i, complete: true, titles: firstContent.length };
        firstContent.push({ start, end: i });
        if (firstContent.length > MAX_TITLE_LINES) return { ...firstContent[0]!, complete: true, titles: 0 };
      }
      start = i + 1;
      content = false;
      filled = 0;
      cellFilled = false;
    } else if (!quoted && (c === 44 || c === 59)) {
      if (cellFilled) filled++;
      cellFilled = false;
    } else if (c !== 32 && c !== 9 && c !== 0xfeff) {
      content = true;
      cellFilled = true;
    }
  }
  return { start, end: text.length, complete: false, titles: firstContent.length, first: firstContent[0] };
}

/**
 * The header line once all the text is read (a last line needs no line break): as `headerLine` finds it, else — no
 * line with two filled cells — the first line with content (a file of one column), else none (an empty file).
 */
function finalHeaderLine(text: string): { start: number; end: number; titles: number } {
  const found = headerLine(`${text}\n`);
  if (found.complete) return { start: found.start, end: Math.min(found.end, text.length), titles: found.titles };
  return found.first ? { ...found.first, titles: 0 } : { start: text.length, end: text.length, titles: 0 };
}

/** The separator used more often outside quotes in the header line (comma when tied). */
export function detectDelimiter(headerLine: string): Delimiter {
  let quoted = false;
  let commas = 0;
  let semicolons = 0;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string, options: { delimiter?: Delimiter } = {}): { records: CsvRecord[]; delimiter: Delimiter } {
  const records: CsvRecord[] = [];
  const parser = new CsvParser((r) => records.push(r), options);
  parser.push(text);
  parser.end();
  return { records, delimiter: parser.separator ?? ',' };
}

/** Writes one CSV record (RFC 4180 quoting where needed). */
export function formatCsvRecord(fields: readonly (string | number | null | undefined)[], delimiter: Delimiter = ','): string {
  return fields
    .map((value) => {
      const text = value === null || value === undefined ? '' : String(value);
      return /["\r\n]/.test(text) || text.includes(delimiter) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(delimiter);
}
