/**
 * Cells: rows that share every key (predictor values, group levels) collapse into one cell, and the
 * likelihood of a cell is a function of a few sufficient statistics. One implementation for every
 * model of the model layer (compileModel's cells, the nested chain's cells) and for the analysis
 * layer's posterior predictive atoms.
 */

/** One key of the rows: codes in [0, n) per row. */
export interface RowKey {
  codes: ArrayLike<number>;
  n: number;
}

/** Rows grouped into cells, numbered in order of first appearance. */
export interface Cells {
  /** The cell of each row. */
  cellOfRow: Int32Array;
  /** The first row of each cell (its representative for per-cell inputs). */
  firstRow: Int32Array;
  nCells: number;
}

/** key[i] = key[i] * nb + b[i], made dense (first appearance) when the product space grows. */
function combineCodes(key: Float64Array, na: number, b: ArrayLike<number>, nb: number): number {
  const n = key.length;
  if (na * nb <= n * 4 && na * nb < 2 ** 52) {
    for (let i = 0; i < n; i++) key[i] = key[i] * nb + b[i];
    return na * nb;
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = key[i] * nb + b[i];
    let c = map.get(k);
    if (c === undefined) {
      c = map.size;
      map.set(k, c);
    }
    key[i] = c;
  }
  return map.size;
}

/**
 * Dense codes (first appearance) of the distinct values of a numeric column.
 * @example denseCodes(Float64Array.of(5, 3, 5)) // { codes: Int32Array [0, 1, 0], n: 2 }
 */
export function denseCodes(v: ArrayLike<number>): RowKey & { codes: Int32Array } {
  const map = new Map<number, number>();
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    let c = map.get(v[i]);
    if (c === undefined) {
      c = map.size;
      map.set(v[i], c);
    }
    codes[i] = c;
  }
  return { codes, n: map.size };
}

/**
 * Group rows that agree on every key into cells (mixed-radix keys, made dense whenever the product
 * space would outgrow the rows). Cells are numbered in order of first appearance, so the same rows
 * and keys give the same cells whatever the keys' radices.
 *
 * @example
 * collapseRows(3, [{ codes: [0, 1, 0], n: 2 }]).cellOfRow // Int32Array [0, 1, 0]
 */
export function collapseRows(nRows: number, keys: readonly RowKey[]): Cells {
  const key = new Float64Array(nRows);
  let nk = 1;
  for (const k of keys) nk = combineCodes(key, nk, k.codes, k.n);
  const cellOfRow = new Int32Array(nRows);
  const first: number[] = [];
  if (nk <= 1 << 24) {
    // a slot table: one typed-array lookup per row (1M rows: a Map here cost ~0.1 s)
    const slot = new Int32Array(nk).fill(-1);
    for (let i = 0; i < nRows; i++) {
      const k = key[i];
      if (slot[k] < 0) {
        slot[k] = first.length;
        first.push(i);
      }
      cellOfRow[i] = slot[k];
    }
  } else {
    const map = new Map<number, number>();
    for (let i = 0; i < nRows; i++) {
      let c = map.get(key[i]);
      if (c === undefined) {
        c = first.length;
        map.set(key[i], c);
        first.push(i);
      }
      cellOfRow[i] = c;
    }
  }
  return { cellOfRow, firstRow: Int32Array.from(first), nCells: first.length };
}

/** One cell per row (families without exact per-cell statistics, or rows with their own se). */
export function rowCells(nRows: number): Cells {
  const cellOfRow = Int32Array.from({ length: nRows }, (_, i) => i);
  return { cellOfRow, firstRow: cellOfRow, nCells: nRows };
}

/** Gaussian sufficient statistics of each cell (see `gaussianCellStats`). */
export interface GaussianCellStats {
  /** Sum of the rows' weights. */
  W: Float64Array;
  /** Weighted mean of the rows' y (0 for a cell of zero weight). */
  M: Float64Array;
  /** Weighted sum of squares of y about M (not the raw sum of y^2, which cancels badly). */
  SS: Float64Array;
}

/**
 * Per-cell gaussian sufficient statistics: for rows i of cell c with weights w_i and a common
 * linear predictor eta_c, sum_i w_i (y_i - eta_c)^2 = SS_c + W_c (M_c - eta_c)^2 exactly, so a
 * gaussian likelihood costs O(cells). `weight` null means weight 1 for every row.
 *
 * @example gaussianCellStats(Float64Array.of(1, 3, 5), null, Int32Array.of(0, 0, 1), 2).SS // [2, 0]
 */
export function gaussianCellStats(
  y: ArrayLike<number>,
  weight: ArrayLike<number> | null,
  cellOfRow: Int32Array,
  nCells: number,
): GaussianCellStats {
  const W = new Float64Array(nCells);
  const M = new Float64Array(nCells);
  const SS = new Float64Array(nCells);
  const n = cellOfRow.length;
  if (weight) {
    for (let i = 0; i < n; i++) {
      const c = cellOfRow[i];
      W[c] += weight[i];
      M[c] += weight[i] * y[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = cellOfRow[i];
      W[c]++;
      M[c] += y[i];
    }
  }
  for (let c = 0; c < nCells; c++) M[c] = W[c] > 0 ? M[c] / W[c] : 0;
  for (let i = 0; i < n; i++) {
    const c = cellOfRow[i];
    const e = y[i] - M[c];
    SS[c] += weight ? weight[i] * e * e : e * e;
  }
  return { W, M, SS };
}
