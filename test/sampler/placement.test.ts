import { describe, expect, it } from 'vitest';
import {
  estimateChainSeconds,
  placeChains,
  QUICK_CHAIN_SECONDS,
} from '../../src/sampler/sample.js';
import { stdNormal } from './helpers/models.js';

describe('placeChains: contiguous blocks, the first on the calling thread', () => {
  it('splits the chains over the threads, this one counted', () => {
    expect(placeChains(4, 2)).toEqual({ local: [0, 1], groups: [[2, 3]] });
    expect(placeChains(4, 1)).toEqual({ local: [0, 1, 2, 3], groups: [] });
    expect(placeChains(4, 4)).toEqual({ local: [0], groups: [[1], [2], [3]] });
    expect(placeChains(3, 2)).toEqual({ local: [0], groups: [[1, 2]] });
    expect(placeChains(5, 3)).toEqual({
      local: [0],
      groups: [
        [1, 2],
        [3, 4],
      ],
    });
  });

  it('never more threads than chains; "each" puts every chain on a worker and none here', () => {
    expect(placeChains(2, 8)).toEqual({ local: [0], groups: [[1]] });
    expect(placeChains(3, 'each')).toEqual({ local: [], groups: [[0], [1], [2]] });
  });
});

describe('estimateChainSeconds', () => {
  it('a cheap gradient is estimated far below the bar; a slow one above it', () => {
    // ~0.1 µs a gradient: ~3 ms a chain, so even 100x slower on a loaded machine stays below a tenth
    expect(estimateChainSeconds(stdNormal(3), null, 2000)).toBeLessThan(QUICK_CHAIN_SECONDS / 10);
    // a gradient that takes >= 2 ms (busy wait): 2000 iterations x 16 steps x 2 ms = 64 s at least
    const slow = {
      dim: 1,
      logDensityGradient(t: Float64Array, g: Float64Array) {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // busy: the model's own work
        }
        g[0] = -t[0];
        return -0.5 * t[0] * t[0];
      },
    };
    expect(estimateChainSeconds(slow, null, 2000)).toBeGreaterThan(QUICK_CHAIN_SECONDS);
  });
});
