import { describe, expect, it } from 'vitest';
import {
  cjsDistance,
  powerScaleSensitivity,
  powerScaleWeights,
} from '../../src/diagnostics/powerscale.js';
import { normalQuantile } from '../../src/math/normal-quantile.js';
import { compileModel } from '../../src/model/compile.js';
import { logPriorDraws } from '../../src/model/log-prior.js';
import { sample } from '../../src/sampler/sample.js';
import { makeTable } from '../model/helpers.js';

/** CJS of ECDFs P, Q on bins of widths w, written out as in Nguyen & Vreeken (2015). */
function cjsByHand(P: number[], Q: number[], w: number[]): number {
  const log2 = Math.log2;
  let pq = 0;
  let qp = 0;
  let iP = 0;
  let iQ = 0;
  P.forEach((p, i) => {
    const q = Q[i];
    pq += w[i] * (p > 0 ? p * log2(p / ((p + q) / 2)) : 0);
    qp += w[i] * (q > 0 ? q * log2(q / ((p + q) / 2)) : 0);
    iP += w[i] * p;
    iQ += w[i] * q;
  });
  const div = pq + qp + (iQ - iP + iP - iQ) / (2 * Math.LN2);
  return Math.sqrt(div / (iP + iQ));
}

describe('cumulative Jensen-Shannon distance', () => {
  it('is 0 for the base weights and matches the definition on a small case', () => {
    const x = [0, 1, 3];
    expect(cjsDistance(x, [1, 1, 1])).toBe(0);
    const q = [0.5, 0.25, 0.25];
    // x: bins [0,1) and [1,3); -x: bins [-3,-1) and [-1,0) with the survival weights
    const up = cjsByHand([1 / 3, 2 / 3], [0.5, 0.75], [1, 2]);
    const down = cjsByHand([1 / 3, 2 / 3], [0.25, 0.5], [2, 1]);
    // the same arithmetic in another order: rounding only
    expect(Math.abs(cjsDistance(x, q) - Math.max(up, down))).toBeLessThan(1e-14);
    // order of the draws does not matter
    expect(Math.abs(cjsDistance([3, 0, 1], [0.25, 0.5, 0.25]) - cjsDistance(x, q))).toBeLessThan(
      1e-14,
    );
  });

  it('flags a quantity that follows the prior and not one that ignores it', () => {
    // 4000 "draws": theta = z (prior-driven), u = a permutation of z (independent of the prior)
    const S = 4000;
    const z = Float64Array.from({ length: S }, (_, i) => normalQuantile((i + 0.5) / S));
    const u = Float64Array.from({ length: S }, (_, i) => z[(i * 1597) % S]);
    // log prior N(0, 1) at theta and a flat likelihood
    const logPrior = z.map((v) => -0.5 * v * v);
    const res = powerScaleSensitivity(
      [
        { name: 'theta', draws: z },
        { name: 'u', draws: u },
      ],
      logPrior,
      new Float64Array(S),
    );
    const [theta, other] = res.quantities;
    // prior^alpha of N(0, 1) is N(0, 1/sqrt(alpha)): a scale change, clearly above 0.05
    expect(theta.prior).toBeGreaterThan(0.05);
    // a flat likelihood gives uniform weights; the CJS distance is the square root of a rounding-
    // level divergence (~1e-14), so ~1e-7
    expect(theta.likelihood).toBeLessThan(1e-6);
    // u is (nearly) independent of theta: only the permutation's residual correlation remains
    expect(other.prior).toBeLessThan(0.05);
  });
});

describe('power-scaling against a refit with the scaled prior', () => {
  // y ~ normal(mu, sigma), mu ~ normal(0, 1), sigma ~ exponential(1); three points far from the
  // prior mean, so the prior matters. Prior^0.5 is mu ~ normal(0, sqrt 2), sigma ~ exponential(0.5).
  const table = makeTable({ y: [1.8, 2.4, 3.1] });
  const base = { formula: 'y ~ 1', priors: ['Intercept ~ normal(0, 1)', 'sigma ~ exponential(1)'] };
  const scaled = {
    formula: 'y ~ 1',
    priors: ['Intercept ~ normal(0, 1.4142135623730951)', 'sigma ~ exponential(0.5)'],
  };
  const config = { chains: 4, warmup: 500, draws: 2500, seed: 5, parallel: false };

  it('the importance-weighted draws have the refit posterior mean and sd', async () => {
    const m0 = compileModel(base, table);
    const fit0 = await sample(m0, config);
    const fit1 = await sample(compileModel(scaled, table), config);
    const S = fit0.draws.nDraws * fit0.draws.nChains;
    const lp = logPriorDraws(base, table, m0.priors, fit0.draws);
    expect(lp.skipped).toEqual([]);
    const { weights, k } = powerScaleWeights(lp.values, 0.5);
    expect(k).toBeLessThan(0.7);
    let ess = 0;
    for (const w of weights) ess += w * w;
    ess = 1 / ess;
    for (const name of ['b_Intercept', 'sigma']) {
      const v0 = fit0.draws.variables.indexOf(name);
      const x0 = fit0.draws.values.subarray(v0 * S, (v0 + 1) * S);
      const x1 = fit1.draws.values.subarray(v0 * S, (v0 + 1) * S);
      let mw = 0;
      for (let s = 0; s < S; s++) mw += weights[s] * x0[s];
      let m1 = 0;
      for (let s = 0; s < S; s++) m1 += x1[s] / S;
      let v1 = 0;
      for (let s = 0; s < S; s++) v1 += (x1[s] - m1) ** 2 / (S - 1);
      let vw = 0;
      for (let s = 0; s < S; s++) vw += weights[s] * (x0[s] - mw) ** 2;
      // 4 standard errors of the difference of two means (weighted ESS 1/sum w^2, refit ESS taken
      // as S / 2 to allow for autocorrelation): a false alarm about 6e-5
      const se = Math.sqrt(vw / ess + v1 / (S / 2));
      expect(Math.abs(mw - m1), `${name} mean`).toBeLessThan(4 * se);
      // the scaled prior is wider: the refit moves away from the base fit
      let m0x = 0;
      for (let s = 0; s < S; s++) m0x += x0[s] / S;
      if (name === 'b_Intercept') expect(m1 - m0x).toBeGreaterThan(4 * se);
      // sd to 10%: its sampling error at these ESS is below 3%
      expect(Math.abs(Math.sqrt(vw) / Math.sqrt(v1) - 1), `${name} sd`).toBeLessThan(0.1);
    }
  });
});
