/**
 * Small numeric helpers over one vector of posterior draws (all chains pooled): mean, quantiles and
 * the mean/q5/q95 triple the Comparison document reports. Quantiles use type 7 interpolation, the R
 * default that the R package posterior's `quantile2` also uses (Hyndman & Fan 1996, definition 7).
 */

/**
 * Arithmetic mean; NaN for an empty vector.
 * @example mean(Float64Array.from([1, 2, 3])) // 2
 */
export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/**
 * Sample standard deviation (n - 1 denominator); NaN with fewer than 2 values.
 * @example sd([1, 2, 3]) // 1
 */
export function sd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}

/**
 * Type-7 quantile of values that are already sorted ascending.
 * @example quantileSorted([1, 2, 3, 4, 5], 0.25) // 2
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Posterior mean and 90% central interval. */
export interface Interval90 {
  mean: number;
  q5: number;
  q95: number;
}

/**
 * Mean, 5% and 95% quantiles (type 7) of a vector of draws.
 * @example summarize90(Float64Array.from([1, 2, 3, 4, 5])) // { mean: 3, q5: 1.2, q95: 4.8 }
 */
export function summarize90(x: ArrayLike<number>): Interval90 {
  const sorted = Float64Array.from(x).sort();
  return { mean: mean(x), q5: quantileSorted(sorted, 0.05), q95: quantileSorted(sorted, 0.95) };
}
