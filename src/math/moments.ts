/**
 * Sample moments as R computes them: `mean` with a second correction pass, `var` with divisor n-1.
 */

/**
 * Mean of x[start, start + n) with R's refinement pass (mean + mean of residuals).
 * @example mean(new Float64Array([1, 2, 3])) // 2
 */
export function mean(x: ArrayLike<number>, start = 0, n = x.length - start): number {
  let s = 0;
  for (let i = start; i < start + n; i++) s += x[i];
  const m = s / n;
  if (!Number.isFinite(m)) return m;
  let t = 0;
  for (let i = start; i < start + n; i++) t += x[i] - m;
  return m + t / n;
}

/**
 * Sample variance (divisor n-1) of x[start, start + n); NaN when n < 2.
 * @example variance(new Float64Array([1, 2, 3, 4])) // 1.6666666666666667
 */
export function variance(x: ArrayLike<number>, start = 0, n = x.length - start): number {
  if (n < 2) return Number.NaN;
  const m = mean(x, start, n);
  let s = 0;
  for (let i = start; i < start + n; i++) {
    const d = x[i] - m;
    s += d * d;
  }
  return s / (n - 1);
}

/**
 * x[start, start + n) minus its mean, as a new array (the deviations a covariance sums).
 * @example centred(new Float64Array([1, 2, 3])) // Float64Array [-1, 0, 1]
 */
export function centred(x: ArrayLike<number>, start = 0, n = x.length - start): Float64Array {
  let m = 0;
  for (let i = start; i < start + n; i++) m += x[i];
  m /= n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[start + i] - m;
  return out;
}

/**
 * Sample covariance (divisor n-1) of two centred series of the same length (`centred`).
 * @example crossCovariance(centred([1, 2, 3]), centred([2, 4, 6])) // 2
 */
export function crossCovariance(a: Float64Array, b: Float64Array): number {
  let x = 0;
  for (let i = 0; i < a.length; i++) x += a[i] * b[i];
  return x / (a.length - 1);
}
