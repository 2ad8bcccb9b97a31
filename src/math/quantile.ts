/**
 * Order statistics on sorted samples: R's type-7 quantile (the default of `quantile`, used by the
 * R package posterior; docs/ALGORITHMS.md §5.6) and the median.
 */

/**
 * R's type-7 quantile of ascending `sorted` at probability p: h = 1 + (n-1)p,
 * x[floor h] + interpolation, computed as R does ((1-g) x_lo + g x_hi, only when x_hi != x_lo).
 * NaN for an empty sample.
 * @example quantileSorted(new Float64Array([1, 2, 3, 4]), 0.5) // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(p)) return Number.NaN;
  const index = (n - 1) * p; // 0-based version of R's 1 + (n-1)p
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qs = sorted[lo];
  const xhi = sorted[hi];
  if (index > lo && xhi !== qs) {
    const g = index - lo;
    return (1 - g) * qs + g * xhi;
  }
  return qs;
}

/**
 * Median of ascending `sorted` (mean of the two middle values for even n), as R's `median`.
 * @example medianSorted(new Float64Array([1, 2, 3, 10])) // 2.5
 */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/**
 * Sorted copy (ascending, NaN last) into `out` (allocated when omitted).
 * @example sortedCopy([3, 1, 2]) // Float64Array [1, 2, 3]
 */
export function sortedCopy(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i];
  return o.sort();
}
