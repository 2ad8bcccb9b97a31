import { DataError } from '../errors.js';

/**
 * Limits on a CSV header, checked from the first line before the full parse: a long-format
 * benchmark CSV has a handful of columns, and a header of 10^6 columns would otherwise make
 * csv-parse build every record of the file before any message (minutes and gigabytes).
 *
 * @example CSV_LIMITS.maxColumns // 1000
 */
export const CSV_LIMITS = Object.freeze({
  /** Columns in the header. */
  maxColumns: 1000,
  /** Characters of one column name (surrounding spaces and quotes not counted). */
  maxColumnNameLength: 256,
});

/**
 * Bytes of a file read by `readCsvFile` for `checkCsvHeader`: a header within the limits (1,000
 * quoted names of 256 characters of up to 4 UTF-8 bytes, every quote doubled) is shorter.
 */
export const CSV_HEADER_SCAN_BYTES =
  CSV_LIMITS.maxColumns * (2 * 4 * CSV_LIMITS.maxColumnNameLength + 3) + 4096;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Check the header of CSV text (or its first bytes) against CSV_LIMITS without parsing the file:
 * one linear scan of the first non-blank record (csv-parse's quoting rules: a quote opens a field
 * only at its start, "" inside quotes is a quote), stopping at the first field past a limit, so a
 * huge header costs at most a few hundred kilobytes of scanning. Blank lines (and ",,,," lines)
 * before the header are skipped as parseCsv does, but their fields count against the column limit
 * too. Input that ends inside the header (a prefix of a file) passes when no limit was crossed.
 * Throws DataError naming the source, the line and the limit. `parseCsv` and `readCsvFile` call it
 * first; the web upload calls it on the uploaded bytes with its own, lower `maxColumns`.
 *
 * @example
 * checkCsvHeader('heuristic,task,score\na,t1,0.5\n', 'runs.csv'); // passes
 * checkCsvHeader(`${'c,'.repeat(5000)}c\n`, 'wide.csv');
 * // DataError: wide.csv: line 1: the header has more than 1000 columns (the limit is 1000 columns)
 */
export function checkCsvHeader(
  text: string | Uint8Array,
  source: string,
  limits: { maxColumns?: number } = {},
): void {
  // Work on UTF-16 code units of a string, or on bytes: the delimiters are ASCII either way. Name
  // lengths are counted in characters (a UTF-8 continuation byte does not start a character).
  const isString = typeof text === 'string';
  const n = text.length;
  const at: (i: number) => number = isString
    ? (i) => (text as string).charCodeAt(i)
    : (i) => (text as Uint8Array)[i];
  const startsChar: (c: number) => boolean = isString
    ? (c) => c < 0xdc00 || c > 0xdfff // a low surrogate continues a character
    : (c) => (c & 0xc0) !== 0x80;
  let i = 0;
  if (isString && at(0) === 0xfeff) i = 1;
  else if (!isString && at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) i = 3;
  let line = 1;
  const { maxColumnNameLength } = CSV_LIMITS;
  const maxColumns = Math.min(limits.maxColumns ?? CSV_LIMITS.maxColumns, CSV_LIMITS.maxColumns);
  while (i < n) {
    const recordLine = line;
    let fields = 0;
    let nonEmpty = false;
    let done = false;
    // one record
    while (!done) {
      fields++;
      if (fields > maxColumns) {
        throw new DataError(
          `${source}: line ${recordLine}: the header has more than ${maxColumns} columns (the limit is ${maxColumns} columns)`,
        );
      }
      while (i < n && isBlank(at(i))) i++;
      let length = 0; // characters of the field, trailing blanks included (trimmed below)
      let trailing = 0;
      if (i < n && at(i) === QUOTE) {
        i++;
        for (;;) {
          if (i >= n) return; // input ends inside a quoted field (a prefix): nothing crossed a limit
          const c = at(i);
          if (c === QUOTE) {
            if (at(i + 1) === QUOTE) i++;
            else {
              i++;
              break;
            }
          } else if (c === LF || (c === CR && at(i + 1) !== LF)) line++;
          if (startsChar(c)) length++;
          i++;
          if (length > maxColumnNameLength) tooLong(source, recordLine, fields);
        }
      }
      for (;;) {
        if (i >= n) {
          done = true;
          break;
        }
        const c = at(i);
        if (c === COMMA) {
          i++;
          break;
        }
        if (c === LF || c === CR) {
          i += c === CR && at(i + 1) === LF ? 2 : 1;
          line++;
          done = true;
          break;
        }
        if (isBlank(c)) trailing++;
        else trailing = 0;
        if (startsChar(c)) length++;
        i++;
        if (length - trailing > maxColumnNameLength) tooLong(source, recordLine, fields);
      }
      if (length - trailing > 0) nonEmpty = true;
    }
    if (nonEmpty) return; // the header passed; data rows are the full parse's business
  }
}

function tooLong(source: string, line: number, column: number): never {
  throw new DataError(
    `${source}: line ${line}, column ${column}: column name longer than ${CSV_LIMITS.maxColumnNameLength} characters (the limit)`,
  );
}
