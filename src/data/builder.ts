import { DataError } from '../errors.js';
import { quoted } from './access.js';
import type { Column, Table } from './table.js';

/**
 * Column-at-a-time table builder shared by the CSV readers and tableFromRecords. Cells go straight
 * into growable typed arrays (numbers) or a level map plus Int32 codes (text); no per-row objects
 * are kept, so a million rows cost a few bytes per cell.
 *
 * A column stays numeric while every non-empty cell is a finite number. When a text cell arrives
 * after numbers were stored, the column is marked for a second pass in which it is read as a factor
 * from the first row (the original text of the numbers, e.g. "1.50", is not kept in the first
 * pass); `needsSecondPass` tells the caller. The second pass is rare (mixed columns).
 *
 * @example const b: TableBuilder = createTableBuilder(new Set());
 */
export interface TableBuilder {
  /** Set the header (column names, already trimmed); `line` is its 1-based line. */
  setHeader(names: readonly string[], line: number): void;
  readonly nColumns: number;
  readonly hasHeader: boolean;
  /** Append a row: `cell(j)` gives column j's text (or a number, from records); `line` its source line. */
  addText(row: readonly string[], line: number): void;
  addValues(values: readonly (string | number | null | undefined)[], line: number): void;
  /** Columns (by index) that changed from numeric to text after holding numbers. */
  readonly needsSecondPass: readonly number[];
  finish(opts: { source?: string; withLines: boolean }): Table;
}

/** A decimal number, optional sign, fraction and exponent ("1", "-2.5", ".5", "3.", "1e-3"). */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number a CSV cell holds, or NaN when it is not a finite decimal number. Hex, "Infinity",
 * "NaN", thousands separators and surrounding text are not numbers.
 *
 * @example parseNumber('1.5e3'); // 1500
 * @example parseNumber('NaN'); // NaN
 */
export function parseNumber(text: string): number {
  if (!NUMBER_RE.test(text)) return Number.NaN;
  const x = Number(text);
  return Number.isFinite(x) ? x : Number.NaN;
}

interface ColumnState {
  numeric: boolean;
  hadNumbers: boolean;
  /** The column's chunks (numbers while numeric, codes once text); the last one is being filled. */
  values: Float64Array[];
  codes: Int32Array[];
  levelIndex: Map<string, number>;
  levels: string[];
}

/**
 * Rows per chunk of the column storage. Columns grow a chunk at a time (no doubling and copying of
 * whole columns: at 10,000,000 rows that held ~1.6x the table's bytes, the old and the new array
 * side by side), and are joined once in `finish`.
 */
const CHUNK_ROWS = 1 << 16;

/**
 * Create a builder. `forcedFactor` lists column indices to read as text from the start (the second
 * pass after a column turned out to be mixed). `chunkRows` (a power of two) is for tests.
 *
 * @example
 * const b = createTableBuilder(new Set());
 * b.setHeader(['h', 'y'], 1); b.addText(['a', '1'], 2);
 * const t = b.finish({ withLines: false });
 */
export function createTableBuilder(
  forcedFactor: ReadonlySet<number>,
  opts: { /** @internal */ chunkRows?: number } = {},
): TableBuilder {
  const chunk = opts.chunkRows ?? CHUNK_ROWS;
  if (!(chunk > 0 && (chunk & (chunk - 1)) === 0)) {
    throw new Error(`createTableBuilder: chunkRows must be a power of two, got ${chunk}`);
  }
  const mask = chunk - 1;
  let names: string[] = [];
  let cols: ColumnState[] = [];
  let nRows = 0;
  const lines: Int32Array[] = [];
  let line = new Int32Array(0); // the chunk of lines being filled
  let header = false;
  const secondPass: number[] = [];
  // the chunk being filled of each column (numbers or codes), for the hot loop
  let fill: (Float64Array | Int32Array)[] = [];

  /** A new chunk for every column, when row nRows starts one. */
  const newChunk = (): void => {
    line = new Int32Array(chunk);
    lines.push(line);
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j];
      if (c.numeric) {
        const v = new Float64Array(chunk);
        c.values.push(v);
        fill[j] = v;
      } else {
        const v = new Int32Array(chunk);
        c.codes.push(v);
        fill[j] = v;
      }
    }
  };

  const toFactor = (j: number, c: ColumnState): void => {
    c.numeric = false;
    // the rows so far held no number (else the second pass reads them again): missing
    c.codes = c.values.map(() => new Int32Array(chunk).fill(-1));
    c.values = [];
    fill[j] = c.codes[c.codes.length - 1];
    if (c.hadNumbers) secondPass.push(j);
  };

  const intern = (c: ColumnState, text: string): number => {
    let code = c.levelIndex.get(text);
    if (code === undefined) {
      code = c.levels.length;
      c.levels.push(text);
      c.levelIndex.set(text, code);
    }
    return code;
  };

  const pushText = (j: number, c: ColumnState, at: number, text: string): void => {
    if (text === '') {
      fill[j][at] = c.numeric ? Number.NaN : -1;
      return;
    }
    if (c.numeric) {
      const x = parseNumber(text);
      if (!Number.isNaN(x)) {
        fill[j][at] = x;
        c.hadNumbers = true;
        return;
      }
      toFactor(j, c);
    }
    fill[j][at] = intern(c, text);
  };

  /** Start row nRows: its slot in the chunks being filled. */
  const nextRow = (sourceLine: number): number => {
    const at = nRows & mask;
    if (at === 0) newChunk();
    line[at] = sourceLine;
    nRows++;
    return at;
  };

  return {
    setHeader(headerNames: readonly string[], _line: number): void {
      names = headerNames.slice();
      cols = names.map((_, j) => ({
        numeric: !forcedFactor.has(j),
        hadNumbers: false,
        values: [],
        codes: [],
        levelIndex: new Map(),
        levels: [],
      }));
      fill = cols.map(() => new Float64Array(0));
      header = true;
    },
    get nColumns() {
      return names.length;
    },
    get hasHeader() {
      return header;
    },
    get needsSecondPass() {
      return secondPass;
    },
    addText(row: readonly string[], sourceLine: number): void {
      const at = nextRow(sourceLine);
      for (let j = 0; j < cols.length; j++) pushText(j, cols[j], at, row[j]);
    },
    addValues(values: readonly (string | number | null | undefined)[], sourceLine: number): void {
      const at = nextRow(sourceLine);
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j];
        const v = values[j];
        if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
          pushText(j, c, at, '');
        } else if (typeof v === 'number') {
          if (c.numeric && Number.isFinite(v)) {
            fill[j][at] = v;
            c.hadNumbers = true;
          } else {
            pushText(j, c, at, String(v));
          }
        } else {
          pushText(j, c, at, String(v).trim());
        }
      }
    },
    finish(opts: { source?: string; withLines: boolean }): Table {
      // each column joined and its chunks let go before the next, so at most one column is held twice
      const columns: [string, Column][] = names.map((name, j) => {
        const c = cols[j];
        if (c.numeric) {
          const values = joinChunks(c.values, new Float64Array(nRows));
          c.values = [];
          return [name, { type: 'numeric', values }];
        }
        const codes = joinChunks(c.codes, new Int32Array(nRows));
        c.codes = [];
        return [name, sortedFactor(c.levels, codes)];
      });
      fill = [];
      const table: {
        nRows: number;
        names: readonly string[];
        columns: Record<string, Column>;
        source?: string;
        lines?: Int32Array;
      } = { nRows, names, columns: Object.fromEntries(columns) };
      if (opts.source !== undefined) table.source = opts.source;
      if (opts.withLines) table.lines = joinChunks(lines, new Int32Array(nRows));
      return table;
    },
  };
}

/** The chunks one after another in `out` (the last one cut at out's length). */
function joinChunks<A extends Float64Array | Int32Array>(chunks: readonly A[], out: A): A {
  let at = 0;
  for (const c of chunks) {
    const n = Math.min(c.length, out.length - at);
    out.set(n === c.length ? c : c.subarray(0, n), at);
    at += n;
  }
  return out;
}

/**
 * A factor column with levels sorted by UTF-16 code unit order (locale independent, as
 * Array.prototype.sort without a comparator) and codes renumbered to match.
 *
 * @example sortedFactor(['b', 'a'], Int32Array.from([0, 1, -1])); // levels ['a','b'], codes [1,0,-1]
 */
export function sortedFactor(
  levels: readonly string[],
  codes: Int32Array,
): { type: 'factor'; levels: string[]; codes: Int32Array } {
  const order = levels.map((_, i) => i).sort((a, b) => compareText(levels[a], levels[b]));
  const newCode = new Int32Array(levels.length);
  for (let k = 0; k < order.length; k++) newCode[order[k]] = k;
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    out[i] = c < 0 ? -1 : newCode[c];
  }
  return { type: 'factor', levels: order.map((i) => levels[i]), codes: out };
}

/**
 * Code-unit order comparison, the order of factor levels.
 *
 * @example ['b', 'B', 'a'].sort(compareText); // ['B', 'a', 'b']
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Check header names: empty names become `column<j>` (1-based), duplicates are an error naming both
 * column positions.
 *
 * @example checkHeader(['a', 'b'], 'x.csv'); // ['a', 'b']
 */
export function checkHeader(raw: readonly string[], source: string, line = 1): string[] {
  const names = raw.map((n, j) => (n === '' ? `column${j + 1}` : n));
  const seen = new Map<string, number>();
  for (let j = 0; j < names.length; j++) {
    const prev = seen.get(names[j]);
    if (prev !== undefined) {
      throw new DataError(
        `${source}: line ${line}: duplicate column name ${quoted(names[j])} (columns ${prev + 1} and ${j + 1})`,
      );
    }
    seen.set(names[j], j);
  }
  return names;
}
