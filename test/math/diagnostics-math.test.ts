import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argsort } from '../../src/math/argsort.js';
import { betaQuantile } from '../../src/math/beta-quantile.js';
import { fft, fftPlan, nextPow2 } from '../../src/math/fft.js';
import { mean, variance } from '../../src/math/moments.js';
import { normalQuantile } from '../../src/math/normal-quantile.js';
import {
  interpolate7,
  mad,
  median,
  medianSorted,
  quantileSorted,
  sortedCopy,
} from '../../src/math/quantile.js';

// Reference values printed by R 4 (`sprintf("%.17g", ...)`): qnorm, qbeta, quantile(type = 7).
const QNORM: [number, number][] = [
  [1e-20, -9.2623400897984052],
  [1e-10, -6.3613409024040557],
  [0.001, -3.0902323061678132],
  [0.02425, -1.9729610513118845],
  [0.1, -1.2815515655446008],
  [0.3, -0.52440051270804067],
  [0.5, 0],
  [0.7, 0.52440051270804067],
  [0.975, 1.9599639845400536],
  [0.999, 3.0902323061678132],
  [1 - 1e-10, 6.3613408896974208],
];

const QBETA: [number, number, number, number][] = [
  [0.1586553, 21, 381, 0.041217627138297457],
  [0.8413447, 21, 381, 0.063263548417017312],
  [0.1586553, 198.60000000000002, 3755.3999999999996, 0.046756657801737996],
  [0.8413447, 1.5, 1.5, 0.78424670746455349],
  [0.1586553, 500.5, 500.5, 0.4841965164487545],
  [0.8413447, 9.4, 1.6, 0.95244403261074517],
  [0.01, 0.5, 2, 4.4445761385159041e-5],
  [0.99, 200, 3, 0.99783295266385108],
];

function rel(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
}

describe('normalQuantile (AS 241)', () => {
  it('matches R qnorm', () => {
    // 1e-15: AS 241 is accurate to about 1e-16; R uses the same algorithm in this range.
    for (const [p, q] of QNORM) expect(rel(normalQuantile(p), q), `p=${p}`).toBeLessThan(1e-15);
  });
  it('edge values', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(Number.NaN)).toBeNaN();
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
  });
  it('is antisymmetric', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.25, max: 0.5, noNaN: true }), (p) => {
        // 1e-14: 1 - p is rounded by at most 2^-54 and dq/dp <= 3.2 on [0.25, 0.75], so the
        // two sides may differ by ~1e-15 (outside this range 1 - p loses relative precision)
        expect(Math.abs(normalQuantile(1 - p) + normalQuantile(p))).toBeLessThan(1e-14);
      }),
      { seed: 1 },
    );
  });
});

describe('betaQuantile', () => {
  it('matches R qbeta', () => {
    // 1e-9: mcse_quantile only needs floor/ceil(a * S) right for S up to ~1e6; @stdlib's
    // inverse incomplete beta is accurate to ~1e-14 here, so this leaves margin.
    for (const [p, a, b, q] of QBETA) {
      expect(rel(betaQuantile(p, a, b), q), `qbeta(${p}, ${a}, ${b})`).toBeLessThan(1e-9);
    }
  });
  it('NaN in, NaN out', () => {
    expect(betaQuantile(0.5, Number.NaN, 2)).toBeNaN();
  });
});

describe('type-7 quantile, median', () => {
  const x = [3.1, -2, 7.5, 0.25, 11, -4.75, 2, 2];
  it('matches R quantile(type = 7)', () => {
    const s = sortedCopy(x);
    const probs = [0, 0.05, 0.1, 0.5, 0.95, 1, 1 / 3];
    const r = [
      -4.75, -3.7874999999999996, -2.8249999999999993, 2, 9.7749999999999986, 11,
      0.83333333333333282,
    ];
    // Exact: the same formula in R's order (1-based index, (1-g) x_lo + g x_hi). p = 0.1 is the
    // case where the 0-based (n-1)p would round differently and miss R by one ulp.
    probs.forEach((p, i) => {
      expect(quantileSorted(s, p)).toBe(r[i]);
    });
  });
  it('gives the tied value itself between equal order statistics, as R does', () => {
    // R's quantile.default interpolates only where x[hi] != x[lo]: quantile(c(.1, .1, .1, .7), .3)
    // is 0.1 exactly, where 0.7 * 0.1 + 0.3 * 0.1 would be 0.09999999999999999.
    expect(quantileSorted(sortedCopy([0.7, 0.1, 0.1, 0.1]), 0.3)).toBe(0.1);
    expect(interpolate7(0.1, 0.1, 0.3)).toBe(0.1);
    expect(interpolate7(1, 2, 0.25)).toBe(1.25);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });
  it("median and mad of unsorted samples, as R's median() and mad()", () => {
    // R: median(c(3.1, -2, 7.5, 0.25, 11, -4.75, 2, 2)) = 2; mad(...) = 1.4826 * 2.875 = 4.262475
    // (the absolute deviations' middle values 1.75 and 4 are exact in binary, so the only rounding
    // is the final product: 1e-15 relative).
    const x = [3.1, -2, 7.5, 0.25, 11, -4.75, 2, 2];
    expect(median(x)).toBe(2);
    expect(rel(mad(x), 1.4826 * 2.875)).toBeLessThan(1e-15);
    expect(mad([1, 2, 3, 4, 100])).toBe(1.4826);
    expect(median([])).toBeNaN();
  });
  it('median of odd and even samples', () => {
    expect(medianSorted(sortedCopy([5, 1, 3]))).toBe(3);
    expect(medianSorted(sortedCopy([5, 1, 3, 2]))).toBe(2.5);
    expect(medianSorted(new Float64Array(0))).toBeNaN();
  });
});

describe('moments', () => {
  it('mean and variance', () => {
    expect(mean(new Float64Array([1, 2, 3, 4]))).toBe(2.5);
    expect(variance(new Float64Array([1, 2, 3, 4]))).toBeCloseTo(5 / 3, 15);
    expect(variance(new Float64Array([1]))).toBeNaN();
  });
});

describe('fft', () => {
  it('nextPow2', () => {
    expect(nextPow2(1)).toBe(1);
    expect(nextPow2(1000)).toBe(1024);
    expect(nextPow2(1024)).toBe(1024);
  });
  it('rejects non powers of two', () => {
    expect(() => fftPlan(12)).toThrow(RangeError);
  });
  it('agrees with a direct DFT and inverts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 128, maxLength: 128 }),
        (k, vals) => {
          const n = 2 ** k;
          const re = Float64Array.from(vals.slice(0, n));
          const im = Float64Array.from(vals.slice(64, 64 + n));
          const re0 = re.slice();
          const im0 = im.slice();
          fft(fftPlan(n), re, im);
          for (let f = 0; f < n; f++) {
            let sr = 0;
            let si = 0;
            for (let j = 0; j < n; j++) {
              const a = (-2 * Math.PI * f * j) / n;
              sr += re0[j] * Math.cos(a) - im0[j] * Math.sin(a);
              si += re0[j] * Math.sin(a) + im0[j] * Math.cos(a);
            }
            // 1e-9 absolute: |x| <= 10, n <= 64, so sums are <= 640 and rounding is ~1e-13.
            expect(Math.abs(re[f] - sr)).toBeLessThan(1e-9);
            expect(Math.abs(im[f] - si)).toBeLessThan(1e-9);
          }
          fft(fftPlan(n), re, im, true);
          for (let j = 0; j < n; j++) {
            expect(Math.abs(re[j] / n - re0[j])).toBeLessThan(1e-9);
            expect(Math.abs(im[j] / n - im0[j])).toBeLessThan(1e-9);
          }
        },
      ),
      { seed: 42, numRuns: 50 },
    );
  });
});

describe('argsort', () => {
  it('is a stable ascending order, including -0, +-Inf and ties', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ noNaN: true }),
            fc.constantFrom(0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          ),
          { maxLength: 300 },
        ),
        (vals) => {
          const x = Float64Array.from(vals);
          const o = argsort(x);
          expect(Array.from(o).sort((a, b) => a - b)).toEqual(vals.map((_, i) => i));
          for (let i = 1; i < o.length; i++) {
            const a = x[o[i - 1]];
            const b = x[o[i]];
            expect(a <= b).toBe(true);
            if (a === b) expect(o[i - 1]).toBeLessThan(o[i]);
          }
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});
