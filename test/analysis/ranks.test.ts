import { describe, expect, it } from 'vitest';
import { fromColumns } from '../../src/analysis/matrix.js';
import { rankQuantile, rankSummary } from '../../src/analysis/ranks.js';
import { bestIndex, bestOf } from '../../src/analysis/recommend.js';

describe('rankSummary (insertion sort per draw)', () => {
  it('counts the ranks Array#sort with the tie-breaking comparator gives', () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (const higherIsBetter of [true, false]) {
      const H = 7;
      const S = 300;
      // few distinct values: many ties, broken by the heuristic's index
      const values = Float64Array.from({ length: H * S }, () => Math.floor(r() * 5));
      const names = Array.from({ length: H }, (_, h) => `h${h}`);
      const got = rankSummary({ names, nSamples: S, values }, higherIsBetter);
      const sign = higherIsBetter ? 1 : -1;
      const counts = names.map(() => new Array<number>(H).fill(0));
      for (let s = 0; s < S; s++) {
        const order = names.map((_, h) => h);
        order.sort((i, j) => sign * (values[j * S + s] - values[i * S + s]) || i - j);
        order.forEach((h, rank) => {
          counts[h][rank]++;
        });
      }
      // the same counts divided by the same S: equal, not just close
      names.forEach((_, h) => {
        expect(Array.from(got.probabilities[h])).toEqual(counts[h].map((c) => c / S));
      });
    }
  });

  it('gives the 90% rank interval as the 5% and 95% quantiles of the rank draws', () => {
    // 20 draws of 3 heuristics: a ranks 1 in 19 draws and 3 in one; the quantiles of a's ranks,
    // sorted [1 x 19, 3], are the 1st and 19th of 20 values (type 1 quantile): 1 and 1
    const S = 20;
    const a = Array.from({ length: S }, (_, s) => (s === 0 ? 0 : 10));
    const b = Array.from({ length: S }, (_, s) => 5 + (s % 2));
    const c = Array.from({ length: S }, (_, s) => 5.5 - (s % 2) * 0.1 + (s === 0 ? 1 : 0));
    const got = rankSummary({
      names: ['a', 'b', 'c'],
      nSamples: S,
      values: Float64Array.from([...a, ...b, ...c]),
    });
    expect([got.rankQ5[0], got.rankQ95[0]]).toEqual([1, 1]);
    for (let h = 0; h < 3; h++) {
      expect(got.rankQ5[h]).toBe(rankQuantile(got.probabilities[h], 0.05));
      expect(got.rankQ95[h]).toBe(rankQuantile(got.probabilities[h], 0.95));
    }
    expect(rankQuantile(Float64Array.of(0.5, 0.3, 0.2), 0.95)).toBe(3);
    expect(rankQuantile(Float64Array.of(0.05, 0.9, 0.05), 0.05)).toBe(1);
    expect(rankQuantile(Float64Array.of(0.04, 0.92, 0.04), 0.05)).toBe(2);
    expect(rankQuantile(Float64Array.of(0.04, 0.92, 0.04), 0.95)).toBe(2);
  });
});

describe('bestOf (argmax per draw) against bestIndex(rankSummary)', () => {
  const cases: [string, number[][]][] = [
    [
      'a clear best',
      [
        [1, 2, 3, 4],
        [2, 3, 4, 5],
        [0, 0, 0, 9],
      ],
    ],
    [
      'P(best) tied at the top (expected ranks decide)',
      [
        [1, 5, 1, 5],
        [5, 1, 5, 1],
        [3, 3, 3, 3],
      ],
    ],
    [
      'equal values within draws (the lower index ranks first)',
      [
        [2, 2, 2, 2],
        [2, 2, 2, 2],
        [1, 1, 1, 1],
      ],
    ],
    [
      'a NaN draw',
      [
        [1, Number.NaN, 3, 4],
        [2, 3, 4, 5],
        [0, 0, 0, 9],
      ],
    ],
  ];
  for (const [name, cols] of cases) {
    it(name, () => {
      const m = fromColumns(['a', 'b', 'c'], cols);
      for (const hib of [true, false]) {
        const ranks = rankSummary(m, hib);
        const i = bestIndex(ranks);
        expect(bestOf(m, hib)).toEqual({ index: i, pBest: ranks.pBest[i] });
      }
    });
  }
});
