import { describe, expect, it } from 'vitest';
import { pushSbcRanks, sbcRank } from '../../src/diagnostics/sbc-rank.js';
import { createDraws } from '../../src/draws/draws.js';

describe('sbcRank (Talts et al. 2018, Algorithm 1)', () => {
  it('counts the evenly thinned draws below the truth', () => {
    const x = Float64Array.from([1, 2, 3, 4]);
    // L = 2 keeps positions 1 and 3 (draws 2 and 4)
    expect(sbcRank(x, 2.5, 2)).toBe(1);
    expect(sbcRank(x, 0, 2)).toBe(0);
    expect(sbcRank(x, 5, 2)).toBe(2);
    // L = S keeps every draw
    expect(sbcRank(x, 3.5, 4)).toBe(3);
  });

  it('appends the rank of each named truth that is a variable, per variable block', () => {
    const d = createDraws(4, 1, ['a', 'b']);
    d.values.set([1, 2, 3, 4, 10, 20, 30, 40]);
    const ranks: Record<string, number[]> = { a: [7] };
    pushSbcRanks(ranks, d, { a: 3.5, b: 25, missing: 1 }, 4);
    expect(ranks).toEqual({ a: [7, 3], b: [2] });
  });
});
