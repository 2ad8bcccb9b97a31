import { describe, expect, it } from 'vitest';
import { centred, crossCovariance, variance } from '../../src/math/moments.js';

describe('centred and crossCovariance', () => {
  it('give the sample covariance of two series (divisor n - 1), and the variance on the diagonal', () => {
    // numpy.cov([1, 2, 4, 8], [3, 1, 4, 1])[0, 1] = -1.5833333333333333 (-19/12)
    const a = centred(Float64Array.of(1, 2, 4, 8));
    const b = centred(Float64Array.of(3, 1, 4, 1));
    expect(crossCovariance(a, b)).toBeCloseTo(-19 / 12, 14);
    expect(crossCovariance(a, a)).toBeCloseTo(variance(Float64Array.of(1, 2, 4, 8)), 14);
  });

  it('centres a window of a longer array', () => {
    expect([...centred(Float64Array.of(9, 1, 2, 3, 9), 1, 3)]).toEqual([-1, 0, 1]);
  });
});
