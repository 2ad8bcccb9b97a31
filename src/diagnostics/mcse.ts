import { betaQuantile } from '../math/beta-quantile.js';
import { mean } from '../math/moments.js';
import { sortedCopy } from '../math/quantile.js';
import { shouldReturnNaN } from './checks-input.js';
import { essBasic, essQuantile } from './ess.js';
import { sd } from './measures.js';

/**
 * Monte Carlo standard errors (docs/ALGORITHMS.md §5.7; posterior 1.7.1 `mcse_mean`, `mcse_sd`,
 * `mcse_quantile`; Vehtari et al. 2021 §4.4).
 */

/**
 * Phi(-1) and Phi(1), the probabilities of the +-1 sd interval used by mcse_quantile.
 * @example betaQuantile(MCSE_QUANTILE_PROBS[0], a, b)
 */
export const MCSE_QUANTILE_PROBS = [0.1586553, 0.8413447] as const;

/**
 * MCSE of the mean: sd(all draws) / sqrt(ess_mean).
 * @example mcseMean(block, 1000, 4)
 */
export function mcseMean(x: Float64Array, nDraws: number, nChains: number): number {
  const values = x.subarray(0, nDraws * nChains);
  return sd(values) / Math.sqrt(essBasic(values, nDraws, nChains));
}

/**
 * MCSE of the standard deviation, posterior 1.7 (Kenney & Keeping): with c = x - mean(x),
 * varvar = (mean(c^4) - mean(c^2)^2) / ess_mean(c^2), mcse_sd = sqrt(varvar / mean(c^2) / 4).
 * @example mcseSd(block, 1000, 4)
 */
export function mcseSd(x: Float64Array, nDraws: number, nChains: number): number {
  const values = x.subarray(0, nDraws * nChains);
  if (shouldReturnNaN(values)) return Number.NaN;
  const sq = new Float64Array(values.length);
  const mu = mean(values);
  for (let i = 0; i < values.length; i++) sq[i] = (values[i] - mu) ** 2;
  return mcseSdFromSquares(sq, nDraws, nChains);
}

/**
 * mcse_sd from the squared deviations c^2 (a draws x chains block); shared with summarize.
 * @example mcseSdFromSquares(sq, 1000, 4)
 */
export function mcseSdFromSquares(sq: Float64Array, nDraws: number, nChains: number): number {
  const e2 = mean(sq);
  let s4 = 0;
  for (let i = 0; i < sq.length; i++) s4 += sq[i] * sq[i];
  const e4 = s4 / sq.length;
  const varvar = (e4 - e2 * e2) / essBasic(sq, nDraws, nChains);
  return Math.sqrt(varvar / e2 / 4);
}

/**
 * MCSE of the p-quantile (Vehtari et al. 2021 §4.4): Beta quantiles a1, a2 at Phi(-1), Phi(1) with
 * shapes (ess p + 1, ess (1-p) + 1), then half the distance between the order statistics
 * x_(max(floor(a1 S), 1)) and x_(min(ceil(a2 S), S)). `sorted` may pass the draws sorted.
 * @example mcseQuantile(block, 1000, 4, 0.05)
 */
export function mcseQuantile(
  x: Float64Array,
  nDraws: number,
  nChains: number,
  p: number,
  sorted?: Float64Array,
): number {
  const values = x.subarray(0, nDraws * nChains);
  return mcseQuantileFromEss(
    essQuantile(values, nDraws, nChains, p),
    p,
    sorted ?? sortedCopy(values),
  );
}

/**
 * The last step of mcse_quantile, given the quantile's ESS and the sorted draws.
 * @example mcseQuantileFromEss(400, 0.5, sorted)
 */
export function mcseQuantileFromEss(ess: number, p: number, sorted: Float64Array): number {
  if (Number.isNaN(ess)) return Number.NaN;
  const S = sorted.length;
  const a1 = betaQuantile(MCSE_QUANTILE_PROBS[0], ess * p + 1, ess * (1 - p) + 1);
  const a2 = betaQuantile(MCSE_QUANTILE_PROBS[1], ess * p + 1, ess * (1 - p) + 1);
  if (Number.isNaN(a1) || Number.isNaN(a2)) return Number.NaN;
  const th1 = sorted[Math.max(Math.floor(a1 * S), 1) - 1];
  const th2 = sorted[Math.min(Math.ceil(a2 * S), S) - 1];
  return (th2 - th1) / 2;
}

/**
 * MCSE of the median.
 * @example mcseMedian(block, 1000, 4)
 */
export function mcseMedian(x: Float64Array, nDraws: number, nChains: number): number {
  return mcseQuantile(x, nDraws, nChains, 0.5);
}
