import { describe, expect, it } from 'vitest';
import { mad, median, medianSorted, sortedCopy } from '../../src/math/quantile.js';

/** The sort-based definition the selection must reproduce to the bit (R's median). */
const sortedMedian = (x: ArrayLike<number>) => medianSorted(sortedCopy(x));

describe('median and mad by selection equal the sort-based values exactly', () => {
  it('random, tied, signed-zero and NaN samples of odd and even length', () => {
    let s = 12345;
    const u = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const cases: number[][] = [[], [1], [2, 1], [0, -0], [-0, 0, -0], [-0, 0], [0, -0, 1, -1]];
    for (let n = 1; n <= 60; n++) {
      cases.push(Array.from({ length: n }, () => u() - 0.5));
      cases.push(Array.from({ length: n }, () => Math.floor(u() * 3))); // heavy ties
      cases.push(Array.from({ length: n }, () => (u() < 0.5 ? -0 : u() < 0.5 ? 0 : u() - 0.5)));
      cases.push(Array.from({ length: n }, () => (u() < 0.2 ? Number.NaN : u())));
    }
    cases.push(Array.from({ length: 100_001 }, () => Math.round(u() * 20) / 10)); // 0/0.1 steps
    for (const c of cases) {
      // toBe is Object.is: -0 and +0 differ, NaN equals NaN
      expect(median(c)).toBe(sortedMedian(c));
      const med = sortedMedian(c);
      const dev = Float64Array.from(c, (v) => Math.abs(v - med));
      expect(mad(c)).toBe(1.4826 * sortedMedian(dev));
    }
  });
});
