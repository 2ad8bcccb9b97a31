/**
 * The mean/q5/q95 triple the Comparison document reports for one vector of posterior draws (all
 * chains pooled), by selection instead of a sort. Quantiles are R's type 7 (the R package
 * posterior's `quantile2`; src/math/quantile.ts); the mean is a plain sum / n.
 */
import { interpolate7, quantileSorted, selectKth, type7Index } from '../math/quantile.js';

export { selectKth } from '../math/quantile.js';

/** Posterior mean and 90% central interval. */
export interface Interval90 {
  mean: number;
  q5: number;
  q95: number;
}

/**
 * Mean, 5% and 95% quantiles (type 7) of a vector of draws. The order statistics each tail
 * quantile needs come from the few draws beyond thresholds estimated on a subsample (the idea of
 * Floyd & Rivest's SELECT, CACM 18(3), 1975), found by selection (Hoare's FIND, CACM 4(7), 1961)
 * instead of a sort: the Comparison document has ~100,000 pairs at 500 tasks, and sorting each
 * pair's 4,000 draws, then sorting the tails, dominated the analysis. The k-th smallest value is
 * unique whatever the algorithm, so the results equal `quantileSorted` on the sorted draws.
 * @example summarize90(Float64Array.from([1, 2, 3, 4, 5])) // { mean: 3, q5: 1.2, q95: 4.8 }
 */
export function summarize90(x: ArrayLike<number>): Interval90 {
  const n = x.length;
  // 0-based order statistics and interpolation fractions of the two quantiles, as R computes them
  const i5 = type7Index(n, 0.05);
  const lo5 = Math.floor(i5) - 1;
  const i95 = type7Index(n, 0.95);
  const lo95 = Math.floor(i95) - 1;
  // few draws: sort
  if (n < 400) return sortedSummary(x);
  // thresholds from a strided sample of 1/16 of the draws: its 10% and 90% order statistics,
  // below and above which ~10% of all draws fall (twice the 5% needed: autocorrelated draws make
  // the sample's quantiles noisy; with 8% about 4% of real pairs fell back to the full sort);
  // one pass then keeps only the draws beyond them, and the order statistics are selected there
  const ns = n >> 4;
  if (sampleBuf.length < ns) sampleBuf = new Float64Array(ns);
  const smp = sampleBuf;
  let sampleNaN = false;
  for (let k = 0; k < ns; k++) {
    const v = x[k << 4];
    if (Number.isNaN(v)) sampleNaN = true;
    smp[k] = v;
  }
  if (sampleNaN) return sortedSummary(x);
  const ka = Math.floor(0.1 * ns);
  const kb = Math.ceil(0.9 * ns);
  const a = selectKth(smp, 0, ns - 1, ka);
  const b = selectKth(smp, ka, ns - 1, kb);
  const cap = n >> 2;
  if (lowBuf.length < cap) {
    lowBuf = new Float64Array(cap);
    highBuf = new Float64Array(cap);
  }
  let nl = 0;
  let nh = 0;
  let sum = 0;
  for (let i = 0; i < n && nl < cap && nh < cap; i++) {
    const v = x[i];
    sum += v;
    if (v <= a) lowBuf[nl++] = v;
    if (v >= b) highBuf[nh++] = v;
  }
  // NaN or thresholds that missed: sort everything
  if (Number.isNaN(sum) || nl >= cap || nh >= cap || nl < lo5 + 2 || nh < n - lo95 + 1) {
    return sortedSummary(x);
  }
  // the k-th smallest of the nl smallest draws is the k-th of all; likewise from the top, where
  // order statistic lo95 of all is the (n - 1 - lo95)-th from the top: index nh - (n - lo95)
  const x5 = selectKth(lowBuf, 0, nl - 1, lo5);
  const y5 = minOf(lowBuf, lo5 + 1, nl - 1);
  const k95 = nh - (n - lo95);
  const x95 = selectKth(highBuf, 0, nh - 1, k95);
  const y95 = minOf(highBuf, k95 + 1, nh - 1);
  return {
    mean: sum / n,
    q5: interpolate7(x5, y5, i5 - Math.floor(i5)),
    q95: interpolate7(x95, y95, i95 - Math.floor(i95)),
  };
}

function minOf(a: Float64Array, from: number, to: number): number {
  let m = a[from];
  for (let i = from + 1; i <= to; i++) if (a[i] < m) m = a[i];
  return m;
}

let sampleBuf = new Float64Array(256);
let lowBuf = new Float64Array(1024);
let highBuf = new Float64Array(1024);

function sortedSummary(x: ArrayLike<number>): Interval90 {
  const sorted = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) sorted[i] = x[i];
  sorted.sort();
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  return {
    mean: sum / x.length,
    q5: quantileSorted(sorted, 0.05),
    q95: quantileSorted(sorted, 0.95),
  };
}
