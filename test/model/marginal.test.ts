import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile.js';
import { makeTable, numericGradient } from './helpers.js';

// 5 x 3 crossed design with repeated rows: 15 cells, one (1|g:h) level per cell.
const n = 45;
const cols: Record<string, (number | string)[]> = { g: [], h: [], y: [], w: [], s: [], yp: [] };
for (let i = 0; i < n; i++) {
  cols.g.push(`g${i % 5}`);
  cols.h.push(`h${i % 3}`);
  cols.y.push(Math.sin(i * 1.9) + (i % 5) * 0.3);
  cols.w.push(1 + (i % 2));
  cols.s.push(0.3 + (i % 4) * 0.2);
  cols.yp.push(Math.exp(Math.sin(i)));
}
const table = makeTable(cols);

const specs = [
  { formula: 'y ~ 1 + (1|g) + (1|h) + (1|g:h)', family: 'gaussian' as const },
  { formula: 'y | weights(w) ~ 1 + (1|g) + (1|g:h)', family: 'gaussian' as const },
  { formula: 'y | se(s) ~ 1 + (1|g) + (1|h) + (1|g:h)', family: 'gaussian' as const },
  { formula: 'yp ~ 1 + (1|g) + (1|g:h)', family: 'lognormal' as const },
];

describe('exact marginalization of the per-cell gaussian group term', () => {
  for (const spec of specs) {
    it(`${spec.family}: ${spec.formula}`, () => {
      // No intercept shift, so both models' remaining coordinates mean the same thing.
      const marg = compileModel(spec, table, { shiftIntercept: false, shear: false });
      const full = compileModel(spec, table, {
        marginalize: false,
        shiftIntercept: false,
        shear: false,
      });
      expect(marg.internals.marginal).toBe('g:h');
      expect(full.internals.marginal).toBe(null);
      expect(full.dim - marg.dim).toBe(15);
      // Gradient of the marginal density == finite differences.
      const g = new Float64Array(marg.dim);
      const scratch = new Float64Array(marg.dim);
      for (let trial = 0; trial < 5; trial++) {
        const theta = Float64Array.from(
          { length: marg.dim },
          (_, i) => 0.8 * Math.sin(3 * i + trial),
        );
        marg.logDensityGradient(theta, g);
        const num = numericGradient((t) => marg.logDensityGradient(t, scratch), theta);
        // Central differences, h = 1e-5: error far below 1e-5 relative (see gradient.test.ts).
        for (let i = 0; i < marg.dim; i++)
          expect(Math.abs(g[i] - num[i])).toBeLessThan(1e-5 * (1 + Math.abs(num[i])));
      }
      // log p_marg(theta) = log of the integral of p_full(theta, z) over the 15 z's. p_full is
      // Gaussian in z, so the Laplace formula is exact: lp_full(z*) + sum 0.5 log(2 pi / H_l), where
      // z* maximizes over z (Newton's method, exact in one step from any point for a quadratic).
      const zNames = full.parameterNames.filter((p) => p.startsWith('z_g:h['));
      const zIdx = zNames.map((p) => full.parameterNames.indexOf(p));
      const restIdx = full.parameterNames.map((_, i) => i).filter((i) => !zIdx.includes(i));
      const diffs: number[] = [];
      for (let trial = 0; trial < 4; trial++) {
        const rest = Float64Array.from(
          { length: marg.dim },
          (_, i) => 0.6 * Math.cos(2 * i + 5 * trial),
        );
        const th = new Float64Array(full.dim);
        restIdx.forEach((fi, k) => {
          th[fi] = rest[k];
        });
        // Hessian diagonal by differences of the analytic gradient (exact for a quadratic).
        const g0 = new Float64Array(full.dim);
        const g1 = new Float64Array(full.dim);
        full.logDensityGradient(th, g0);
        let logDet = 0;
        for (const zi of zIdx) {
          th[zi] += 1;
          full.logDensityGradient(th, g1);
          th[zi] -= 1;
          const H = -(g1[zi] - g0[zi]);
          th[zi] += g0[zi] / H; // Newton step per coordinate (coordinates are independent)
          logDet += 0.5 * Math.log((2 * Math.PI) / H);
        }
        const lpFull = full.logDensityGradient(th, g1);
        for (const zi of zIdx) expect(Math.abs(g1[zi])).toBeLessThan(1e-8);
        diffs.push(marg.logDensityGradient(rest, g) - (lpFull + logDet));
      }
      // Equal up to one additive constant (the marginal drops 2*pi terms): spread below rounding.
      for (const dlt of diffs) expect(Math.abs(dlt - diffs[0])).toBeLessThan(1e-8);
    });
  }

  it('reports r_ draws of the marginalized term, deterministic in theta, with the conditional moments', () => {
    const spec = specs[0];
    // Raw coordinates (standardize: false): the test reads log(sd) from theta by name.
    const m = compileModel(spec, table, {
      shiftIntercept: false,
      shear: false,
      standardize: false,
    });
    const names = m.variableNames;
    expect(names).toContain('r_g:h[g0_h0,Intercept]');
    const theta = Float64Array.from({ length: m.dim }, (_, i) => 0.3 * Math.sin(i));
    const a = new Float64Array(names.length);
    const b = new Float64Array(names.length);
    m.writeVariables(theta, a);
    m.writeVariables(theta, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    // Over many nearby thetas the draws of one level have the conditional mean and variance of the
    // gaussian full conditional (checked against the non-marginalized model's Newton optimum).
    const k = names.indexOf('r_g:h[g1_h2,Intercept]');
    let s1 = 0;
    let s2 = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      theta[0] = 0.3 * Math.sin(0) + i * 1e-12; // tiny changes: a fresh hash, same conditional
      m.writeVariables(theta, a);
      s1 += a[k];
      s2 += a[k] * a[k];
    }
    const mean = s1 / N;
    const sd = Math.sqrt(s2 / N - mean * mean);
    // Conditional moments from the model internals: recompute with a second model without marginalizing.
    const full = compileModel(spec, table, {
      marginalize: false,
      shiftIntercept: false,
      shear: false,
      standardize: false,
    });
    const zi = full.parameterNames.indexOf('z_g:h[g1_h2,Intercept]');
    const th = new Float64Array(full.dim);
    const restIdx = full.parameterNames
      .map((_, i) => i)
      .filter((i) => !full.parameterNames[i].startsWith('z_g:h['));
    restIdx.forEach((fi, j) => {
      th[fi] = theta[j];
    });
    const g0 = new Float64Array(full.dim);
    const g1 = new Float64Array(full.dim);
    full.logDensityGradient(th, g0);
    th[zi] += 1;
    full.logDensityGradient(th, g1);
    th[zi] -= 1;
    const H = -(g1[zi] - g0[zi]);
    const zStar = th[zi] + g0[zi] / H;
    const sdGh = Math.exp(theta[m.parameterNames.indexOf('log(sd_g:h__Intercept)')]);
    const condMean = sdGh * zStar;
    const condSd = sdGh / Math.sqrt(H);
    // 4000 draws: the mean's standard error is condSd / 63; 5 standard errors.
    expect(Math.abs(mean - condMean)).toBeLessThan((5 * condSd) / Math.sqrt(N));
    // The sd estimate's relative standard error is about 1 / sqrt(2 N) = 1.1%; allow 5%.
    expect(Math.abs(sd / condSd - 1)).toBeLessThan(0.05);
  });
});
