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
  readonly kind: 'diag' | 'dense' | 'lowrank';
  readonly dim: number;
  /** d entries (diag; lowrank: the diagonal of Minv, for reports) or d x d row-major (dense). */
  readonly invMetric: Float64Array;
  /** Lower Cholesky factor of invMetric (dense only; empty for diag). */
  readonly chol: Float64Array;
  /** The factors of a diagonal-plus-low-rank metric (lowrank only). */
  readonly lowRank?: LowRankFactors;
}

/**
 * Minv = diag(σ) (I + U (Λ − I) Uᵀ) diag(σ) with U (d x k) orthonormal columns and eigenvalues Λ
 * (nuts-rs src/transform/low_rank.rs `LowRankMassMatrix`, the affine map
 * x = σ ⊙ (I + U (Λ^½ − I) Uᵀ) y of an identity metric in y). Every product is O(d k).
 */
export interface LowRankFactors {
  readonly k: number;
  readonly sigma: Float64Array;
  /** U column-major: column j is vecs[j*d .. j*d + d). */
  readonly vecs: Float64Array;
  readonly vals: Float64Array;
  /** 1/σ_i, λ_j − 1 and λ_j^(−½) − 1, computed once so the products divide nothing. */
  readonly invSigma: Float64Array;
  readonly valsM1: Float64Array;
  readonly invSqrtValsM1: Float64Array;
  /** k and d numbers of scratch for the products (one chain uses one metric at a time). */
  readonly scratch: Float64Array;
  readonly work: Float64Array;
}

/**
 * A diagonal-plus-low-rank metric from σ (d), U (d x k column-major, orthonormal columns) and Λ (k);
 * `invMetric` holds the diagonal of Minv, σ_i² (1 + Σ_j U_ij² (λ_j − 1)).
 *
 * @example
 * const m = createLowRankMetric(new Float64Array([1, 2]), new Float64Array([1, 0]), new Float64Array([4]));
 * m.invMetric; // [4, 4]
 */
export function createLowRankMetric(
  sigma: Float64Array,
  vecs: Float64Array,
  vals: Float64Array,
): Metric {
  const d = sigma.length;
  const k = vals.length;
  if (vecs.length !== d * k)
    throw new RangeError(`low-rank vectors: ${vecs.length} != ${d} x ${k}`);
  const inv = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 1;
    for (let j = 0; j < k; j++) s += vecs[j * d + i] ** 2 * (vals[j] - 1);
    inv[i] = sigma[i] * sigma[i] * s;
  }
  return {
    kind: 'lowrank',
    dim: d,
    invMetric: inv,
    chol: new Float64Array(0),
    lowRank: {
      k,
      sigma: Float64Array.from(sigma),
      vecs: Float64Array.from(vecs),
      vals: Float64Array.from(vals),
      invSigma: Float64Array.from(sigma, (x) => 1 / x),
      valsM1: Float64Array.from(vals, (x) => x - 1),
      invSqrtValsM1: Float64Array.from(vals, (x) => 1 / Math.sqrt(x) - 1),
      scratch: new Float64Array(k),
      work: new Float64Array(d),
    },
  };
}

/**
 * work ← work + U (c ⊙ (Uᵀ work)) in place, c = `coef` (k numbers): the low-rank part of every
 * product, 4 d k flops, no allocation (the leapfrog step calls it twice).
 */
function lowRankUpdate(f: LowRankFactors, coef: Float64Array): void {
  const { k, vecs, scratch, work } = f;
  const d = work.length;
  for (let j = 0; j < k; j++) {
    const col = j * d;
    let c = 0;
    for (let i = 0; i < d; i++) c += vecs[col + i] * work[i];
    scratch[j] = c * coef[j];
  }
  for (let j = 0; j < k; j++) {
    const col = j * d;
    const c = scratch[j];
    for (let i = 0; i < d; i++) work[i] += vecs[col + i] * c;
  }
}

/** Velocity out = Minv p = σ ⊙ (I + U (Λ − I) Uᵀ)(σ ⊙ p); `out` may be `p`. */
function lowRankVelocity(f: LowRankFactors, p: Float64Array, out: Float64Array): void {
  const { sigma, work } = f;
  const d = work.length;
  for (let i = 0; i < d; i++) work[i] = sigma[i] * p[i];
  lowRankUpdate(f, f.valsM1);
  for (let i = 0; i < d; i++) out[i] = sigma[i] * work[i];
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
  if (metric.lowRank !== undefined) {
    lowRankVelocity(metric.lowRank, p, out);
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
  if (metric.lowRank !== undefined) {
    // pᵀ Minv p = (σ⊙p)ᵀ (I + U(Λ − I)Uᵀ)(σ⊙p): the velocity in the scratch, no allocation
    const f = metric.lowRank;
    lowRankVelocity(f, p, f.work);
    for (let i = 0; i < d; i++) s += p[i] * f.work[i];
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
  if (metric.lowRank !== undefined) {
    // p = A⁻ᵀ u with A = diag(σ)(I + U(Λ^½ − I)Uᵀ): p = σ⁻¹ ⊙ (I + U(Λ^(−½) − I)Uᵀ) u, T(p) = ½‖u‖²
    const f = metric.lowRank;
    f.work.set(p);
    lowRankUpdate(f, f.invSqrtValsM1);
    for (let i = 0; i < d; i++) p[i] = f.work[i] * f.invSigma[i];
    return;
  }
  const l = metric.chol;
  // Back substitution for Lᵀ p = u; Lᵀ[i][j] = L[j][i].
  for (let i = d - 1; i >= 0; i--) {
    let s = p[i];
    for (let j = i + 1; j < d; j++) s -= l[j * d + i] * p[j];
    p[i] = s / l[i * d + i];
  }
}
