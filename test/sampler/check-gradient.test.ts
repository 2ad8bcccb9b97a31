import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createRng } from '../../src/math/rng.js';
import { checkGradient } from '../../src/sampler/check-gradient.js';
import type { LogDensity } from '../../src/sampler/types.js';
import { correlated2d, funnel } from './helpers/models.js';
import { eightSchools, kidiq, loadFixture, radon, seeds } from './helpers/posteriordb.js';

describe('checkGradient', () => {
  it('accepts correct gradients (test models and the hand-written posteriordb models)', () => {
    const models: LogDensity[] = [
      correlated2d(0.9),
      funnel(5),
      eightSchools(loadFixture('eight_schools-eight_schools_noncentered.json')),
      seeds(loadFixture('seeds_data-seeds_stanified_model.json')),
      radon(loadFixture('radon_mn-radon_hierarchical_intercept_noncentered.json')),
      kidiq(loadFixture('kidiq-kidscore_momhsiq.json')),
    ];
    const rng = createRng(4, 0);
    for (const m of models) {
      for (let rep = 0; rep < 3; rep++) {
        const theta = Array.from({ length: m.dim }, () => rng.uniform() - 0.5);
        if (m.dim === 4) theta[3] += 3; // kidiq: sigma near 20 keeps the numbers moderate
        const r = checkGradient(m, theta);
        // central differences with h = 1e-6 are accurate to ~1e-7 relative for smooth O(1..1e4) densities
        expect(r.maxRelError).toBeLessThan(1e-5);
      }
    }
  });

  it('flags a wrong gradient', () => {
    const wrong: LogDensity = {
      dim: 2,
      logDensityGradient(t, g) {
        g[0] = -t[0];
        g[1] = -2 * t[1]; // should be -t[1]
        return -0.5 * (t[0] ** 2 + t[1] ** 2);
      },
    };
    const r = checkGradient(wrong, [0.5, 1]);
    expect(r.maxAbsError).toBeGreaterThan(0.9);
    expect(r.numeric[1]).toBeCloseTo(-1, 6);
    expect(r.analytic[1]).toBe(-2);
  });

  it('names the bad input', () => {
    expect(() => checkGradient(correlated2d(0.5), [1])).toThrow(ConfigError);
    expect(() => checkGradient(correlated2d(0.5), [1])).toThrow(/theta/);
  });
});
