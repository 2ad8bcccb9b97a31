import { describe, expect, it } from 'vitest';
import { rankSummary } from '../../src/analysis/ranks.js';

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
});
