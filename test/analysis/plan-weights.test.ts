import { describe, expect, it } from 'vitest';
import {
  gpdShape,
  paretoKhat,
  truncatedWeights,
  weightEss,
} from '../../src/analysis/plan-weights.js';
import { createNormalRng } from '../../src/analysis/random.js';

/** n sorted draws of a generalized Pareto distribution with shape k, scale 1 (inverse cdf). */
function gpdSample(k: number, n: number, seed: number): Float64Array {
  const rng = createNormalRng(seed);
  return Float64Array.from({ length: n }, () => ((1 - rng.uniform()) ** -k - 1) / k).sort();
}

describe('Pareto k-hat (Zhang & Stephens 2009, as in PSIS)', () => {
  it.each([0.2, 0.5, 0.9])('recovers the shape %f of generalized Pareto draws', (k) => {
    // 4,000 draws: the estimate's sd is about (1 + k) / sqrt(n) <= 0.03; 0.12 is 4 of those
    expect(Math.abs(gpdShape(gpdSample(k, 4000, 17)) - k)).toBeLessThan(0.12);
  });

  it('flags heavy-tailed weights and passes light-tailed ones', () => {
    const rng = createNormalRng(5);
    const S = 4000;
    // log weights normal(0, 0.5): lognormal weights, a light tail (k-hat well below 0.7)
    const light = Float64Array.from({ length: S }, () => 0.5 * rng.normal());
    expect(paretoKhat(light)).toBeLessThan(0.5);
    // weights Pareto with tail index 1/1.2: k = 1.2, infinite variance
    const heavy = Float64Array.from({ length: S }, () => 1.2 * -Math.log(1 - rng.uniform()));
    expect(paretoKhat(heavy)).toBeGreaterThan(0.9);
  });

  it('returns -Infinity for equal weights (no tail at all)', () => {
    expect(paretoKhat(new Float64Array(1000))).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('importance weights', () => {
  it('ESS of equal weights is their number, of one weight 1', () => {
    expect(weightEss(Float64Array.of(2, 2, 2, 2))).toBe(4);
    expect(weightEss(Float64Array.of(0, 0, 5, 0))).toBe(1);
  });

  it('truncates weights at mean(w) sqrt(S) (Ionides 2008)', () => {
    const S = 100;
    const lw = new Float64Array(S);
    lw[0] = 50; // one weight e^50 times the others
    const w = new Float64Array(S);
    const sum = truncatedWeights(lw, w);
    // before truncation the mean is ~ w0 / S, so the cap is ~ w0 sqrt(S) / S = w0 / 10
    const max = 1; // weights are scaled by the largest
    expect(w[0]).toBeCloseTo((max + 99 * Math.exp(-50)) / Math.sqrt(S), 12);
    expect(sum).toBeCloseTo(w[0] + 99 * Math.exp(-50), 12);
  });
});
