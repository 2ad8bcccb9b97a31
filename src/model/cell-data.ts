import {
  type Cells,
  collapseRows,
  denseCodes,
  gaussianCellStats,
  type RowKey,
  rowCells,
} from './cells.js';
import type { Design } from './design.js';
import type { FamilyShape } from './families.js';

/**
 * The data of a model on cells: rows that share every predictor value and group level form one
 * cell, and each family keeps the exact per-cell statistics it needs (gaussian and lognormal:
 * weight sum, weighted mean, within-cell sum of squares; binomial and bernoulli: successes and
 * trials). Student, beta and beta_binomial keep one cell per row (the beta-binomial's counts are
 * not summed: its pmf is not a function of a cell's totals). A gradient then costs O(cells +
 * parameters).
 */
export interface CellData extends Cells {
  /** Rows were collapsed into cells (the family has exact statistics and collapsing was on). */
  collapsed: boolean;
  /** Centred population columns per cell. */
  Xc: Float64Array[];
  /** gaussian/lognormal: precision-weight sum per cell; student/beta/beta_binomial: the row's weight. */
  W: Float64Array;
  /** gaussian/lognormal: weighted mean of y (log y) per cell. */
  M: Float64Array;
  /** binomial/bernoulli: successes and trials per cell; beta_binomial: the row's. */
  K: Float64Array;
  N: Float64Array;
  /** student/beta: y, log y and log(1 - y) of the cell's row. */
  Y: Float64Array;
  logY: Float64Array;
  log1mY: Float64Array;
  /** Sum of the rows' weights (gaussian, lognormal, student, beta, beta_binomial). */
  totalW: number;
  /** Sum of the within-cell sums of squares (gaussian, lognormal). */
  ssConst: number;
}

/** Cells: rows sharing all predictor values and group levels (and slope covariate values). */
function buildCells(d: Design): Cells {
  const keys: RowKey[] = d.X.map((col) => denseCodes(col));
  for (const g of d.groups) {
    keys.push({ codes: g.idx, n: g.levels.length });
    for (const z of g.z) if (z !== null) keys.push(denseCodes(z));
  }
  return collapseRows(d.nRows, keys);
}

/**
 * The cells of a design and the family's statistics on them; `collapse` false (or a family
 * without exact statistics) keeps one cell per row.
 * @example familyCells(design, familyShape('gaussian', design), true).nCells
 */
export function familyCells(d: Design, shape: FamilyShape, collapse: boolean): CellData {
  const { family } = shape;
  const n = d.nRows;
  const collapsed = collapse && shape.collapsible;
  const cells = collapsed ? buildCells(d) : rowCells(n);
  const { cellOfRow, firstRow, nCells } = cells;
  const Xc: Float64Array[] = d.X.map((col, k) => {
    const v = new Float64Array(nCells);
    for (let c = 0; c < nCells; c++) v[c] = col[firstRow[c]] - d.means[k];
    return v;
  });
  const w = d.weights;
  let W: Float64Array = new Float64Array(nCells);
  let M: Float64Array = new Float64Array(nCells);
  const K = new Float64Array(nCells);
  const N = new Float64Array(nCells);
  const Y = new Float64Array(nCells);
  const logY = new Float64Array(nCells);
  const log1mY = new Float64Array(nCells);
  let totalW = 0;
  let ssConst = 0;
  if (family === 'gaussian' || family === 'lognormal') {
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) yv[i] = family === 'lognormal' ? Math.log(d.y[i]) : d.y[i];
    // With se(): precision weights w/se^2 and no sigma; otherwise weights w.
    const pw = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      pw[i] = d.se ? wi / (d.se[i] * d.se[i]) : wi;
    }
    for (let i = 0; i < n; i++) totalW += w ? w[i] : 1;
    const stats = gaussianCellStats(yv, pw, cellOfRow, nCells);
    W = stats.W;
    M = stats.M;
    for (let c = 0; c < nCells; c++) ssConst += stats.SS[c];
  } else if (family === 'binomial' || family === 'bernoulli') {
    for (let i = 0; i < n; i++) {
      const c = cellOfRow[i];
      const wi = w ? w[i] : 1;
      K[c] += wi * d.y[i];
      N[c] += wi * (d.trials ? d.trials[i] : 1);
    }
  } else if (family === 'beta_binomial') {
    for (let i = 0; i < n; i++) {
      K[i] = d.y[i];
      N[i] = d.trials ? d.trials[i] : 1;
      W[i] = w ? w[i] : 1;
      totalW += W[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      Y[i] = d.y[i];
      W[i] = w ? w[i] : 1;
      totalW += W[i];
      if (family === 'beta') {
        logY[i] = Math.log(d.y[i]);
        log1mY[i] = Math.log1p(-d.y[i]);
      }
    }
  }
  return { ...cells, collapsed, Xc, W, M, K, N, Y, logY, log1mY, totalW, ssConst };
}
