import { mean, variance } from '../math/moments.js';
import { quantileSorted, sortedCopy } from '../math/quantile.js';
import { meanAutocovariance } from './autocovariance.js';
import { shouldReturnNaN } from './checks-input.js';
import { zScale } from './rank.js';
import { splitChains } from './split.js';

/**
 * Effective sample sizes (docs/ALGORITHMS.md §5.5-5.6; Vehtari et al. 2021 §3; posterior R/convergence.R).
 * Inputs are draws x chains blocks (column-major by chain, as one variable of Draws).
 */

let acovBuf = new Float64Array(0);
let rhoBuf = new Float64Array(0);
let meansBuf = new Float64Array(0);
let centredBuf = new Float64Array(0);

/** Lags computed by direct sums before switching to the FFT for all lags. */
const LAZY_LAGS = 16;
/** Above this lag-1 autocorrelation the FFT is used directly (AR(0.75) needs ~10 pairs of lags). */
const FFT_AT_RHO1 = 0.75;

function scratch(n: number, m: number): void {
  if (acovBuf.length < n) {
    acovBuf = new Float64Array(n);
    rhoBuf = new Float64Array(n);
  }
  if (centredBuf.length < n * m) centredBuf = new Float64Array(n * m);
  if (meansBuf.length < m) meansBuf = new Float64Array(m);
}

/**
 * posterior's `.ess`: ESS of an (already split / transformed) block, from the combined multi-chain
 * autocorrelation with Geyer's initial positive and monotone sequences, the antithetic tail term,
 * R's `1:0` quirk (tau = 2 when no pair was read, so ESS = S/2 for N <= 5) and the cap
 * ESS <= S log10(S). NaN when N < 3, any NaN/Inf, or the block is constant.
 * @example essCore(new Float64Array([0.1, -0.3, 0.5, 1.2, -0.8, 0.4, 0.9, -1.1]), 4, 2) // 4
 */
export function essCore(x: Float64Array, nDraws: number, nChains: number): number {
  const n = nDraws;
  const m = nChains;
  const values = x.length === n * m ? x : x.subarray(0, n * m);
  if (n < 3 || shouldReturnNaN(values)) return Number.NaN;
  scratch(n, m);
  const S = n * m;
  // Centre each chain; abar_0 directly. Lags are then computed on demand: direct sums for the first
  // LAZY_LAGS lags (the Geyer loop of a well-mixing chain stops after a few), FFT for all lags once
  // more are needed (§5.4). Both give the same autocovariance up to rounding (~1e-15).
  const y = centredBuf;
  let a0 = 0;
  for (let c = 0; c < m; c++) {
    const mc = mean(values, c * n, n);
    meansBuf[c] = mc;
    for (let d = c * n; d < (c + 1) * n; d++) {
      const v = values[d] - mc;
      y[d] = v;
      a0 += v * v;
    }
  }
  const acov = acovBuf;
  acov[0] = a0 / S;
  let known = 0;
  const lag = (t: number): number => {
    if (t <= known) return acov[t];
    if (t > LAZY_LAGS) {
      meanAutocovariance(values, n, m, acov);
      known = n - 1;
      return acov[t];
    }
    for (let k = known + 1; k <= t; k++) {
      let sum = 0;
      for (let c = 0; c < m; c++) {
        const base = c * n;
        for (let d = base; d < base + n - k; d++) sum += y[d] * y[d + k];
      }
      acov[k] = sum / S;
    }
    known = t;
    return acov[t];
  };
  const meanVar = (acov[0] * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(meansBuf, 0, m);
  // Strong lag-1 correlation means the Geyer loop will read many lags: use the FFT at once.
  if (1 - (meanVar - lag(1)) / varPlus > FFT_AT_RHO1) lag(LAZY_LAGS + 1);
  const rho = rhoBuf;
  rho.fill(0, 0, n);
  // Geyer's initial positive sequence, on pairs of lags (2t, 2t+1).
  let t = 0;
  let even = 1;
  let odd = 1 - (meanVar - lag(1)) / varPlus;
  rho[0] = even;
  rho[1] = odd;
  while (t < n - 5 && !Number.isNaN(even + odd) && even + odd > 0) {
    t += 2;
    even = 1 - (meanVar - lag(t)) / varPlus;
    odd = 1 - (meanVar - lag(t + 1)) / varPlus;
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const maxT = t;
  // The improved (antithetic) estimate uses the next even lag too.
  if (even > 0) rho[maxT] = even;
  // Geyer's initial monotone sequence.
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  // tau = -1 + 2 sum(rho[1:maxT]) + rho[maxT + 1] in R's 1-based indexing; R's 1:0 is c(1, 0).
  let sum = 0;
  if (maxT === 0) sum = rho[0];
  else for (let k = 0; k < maxT; k++) sum += rho[k];
  let tau = -1 + 2 * sum + rho[maxT];
  tau = Math.max(tau, 1 / Math.log10(S));
  return S / tau;
}

/**
 * ESS of the split chains without rank normalization (posterior `ess_basic`, = `ess_mean`).
 * @example essBasic(block, 1000, 4)
 */
export function essBasic(x: Float64Array, nDraws: number, nChains: number): number {
  const s = splitChains(x, nDraws, nChains);
  return essCore(s.values, s.nDraws, s.nChains);
}

/**
 * ESS for the mean (posterior `ess_mean`), the same as essBasic.
 * @example essMean(block, 1000, 4)
 */
export function essMean(x: Float64Array, nDraws: number, nChains: number): number {
  return essBasic(x, nDraws, nChains);
}

/**
 * Bulk-ESS: ESS of the rank-normalized split chains (posterior `ess_bulk`). Stays finite with +-Inf
 * draws (they only get extreme ranks); NaN with any NaN.
 * @example essBulk(block, 1000, 4)
 */
export function essBulk(x: Float64Array, nDraws: number, nChains: number): number {
  const s = splitChains(x, nDraws, nChains);
  const z = zScale(s.values);
  return essCore(z, s.nDraws, s.nChains);
}

/**
 * The indicator threshold of ess_quantile: the type-7 quantile at p over all (unsplit) draws, with
 * p = 1 replaced by (S - 0.5)/S as posterior does.
 * @example quantileThreshold(sorted, 0.95)
 */
export function quantileThreshold(sorted: Float64Array, p: number): number {
  const S = sorted.length;
  return quantileSorted(sorted, p === 1 ? (S - 0.5) / S : p);
}

/**
 * ESS of the split indicator I(x <= threshold) (the core of ess_quantile). `out` receives the
 * indicator (length nDraws * nChains) when given.
 * @example essIndicator(block, 1000, 4, 0.3)
 */
export function essIndicator(
  x: Float64Array,
  nDraws: number,
  nChains: number,
  threshold: number,
  out?: Float64Array,
): number {
  const ind = out ?? new Float64Array(nDraws * nChains);
  for (let i = 0; i < nDraws * nChains; i++) ind[i] = x[i] <= threshold ? 1 : 0;
  const s = splitChains(ind.subarray(0, nDraws * nChains), nDraws, nChains);
  return essCore(s.values, s.nDraws, s.nChains);
}

/**
 * ESS of the p-quantile (posterior `ess_quantile`): ESS of the split indicator I(x <= q_p). NaN when
 * x has NaN/Inf or is constant.
 * @example essQuantile(block, 1000, 4, 0.05)
 */
export function essQuantile(x: Float64Array, nDraws: number, nChains: number, p: number): number {
  const values = x.subarray(0, nDraws * nChains);
  if (Number.isNaN(p) || p < 0 || p > 1 || shouldReturnNaN(values)) return Number.NaN;
  return essIndicator(values, nDraws, nChains, quantileThreshold(sortedCopy(values), p));
}

/**
 * Tail-ESS: min of the 5% and 95% quantile ESS; NaN if either is NaN (R `min`).
 * @example essTail(block, 1000, 4)
 */
export function essTail(x: Float64Array, nDraws: number, nChains: number): number {
  const a = essQuantile(x, nDraws, nChains, 0.05);
  const b = essQuantile(x, nDraws, nChains, 0.95);
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
}

/**
 * ESS of the median (posterior `ess_median`).
 * @example essMedian(block, 1000, 4)
 */
export function essMedian(x: Float64Array, nDraws: number, nChains: number): number {
  return essQuantile(x, nDraws, nChains, 0.5);
}

/**
 * ESS for the standard deviation, posterior 1.7: ESS of the split squared deviations (x - mean)^2.
 * @example essSd(block, 1000, 4)
 */
export function essSd(x: Float64Array, nDraws: number, nChains: number): number {
  const values = x.subarray(0, nDraws * nChains);
  const mu = mean(values);
  const sq = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) sq[i] = (values[i] - mu) ** 2;
  return essBasic(sq, nDraws, nChains);
}
