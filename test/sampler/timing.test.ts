import { describe, expect, it } from 'vitest';
import { sample, wallTiming } from '../../src/sampler/sample.js';
import type { LogDensity } from '../../src/sampler/types.js';

describe('wallTiming', () => {
  it('splits the wall clock by the summed per-chain phase times', () => {
    // 4 chains queued on 2 threads: each chain's own times sum to twice the wall clock.
    const t = wallTiming(10, [3, 3, 3, 3], [2, 2, 2, 2]);
    expect(t.warmupSeconds).toBeCloseTo(6, 12);
    expect(t.samplingSeconds).toBeCloseTo(4, 12);
    expect(t.warmupSeconds + t.samplingSeconds).toBeCloseTo(10, 12);
    expect(t.chainWarmupSeconds).toEqual([3, 3, 3, 3]);
  });

  it('splits evenly when no phase took measurable time', () => {
    const t = wallTiming(1, [0], [0]);
    expect(t.warmupSeconds).toBe(0.5);
  });

  it('fit timing covers the whole in-process run (chains run one after another there)', async () => {
    const normal: LogDensity = {
      dim: 3,
      logDensityGradient(theta, grad) {
        let lp = 0;
        for (let i = 0; i < 3; i++) {
          lp -= 0.5 * theta[i] * theta[i];
          grad[i] = -theta[i];
        }
        return lp;
      },
    };
    const fit = await sample(normal, { chains: 2, warmup: 200, draws: 200, seed: 3 });
    const own = [...fit.timing.chainWarmupSeconds!, ...fit.timing.chainSamplingSeconds!].reduce(
      (a, b) => a + b,
      0,
    );
    // In-process chains run sequentially, so the wall clock is at least the sum of their phases.
    expect(fit.timing.warmupSeconds + fit.timing.samplingSeconds).toBeGreaterThanOrEqual(own);
  });
});
