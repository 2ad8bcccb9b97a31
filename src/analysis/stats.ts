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
 * Mean, 5% and 95% quantiles (type 7) of a vector of draws. The two order statistics each tail
 * quantile needs come from one pass with two bounded heaps of the ~5% smallest and largest values
 * (Knuth, TAOCP vol. 3, 5.2.3, heapsort's sift-down) instead of a full sort: the Comparison document has ~100,000 pairs at 500
 * tasks and sorting each pair's 4,000 draws dominated the analysis. The k-th smallest value is
 * unique whatever the algorithm, so the results equal `quantileSorted` on the sorted draws.
 * @example summarize90(Float64Array.from([1, 2, 3, 4, 5])) // { mean: 3, q5: 1.2, q95: 4.8 }
 */
export function summarize90(x: ArrayLike<number>): Interval90 {
  const n = x.length;
  const h5 = (n - 1) * 0.05;
  const lo5 = Math.floor(h5);
  const h95 = (n - 1) * 0.95;
  const lo95 = Math.floor(h95);
  // heaps of the m smallest and the m largest values: order statistics lo5, lo5 + 1 and
  // lo95, lo95 + 1 (m = lo5 + 2 = n - lo95 + 1 when the two tails mirror each other)
  const m = Math.max(lo5 + 2, n - lo95);
  // few draws: sort
  if (n < 40 || 4 * m > n) return sortedSummary(x);
  if (low.length < m) {
    low = new Float64Array(2 * m);
    high = new Float64Array(2 * m);
  }
  const lo = low;
  const hi = high;
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const v = x[i];
    sum += v;
    lo[i] = v;
    hi[i] = -v;
  }
  for (let i = (m >> 1) - 1; i >= 0; i--) {
    siftDown(lo, i, m);
    siftDown(hi, i, m);
  }
  for (let i = m; i < n; i++) {
    const v = x[i];
    sum += v;
    if (v < lo[0]) {
      lo[0] = v;
      siftDown(lo, 0, m);
    }
    if (-v < hi[0]) {
      hi[0] = -v;
      siftDown(hi, 0, m);
    }
  }
  // NaN (which a Float64Array sort puts last) fails every comparison above: sort instead
  if (Number.isNaN(sum)) return sortedSummary(x);
  return {
    mean: sum / n,
    q5: fromHeap(lo, m, lo5, h5, 1),
    q95: fromHeap(hi, m, n - 2 - lo95, h95, -1),
  };
}

function sortedSummary(x: ArrayLike<number>): Interval90 {
  const sorted = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) sorted[i] = x[i];
  sorted.sort();
  return { mean: mean(x), q5: quantileSorted(sorted, 0.05), q95: quantileSorted(sorted, 0.95) };
}

let low = new Float64Array(512);
let high = new Float64Array(512);

/**
 * The type-7 quantile at h from a max-heap of the m smallest values of sign * x: the k-th and
 * (k + 1)-th smallest of sign * x are found by popping the heap down to k + 2 values (its top is
 * then the (k + 1)-th, the larger child of the top the k-th). For sign -1 they are the negated
 * order statistics floor(h) + 1 and floor(h) of x.
 */
function fromHeap(hp: Float64Array, m: number, k: number, h: number, sign: number): number {
  let size = m;
  while (size > k + 2) {
    hp[0] = hp[size - 1];
    size--;
    siftDown(hp, 0, size);
  }
  const top = hp[0];
  const second = size > 2 && hp[2] > hp[1] ? hp[2] : hp[1];
  const lo = Math.floor(h);
  // x_(lo) and x_(lo + 1)
  const a = sign > 0 ? second : -top;
  const b = sign > 0 ? top : -second;
  return a + (h - lo) * (b - a);
}

function siftDown(hp: Float64Array, start: number, m: number): void {
  let i = start;
  const v = hp[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= m) break;
    if (c + 1 < m && hp[c + 1] > hp[c]) c++;
    if (hp[c] <= v) break;
    hp[i] = hp[c];
    i = c;
  }
  hp[i] = v;
}
