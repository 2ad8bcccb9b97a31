import type { Rng } from '../math/rng.js';

/**
 * The Euclidean metric of HMC, held as its inverse (docs/ALGORITHMS.md §1): `Minv ≈ posterior (co)variance`.
 * Diagonal: `invMetric` has d entries. Dense: `invMetric` is d x d row-major and `chol` its lower
 * Cholesky factor L (Minv = L Lᵀ), used for the momentum refresh p = L⁻ᵀ u.
 *
 * @example
 * const m = createMetric('diag', new Float64Array([1, 4]));
 * kineticEnergy(m, new Float64Array([1, 1])); // 0.5 * (1 + 4) = 2.5
 */
export interface Metric {
  readonly kind: 'diag' | 'dense';
  readonly dim: number;
  readonly invMetric: Float64Array;
  /** Lower Cholesky factor of invMetric (dense only; empty for diag). */
  readonly chol: Float64Array;
}

/**
 * Build a metric from an inverse metric (copied). Dense input must be symmetric positive definite.
 *
 * @example
 * const m = createMetric('dense', new Float64Array([4, 2, 2, 3]));
 * m.chol; // [2, 0, 1, sqrt(2)]
 */
export function createMetric(kind: 'diag' | 'dense', invMetric: Float64Array): Metric {
  const n = invMetric.length;
  const dim = kind === 'diag' ? n : Math.round(Math.sqrt(n));
  if (kind === 'dense' && dim * dim !== n) {
    throw new RangeError(`dense inverse metric has ${n} entries, not a square`);
  }
  const inv = Float64Array.from(invMetric);
  const chol = kind === 'dense' ? cholesky(inv, dim) : new Float64Array(0);
  return { kind, dim, invMetric: inv, chol };
}

/**
 * The identity inverse metric of dimension d.
 *
 * @example
 * unitMetric('dense', 2).invMetric; // [1, 0, 0, 1]
 */
export function unitMetric(kind: 'diag' | 'dense', dim: number): Metric {
  if (kind === 'diag') return createMetric('diag', new Float64Array(dim).fill(1));
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) m[i * dim + i] = 1;
  return createMetric('dense', m);
}

/**
 * Lower Cholesky factor of a row-major SPD matrix (throws RangeError when not positive definite).
 *
 * @example
 * cholesky(new Float64Array([4, 2, 2, 3]), 2); // [2, 0, 1, Math.SQRT2]
 */
export function cholesky(a: Float64Array, dim: number): Float64Array {
  const l = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++) {
    let s = a[j * dim + j];
    for (let k = 0; k < j; k++) s -= l[j * dim + k] * l[j * dim + k];
    if (!(s > 0)) throw new RangeError('matrix is not positive definite');
    const ljj = Math.sqrt(s);
    l[j * dim + j] = ljj;
    for (let i = j + 1; i < dim; i++) {
      let t = a[i * dim + j];
      for (let k = 0; k < j; k++) t -= l[i * dim + k] * l[j * dim + k];
      l[i * dim + j] = t / ljj;
    }
  }
  return l;
}

/**
 * Velocity ("sharp momentum") v = Minv p into `out` (docs/ALGORITHMS.md §1, `dtau_dp`).
 *
 * @example
 * const v = new Float64Array(2);
 * velocity(createMetric('diag', new Float64Array([2, 3])), new Float64Array([1, 1]), v); // v = [2, 3]
 */
export function velocity(metric: Metric, p: Float64Array, out: Float64Array): void {
  const d = metric.dim;
  const m = metric.invMetric;
  if (metric.kind === 'diag') {
    for (let i = 0; i < d; i++) out[i] = m[i] * p[i];
    return;
  }
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j] * p[j];
    out[i] = s;
  }
}

/**
 * Kinetic energy T = ½ pᵀ Minv p.
 *
 * @example
 * kineticEnergy(createMetric('diag', new Float64Array([1])), new Float64Array([2])); // 2
 */
export function kineticEnergy(metric: Metric, p: Float64Array): number {
  const d = metric.dim;
  const m = metric.invMetric;
  let s = 0;
  if (metric.kind === 'diag') {
    for (let i = 0; i < d; i++) s += m[i] * p[i] * p[i];
    return 0.5 * s;
  }
  for (let i = 0; i < d; i++) {
    let r = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) r += m[row + j] * p[j];
    s += p[i] * r;
  }
  return 0.5 * s;
}

/**
 * Draw a fresh momentum p ~ N(0, M) into `p` using d normals from `rng` (docs/ALGORITHMS.md §1, `sample_p`):
 * diag p_i = u_i / sqrt(Minv_i); dense p = L⁻ᵀ u (solve Lᵀ p = u), so T(p) = ½‖u‖².
 *
 * @example
 * const p = new Float64Array(2);
 * refreshMomentum(unitMetric('diag', 2), createRng(1, 0), p);
 */
export function refreshMomentum(metric: Metric, rng: Rng, p: Float64Array): void {
  const d = metric.dim;
  if (metric.kind === 'diag') {
    const m = metric.invMetric;
    for (let i = 0; i < d; i++) p[i] = rng.normal() / Math.sqrt(m[i]);
    return;
  }
  for (let i = 0; i < d; i++) p[i] = rng.normal();
  const l = metric.chol;
  // Back substitution for Lᵀ p = u; Lᵀ[i][j] = L[j][i].
  for (let i = d - 1; i >= 0; i--) {
    let s = p[i];
    for (let j = i + 1; j < d; j++) s -= l[j * d + i] * p[j];
    p[i] = s / l[i * d + i];
  }
}
