import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import { checkGradient } from '../../src/sampler/check-gradient.js';
import {
  arK,
  diamonds,
  kilpisjarvi,
  loadFixture,
  nes,
  POSTERIORDB,
  sblrc,
} from './helpers/posteriordb.js';

// Where each fixture's posterior lives on the unconstrained scale (roughly the reference means),
// so that the checks run where the sampler does: log sigma etc. from the reference summaries.
function nearPosterior(name: string, dim: number, u: () => number): number[] {
  const t = Array.from({ length: dim }, () => 0.4 * (u() - 0.5));
  const at: Record<string, () => void> = {
    kidiq_momhsiq: () => {
      t[0] += 26;
      t[1] += 6;
      t[2] += 0.56;
      t[3] += Math.log(18);
    },
    arK: () => {
      t[6] += Math.log(0.15);
    },
    diamonds: () => {
      t[0] += 7.79;
      t[25] += Math.log(0.123);
    },
    kilpisjarvi: () => {
      t[0] = -60 + 20 * (u() - 0.5);
      t[1] = 0.017 + 0.005 * (u() - 0.5);
      t[2] += Math.log(1.1);
    },
    nes2000: () => {
      t[9] += Math.log(1.9);
    },
    sblrc_blr: () => {
      for (let k = 0; k < 5; k++) t[k] += 1;
    },
    gp_pois_regr: () => {
      t[0] += Math.log(5.7);
      t[1] += Math.log(2.9);
    },
    low_dim_gauss_mix: () => {
      t[0] += -2.7;
      t[1] += Math.log(3.6);
    },
  };
  at[name]?.();
  return t;
}

describe('posteriordb log densities (test/sampler/helpers/posteriordb.ts)', () => {
  it.each(POSTERIORDB.map((c) => [c.name, c] as const))(
    '%s: analytic gradient matches central differences',
    (name, c) => {
      const model = c.build(loadFixture(c.file));
      const rng = createRng(17, 0);
      for (let rep = 0; rep < 3; rep++) {
        // gp_pois_regr: near the posterior (rho ~ 6 on inputs 2 apart) K is nearly singular (its
        // last Cholesky pivots are ~1e-5, set by the 1e-10 jitter), so the rounding error of the
        // log density is ~1e-11 and the quotient's rounding error ~1e-11 / h: h = 1e-4 keeps it
        // below 1e-7 (truncation O(h²) ~ 1e-8); at rho = 1 the default h agrees to 4e-9
        const h = name === 'gp_pois_regr' ? { h: 1e-4 } : {};
        const r = checkGradient(
          model,
          nearPosterior(name, model.dim, () => rng.uniform()),
          h,
        );
        // central differences with h = 1e-6 are accurate to ~1e-7 relative for smooth densities
        // whose terms are O(1..1e5); 1e-5 leaves two orders of margin and catches any wrong term
        expect(r.maxRelError, name).toBeLessThan(1e-5);
      }
    },
  );

  // the regressions use sufficient statistics; the density must equal the row-by-row sum of the
  // Stan program (up to a constant, so differences between two points are compared)
  it('the sufficient-statistics regressions equal the row-by-row normal log likelihood', () => {
    const rng = createRng(3, 0);
    const direct = (
      rows: number[][],
      y: number[],
      w: number[],
      sigma: number,
      prior: (w: number[], s: number) => number,
    ) => {
      let lp = prior(w, sigma) + Math.log(sigma); // + Jacobian of sigma = exp(v)
      for (let i = 0; i < y.length; i++) {
        let m = 0;
        for (let k = 0; k < w.length; k++) m += rows[i][k] * w[k];
        lp += -Math.log(sigma) - (y[i] - m) ** 2 / (2 * sigma * sigma);
      }
      return lp;
    };
    const cases = [
      (() => {
        const fx = loadFixture('sblrc-blr.json');
        const X = fx.data.X as unknown as number[][];
        return {
          model: sblrc(fx),
          rows: X,
          y: fx.data.y as number[],
          prior: (w: number[], s: number) =>
            -w.reduce((a, b) => a + b * b, 0) / 200 - (s * s) / 200,
          at: () => [...Array.from({ length: 5 }, () => 1 + 0.01 * rng.uniform()), Math.log(1)],
        };
      })(),
      (() => {
        const fx = loadFixture('arK-arK.json');
        const y = fx.data.y as number[];
        const rows = y.slice(5).map((_, i) => [1, y[i + 4], y[i + 3], y[i + 2], y[i + 1], y[i]]);
        return {
          model: arK(fx),
          rows,
          y: y.slice(5),
          prior: (w: number[], s: number) =>
            -w.reduce((a, b) => a + b * b, 0) / 200 - Math.log1p((s / 2.5) ** 2),
          at: () => [...Array.from({ length: 6 }, () => 0.3 * rng.uniform()), Math.log(0.15)],
        };
      })(),
      (() => {
        const fx = loadFixture('nes2000-nes.json');
        const d = fx.data as Record<string, number[]>;
        const rows = d.partyid7.map((_, i) => [
          1,
          d.real_ideo[i],
          d.race_adj[i],
          d.age_discrete[i] === 2 ? 1 : 0,
          d.age_discrete[i] === 3 ? 1 : 0,
          d.age_discrete[i] === 4 ? 1 : 0,
          d.educ1[i],
          d.gender[i],
          d.income[i],
        ]);
        return {
          model: nes(fx),
          rows,
          y: d.partyid7,
          prior: () => 0,
          at: () => [...Array.from({ length: 9 }, () => 0.5 * rng.uniform()), Math.log(1.9)],
        };
      })(),
      (() => {
        const fx = loadFixture('kilpisjarvi_mod-kilpisjarvi.json');
        const x = fx.data.x as number[];
        return {
          model: kilpisjarvi(fx),
          rows: x.map((v) => [1, v]),
          y: fx.data.y as number[],
          prior: (w: number[]) =>
            -((w[0] - 9.31290322580645) ** 2) / (2 * 100 ** 2) -
            w[1] ** 2 / (2 * 0.0333333333333333 ** 2),
          at: () => [-60 + 10 * rng.uniform(), 0.017 + 0.002 * rng.uniform(), Math.log(1.1)],
        };
      })(),
    ];
    for (const c of cases) {
      const a = c.at();
      const b = c.at();
      const g = new Float64Array(a.length);
      const la = c.model.logDensityGradient(Float64Array.from(a), g);
      const lb = c.model.logDensityGradient(Float64Array.from(b), g);
      const p = a.length - 1;
      const da = direct(c.rows, c.y, a.slice(0, p), Math.exp(a[p]), c.prior);
      const db = direct(c.rows, c.y, b.slice(0, p), Math.exp(b[p]), c.prior);
      // the two sums differ by rounding only: y'y - 2w'Z'y + w'Z'Zw against the sum of squares,
      // relative error ~1e-13 of the largest term (y'y <= 1e5 here)
      expect(Math.abs(la - lb - (da - db))).toBeLessThan(1e-7 * (1 + Math.abs(da - db)));
    }
  });

  it('diamonds: centred predictors, Intercept and b in the reference order', () => {
    const fx = loadFixture('diamonds-diamonds.json.gz');
    const m = diamonds(fx);
    expect(m.dim).toBe(26);
    const out = new Float64Array(26);
    const t = Float64Array.from({ length: 26 }, (_, i) => i);
    m.writeVariables(t, out);
    expect(m.variableNames[24]).toBe('Intercept');
    expect(out[24]).toBe(0); // Intercept is t[0]
    expect(out[0]).toBe(1); // b[1] is t[1]
    expect(out[25]).toBeCloseTo(Math.exp(25), 0);
  });
});
