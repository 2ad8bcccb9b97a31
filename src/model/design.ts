/**
 * From a parsed formula and a Table to model matrices: the response (and addition terms), a small
 * dense population design (centred like brms when the model has an intercept), and group terms as
 * Int32Array level indices per row (no dense Z).
 *
 * brms conventions (brms 2.18, `make_stancode`): with an intercept, every population column is
 * centred, `Xc = X - colMeans(X)`; the sampled `Intercept` is the intercept of the centred predictors
 * (its prior applies there) and `b_Intercept = Intercept - colMeans(X) . b`. Factors use treatment
 * coding with sorted levels, the first being the reference (R's `contr.treatment`); in a model
 * without an intercept the first factor main effect gets a column for every level (R's rule).
 */
import { rowLocation, selectRows } from '../data/access.js';
import type { FactorColumn, Table } from '../data/table.js';
import { DataError, FormulaError } from '../errors.js';
import { caretMessage, type ParsedFormula, type PopTerm } from './formula.js';
import type { Family } from './spec.js';

/** A group term made concrete: level index per row, covariate per row for each coefficient. */
export interface GroupDesign {
  /** brms name of the group, e.g. 'task' or 'heuristic:task'. */
  group: string;
  factors: string[];
  /** Levels (each a tuple, one value per factor), in index order. */
  levels: string[][];
  /** Coefficient names: 'Intercept', then slope names. */
  coefs: string[];
  correlated: boolean;
  /** Level index of every row. */
  idx: Int32Array;
  /** Covariate of every row for each coefficient; null = 1 (the intercept). */
  z: (Float64Array | null)[];
}

/** Everything the model needs from the data, one entry per row. */
export interface Design {
  nRows: number;
  family: Family;
  y: Float64Array;
  se: Float64Array | null;
  trials: Float64Array | null;
  weights: Float64Array | null;
  /** A centred intercept (brms's default). */
  intercept: boolean;
  /** Population coefficient names (b_ + name), e.g. 'x', 'heuristicB', 'x:z'. */
  bNames: string[];
  /** Population columns, not centred. */
  X: Float64Array[];
  /** Column means used for centring (zeros without an intercept). */
  means: Float64Array;
  groups: GroupDesign[];
}

function availableList(table: Table): string {
  return table.names.join(', ');
}

function rowLabel(table: Table, r: number): string {
  return `${table.source ? `${table.source}: ` : ''}${rowLocation(table, r)}`;
}

/**
 * The columns a formula uses (response, addition terms, predictors, grouping factors), each with the
 * formula position to point at in errors.
 *
 * @example usedColumns(parseFormula('y ~ x + (1|g)')).map((c) => c.name) // ['y', 'x', 'g']
 */
export function usedColumns(f: ParsedFormula): { name: string; pos: number; role: string }[] {
  const out: { name: string; pos: number; role: string }[] = [];
  const seen = new Set<string>();
  const add = (name: string, pos: number, role: string) => {
    if (name === 'Intercept' && role === 'predictor') return;
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, pos, role });
  };
  add(f.response, f.responsePos, 'response');
  for (const k of ['se', 'trials', 'weights'] as const) {
    const c = f[k];
    if (c !== undefined) add(c, f.aPos[k], k);
  }
  for (const t of f.population) for (const c of t.columns) add(c, t.pos, 'predictor');
  for (const g of f.groups) {
    for (const t of g.terms) for (const c of t.columns) add(c, t.pos, 'predictor');
    for (const c of g.factors) add(c, g.pos, 'group');
  }
  return out;
}

/**
 * Check that every column exists; throws FormulaError listing the available columns.
 * @example checkColumns(parseFormula('y ~ x'), table)
 */
export function checkColumns(f: ParsedFormula, table: Table): void {
  for (const c of usedColumns(f)) {
    if (!(c.name in table.columns)) {
      throw new FormulaError(
        caretMessage(
          f.text,
          c.pos,
          `unknown column '${c.name}' (available: ${availableList(table)})`,
        ),
      );
    }
  }
}

/** A decimal number as the CSV reader accepts it (src/data/builder.ts parseNumber). */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Numeric-role columns (response, se, trials, weights) that the CSV reader kept as text because a
 * few cells are not numbers ("NA", "n/a", "-") become numeric with NaN there (then missing values,
 * named by row, or dropped with --drop-missing). A column with no number at all stays text (and is
 * reported as not numeric).
 *
 * @example coerceNumericColumns(parseFormula('y ~ 1'), table)
 */
export function coerceNumericColumns(f: ParsedFormula, table: Table): Table {
  const names = [f.response, f.se, f.trials, f.weights].filter((x): x is string => x !== undefined);
  let columns: Record<string, Table['columns'][string]> | null = null;
  for (const name of names) {
    const col = table.columns[name];
    if (col?.type !== 'factor') continue;
    const asNum = col.levels.map((l) => (NUMBER_RE.test(l.trim()) ? Number(l) : Number.NaN));
    if (!asNum.some((x) => Number.isFinite(x))) continue;
    const v = new Float64Array(col.codes.length);
    for (let i = 0; i < v.length; i++) v[i] = col.codes[i] < 0 ? Number.NaN : asNum[col.codes[i]];
    columns ??= { ...table.columns };
    columns[name] = { type: 'numeric', values: v };
  }
  return columns ? { ...table, columns } : table;
}

/**
 * Rows with a missing value (NaN or a missing factor code) in any column the formula uses.
 * @example missingRows(parseFormula('y ~ x'), table) // Int32Array of 0-based rows
 */
export function missingRows(
  f: ParsedFormula,
  input: Table,
): { rows: Int32Array; columns: string[] } {
  checkColumns(f, input);
  const table = coerceNumericColumns(f, input);
  const miss = new Uint8Array(table.nRows);
  const firstCol: string[] = [];
  for (const c of usedColumns(f)) {
    const col = table.columns[c.name];
    if (col.type === 'numeric') {
      const v = col.values;
      for (let i = 0; i < v.length; i++)
        if (Number.isNaN(v[i]) && !miss[i]) {
          miss[i] = 1;
          firstCol[i] = c.name;
        }
    } else {
      const v = col.codes;
      for (let i = 0; i < v.length; i++)
        if (v[i] < 0 && !miss[i]) {
          miss[i] = 1;
          firstCol[i] = c.name;
        }
    }
  }
  const rows: number[] = [];
  const cols: string[] = [];
  for (let i = 0; i < miss.length; i++)
    if (miss[i]) {
      rows.push(i);
      cols.push(firstCol[i]);
    }
  return { rows: Int32Array.from(rows), columns: cols };
}

/**
 * A table with the given rows removed (selectRows from src/data keeps source and line numbers).
 *
 * @example const t2 = dropRows(table, Int32Array.from([3, 7]));
 */
export function dropRows(table: Table, rows: Int32Array): Table {
  if (rows.length === 0) return table;
  const drop = new Uint8Array(table.nRows);
  for (const r of rows) drop[r] = 1;
  const keep: number[] = [];
  for (let i = 0; i < table.nRows; i++) if (!drop[i]) keep.push(i);
  return selectRows(table, Int32Array.from(keep));
}

/** A factor restricted to the levels that occur (sorted order kept). */
function observedFactor(table: Table, name: string): { levels: string[]; codes: Int32Array } {
  const col = table.columns[name];
  if (col.type === 'factor') {
    const used = new Uint8Array(col.levels.length);
    for (let i = 0; i < col.codes.length; i++) used[col.codes[i]] = 1;
    const map = new Int32Array(col.levels.length).fill(-1);
    const levels: string[] = [];
    for (let k = 0; k < col.levels.length; k++)
      if (used[k]) {
        map[k] = levels.length;
        levels.push(col.levels[k]);
      }
    const codes = new Int32Array(col.codes.length);
    for (let i = 0; i < codes.length; i++) codes[i] = map[col.codes[i]];
    return { levels, codes };
  }
  // Numeric grouping column: levels are the distinct values, sorted numerically (R's factor()).
  const v = col.values;
  const distinct = Array.from(new Set(v)).sort((a, b) => a - b);
  const index = new Map<number, number>();
  distinct.forEach((x, k) => {
    index.set(x, k);
  });
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) codes[i] = index.get(v[i])!;
  return { levels: distinct.map((x) => String(x)), codes };
}

/** Columns of one population term (treatment coding; `full` = all levels of a factor). */
function termColumns(
  f: ParsedFormula,
  table: Table,
  term: PopTerm,
  full: boolean,
): { names: string[]; cols: Float64Array[] } {
  let names = [''];
  let cols: (Float64Array | null)[] = [null];
  const n = table.nRows;
  term.columns.forEach((cname, k) => {
    const col = table.columns[cname];
    let partNames: string[];
    let partCols: Float64Array[];
    if (col.type === 'numeric') {
      partNames = [cname];
      partCols = [col.values];
    } else {
      const fac = observedFactor(table, cname);
      if (fac.levels.length < 2) {
        throw new DataError(
          caretMessage(
            f.text,
            term.pos,
            `factor '${cname}' has only one level ('${fac.levels[0] ?? ''}'), so it cannot be a predictor`,
          ),
        );
      }
      const start = full && k === 0 && term.columns.length === 1 ? 0 : 1;
      partNames = [];
      partCols = [];
      for (let l = start; l < fac.levels.length; l++) {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = fac.codes[i] === l ? 1 : 0;
        partNames.push(`${cname}${fac.levels[l]}`);
        partCols.push(v);
      }
    }
    const nn: string[] = [];
    const nc: (Float64Array | null)[] = [];
    for (let a = 0; a < names.length; a++) {
      for (let b = 0; b < partNames.length; b++) {
        nn.push(names[a] === '' ? partNames[b] : `${names[a]}:${partNames[b]}`);
        const prev = cols[a];
        if (prev === null) nc.push(partCols[b]);
        else {
          const v = new Float64Array(n);
          for (let i = 0; i < n; i++) v[i] = prev[i] * partCols[b][i];
          nc.push(v);
        }
      }
    }
    names = nn;
    cols = nc;
  });
  return { names, cols: cols as Float64Array[] };
}

function numericColumn(
  f: ParsedFormula,
  table: Table,
  name: string,
  pos: number,
  role: string,
): Float64Array {
  const col = table.columns[name];
  if (col.type !== 'numeric') {
    const fc = col as FactorColumn;
    let r = 0;
    while (r < fc.codes.length && fc.codes[r] < 0) r++;
    const example =
      r < fc.codes.length ? ` ('${fc.levels[fc.codes[r]]}' in ${rowLabel(table, r)})` : '';
    throw new DataError(
      caretMessage(f.text, pos, `${role} column '${name}' is not numeric${example}`),
    );
  }
  return col.values;
}

/**
 * Build the design of a formula on a table, validating the data for the family. Throws DataError or
 * FormulaError with short messages naming the column and row.
 *
 * @example const d = buildDesign(parseFormula('y ~ x + (1|g)'), 'gaussian', table); d.groups[0].levels
 */
export function buildDesign(f: ParsedFormula, family: Family, input: Table): Design {
  checkColumns(f, input);
  const table = coerceNumericColumns(f, input);
  const miss = missingRows(f, table);
  if (miss.rows.length > 0) {
    const r = miss.rows[0];
    throw new DataError(
      `${rowLabel(table, r)}: missing or non-numeric value in column '${miss.columns[0]}' (${miss.rows.length} row${miss.rows.length === 1 ? '' : 's'} with missing values; --drop-missing drops them)`,
    );
  }
  const n = table.nRows;
  if (n === 0) throw new DataError(`${table.source ? `${table.source}: ` : ''}no data rows`);
  const y = numericColumn(f, table, f.response, f.responsePos, 'response');
  const se = f.se !== undefined ? numericColumn(f, table, f.se, f.aPos.se, 'se()') : null;
  const trials =
    f.trials !== undefined ? numericColumn(f, table, f.trials, f.aPos.trials, 'trials()') : null;
  const weights =
    f.weights !== undefined
      ? numericColumn(f, table, f.weights, f.aPos.weights, 'weights()')
      : null;
  const bad = (r: number, msg: string): never => {
    throw new DataError(`${rowLabel(table, r)}: ${msg}`);
  };
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) bad(i, `response '${f.response}' is not a finite number`);
  }
  if (se && family !== 'gaussian') {
    throw new FormulaError(
      caretMessage(f.text, f.aPos.se, 'se() is supported for the gaussian family only'),
    );
  }
  if (trials && family !== 'binomial' && family !== 'beta_binomial') {
    throw new FormulaError(
      caretMessage(f.text, f.aPos.trials, 'trials() needs family binomial or beta_binomial'),
    );
  }
  if (se)
    for (let i = 0; i < n; i++)
      if (!(se[i] > 0) || !Number.isFinite(se[i])) {
        bad(i, `se '${f.se}' must be > 0, got ${se[i]}`);
      }
  if (weights)
    for (let i = 0; i < n; i++)
      if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) {
        bad(i, `weights '${f.weights}' must be >= 0, got ${weights[i]}`);
      }
  switch (family) {
    case 'binomial':
    case 'beta_binomial':
      for (let i = 0; i < n; i++) {
        const t = trials ? trials[i] : 1;
        if (!Number.isInteger(t) || t < 0)
          bad(i, `trials '${f.trials}' must be an integer >= 0, got ${t}`);
        if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] > t) {
          bad(
            i,
            `${family} response '${f.response}' must be an integer in [0, ${t}] (trials), got ${y[i]}`,
          );
        }
      }
      break;
    case 'bernoulli':
      for (let i = 0; i < n; i++)
        if (y[i] !== 0 && y[i] !== 1) {
          bad(i, `bernoulli response '${f.response}' must be 0 or 1, got ${y[i]}`);
        }
      break;
    case 'beta':
      for (let i = 0; i < n; i++)
        if (!(y[i] > 0 && y[i] < 1)) {
          bad(i, `beta response '${f.response}' must be strictly between 0 and 1, got ${y[i]}`);
        }
      break;
    case 'lognormal':
      for (let i = 0; i < n; i++)
        if (!(y[i] > 0)) {
          bad(i, `lognormal response '${f.response}' must be > 0, got ${y[i]}`);
        }
      break;
    default:
      break;
  }

  // Population design.
  const bNames: string[] = [];
  const X: Float64Array[] = [];
  let firstFactorFull = !f.intercept;
  for (const t of f.population) {
    if (t.columns.length === 1 && t.columns[0] === 'Intercept') {
      bNames.push('Intercept');
      X.push(new Float64Array(n).fill(1));
      firstFactorFull = false;
      continue;
    }
    const isFactorMain = t.columns.length === 1 && table.columns[t.columns[0]].type === 'factor';
    const tc = termColumns(f, table, t, firstFactorFull && isFactorMain);
    if (isFactorMain) firstFactorFull = false;
    for (let k = 0; k < tc.names.length; k++) {
      if (bNames.includes(tc.names[k])) continue;
      bNames.push(tc.names[k]);
      X.push(tc.cols[k]);
    }
  }
  const means = new Float64Array(X.length);
  if (f.intercept) {
    for (let k = 0; k < X.length; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X[k][i];
      means[k] = s / n;
    }
  }

  // Group terms.
  const groups: GroupDesign[] = [];
  const seenCoef = new Set<string>();
  for (const g of f.groups) {
    const facs = g.factors.map((name) => observedFactor(table, name));
    const name = g.factors.join(':');
    let idx: Int32Array;
    let levels: string[][];
    if (facs.length === 1) {
      idx = facs[0].codes;
      levels = facs[0].levels.map((l) => [l]);
    } else {
      // Interaction group: the combinations that occur, ordered by the factors' level order.
      const key = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let k = 0;
        for (const fac of facs) k = k * fac.levels.length + fac.codes[i];
        key[i] = k;
      }
      const distinct = Float64Array.from(new Set(key)).sort();
      const map = new Map<number, number>();
      distinct.forEach((k, j) => {
        map.set(k, j);
      });
      idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = map.get(key[i])!;
      levels = Array.from(distinct, (k) => {
        const parts: string[] = new Array(facs.length);
        for (let q = facs.length - 1; q >= 0; q--) {
          const L = facs[q].levels.length;
          parts[q] = facs[q].levels[k % L];
          k = Math.floor(k / L);
        }
        return parts;
      });
    }
    const coefs: string[] = [];
    const z: (Float64Array | null)[] = [];
    if (g.intercept) {
      coefs.push('Intercept');
      z.push(null);
    }
    let full = !g.intercept;
    for (const t of g.terms) {
      const isFactorMain = t.columns.length === 1 && table.columns[t.columns[0]].type === 'factor';
      const tc = termColumns(f, table, t, full && isFactorMain);
      if (isFactorMain) full = false;
      for (let k = 0; k < tc.names.length; k++) {
        coefs.push(tc.names[k]);
        z.push(tc.cols[k]);
      }
    }
    if (coefs.length > 1 && levels.length < 2) {
      throw new DataError(
        caretMessage(
          f.text,
          g.pos,
          `group '${name}' has only one level, so it cannot have varying slopes (${coefs.slice(g.intercept ? 1 : 0).join(', ')})`,
        ),
      );
    }
    for (const c of coefs) {
      const k = `${name}__${c}`;
      if (seenCoef.has(k)) {
        throw new FormulaError(caretMessage(f.text, g.pos, `'${c}' varies by '${name}' twice`));
      }
      seenCoef.add(k);
    }
    groups.push({
      group: name,
      factors: g.factors,
      levels,
      coefs,
      correlated: g.correlated && coefs.length > 1,
      idx,
      z,
    });
  }
  return {
    nRows: n,
    family,
    y,
    se,
    trials,
    weights,
    intercept: f.intercept,
    bNames,
    X,
    means,
    groups,
  };
}
