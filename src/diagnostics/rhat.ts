import { mean, variance } from '../math/moments.js';
import { shouldReturnNaN } from './checks-input.js';
import { foldDraws, zScale } from './rank.js';
import { splitChains } from './split.js';

/**
 * Potential scale reduction R-hat (docs/ALGORITHMS.md §5.3; Vehtari et al. 2021 §4; posterior `.rhat`,
 * `rhat_basic`, `rhat`). R-hat may be below 1: never clamped.
 */

/**
 * Fewer draws per chain than this give NaN R-hat (posterior's split is broken for N = 2, 3).
 * @example rhat(x, 3, 4) // NaN (3 < MIN_DRAWS_RHAT)
 */
export const MIN_DRAWS_RHAT = 4;

let meansBuf = new Float64Array(0);

/**
 * posterior's `.rhat` on an (already split) block: sqrt((B/W + N - 1)/N) with W the mean within-chain
 * variance and B = N var(chain means). NaN for NaN/Inf or a constant block.
 * @example rhatCore(new Float64Array([1, 2, 3, 11, 12, 13]), 3, 2) // 5.05...
 */
export function rhatCore(x: Float64Array, nDraws: number, nChains: number): number {
  const n = nDraws;
  const m = nChains;
  const values = x.length === n * m ? x : x.subarray(0, n * m);
  if (shouldReturnNaN(values)) return Number.NaN;
  if (meansBuf.length < m) meansBuf = new Float64Array(m);
  let w = 0;
  for (let c = 0; c < m; c++) {
    meansBuf[c] = mean(values, c * n, n);
    w += variance(values, c * n, n);
  }
  w /= m;
  const b = n * variance(meansBuf, 0, m);
  return Math.sqrt((b / w + n - 1) / n);
}

/**
 * Split R-hat of the raw draws (posterior `rhat_basic`). NaN for N < 4.
 * @example rhatBasic(block, 1000, 4)
 */
export function rhatBasic(x: Float64Array, nDraws: number, nChains: number): number {
  if (nDraws < MIN_DRAWS_RHAT) return Number.NaN;
  const s = splitChains(x, nDraws, nChains);
  return rhatCore(s.values, s.nDraws, s.nChains);
}

/**
 * Rank-normalized split R-hat ("bulk" R-hat). NaN for N < 4.
 * @example rhatBulk(block, 1000, 4)
 */
export function rhatBulk(x: Float64Array, nDraws: number, nChains: number): number {
  if (nDraws < MIN_DRAWS_RHAT) return Number.NaN;
  const s = splitChains(x, nDraws, nChains);
  return rhatCore(zScale(s.values), s.nDraws, s.nChains);
}

/**
 * Folded rank-normalized split R-hat ("tail" R-hat): R-hat of z-scaled |x - median(x)|. NaN for N < 4.
 * @example rhatTail(block, 1000, 4)
 */
export function rhatTail(x: Float64Array, nDraws: number, nChains: number): number {
  if (nDraws < MIN_DRAWS_RHAT) return Number.NaN;
  const values = x.subarray(0, nDraws * nChains);
  const folded = foldDraws(values);
  const s = splitChains(folded, nDraws, nChains);
  return rhatCore(zScale(s.values), s.nDraws, s.nChains);
}

/**
 * R-hat as posterior reports it: max of bulk and tail (folded) rank-normalized split R-hat; NaN if
 * either is NaN (R `max`). NaN for N < 4.
 * @example rhat(block, 1000, 4)
 */
export function rhat(x: Float64Array, nDraws: number, nChains: number): number {
  const bulk = rhatBulk(x, nDraws, nChains);
  const tail = rhatTail(x, nDraws, nChains);
  return Number.isNaN(bulk) || Number.isNaN(tail) ? Number.NaN : Math.max(bulk, tail);
}
