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
 * Mean, 5% and 95% quantiles (type 7) of a vector of draws. The two order statistics each quantile
 * needs come from a selection (Hoare's quickselect, Floyd & Rivest's median-of-three pivot) on one
 * copy instead of a full sort: the Comparison document has ~100,000 pairs at 500 tasks and the
 * sort of each pair's 4,000 draws dominated the analysis. Same values as `quantileSorted` on the
 * sorted vector (the k-th smallest is unique whatever the algorithm).
 * @example summarize90(Float64Array.from([1, 2, 3, 4, 5])) // { mean: 3, q5: 1.2, q95: 4.8 }
 */
export function summarize90(x: ArrayLike<number>): Interval90 {
  const n = x.length;
  if (n === 0) return { mean: Number.NaN, q5: Number.NaN, q95: Number.NaN };
  const a = Float64Array.from(x);
  // NaN sorts last in a Float64Array sort; keep that order by sorting when any is present
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(a[i])) {
      a.sort();
      return { mean: mean(x), q5: quantileSorted(a, 0.05), q95: quantileSorted(a, 0.95) };
    }
  }
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    const xlo = select(a, lo, 0, n - 1);
    // after selecting lo, every element right of lo is >= a[lo]: the next order statistic is
    // their minimum
    let xhi = xlo;
    if (hi > lo) {
      xhi = a[lo + 1];
      for (let i = lo + 2; i < n; i++) if (a[i] < xhi) xhi = a[i];
    }
    return xlo + (h - lo) * (xhi - xlo);
  };
  const q5 = q(0.05);
  const q95 = q(0.95);
  return { mean: mean(x), q5, q95 };
}

/**
 * Rearrange a[left..right] so that a[k] is its k-th smallest, smaller left, larger right
 * (quickselect with a three-way partition, so ties, e.g. constant draws, cost O(n)).
 */
function select(a: Float64Array, k: number, left: number, right: number): number {
  let l = left;
  let r = right;
  while (r > l) {
    const m = (l + r) >> 1;
    // median of three as pivot
    let pivot = a[m];
    const x = a[l];
    const y = a[r];
    if (x < pivot !== x < y) pivot = x;
    else if (y < pivot !== y < x) pivot = y;
    // a[l..lt) < pivot, a[lt..i) == pivot, a(gt..r] > pivot
    let lt = l;
    let gt = r;
    let i = l;
    while (i <= gt) {
      const v = a[i];
      if (v < pivot) swap(a, lt++, i++);
      else if (v > pivot) swap(a, i, gt--);
      else i++;
    }
    if (k < lt) r = lt - 1;
    else if (k > gt) l = gt + 1;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
