import { ConfigError, DataError } from '../errors.js';
import { quoted } from './access.js';
import { ROLE_CANDIDATES } from './benchmark.js';
import { createTableBuilder, parseNumber } from './builder.js';
import { parseCsvRecords } from './csv.js';
import type { Table } from './table.js';

/**
 * Wide benchmark tables, as papers print them: one row per method, one column per task, cells
 * `45.2`, `45.2 ± 0.3`, `45.2 +- 0.3`, `45.2 +/- 0.3` or `45.2 (0.3)` (a trailing `%` on either
 * number is dropped), converted to the long table the rest of bayesbench reads (one row per
 * method x task: heuristic, task, score, std, n, category). Optional:
 * - a second header row (its first cell empty or `category`): the row of categories when the first
 *   header row names the tasks; when the first header row has blanks or repeats (a spreadsheet's
 *   merged category cells), it is the categories and the second row the tasks;
 * - a `category` row anywhere (first cell `category`, `type`, `group`...): the category of each task;
 *   a blank category cell takes the one on its left (merged cells);
 * - more label columns (a column named like a role, e.g. `budget` or `model`, or a column of text):
 *   carried to every long row;
 * - `Avg`/`Average`/`Mean`/`Overall` columns (and rows, when tasks are rows): an average of the
 *   others, left out (a note says so).
 * Empty cells and `-`, `–`, `N/A`, `NA` are not-reported results: no long row (a note counts them).
 *
 * @example
 * const { table } = parseWide('Model,ListOps,Text\nA,36.4 ± 0.2,64.3 ± 0.5\nB,37.1 (0.4),65.0\n', { n: 3 });
 * // table rows: A ListOps 36.4 std 0.2 n 3; A Text 64.3 0.5 3; B ListOps 37.1 0.4 3; B Text 65 (no std) 3
 */

/** Options of the wide readers (the CLI's `--wide [ROLE]` and `--n COUNT`). */
export interface WideOptions {
  /** Name used in error messages. */
  source?: string;
  /** The role of the first (label) column: heuristic (default, methods as rows) or task (tasks as rows). */
  labelRole?: WideLabelRole;
  /** Seeds behind each `mean ± sd` cell: an `n` column, so that se = sd/sqrt(n) (src/data/benchmark.ts). */
  n?: number;
}

/** What the label column of a wide table holds. */
export type WideLabelRole = 'heuristic' | 'task';

/** A long table made from a wide one, and what the conversion did. */
export interface WideResult {
  table: Table;
  notes: string[];
}

/** One parsed cell: the score and its sd (NaN when the cell gives none). */
export interface WideCell {
  score: number;
  std: number;
  /** Half a unit of the sd's last printed digit (0.005 for "0.30"): the rounding bound of the sd. */
  stdRounding: number;
}

const NUM = '[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?';
/** mean, then optional `± sd`, `+- sd`, `+/- sd` or `(sd)` / `(± sd)`; `%` after a number allowed. */
const CELL_RE = new RegExp(
  `^(${NUM})\\s*%?(?:\\s*(?:±|\\+-|\\+/-)\\s*(${NUM})\\s*%?|\\s*\\(\\s*(?:±\\s*)?(${NUM})\\s*%?\\s*\\))?$`,
);

/** Spellings of a result that was not reported. */
const MISSING = new Set(['', '-', '–', '—', 'n/a', 'na', 'nan', 'null', 'none', '/']);

/** Column (or row) names of an average over the others. */
const AVERAGE_NAMES = new Set(['avg', 'avg.', 'average', 'ave', 'mean', 'overall']);

/** First-cell texts that mark a row of categories. */
const CATEGORY_LABELS = new Set([
  'category',
  'categories',
  'task_category',
  'task_type',
  'type',
  'group',
]);

/** Roles whose column names mark a long table (never a wide one). */
const LONG_ROLES = ['task', 'score', 'std', 'n', 'trials'] as const;
/** Roles whose column names mark a label column carried to every long row. */
const CARRIED_ROLES = [
  'heuristic',
  'category',
  'seed',
  'study',
  'backbone',
  'budget',
  'metric',
] as const;

const normalize = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

const roleNames = (roles: readonly (keyof typeof ROLE_CANDIDATES)[]): Set<string> =>
  new Set(roles.flatMap((r) => ROLE_CANDIDATES[r]));
const LONG_NAMES = roleNames(LONG_ROLES);
const CARRIED_NAMES = roleNames(CARRIED_ROLES);

/**
 * A cell of a wide table: a score with an optional sd, `'missing'` for a result that was not
 * reported, or undefined for anything else.
 *
 * @example parseWideCell('45.2 ± 0.3'); // { score: 45.2, std: 0.3, stdRounding: 0.05 }
 * @example parseWideCell('45.2 (0.3)'); // { score: 45.2, std: 0.3, stdRounding: 0.05 }
 * @example parseWideCell('-'); // 'missing'
 */
export function parseWideCell(text: string): WideCell | 'missing' | undefined {
  const t = text.trim();
  if (MISSING.has(t.toLowerCase())) return 'missing';
  const m = CELL_RE.exec(t);
  if (!m) return undefined;
  const score = parseNumber(m[1]);
  const sdText = m[2] ?? m[3];
  const std = sdText === undefined ? Number.NaN : parseNumber(sdText);
  if (Number.isNaN(score) || (sdText !== undefined && Number.isNaN(std))) return undefined;
  const dot = sdText?.replace(/[eE].*$/, '').indexOf('.') ?? -1;
  const decimals =
    dot < 0 || sdText === undefined ? 0 : sdText.replace(/[eE].*$/, '').length - dot - 1;
  return { score, std, stdRounding: 0.5 * 10 ** -decimals };
}

/** The layout of a wide table: which rows are headers, which columns hold scores. */
interface Layout {
  /** Index of the first data record. */
  firstData: number;
  /** Per column: the key (task or heuristic) of a value column, else undefined. */
  keys: (string | undefined)[];
  /** Per value column: its category ('' = none), when a category row or header row gives them. */
  categories?: string[];
  /** Records (by index) that are category rows. */
  categoryRows: Set<number>;
  /** Columns carried to every long row (by index, the label column excluded). */
  carried: number[];
  /** Columns left out as averages. */
  averages: string[];
  /** Index of the record that names the value columns (0 or 1). */
  keyRow: number;
}

const isCategoryLabel = (s: string): boolean => CATEGORY_LABELS.has(normalize(s));

/** Whether no cell of the row (past the label) is a score: a header-like row. */
function textOnly(record: readonly string[]): boolean {
  let any = false;
  for (let j = 1; j < record.length; j++) {
    const c = parseWideCell(record[j]);
    if (c !== undefined && c !== 'missing') return false;
    if (c === undefined) any = true;
  }
  return any;
}

/** Blank cells take the text on their left (spreadsheet merged cells), from column `from` on. */
function fillRight(cells: readonly string[], from: number): string[] {
  const out = cells.map((c) => c.trim());
  for (let j = from + 1; j < out.length; j++) if (out[j] === '') out[j] = out[j - 1];
  return out;
}

function hasBlanksOrRepeats(cells: readonly string[], cols: readonly number[]): boolean {
  const seen = new Set<string>();
  for (const j of cols) {
    const t = cells[j]?.trim() ?? '';
    if (t === '' || seen.has(t)) return true;
    seen.add(t);
  }
  return false;
}

/** Find header rows, category rows, value, carried and average columns. */
function layoutOf(records: readonly string[][]): Layout {
  const header = records[0];
  const width = header.length;
  // A second header row: right below the header, first cell empty or a category label, no scores.
  const second =
    records.length > 2 &&
    (records[1][0].trim() === '' || isCategoryLabel(records[1][0])) &&
    textOnly(records[1])
      ? 1
      : -1;
  const categoryRows = new Set<number>();
  for (let i = 1; i < records.length; i++) {
    if (i !== second && isCategoryLabel(records[i][0]) && textOnly(records[i])) categoryRows.add(i);
  }
  const firstData = second === 1 ? 2 : 1;
  const dataRows = (fn: (r: readonly string[]) => void) => {
    for (let i = firstData; i < records.length; i++) if (!categoryRows.has(i)) fn(records[i]);
  };
  const keys: (string | undefined)[] = new Array(width).fill(undefined);
  const carried: number[] = [];
  const averages: string[] = [];
  // Which columns hold scores: not a role name, and at least one cell that is a score.
  const valueCols: number[] = [];
  for (let j = 1; j < width; j++) {
    const name = normalize(header[j]);
    if (CARRIED_NAMES.has(name)) {
      carried.push(j);
      continue;
    }
    let scores = 0;
    dataRows((r) => {
      const c = parseWideCell(r[j] ?? '');
      if (c !== undefined && c !== 'missing') scores++;
    });
    if (scores === 0) carried.push(j);
    else valueCols.push(j);
  }
  let taskRow: readonly string[] = header;
  let keyRow = 0;
  let categoryRow: readonly string[] | undefined;
  if (second === 1) {
    const headerIsCategories =
      isCategoryLabel(header[0]) ||
      (!isCategoryLabel(records[1][0]) && hasBlanksOrRepeats(header, valueCols));
    if (headerIsCategories) {
      taskRow = records[1];
      keyRow = 1;
      categoryRow = header;
    } else categoryRow = records[1];
  }
  for (const j of valueCols) {
    const name = (taskRow[j] ?? '').trim();
    // an average column may be named in either header row (a merged cell spanning both)
    const other = name === '' ? (categoryRow?.[j] ?? '').trim() : '';
    if (AVERAGE_NAMES.has(normalize(name || other))) averages.push(name || other);
    else keys[j] = name;
  }
  const layout: Layout = { firstData, keys, categoryRows, carried, averages, keyRow };
  const catSources = [
    ...(categoryRow ? [categoryRow] : []),
    ...[...categoryRows].map((i) => records[i]),
  ];
  if (catSources.length > 0) {
    const first = valueCols[0] ?? 1;
    const filled = fillRight(catSources[catSources.length - 1], first);
    layout.categories = filled.map((c, j) => (j < first ? '' : c));
  }
  return layout;
}

/**
 * Whether CSV records look like a wide table: a header without the long format's role names (task,
 * score, value, std, n...), a first column of labels and at least two columns holding scores.
 *
 * @example looksWide([['Model', 'ListOps', 'Text'], ['A', '36.4', '64.3 ± 0.2']]); // true
 */
export function looksWide(records: readonly string[][]): boolean {
  if (records.length < 2 || records[0].length < 3) return false;
  if (records[0].some((name) => LONG_NAMES.has(normalize(name)))) return false;
  const layout = layoutOf(records);
  const values = layout.keys.filter((k) => k !== undefined).length + layout.averages.length;
  if (values < 2) return false;
  // the label column holds text (a column of numbers is not a column of method names)
  for (let i = layout.firstData; i < records.length; i++) {
    const c = parseWideCell(records[i][0]);
    if (c === undefined) return true;
  }
  return false;
}

/**
 * Convert CSV records of a wide table (records[0] the header; `lines` each record's 1-based line)
 * to the long table. Throws DataError naming the source, line and column for a cell that is not a
 * score, a row without a label, a value column without a name and task names given twice.
 *
 * @example wideToLong([['Model', 'A', 'B'], ['m1', '1', '2'], ['m2', '3', '4 ± 1']], [1, 2, 3], {}).table.nRows; // 4
 */
export function wideToLong(
  records: readonly string[][],
  lines: readonly number[],
  opts: WideOptions = {},
): WideResult {
  const source = opts.source ?? 'input';
  const labelRole: WideLabelRole = opts.labelRole ?? 'heuristic';
  const keyRole: WideLabelRole = labelRole === 'heuristic' ? 'task' : 'heuristic';
  if (opts.n !== undefined && !(Number.isInteger(opts.n) && opts.n >= 1)) {
    throw new ConfigError(`--n must be a whole number of seeds >= 1 (got ${opts.n})`);
  }
  if (records.length < 2) throw new DataError(`${source}: header only, no data rows`);
  const layout = layoutOf(records);
  const header = records[0];
  const valueCols = layout.keys.flatMap((k, j) => (k === undefined ? [] : [j]));
  if (valueCols.length === 0) {
    throw new DataError(
      `${source}: line ${lines[0]}: no column of scores (a wide table has a label column and one column of scores per ${keyRole})`,
    );
  }
  const seenKey = new Map<string, number>();
  for (const j of valueCols) {
    const key = layout.keys[j] as string;
    const at = layout.keyRow;
    if (key === '') {
      throw new DataError(
        `${source}: line ${lines[at]}, column ${j + 1}: a column of scores without a ${keyRole} name`,
      );
    }
    const prev = seenKey.get(key);
    if (prev !== undefined) {
      throw new DataError(
        `${source}: line ${lines[at]}: ${keyRole} ${quoted(key)} is named twice (columns ${prev + 1} and ${j + 1})`,
      );
    }
    seenKey.set(key, j);
  }
  if (layout.categories && keyRole !== 'task') {
    throw new DataError(
      `${source}: a category row needs tasks as columns (--wide heuristic); with tasks as rows give a category column`,
    );
  }
  const carriedNames = layout.carried.map((j) => header[j].trim() || `column${j + 1}`);
  const made = [
    labelRole,
    keyRole,
    'score',
    'std',
    'n',
    ...(layout.categories ? ['category'] : []),
  ];
  for (const name of carriedNames) {
    if (made.includes(name)) {
      throw new DataError(
        `${source}: line ${lines[0]}: column ${quoted(name)} clashes with the ${quoted(name)} column the wide table makes; rename it`,
      );
    }
  }
  // first pass: count what the long table will hold
  const notes: string[] = [];
  let missing = 0;
  let withStd = 0;
  let zeroSd = 0;
  const averageRows: string[] = [];
  const rows: { i: number; j: number; cell: WideCell }[] = [];
  for (let i = layout.firstData; i < records.length; i++) {
    if (layout.categoryRows.has(i)) continue;
    const r = records[i];
    if (r.length > header.length && r.slice(header.length).some((c) => c.trim() !== '')) {
      throw new DataError(
        `${source}: line ${lines[i]}: ${r.length} fields, but the header has ${header.length} (ragged row)`,
      );
    }
    const label = r[0].trim();
    if (label === '') {
      throw new DataError(`${source}: line ${lines[i]}, column 1: no ${labelRole} name`);
    }
    if (AVERAGE_NAMES.has(normalize(label))) {
      averageRows.push(label);
      continue;
    }
    for (const j of valueCols) {
      const text = r[j] ?? '';
      const cell = parseWideCell(text);
      if (cell === 'missing') {
        missing++;
        continue;
      }
      if (cell === undefined) {
        throw new DataError(
          `${source}: line ${lines[i]}, column ${quoted(layout.keys[j])}: ${quoted(text.trim())} is not a score (a number, mean ± sd, mean +- sd or mean (sd); read as a wide table)`,
        );
      }
      if (cell.std < 0) {
        throw new DataError(
          `${source}: line ${lines[i]}, column ${quoted(layout.keys[j])}: a standard deviation cannot be negative (${quoted(text.trim())})`,
        );
      }
      if (!Number.isNaN(cell.std)) withStd++;
      if (cell.std === 0) {
        // An sd printed as 0 is below the printed precision, and a standard error of 0 would be
        // exact knowledge: use the largest sd that rounds to 0 (half a unit of the last digit).
        zeroSd++;
        cell.std = cell.stdRounding;
      }
      rows.push({ i, j, cell });
    }
  }
  if (rows.length === 0) throw new DataError(`${source}: no scores in the wide table`);
  const names = [
    labelRole,
    ...carriedNames,
    ...(layout.categories ? ['category'] : []),
    keyRole,
    'score',
    ...(withStd > 0 ? ['std'] : []),
    ...(withStd > 0 && opts.n !== undefined ? ['n'] : []),
  ];
  // the label, category and key columns are names even when they look like numbers
  const forced = new Set(
    [0, names.indexOf('category'), names.indexOf(keyRole)].filter((k) => k >= 0),
  );
  const builder = createTableBuilder(forced);
  builder.setHeader(names, lines[0]);
  for (const { i, j, cell } of rows) {
    const r = records[i];
    const values: (string | number)[] = [r[0].trim(), ...layout.carried.map((c) => r[c] ?? '')];
    if (layout.categories) values.push(layout.categories[j]);
    values.push(layout.keys[j] as string, cell.score);
    if (withStd > 0) values.push(cell.std);
    if (withStd > 0 && opts.n !== undefined) values.push(opts.n);
    builder.addValues(values, lines[i]);
  }
  const table = builder.finish({ source, withLines: true });
  const nLabels = new Set(rows.map((x) => x.i)).size;
  notes.push(
    `wide table: ${nLabels} ${labelRole}${nLabels === 1 ? '' : 's'} x ${valueCols.length} ${keyRole}${valueCols.length === 1 ? '' : 's'} -> ${rows.length} rows`,
  );
  if (layout.averages.length > 0) {
    notes.push(
      `column${layout.averages.length === 1 ? '' : 's'} ${layout.averages.map(quoted).join(', ')} left out (an average of the other columns, not a ${keyRole})`,
    );
  }
  if (averageRows.length > 0) {
    notes.push(
      `row${averageRows.length === 1 ? '' : 's'} ${averageRows.map(quoted).join(', ')} left out (an average of the other rows, not a ${labelRole})`,
    );
  }
  if (missing > 0) {
    notes.push(`${missing} empty or "-" cell${missing === 1 ? '' : 's'} left out (not reported)`);
  }
  if (withStd > 0 && opts.n === undefined) {
    notes.push(
      `${withStd} cell${withStd === 1 ? ' gives' : 's give'} mean ± sd: give --n (seeds per mean) to use sd/sqrt(n) as a known standard error`,
    );
  }
  if (zeroSd > 0) {
    notes.push(
      `${zeroSd} cell${zeroSd === 1 ? ' gives' : 's give'} sd 0 (below the printed precision): sd set to half a unit of its last digit (e.g. 0.005 for 0.00), the largest sd that prints as 0`,
    );
  }
  if (withStd === 0 && opts.n !== undefined) {
    notes.push(`--n ${opts.n} is not used: no cell gives a sd`);
  }
  return { table, notes };
}

/** Bytes a wide table may have: papers' tables are kilobytes; a bigger file is almost surely long. */
export const WIDE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Parse CSV text (or UTF-8 bytes) of a wide table into the long table (see wideToLong). The CSV
 * checks and messages are parseCsv's.
 *
 * @example parseWide(text, { source: 'table1.csv', n: 5 }).table.columns.score;
 */
export function parseWide(text: string | Uint8Array, opts: WideOptions = {}): WideResult {
  const source = opts.source ?? 'input';
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > WIDE_MAX_BYTES) {
    throw new DataError(
      `${source}: ${size} bytes is over the ${WIDE_MAX_BYTES / 1024 / 1024} MB limit of a wide table`,
    );
  }
  const { records, lines } = parseCsvRecords(text, { source });
  return wideToLong(records, lines, { ...opts, source });
}
