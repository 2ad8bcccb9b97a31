/**
 * Importance weights for the planner's preposterior simulation (src/analysis/plan.ts): reweighting
 * the posterior draws by the likelihood of a simulated new run. Two checks of whether that
 * reweighting can be trusted, both from the PSIS paper (Vehtari, Simpson, Gelman, Yao & Gabry 2024,
 * "Pareto smoothed importance sampling", JMLR 25(72)):
 *
 * - the effective sample size of the weights, (sum w)^2 / sum w^2 (Kong 1992);
 * - the Pareto k-hat of the upper tail of the weights: the shape of a generalized Pareto
 *   distribution fitted to the largest M = min(S / 5, 3 sqrt(S)) weights (section 3); k-hat > 0.7
 *   means the reweighted estimate is unreliable and a refit would be needed (section 3.2.4).
 *
 * The weights themselves are truncated at mean(w) sqrt(S) (truncated importance sampling, Ionides
 * 2008, J. Comput. Graph. Stat. 17(2)), which bounds the variance of the estimate.
 */

/** k-hat above which reweighted estimates are unreliable (Vehtari et al. 2024, section 3.2.4). */
export const PARETO_K_LIMIT = 0.7;

/**
 * Turn log weights into truncated, unnormalized weights in `out` and return their sum.
 * @example truncatedWeights(Float64Array.of(0, 0), new Float64Array(2)) // 2 (out = [1, 1])
 */
export function truncatedWeights(logW: Float64Array, out: Float64Array): number {
  const S = logW.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < S; s++) if (logW[s] > max) max = logW[s];
  let sum = 0;
  for (let s = 0; s < S; s++) {
    const w = Math.exp(logW[s] - max);
    out[s] = w;
    sum += w;
  }
  const cap = (sum / S) * Math.sqrt(S);
  let capped = 0;
  for (let s = 0; s < S; s++) {
    if (out[s] > cap) out[s] = cap;
    capped += out[s];
  }
  return capped;
}

/**
 * Effective sample size of weights: (sum w)^2 / sum w^2 (Kong 1992).
 * @example weightEss(Float64Array.of(1, 1, 1, 1)) // 4
 */
export function weightEss(w: ArrayLike<number>): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < w.length; i++) {
    s1 += w[i];
    s2 += w[i] * w[i];
  }
  return s2 > 0 ? (s1 * s1) / s2 : 0;
}

/**
 * Shape k of a generalized Pareto distribution fitted to exceedances x (> 0, sorted ascending) by
 * the empirical Bayes method of Zhang & Stephens (2009, Technometrics 51(3)) with the weakly
 * informative adjustment toward 0.5 of the loo package (`gpdfit`, Vehtari et al. 2024, appendix).
 * @example gpdShape(Float64Array.from([0.1, 0.2, 0.4, 0.8, 1.6])) // a number near 0.5
 */
export function gpdShape(x: Float64Array): number {
  const n = x.length;
  if (n < 5) return Number.NaN;
  const prior = 3;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xStar = x[Math.max(0, Math.floor(n / 4 + 0.5) - 1)];
  const theta = new Float64Array(m);
  const logLik = new Float64Array(m);
  let maxL = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < m; j++) {
    theta[j] = 1 / x[n - 1] + (1 - Math.sqrt(m / (j + 0.5))) / prior / xStar;
    let k = 0;
    for (let i = 0; i < n; i++) k += Math.log1p(-theta[j] * x[i]);
    k /= n;
    logLik[j] = n * (Math.log(-theta[j] / k) - k - 1);
    if (!Number.isFinite(logLik[j])) logLik[j] = Number.NEGATIVE_INFINITY;
    if (logLik[j] > maxL) maxL = logLik[j];
  }
  let wSum = 0;
  let thetaHat = 0;
  for (let j = 0; j < m; j++) {
    const w = Math.exp(logLik[j] - maxL);
    wSum += w;
    thetaHat += w * theta[j];
  }
  thetaHat /= wSum;
  let k = 0;
  for (let i = 0; i < n; i++) k += Math.log1p(-thetaHat * x[i]);
  k /= n;
  // shrink toward 0.5 as if with 10 prior observations (loo's adjust_k_wip)
  return (k * n + 0.5 * 10) / (n + 10);
}

/**
 * Pareto k-hat of importance weights given as log weights (PSIS diagnostic, Vehtari et al. 2024,
 * section 3): the GPD shape of the M largest weights' exceedances over the (M+1)-th largest.
 * `scratch` (same length) avoids an allocation per call.
 * @example paretoKhat(Float64Array.from({ length: 1000 }, () => 0)) // NaN-free, near 0 or below
 */
export function paretoKhat(logW: Float64Array, scratch?: Float64Array): number {
  const S = logW.length;
  const M = Math.floor(Math.min(0.2 * S, 3 * Math.sqrt(S)));
  if (M < 5) return Number.NaN;
  const sorted = scratch && scratch.length === S ? scratch : new Float64Array(S);
  sorted.set(logW);
  sorted.sort();
  const cutoff = sorted[S - M - 1];
  const top = sorted[S - 1];
  const x = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    // exceedances scaled by the largest weight (k-hat is scale-free)
    x[i] = Math.exp(sorted[S - M + i] - top) - Math.exp(cutoff - top);
  }
  if (!(x[M - 1] > 0)) return Number.NEGATIVE_INFINITY; // flat tail: no weight stands out
  return gpdShape(x);
}

/**
 * The uncertainty whether a recommendation is correct, from its probability p = P(D <= ROPE)
 * estimated on weighted draws: the Brier (quadratic) uncertainty function U(p) = p (1 - p), the
 * posterior variance of the indicator of "correct" (DeGroot 1962, "Uncertainty, information, and
 * sequential experiments", Ann. Math. Statist. 33(2): the value of an experiment is the expected
 * reduction of a concave uncertainty function of the posterior; any informative run has value
 * >= 0). Divided by 1 - sum(q^2), the correction of a weighted variance for its effective sample
 * size (q the normalized weights): without it, weights that concentrate on few draws make p noisy
 * and U(p) smaller in expectation even for a run that says nothing about the scope.
 * @example settleUncertainty(0.9, 1 / 500) // 0.0902 (0.09 / (1 - 1/500))
 */
export function settleUncertainty(p: number, sumQ2: number): number {
  return sumQ2 < 1 ? (p * (1 - p)) / (1 - sumQ2) : 0;
}
