import { createLowRankMetric, type Metric } from './metric.js';

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major; only its symmetric part is used) by
 * cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, §8.5): accurate for the small
 * matrices of the low-rank adaptation (n ≤ d, at most a few hundred). Returns the eigenvalues and
 * the eigenvectors as the columns of `vecs` (column-major: vector j is vecs[j*n .. j*n + n)).
 *
 * @example
 * symmetricEigen(new Float64Array([2, 1, 1, 2]), 2).vals; // [1, 3] (in some order)
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { vals: Float64Array; vecs: Float64Array } {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotations = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        // negligible next to both diagonal entries (relative rounding): zero it, no rotation
        // (Rutishauser's threshold; keeps the small eigenvalues accurate relative to themselves)
        if (Math.abs(apq) <= 1e-17 * Math.sqrt(Math.abs(A[p * n + p] * A[q * n + q]))) {
          A[p * n + q] = 0;
          A[q * n + p] = 0;
          continue;
        }
        rotations++;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = A[r * n + p];
          const arq = A[r * n + q];
          A[r * n + p] = c * arp - s * arq;
          A[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = A[p * n + r];
          const aqr = A[q * n + r];
          A[p * n + r] = c * apr - s * aqr;
          A[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = V[r * n + p];
          const vrq = V[r * n + q];
          V[r * n + p] = c * vrp - s * vrq;
          V[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
    if (rotations === 0) break;
  }
  const vals = new Float64Array(n);
  const vecs = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    vals[j] = A[j * n + j];
    for (let i = 0; i < n; i++) vecs[j * n + i] = V[i * n + j];
  }
  return { vals, vecs };
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
