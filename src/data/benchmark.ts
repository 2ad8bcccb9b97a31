import { DataError } from '../errors.js';
import { asFactor, cellText, clip, quoted, rowLocation } from './access.js';
import { isFullBudget } from './budget.js';
import { parseNumber, sortedFactor } from './builder.js';
import type { Column, FactorColumn, Table } from './table.js';

/**
 * Which input columns play which role in a comparison. Values are column names; a value may join
 * several columns with `+` (e.g. `heuristic+budget`: the level is "snapkv@1024", parts joined by
 * `@`, empty parts left out), which is how one tells apart rows that differ only in a setting.
 *
 * @example const m: ColumnMapping = { heuristic: 'heuristic+budget', task: 'task', score: 'value', study: 'model' };
 */
export interface ColumnMapping {
  heuristic: string;
  task: string;
  score: string;
  category?: string;
  seed?: string;
  study?: string;
  /** The backbone model the heuristic runs on (LLM); methods are compared within backbone. */
  backbone?: string;
  /** The cache budget (tokens, ratio or percent); empty, `full` or `100%` is the full-cache reference. */
  budget?: string;
  /** The metric's name per row (accuracy, qa_f1, rouge_l, ...). */
  metric?: string;
  std?: string;
  n?: string;
  trials?: string;
  /**
   * The item (example, question) each row scores: rows of different heuristics on the same item of
   * a task are paired (src/model/item-model.ts).
   */
  item?: string;
}

/**
 * A mapping role.
 *
 * @example const role: MappingRole = 'category';
 */
export type MappingRole = keyof ColumnMapping;

/**
 * User overrides (the CLI's --heuristic, --task, --score/--value, --category, --seed, --study,
 * --std, --n, --trials). A name (or `a+b`) forces that column; `null` or `''` switches an optional
 * role off (e.g. no category even though a `category` column exists).
 *
 * @example const o: ColumnOverrides = { value: 'accuracy', category: null };
 */
export type ColumnOverrides = Partial<Record<MappingRole | 'value', string | null | undefined>>;

/**
 * Column names looked for, in order, per role (compared case-insensitively, `-`/space as `_`).
 *
 * @example ROLE_CANDIDATES.score; // ['score', 'value', 'accuracy', 'acc']
 */
export const ROLE_CANDIDATES: Readonly<Record<MappingRole, readonly string[]>> = {
  heuristic: ['heuristic', 'method', 'algorithm'],
  task: ['task', 'dataset'],
  score: ['score', 'value', 'accuracy', 'acc'],
  category: ['category', 'task_category', 'task_type'],
  seed: ['seed', 'seed_or_run', 'run', 'replicate'],
  study: ['study', 'source_id'],
  backbone: ['backbone', 'model', 'llm', 'base_model', 'backbone_model', 'model_name'],
  budget: [
    'budget',
    'cache_budget',
    'kv_budget',
    'kv_size',
    'cache_size',
    'compression_ratio',
    'sparsity',
  ],
  metric: ['metric', 'metric_name'],
  std: ['std', 'sd'],
  n: ['n', 'n_seeds', 'n_runs'],
  trials: ['trials', 'n_trials'],
  item: ['item', 'item_id', 'doc_id', 'example', 'example_id', 'sample_id', 'question_id'],
};

const ROLE_FLAG: Readonly<Record<MappingRole, string>> = {
  heuristic: '--heuristic',
  task: '--task',
  score: '--score',
  category: '--category',
  seed: '--seed',
  study: '--study',
  backbone: '--backbone',
  budget: '--budget',
  metric: '--metric',
  std: '--std',
  n: '--n',
  trials: '--trials',
  item: '--item',
};

const REQUIRED: readonly MappingRole[] = ['heuristic', 'task', 'score'];
const OPTIONAL: readonly MappingRole[] = [
  'category',
  'seed',
  'study',
  'backbone',
  'budget',
  'metric',
  'std',
  'n',
  'trials',
  'item',
];

const normalizeName = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

function available(table: Table): string {
  const shown = table.names.slice(0, 30).map(clip).join(', ');
  const list = table.names.length > 30 ? `${shown}, ... (${table.names.length} columns)` : shown;
  // One column whose name holds ';' or a tab: most likely a ;- or tab-separated file.
  const only = table.names.length === 1 ? table.names[0] : '';
  const sep = only.includes('\t') ? 'tab' : only.includes(';') ? '";"' : '';
  return sep
    ? `${list} (the file looks ${sep}-separated; bayesbench reads comma-separated CSV)`
    : list;
}

/** The parts of a column spec ("a" or "a+b") that are table columns; throws naming the option. */
function specParts(table: Table, spec: string, role: MappingRole): string[] {
  if (table.columns[spec] && Object.hasOwn(table.columns, spec)) return [spec];
  const parts = spec.split('+').map((p) => p.trim());
  for (const p of parts) {
    if (!p || !Object.hasOwn(table.columns, p)) {
      throw new DataError(
        `${table.source ?? 'data'}: no column ${quoted(p || spec)} (${ROLE_FLAG[role]} ${spec}); available columns: ${available(table)}`,
      );
    }
  }
  return parts;
}

/**
 * Find the roles' columns by name, without insisting on the required ones (the web upload page
 * shows what was found). Overrides win; an override naming a missing column throws.
 *
 * @example findColumns(table, {}); // { heuristic: 'heuristic', task: 'task', score: 'value', ... }
 */
export function findColumns(table: Table, overrides: ColumnOverrides = {}): Partial<ColumnMapping> {
  const byNorm = new Map<string, string>();
  for (const name of table.names) {
    const k = normalizeName(name);
    if (!byNorm.has(k)) byNorm.set(k, name);
  }
  const out: Partial<ColumnMapping> = {};
  const scoreOverride = overrides.score ?? overrides.value;
  const used = new Set<string>();
  for (const role of [...REQUIRED, ...OPTIONAL]) {
    const o = role === 'score' ? scoreOverride : overrides[role];
    if (o === null || o === '') continue;
    if (o !== undefined) {
      for (const part of specParts(table, o, role)) used.add(part);
      out[role] = o;
      used.add(o);
    }
  }
  for (const role of [...REQUIRED, ...OPTIONAL]) {
    const o = role === 'score' ? scoreOverride : overrides[role];
    if (o !== undefined) continue;
    for (const cand of ROLE_CANDIDATES[role]) {
      const name = byNorm.get(cand);
      if (name !== undefined && !used.has(name)) {
        out[role] = name;
        used.add(name);
        break;
      }
    }
  }
  return out;
}

/**
 * Find the comparison columns by name (heuristic; task; score or value; category or task_category;
 * seed, seed_or_run or run; study or source_id; std; n or n_seeds; trials), with overrides. Throws a
 * DataError listing the available columns when heuristic, task or score cannot be found.
 *
 * @example
 * detectColumns(parseCsv(text), { score: 'accuracy', category: null });
 */
export function detectColumns(table: Table, overrides: ColumnOverrides = {}): ColumnMapping {
  const found = findColumns(table, overrides);
  for (const role of REQUIRED) {
    if (found[role] === undefined) {
      const looked = ROLE_CANDIDATES[role].join(', ');
      throw new DataError(
        `${table.source ?? 'data'}: no ${role} column (looked for ${looked}; name it with ${ROLE_FLAG[role]} COLUMN); available columns: ${available(table)}`,
      );
    }
  }
  return found as ColumnMapping;
}

/**
 * Options of prepareComparisonData (the CLI's --filter, --drop-missing, --higher-is-better, --scale).
 *
 * @example const o: PrepareOptions = { filters: ['budget=128'], dropMissing: true, scale: 'task' };
 */
export interface PrepareOptions {
  /** `COLUMN=VALUE[,VALUE...]` or `COLUMN!=VALUE[,VALUE...]`; all must hold. */
  filters?: readonly string[];
  /** Drop rows whose score (or heuristic, task, category) is missing or not a finite number. */
  dropMissing?: boolean;
  /**
   * Orientation of the score. Default: from a `higher_is_better` column (true/false per row) when
   * there is one, else true. Rows where lower is better are negated.
   */
  higherIsBetter?: boolean;
}

/**
 * The canonical comparison data.
 *
 * @example const { table, notes } = prepareComparisonData(t, detectColumns(t));
 */
export interface ComparisonData {
  /**
   * Columns heuristic, task (factors), category?, study?, seed? (factors), score (numeric, higher is
   * better), se? (std/sqrt(n), same units as score),
   * trials?. `source` and `lines` are carried over from the input.
   */
  table: Table;
  /** The mapping that was applied. */
  mapping: ColumnMapping;
  /** Things people should know (filters, dropped rows, renamed tasks, negated scores). */
  notes: string[];
  /** Rows dropped by --drop-missing. */
  dropped: number;
  /** False when every score was negated (lower was better); scores are then -original. */
  higherIsBetter: boolean;
  /** Rows whose score was negated. */
  negated: number;
  /** Input row index of each output row. */
  rows: Int32Array;
}

/**
 * A factor of n rows from a text key per row (null = missing, code -1): levels in first-seen order,
 * one code per distinct key. The one home of the "intern each row's key" loop of this file.
 * @example keyedFactor(3, (i) => ['a', null, 'a'][i]) // { codes: [0, -1, 0], levels: ['a'] }
 */
function keyedFactor(
  n: number,
  keyOf: (i: number) => string | null,
): { codes: Int32Array; levels: string[] } {
  const codes = new Int32Array(n);
  const index = new Map<string, number>();
  const levels: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = keyOf(i);
    if (key === null) {
      codes[i] = -1;
      continue;
    }
    let k = index.get(key);
    if (k === undefined) {
      k = levels.length;
      levels.push(key);
      index.set(key, k);
    }
    codes[i] = k;
  }
  return { codes, levels };
}

/** A role's values as a factor over all input rows (joined columns combined). */
export interface RoleFactor {
  codes: Int32Array;
  levels: string[];
  parts: string[];
}

export function roleFactor(
  table: Table,
  spec: string,
  role: MappingRole,
  joiner: string,
): RoleFactor {
  const parts = specParts(table, spec, role);
  const cols = parts.map((p) => asFactor(table.columns[p]));
  if (cols.length === 1) return { codes: cols[0].codes, levels: [...cols[0].levels], parts };
  const texts: string[] = [];
  const f = keyedFactor(table.nRows, (i) => {
    texts.length = 0;
    for (const c of cols) if (c.codes[i] >= 0) texts.push(c.levels[c.codes[i]]);
    return texts.length === 0 ? null : texts.join(joiner);
  });
  return { ...f, parts };
}

interface ParsedFilter {
  text: string;
  column: string;
  negate: boolean;
  values: string[];
}

function parseFilter(table: Table, text: string): ParsedFilter {
  const m = /^\s*([^=!]+?)\s*(!?=)\s*(.*?)\s*$/.exec(text);
  const src = table.source ?? 'data';
  if (!m) {
    throw new DataError(
      `filter ${quoted(text)}: expected COLUMN=VALUE or COLUMN!=VALUE (e.g. budget=128)`,
    );
  }
  const column = m[1];
  if (!Object.hasOwn(table.columns, column)) {
    throw new DataError(
      `filter ${quoted(text)}: ${src} has no column ${quoted(column)}; available columns: ${available(table)}`,
    );
  }
  return { text, column, negate: m[2] === '!=', values: m[3].split(',').map((v) => v.trim()) };
}

/** Row mask of one filter; throws when a value occurs nowhere in the column (likely a typo). */
function filterMask(table: Table, f: ParsedFilter): Uint8Array {
  const col = table.columns[f.column];
  const keep = new Uint8Array(table.nRows);
  if (col.type === 'numeric') {
    const targets = f.values.map((v) => (v === '' ? Number.NaN : parseNumber(v)));
    const bad = f.values.find((v, k) => v !== '' && Number.isNaN(targets[k]));
    if (bad !== undefined) {
      throw new DataError(
        `filter ${quoted(f.text)}: column ${quoted(f.column)} is numeric and ${quoted(bad)} is not a number`,
      );
    }
    for (let i = 0; i < table.nRows; i++) {
      const x = col.values[i];
      let hit = false;
      for (const t of targets) if (x === t || (Number.isNaN(x) && Number.isNaN(t))) hit = true;
      keep[i] = hit !== f.negate ? 1 : 0;
    }
    return keep;
  }
  const targetCodes = new Set<number>();
  for (const v of f.values) {
    const k = v === '' ? -1 : col.levels.indexOf(v);
    if (k < 0 && v !== '') {
      const shown = col.levels.slice(0, 12).map(clip).join(', ');
      throw new DataError(
        `filter ${quoted(f.text)}: column ${quoted(f.column)} has no value ${quoted(v)} (values: ${shown}${col.levels.length > 12 ? ', ...' : ''})`,
      );
    }
    targetCodes.add(k);
  }
  for (let i = 0; i < table.nRows; i++)
    keep[i] = targetCodes.has(col.codes[i]) !== f.negate ? 1 : 0;
  return keep;
}

const MISSING_TEXT = new Set(['NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '-']);

const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', '0']);

/** +1/-1 per input row from a higher_is_better column, or undefined when there is none. */
function orientationColumn(
  table: Table,
  rows: Int32Array,
): { name: string; sign: Int8Array } | undefined {
  const name = table.names.find((n) => normalizeName(n) === 'higher_is_better');
  if (name === undefined) return undefined;
  const col = asFactor(table.columns[name]);
  const levelSign = col.levels.map((l) => {
    const s = l.trim().toLowerCase();
    return TRUE_TEXT.has(s) ? 1 : FALSE_TEXT.has(s) ? -1 : 0;
  });
  const sign = new Int8Array(table.nRows);
  for (const i of rows) {
    const c = col.codes[i];
    const s = c < 0 ? 1 : levelSign[c];
    if (s === 0) {
      throw new DataError(
        `${table.source ?? 'data'}: ${rowLocation(table, i)}, column ${quoted(name)}: ${quoted(col.levels[c])} is not true or false`,
      );
    }
    sign[i] = s;
  }
  return { name, sign };
}

/** Score of each input row as a number (NaN when missing or not a finite number). */
function scoreValues(col: Column): { values: Float64Array; text: (i: number) => string } {
  if (col.type === 'numeric') {
    return {
      values: col.values,
      text: (i) => (Number.isNaN(col.values[i]) ? '' : String(col.values[i])),
    };
  }
  const levelValue = col.levels.map(parseNumber);
  const values = new Float64Array(col.codes.length);
  for (let i = 0; i < values.length; i++) {
    const c = col.codes[i];
    values[i] = c < 0 ? Number.NaN : levelValue[c];
  }
  return { values, text: (i) => (col.codes[i] < 0 ? '' : col.levels[col.codes[i]]) };
}

function factorFromCodes(codes: Int32Array, levels: readonly string[]): FactorColumn {
  // Keep only used levels, sorted (the Table contract).
  const used = new Int32Array(levels.length).fill(-1);
  const kept: string[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0 && used[c] < 0) {
      used[c] = kept.length;
      kept.push(levels[c]);
    }
  }
  const compact = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) compact[i] = codes[i] < 0 ? -1 : used[codes[i]];
  return sortedFactor(kept, compact);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Turn a benchmark table into the canonical comparison table: apply filters, check and convert the
 * score, drop or reject missing values, orient scores so that higher is better, name tasks
 * `category/task` when a task name occurs under several categories, compute se = std/sqrt(n),
 * optionally standardize per task, and reject data a comparison cannot use (fewer than 2
 * heuristics, a heuristic seen on a single task, duplicate rows without a seed/run column). Every
 * error names the source and the line (or row) and column.
 *
 * @example
 * const table = parseCsv(text, { source: 'lra.csv' });
 * const data = prepareComparisonData(table, detectColumns(table, {}), { filters: ['budget=128'] });
 * data.table.columns.score; // numeric, higher is better
 */
export function prepareComparisonData(
  table: Table,
  mapping: ColumnMapping,
  opts: PrepareOptions = {},
): ComparisonData {
  const notes: string[] = [];
  const keep = filterRows(table, opts.filters ?? [], notes, mapping.budget);
  const roles = readRoles(table, mapping, keep);
  const { rows, dropped } = keptRows(table, mapping, roles, keep, opts.dropMissing === true, notes);
  const { score, negated } = orientScores(table, roles, rows, opts.higherIsBetter, notes);
  const trials = trialsColumn(table, mapping, roles, rows);
  const se = seColumn(table, mapping, roles, rows, notes);
  const factors = roleColumns(table, mapping, roles, rows, (opts.filters ?? []).length > 0, notes);
  const out: { -readonly [K in keyof Table]: Table[K] } = {
    nRows: rows.length,
    ...canonicalColumns(factors, score, se, trials),
  };
  if (table.source !== undefined) out.source = table.source;
  if (table.lines) out.lines = Int32Array.from(rows, (i) => table.lines![i]);
  return {
    table: out,
    mapping,
    notes,
    dropped,
    higherIsBetter: negated !== rows.length,
    negated,
    rows,
  };
}

/** `file: line N, column "C"`: where a message points. */
function cellAt(table: Table, i: number, column: string): string {
  return `${table.source ?? 'data'}: ${rowLocation(table, i)}, column ${quoted(column)}`;
}

/**
 * The rows every `--filter` keeps (1 = kept), with a note per filter. A filter that keeps some
 * budgets of the budget column also keeps the full-cache rows, the reference every budget is
 * measured against (`--filter budget!=full` drops them explicitly).
 */
export function filterRows(
  table: Table,
  filters: readonly string[],
  notes: string[],
  budgetColumn?: string,
): Uint8Array {
  const src = table.source ?? 'data';
  const keep = new Uint8Array(table.nRows).fill(1);
  for (const text of filters) {
    const f = parseFilter(table, text);
    const mask = filterMask(table, f);
    if (f.column === budgetColumn && !f.negate && !f.values.some(isFullBudget)) {
      const col = asFactor(table.columns[f.column]);
      const full = col.levels.map(isFullBudget);
      let added = 0;
      for (let i = 0; i < table.nRows; i++) {
        if (!mask[i] && (col.codes[i] < 0 || full[col.codes[i]])) {
          mask[i] = 1;
          added++;
        }
      }
      if (added > 0) {
        notes.push(
          `filter ${text}: the ${plural(added, 'full-cache row')} (${quoted(f.column)} empty or full) stay as the reference`,
        );
      }
    }
    let n = 0;
    for (let i = 0; i < table.nRows; i++) {
      keep[i] &= mask[i];
      n += keep[i];
    }
    if (n === 0) throw new DataError(`${src}: filter ${quoted(text)} leaves no rows`);
    notes.push(`filter ${text}: ${plural(n, 'row')} of ${table.nRows} kept so far`);
  }
  return keep;
}

/** The role columns of the input, read once: factors of the grouping roles, numbers of the others. */
interface Roles {
  heuristic: RoleFactor;
  task: RoleFactor;
  category?: RoleFactor;
  study?: RoleFactor;
  seed?: RoleFactor;
  backbone?: RoleFactor;
  /** The heuristic column alone when `heuristic` holds heuristic@budget arms. */
  method?: RoleFactor;
  budget?: RoleFactor;
  metric?: RoleFactor;
  item?: RoleFactor;
  score: ReturnType<typeof scoreValues>;
  std?: Float64Array;
  n?: Float64Array;
  trials?: Float64Array;
}

function readRoles(table: Table, mapping: ColumnMapping, keep: Uint8Array): Roles {
  // read in this order, so the first bad column named in a message is the same as always
  const optional = (spec: string | undefined, role: MappingRole) =>
    spec !== undefined ? roleFactor(table, spec, role, '@') : undefined;
  const method = roleFactor(table, mapping.heuristic, 'heuristic', '@');
  const task = roleFactor(table, mapping.task, 'task', '@');
  const category = optional(mapping.category, 'category');
  const study = optional(mapping.study, 'study');
  const seed = optional(mapping.seed, 'seed');
  const backbone = optional(mapping.backbone, 'backbone');
  const budget = optional(mapping.budget, 'budget');
  const metric = optional(mapping.metric, 'metric');
  const item = optional(mapping.item, 'item');
  specParts(table, mapping.score, 'score');
  const score = scoreValues(table.columns[mapping.score]);
  const std = numericRole(table, mapping.std, 'std', keep);
  const n = numericRole(table, mapping.n, 'n', keep);
  const trials = numericRole(table, mapping.trials, 'trials', keep);
  const arms = budget && varies(budget, keep) ? armFactor(method, budget) : undefined;
  return {
    heuristic: arms ?? method,
    method: arms ? method : undefined,
    budget: arms ? budget : undefined,
    task,
    category,
    study,
    seed,
    backbone,
    metric,
    item,
    score,
    std,
    n,
    trials,
  };
}

/** Whether a factor takes more than one value (missing counts as a value) over the kept rows. */
function varies(f: RoleFactor, keep: Uint8Array): boolean {
  let first: number | undefined;
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    if (first === undefined) first = f.codes[i];
    else if (f.codes[i] !== first) return true;
  }
  return false;
}

/**
 * The compared arms when budgets vary: `method@budget` for a compressed setting, the method's own
 * name at the full cache (empty, `full`, `100%`; src/data/budget.ts), so the full-cache rows are
 * one reference arm and each method at each budget is compared with it.
 */
function armFactor(method: RoleFactor, budget: RoleFactor): RoleFactor {
  const full = budget.levels.map(isFullBudget);
  const f = keyedFactor(method.codes.length, (i) => {
    const m = method.codes[i];
    if (m < 0) return null;
    const b = budget.codes[i];
    return b < 0 || full[b] ? method.levels[m] : `${method.levels[m]}@${budget.levels[b]}`;
  });
  return { ...f, parts: method.parts };
}

/** A numeric role column (std, n, trials); text that is not a number nor a spelling of missing is an error. */
function numericRole(
  table: Table,
  spec: string | undefined,
  role: 'std' | 'n' | 'trials',
  keep: Uint8Array,
): Float64Array | undefined {
  if (spec === undefined) return undefined;
  specParts(table, spec, role);
  const col = table.columns[spec];
  if (col.type === 'numeric') return col.values;
  const v = scoreValues(col).values;
  for (let i = 0; i < v.length; i++) {
    // Spellings of "missing" that R, pandas and spreadsheets write are missing here (not errors).
    if (
      keep[i] &&
      Number.isNaN(v[i]) &&
      col.codes[i] >= 0 &&
      !MISSING_TEXT.has(col.levels[col.codes[i]])
    ) {
      throw new DataError(
        `${cellAt(table, i, spec)}: ${quoted(col.levels[col.codes[i]])} is not a number`,
      );
    }
  }
  return v;
}

/**
 * The input rows that stay: kept by the filters and complete (a missing role value or score is an
 * error, or with `--drop-missing` a dropped row, noted with the first few lines).
 */
function keptRows(
  table: Table,
  mapping: ColumnMapping,
  roles: Roles,
  keep: Uint8Array,
  dropMissing: boolean,
  notes: string[],
): { rows: Int32Array; dropped: number } {
  let dropped = 0;
  const droppedLines: string[] = [];
  const checkFactor = (i: number, f: RoleFactor | undefined, spec: string | undefined): boolean => {
    if (!f || spec === undefined || f.codes[i] >= 0) return true;
    if (dropMissing) return false;
    throw new DataError(
      `${cellAt(table, i, f.parts.join('+'))}: empty value (use --drop-missing to drop such rows)`,
    );
  };
  const { score } = roles;
  for (let i = 0; i < table.nRows; i++) {
    if (!keep[i]) continue;
    let ok =
      checkFactor(i, roles.heuristic, mapping.heuristic) &&
      checkFactor(i, roles.task, mapping.task) &&
      checkFactor(i, roles.category, mapping.category) &&
      checkFactor(i, roles.item, mapping.item);
    if (ok && !Number.isFinite(score.values[i])) {
      if (!dropMissing) {
        const t = score.text(i);
        const at = cellAt(table, i, mapping.score);
        throw new DataError(
          t === ''
            ? `${at}: missing score (use --drop-missing to drop such rows)`
            : `${at}: ${quoted(t)} is not a finite number (use --drop-missing to drop such rows)`,
        );
      }
      ok = false;
    }
    if (!ok) {
      keep[i] = 0;
      dropped++;
      if (droppedLines.length < 5) droppedLines.push(rowLocation(table, i));
    }
  }
  if (dropped > 0) {
    notes.push(
      `--drop-missing: dropped ${plural(dropped, 'row')} with a missing or non-numeric value (${droppedLines.join(', ')}${dropped > droppedLines.length ? ', ...' : ''})`,
    );
  }
  let nKept = 0;
  for (let i = 0; i < table.nRows; i++) nKept += keep[i];
  if (nKept === 0) throw new DataError(`${table.source ?? 'data'}: no rows left to compare`);
  const rows = new Int32Array(nKept);
  for (let i = 0, k = 0; i < table.nRows; i++) if (keep[i]) rows[k++] = i;
  return { rows, dropped };
}

/** Scores oriented so that higher is better (rows where lower is better are negated), with a note. */
function orientScores(
  table: Table,
  roles: Roles,
  rows: Int32Array,
  higherIsBetter: boolean | undefined,
  notes: string[],
): { score: Float64Array; negated: number } {
  const orient = higherIsBetter === undefined ? orientationColumn(table, rows) : undefined;
  const score = new Float64Array(rows.length);
  let negated = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const s = higherIsBetter === false ? -1 : orient ? orient.sign[i] : 1;
    score[k] = s * roles.score.values[i];
    if (s < 0) negated++;
  }
  if (negated === rows.length) {
    notes.push(
      `lower is better${orient ? ` (column ${quoted(orient.name)})` : ''}: scores are negated, so higher is better in every result (flip signs back to read them in the original units)`,
    );
  } else if (negated > 0) {
    notes.push(
      `column ${quoted(orient?.name)}: ${plural(negated, 'row')} where lower is better were negated, so higher is better everywhere`,
    );
  }
  return { score, negated };
}

/** The trials of the kept rows (binomial counts): whole numbers, with a score from 0 to trials. */
function trialsColumn(
  table: Table,
  mapping: ColumnMapping,
  roles: Roles,
  rows: Int32Array,
): Float64Array | undefined {
  const { trials } = roles;
  if (!trials || mapping.trials === undefined) return undefined;
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const n = trials[i];
    const y = roles.score.values[i];
    if (!(Number.isInteger(n) && n >= 1)) {
      throw new DataError(
        `${cellAt(table, i, mapping.trials)}: trials must be a positive whole number, got ${quoted(cellText(table, mapping.trials, i))}`,
      );
    }
    if (!(Number.isInteger(y) && y >= 0 && y <= n)) {
      throw new DataError(
        `${cellAt(table, i, mapping.score)}: with trials the score is a count of successes (a whole number from 0 to ${n}), got ${y}`,
      );
    }
    out[k] = n;
  }
  return out;
}

/** se = std / sqrt(n) of the kept rows (`mean ± std over n seeds` rows), with a note; NaN where no std. */
function seColumn(
  table: Table,
  mapping: ColumnMapping,
  roles: Roles,
  rows: Int32Array,
  notes: string[],
): Float64Array | undefined {
  const { std, n: nCount } = roles;
  if (!std || mapping.std === undefined) return undefined;
  if (!nCount) {
    let any = false;
    for (let k = 0; k < rows.length && !any; k++) any = Number.isFinite(std[rows[k]]);
    if (any)
      notes.push(
        `column ${quoted(mapping.std)} (std) is ignored: without --n the standard error is unknown`,
      );
    return undefined;
  }
  const se = new Float64Array(rows.length);
  let known = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const sd = std[i];
    const n = nCount[i];
    if (Number.isNaN(sd)) {
      se[k] = Number.NaN;
      continue;
    }
    if (!(sd >= 0))
      throw new DataError(
        `${cellAt(table, i, mapping.std)}: a standard deviation cannot be negative (${sd})`,
      );
    if (!(n >= 1)) {
      throw new DataError(
        `${cellAt(table, i, mapping.n ?? 'n')}: std is given but n is ${Number.isNaN(n) ? 'missing' : n}; n must be at least 1`,
      );
    }
    se[k] = sd / Math.sqrt(n);
    known++;
  }
  if (known === 0) return undefined;
  notes.push(
    known === rows.length
      ? `se = ${mapping.std}/sqrt(${mapping.n}) on every row`
      : `se = ${mapping.std}/sqrt(${mapping.n}) on ${known} of ${rows.length} rows (the others have no std)`,
  );
  return se; // a spread: unchanged by negation
}

/** The grouping columns of the kept rows, as the model sees them. */
interface RoleColumns {
  heuristic: FactorColumn;
  task: FactorColumn;
  category?: FactorColumn;
  study?: FactorColumn;
  seed?: FactorColumn;
  backbone?: FactorColumn;
  method?: FactorColumn;
  budget?: FactorColumn;
  metric?: FactorColumn;
  item?: FactorColumn;
}

/**
 * The grouping factors over the kept rows: tasks split by category where a name repeats, the
 * structure checked (2+ heuristics, each on 2+ tasks), single-valued study/category dropped (they
 * carry no information and make the model non-identified), duplicates refused.
 */
function roleColumns(
  table: Table,
  mapping: ColumnMapping,
  roles: Roles,
  rows: Int32Array,
  filtered: boolean,
  notes: string[],
): RoleColumns {
  const take = (f: RoleFactor): Int32Array => {
    const out = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = f.codes[rows[k]];
    return out;
  };
  const opt = (f: RoleFactor | undefined) => (f ? factorFromCodes(take(f), f.levels) : undefined);
  const heuristic = factorFromCodes(take(roles.heuristic), roles.heuristic.levels);
  let category = opt(roles.category);
  let study = opt(roles.study);
  const seed = opt(roles.seed);
  let backbone = opt(roles.backbone);
  const method = opt(roles.method);
  const budget = opt(roles.budget);
  // one metric says nothing the model needs; several decide the default scaling (analysis/prepare.ts)
  const metrics = opt(roles.metric);
  const metric = metrics && metrics.levels.length > 1 ? metrics : undefined;
  const item = opt(roles.item);
  const task = taskColumn(take(roles.task), roles.task.levels, category, notes);
  checkStructure(table, mapping, rows, heuristic, task, filtered);
  if (study && study.levels.length < 2) {
    notes.push(`column ${quoted(mapping.study)} (study) has a single value: no study term`);
    study = undefined;
  }
  if (category && category.levels.length < 2) {
    notes.push(
      `column ${quoted(mapping.category)} (category) has a single value: no category term`,
    );
    category = undefined;
  }
  if (backbone && backbone.levels.length < 2) {
    notes.push(
      `column ${quoted(mapping.backbone)} (backbone) has a single value: no backbone terms`,
    );
    backbone = undefined;
  }
  // (heuristic, task, study?, backbone?, seed?, item?) must be unique
  const replicate = item && seed ? pairFactor(item, seed) : (item ?? seed);
  checkDuplicates(table, mapping, rows, heuristic, task, contextColumn(study, backbone), replicate);
  return { heuristic, task, category, study, seed, backbone, method, budget, metric, item };
}

/** Two factors as one (levels `a/b`), for the duplicate check of item and seed together. */
function pairFactor(a: FactorColumn, b: FactorColumn): FactorColumn {
  const f = keyedFactor(a.codes.length, (k) =>
    a.codes[k] < 0 || b.codes[k] < 0 ? null : `${a.levels[a.codes[k]]}/${b.levels[b.codes[k]]}`,
  );
  return { type: 'factor', ...f };
}

/**
 * Study and backbone as one factor for the duplicate check (the setting a row was run in); each
 * level is its own words for messages, e.g. `study "a", backbone "b"`.
 */
function contextColumn(
  study: FactorColumn | undefined,
  backbone: FactorColumn | undefined,
): FactorColumn | undefined {
  const parts = [
    ...(study ? [{ word: 'study', f: study }] : []),
    ...(backbone ? [{ word: 'backbone', f: backbone }] : []),
  ];
  if (parts.length === 0) return undefined;
  const f = keyedFactor(parts[0].f.codes.length, (k) =>
    parts
      .map(({ word, f }) => `${word} ${quoted(f.codes[k] < 0 ? '' : f.levels[f.codes[k]])}`)
      .join(', '),
  );
  return { type: 'factor', ...f };
}

/** The task factor; a task name under several categories becomes one task per (category, task) pair. */
function taskColumn(
  codes: Int32Array,
  levels: readonly string[],
  category: FactorColumn | undefined,
  notes: string[],
): FactorColumn {
  if (!category) return factorFromCodes(codes, levels);
  const firstCat = new Int32Array(levels.length).fill(-2);
  const split = new Uint8Array(levels.length);
  for (let k = 0; k < codes.length; k++) {
    const t = codes[k];
    const c = category.codes[k];
    if (firstCat[t] === -2) firstCat[t] = c;
    else if (firstCat[t] !== c) split[t] = 1;
  }
  const splitNames = levels.filter((_, t) => split[t]);
  if (splitNames.length === 0) return factorFromCodes(codes, levels);
  const named = keyedFactor(codes.length, (k) =>
    split[codes[k]]
      ? `${category.levels[category.codes[k]]}/${levels[codes[k]]}`
      : levels[codes[k]],
  );
  notes.push(
    `task${splitNames.length === 1 ? '' : 's'} ${splitNames.map((s) => quoted(s)).join(', ')} appear${splitNames.length === 1 ? 's' : ''} under several categories: each (category, task) pair is a task of its own, named category/task`,
  );
  return factorFromCodes(named.codes, named.levels);
}

/** At least 2 heuristics, each observed on at least 2 tasks. */
function checkStructure(
  table: Table,
  mapping: ColumnMapping,
  rows: Int32Array,
  hCol: FactorColumn,
  tCol: FactorColumn,
  filtered: boolean,
): void {
  const src = table.source ?? 'data';
  if (hCol.levels.length < 2) {
    throw new DataError(
      `${src}: only ${plural(hCol.levels.length, 'heuristic')} (${hCol.levels.map((h) => quoted(h)).join(', ')}) in column ${quoted(mapping.heuristic)}${filtered ? ' after filters' : ''}; a comparison needs at least 2`,
    );
  }
  const firstTask = new Int32Array(hCol.levels.length).fill(-1);
  const firstRow = new Int32Array(hCol.levels.length);
  const multi = new Uint8Array(hCol.levels.length);
  for (let k = 0; k < rows.length; k++) {
    const h = hCol.codes[k];
    const t = tCol.codes[k];
    if (firstTask[h] < 0) {
      firstTask[h] = t;
      firstRow[h] = rows[k];
    } else if (firstTask[h] !== t) multi[h] = 1;
  }
  for (let h = 0; h < hCol.levels.length; h++) {
    if (!multi[h]) {
      throw new DataError(
        `${src}: heuristic ${quoted(hCol.levels[h])} is observed on a single task only (${quoted(tCol.levels[firstTask[h]])}, ${rowLocation(table, firstRow[h])}); each heuristic needs at least 2 tasks (drop it with --filter ${clip(mapping.heuristic)}!=${clip(hCol.levels[h])})`,
      );
    }
  }
}

/** The canonical table's names and columns: heuristic, task, category?, study?, seed?, score, se?, trials?. */
function canonicalColumns(
  factors: RoleColumns,
  score: Float64Array,
  se: Float64Array | undefined,
  trials: Float64Array | undefined,
): { names: string[]; columns: Record<string, Column> } {
  const names: string[] = [];
  const columns: Record<string, Column> = {};
  const add = (name: string, col: Column | undefined) => {
    if (!col) return;
    names.push(name);
    columns[name] = col;
  };
  add('heuristic', factors.heuristic);
  add('task', factors.task);
  add('category', factors.category);
  add('study', factors.study);
  add('seed', factors.seed);
  add('backbone', factors.backbone);
  add('method', factors.method);
  add('budget', factors.budget);
  add('metric', factors.metric);
  add('item', factors.item);
  add('score', { type: 'numeric', values: score });
  add('se', se && { type: 'numeric', values: se });
  add('trials', trials && { type: 'numeric', values: trials });
  return { names, columns };
}

function checkDuplicates(
  table: Table,
  mapping: ColumnMapping,
  rows: Int32Array,
  h: FactorColumn,
  t: FactorColumn,
  study: FactorColumn | undefined,
  seed: FactorColumn | undefined,
): void {
  const nT = t.levels.length;
  const nS = study ? study.levels.length + 1 : 1;
  const nR = seed ? seed.levels.length + 1 : 1;
  const keyOf = (k: number): number =>
    ((h.codes[k] * nT + t.codes[k]) * nS + (study ? study.codes[k] + 1 : 0)) * nR +
    (seed ? seed.codes[k] + 1 : 0);
  // Keys are dense integers below h * T * S * R: a bitset when that is at most 2^28 bits (32 MiB),
  // else a Map. Missing study/seed (-1) is its own value: +1 shifts codes to be non-negative.
  const space = h.levels.length * nT * nS * nR;
  let bits: Uint8Array | undefined;
  let seen: Map<number, number> | undefined;
  if (space <= 2 ** 28) bits = new Uint8Array(Math.ceil(space / 8));
  else seen = new Map();
  for (let k = 0; k < rows.length; k++) {
    const key = keyOf(k);
    let prev = -1;
    if (bits) {
      const byte = key >>> 3;
      const mask = 1 << (key & 7);
      if ((bits[byte] & mask) === 0) {
        bits[byte] |= mask;
        continue;
      }
      for (let j = 0; j < k && prev < 0; j++) if (keyOf(j) === key) prev = j; // error path only
    } else {
      const p = seen!.get(key);
      if (p === undefined) {
        seen!.set(key, k);
        continue;
      }
      prev = p;
    }
    const a = rows[prev];
    const b = rows[k];
    const src = table.source ?? 'data';
    const where = table.lines
      ? `lines ${table.lines[a]} and ${table.lines[b]}`
      : `rows ${a + 1} and ${b + 1}`;
    const what = `heuristic ${quoted(h.levels[h.codes[k]])} on task ${quoted(t.levels[t.codes[k]])}${study ? ` in ${study.levels[study.codes[k]]}` : ''}`;
    const mapped = new Set<string>();
    for (const v of Object.values(mapping))
      if (v) for (const p of String(v).split('+')) mapped.add(p);
    // Settings (few distinct values, e.g. budget) before labels (many, e.g. a printed name).
    const differ = table.names
      .filter((n) => !mapped.has(n) && cellText(table, n, a) !== cellText(table, n, b))
      .map((n) => ({ n, levels: asFactor(table.columns[n]).levels.length }))
      .sort((x, y) => x.levels - y.levels)
      .map((x) => x.n);
    const hint =
      differ.length > 0
        ? `; they differ in ${differ.map((d) => quoted(d)).join(', ')}: keep one setting with --filter ${differ[0]}=VALUE, or make it part of the comparison (e.g. --study ${differ[0]} or --heuristic ${mapping.heuristic}+${differ[0]})`
        : '';
    if (!seed) {
      throw new DataError(
        `${src}: ${where}: duplicate rows for ${what} and no seed/run column: if these are repeated runs, add a seed or run column (or name it with --seed)${hint}`,
      );
    }
    const seedText = seed.codes[k] < 0 ? '' : seed.levels[seed.codes[k]];
    const agg = seedText.toLowerCase() === 'agg' ? ` ("agg" counts as one run)` : '';
    throw new DataError(
      `${src}: ${where}: duplicate rows for ${what} with the same ${[mapping.item, mapping.seed].filter(Boolean).join('/')} ${quoted(seedText)}${agg}${hint}`,
    );
  }
}
