import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/math/rng.js';
import { leapfrog } from '../../src/sampler/leapfrog.js';
import { createMetric } from '../../src/sampler/metric.js';
import {
  createHmcState,
  createNutsInfo,
  createNutsWorkspace,
  nutsTransition,
} from '../../src/sampler/nuts.js';
import { correlated2d, diagNormal } from './helpers/models.js';

const finite = (lo: number, hi: number) =>
  fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });

describe('properties (fast-check, fixed seed)', () => {
  it('leapfrog is reversible for any start, step size, step count and diagonal metric', () => {
    const model = diagNormal([0.5, 2, 1]);
    fc.assert(
      fc.property(
        fc.array(finite(-3, 3), { minLength: 3, maxLength: 3 }),
        fc.array(finite(-3, 3), { minLength: 3, maxLength: 3 }),
        fc.array(finite(0.1, 5), { minLength: 3, maxLength: 3 }),
        finite(0.01, 0.4),
        fc.integer({ min: 1, max: 40 }),
        (q0, p0, minv, eps, n) => {
          const metric = createMetric('diag', Float64Array.from(minv));
          const q = Float64Array.from(q0);
          const p = Float64Array.from(p0);
          const g = new Float64Array(3);
          const v = new Float64Array(3);
          model.logDensityGradient(q, g);
          for (let i = 0; i < n; i++) leapfrog(model, metric, q, p, g, v, eps);
          for (let i = 0; i < 3; i++) p[i] = -p[i];
          for (let i = 0; i < n; i++) leapfrog(model, metric, q, p, g, v, eps);
          for (let i = 0; i < 3; i++) {
            // rounding only: a few ulps per step on values of size <= ~100 (stable step sizes)
            expect(Math.abs(q[i] - q0[i])).toBeLessThan(1e-9 * (1 + Math.abs(q0[i])));
            expect(Math.abs(-p[i] - p0[i])).toBeLessThan(1e-9 * (1 + Math.abs(p0[i])));
          }
        },
      ),
      { seed: 20261127, numRuns: 200 },
    );
  });

  it('NUTS invariants hold for any start, step size and depth limit (§2.4, §10)', () => {
    const model = correlated2d(0.8);
    const metric = createMetric('diag', new Float64Array([1, 1]));
    fc.assert(
      fc.property(
        finite(-4, 4),
        finite(-4, 4),
        finite(0.05, 3),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 1000 }),
        (x, y, eps, maxDepth, seed) => {
          const state = createHmcState(model, new Float64Array([x, y]));
          const ws = createNutsWorkspace(2, maxDepth);
          const info = createNutsInfo();
          nutsTransition(
            model,
            createRng(seed, 0),
            state,
            { stepSize: eps, metric, maxTreeDepth: maxDepth },
            ws,
            info,
          );
          expect(info.treeDepth).toBeLessThanOrEqual(maxDepth);
          expect(info.nLeapfrog).toBeGreaterThanOrEqual(2 ** info.treeDepth - 1);
          expect(info.nLeapfrog).toBeLessThanOrEqual(2 ** (info.treeDepth + 1) - 1);
          expect(info.acceptStat).toBeGreaterThanOrEqual(0);
          expect(info.acceptStat).toBeLessThanOrEqual(1);
          // lp is the density at the new position; energy = V(q) + T(p on the trajectory) >= V(q)
          const g = new Float64Array(2);
          expect(state.logDensity).toBe(
            model.logDensityGradient(Float64Array.from(state.position), g),
          );
          expect(info.energy).toBeGreaterThanOrEqual(-state.logDensity);
          if (info.treeDepth === maxDepth) {
            // every doubling up to the limit was accepted and no further one is built
            expect(info.nLeapfrog).toBe(2 ** maxDepth - 1);
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
