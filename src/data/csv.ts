import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Options, parse as parseCsvStream } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { DataError, NotFoundError } from '../errors.js';
import { checkHeader, createTableBuilder, type TableBuilder } from './builder.js';
import { checkBytes, utf8ChunkChecker } from './encoding.js';
import type { Table } from './table.js';

/** Options of parseCsv and readCsvFile. */
export interface CsvOptions {
  /** Name used in error messages (a file name); default "input" (parseCsv) or the path (readCsvFile). */
  source?: string;
}

/**
 * csv-parse settings (csv.js.org/parse/options): BOM stripped, CRLF/LF/CR line ends, quotes only
 * special at the start of a field (RFC 4180 section 2 otherwise), blank lines skipped, spaces around
 * fields trimmed (not inside quotes). Ragged rows are checked by us to give a better message.
 */
const PARSE_OPTIONS: Options = {
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
  trim: true,
};

/** Per-parse state: turns csv-parse records into builder rows and tracks source lines. */
interface RecordSink {
  onRecord(record: string[], ctx: { lines: number; empty_lines: number }): null;
  translate(err: unknown): unknown;
}

function createSink(builder: TableBuilder, source: string): RecordSink {
  let lastEnd = 0; // line on which the previous record ended (our count)
  let lastCtxLines = 0; // csv-parse's line count at that record
  let lastEmpty = 0; // csv-parse's skipped-empty-line count at that record
  let width = 0;
  return {
    onRecord(record, ctx) {
      // A record starts on the line after the previous one, plus any skipped blank lines. Quoted
      // line breaks make it span several lines; csv-parse counts a quoted CRLF as two lines, so
      // when it reports a multi-line record we count the breaks in its fields ourselves.
      const skipped = ctx.empty_lines - lastEmpty;
      const line = lastEnd + 1 + skipped;
      lastEnd = ctx.lines - lastCtxLines > 1 + skipped ? line + countLineBreaks(record) : line;
      lastCtxLines = ctx.lines;
      lastEmpty = ctx.empty_lines;
      if (!builder.hasHeader) {
        builder.setHeader(checkHeader(record, source, line), line);
        width = record.length;
        return null;
      }
      if (record.length !== width || record[0] === '') {
        if (allEmpty(record)) return null; // e.g. ",,,," lines that spreadsheets append
        if (record.length < width || !allEmpty(record, width)) {
          throw new DataError(
            `${source}: line ${line}: ${record.length} field${record.length === 1 ? '' : 's'}, but the header has ${width} (ragged row)`,
          );
        }
      }
      builder.addText(record, line);
      return null;
    },
    translate(err) {
      if (err instanceof CsvError) {
        const e = err as CsvError & { lines?: number; empty_lines?: number };
        if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
          const line = lastEnd + 1 + ((e.empty_lines ?? lastEmpty) - lastEmpty);
          return new DataError(
            `${source}: line ${line}: unterminated quote (a quoted field in the row starting here never closes)`,
          );
        }
        return new DataError(`${source}: line ${e.lines ?? lastEnd + 1}: ${err.message}`);
      }
      return err;
    },
  };
}

/** Line breaks (CRLF, LF or CR, each counting once) inside a record's fields. */
function countLineBreaks(record: readonly string[]): number {
  let n = 0;
  for (const field of record) {
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

function finishTable(builder: TableBuilder, source: string): Table {
  if (!builder.hasHeader) throw new DataError(`${source}: empty file (no header, no data)`);
  const table = builder.finish({ source, withLines: true });
  if (table.nRows === 0) {
    throw new DataError(`${source}: header only, no data rows`);
  }
  return table;
}

/**
 * Parse CSV text (or UTF-8 bytes) into a Table. Numeric columns are those where every non-empty
 * cell is a finite decimal number (exponent notation allowed); other columns are factors with sorted
 * levels. Handles a UTF-8 BOM, CRLF, quoted fields with commas, quotes and newlines, non-ASCII
 * text, trailing blank lines. `lines` holds each row's first source line. Throws DataError naming
 * the source, line and column for empty files, header-only files, duplicate column names, ragged
 * rows, unterminated quotes, and binary or non-UTF-8 bytes (with the byte offset).
 *
 * @example
 * const t = parseCsv('heuristic,task,score\na,t1,0.5\nb,t1,1e-1\n', { source: 'runs.csv' });
 * t.columns.score; // { type: 'numeric', values: Float64Array [0.5, 0.1] }
 */
export function parseCsv(text: string | Uint8Array, opts: CsvOptions = {}): Table {
  const source = opts.source ?? 'input';
  let input: string | Buffer;
  if (typeof text === 'string') {
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      throw new DataError(
        `${source}: binary content (NUL character at offset ${nul}); expected CSV text`,
      );
    }
    input = text;
  } else {
    checkBytes(text, source);
    input = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  }
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const builder = createTableBuilder(forced);
    const sink = createSink(builder, source);
    try {
      parseCsvSync(input, { ...PARSE_OPTIONS, on_record: sink.onRecord });
    } catch (err) {
      throw sink.translate(err);
    }
    if (builder.needsSecondPass.length === 0) return finishTable(builder, source);
    forced = new Set(builder.needsSecondPass);
  }
  throw new Error('parseCsv: unreachable (second pass still mixed)');
}

/**
 * Read a CSV file with csv-parse's streaming API: bytes are checked (NUL, UTF-8) chunk by chunk and
 * cells go straight into typed columns, so memory stays a few bytes per cell (a 1,000,000-row file
 * needs tens of MB). Same result and errors as parseCsv on the file's bytes.
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
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const builder = createTableBuilder(forced);
    const sink = createSink(builder, source);
    const checker = utf8ChunkChecker(source);
    try {
      await pipeline(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        async function* check(chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            checker.push(chunk);
            yield chunk;
          }
          checker.end();
        },
        parseCsvStream({ ...PARSE_OPTIONS, on_record: sink.onRecord }),
        async (records: AsyncIterable<unknown>) => {
          for await (const _ of records) {
            // on_record keeps every row; nothing is emitted
          }
        },
      );
    } catch (err) {
      throw sink.translate(err);
    }
    if (builder.needsSecondPass.length === 0) return finishTable(builder, source);
    forced = new Set(builder.needsSecondPass);
  }
  throw new Error('readCsvFile: unreachable (second pass still mixed)');
}
