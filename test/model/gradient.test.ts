import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile.js';
import type { Family } from '../../src/model/spec.js';
import { makeTable, numericGradient } from './helpers.js';

// A small table with every kind of column the formula language uses.
const n = 36;
const cols: Record<string, (number | string)[]> = {
  g: [],
  h: [],
  x: [],
  x2: [],
  y: [],
  yp: [],
  k: [],
  tr: [],
  b01: [],
  s: [],
  w: [],
};
for (let i = 0; i < n; i++) {
  cols.g.push(`g${i % 5}`);
  cols.h.push(`h${i % 3}`);
  cols.x.push(Math.sin(i * 1.3));
  cols.x2.push(Math.cos(i * 0.7));
  cols.y.push(Math.sin(i * 2.1) * 2 + 1);
  cols.yp.push(0.05 + 0.9 * ((i * 0.37) % 1));
  cols.k.push(i % 9);
  cols.tr.push(10);
  cols.b01.push(i % 3 === 0 ? 1 : 0);
  cols.s.push(0.5 + (i % 4) * 0.3);
  cols.w.push(0.5 + (i % 2));
}
const table = makeTable(cols);

interface Case {
  formula: string;
  family: Family;
  priors?: string[];
  centred?: string[];
  shear?: boolean;
  /** The group term the model integrates out (checked with sufficient statistics). */
  marginal?: string;
}
// Every family, term type (numeric, factor, interaction, *, intercept/no intercept, (1|g),
// correlated and uncorrelated slopes, g1:g2, g1/g2), addition term, prior and transform.
const cases: Case[] = [
  // Marginalized g:h with up to three plain varying intercepts and no population columns: the fused
  // one-pass likelihood (compile.ts fusedMarginalPass), with one, two and three plain terms.
  { formula: 'y ~ 1 + (1|g:h)', family: 'gaussian', marginal: 'g:h' },
  { formula: 'y ~ 1 + (1|g) + (1|g:h)', family: 'gaussian', centred: ['g'], marginal: 'g:h' },
  { formula: 'y | weights(w) ~ 1 + (1|g) + (1|h) + (1|g:h)', family: 'gaussian', marginal: 'g:h' },
  {
    formula: 'yp ~ 1 + (1|g) + (1|h) + (1|g:h)',
    family: 'lognormal',
    centred: ['g', 'h'],
    marginal: 'g:h',
  },
  // Totals (CompileOptions.totals): g and h sampled as totals over g:h (and g:h:x2's plain terms).
  { formula: 'y ~ 1 + x + (1|g) + (1|h) + (1|g:h)', family: 'gaussian', centred: ['g', 'h'] },
  { formula: 'y ~ 1 + x + (1|g) + (1|g:h)', family: 'gaussian', centred: ['g', 'g:h'] },
  {
    formula: 'k | trials(tr) ~ 1 + (1|g) + (1|g:h)',
    family: 'binomial',
    centred: ['g'],
  },
  // ... and the unfused passes with a marginalized term (population columns).
  { formula: 'y ~ 1 + h + (1|g) + (1|g:h)', family: 'gaussian', marginal: 'g:h' },
  { formula: 'y ~ 1 + x + (1 + x | g) + (1|g:h)', family: 'gaussian', priors: ['cor ~ lkj(2)'] },
  { formula: 'y ~ 1 + x*h + (1 + x || g)', family: 'gaussian', priors: ['b ~ normal(0, 1)'] },
  {
    formula: 'y | weights(w) ~ 1 + x + (1|g/h)',
    family: 'gaussian',
    priors: ['sd_g ~ cauchy(0, 1)'],
  },
  { formula: 'y | se(s) ~ 1 + (1|g) + (1|h)', family: 'gaussian', priors: ['sd ~ exponential(1)'] },
  {
    formula: 'y ~ 0 + Intercept + x + (1|g)',
    family: 'gaussian',
    priors: ['b ~ normal(0, 5)', 'sigma ~ gamma(2, 1)'],
  },
  {
    formula: 'y ~ x + x2 + (1 + x + x2 | g)',
    family: 'student',
    priors: ['nu ~ gamma(2, 0.1)', 'cor_g ~ lkj(1.5)'],
  },
  {
    formula: 'yp ~ 1 + x + (1 + h | g)',
    family: 'beta',
    priors: ['phi ~ gamma(2, 0.1)', 'b_x ~ student_t(3, 0, 1)'],
  },
  {
    formula: 'k | trials(tr) ~ 1 + x + (1|g/h)',
    family: 'binomial',
    priors: ['sd_g__Intercept ~ normal(0, 1)'],
  },
  {
    formula: 'k | trials(tr) ~ 1 + x + (1|g) + (1|g:h)',
    family: 'beta_binomial',
    priors: ['phi ~ gamma(2, 0.1)'],
  },
  {
    formula: 'k | trials(tr) + weights(w) ~ 1 + (1|g) + (1|h)',
    family: 'beta_binomial',
    centred: ['h'],
  },
  {
    formula: 'b01 ~ 1 + x + (1 + x || g)',
    family: 'bernoulli',
    priors: ['Intercept ~ normal(0, 2)'],
  },
  {
    formula: 'yp ~ 0 + h + (1|g)',
    family: 'lognormal',
    priors: ['b ~ normal(0, 1)', 'sigma ~ cauchy(0, 1)'],
  },
  { formula: 'y ~ 1 + (0 + h || g)', family: 'gaussian', priors: ['sigma ~ flat'] },
  { formula: 'y ~ x + (1|g) + (1 + x || h) + (1|g:h)', family: 'gaussian', centred: ['g', 'h'] },
  { formula: 'k | trials(tr) ~ 1 + (1|g) + (1|h)', family: 'binomial', centred: ['h'] },
  // Shear: centred h (3 levels) and g (5 levels) sampled as totals over the g:h effects.
  {
    formula: 'y ~ 1 + (1|g) + (1|h) + (1|g:h)',
    family: 'student',
    centred: ['g', 'h'],
    shear: true,
  },
  {
    formula: 'k | trials(tr) ~ 1 + x + (1|g) + (1|h) + (1|g:h)',
    family: 'binomial',
    centred: ['g', 'h', 'g:h'],
    shear: true,
  },
];

describe('analytic gradient == central finite differences', () => {
  for (const c of cases) {
    for (const ss of [true, false]) {
      it(`${c.family}: ${c.formula}${ss ? '' : ' (no sufficient statistics)'}`, () => {
        const m = compileModel(
          {
            formula: c.formula,
            family: c.family,
            priors: c.priors ?? [],
            ...(c.centred ? { centred: c.centred } : {}),
          },
          table,
          { sufficientStats: ss, shear: c.shear ?? false },
        );
        if (c.centred) expect(m.internals.centred.sort()).toEqual([...c.centred].sort());
        if (c.shear) expect(m.parameterNames.some((p) => p.startsWith('total_'))).toBe(true);
        if (c.marginal && ss) expect(m.internals.marginal).toBe(c.marginal);
        if (!c.marginal && c.centred?.includes('g') && c.formula.includes('(1|g:h)') && !c.shear)
          expect(m.parameterNames).toContain('mean_total_g/sd');
        const grad = new Float64Array(m.dim);
        const scratch = new Float64Array(m.dim);
        fc.assert(
          fc.property(
            fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), {
              minLength: m.dim,
              maxLength: m.dim,
            }),
            (arr) => {
              const theta = Float64Array.from(arr);
              const lp = m.logDensityGradient(theta, grad);
              expect(Number.isFinite(lp)).toBe(true);
              const num = numericGradient((t) => m.logDensityGradient(t, scratch), theta, 1e-5);
              for (let i = 0; i < m.dim; i++) {
                // Central differences with h = 1e-5 have truncation error ~h^2 * f''' and rounding
                // error ~1e-16 * |lp| / h (|lp| < 1e4 here), both well below 1e-5 relative.
                expect(Math.abs(grad[i] - num[i])).toBeLessThan(1e-5 * (1 + Math.abs(num[i])));
              }
            },
          ),
          { numRuns: 15, seed: 4242 },
        );
      });
    }
  }

  it('sufficient statistics give the same log density differences and gradient as raw rows', () => {
    // student, beta and beta_binomial keep one cell per row either way
    const rowFamilies = ['student', 'beta', 'beta_binomial'];
    for (const c of cases.filter((q) => !rowFamilies.includes(q.family))) {
      const spec = {
        formula: c.formula,
        family: c.family,
        priors: c.priors ?? [],
        centred: c.centred ?? [],
      };
      // Same coordinates in both: no cell-weighted shift or shear, no marginalization.
      // (standardize: false because its scales use the within-cell sd, which raw rows lack.)
      const same = {
        shiftIntercept: false,
        shear: false,
        marginalize: false,
        standardize: false,
      } as const;
      const a = compileModel(spec, table, { ...same, sufficientStats: true });
      const b = compileModel(spec, table, { ...same, sufficientStats: false });
      const t1 = new Float64Array(a.dim).map((_, i) => Math.sin(i + 1));
      const t2 = new Float64Array(a.dim).map((_, i) => Math.cos(2 * i));
      const ga = new Float64Array(a.dim);
      const gb = new Float64Array(a.dim);
      const da = a.logDensityGradient(t1, ga) - a.logDensityGradient(t2, ga);
      const db = b.logDensityGradient(t1, gb) - b.logDensityGradient(t2, gb);
      // Same density up to a constant: differences agree to rounding (1e-9 relative).
      expect(Math.abs(da - db)).toBeLessThan(1e-9 * (1 + Math.abs(db)));
      for (let i = 0; i < a.dim; i++)
        expect(Math.abs(ga[i] - gb[i])).toBeLessThan(1e-9 * (1 + Math.abs(gb[i])));
    }
  });
});
