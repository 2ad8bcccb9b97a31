import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import { gammaln } from '../../src/math/stdlib.js';
import { compileModel } from '../../src/model/compile.js';
import { betaBinomialLogPmf } from '../../src/model/likelihood.js';
import { pointwiseLogLik, type VariableDraws } from '../../src/model/log-lik.js';
import { posteriorPredict } from '../../src/model/predict.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { makeTable, numericGradient } from './helpers.js';
import { type BrmsCase, checkAgainstReference, fitReferenceCase } from './reference-check.js';

/**
 * The beta_binomial family (src/model/likelihood.ts): its pmf against an independent computation
 * (numerical integration of binomial x beta, and R's extraDistr::dbbinom), the model's log density
 * and pointwise log-likelihood against the pmf, its replications' moments, and a fit against brms
 * 2.18 (fixtures/beta-binomial/brms.R). The gradient is checked with the other families in
 * gradient.test.ts.
 */

const dir = new URL('../../fixtures/beta-binomial/', import.meta.url).pathname;
const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** log of the binomial x Beta(a, b) integral over p in (0, 1) by composite Simpson, m intervals. */
function integratedLogPmf(k: number, n: number, a: number, b: number, m: number): number {
  const logChoose = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
  const logBeta = gammaln(a) + gammaln(b) - gammaln(a + b);
  const f = (p: number) =>
    p <= 0 || p >= 1
      ? 0
      : Math.exp(
          logChoose + (k + a - 1) * Math.log(p) + (n - k + b - 1) * Math.log1p(-p) - logBeta,
        );
  const h = 1 / m;
  let s = f(0) + f(1);
  for (let i = 1; i < m; i++) s += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return Math.log((s * h) / 3);
}

describe('beta_binomial pmf', () => {
  it('equals the binomial x beta integral (Simpson, exponents of p and 1 - p >= 4: smooth)', () => {
    for (const [k, n, mu, phi] of [
      [0, 10, 0.5, 12],
      [3, 10, 0.4, 10],
      [10, 10, 0.8, 40],
      [37, 96, 0.45, 30],
      [90, 96, 0.9, 200],
    ]) {
      const want = integratedLogPmf(k, n, mu * phi, (1 - mu) * phi, 20000);
      // Simpson's error with 20,000 intervals on these smooth integrands is far below 1e-9
      // relative; 1e-8 leaves room for the rounding of gammaln
      expect(Math.abs(betaBinomialLogPmf(k, n, logit(mu), phi) - want)).toBeLessThan(1e-8);
    }
  });

  it("equals R's extraDistr::dbbinom, including phi < 1 and k at 0 or n", () => {
    const ref = JSON.parse(readFileSync(`${dir}dbbinom.json`, 'utf8')) as {
      rows: { k: number; n: number; mu: number; phi: number; logp: number }[];
    };
    expect(ref.rows.length).toBeGreaterThan(70);
    for (const r of ref.rows) {
      const got = betaBinomialLogPmf(r.k, r.n, logit(r.mu), r.phi);
      // two implementations of the same lgamma sums (R's lbeta vs @stdlib's gammaln): rounding
      // only, ~1e-13 per term on terms of size up to ~300 here
      expect(Math.abs(got - r.logp), `k ${r.k} n ${r.n} mu ${r.mu} phi ${r.phi}`).toBeLessThan(
        1e-9 * (1 + Math.abs(r.logp)),
      );
    }
  });

  it('sums to one over k = 0..n and tends to the binomial as phi grows', () => {
    for (const [n, mu, phi] of [
      [1, 0.3, 0.5],
      [20, 0.7, 3],
      [384, 0.02, 0.1],
    ]) {
      let total = 0;
      for (let k = 0; k <= n; k++) total += Math.exp(betaBinomialLogPmf(k, n, logit(mu), phi));
      // a sum of at most 385 terms: rounding only
      expect(Math.abs(total - 1)).toBeLessThan(1e-10);
    }
    const binom = (k: number, n: number, p: number) =>
      gammaln(n + 1) -
      gammaln(k + 1) -
      gammaln(n - k + 1) +
      k * Math.log(p) +
      (n - k) * Math.log1p(-p);
    // Var / binomial Var = 1 + (n - 1) / (phi + 1): at phi = 1e7 and n = 50 the pmf differs from the
    // binomial's by ~n^2 / phi ~ 2.5e-4 relative at most
    expect(Math.abs(betaBinomialLogPmf(12, 50, logit(0.3), 1e7) - binom(12, 50, 0.3))).toBeLessThan(
      1e-3,
    );
  });
});

describe('beta_binomial model', () => {
  const K = [3, 9, 0, 20, 5];
  const N = [10, 10, 20, 20, 7];
  const table = makeTable({ g: ['a', 'a', 'b', 'b', 'c'], k: K, n: N });
  const spec: ModelSpec = {
    formula: 'k | trials(n) ~ 1 + (1|g)',
    family: 'beta_binomial',
    priors: ['Intercept ~ normal(0, 2)', 'sd ~ normal(0, 1)', 'phi ~ gamma(2, 0.1)'],
  };

  it('has log(phi) as a coordinate and phi as a variable, with the gamma(0.01, 0.01) default', () => {
    const m = compileModel(spec, table);
    expect(m.parameterNames).toContain('log(phi)');
    expect(m.variableNames).toContain('phi');
    const d = compileModel({ formula: 'k | trials(n) ~ 1', family: 'beta_binomial' }, table);
    expect(d.priors.find((p) => p.class === 'phi')?.prior).toBe('gamma(0.01, 0.01)');
    expect(d.priors.find((p) => p.class === 'Intercept')?.prior).toBe('student_t(3, 0, 2.5)');
  });

  it('log density differences equal the pmf differences (no group terms, flat prior on eta)', () => {
    // counts above 100 and phi above 1e6 take @stdlib's gammaln and digamma (lgammaStep), the
    // others the exact sums: both against the pmf written with gammaln alone
    const K2 = [...K, 150, 299];
    const N2 = [...N, 300, 300];
    const t = makeTable({ k: K2, n: N2 });
    const m = compileModel(
      {
        formula: 'k | trials(n) ~ 1',
        family: 'beta_binomial',
        priors: ['Intercept ~ flat', 'phi ~ gamma(2, 0.1)'],
      },
      t,
    );
    const grad = new Float64Array(m.dim);
    expect(m.parameterNames).toEqual(['Intercept', 'log(phi)']);
    const lpOf = (eta: number, phi: number) => {
      const theta = Float64Array.of(eta, Math.log(phi));
      return m.logDensityGradient(theta, grad);
    };
    const want = (eta: number, phi: number) => {
      let s = 0;
      for (let i = 0; i < K2.length; i++) s += betaBinomialLogPmf(K2[i], N2[i], eta, phi);
      // the gamma(2, 0.1) prior on phi and the log Jacobian of phi = exp(u)
      return s + Math.log(phi) - 0.1 * phi + Math.log(phi);
    };
    for (const [e1, p1, e2, p2] of [
      [0.3, 4, -1.1, 35],
      [1.2, 3e6, -0.4, 0.02],
    ]) {
      const got = lpOf(e1, p1) - lpOf(e2, p2);
      // lgamma terms of size up to ~5e7 (phi 3e6) cancel in both: ~1e-16 x 5e7 x 30 terms of
      // rounding, far below 1e-6
      expect(Math.abs(got - (want(e1, p1) - want(e2, p2)))).toBeLessThan(1e-6);
    }
  });

  it('gradient == central differences where the counts take @stdlib (above 100) and the sums', () => {
    // gradient.test.ts checks the family on counts below 10; here 0, 40, 150 and 299 of 300
    const t = makeTable({ g: ['a', 'a', 'b', 'b'], k: [0, 40, 150, 299], n: [300, 300, 300, 300] });
    const m = compileModel({ ...spec, formula: 'k | trials(n) ~ 1 + (1|g)' }, t);
    const grad = new Float64Array(m.dim);
    const scratch = new Float64Array(m.dim);
    for (const [shift, logPhi] of [
      [0.3, 1.5],
      [-0.7, 5],
      [0.1, 15],
    ]) {
      const theta = new Float64Array(m.dim).map((_, i) => shift + 0.3 * Math.sin(i + 1));
      theta[m.parameterNames.indexOf('log(phi)')] = logPhi;
      m.logDensityGradient(theta, grad);
      const num = numericGradient((x) => m.logDensityGradient(x, scratch), theta, 1e-5);
      for (let i = 0; i < m.dim; i++) {
        // central differences, h = 1e-5: truncation ~h^2 f''' and rounding ~1e-16 |lp| / h with
        // |lp| up to ~1e3 (phi = e^15: lgamma terms ~5e7 that cancel, ~1e-16 x 5e7 / h = 5e-4)
        const tol = logPhi > 10 ? 2e-3 : 1e-5;
        expect(Math.abs(grad[i] - num[i]), m.parameterNames[i]).toBeLessThan(
          tol * (1 + Math.abs(num[i])),
        );
      }
    }
  });

  it('pointwise log-likelihood is the pmf at each row, and replications have its moments', () => {
    const m = compileModel(spec, table);
    const vars = m.variableNames;
    const at = (v: string) =>
      v === 'phi' ? 7 : v === 'b_Intercept' ? 0.4 : v.startsWith('sd_') ? 0.5 : 0.1 * v.length;
    const draws: VariableDraws = {
      nDraws: 1,
      nChains: 1,
      variables: vars,
      values: Float64Array.from(vars.map(at)),
    };
    const ll = pointwiseLogLik(spec, table, draws);
    expect(ll.pointwise).toBe('conditional');
    for (let i = 0; i < 5; i++) {
      const g = ['a', 'a', 'b', 'b', 'c'][i];
      const eta = 0.4 + at(`r_g[${g},Intercept]`);
      const want = betaBinomialLogPmf(K[i], N[i], eta, 7);
      // the same function of the same numbers, summed in another order: rounding only
      expect(Math.abs(ll.values[i] - want)).toBeLessThan(1e-10);
    }
    // posteriorPredict at one theta: mean n mu, variance n mu (1 - mu) (phi + n) / (phi + 1)
    const theta = new Float64Array(m.dim).map((_, i) => 0.2 * Math.sin(i + 1));
    const eta = new Float64Array(5);
    m.internals.rowEta(theta, eta);
    const phi = m.internals.familyParams(theta).phi;
    const rng = createRng(11, 0);
    const R = 20000;
    const sum = new Float64Array(5);
    const sum2 = new Float64Array(5);
    for (let r = 0; r < R; r++) {
      const y = posteriorPredict(m, theta, rng);
      for (let i = 0; i < 5; i++) {
        sum[i] += y[i];
        sum2[i] += y[i] * y[i];
      }
    }
    for (let i = 0; i < 5; i++) {
      const n = N[i];
      const mu = logistic(eta[i]);
      const v = (n * mu * (1 - mu) * (phi + n)) / (phi + 1);
      const mean = sum[i] / R;
      const varHat = sum2[i] / R - mean * mean;
      // 5 Monte Carlo standard errors of the mean (sd sqrt(v / R)) and of the variance (its sd is
      // below sqrt(2 / R) v (1 + kurtosis excess), 3 v / sqrt(R) used here)
      expect(Math.abs(mean - n * mu)).toBeLessThan(5 * Math.sqrt(v / R));
      expect(Math.abs(varHat - v)).toBeLessThan(5 * ((3 * v) / Math.sqrt(R)));
    }
  });

  it('rejects counts outside [0, trials] with the row', () => {
    const bad = makeTable({ k: [1, 11], n: [10, 10] });
    expect(() =>
      compileModel({ formula: 'k | trials(n) ~ 1', family: 'beta_binomial' }, bad),
    ).toThrow(/row 2: beta_binomial response 'k' must be an integer in \[0, 10\]/);
  });
});

describe('beta_binomial against brms (fixtures/beta-binomial/counts.json)', () => {
  it('gives the posterior of brms 2.18 beta_binomial() with the same formula and priors', async () => {
    const meta = JSON.parse(readFileSync(`${dir}counts.json`, 'utf8')) as BrmsCase;
    const result = await fitReferenceCase(dir, meta, 20261204);
    const reference = Object.fromEntries(meta.variables.map((v) => [v.variable, v]));
    // 4 MCSEs on every mean, 10% on every sd (the rule of docs/ARCHITECTURE.md "Testing rules")
    checkAgainstReference(result, reference, {});
    // brms's own reference run had 2 divergent transitions in 20,000 at this adapt_delta (its
    // JSON's "reference"): a few are the posterior's small-sd corner, not a wrong density; more
    // than 0.1% of the 8,000 would be
    expect(result.summary.sampler?.divergent ?? 0).toBeLessThanOrEqual(8);
  });
});
