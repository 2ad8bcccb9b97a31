import { betaQuantile as betaQuantileStdlib } from './stdlib.js';

/**
 * Quantile of the Beta(alpha, beta) distribution (inverse regularized incomplete beta), as R's
 * `qbeta(p, alpha, beta)`; used by mcse_quantile (docs/ALGORITHMS.md §5.7). Delegates to
 * @stdlib/stats-base-dists-beta-quantile (checked against R in test/math/beta-quantile.test.ts).
 * NaN for NaN or invalid arguments.
 * @example betaQuantile(0.5, 2, 2) // 0.5
 */
export function betaQuantile(p: number, alpha: number, beta: number): number {
  if (Number.isNaN(p) || Number.isNaN(alpha) || Number.isNaN(beta)) return Number.NaN;
  return betaQuantileStdlib(p, alpha, beta);
}
