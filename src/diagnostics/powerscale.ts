/**
 * Prior and likelihood sensitivity by power-scaling (Kallioinen, Paananen, Bürkner & Vehtari 2024,
 * "Detecting and diagnosing prior and likelihood sensitivity with power-scaling", Statistics and
 * Computing 34; the R package priorsense): the posterior with the prior (or likelihood) raised to
 * alpha is approximated by importance weighting the draws with w_s ∝ p(theta_s)^(alpha - 1),
 * Pareto smoothed (psis.ts); the change of each quantity's distribution is measured by the
 * cumulative Jensen-Shannon distance (Nguyen & Vreeken 2015) and the sensitivity is its derivative
 * with respect to log2(alpha) at alpha = 1, estimated from alpha = 0.99 and 1.01 as priorsense does:
 * (CJS(base, lower) + CJS(base, upper)) / (2 log2(1.01)). Above 0.05 a quantity is flagged.
 * Knows only draws (docs/ALGORITHMS.md §12.5).
 */

import { argsort } from '../math/argsort.js';
import { normalizeLogWeights, psis } from './psis.js';

/** priorsense's default threshold on the sensitivity. */
export const SENSITIVITY_THRESHOLD = 0.05;
/** priorsense's default alphas. */
export const LOWER_ALPHA = 0.99;
export const UPPER_ALPHA = 1.01;

/** CJS of one ordering: the sorted draws, base weights p and perturbed weights q (in that order). */
function cjsOrdered(x: Float64Array, p: Float64Array, q: Float64Array): number {
  const n = x.length;
  let cp = 0;
  let cq = 0;
  let pInt = 0;
  let qInt = 0;
  let pq = 0;
  let qp = 0;
  for (let i = 0; i < n - 1; i++) {
    cp += p[i];
    cq += q[i];
    const w = x[i + 1] - x[i];
    pInt += cp * w;
    qInt += cq * w;
    const m = 0.5 * cp + 0.5 * cq;
    // 0 log 0 terms are dropped (R's na.rm = TRUE)
    if (cp > 0) pq += w * cp * (Math.log2(cp) - Math.log2(m));
    if (cq > 0) qp += w * cq * (Math.log2(cq) - Math.log2(m));
  }
  const a = pq + (0.5 / Math.LN2) * (qInt - pInt);
  const b = qp + (0.5 / Math.LN2) * (pInt - qInt);
  const bound = pInt + qInt;
  if (!(bound > 0)) return 0;
  return Math.sqrt(Math.max(0, (a + b) / bound));
}

/**
 * The cumulative Jensen-Shannon distance between the draws x with base weights and the same draws
 * with weights w (priorsense's `cjs_dist` with `unsigned = TRUE`: the larger of the distances of x
 * and -x, normalized by its upper bound, square-rooted). Weights need not be normalized; base
 * weights default to uniform.
 * @example cjsDistance(x, w) // 0 when w is uniform
 */
export function cjsDistance(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  base?: ArrayLike<number>,
): number {
  const n = x.length;
  const order = argsort(x);
  const xs = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    sp += base ? base[i] : 1;
    sq += w[i];
  }
  for (let i = 0; i < n; i++) {
    const j = order[i];
    xs[i] = x[j];
    p[i] = (base ? base[j] : 1) / sp;
    q[i] = w[j] / sq;
  }
  const up = cjsOrdered(xs, p, q);
  // -x: the reversed order
  xs.reverse();
  p.reverse();
  q.reverse();
  for (let i = 0; i < n; i++) xs[i] = -xs[i];
  return Math.max(up, cjsOrdered(xs, p, q));
}

/**
 * Normalized importance weights (not log) for power-scaling a component by alpha: PSIS of
 * (alpha - 1) log p_component(theta_s), and the Pareto k of the ratios.
 * @example powerScaleWeights(logPrior, 1.01).k
 */
export function powerScaleWeights(
  logComponent: ArrayLike<number>,
  alpha: number,
): { weights: Float64Array; k: number } {
  const S = logComponent.length;
  const lr = new Float64Array(S);
  for (let s = 0; s < S; s++) lr[s] = (alpha - 1) * logComponent[s];
  const res = psis(lr, 1);
  const lw = normalizeLogWeights(res.logWeights);
  const w = new Float64Array(S);
  for (let s = 0; s < S; s++) w[s] = Math.exp(lw[s]);
  return { weights: w, k: res.k };
}

/** Sensitivity of one quantity to power-scaling the prior and the likelihood. */
export interface QuantitySensitivity {
  quantity: string;
  prior: number;
  likelihood: number;
  /**
   * priorsense's diagnosis: 'prior-data conflict' (both above the threshold), 'strong prior / weak
   * likelihood' (prior only), '-' otherwise.
   */
  diagnosis: string;
}

/** The power-scaling result of a set of quantities. */
export interface PowerScaleResult {
  threshold: number;
  lower_alpha: number;
  upper_alpha: number;
  /** Pareto k of the four sets of weights (prior/likelihood x lower/upper). */
  pareto_k: { prior: number; likelihood: number };
  quantities: QuantitySensitivity[];
}

/**
 * Power-scaling sensitivity of quantities (each a vector of S draws) given the log prior and log
 * likelihood of every draw (priorsense's `powerscale_sensitivity` with its defaults).
 * @example powerScaleSensitivity([{ name: 'mu', draws }], logPrior, logLik).quantities[0].prior
 */
export function powerScaleSensitivity(
  quantities: readonly { name: string; draws: ArrayLike<number> }[],
  logPrior: ArrayLike<number>,
  logLik: ArrayLike<number>,
): PowerScaleResult {
  const scale = 2 * Math.log2(UPPER_ALPHA);
  const sets = {
    prior: [powerScaleWeights(logPrior, LOWER_ALPHA), powerScaleWeights(logPrior, UPPER_ALPHA)],
    likelihood: [powerScaleWeights(logLik, LOWER_ALPHA), powerScaleWeights(logLik, UPPER_ALPHA)],
  };
  const sens = (x: ArrayLike<number>, which: 'prior' | 'likelihood') =>
    (cjsDistance(x, sets[which][0].weights) + cjsDistance(x, sets[which][1].weights)) / scale;
  return {
    threshold: SENSITIVITY_THRESHOLD,
    lower_alpha: LOWER_ALPHA,
    upper_alpha: UPPER_ALPHA,
    pareto_k: {
      prior: Math.max(sets.prior[0].k, sets.prior[1].k),
      likelihood: Math.max(sets.likelihood[0].k, sets.likelihood[1].k),
    },
    quantities: quantities.map(({ name, draws }) => {
      const prior = sens(draws, 'prior');
      const likelihood = sens(draws, 'likelihood');
      const diagnosis =
        prior >= SENSITIVITY_THRESHOLD && likelihood >= SENSITIVITY_THRESHOLD
          ? 'prior-data conflict'
          : prior >= SENSITIVITY_THRESHOLD
            ? 'strong prior / weak likelihood'
            : '-';
      return { quantity: name, prior, likelihood, diagnosis };
    }),
  };
}
