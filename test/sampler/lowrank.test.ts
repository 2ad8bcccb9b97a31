import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import { leapfrog } from '../../src/sampler/leapfrog.js';
import { lowRankInverseMetric, spdMean, symmetricEigen } from '../../src/sampler/lowrank.js';
import {
  createLowRankMetric,
  createMetric,
  kineticEnergy,
  refreshMomentum,
  velocity,
} from '../../src/sampler/metric.js';
import { sample } from '../../src/sampler/sample.js';
import { moments, statSum } from './helpers/check.js';
import { correlated2d } from './helpers/models.js';

const diag = (...x: number[]): Float64Array => {
  const n = x.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = x[i];
  return m;
};

/** A random symmetric n x n matrix (row-major) from a fixed stream. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = createRng(seed, 0);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** The low-rank metric as an explicit d x d matrix diag(σ)(I + U(Λ − I)Uᵀ)diag(σ). */
function denseOf(sigma: Float64Array, vecs: Float64Array, vals: Float64Array): Float64Array {
  const d = sigma.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let c = 0; c < vals.length; c++) s += vecs[c * d + i] * vecs[c * d + j] * (vals[c] - 1);
      out[i * d + j] = sigma[i] * sigma[j] * s;
    }
  }
  return out;
}

describe('diagonal plus low-rank metric (metric "fisher-lowrank")', () => {
  it('symmetricEigen: A V = V Λ, VᵀV = I, ascending, on random, repeated-eigenvalue and 90 x 90 matrices', () => {
    const check = (a: Float64Array, n: number, scale: number): void => {
      const { vals, vecs } = symmetricEigen(a, n);
      let maxRes = 0;
      let maxOrth = 0;
      for (let j = 0; j < n; j++) {
        if (j > 0) expect(vals[j]).toBeGreaterThanOrEqual(vals[j - 1]);
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let k = 0; k < n; k++) av += a[i * n + k] * vecs[j * n + k];
          maxRes = Math.max(maxRes, Math.abs(av - vals[j] * vecs[j * n + i]));
        }
        for (let l = 0; l < n; l++) {
          let dp = 0;
          for (let i = 0; i < n; i++) dp += vecs[j * n + i] * vecs[l * n + i];
          maxOrth = Math.max(maxOrth, Math.abs(dp - (j === l ? 1 : 0)));
        }
      }
      // Householder + QL is backward stable: residuals of order n·1e-16 times the norm `scale`
      expect(maxRes).toBeLessThan(1e-12 * scale);
      expect(maxOrth).toBeLessThan(1e-12);
    };
    check(randomSymmetric(7, 3), 7, 1);
    check(new Float64Array([2, 1, 1, 2]), 2, 1);
    // I + 5 e eᵀ in 6 dimensions: eigenvalue 1 five times (a split-off tridiagonal), 31 once
    const rep = new Float64Array(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) rep[i * 6 + j] = 5 + (i === j ? 1 : 0);
    const e = symmetricEigen(rep, 6);
    for (let j = 0; j < 5; j++) expect(Math.abs(e.vals[j] - 1)).toBeLessThan(1e-13);
    expect(Math.abs(e.vals[5] - 31)).toBeLessThan(1e-13 * 31);
    check(rep, 6, 31);
    // the size and shape the radon model gives (d = 90): covariance / γ + I, norm ~1e7
    const n = 90;
    const x = randomSymmetric(n, 11);
    const big = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
        big[i * n + j] = s * 1e5 + (i === j ? 1 : 0);
      }
    }
    check(big, n, 1e8);
    check(new Float64Array(0), 0, 1);
  });

  it("spdMean: nuts-rs's test vector, A G A = X for diag(1, 4, 8) and diag(1, 1, 0.5)", () => {
    const m = spdMean(diag(1, 4, 8), diag(1, 1, 0.5), 3);
    // nuts-rs test_spd_mean uses 1e-10 absolute and relative
    expect(Array.from(m ?? []).map((x) => Math.round(x * 1e10) / 1e10)).toEqual(
      Array.from(diag(1, 2, 4)),
    );
    expect(spdMean(diag(1, 1), diag(1, -1), 2)).toBeNull();
  });

  it('velocity, kinetic energy and momentum refresh agree with the explicit matrix', () => {
    const d = 5;
    const sigma = new Float64Array([0.5, 2, 1, 3, 0.1]);
    // two orthonormal columns
    const u1 = [1, 1, 0, 0, 0].map((x) => x / Math.SQRT2);
    const u2 = [0, 0, 1, 1, 1].map((x) => x / Math.sqrt(3));
    const vecs = new Float64Array([...u1, ...u2]);
    const vals = new Float64Array([9, 0.1]);
    const m = createLowRankMetric(sigma, vecs, vals);
    const dense = createMetric('dense', denseOf(sigma, vecs, vals));
    const p = new Float64Array([0.3, -1, 2, 0.5, -0.7]);
    const v = new Float64Array(d);
    const vd = new Float64Array(d);
    velocity(m, p, v);
    velocity(dense, p, vd);
    // the same sums in a different order: agreement to rounding (1e-12 relative to O(10) entries)
    for (let i = 0; i < d; i++) expect(Math.abs(v[i] - vd[i])).toBeLessThan(1e-12);
    expect(Math.abs(kineticEnergy(m, p) - kineticEnergy(dense, p))).toBeLessThan(1e-12);
    for (let i = 0; i < d; i++)
      expect(Math.abs(m.invMetric[i] - dense.invMetric[i * d + i])).toBeLessThan(1e-12);
    // p = A⁻ᵀ u has kinetic energy ½‖u‖² (a twin stream gives u)
    const rng = createRng(5, 1);
    const twin = createRng(5, 1);
    for (let t = 0; t < 20; t++) {
      refreshMomentum(m, rng, p);
      let uu = 0;
      for (let i = 0; i < d; i++) uu += twin.normal() ** 2;
      expect(Math.abs(kineticEnergy(m, p) - 0.5 * uu)).toBeLessThan(1e-12 * (1 + uu));
    }
    // leapfrog under the low-rank metric is reversible: negate p, step back, land at the start
    const model = {
      dim: d,
      logDensityGradient(q: Float64Array, g: Float64Array) {
        let lp = 0;
        for (let i = 0; i < d; i++) {
          lp -= 0.5 * q[i] * q[i] * (i + 1);
          g[i] = -q[i] * (i + 1);
        }
        return lp;
      },
    };
    const q0 = new Float64Array([0.2, -0.4, 1, 0.3, 2]);
    const q = Float64Array.from(q0);
    const g = new Float64Array(d);
    model.logDensityGradient(q, g);
    const pp = new Float64Array([1, 0.5, -0.2, 0.1, 0.3]);
    for (let s = 0; s < 5; s++) leapfrog(model, m, q, pp, g, v, 0.05);
    for (let i = 0; i < d; i++) pp[i] = -pp[i];
    for (let s = 0; s < 5; s++) leapfrog(model, m, q, pp, g, v, 0.05);
    // 10 steps of rounding on O(1) numbers
    for (let i = 0; i < d; i++) expect(Math.abs(q[i] - q0[i])).toBeLessThan(1e-12);
  });

  it('recovers the covariance of a Gaussian from any points and their exact gradients', () => {
    // Σ: two strongly correlated pairs (ρ = 0.95 and −0.9) with different scales. After the per-
    // coordinate scaling each pair has eigenvalues near (1 ± |ρ|)/sqrt(1 − ρ²) (6.2, 0.16, 4.4,
    // 0.23), all outside [1/2, 2], so every direction is kept. The gradients are exactly −Σ⁻¹x, so
    // whatever the points, the scaled Σ solves the geometric-mean equation and Minv = Σ up to the
    // regularizer γ = 1e-5 (relative ~γ/n).
    const sd = [1, 3, 0.2, 0.5];
    const rho = [0.95, -0.9];
    const d = 4;
    const cov = new Float64Array(16);
    for (let i = 0; i < d; i++) cov[i * d + i] = sd[i] ** 2;
    cov[1] = cov[4] = rho[0] * sd[0] * sd[1];
    cov[2 * d + 3] = cov[3 * d + 2] = rho[1] * sd[2] * sd[3];
    // precision of each 2 x 2 block
    const prec = new Float64Array(16);
    for (const [a, b] of [
      [0, 1],
      [2, 3],
    ]) {
      const det = cov[a * d + a] * cov[b * d + b] - cov[a * d + b] ** 2;
      prec[a * d + a] = cov[b * d + b] / det;
      prec[b * d + b] = cov[a * d + a] / det;
      prec[a * d + b] = prec[b * d + a] = -cov[a * d + b] / det;
    }
    const rng = createRng(11, 0);
    const draws: Float64Array[] = [];
    const grads: Float64Array[] = [];
    for (let t = 0; t < 200; t++) {
      // x ~ N(0, Σ) (each pair: x_a = sd_a z_1, x_b = sd_b (ρ z_1 + sqrt(1 − ρ²) z_2)), so that the
      // per-coordinate scales are the ones the comment above assumes
      const x = new Float64Array(d);
      for (const [a, r] of [
        [0, rho[0]],
        [2, rho[1]],
      ]) {
        const z1 = rng.normal();
        const z2 = rng.normal();
        x[a] = sd[a] * z1;
        x[a + 1] = sd[a + 1] * (r * z1 + Math.sqrt(1 - r * r) * z2);
      }
      const g = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i] -= prec[i * d + j] * x[j];
      draws.push(x);
      grads.push(g);
    }
    const m = lowRankInverseMetric(draws, grads, d);
    expect(m?.kind).toBe('lowrank');
    const f = m?.lowRank;
    if (!f || !m) throw new Error('no low-rank factors');
    expect(f.k).toBe(4);
    const est = denseOf(f.sigma, f.vecs, f.vals);
    // relative to the entry's scale sqrt(Σ_ii Σ_jj): 1e-4 is far above the γ/n ~ 1e-7 bias and far
    // below any estimation error a wrong formula would make
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        expect(Math.abs(est[i * d + j] - cov[i * d + j]) / (sd[i] * sd[j])).toBeLessThan(1e-4);
      }
    }
  });

  it("grads = −draws: every eigenvalue 1, nothing kept, a unit diagonal (nuts-rs's test)", () => {
    const rng = createRng(1, 0);
    const draws = Array.from({ length: 3 }, () =>
      Float64Array.from({ length: 20 }, () => rng.normal()),
    );
    const grads = draws.map((x) => Float64Array.from(x, (v) => -v));
    const m = lowRankInverseMetric(draws, grads, 20);
    expect(m?.kind).toBe('diag');
    // σ⁴ = var(x)/var(g) = 1 up to rounding
    for (const v of m?.invMetric ?? []) expect(Math.abs(v - 1)).toBeLessThan(1e-12);
  });

  it('sampling a correlated Gaussian: posterior within 4 MCSE, short trajectories', async () => {
    const fit = await sample(correlated2d(0.95), {
      seed: 3,
      chains: 4,
      warmup: 1000,
      draws: 1000,
      metric: 'fisher-lowrank',
    });
    // 4 MCSE: the rule of docs/ARCHITECTURE.md "Testing rules"
    for (let v = 0; v < 2; v++) {
      const m = moments(fit, v);
      expect(Math.abs(m.mean)).toBeLessThan(4 * m.mcseMean);
      expect(Math.abs(m.variance - 1)).toBeLessThan(4 * m.mcseVar);
    }
    expect(statSum(fit, 'divergent__')).toBe(0);
    // the metric learned the correlation: the posterior is close to a standard normal in the
    // adapted coordinates, so trees stay short (a diagonal metric needs ~7-9 steps per draw here,
    // an exact metric ~3)
    expect(statSum(fit, 'n_leapfrog__') / 4000).toBeLessThan(4);
  });
});
