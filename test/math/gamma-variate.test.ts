import { describe, expect, it } from 'vitest';
import { gammaVariate } from '../../src/math/gamma-variate.js';
import { createRng } from '../../src/math/rng.js';

describe('gammaVariate', () => {
  it('has mean shape and variance shape, below and above shape 1 (the boost and the main method)', () => {
    const K = 40000;
    for (const shape of [0.3, 1, 2.5, 40]) {
      const rng = createRng(17, Math.round(shape * 10));
      let s = 0;
      let s2 = 0;
      for (let k = 0; k < K; k++) {
        const x = gammaVariate(shape, rng);
        s += x;
        s2 += x * x;
      }
      const m = s / K;
      const v = s2 / K - m * m;
      // 4 Monte Carlo standard errors: se(mean) = sqrt(shape / K); se(sample variance) =
      // sqrt((mu4 - sigma^4) / K) with mu4 = 3 shape^2 + 6 shape for Gamma(shape, 1)
      expect(Math.abs(m - shape)).toBeLessThan(4 * Math.sqrt(shape / K));
      expect(Math.abs(v - shape)).toBeLessThan(4 * Math.sqrt((2 * shape * shape + 6 * shape) / K));
    }
  });
});
