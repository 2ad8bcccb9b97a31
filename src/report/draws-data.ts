/**
 * Per-variable numbers behind the diagnostic plots: pooled ranks, rank histograms, KDEs and
 * autocorrelations, computed on the Draws layout of src/draws/draws.ts (one contiguous
 * draws x chains block per variable) without copying the draws.
 */
import { chainOf, type Draws } from '../draws/draws.js';
import { NotFoundError } from '../errors.js';
import { mean, variance } from '../math/moments.js';
import { quantileSorted } from '../math/quantile.js';

/**
 * Throw NotFoundError (-> 404 in the web app) unless v indexes a variable of draws.
 * @example checkVariable(draws, 0) // the name of the first variable
 */
export function checkVariable(draws: Draws, v: number): string {
  if (!Number.isInteger(v) || v < 0 || v >= draws.variables.length) {
    throw new NotFoundError(`no variable with index ${v} (the fit has ${draws.variables.length})`);
  }
  if (draws.nDraws < 1 || draws.nChains < 1) {
    throw new NotFoundError(`variable ${draws.variables[v]} has no draws`);
  }
  return draws.variables[v];
}

/**
 * Rank histogram counts per chain (Vehtari et al. 2021, "Rank-normalization, folding, and
 * localization", §4.1): all draws of the variable are ranked together (ties get their average
 * rank), ranks are cut into `bins` equal bins, and each chain's counts are returned. With good
 * mixing every chain's histogram is flat at nDraws / bins.
 *
 * @example rankHistogram(draws, 0, 20).counts[0].length // 20
 */
export function rankHistogram(
  draws: Draws,
  v: number,
  bins: number,
): { counts: Uint32Array[]; expected: number } {
  checkVariable(draws, v);
  const n = draws.nDraws * draws.nChains;
  const block = draws.values.subarray(v * n, (v + 1) * n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // NaN sorts last (treated as the largest value) so the sort comparator stays consistent
  const key = (i: number) => (Number.isNaN(block[i]) ? Number.POSITIVE_INFINITY : block[i]);
  order.sort((a, b) => key(a) - key(b) || a - b);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && key(order[j]) === key(order[i])) j++;
    const avg = (i + j - 1) / 2; // 0-based average rank of the tie group
    for (let k = i; k < j; k++) ranks[order[k]] = avg;
    i = j;
  }
  const nb = Math.max(1, Math.min(bins, n));
  const counts = Array.from({ length: draws.nChains }, () => new Uint32Array(nb));
  for (let c = 0; c < draws.nChains; c++) {
    for (let d = 0; d < draws.nDraws; d++) {
      const r = ranks[d + draws.nDraws * c];
      counts[c][Math.min(nb - 1, Math.floor((r * nb) / n))]++;
    }
  }
  return { counts, expected: draws.nDraws / nb };
}

/**
 * Gaussian kernel density estimate of each chain on a common grid: linear binning onto `points`
 * grid nodes, then a discrete convolution with the kernel cut at 4 bandwidths (Wand & Jones 1995,
 * "Kernel Smoothing", §D.2). The bandwidth is Silverman's rule of thumb on the pooled draws,
 * 0.9 min(sd, IQR/1.34) n^(-1/5), so the chains are smoothed alike. Non-finite draws are skipped.
 *
 * @example kernelDensity(draws, 0, 128).grid.length // 128
 */
export function kernelDensity(
  draws: Draws,
  v: number,
  points: number,
): { grid: Float64Array; density: Float64Array[]; bandwidth: number } {
  checkVariable(draws, v);
  const n = draws.nDraws * draws.nChains;
  const block = draws.values.subarray(v * n, (v + 1) * n);
  const finite = Float64Array.from(block.filter((x) => Number.isFinite(x))).sort();
  const m = Math.max(2, points);
  const grid = new Float64Array(m);
  const density = Array.from({ length: draws.nChains }, () => new Float64Array(m));
  if (finite.length === 0) return { grid, density, bandwidth: Number.NaN };
  const lo0 = finite[0];
  const hi0 = finite[finite.length - 1];
  const sd = finite.length > 1 ? Math.sqrt(variance(finite)) : 0;
  const iqr = quantileSorted(finite, 0.75) - quantileSorted(finite, 0.25);
  let spread = Math.min(sd, iqr / 1.34);
  if (!(spread > 0)) spread = sd > 0 ? sd : Math.abs(mean(finite)) * 1e-3 || 1e-3;
  const h = 0.9 * spread * finite.length ** -0.2;
  const lo = lo0 - 3 * h;
  const hi = hi0 + 3 * h;
  const step = (hi - lo) / (m - 1);
  for (let i = 0; i < m; i++) grid[i] = lo + i * step;
  const reach = Math.ceil((4 * h) / step);
  const kernel = new Float64Array(reach + 1);
  for (let k = 0; k <= reach; k++) kernel[k] = Math.exp(-0.5 * ((k * step) / h) ** 2);
  const norm = 1 / (h * Math.sqrt(2 * Math.PI));
  const weights = new Float64Array(m);
  for (let c = 0; c < draws.nChains; c++) {
    weights.fill(0);
    const chain = chainOf(draws, v, c);
    let count = 0;
    for (const x of chain) {
      if (!Number.isFinite(x)) continue;
      const pos = (x - lo) / step;
      const i = Math.min(m - 2, Math.floor(pos));
      const f = pos - i;
      weights[i] += 1 - f;
      weights[i + 1] += f;
      count++;
    }
    if (count === 0) continue;
    const out = density[c];
    for (let i = 0; i < m; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const a = Math.max(0, i - reach);
      const b = Math.min(m - 1, i + reach);
      for (let j = a; j <= b; j++) out[j] += w * kernel[Math.abs(j - i)];
    }
    const scale = norm / count;
    for (let i = 0; i < m; i++) out[i] *= scale;
  }
  return { grid, density, bandwidth: h };
}

/**
 * Autocorrelation of each chain at lags 0..maxLag, by the direct sum with the biased (1/n)
 * autocovariance estimator, as Geyer (1992) and Stan's reference manual (§16.4) use it. A
 * constant chain gives NaN at every lag (undefined, posterior's NA convention).
 *
 * @example autocorrelation(draws, 0, 40)[0][0] // 1
 */
export function autocorrelation(draws: Draws, v: number, maxLag: number): Float64Array[] {
  checkVariable(draws, v);
  const L = Math.max(0, Math.min(maxLag, draws.nDraws - 1));
  const result: Float64Array[] = [];
  for (let c = 0; c < draws.nChains; c++) {
    const x = chainOf(draws, v, c);
    const n = x.length;
    const m = mean(x);
    const centred = new Float64Array(n);
    for (let i = 0; i < n; i++) centred[i] = x[i] - m;
    const acf = new Float64Array(L + 1);
    let c0 = 0;
    for (let i = 0; i < n; i++) c0 += centred[i] * centred[i];
    for (let lag = 0; lag <= L; lag++) {
      let s = 0;
      for (let i = 0; i + lag < n; i++) s += centred[i] * centred[i + lag];
      acf[lag] = c0 > 0 ? s / c0 : Number.NaN;
    }
    result.push(acf);
  }
  return result;
}
