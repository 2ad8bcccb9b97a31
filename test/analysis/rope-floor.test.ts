import { describe, expect, it } from 'vitest';
import { ropeProbabilities } from '../../src/analysis/decision.js';
import { createNormalRng } from '../../src/analysis/random.js';
import { equivalenceFloor, ropeFloorNote } from '../../src/analysis/rope-floor.js';

const pair = (q5: number, q95: number) => ({
  a: 'a',
  b: 'b',
  scope: 'overall',
  p_a_better: 0,
  p_rope: 0,
  p_b_better: 0,
  decision: 'inconclusive',
  diff_q5: q5,
  diff_q95: q95,
});

describe('the smallest ROPE at which a pair can be practically equal', () => {
  it('is z sd of the most precise difference', () => {
    // 90% interval +-1.645 is sd 1; at threshold 0.95 the floor is 1.96 sd
    expect(equivalenceFloor([pair(-1.645, 1.645), pair(-5, 5)], 0.95)).toBeCloseTo(1.96, 2);
    expect(equivalenceFloor([], 0.95)).toBeNaN();
  });

  it('matches what the ROPE probabilities can reach on normal draws', () => {
    // draws of a difference centred at 0 with sd 1: P(|d| < r) reaches 0.95 near r = 1.96
    const rng = createNormalRng(5);
    const d = Float64Array.from({ length: 40000 }, () => rng.normal());
    // Monte Carlo error of a probability near 0.95 with 40,000 draws is ~0.001
    expect(ropeProbabilities(d, 1.9).p_rope).toBeLessThan(0.95);
    expect(ropeProbabilities(d, 2.02).p_rope).toBeGreaterThan(0.95);
  });

  it('notes a ROPE below the floor, not one above', () => {
    expect(ropeFloorNote(0.1, 0.5, 'user (--rope)')).toMatch(
      /^ROPE 0.1 \(user \(--rope\)\) is below/,
    );
    expect(ropeFloorNote(1, 0.5, 'user (--rope)')).toBeNull();
    expect(ropeFloorNote(1, Number.NaN, 'user (--rope)')).toBeNull();
  });
});
