import { describe, expect, it } from 'vitest';
import { logAddExp, logSumExp } from '../../src/math/logsumexp.js';
import { createRng, forcedRng } from '../../src/math/rng.js';

describe('createRng (one MT19937 stream per (seed, chain))', () => {
  it('is reproducible and differs between chains and seeds', () => {
    const a = createRng(42, 0);
    const b = createRng(42, 0);
    const c = createRng(42, 1);
    const d = createRng(43, 0);
    const xa = Array.from({ length: 10 }, () => a.uniform());
    const xb = Array.from({ length: 10 }, () => b.uniform());
    expect(xa).toEqual(xb);
    expect(c.uniform()).not.toBe(xa[0]);
    expect(d.uniform()).not.toBe(xa[0]);
  });

  it('uniforms lie in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = createRng(7, 3);
    const n = 100000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
    }
    const m = s / n;
    // se of the mean: sqrt(1/12/n) ≈ 9e-4; 5 se
    expect(Math.abs(m - 0.5)).toBeLessThan(5e-3);
    // se of the variance estimate ≈ sqrt(1/180/n) ≈ 2.4e-4; about 5 se
    expect(Math.abs(s2 / n - m * m - 1 / 12)).toBeLessThan(1.2e-3);
  });

  it('normals have the standard normal moments and tail mass', () => {
    const r = createRng(11, 0);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      s4 += z ** 4;
      if (Math.abs(z) > 1.959963984540054) tail++;
    }
    // 5-standard-error bounds: mean se 1/sqrt(n); var se sqrt(2/n); kurtosis se sqrt(96/n); tail
    // proportion se sqrt(0.05*0.95/n)
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(5 * Math.sqrt(0.0475 / n));
  });

  it('interleaving uniforms and normals is still deterministic', () => {
    const seq = () => {
      const r = createRng(5, 2);
      return [r.normal(), r.uniform(), r.normal(), r.normal(), r.uniform()];
    };
    expect(seq()).toEqual(seq());
  });
});

describe('forcedRng', () => {
  it('returns the given draws in turn, then repeats the last', () => {
    const r = forcedRng({ uniforms: [0.1, 0.2], normals: [1] });
    expect([r.uniform(), r.uniform(), r.uniform()]).toEqual([0.1, 0.2, 0.2]);
    expect([r.normal(), r.normal()]).toEqual([1, 1]);
  });
});

describe('log-sum-exp', () => {
  it('is stable and exact on simple cases', () => {
    expect(logAddExp(0, 0)).toBe(Math.LN2);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logAddExp(3, Number.NEGATIVE_INFINITY)).toBe(3);
    expect(logAddExp(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(
      Number.NEGATIVE_INFINITY,
    );
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([0, 0, 0])).toBeCloseTo(Math.log(3), 15);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
  });
});
