/**
 * Pareto smoothed importance sampling (PSIS; Vehtari, Simpson, Gelman, Yao & Gabry 2024, "Pareto
 * smoothed importance sampling", JMLR 25(72)), as the R package loo 2.5.1 computes it
 * (R/psis.R, R/gpdfit.R): the largest M = ceil(min(0.2 S, 3 sqrt(S / r_eff))) raw weights are
 * replaced by the expected order statistics of a generalized Pareto distribution fitted to them
 * (Zhang & Stephens 2009, with loo's weakly informative prior on k), the weights are truncated at
 * the largest raw weight, and the fitted shape k is the diagnostic (docs/ALGORITHMS.md §12).
 */

import { argsort } from '../math/argsort.js';

/** Minimum tail length for a fit (loo's `enough_tail_samples`). */
const MIN_TAIL = 5;

/** Result of smoothing one vector of log importance ratios. */
export interface PsisResult {
  /** Smoothed, truncated, unnormalized log weights (same length and order as the input). */
  logWeights: Float64Array;
  /** Estimated Pareto shape k (Infinity when the tail could not be fitted). */
  k: number;
  /** Tail length used. */
  tailLength: number;
}

/**
 * Generalized Pareto fit (Zhang & Stephens 2009, "A new and efficient estimation method for the
 * generalized Pareto distribution", Technometrics 51(3), section 4) of the sorted exceedances x (all
 * > 0, ascending): the posterior-mean estimate of theta = -k / sigma on a grid of
 * M = 30 + floor(sqrt(N)) points with the profile likelihood as weights, then loo's
 * weakly informative prior on k (`adjust_k_wip`: k <- (N k + 10 * 0.5) / (N + 10)).
 * @example gpdFit(Float64Array.from([0.1, 0.2, 0.4, 0.8, 1.6, 3.2])).k
 */
export function gpdFit(x: Float64Array): { k: number; sigma: number } {
  const N = x.length;
  const prior = 3;
  const M = 30 + Math.floor(Math.sqrt(N));
  // R: xstar <- x[floor(N / 4 + 0.5)] (1-based): the first quartile
  const xstar = x[Math.floor(N / 4 + 0.5) - 1];
  const xmax = x[N - 1];
  const theta = new Float64Array(M);
  const lTheta = new Float64Array(M);
  let lMax = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < M; j++) {
    const t = 1 / xmax + (1 - Math.sqrt(M / (j + 1 - 0.5))) / prior / xstar;
    theta[j] = t;
    // profile log-likelihood (loo's `lx`): a = -theta, k = mean(log1p(a x)), log(a / k) - k - 1
    const a = -t;
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.log1p(a * x[i]);
    const kj = s / N;
    const l = N * (Math.log(a / kj) - kj - 1);
    lTheta[j] = l;
    if (l > lMax) lMax = l;
  }
  let z = 0;
  for (let j = 0; j < M; j++) z += Math.exp(lTheta[j] - lMax);
  let thetaHat = 0;
  for (let j = 0; j < M; j++) thetaHat += theta[j] * (Math.exp(lTheta[j] - lMax) / z);
  let s = 0;
  for (let i = 0; i < N; i++) s += Math.log1p(-thetaHat * x[i]);
  let k = s / N;
  const sigma = -k / thetaHat;
  const a = 10;
  k = (k * N) / (N + a) + (a * 0.5) / (N + a);
  if (Number.isNaN(k)) k = Number.POSITIVE_INFINITY;
  return { k, sigma };
}

/**
 * Quantile function of the generalized Pareto distribution with location 0 (loo's `qgpd`):
 * sigma expm1(-k log1p(-p)) / k; NaN when sigma is not positive.
 * @example gpdQuantile(0.5, 0.5, 1) // 2 * (sqrt(2) - 1)
 */
export function gpdQuantile(p: number, k: number, sigma: number): number {
  if (Number.isNaN(sigma) || sigma <= 0) return Number.NaN;
  return (sigma * Math.expm1(-k * Math.log1p(-p))) / k;
}

/**
 * PSIS tail length M = ceil(min(0.2 S, 3 sqrt(S / r_eff))) (Vehtari et al. 2024 section 3; loo's
 * `n_pareto`): with r_eff = 1, min(0.2 S, 3 sqrt(S)).
 * @example psisTailLength(4000, 1) // 190
 */
export function psisTailLength(S: number, rEff: number): number {
  return Math.ceil(Math.min(0.2 * S, 3 * Math.sqrt(S / rEff)));
}

/**
 * The sample-size dependent Pareto k threshold min(1 - 1/log10(S), 0.7) above which the PSIS
 * estimate is unreliable (Vehtari et al. 2024 section 3.2.4; loo >= 2.7 `ps_khat_threshold`).
 * @example paretoKThreshold(4000) // 0.7
 */
export function paretoKThreshold(S: number): number {
  return Math.min(1 - 1 / Math.log10(S), 0.7);
}

/**
 * Pareto smoothed importance sampling of one vector of log importance ratios (loo's `do_psis_i`
 * with tail length from `psisTailLength`). Finite input is the caller's responsibility (loo refuses
 * NA and infinite ratios); a tail whose values are all equal is left unsmoothed with k = Infinity.
 * @example psis(logRatios, 1).k
 */
export function psis(logRatios: ArrayLike<number>, rEff = 1): PsisResult {
  const S = logRatios.length;
  let maxLr = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < S; s++) if (logRatios[s] > maxLr) maxLr = logRatios[s];
  const lw = new Float64Array(S);
  for (let s = 0; s < S; s++) lw[s] = logRatios[s] - maxLr;
  const tailLength = psisTailLength(S, rEff);
  let k = Number.POSITIVE_INFINITY;
  if (tailLength >= MIN_TAIL && tailLength < S) {
    const order = argsort(lw);
    const first = S - tailLength;
    const tail = new Float64Array(tailLength);
    for (let j = 0; j < tailLength; j++) tail[j] = lw[order[first + j]];
    if (Math.abs(tail[tailLength - 1] - tail[0]) >= Number.EPSILON / 100) {
      const cutoff = lw[order[first - 1]];
      const expCutoff = Math.exp(cutoff);
      const exceed = new Float64Array(tailLength);
      for (let j = 0; j < tailLength; j++) exceed[j] = Math.exp(tail[j]) - expCutoff;
      const fit = gpdFit(exceed);
      k = fit.k;
      if (Number.isFinite(k)) {
        for (let j = 0; j < tailLength; j++) {
          const p = (j + 1 - 0.5) / tailLength;
          lw[order[first + j]] = Math.log(gpdQuantile(p, k, fit.sigma) + expCutoff);
        }
      }
    }
  }
  // truncate at the largest raw weight (0 after the shift), then shift back
  for (let s = 0; s < S; s++) {
    if (lw[s] > 0) lw[s] = 0;
    lw[s] += maxLr;
  }
  return { logWeights: lw, k, tailLength };
}

/**
 * Normalized log weights: lw - logSumExp(lw), in place.
 * @example normalizeLogWeights(psis(ratios).logWeights)
 */
export function normalizeLogWeights(lw: Float64Array): Float64Array {
  let m = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < lw.length; s++) if (lw[s] > m) m = lw[s];
  let z = 0;
  for (let s = 0; s < lw.length; s++) z += Math.exp(lw[s] - m);
  const c = m + Math.log(z);
  for (let s = 0; s < lw.length; s++) lw[s] -= c;
  return lw;
}
