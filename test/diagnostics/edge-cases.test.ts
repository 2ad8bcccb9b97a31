import { describe, expect, it } from 'vitest';
import { essBasic, essBulk, essMean, essQuantile, essTail } from '../../src/diagnostics/ess.js';
import { mcseMean, mcseQuantile, mcseSd } from '../../src/diagnostics/mcse.js';
import { mad, median, quantile7, sd } from '../../src/diagnostics/measures.js';
import { rhat, rhatBasic } from '../../src/diagnostics/rhat.js';
import { splitChains } from '../../src/diagnostics/split.js';
import { rowWorkspace, summaryRow } from '../../src/diagnostics/summary-row.js';
import { VECTORS } from './vectors.js';

// Edge cases of docs/ALGORITHMS.md §5.10 and the edge-case expectations of §9.6 (posterior v1.7.1).

const all = [rhat, rhatBasic, essBulk, essTail, essBasic, mcseMean, mcseSd] as const;

function withValue(i: number, v: number): Float64Array {
  const x = VECTORS.A.values.slice();
  x[i] = v;
  return x;
}

function rows(x: Float64Array, n: number, m: number) {
  return summaryRow('x', x, rowWorkspace(n, m));
}

describe('§9.6 edge-case expectations', () => {
  it('constant 10 x 2: every diagnostic NaN, no throw', () => {
    const x = new Float64Array(20).fill(3.25);
    for (const f of all) expect(f(x, 10, 2)).toBeNaN();
    const r = rows(x, 10, 2);
    expect(r.mean).toBe(3.25);
    expect(r.sd).toBe(0);
    expect(r.rhat).toBeNaN();
    expect(r.ess_bulk).toBeNaN();
    expect(r.mcse_mean).toBeNaN();
  });

  it('A with chain 1 constant (1.2): computed normally', () => {
    const x = VECTORS.A.values.slice();
    x.fill(1.2, 0, 8);
    // §9.6 prints 2.206479 (7 digits): 1e-6 relative covers the printing.
    expect(Math.abs(rhat(x, 8, 2) - 2.206479) / 2.206479).toBeLessThan(1e-6);
    expect(essBulk(x, 8, 2)).toBe(8);
  });

  it('A with one NaN: NaN everywhere (summary row too)', () => {
    const x = withValue(5, Number.NaN);
    for (const f of all) expect(f(x, 8, 2)).toBeNaN();
    const r = rows(x, 8, 2);
    for (const k of ['mean', 'median', 'sd', 'mad', 'q5', 'q95', 'rhat', 'ess_bulk'] as const) {
      expect(r[k], k).toBeNaN();
    }
    expect(median(x)).toBeNaN();
    expect(mad(x)).toBeNaN();
    expect(quantile7(x, [0.05])[0]).toBeNaN();
  });

  it('A with one +Inf (chain 2, draw 3): rank-based rhat and ess_bulk stay finite', () => {
    const x = withValue(10, Number.POSITIVE_INFINITY);
    // §9.6 prints 0.9452487 (7 digits); 1e-6 relative covers the printing.
    expect(Math.abs(rhat(x, 8, 2) - 0.9452487) / 0.9452487).toBeLessThan(1e-6);
    expect(essBulk(x, 8, 2)).toBe(8);
    expect(essTail(x, 8, 2)).toBeNaN();
    expect(essBasic(x, 8, 2)).toBeNaN();
    expect(rhatBasic(x, 8, 2)).toBeNaN();
    expect(mcseMean(x, 8, 2)).toBeNaN();
    const r = rows(x, 8, 2);
    expect(Math.abs(r.rhat - 0.9452487) / 0.9452487).toBeLessThan(1e-6);
    expect(r.ess_bulk).toBe(8);
    expect(r.ess_tail).toBeNaN();
    expect(r.mcse_mean).toBeNaN();
    expect(r.mean).toBe(Number.POSITIVE_INFINITY);
  });

  it("first 4 rows of A: rhat 1.64021868570863, ESS NaN (N' = 2 < 3)", () => {
    const a = VECTORS.A.values;
    const x = Float64Array.from([...a.slice(0, 4), ...a.slice(8, 12)]);
    // 1e-10: 15 printed digits (§9.6)
    expect(Math.abs(rhat(x, 4, 2) - 1.64021868570863) / 1.64021868570863).toBeLessThan(1e-10);
    expect(essBulk(x, 4, 2)).toBeNaN();
    expect(essBasic(x, 4, 2)).toBeNaN();
  });

  it('first 6 rows of A: ESS = S/2 = 6 (R 1:0 quirk)', () => {
    const a = VECTORS.A.values;
    const x = Float64Array.from([...a.slice(0, 6), ...a.slice(8, 14)]);
    expect(essBulk(x, 6, 2)).toBe(6);
    expect(essBasic(x, 6, 2)).toBe(6);
  });

  it('first 2 or 3 rows: R-hat NaN (posterior gives an artefact; we do not)', () => {
    const a = VECTORS.A.values;
    const x2 = Float64Array.from([a[0], a[1], a[8], a[9]]);
    expect(rhat(x2, 2, 2)).toBeNaN();
    expect(rhatBasic(x2, 2, 2)).toBeNaN();
    const x3 = Float64Array.from([a[0], a[1], a[2], a[8], a[9], a[10]]);
    expect(rhat(x3, 3, 2)).toBeNaN();
    expect(rows(x3, 3, 2).rhat).toBeNaN();
  });

  it('N = 1: everything diagnostic NaN, summaries defined', () => {
    const x = new Float64Array([1, 2, 3, 4]);
    for (const f of all) expect(f(x, 1, 4)).toBeNaN();
    expect(sd(x)).toBeCloseTo(1.2909944487358056, 15);
  });
});

describe('§5.10 other cases', () => {
  it('odd N drops the middle draw in the split', () => {
    const s = splitChains(new Float64Array([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]), 5, 2);
    expect(Array.from(s.values)).toEqual([1, 2, 4, 5, 10, 20, 40, 50]);
    expect(s.nDraws).toBe(2);
    expect(s.nChains).toBe(4);
  });

  it('discrete draws with I = x <= q95 all true: ess_tail NaN, ess_q05 defined', () => {
    const { values: x, nDraws: n, nChains: m } = VECTORS.C_ties;
    expect(essQuantile(x, n, m, 0.95)).toBeNaN();
    expect(essQuantile(x, n, m, 0.05)).toBe(10);
    expect(essTail(x, n, m)).toBeNaN();
  });

  it('p = 1 in ess_quantile uses (S - 0.5)/S', () => {
    const { values: x, nDraws: n, nChains: m } = VECTORS.D;
    // I = x <= quantile at (S-0.5)/S is all true but the maximum: defined, not NaN.
    expect(Number.isFinite(essQuantile(x, n, m, 1))).toBe(true);
    expect(essQuantile(x, n, m, 1.5)).toBeNaN();
  });

  it('ESS is capped at S log10 S and can exceed S (antithetic chains)', () => {
    const { values: x, nDraws: n, nChains: m } = VECTORS.F;
    const S = n * m;
    expect(essMean(x, n, m)).toBeGreaterThan(S);
    expect(essMean(x, n, m)).toBeLessThanOrEqual(S * Math.log10(S) * (1 + 1e-15));
  });

  it('mcse_quantile is NaN when the quantile ESS is', () => {
    const { values: x, nDraws: n, nChains: m } = VECTORS.C_ties;
    expect(mcseQuantile(x, n, m, 0.95)).toBeNaN();
  });

  it('summary row for a sampler field has no R-hat, ESS or MCSE', () => {
    const { values: x, nDraws: n, nChains: m } = VECTORS.D;
    const r = summaryRow('lp__', x, rowWorkspace(n, m), false);
    expect(Number.isFinite(r.mean)).toBe(true);
    expect(r.rhat).toBeNaN();
    expect(r.ess_bulk).toBeNaN();
    expect(r.mcse_mean).toBeNaN();
  });
});
