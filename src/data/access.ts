import { ConfigError, DataError } from '../errors.js';
import type { Column, FactorColumn, NumericColumn, Table } from './table.js';

/**
 * Where a row came from, for error messages: "line 12" for tables read from CSV (they carry
 * `lines`), "row 12" (1-based) otherwise.
 *
 * @example rowLocation(parseCsv('a\n1\n'), 0); // 'line 2'
 */
export function rowLocation(table: Table, row: number): string {
  return table.lines ? `line ${table.lines[row]}` : `row ${row + 1}`;
}

/**
 * Longest user text (a cell, a name, a filter) an error message repeats: a 10 MB cell must not
 * make a 10 MB message.
 */
export const MAX_QUOTED_LENGTH = 80;

/**
 * User text cut for a message: at most MAX_QUOTED_LENGTH characters, then '…' and the full length.
 *
 * @example clip('x'.repeat(100)); // 'xxx…x… (100 characters)' (80 x's)
 */
export function clip(value: unknown): string {
  const text = String(value);
  if (text.length <= MAX_QUOTED_LENGTH) return text;
  // do not cut a surrogate pair in two
  let end = MAX_QUOTED_LENGTH;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${text.length} characters)`;
}

/**
 * User text in double quotes for a message, cut by `clip`.
 *
 * @example quoted('abc'); // '"abc"'
 */
export function quoted(value: unknown): string {
  return `"${clip(value)}"`;
}

/**
 * The text of one cell ('' when missing): factor level, or the number as JavaScript prints it.
 *
 * @example cellText(table, 'heuristic', 0); // 'performer'
 */
export function cellText(table: Table, name: string, row: number): string {
  const col = table.columns[name];
  if (!col) throw new DataError(`${table.source ?? 'table'}: no column ${quoted(name)}`);
  if (col.type === 'factor') {
    const c = col.codes[row];
    return c < 0 ? '' : col.levels[c];
  }
  const x = col.values[row];
  return Number.isNaN(x) ? '' : String(x);
}

/**
 * A column as a factor: factor columns as they are, numeric ones converted (levels are the numbers'
 * texts in numeric order; NaN becomes missing).
 *
 * @example asFactor({ type: 'numeric', values: Float64Array.from([2, 1]) }).levels; // ['1', '2']
 */
export function asFactor(col: Column): FactorColumn {
  if (col.type === 'factor') return col;
  // One pass with a first-seen map (no per-row arrays), then codes renumbered in numeric order.
  const first = new Map<number, number>();
  const distinct: number[] = [];
  const codes = new Int32Array(col.values.length);
  for (let i = 0; i < codes.length; i++) {
    const x = col.values[i];
    if (Number.isNaN(x)) {
      codes[i] = -1;
      continue;
    }
    let k = first.get(x);
    if (k === undefined) {
      k = distinct.length;
      distinct.push(x);
      first.set(x, k);
    }
    codes[i] = k;
  }
  const order = distinct.map((_, k) => k).sort((a, b) => distinct[a] - distinct[b]);
  const rank = new Int32Array(distinct.length);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) codes[i] = rank[codes[i]];
  return { type: 'factor', levels: order.map((k) => String(distinct[k])), codes };
}

/**
 * Type guard helpers.
 *
 * @example if (isNumeric(col)) col.values;
 */
export function isNumeric(col: Column | undefined): col is NumericColumn {
  return col?.type === 'numeric';
}

/**
 * Keep the rows whose index is listed (in that order): a new Table with the same columns and
 * source, `lines` carried over, and factor levels left as they are (use `dropUnusedLevels` to prune).
 *
 * @example selectRows(table, Int32Array.from([0, 2]));
 */
export function selectRows(table: Table, rows: Int32Array): Table {
  const columns = new Map<string, Column>(); // a Map: a column may be called "__proto__"
  for (const name of table.names) {
    const col = table.columns[name];
    if (col.type === 'numeric') {
      const v = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) v[i] = col.values[rows[i]];
      columns.set(name, { type: 'numeric', values: v });
    } else {
      const c = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) c[i] = col.codes[rows[i]];
      columns.set(name, { type: 'factor', levels: col.levels, codes: c });
    }
  }
  const out: { -readonly [K in keyof Table]: Table[K] } = {
    nRows: rows.length,
    names: table.names,
    columns: Object.fromEntries(columns),
  };
  if (table.source !== undefined) out.source = table.source;
  if (table.lines) {
    const l = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) l[i] = table.lines[rows[i]];
    out.lines = l;
  }
  return out;
}

/**
 * A factor with only the levels that occur (still sorted), codes renumbered.
 *
 * @example dropUnusedLevels({ type: 'factor', levels: ['a', 'b'], codes: Int32Array.from([1]) });
 * // { levels: ['b'], codes: [0] }
 */
export function dropUnusedLevels(col: FactorColumn): FactorColumn {
  const used = new Uint8Array(col.levels.length);
  for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) used[col.codes[i]] = 1;
  const remap = new Int32Array(col.levels.length).fill(-1);
  const levels: string[] = [];
  for (let k = 0; k < col.levels.length; k++) {
    if (used[k]) {
      remap[k] = levels.length;
      levels.push(col.levels[k]);
    }
  }
  if (levels.length === col.levels.length) return col;
  const codes = new Int32Array(col.codes.length);
  for (let i = 0; i < codes.length; i++) codes[i] = col.codes[i] < 0 ? -1 : remap[col.codes[i]];
  return { type: 'factor', levels, codes };
}

/**
 * Check that a library caller passed a Table (not null, a file name or an array of rows): a
 * ConfigError of one line instead of a TypeError from deep inside. `fn` names the function.
 *
 * @example assertTable(null, 'compare'); // ConfigError: compare: the first argument must be a Table ...
 */
export function assertTable(value: unknown, fn: string): asserts value is Table {
  const t = value as Table | null;
  const ok =
    typeof t === 'object' &&
    t !== null &&
    Array.isArray(t.names) &&
    typeof t.columns === 'object' &&
    t.columns !== null &&
    Number.isInteger(t.nRows);
  if (!ok) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ConfigError(
      `${fn}: the first argument must be a Table (from parseCsv, readCsvFile or tableFromRecords), got ${got}`,
    );
  }
}
