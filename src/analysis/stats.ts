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
 * quantile needs come from one pass with a bounded heap of the ~5% most extreme values (Knuth,
 * TAOCP vol. 3, 5.3.3) instead of a full sort: the Comparison document has ~100,000 pairs at 500
 * tasks and sorting each pair's 4,000 draws dominated the analysis. The k-th smallest value is
 * unique whatever the algorithm, so the results equal `quantileSorted` on the sorted draws.
 * @example summarize90(Float64Array.from([1, 2, 3, 4, 5])) // { mean: 3, q5: 1.2, q95: 4.8 }
 */
export function summarize90(x: ArrayLike<number>): Interval90 {
  const n = x.length;
  let nan = false;
  for (let i = 0; i < n && !nan; i++) nan = Number.isNaN(x[i]);
  // few draws, or NaN (which a Float64Array sort puts last): sort
  if (n < 40 || nan) {
    const sorted = new Float64Array(n);
    for (let i = 0; i < n; i++) sorted[i] = x[i];
    sorted.sort();
    return { mean: mean(x), q5: quantileSorted(sorted, 0.05), q95: quantileSorted(sorted, 0.95) };
  }
  const h5 = (n - 1) * 0.05;
  const lo5 = Math.floor(h5);
  const [a5, b5] = lowestPair(x, lo5, 1);
  const h95 = (n - 1) * 0.95;
  const lo95 = Math.floor(h95);
  // order statistics lo95 and lo95 + 1 are the negated (n - 2 - lo95)-th and (n - 1 - lo95)-th
  // smallest of -x
  const [c95, d95] = lowestPair(x, n - 2 - lo95, -1);
  const a95 = -d95;
  const b95 = -c95;
  return {
    mean: mean(x),
    q5: a5 + (h5 - lo5) * (b5 - a5),
    q95: a95 + (h95 - lo95) * (b95 - a95),
  };
}

let heap = new Float64Array(256);

/**
 * The k-th and (k + 1)-th smallest of sign * x (0-based; k + 2 <= x.length): a max-heap of the
 * k + 2 smallest seen so far; its top is the (k + 1)-th, the larger child of the top the k-th.
 */
function lowestPair(x: ArrayLike<number>, k: number, sign: number): [number, number] {
  const n = x.length;
  const m = k + 2;
  if (heap.length < m) heap = new Float64Array(2 * m);
  const hp = heap;
  for (let i = 0; i < m; i++) hp[i] = sign * x[i];
  for (let i = (m >> 1) - 1; i >= 0; i--) siftDown(hp, i, m);
  for (let i = m; i < n; i++) {
    const v = sign * x[i];
    if (v < hp[0]) {
      hp[0] = v;
      siftDown(hp, 0, m);
    }
  }
  const second = m > 2 && hp[2] > hp[1] ? hp[2] : hp[1];
  return [second, hp[0]];
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
