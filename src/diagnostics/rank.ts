import { normalQuantile } from '../math/normal-quantile.js';
import { medianSorted, sortedCopy } from '../math/quantile.js';

/**
 * Rank normalization and folding (ALGORITHMS.md §5.2, posterior `z_scale`, `u_scale`,
 * `backtransform_ranks`, `fold_draws`; Vehtari et al. 2021 §3).
 */

/** Blom's fractional offset c = 3/8 of the rank back-transform. */
export const RANK_OFFSET = 3 / 8;

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Ranks of x among all its values, ties getting the average rank (R `rank(ties.method = "average")`),
 * 1-based. `sorted` may pass x already sorted ascending; NaN inputs get NaN ranks.
 * @example averageRanks(new Float64Array([3, 1, 4, 1, 5])) // [3, 1.5, 4, 1.5, 5]
 */
export function averageRanks(
  x: Float64Array,
  sorted?: Float64Array,
  out?: Float64Array,
): Float64Array {
  const s = sorted ?? sortedCopy(x);
  const o = out ?? new Float64Array(x.length);
  // NaNs sort last: rank among the non-NaN values only (R's na.last = "keep").
  let nFinite = s.length;
  while (nFinite > 0 && Number.isNaN(s[nFinite - 1])) nFinite--;
  const view = nFinite === s.length ? s : s.subarray(0, nFinite);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      o[i] = Number.NaN;
      continue;
    }
    o[i] = (lowerBound(view, v) + upperBound(view, v) + 1) / 2;
  }
  return o;
}

/**
 * u-scale: (r - 3/8) / (S + 1/4) of the average ranks r over all S pooled draws (posterior `u_scale`).
 * @example uScale(new Float64Array([3, 1, 4, 1, 5])) // [0.5, 0.2142857142857143, ...]
 */
export function uScale(x: Float64Array, sorted?: Float64Array, out?: Float64Array): Float64Array {
  const o = averageRanks(x, sorted, out);
  const denom = x.length - 2 * RANK_OFFSET + 1;
  for (let i = 0; i < o.length; i++) o[i] = (o[i] - RANK_OFFSET) / denom;
  return o;
}

/**
 * Rank normalization z = Phi^-1((r - 3/8)/(S + 1/4)) over all pooled draws (posterior `z_scale`).
 * @example zScale(new Float64Array([3, 1, 4, 1, 5]))[2] // 0.497200570681554
 */
export function zScale(x: Float64Array, sorted?: Float64Array, out?: Float64Array): Float64Array {
  const o = uScale(x, sorted, out);
  for (let i = 0; i < o.length; i++) o[i] = normalQuantile(o[i]);
  return o;
}

/**
 * Folded draws |x - median(x)|, the median over all (unsplit) draws (posterior `fold_draws`).
 * `sorted` may pass x sorted ascending.
 * @example foldDraws(new Float64Array([1, 2, 6])) // [1, 0, 4]
 */
export function foldDraws(
  x: Float64Array,
  sorted?: Float64Array,
  out?: Float64Array,
): Float64Array {
  const med = medianSorted(sorted ?? sortedCopy(x));
  const o = out ?? new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i] - med);
  return o;
}
