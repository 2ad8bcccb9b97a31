import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { essBasic, essBulk, essTail } from '../../src/diagnostics/ess.js';
import { mcseMean, mcseQuantile, mcseSd } from '../../src/diagnostics/mcse.js';
import { mad, median, quantile7 } from '../../src/diagnostics/measures.js';
import { zScale } from '../../src/diagnostics/rank.js';
import { rhat, rhatBasic, rhatBulk } from '../../src/diagnostics/rhat.js';
import { rowWorkspace, summaryRow } from '../../src/diagnostics/summary-row.js';
import { ar1Block } from './generators.js';

// Properties of docs/ALGORITHMS.md §10 ("Diagnostics"). Inputs are AR(1) chains fixed by a seed drawn
// by fast-check (itself seeded), so every run is deterministic.

/** Relative difference, 0 when both are NaN. */
function rel(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

// Reordering chains or rescaling changes only the order and rounding of floating-point sums:
// 1e-12 relative is far above that rounding (~1e-15) and far below any real change (>= 1e-6).
const ROUNDING = 1e-12;

const shape = fc.record({
  nDraws: fc.integer({ min: 8, max: 120 }),
  nChains: fc.integer({ min: 1, max: 5 }),
  phi: fc.double({ min: -0.9, max: 0.95, noNaN: true }),
  seed: fc.integer({ min: 1, max: 2 ** 31 }),
});

function permuteChains(x: Float64Array, n: number, order: number[]): Float64Array {
  const out = new Float64Array(x.length);
  order.forEach((src, dst) => {
    out.set(x.subarray(src * n, (src + 1) * n), dst * n);
  });
  return out;
}

describe('invariances', () => {
  it('R-hat and ESS do not change when chains are permuted', () => {
    fc.assert(
      fc.property(
        shape,
        fc.integer({ min: 0, max: 1000 }),
        ({ nDraws: n, nChains: m, phi, seed }, k) => {
          const x = ar1Block(n, m, phi, seed);
          const order = Array.from({ length: m }, (_, i) => i);
          for (let i = m - 1; i > 0; i--) {
            const j = (k * 7 + i * 13) % (i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          const y = permuteChains(x, n, order);
          for (const f of [rhat, rhatBasic, essBulk, essTail, essBasic]) {
            expect(rel(f(y, n, m), f(x, n, m)), f.name).toBeLessThan(ROUNDING);
          }
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  it('bulk R-hat and bulk ESS are unchanged by any strictly increasing transform and by negation', () => {
    fc.assert(
      fc.property(shape, fc.constantFrom('exp', 'cube', 'atan', 'neg'), (s, kind) => {
        const { nDraws: n, nChains: m } = s;
        const x = ar1Block(n, m, s.phi, s.seed);
        const f = {
          exp: Math.exp,
          cube: (v: number) => v * v * v + v,
          atan: Math.atan,
          neg: (v: number) => -v,
        }[kind];
        const y = x.map(f);
        // Ranks are identical (negation mirrors them; z(r) = -z(S+1-r)), so the results are equal
        // up to the rounding of sums of mirrored z-scores.
        expect(rel(rhatBulk(y, n, m), rhatBulk(x, n, m))).toBeLessThan(ROUNDING);
        expect(rel(essBulk(y, n, m), essBulk(x, n, m))).toBeLessThan(ROUNDING);
      }),
      { seed: 12, numRuns: 60 },
    );
  });

  it('R-hat (bulk and tail) and all ESS are unchanged by a x + b, a > 0; MCSEs scale by a', () => {
    fc.assert(
      fc.property(
        shape,
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (s, a, b) => {
          // Odd N x odd M: an odd number of draws, so the median is a draw and no pair of folded
          // draws ties exactly by symmetry (such a pair's order would depend on the last bit).
          const n = s.nDraws | 1;
          const m = s.nChains | 1;
          const x = ar1Block(n, m, s.phi, s.seed);
          const y = x.map((v) => a * v + b);
          for (const f of [rhat, rhatBulk, essBulk, essTail]) {
            expect(rel(f(y, n, m), f(x, n, m)), f.name).toBeLessThan(ROUNDING);
          }
          // Raw-scale ESS sees a x + b through rounding of the centred values only.
          expect(rel(essBasic(y, n, m), essBasic(x, n, m))).toBeLessThan(1e-9);
          expect(rel(mcseMean(y, n, m), a * mcseMean(x, n, m))).toBeLessThan(1e-9);
          expect(rel(mcseSd(y, n, m), a * mcseSd(x, n, m))).toBeLessThan(1e-9);
          // mcse_quantile picks order statistics: exactly a times the same difference, rounded.
          expect(rel(mcseQuantile(y, n, m, 0.05), a * mcseQuantile(x, n, m, 0.05))).toBeLessThan(
            1e-9,
          );
        },
      ),
      { seed: 13, numRuns: 60 },
    );
  });

  it('R-hat does not change when draws are permuted inside each half-chain', () => {
    fc.assert(
      fc.property(
        shape,
        fc.integer({ min: 1, max: 2 ** 30 }),
        ({ nDraws: n, nChains: m, phi, seed }, k) => {
          const x = ar1Block(n, m, phi, seed);
          const y = x.slice();
          const h = Math.floor(n / 2);
          let s = k;
          for (let c = 0; c < m; c++) {
            for (const start of [c * n, c * n + n - h]) {
              // Fisher-Yates inside [start, start + h), a fixed LCG stream
              for (let i = h - 1; i > 0; i--) {
                s = (Math.imul(69069, s) + 1) >>> 0;
                const j = start + (s % (i + 1));
                const t = y[start + i];
                y[start + i] = y[j];
                y[j] = t;
              }
            }
          }
          for (const f of [rhat, rhatBasic, rhatBulk]) {
            expect(rel(f(y, n, m), f(x, n, m)), f.name).toBeLessThan(ROUNDING);
          }
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });

  it('z-scores of distinct values are antisymmetric and sum to 0', () => {
    fc.assert(
      fc.property(shape, ({ nDraws: n, nChains: m, phi, seed }) => {
        const x = ar1Block(n, m, phi, seed);
        const z = zScale(x);
        const sorted = Array.from(z).sort((p, q) => p - q);
        // 1e-12 absolute: |z| < 4 here, rounding of Phi^-1 is ~1e-16
        for (let i = 0; i < sorted.length; i++) {
          expect(Math.abs(sorted[i] + sorted[sorted.length - 1 - i])).toBeLessThan(1e-12);
        }
        expect(Math.abs(z.reduce((p, q) => p + q, 0))).toBeLessThan(1e-9);
      }),
      { seed: 14, numRuns: 40 },
    );
  });

  it('ESS <= S log10 S and > 0 whenever defined', () => {
    fc.assert(
      fc.property(shape, ({ nDraws: n, nChains: m, phi, seed }) => {
        const x = ar1Block(n, m, phi, seed);
        const S = 2 * Math.floor(n / 2) * m; // draws after splitting
        for (const f of [essBulk, essTail, essBasic]) {
          const e = f(x, n, m);
          if (Number.isNaN(e)) continue;
          expect(e).toBeGreaterThan(0);
          expect(e).toBeLessThanOrEqual(S * Math.log10(S) * (1 + 1e-12));
        }
      }),
      { seed: 15, numRuns: 60 },
    );
  });
});

describe('summarize rows agree with the single functions', () => {
  it('for any shape (odd and even N, one to five chains)', () => {
    fc.assert(
      fc.property(shape, ({ nDraws: n, nChains: m, phi, seed }) => {
        const x = ar1Block(n, m, phi, seed);
        const row = summaryRow('x', x, rowWorkspace(n, m));
        const [q5, q95] = quantile7(x, [0.05, 0.95]);
        const expected: [number, number][] = [
          [row.median, median(x)],
          [row.mad, mad(x)],
          [row.q5, q5],
          [row.q95, q95],
          [row.rhat, rhat(x, n, m)],
          [row.ess_bulk, essBulk(x, n, m)],
          [row.ess_tail, essTail(x, n, m)],
          [row.mcse_mean, mcseMean(x, n, m)],
          [row.mcse_sd, mcseSd(x, n, m)],
        ];
        // 1e-12: same arithmetic in a different order (shared buffers, argsort vs sort)
        for (const [a, b] of expected) expect(rel(a, b)).toBeLessThan(ROUNDING);
      }),
      { seed: 16, numRuns: 80 },
    );
  });
});

describe('statistical calibration (fixed seeds)', () => {
  const ratio = (phi: number, n: number, m: number, seeds: number[]) => {
    const theory = (n * m * (1 - phi)) / (1 + phi);
    return seeds.map((seed) => essBasic(ar1Block(n, m, phi, seed), n, m) / theory);
  };
  const seeds = Array.from({ length: 20 }, (_, i) => 7919 * (i + 1));
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

  it('iid draws: ESS near S', () => {
    // Over 200 seeds (development run) ESS/S for 4 x 1000 iid normals had mean 0.986 and sd 0.044.
    // One seed: within +-20% (~4.5 sd). Mean of 20 seeds (sd ~0.01): within 5%.
    const r = ratio(0, 1000, 4, seeds);
    expect(Math.abs(r[0] - 1)).toBeLessThan(0.2);
    expect(Math.abs(avg(r) - 1)).toBeLessThan(0.05);
    const x = ar1Block(1000, 4, 0, 1);
    expect(Math.abs(rhat(x, 1000, 4) - 1)).toBeLessThan(0.01); // R-hat sd is ~0.002 here
    expect(essBulk(x, 1000, 4) / 4000).toBeGreaterThan(0.8);
  });

  it('AR(1) phi = 0.5: ESS near S (1 - phi)/(1 + phi)', () => {
    // Theoretical ESS of a stationary AR(1) mean: S (1 - phi)/(1 + phi) = 2667 for 4 x 2000.
    // Over 200 seeds the ratio had mean 0.999 and sd 0.053: one seed within +-25% (~4.7 sd);
    // the mean of 20 seeds (sd ~0.012) within 5%.
    const r = ratio(0.5, 2000, 4, seeds);
    expect(Math.abs(r[0] - 1)).toBeLessThan(0.25);
    expect(Math.abs(avg(r) - 1)).toBeLessThan(0.05);
  });

  it('AR(1) phi = 0.9: ESS near S (1 - phi)/(1 + phi)', () => {
    // Ratio over 200 seeds: mean 1.013, sd 0.124 (slower mixing, noisier tail of the sum).
    // Mean of 20 seeds (sd ~0.03) within 12% (4 sd).
    expect(Math.abs(avg(ratio(0.9, 2000, 4, seeds)) - 1)).toBeLessThan(0.12);
  });
});
