import { argsort } from '../math/argsort.js';
import { mean, variance } from '../math/moments.js';
import { MAD_CONSTANT, medianSorted, quantileSorted } from '../math/quantile.js';
import { DOUBLE_EPS } from './checks-input.js';
import { essCore, quantileThreshold } from './ess.js';
import { mcseSdFromSquares } from './mcse.js';
import { foldOrder, zScaleFromOrder } from './rank.js';
import { MIN_DRAWS_RHAT, rhatCore } from './rhat.js';
import { splitChains } from './split.js';
import type { SummaryRow } from './types.js';

/**
 * One summary row (posterior's summarise_draws default measures) computed with shared buffers: the
 * same helpers as the single functions (rhat, essBulk, essTail, mcseMean, mcseSd...), fused so that
 * each variable is argsorted once (the folded draws' order comes from a merge) and nothing is
 * allocated per variable for even N.
 */

/**
 * Reusable buffers for rows of one shape (nDraws x nChains).
 * @example const ws: RowWorkspace = rowWorkspace(1000, 4);
 */
export interface RowWorkspace {
  nDraws: number;
  nChains: number;
  order: Uint32Array;
  foldedOrder: Uint32Array;
  splitOrder: Uint32Array;
  sorted: Float64Array;
  folded: Float64Array;
  foldedSorted: Float64Array;
  split: Float64Array;
  z: Float64Array;
  work: Float64Array;
}

/**
 * Allocate buffers for rows of nDraws x nChains draws.
 * @example const ws = rowWorkspace(1000, 4);
 */
export function rowWorkspace(nDraws: number, nChains: number): RowWorkspace {
  const S = nDraws * nChains;
  return {
    nDraws,
    nChains,
    order: new Uint32Array(S),
    foldedOrder: new Uint32Array(S),
    splitOrder: new Uint32Array(S),
    sorted: new Float64Array(S),
    folded: new Float64Array(S),
    foldedSorted: new Float64Array(S),
    split: new Float64Array(S),
    z: new Float64Array(S),
    work: new Float64Array(S),
  };
}

/** z-scale of the split chains of x; `order` is x's ascending order (reused when N is even). */
function splitZ(x: Float64Array, order: Uint32Array, ws: RowWorkspace) {
  const s = splitChains(x, ws.nDraws, ws.nChains, ws.split);
  const len = s.nDraws * s.nChains;
  const o = len === x.length ? order : argsort(s.values, ws.splitOrder.subarray(0, len));
  const z = zScaleFromOrder(s.values, o, ws.z.subarray(0, len));
  return { z, nDraws: s.nDraws, nChains: s.nChains };
}

/**
 * The summary row of one variable's draws x chains block. With `diagnostics = false` (sampler
 * fields, names ending `__`) R-hat, ESS and MCSE are NaN.
 * @example summaryRow('mu', variableBlock(draws, 0), rowWorkspace(1000, 4))
 */
export function summaryRow(
  variable: string,
  x: Float64Array,
  ws: RowWorkspace,
  diagnostics = true,
): SummaryRow {
  const n = ws.nDraws;
  const m = ws.nChains;
  const S = n * m;
  const NA = Number.NaN;
  const row: SummaryRow = {
    variable,
    mean: mean(x),
    median: NA,
    sd: Math.sqrt(variance(x)),
    mad: NA,
    q5: NA,
    q95: NA,
    rhat: NA,
    ess_bulk: NA,
    ess_tail: NA,
    mcse_mean: NA,
    mcse_sd: NA,
  };
  let anyNaN = false;
  let anyInf = false;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < S; i++) {
    const v = x[i];
    if (Number.isNaN(v)) anyNaN = true;
    else if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) anyInf = true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (anyNaN || S === 0) return row; // posterior: NA for everything
  const order = argsort(x, ws.order);
  const sorted = ws.sorted;
  for (let k = 0; k < S; k++) sorted[k] = x[order[k]];
  const med = medianSorted(sorted);
  row.median = med;
  row.q5 = quantileSorted(sorted, 0.05);
  row.q95 = quantileSorted(sorted, 0.95);
  const folded = ws.folded;
  const fOrder = foldOrder(x, order, med, folded, ws.foldedOrder);
  const foldedSorted = ws.foldedSorted;
  for (let k = 0; k < S; k++) foldedSorted[k] = folded[fOrder[k]];
  row.mad = MAD_CONSTANT * medianSorted(foldedSorted);
  if (!diagnostics) return row;

  // Rank-normalized split R-hat (bulk and folded) and bulk-ESS: finite even with +-Inf draws.
  const bulk = splitZ(x, order, ws);
  row.ess_bulk = essCore(bulk.z, bulk.nDraws, bulk.nChains);
  if (n >= MIN_DRAWS_RHAT) {
    const rBulk = rhatCore(bulk.z, bulk.nDraws, bulk.nChains);
    const tail = splitZ(folded, fOrder, ws);
    const rTail = rhatCore(tail.z, tail.nDraws, tail.nChains);
    row.rhat = Number.isNaN(rBulk) || Number.isNaN(rTail) ? NA : Math.max(rBulk, rTail);
  }
  if (anyInf || Math.abs(hi - lo) < DOUBLE_EPS) return row;

  // Tail-ESS: indicator ESS at the 5% and 95% quantiles.
  const ind = ws.work;
  const essQ = (p: number) => {
    const q = quantileThreshold(sorted, p);
    for (let i = 0; i < S; i++) ind[i] = x[i] <= q ? 1 : 0;
    const s = splitChains(ind, n, m, ws.split);
    return essCore(s.values, s.nDraws, s.nChains);
  };
  const e05 = essQ(0.05);
  const e95 = essQ(0.95);
  row.ess_tail = Number.isNaN(e05) || Number.isNaN(e95) ? NA : Math.min(e05, e95);

  // mcse_mean = sd / sqrt(ess_mean); mcse_sd from the squared deviations (Kenney & Keeping).
  const raw = splitChains(x, n, m, ws.split);
  row.mcse_mean = row.sd / Math.sqrt(essCore(raw.values, raw.nDraws, raw.nChains));
  const sq = ws.work;
  const mu = row.mean;
  for (let i = 0; i < S; i++) {
    const d = x[i] - mu;
    sq[i] = d * d;
  }
  row.mcse_sd = mcseSdFromSquares(sq, n, m);
  return row;
}
