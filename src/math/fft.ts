/**
 * Radix-2 complex FFT (iterative Cooley-Tukey) with cached plans, used for autocovariances
 * (docs/ALGORITHMS.md §5.4: any zero padding to length >= 2N - 1 gives the linear autocovariance).
 */

/**
 * Precomputed twiddles and bit-reversal permutation for one power-of-two length.
 * @example fftPlan(8).n // 8
 */
export interface FftPlan {
  readonly n: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly rev: Uint32Array;
}

const plans = new Map<number, FftPlan>();

/**
 * Smallest power of two >= n (n >= 1).
 * @example nextPow2(1000) // 1024
 */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The (cached) plan for length n, a power of two.
 * @example const plan = fftPlan(1024);
 */
export function fftPlan(n: number): FftPlan {
  let plan = plans.get(n);
  if (plan) return plan;
  if (n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length ${n} is not a power of two`);
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const rev = new Uint32Array(n);
  let bits = 0;
  while (1 << bits < n) bits++;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    rev[i] = r;
  }
  plan = { n, cos, sin, rev };
  plans.set(n, plan);
  return plan;
}

/**
 * In-place unnormalized DFT of (re, im): X_k = sum_j x_j exp(-+ 2 pi i jk/n), minus sign forward,
 * plus sign when `inverse` (no 1/n factor, like R's `fft(z, inverse = TRUE)`).
 * @example
 * const re = new Float64Array([1, 2, 3, 4]), im = new Float64Array(4);
 * fft(fftPlan(4), re, im); // re = [10, -2, -2, -2], im = [0, 2, 0, -2]
 */
export function fft(plan: FftPlan, re: Float64Array, im: Float64Array, inverse = false): void {
  const { n, cos, sin, rev } = plan;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const halfSize = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, t = 0; k < halfSize; k++, t += step) {
        const wr = cos[t];
        const wi = sign * sin[t];
        const a = start + k;
        const b = a + halfSize;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}
