import { describe, expect, it } from 'vitest';
import { selectKth, summarize90 } from '../../src/analysis/stats.js';
import { quantileSorted } from '../../src/math/quantile.js';

describe('summarize90 (selection in the tails instead of a sort)', () => {
  it('gives exactly the type-7 quantiles of the sorted draws, ties and NaN included', () => {
    let seed = 1;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let t = 0; t < 2000; t++) {
      // short vectors (sorted) and long ones (thresholds from a subsample, with their fallback)
      const n = t % 2 ? 1 + Math.floor(r() * 300) : 400 + Math.floor(r() * 4600);
      // every third vector has only 4 distinct values (ties), every fifth drifts like an MCMC
      // chain (subsample thresholds less accurate), every 50th holds a NaN
      let drift = 0;
      const x = Float64Array.from({ length: n }, () => {
        drift = 0.99 * drift + r() - 0.5;
        return t % 3 === 0 ? Math.floor(r() * 4) : t % 5 === 0 ? drift : r() - 0.5;
      });
      if (t % 50 === 0) x[Math.floor(r() * n)] = Number.NaN;
      const s = Float64Array.from(x).sort();
      const a = summarize90(x);
      // the same order statistics and the same interpolation: equal, not just close
      expect(a.q5).toBe(quantileSorted(s, 0.05));
      expect(a.q95).toBe(quantileSorted(s, 0.95));
    }
    expect(summarize90(new Float64Array(4000).fill(2))).toEqual({ mean: 2, q5: 2, q95: 2 });
  });
});

describe('selectKth', () => {
  it('returns the k-th smallest and partitions around it (checked against a sort)', () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let t = 0; t < 3000; t++) {
      const n = 1 + Math.floor(r() * 60);
      const x = Float64Array.from({ length: n }, () => (t % 2 ? Math.floor(r() * 3) : r()));
      const sorted = Float64Array.from(x).sort();
      const k = Math.floor(r() * n);
      const a = Float64Array.from(x);
      expect(selectKth(a, 0, n - 1, k)).toBe(sorted[k]);
      for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(a[k]);
      for (let i = k + 1; i < n; i++) expect(a[i]).toBeGreaterThanOrEqual(a[k]);
      expect(Float64Array.from(a).sort()).toEqual(sorted);
    }
  });
});
