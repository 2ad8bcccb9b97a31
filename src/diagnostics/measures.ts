import { mean, variance } from '../math/moments.js';
import { quantileSorted, mad as rMad, median as rMedian, sortedCopy } from '../math/quantile.js';
import { hasNaN } from './checks-input.js';

/**
 * Location and scale summaries over all pooled draws, as posterior's summarise_draws computes them
 * (R `mean`, `median`, `sd`, `mad`, `quantile(type = 7)`). NaN when any draw is NaN.
 */

/**
 * Mean of all draws.
 * @example drawsMean(new Float64Array([1, 2, 3])) // 2
 */
export function drawsMean(x: Float64Array): number {
  return mean(x);
}

/**
 * Standard deviation of all draws (divisor S - 1).
 * @example sd(new Float64Array([1, 2, 3, 4])) // 1.2909944487358056
 */
export function sd(x: Float64Array): number {
  return Math.sqrt(variance(x));
}

/**
 * Median of all draws; NaN if any is NaN.
 * @example median(new Float64Array([3, 1, 2])) // 2
 */
export function median(x: Float64Array): number {
  if (hasNaN(x)) return Number.NaN;
  return rMedian(x);
}

/**
 * R's `mad`: 1.4826 * median(|x - median(x)|); NaN if any draw is NaN.
 * @example mad(new Float64Array([1, 2, 3, 4, 100])) // 1.4826
 */
export function mad(x: Float64Array): number {
  if (hasNaN(x)) return Number.NaN;
  return rMad(x);
}

/**
 * Type-7 quantiles of all draws at the probabilities `probs`; NaN if any draw is NaN.
 * @example quantile7(new Float64Array([1, 2, 3, 4]), [0.05, 0.95]) // [1.15, 3.85]
 */
export function quantile7(x: Float64Array, probs: readonly number[]): number[] {
  if (hasNaN(x)) return probs.map(() => Number.NaN);
  const s = sortedCopy(x);
  return probs.map((p) => quantileSorted(s, p));
}
