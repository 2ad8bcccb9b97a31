import { describe, expect, it } from 'vitest';
import { autocovariance } from '../../src/diagnostics/autocovariance.js';
import {
  essBasic,
  essBulk,
  essMedian,
  essQuantile,
  essSd,
  essTail,
} from '../../src/diagnostics/ess.js';
import { mcseMean, mcseMedian, mcseQuantile, mcseSd } from '../../src/diagnostics/mcse.js';
import { uScale, zScale } from '../../src/diagnostics/rank.js';
import { rhat, rhatBasic, rhatBulk, rhatTail } from '../../src/diagnostics/rhat.js';
import { ebfmi } from '../../src/diagnostics/sampler.js';
import { COMPONENTS, lcgAr1, MAIN, VECTORS } from './vectors.js';

// docs/ALGORITHMS.md §9.6 asks for 1e-10 relative: the reference values have 15 significant digits and
// an independent implementation reproduces them to ~1e-15; 1e-10 leaves room for summation order
// (FFT vs direct sums) but would catch any algorithmic difference (those are >= 1e-4 here).
const TOL = 1e-10;

function close(actual: number, expected: number, tol = TOL) {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  const scale = Math.max(Math.abs(expected), 1e-300);
  expect(Math.abs(actual - expected) / scale, `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

describe('§9.6 data sets, first table', () => {
  const fns = [rhat, rhatBasic, essBulk, essTail, essBasic, mcseMean, mcseSd];
  const names = ['rhat', 'rhat_basic', 'ess_bulk', 'ess_tail', 'ess_basic', 'mcse_mean', 'mcse_sd'];
  for (const [set, expected] of Object.entries(MAIN)) {
    it(set, () => {
      const v = VECTORS[set];
      fns.forEach((fn, i) => {
        const got = fn(v.values, v.nDraws, v.nChains);
        expect.soft(Number.isNaN(got), `${set} ${names[i]}`).toBe(Number.isNaN(expected[i]));
        close(got, expected[i]);
      });
    });
  }
});

describe('§9.6 data sets, components', () => {
  for (const [set, e] of Object.entries(COMPONENTS)) {
    it(set, () => {
      const { values: x, nDraws: n, nChains: m } = VECTORS[set];
      close(rhatBulk(x, n, m), e[0]);
      close(rhatTail(x, n, m), e[1]);
      close(essQuantile(x, n, m, 0.05), e[2]);
      close(essQuantile(x, n, m, 0.95), e[3]);
      close(essMedian(x, n, m), e[4]);
      close(essSd(x, n, m), e[5]);
      close(mcseQuantile(x, n, m, 0.05), e[6]);
      close(mcseQuantile(x, n, m, 0.95), e[7]);
      close(mcseMedian(x, n, m), e[8]);
    });
  }
});

describe('§9.6 intermediates', () => {
  it('LCG AR(1) generator reproduces D', () => {
    const d = lcgAr1(4, 200, 0.9, 12345);
    expect(d.values[0]).toBe(-0.30147536704316735);
    expect(d.values[799]).toBe(0.007156247348418077);
  });
  it('z_scale and u_scale of 3,1,4,1,5', () => {
    const x = new Float64Array([3, 1, 4, 1, 5]);
    const z = [0, -0.791638607743375, 0.497200570681554, -0.791638607743375, 1.17976111761186];
    const u = [0.5, 0.214285714285714, 0.69047619047619, 0.214285714285714, 0.880952380952381];
    zScale(x).forEach((v, i) => {
      expect(Math.abs(v - z[i])).toBeLessThan(1e-14); // 15 printed digits
    });
    uScale(x).forEach((v, i) => {
      expect(Math.abs(v - u[i])).toBeLessThan(1e-14);
    });
  });
  it('autocovariance of 1..5', () => {
    const a = autocovariance(new Float64Array([1, 2, 3, 4, 5]));
    [2, 0.8, -0.2, -0.8, -0.8].forEach((v, i) => {
      // ~1e-12 relative (§5.4): FFT rounding
      expect(Math.abs(a[i] - v)).toBeLessThan(1e-12);
    });
  });
  it('ESS cap for S = 400 (F)', () => {
    close(400 * Math.log10(400), 1040.823996531185);
    const { values, nDraws, nChains } = VECTORS.F;
    close(essBulk(values, nDraws, nChains), 1040.823996531185);
  });
  it('E-BFMI vectors', () => {
    close(ebfmi(new Float64Array([1, 2, 1, 2])), 3);
    close(ebfmi(new Float64Array([3, 1, 4, 1, 5, 9, 2, 6])), 2.2505910165484635);
    expect(ebfmi(new Float64Array([1, 1, 1, 1]))).toBeNaN();
    expect(ebfmi(new Float64Array([1, 2]))).toBeNaN();
  });
});
