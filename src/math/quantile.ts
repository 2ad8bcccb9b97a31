/**
 * Order statistics on sorted samples: R's type-7 quantile (the default of `quantile`, used by the
 * R package posterior; docs/ALGORITHMS.md §5.6) and the median.
 */

/**
 * R's type-7 quantile of ascending `sorted` at probability p (Hyndman & Fan 1996, definition 7;
 * R's `quantile.default`): the 1-based position h = 1 + (n-1)p (`type7Index`), the order statistics
 * x_lo = x_(floor h) and x_hi = x_(ceil h) interpolated by `interpolate7` with g = h - floor h.
 * Computed in R's order, so the result equals R's to the last bit. NaN for an empty sample or p NaN.
 * @example quantileSorted(new Float64Array([1, 2, 3, 4]), 0.5) // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(p)) return Number.NaN;
  const h = type7Index(n, p);
  const lo = Math.floor(h);
  return interpolate7(sorted[lo - 1], sorted[Math.ceil(h) - 1], h - lo);
}

/**
 * R's 1-based position of the type-7 quantile in a sample of n: 1 + (n-1)p. The fraction g must be
 * taken from this 1-based value as R does: the 0-based (n-1)p can round differently
 * ((8-1) * 0.1 = 0.7000000000000001 but 1 + 7 * 0.1 - 1 = 0.7000000000000002).
 * @example type7Index(5, 0.25) // 2
 */
export function type7Index(n: number, p: number): number {
  return 1 + (n - 1) * p;
}

/**
 * The interpolation step of the type-7 quantile exactly as R computes it: (1-g) x_lo + g x_hi, and
 * x_lo itself when g = 0 or x_hi == x_lo (so ties give the tied value, not one off by rounding).
 * The one formula for every type-7 quantile in bayesbench, including the selection-based
 * `summarize90` of src/analysis/stats.ts that finds x_lo and x_hi without a sort.
 * @example interpolate7(1, 2, 0.25) // 1.25
 */
export function interpolate7(xlo: number, xhi: number, g: number): number {
  return g > 0 && xhi !== xlo ? (1 - g) * xlo + g * xhi : xlo;
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
 * R's `median` of an unsorted sample (NaN when empty; a NaN in x sorts last, so callers that need
 * R's NA rule check for NaN first, as src/diagnostics/measures.ts does). By selection (`selectKth`),
 * O(n) instead of a sort (brms's default priors take it of every score: 10,000,000 rows in a
 * per-example file), and equal to `medianSorted(sortedCopy(x))` to the bit, the sign of a zero
 * included (`orderStatistic`).
 * @example median([3, 1, 2, 10]) // 2.5
 */
export function median(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return Number.NaN;
  const a = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(x[i])) a[m++] = x[i];
  const h = n >> 1;
  if (n % 2 === 1) return orderStatistic(a, m, h);
  return (orderStatistic(a, m, h - 1) + orderStatistic(a, m, h)) / 2;
}

/**
 * The k-th smallest (0-based) of the n values sorted ascending with NaN last, as `sortedCopy` would
 * place it, from `a[0..m)`, the m values that are not NaN (rearranged). A zero gets the sign a sort
 * gives it (-0 before +0: ECMAScript's TypedArray sort), which selection, seeing -0 == +0, does not.
 * @example orderStatistic(Float64Array.from([3, 1, 2]), 3, 1) // 2
 */
function orderStatistic(a: Float64Array, m: number, k: number): number {
  if (k >= m) return Number.NaN;
  const v = selectKth(a, 0, m - 1, k);
  if (v !== 0) return v;
  let below = 0; // values before the zeros, then the -0s among them
  let negZeros = 0;
  for (let i = 0; i < m; i++) {
    if (a[i] < 0) below++;
    else if (Object.is(a[i], -0)) negZeros++;
  }
  return k < below + negZeros ? -0 : 0;
}

/**
 * The k-th smallest of a[lo..hi] (0-based k, lo <= k <= hi; no NaN), rearranging a[lo..hi] so
 * that a[lo..k-1] <= a[k] <= a[k+1..hi] (Hoare's FIND, CACM 4(7), 1961, with a median-of-three
 * pivot). Expected O(hi - lo). The k-th smallest value is unique whatever the algorithm, so it
 * equals the sorted array's k-th element (up to the sign of a zero: see `orderStatistic`).
 * @example selectKth(Float64Array.from([5, 1, 4, 2, 3]), 0, 4, 1) // 2
 */
export function selectKth(a: Float64Array, lo: number, hi: number, k: number): number {
  let l = lo;
  let r = hi;
  while (r > l) {
    // median of three to a[l], pivot value in p
    const m = (l + r) >>> 1;
    if (a[m] < a[l]) swap(a, m, l);
    if (a[r] < a[l]) swap(a, r, l);
    if (a[r] < a[m]) swap(a, r, m);
    const p = a[m];
    let i = l;
    let j = r;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // now a[l..j] <= p <= a[i..r], and a[j+1..i-1] == p
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * R's consistency constant of `mad` for the normal distribution.
 * @example MAD_CONSTANT * medianSorted(absDeviations)
 */
export const MAD_CONSTANT = 1.4826;

/**
 * R's `mad`: 1.4826 * median(|x - median(x)|) (brms's default priors and posterior's summary use it).
 * @example mad([1, 2, 3, 4, 100]) // 1.4826
 */
export function mad(x: ArrayLike<number>): number {
  const med = median(x);
  const dev = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dev[i] = Math.abs(x[i] - med);
  return MAD_CONSTANT * median(dev);
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
