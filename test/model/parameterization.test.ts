import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import { compileModel } from '../../src/model/compile.js';
import { posteriorPredict } from '../../src/model/predict.js';
import { makeTable } from './helpers.js';

const n = 60;
const cols: Record<string, (number | string)[]> = {
  g: [],
  h: [],
  x: [],
  y: [],
  k: [],
  tr: [],
  se: [],
};
for (let i = 0; i < n; i++) {
  cols.g.push(`g${i % 6}`);
  cols.h.push(`h${i % 4}`);
  cols.x.push(Math.sin(i));
  cols.y.push(2 + Math.sin(i * 1.3) + 0.5 * (i % 6));
  cols.k.push(i % 7);
  cols.tr.push(8);
  cols.se.push(0.3 + 0.1 * (i % 3));
}
const table = makeTable(cols);

describe('centred and non-centred forms define the same posterior', () => {
  for (const spec of [
    { formula: 'y ~ 1 + x + (1|g) + (1|h)', family: 'gaussian' as const },
    { formula: 'k | trials(tr) ~ 1 + (1|g) + (1|h)', family: 'binomial' as const },
  ]) {
    it(spec.formula, () => {
      // Raw coordinates (standardize: false): the test maps z to r = sd * z by hand.
      const raw = { standardize: false, meanContrasts: false } as const;
      const a = compileModel({ ...spec, centred: ['g'] }, table, raw);
      const b = compileModel({ ...spec, centred: [] }, table, raw);
      expect(a.internals.centred).toEqual(['g']);
      expect(b.internals.centred).toEqual([]);
      const sdIdx = b.parameterNames.indexOf('log(sd_g__Intercept)');
      const zIdx = b.parameterNames.flatMap((p, i) => (p.startsWith('z_g[') ? [i] : []));
      const diffs: number[] = [];
      for (let trial = 0; trial < 5; trial++) {
        const tb = Float64Array.from({ length: b.dim }, (_, i) => 0.7 * Math.sin(i * 2.3 + trial));
        const ta = Float64Array.from(tb);
        const sd = Math.exp(tb[sdIdx]);
        for (const i of zIdx) ta[i] = sd * tb[i]; // r = sd * z
        const g = new Float64Array(a.dim);
        // p_centred(r) = p_noncentred(z) / sd^L (change of variables), up to one constant.
        diffs.push(
          a.logDensityGradient(ta, g) - b.logDensityGradient(tb, g) + zIdx.length * Math.log(sd),
        );
        // Both report the same variables at corresponding points.
        const va = new Float64Array(a.variableNames.length);
        const vb = new Float64Array(b.variableNames.length);
        a.writeVariables(ta, va);
        b.writeVariables(tb, vb);
        for (let v = 0; v < va.length; v++) expect(va[v]).toBeCloseTo(vb[v], 10);
      }
      for (const d of diffs) expect(Math.abs(d - diffs[0])).toBeLessThan(1e-9);
    });
  }
});

describe('standardized coordinates define the same posterior (CompileOptions.standardize)', () => {
  const specs = [
    // replicates per g:h cell (pooled within-cell sd), marginalized g:h, auto centring
    { formula: 'y ~ 1 + (1|g) + (1|h) + (1|g:h)', family: 'gaussian' as const },
    { formula: 'y ~ 1 + x + (1|g) + (1|h)', family: 'gaussian' as const, centred: ['g'] },
    { formula: 'y | se(se) ~ 1 + (1|g) + (1|h)', family: 'gaussian' as const, centred: ['h'] },
    { formula: 'y ~ 1 + (1|g) + (1 + x || h)', family: 'lognormal' as const, centred: ['g'] },
    { formula: 'y ~ 1 + x + (1|g)', family: 'student' as const, centred: ['g'] },
    { formula: 'k | trials(tr) ~ 1 + (1|g)', family: 'binomial' as const },
  ];
  for (const spec of specs) {
    it(`${spec.family}: ${spec.formula}`, () => {
      const a = compileModel(spec, table);
      const b = compileModel(spec, table, { standardize: false });
      expect(a.dim).toBe(b.dim);
      const { loc, scale } = a.internals.standardization;
      if (spec.family === 'binomial') {
        expect(Array.from(loc).every((x) => x === 0)).toBe(true);
        expect(Array.from(scale).every((x) => x === 1)).toBe(true);
      } else {
        expect(Array.from(scale).some((x) => x !== 1)).toBe(true);
      }
      const marginal = a.internals.marginal;
      const diffs: number[] = [];
      const ga = new Float64Array(a.dim);
      const gb = new Float64Array(a.dim);
      for (let trial = 0; trial < 5; trial++) {
        const ta = Float64Array.from({ length: a.dim }, (_, i) => 0.8 * Math.sin(i * 1.7 + trial));
        const tb = ta.map((x, i) => loc[i] + scale[i] * x);
        // An affine map with constant Jacobian: lp equal up to one constant, gradient by the chain rule.
        diffs.push(a.logDensityGradient(ta, ga) - b.logDensityGradient(tb, gb));
        for (let i = 0; i < a.dim; i++) {
          // rounding of sums of O(100) terms: 1e-9 relative
          expect(Math.abs(ga[i] - scale[i] * gb[i])).toBeLessThan(1e-9 * (1 + Math.abs(ga[i])));
        }
        const va = new Float64Array(a.variableNames.length);
        const vb = new Float64Array(b.variableNames.length);
        a.writeVariables(ta, va);
        b.writeVariables(tb, vb);
        a.variableNames.forEach((name, v) => {
          // The marginalized term's draws use a normal stream keyed by theta's bits, which differ.
          if (marginal !== null && name.startsWith(`r_${marginal}[`)) return;
          expect(va[v]).toBeCloseTo(vb[v], 10);
        });
      }
      // rounding of the log density (|lp| < 1e4): 1e-8 absolute
      for (const d of diffs) expect(Math.abs(d - diffs[0])).toBeLessThan(1e-8);
      if (spec.formula.startsWith('y ~ 1 + (1|g) + (1|h) + (1|g:h)')) expect(marginal).toBe('g:h');
    });
  }
});

describe('mean direction and contrasts define the same posterior (CompileOptions.meanContrasts)', () => {
  // Balanced (every level of g and h in 10 and 15 rows) and unbalanced (every 7th row dropped, so
  // the shift weights and the Householder vector differ between levels).
  const keep = (i: number) => i % 7 !== 3;
  const sub: Record<string, (number | string)[]> = {};
  for (const [k, v] of Object.entries(cols)) sub[k] = v.filter((_, i) => keep(i));
  for (const [label, tbl] of [
    ['balanced', table],
    ['unbalanced', makeTable(sub)],
  ] as const) {
    for (const spec of [
      {
        formula: 'y ~ 1 + (1|g) + (1|h) + (1|g:h)',
        family: 'gaussian' as const,
        centred: ['g', 'h'],
      },
      {
        formula: 'k | trials(tr) ~ 1 + x + (1|g) + (1|h)',
        family: 'binomial' as const,
        centred: ['g'],
      },
      // totals over g:h (CompileOptions.totals); g:h non-centred in both models
      { formula: 'y ~ 1 + x + (1|g) + (1|g:h)', family: 'gaussian' as const, centred: ['g'] },
      {
        formula: 'k | trials(tr) ~ 1 + (1|g) + (1|g:h)',
        family: 'binomial' as const,
        centred: ['g'],
      },
    ]) {
      it(`${label} ${spec.family}: ${spec.formula}`, () => {
        const a = compileModel(spec, tbl);
        const b = compileModel(spec, tbl, { meanContrasts: false });
        const totals = spec.formula.includes('x + (1|g) + (1|g:h)') || spec.family === 'binomial';
        for (const g of spec.centred) {
          const kind = totals && spec.formula.includes('(1|g:h)') ? 'total_' : '';
          expect(a.parameterNames).toContain(`mean_${kind}${g}/sd`);
        }
        expect(b.parameterNames.some((p) => p.startsWith('mean_'))).toBe(false);
        const vi = (name: string) => a.variableNames.indexOf(name);
        const diffs: number[] = [];
        for (let trial = 0; trial < 5; trial++) {
          const ta = Float64Array.from(
            { length: a.dim },
            (_, i) => 0.8 * Math.sin(i * 1.3 + trial),
          );
          const va = new Float64Array(a.variableNames.length);
          a.writeVariables(ta, va);
          // The unrotated model's coordinates at the same r: its centred coordinate of level l of g
          // is r_g[l] / scale (standardization), everything else is shared.
          const tb = Float64Array.from(ta);
          let logJ = 0;
          for (const g of spec.centred) {
            b.parameterNames.forEach((p, i) => {
              const m = /^r_(\w+)\[(\w+),Intercept\]/.exec(p);
              if (m === null || m[1] !== g) return;
              const r = va[vi(`r_${g}[${m[2]},Intercept]`)];
              tb[i] = r / b.internals.standardization.scale[i];
            });
            logJ += Math.log(va[vi(`sd_${g}__Intercept`)]);
          }
          const grad = new Float64Array(a.dim);
          // p_rotated(theta) = p_unrotated(theta') * sd_g (the Jacobian of w_0 = sd theta_0).
          diffs.push(a.logDensityGradient(ta, grad) - b.logDensityGradient(tb, grad) - logJ);
          const vb = new Float64Array(b.variableNames.length);
          b.writeVariables(tb, vb);
          a.variableNames.forEach((name, v) => {
            const marginal = a.internals.marginal;
            if (marginal !== null && name.startsWith(`r_${marginal}[`)) return;
            expect(va[v]).toBeCloseTo(vb[v], 10);
          });
        }
        // rounding of the log density (|lp| < 1e4): 1e-8 absolute
        for (const d of diffs) expect(Math.abs(d - diffs[0])).toBeLessThan(1e-8);
      });
    }
  }
});

describe("centred: 'auto'", () => {
  it('centres the terms the data inform (fitted effects vs the residual noise of the cell means)', () => {
    // a (6 levels): effects of sd ~1.4; b (5 levels): no effect; a:c (12 levels, 2.5 cells each):
    // effects of sd ~0.7; noise sd 0.1 per row, 4 rows per a x b cell.
    const c2: Record<string, (number | string)[]> = { a: [], b: [], c: [], y: [] };
    let i = 0;
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 5; b++) {
        for (let r = 0; r < 4; r++) {
          const c = b % 2;
          c2.a.push(`a${a}`);
          c2.b.push(`b${b}`);
          c2.c.push(`c${c}`);
          const noise = 0.1 * Math.sin(i++ * 12.9898) * Math.SQRT2; // sd about 0.1
          c2.y.push(2 * Math.sin(a * 1.7) + Math.cos(a * 2.3 + c * 1.1) + noise);
        }
      }
    }
    const tbl = makeTable(c2);
    const m = compileModel({ formula: 'y ~ 1 + (1|a) + (1|b) + (1|a:c) + (1|a:b)' }, tbl);
    expect(m.internals.marginal).toBe('a:b');
    expect(m.internals.centred.sort()).toEqual(['a', 'a:c']);
    // Without the mean/contrast form, interaction groups stay non-centred.
    const raw = compileModel({ formula: 'y ~ 1 + (1|a) + (1|b) + (1|a:c) + (1|a:b)' }, tbl, {
      meanContrasts: false,
    });
    expect(raw.internals.centred).toEqual(['a']);
  });
});

describe('posteriorPredict', () => {
  it('replicates one data set of the right shape and scale', () => {
    // Raw coordinates (standardize: false): the test sets log(sigma) directly.
    const m = compileModel({ formula: 'y ~ 1 + x + (1|g)' }, table, { standardize: false });
    const theta = new Float64Array(m.dim);
    const sigmaIdx = m.parameterNames.indexOf('log(sigma)');
    theta[sigmaIdx] = Math.log(0.5);
    const rng = createRng(5, 0);
    const eta = new Float64Array(n);
    m.internals.rowEta(theta, eta);
    let s = 0;
    let s2 = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const y = posteriorPredict(m, theta, rng);
      expect(y.length).toBe(n);
      for (let i = 0; i < n; i++) {
        s += y[i] - eta[i];
        s2 += (y[i] - eta[i]) ** 2;
      }
    }
    const N = reps * n;
    // Residuals are N(0, 0.5^2): the mean's standard error is 0.5 / sqrt(12000) = 0.0046; 5 of them.
    expect(Math.abs(s / N)).toBeLessThan(0.023);
    // The variance estimate's relative standard error is sqrt(2 / N) = 1.3%; allow 6%.
    expect(Math.abs(s2 / N / 0.25 - 1)).toBeLessThan(0.06);
  });

  it('binomial replicates are counts within [0, trials]', () => {
    const m = compileModel({ formula: 'k | trials(tr) ~ 1 + (1|g)', family: 'binomial' }, table);
    const y = posteriorPredict(m, new Float64Array(m.dim), createRng(1, 0));
    for (const v of y) expect(Number.isInteger(v) && v >= 0 && v <= 8).toBe(true);
  });
});
