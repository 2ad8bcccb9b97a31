import { createReadStream, readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Options, parse as parseCsvStream } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { DataError, NotFoundError } from '../errors.js';
import { checkHeader, createTableBuilder, type TableBuilder } from './builder.js';
import { CSV_HEADER_SCAN_BYTES, checkCsvHeader } from './csv-header.js';
import { forEachPlainRecordOfBytes, isPlainCsvFile, readPlainCsv } from './csv-plain.js';
import { checkBytes, utf8ChunkChecker } from './encoding.js';
import type { Table } from './table.js';

export { CSV_LIMITS, checkCsvHeader } from './csv-header.js';

/**
 * Options of parseCsv and readCsvFile.
 *
 * @example parseCsv(bytes, { source: 'upload.csv' });
 */
export interface CsvOptions {
  /** Name used in error messages (a file name); default "input" (parseCsv) or the path (readCsvFile). */
  source?: string;
}

/**
 * csv-parse settings (csv.js.org/parse/options): BOM stripped, CRLF/LF/CR line ends, quotes only
 * special at the start of a field (RFC 4180 section 2 otherwise), spaces around fields trimmed (not
 * inside quotes). Blank lines come through as [''] records and are skipped by us, so that we can count
 * lines ourselves; ragged rows are checked by us too, to give a better message. No `on_record` and no
 * `info`: csv-parse builds a context object per record for those, which tripled the time per row.
 */
const PARSE_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  trim: true,
};

/** Per-parse state: turns csv-parse records into builder rows and counts source lines. */
interface RecordSink {
  onRecord(record: string[]): void;
  /** Set when the input may hold quoted fields (then records may span several lines). */
  mayHaveQuotes: boolean;
  readonly nextLine: number;
}

function createSink(builder: TableBuilder, source: string): RecordSink {
  let next = 1; // line on which the next record starts
  let width = 0;
  const sink: RecordSink = {
    mayHaveQuotes: true,
    get nextLine() {
      return next;
    },
    onRecord(record) {
      const line = next;
      // Only a quoted field can hold a line break; without quotes every record is one line.
      next = line + 1 + (sink.mayHaveQuotes ? countLineBreaks(record) : 0);
      if (!builder.hasHeader) {
        if (allEmpty(record)) return; // blank lines before the header
        builder.setHeader(checkHeader(record, source, line), line);
        width = record.length;
        return;
      }
      if (record.length !== width || record[0] === '') {
        if (allEmpty(record)) return; // blank lines and ",,,," lines that spreadsheets append
        if (record.length < width || !allEmpty(record, width)) {
          throw new DataError(
            `${source}: line ${line}: ${record.length} field${record.length === 1 ? '' : 's'}, but the header has ${width} (ragged row)`,
          );
        }
      }
      builder.addText(record, line);
    },
  };
  return sink;
}

/** Line breaks (CRLF, LF or CR, each counting once) inside a record's fields. */
function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const field of record) {
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) continue;
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === 10) n++;
      else if (c === 13) {
        n++;
        if (field.charCodeAt(i + 1) === 10) i++;
      }
    }
  }
  return n;
}

function allEmpty(record: readonly string[], from = 0): boolean {
  for (let j = from; j < record.length; j++) if (record[j] !== '') return false;
  return true;
}

/**
 * Line on which a quoted field opens and never closes, found by a small scan with csv-parse's quoting
 * rules (a quote opens a field only at its start, after optional spaces; "" inside quotes is a quote).
 * Used only to word the error, after csv-parse reported an unclosed quote.
 */
function unclosedQuoteLine(chunks: Iterable<Uint8Array>): number | undefined {
  let line = 1;
  let inQuote = false;
  let pendingQuote = false; // saw '"' inside quotes: either an escaped quote or the closing one
  let atFieldStart = true;
  let lastCr = false;
  let openLine = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      const isLf = b === 10;
      const isCr = b === 13;
      if (isLf && lastCr) {
        lastCr = false; // second half of a CRLF: already counted
        continue;
      }
      lastCr = isCr;
      if (isLf || isCr) line++;
      if (inQuote) {
        if (pendingQuote) {
          pendingQuote = false;
          if (b === 34) continue; // "" escape
          inQuote = false; // the previous quote closed the field; handle b below
        } else {
          if (b === 34) pendingQuote = true;
          continue;
        }
      }
      if (b === 34 && atFieldStart) {
        inQuote = true;
        openLine = isLf || isCr ? line - 1 : line;
      } else if (b === 44 || isLf || isCr) atFieldStart = true;
      else if (b !== 32 && b !== 9) atFieldStart = false;
    }
  }
  return inQuote && !pendingQuote ? openLine : undefined;
}

function translate(
  err: unknown,
  source: string,
  rescan: () => Iterable<Uint8Array>,
  fallbackLine: number,
): unknown {
  if (!(err instanceof CsvError)) return err;
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    const line = unclosedQuoteLine(rescan()) ?? fallbackLine;
    return new DataError(
      `${source}: line ${line}: unterminated quote (the quoted field opened on this line never closes)`,
    );
  }
  const lines = (err as CsvError & { lines?: number }).lines;
  return new DataError(`${source}: line ${lines ?? fallbackLine}: ${err.message}`);
}

function finishTable(builder: TableBuilder, source: string): Table {
  if (!builder.hasHeader) throw new DataError(`${source}: empty file (no header, no data)`);
  const table = builder.finish({ source, withLines: true });
  if (table.nRows === 0) {
    throw new DataError(`${source}: header only, no data rows`);
  }
  return table;
}

/** Size of the slices a quote-free input is parsed in (bounds the records alive at once). */
const SLICE_BYTES = 1 << 20;

/**
 * csv-parse's sync API on the input, in slices when it can be done safely: without any quote
 * character, every record delimiter ends a record, so slices cut right after one parse on their own
 * (with the delimiter csv-parse would auto-discover for the whole input, passed explicitly). Only the
 * records of one slice are alive at a time. Inputs with quotes are parsed in one piece.
 */
function* recordBatches(
  input: Buffer,
  hasQuotes: boolean,
  sliceBytes: number,
): Iterable<string[][]> {
  const delimiter =
    hasQuotes || input.length <= sliceBytes ? undefined : firstRecordDelimiter(input);
  if (delimiter === undefined) {
    yield parseCsvSync(input, PARSE_OPTIONS) as string[][];
    return;
  }
  const sep = Buffer.from(delimiter);
  let start = 0;
  while (start < input.length) {
    let end = input.length;
    if (start + sliceBytes < input.length) {
      const at = input.indexOf(sep, start + sliceBytes);
      if (at >= 0) end = at + sep.length;
    }
    yield parseCsvSync(input.subarray(start, end), {
      ...PARSE_OPTIONS,
      bom: start === 0,
      record_delimiter: delimiter,
    }) as string[][];
    start = end;
  }
}

/** The line end csv-parse auto-discovers: the first of CRLF, LF or CR in the input. */
function firstRecordDelimiter(input: Buffer): string | undefined {
  const lf = input.indexOf(10);
  const cr = input.indexOf(13);
  if (cr >= 0 && (lf < 0 || cr < lf)) return input[cr + 1] === 10 ? '\r\n' : '\r';
  return lf >= 0 ? '\n' : undefined;
}

/**
 * Parse CSV text (or UTF-8 bytes) into a Table. Numeric columns are those where every non-empty
 * cell is a finite decimal number (exponent notation allowed); other columns are factors with sorted
 * levels. Handles a UTF-8 BOM, CRLF, quoted fields with commas, quotes and newlines, non-ASCII
 * text, blank lines. `lines` holds each row's first source line. Throws DataError naming the
 * source, line and column for empty files, header-only files, duplicate column names, ragged rows,
 * unterminated quotes, binary or non-UTF-8 bytes (with the byte offset), and a header past CSV_LIMITS
 * (checked from the first line before the full parse, see checkCsvHeader). Input without quotes
 * and CRs is split by the plain scan of src/data/csv-plain.ts (the same records), other quote-free
 * input by csv-parse in 1 MiB slices (few records alive at once each way); input with quotes in one
 * piece (every record of it alive until the end): for big files prefer readCsvFile.
 *
 * @example
 * const t = parseCsv('heuristic,task,score\na,t1,0.5\nb,t1,1e-1\n', { source: 'runs.csv' });
 * t.columns.score; // { type: 'numeric', values: Float64Array [0.5, 0.1] }
 */
export function parseCsv(
  text: string | Uint8Array,
  opts: CsvOptions & {
    /** @internal slice size of the quote-free path (tests) */ sliceBytes?: number;
  } = {},
): Table {
  const source = opts.source ?? 'input';
  const input = checkedInput(text, source);
  const mayHaveQuotes = input.indexOf(34) >= 0;
  // no quote and no CR: split by our own scan (src/data/csv-plain.ts), the same records
  const plain = !mayHaveQuotes && input.indexOf(13) < 0;
  const sliceBytes = opts.sliceBytes ?? SLICE_BYTES;
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const builder = createTableBuilder(forced);
    const sink = createSink(builder, source);
    sink.mayHaveQuotes = mayHaveQuotes;
    try {
      if (plain) forEachPlainRecordOfBytes(input, sliceBytes, (r) => sink.onRecord(r));
      else {
        for (const records of recordBatches(input, mayHaveQuotes, sliceBytes)) {
          for (const r of records) sink.onRecord(r);
        }
      }
    } catch (err) {
      throw translate(err, source, () => [input], sink.nextLine);
    }
    if (builder.needsSecondPass.length === 0) return finishTable(builder, source);
    forced = new Set(builder.needsSecondPass);
  }
  throw new Error('parseCsv: unreachable (second pass still mixed)');
}

/**
 * CSV text or UTF-8 bytes as a Buffer, after the checks every CSV reader makes first: no binary
 * content (NUL, or bytes that are not UTF-8 text) and a header within the width limits.
 * @example checkedInput('a,b\n1,2\n', 'x.csv').length // 8
 */
function checkedInput(text: string | Uint8Array, source: string): Buffer {
  if (typeof text === 'string') {
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      throw new DataError(
        `${source}: binary content (NUL character at offset ${nul}); expected CSV text`,
      );
    }
    checkCsvHeader(text, source);
    return Buffer.from(text, 'utf8');
  }
  checkBytes(text, source);
  checkCsvHeader(text, source);
  return Buffer.from(text.buffer, text.byteOffset, text.byteLength);
}

/**
 * The records of CSV text (or UTF-8 bytes) as strings, without typing them into a Table: the same
 * byte checks, csv-parse settings and error messages as parseCsv; blank lines (and ",,,," lines) are
 * skipped, every record keeps the line it starts on. In one piece (every record alive at once): for
 * small, hand-made inputs such as the wide tables of src/data/wide.ts, which need the header rows as
 * text (a row of categories may repeat a name, which a Table header cannot).
 *
 * @example parseCsvRecords('a,b\n\n1,2\n', { source: 'x.csv' }); // { records: [['a','b'],['1','2']], lines: [1, 3] }
 */
export function parseCsvRecords(
  text: string | Uint8Array,
  opts: CsvOptions = {},
): { records: string[][]; lines: number[] } {
  const source = opts.source ?? 'input';
  const input = checkedInput(text, source);
  const records: string[][] = [];
  const lines: number[] = [];
  let next = 1;
  try {
    for (const record of parseCsvSync(input, PARSE_OPTIONS) as string[][]) {
      const line = next;
      next = line + 1 + countLineBreaks(record);
      if (allEmpty(record)) continue;
      records.push(record);
      lines.push(line);
    }
  } catch (err) {
    throw translate(err, source, () => [input], next);
  }
  if (records.length === 0) throw new DataError(`${source}: empty file (no header, no data)`);
  return { records, lines };
}

/** The first `bytes` bytes of a file (fewer when the file is shorter). */
async function readPrefix(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Read a CSV file with csv-parse's streaming API, or, when the file holds no quote and no CR, with
 * the plain scan of src/data/csv-plain.ts (the same records, a few times faster): bytes are checked
 * (NUL, UTF-8) chunk by chunk and each record goes straight into typed columns, so memory stays a few bytes per cell (a
 * 1,000,000-row file needs tens of MB for the Table). The header is checked against CSV_LIMITS from
 * the file's first bytes before the parse starts (checkCsvHeader). Same Table as parseCsv on the file's bytes,
 * and the same error for a file with one problem (with several, the first one found may differ:
 * parseCsv checks all bytes before parsing, readCsvFile chunk by chunk).
 *
 * @example
 * const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
 */
export async function readCsvFile(path: string, opts: CsvOptions = {}): Promise<Table> {
  const source = opts.source ?? path;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DataError(`${source}: not a file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`${source}: no such file`);
    }
    if (err instanceof DataError) throw err;
    throw new DataError(`${source}: cannot read (${(err as Error).message})`);
  }
  checkCsvHeader(await readPrefix(path, CSV_HEADER_SCAN_BYTES), source);
  // no quote and no CR anywhere: split by our own scan (src/data/csv-plain.ts), same records
  const plain = await isPlainCsvFile(path);
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const builder = createTableBuilder(forced);
    const sink = createSink(builder, source);
    sink.mayHaveQuotes = false;
    if (plain) {
      const checker = utf8ChunkChecker(source);
      await readPlainCsv(
        path,
        (chunk) => checker.push(chunk),
        (record) => sink.onRecord(record),
      );
      checker.end();
      if (builder.needsSecondPass.length === 0) return finishTable(builder, source);
      forced = new Set(builder.needsSecondPass);
      continue;
    }
    const checker = utf8ChunkChecker(source);
    const parser = parseCsvStream(PARSE_OPTIONS);
    // Records are read in a synchronous loop on 'readable' (no per-record promise or callback object).
    const consumed = new Promise<void>((resolve, reject) => {
      parser.on('readable', () => {
        try {
          let r: string[] | null = parser.read();
          while (r !== null) {
            sink.onRecord(r);
            r = parser.read();
          }
        } catch (err) {
          parser.destroy(err as Error);
        }
      });
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    try {
      await Promise.all([
        pipeline(
          createReadStream(path, { highWaterMark: 1 << 16 }),
          async function* check(chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              checker.push(chunk);
              // Set before csv-parse sees the chunk, so records from it are counted with breaks.
              if (!sink.mayHaveQuotes && chunk.indexOf(34) >= 0) sink.mayHaveQuotes = true;
              yield chunk;
            }
            checker.end();
          },
          parser,
        ),
        consumed,
      ]);
    } catch (err) {
      // Error path only: the file is read again in one piece to find where the quote opened.
      throw translate(err, source, () => [readFileSync(path)], sink.nextLine);
    }
    if (builder.needsSecondPass.length === 0) return finishTable(builder, source);
    forced = new Set(builder.needsSecondPass);
  }
  throw new Error('readCsvFile: unreachable (second pass still mixed)');
}
