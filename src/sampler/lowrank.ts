import { createLowRankMetric, type Metric } from './metric.js';

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major; only its symmetric part is used):
 * Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson-like
 * shifts (EISPACK tred2/tql2 as in JAMA's EigenvalueDecomposition; Golub & Van Loan, Matrix
 * Computations, §8.3). About 9 n³ flops, an order of magnitude fewer than cyclic Jacobi, which
 * made the 90 x 90 eigenproblems of the low-rank adaptation cost more than sampling (radon).
 * Eigenvalues are accurate to about 1e-16 ‖A‖; the matrices here are covariances / γ + I, all of
 * whose eigenvalues are ≥ 1, so that is full relative accuracy. Returns the eigenvalues (ascending)
 * and the eigenvectors as the columns of `vecs` (column-major: vector j is vecs[j*n .. j*n + n)).
 *
 * @example
 * symmetricEigen(new Float64Array([2, 1, 1, 2]), 2).vals; // [1, 3]
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { vals: Float64Array; vecs: Float64Array } {
  // V (row-major) starts as the symmetric part of A and ends as the eigenvectors (columns)
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) V[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { vals: d, vecs: V };
  tred2(V, d, e, n);
  tql2(V, d, e, n);
  // sort ascending
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[p] - d[q]);
  const vals = new Float64Array(n);
  const vecs = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    vals[j] = d[src];
    for (let i = 0; i < n; i++) vecs[j * n + i] = V[i * n + src];
  }
  return { vals, vecs };
}

/** Householder tridiagonalization of V in place (JAMA `tred2`): diagonal d, subdiagonal e[1..n). */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // accumulate the transformations
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), rotations accumulated into V (JAMA `tql2`). */
function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    // e[n−1] = 0, so m < n; an eigenvalue split off when m = l
    if (m > l) {
      // 30 iterations per eigenvalue suffice in practice (cubic convergence); the cap only
      // keeps a NaN input from looping forever
      for (let iter = 0; iter < 60; iter++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const row = k * n;
            h = V[row + i + 1];
            V[row + i + 1] = s * V[row + i] + c * h;
            V[row + i] = c * V[row + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** V diag(f(e)) Vᵀ (row-major) from an eigen-decomposition. */
function spectralFunction(
  e: { vals: Float64Array; vecs: Float64Array },
  n: number,
  f: (x: number) => number,
): Float64Array {
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const w = f(e.vals[j]);
    const col = j * n;
    for (let r = 0; r < n; r++) {
      const vr = e.vecs[col + r] * w;
      for (let c = 0; c < n; c++) out[r * n + c] += vr * e.vecs[col + c];
    }
  }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/**
 * The SPD geometric mean that maps the gradient covariance onto the draw covariance: the A with
 * A G A = X, A = G^(−½) (G^½ X G^½)^½ G^(−½) (nuts-rs src/transform/adapt/low_rank.rs `spd_mean`).
 * Null if G is not positive definite.
 *
 * @example
 * spdMean(diag(1, 4, 8), diag(1, 1, 0.5), 3); // diag(1, 2, 4)
 */
export function spdMean(x: Float64Array, g: Float64Array, n: number): Float64Array | null {
  const eg = symmetricEigen(g, n);
  for (let j = 0; j < n; j++) if (!(eg.vals[j] > 0)) return null;
  const gHalf = spectralFunction(eg, n, Math.sqrt);
  const m = matmul(matmul(gHalf, x, n), gHalf, n);
  const mHalf = spectralFunction(symmetricEigen(m, n), n, (v) => Math.sqrt(Math.max(v, 0)));
  const gInvHalf = spectralFunction(eg, n, (v) => 1 / Math.sqrt(v));
  return matmul(matmul(gInvHalf, mHalf, n), gInvHalf, n);
}

/** Settings of the low-rank estimate (nuts-rs `LowRankSettings::default`). */
export const LOW_RANK_GAMMA = 1e-5;
/** Eigenvalues in [1/2, 2] are dropped: there the diagonal is already good enough. */
export const LOW_RANK_EIGVAL_CUTOFF = 2;

/** Orthonormal basis (columns, each length d) of the span of `cols`, by twice-repeated Gram-Schmidt. */
function orthonormalBasis(cols: readonly Float64Array[], d: number): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const c of cols) {
    if (basis.length >= d) break;
    const v = Float64Array.from(c);
    let norm0 = 0;
    for (let i = 0; i < d; i++) norm0 += v[i] * v[i];
    if (!(norm0 > 0)) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dp = 0;
        for (let i = 0; i < d; i++) dp += b[i] * v[i];
        for (let i = 0; i < d; i++) v[i] -= dp * b[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += v[i] * v[i];
    // a column (numerically) inside the span so far adds nothing
    if (!(norm > 1e-20 * norm0)) continue;
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < d; i++) v[i] *= s;
    basis.push(v);
  }
  return basis;
}

/**
 * The diagonal-plus-low-rank inverse metric from n draws and their gradients (nuts-rs
 * src/transform/adapt/low_rank.rs `compute_update`, Seyboldt, Carlson & Carpenter 2026): scale each
 * coordinate by σ_i = (var θ_i / var ∂_i log p)^¼ and centre; in the span of the scaled draws and
 * gradients, the geometric mean of (draws covariance/γ + I) and (gradient covariance/γ + I)⁻¹; keep
 * its eigenvectors whose eigenvalue is outside [1/2, 2]. For a Gaussian this recovers Σ in the kept
 * directions. Translation does not change a Euclidean metric, so the means are dropped. Null when
 * a variance is 0 or not finite, or the algebra fails.
 *
 * @example
 * lowRankInverseMetric(draws, grads, d); // Metric of kind 'lowrank' (or 'diag' when k = 0), or null
 */
export function lowRankInverseMetric(
  draws: readonly Float64Array[],
  grads: readonly Float64Array[],
  d: number,
): Metric | null {
  const n = draws.length;
  if (n < 3) return null;
  const sigma = new Float64Array(d);
  const xs = draws.map(() => new Float64Array(d));
  const gs = draws.map(() => new Float64Array(d));
  for (let i = 0; i < d; i++) {
    let mx = 0;
    let mg = 0;
    for (let t = 0; t < n; t++) {
      mx += draws[t][i];
      mg += grads[t][i];
    }
    mx /= n;
    mg /= n;
    let vx = 0;
    let vg = 0;
    for (let t = 0; t < n; t++) {
      vx += (draws[t][i] - mx) ** 2;
      vg += (grads[t][i] - mg) ** 2;
    }
    const s = Math.sqrt(Math.sqrt(vx / vg));
    if (!Number.isFinite(s) || s === 0) return null;
    sigma[i] = s;
    for (let t = 0; t < n; t++) {
      xs[t][i] = (draws[t][i] - mx) / s;
      gs[t][i] = (grads[t][i] - mg) * s;
    }
  }
  // the subspace: all of R^d when the data can span it, else the span of the data
  const full = 2 * n >= d;
  const basis = full ? [] : orthonormalBasis([...xs, ...gs], d);
  const k0 = full ? d : basis.length;
  const project = (col: Float64Array, out: Float64Array): void => {
    if (full) out.set(col);
    else {
      for (let a = 0; a < k0; a++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += basis[a][i] * col[i];
        out[a] = s;
      }
    }
  };
  const cx = new Float64Array(k0 * k0);
  const cg = new Float64Array(k0 * k0);
  const px = new Float64Array(k0);
  const pg = new Float64Array(k0);
  for (let t = 0; t < n; t++) {
    project(xs[t], px);
    project(gs[t], pg);
    for (let a = 0; a < k0; a++) {
      const xa = px[a] / LOW_RANK_GAMMA;
      const ga = pg[a] / LOW_RANK_GAMMA;
      for (let b = 0; b < k0; b++) {
        cx[a * k0 + b] += xa * px[b];
        cg[a * k0 + b] += ga * pg[b];
      }
    }
  }
  for (let a = 0; a < k0; a++) {
    cx[a * k0 + a] += 1;
    cg[a * k0 + a] += 1;
  }
  const mean = spdMean(cx, cg, k0);
  if (mean === null) return null;
  const eig = symmetricEigen(mean, k0);
  const keep: number[] = [];
  for (let j = 0; j < k0; j++) {
    const v = eig.vals[j];
    if (!Number.isFinite(v) || !(v > 0)) return null;
    if (v > LOW_RANK_EIGVAL_CUTOFF || v < 1 / LOW_RANK_EIGVAL_CUTOFF) keep.push(j);
  }
  const k = keep.length;
  const vals = new Float64Array(k);
  const vecs = new Float64Array(d * k);
  for (let c = 0; c < k; c++) {
    const j = keep[c];
    vals[c] = eig.vals[j];
    for (let a = 0; a < k0; a++) {
      const w = eig.vecs[j * k0 + a];
      if (full) vecs[c * d + a] = w;
      else for (let i = 0; i < d; i++) vecs[c * d + i] += w * basis[a][i];
    }
  }
  for (let i = 0; i < vecs.length; i++) if (!Number.isFinite(vecs[i])) return null;
  if (k === 0) {
    const inv = Float64Array.from(sigma, (s) => s * s);
    return { kind: 'diag', dim: d, invMetric: inv, chol: new Float64Array(0) };
  }
  return createLowRankMetric(sigma, vecs, vals);
}
