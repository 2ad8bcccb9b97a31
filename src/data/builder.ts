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
  values: Float64Array;
  codes: Int32Array;
  levelIndex: Map<string, number>;
  levels: string[];
}

const INITIAL_CAPACITY = 1024;

/**
 * Create a builder. `forcedFactor` lists column indices to read as text from the start (the second
 * pass after a column turned out to be mixed).
 *
 * @example
 * const b = createTableBuilder(new Set());
 * b.setHeader(['h', 'y'], 1); b.addText(['a', '1'], 2);
 * const t = b.finish({ withLines: false });
 */
export function createTableBuilder(forcedFactor: ReadonlySet<number>): TableBuilder {
  let names: string[] = [];
  let cols: ColumnState[] = [];
  let nRows = 0;
  let capacity = 0;
  let lines = new Int32Array(0);
  let header = false;
  const secondPass: number[] = [];

  const grow = (): void => {
    const next = capacity === 0 ? INITIAL_CAPACITY : capacity * 2;
    for (const c of cols) {
      if (c.numeric) {
        const v = new Float64Array(next);
        v.set(c.values);
        c.values = v;
      } else {
        const v = new Int32Array(next);
        v.set(c.codes);
        c.codes = v;
      }
    }
    const l = new Int32Array(next);
    l.set(lines);
    lines = l;
    capacity = next;
  };

  const toFactor = (j: number, c: ColumnState): void => {
    c.numeric = false;
    c.codes = new Int32Array(capacity).fill(-1, 0, nRows);
    c.values = new Float64Array(0);
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

  const pushText = (j: number, c: ColumnState, row: number, text: string): void => {
    if (text === '') {
      if (c.numeric) c.values[row] = Number.NaN;
      else c.codes[row] = -1;
      return;
    }
    if (c.numeric) {
      const x = parseNumber(text);
      if (!Number.isNaN(x)) {
        c.values[row] = x;
        c.hadNumbers = true;
        return;
      }
      toFactor(j, c);
    }
    c.codes[row] = intern(c, text);
  };

  return {
    setHeader(headerNames: readonly string[], _line: number): void {
      names = headerNames.slice();
      cols = names.map((_, j) => ({
        numeric: !forcedFactor.has(j),
        hadNumbers: false,
        values: new Float64Array(0),
        codes: new Int32Array(0),
        levelIndex: new Map(),
        levels: [],
      }));
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
    addText(row: readonly string[], line: number): void {
      if (nRows === capacity) grow();
      const r = nRows++;
      lines[r] = line;
      for (let j = 0; j < cols.length; j++) pushText(j, cols[j], r, row[j]);
    },
    addValues(values: readonly (string | number | null | undefined)[], line: number): void {
      if (nRows === capacity) grow();
      const r = nRows++;
      lines[r] = line;
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j];
        const v = values[j];
        if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
          pushText(j, c, r, '');
        } else if (typeof v === 'number') {
          if (c.numeric && Number.isFinite(v)) {
            c.values[r] = v;
            c.hadNumbers = true;
          } else {
            pushText(j, c, r, String(v));
          }
        } else {
          pushText(j, c, r, String(v).trim());
        }
      }
    },
    finish(opts: { source?: string; withLines: boolean }): Table {
      const columns: [string, Column][] = names.map((name, j) => {
        const c = cols[j];
        if (c.numeric) return [name, { type: 'numeric', values: c.values.slice(0, nRows) }];
        return [name, sortedFactor(c.levels, c.codes.subarray(0, nRows))];
      });
      const table: {
        nRows: number;
        names: readonly string[];
        columns: Record<string, Column>;
        source?: string;
        lines?: Int32Array;
      } = { nRows, names, columns: Object.fromEntries(columns) };
      if (opts.source !== undefined) table.source = opts.source;
      if (opts.withLines) table.lines = lines.slice(0, nRows);
      return table;
    },
  };
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
