import { describe, expect, it } from 'vitest';
import { decide, ropeProbabilities } from '../../src/analysis/decision.js';
import { tiedForFirst } from '../../src/analysis/format.js';
import { adaptFormula } from '../../src/analysis/formula.js';
import { fromColumns } from '../../src/analysis/matrix.js';
import { pairwiseComparisons } from '../../src/analysis/pairwise.js';
import { rankSummary } from '../../src/analysis/ranks.js';
import { bestIndex, recommend, TIE_RULE, tieGroups } from '../../src/analysis/recommend.js';
import { summarize90 } from '../../src/analysis/stats.js';
import { mean, variance } from '../../src/math/moments.js';
import { quantileSorted } from '../../src/math/quantile.js';

describe('stats', () => {
  it('computes mean, sd and type-7 quantiles by hand', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(Math.sqrt(variance([2, 4, 4, 4, 5, 5, 7, 9]))).toBeCloseTo(Math.sqrt(32 / 7), 12); // exact arithmetic
    // R: quantile(1:5, c(.05, .95)) = 1.2, 4.8
    const s = summarize90([5, 3, 1, 4, 2]);
    expect(s.q5).toBeCloseTo(1.2, 12);
    expect(s.q95).toBeCloseTo(4.8, 12);
    expect(quantileSorted([10, 20], 0.5)).toBe(15);
  });
});

describe('ROPE decisions', () => {
  it('splits a difference into A better / within ROPE / B better', () => {
    const p = ropeProbabilities([-2, -0.5, 0, 0.5, 1, 3, 4, 5], 0.5);
    // > 0.5: 1, 3, 4, 5 ; |d| <= 0.5: -0.5, 0, 0.5 ; < -0.5: -2
    // P(A > B): > 0 are 0.5, 1, 3, 4, 5 (5 draws), the draw 0 counts half -> 5.5 / 8
    expect(p).toEqual({
      p_a_better: 4 / 8,
      p_rope: 3 / 8,
      p_b_better: 1 / 8,
      p_a_greater: 5.5 / 8,
    });
  });

  it('gives P(A > B) without the ROPE, ties counting half', () => {
    // the ROPE does not move it
    for (const rope of [0, 0.5, 10]) {
      expect(ropeProbabilities([-1, 0, 0, 2], rope).p_a_greater).toBe(0.5);
      expect(ropeProbabilities([1, 2, 3, -1], rope).p_a_greater).toBe(0.75);
    }
    expect(ropeProbabilities([0, 0, 0], 0).p_a_greater).toBe(0.5);
  });

  it('grades an undecided pair by its direction', () => {
    const p = { p_a_better: 0.6, p_rope: 0.4, p_b_better: 0 };
    expect(decide({ ...p, p_a_greater: 0.95 }, 0.95)).toBe('probably_a');
    expect(decide({ ...p, p_a_greater: 0.9 }, 0.95)).toBe('probably_a');
    expect(decide({ ...p, p_a_greater: 0.89 }, 0.95)).toBe('inconclusive');
    expect(decide({ ...p, p_a_greater: 0.5 }, 0.95)).toBe('inconclusive');
    const q = { p_a_better: 0, p_rope: 0.3, p_b_better: 0.7 };
    // 1 - 0.9 in floating point is 0.09999999999999998: still 'probably B'
    expect(decide({ ...q, p_a_greater: 1 - 0.9 }, 0.95)).toBe('probably_b');
    expect(decide({ ...q, p_a_greater: 0.11 }, 0.95)).toBe('inconclusive');
    // confident decisions come first: practically equal even when every draw has A ahead
    expect(decide({ p_a_better: 0, p_rope: 1, p_b_better: 0, p_a_greater: 1 }, 0.95)).toBe(
      'equivalent',
    );
    expect(decide({ p_a_better: 0.96, p_rope: 0.04, p_b_better: 0, p_a_greater: 1 })).toBe(
      'a_better',
    );
    // documents without P(A > B) keep the old words
    expect(decide(p, 0.95)).toBe('inconclusive');
  });

  it('decides at the threshold, else inconclusive', () => {
    expect(decide({ p_a_better: 0.95, p_rope: 0.05, p_b_better: 0 }, 0.95)).toBe('a_better');
    expect(decide({ p_a_better: 0.01, p_rope: 0.03, p_b_better: 0.96 }, 0.95)).toBe('b_better');
    expect(decide({ p_a_better: 0.02, p_rope: 0.97, p_b_better: 0.01 }, 0.95)).toBe('equivalent');
    expect(decide({ p_a_better: 0.9, p_rope: 0.1, p_b_better: 0 }, 0.95)).toBe('inconclusive');
    expect(decide({ p_a_better: 0.9, p_rope: 0.1, p_b_better: 0 }, 0.8)).toBe('a_better');
  });
});

describe('pairwise comparisons', () => {
  const m = fromColumns(
    ['x', 'y', 'z'],
    [
      [10, 11, 12, 13],
      [10, 10, 10, 10],
      [20, 20, 20, 20],
    ],
  );

  it('gives P(a better), P(rope), P(b better) and the difference for every pair', () => {
    const pairs = pairwiseComparisons(m, { rope: 1.5, threshold: 0.75, scope: 'overall' });
    expect(pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['x-y', 'x-z', 'y-z']);
    // x - y = 0, 1, 2, 3: > 1.5 twice, within twice
    expect(pairs[0]).toMatchObject({ p_a_better: 0.5, p_rope: 0.5, p_b_better: 0 });
    // x - y > 0 in 3 draws, = 0 in 1: P(x > y) = 3.5 / 4 = 0.875 < 0.9 -> still inconclusive
    expect(pairs[0].p_a_greater).toBe(0.875);
    expect(pairs[0].decision).toBe('inconclusive');
    expect(pairs[0].diff_mean).toBe(1.5);
    // x - z always < -1.5
    expect(pairs[1]).toMatchObject({ p_b_better: 1, decision: 'b_better' });
    expect(pairs[2].scope).toBe('overall');
  });

  it('flips the orientation when lower is better', () => {
    const pairs = pairwiseComparisons(m, { rope: 1.5, scope: 'task:T', higherIsBetter: false });
    expect(pairs[1]).toMatchObject({ p_a_better: 1, decision: 'a_better', diff_mean: 8.5 });
    // lower is better: x - y = 0, 1, 2, 3 means y ahead in 3 draws, tied in 1
    expect(pairs[0].p_a_greater).toBe(0.125);
  });

  it('says "probably" when the direction is clear but the ROPE decision is not', () => {
    // a - b = 0.1, 0.2, ..., 1.0 (10 draws) and one -0.1: P(a > b) = 10 / 11 = 0.909
    const a = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, -0.1];
    const m2 = fromColumns(['a', 'b'], [a, a.map(() => 0)]);
    const [ab] = pairwiseComparisons(m2, { rope: 0.5, scope: 'overall' });
    expect(ab.p_a_greater).toBe(10 / 11);
    expect(ab.p_a_better).toBe(5 / 11);
    expect(ab.decision).toBe('probably_a');
    // seen from b's side (b listed first): 'probably_b'
    const [ba] = pairwiseComparisons(fromColumns(['b', 'a'], [a.map(() => 0), a]), {
      rope: 0.5,
      scope: 'overall',
    });
    expect(ba.p_a_greater).toBe(1 / 11);
    expect(ba.decision).toBe('probably_b');
  });
});

describe('ranks and P(best)', () => {
  it('counts ranks draw by draw', () => {
    // draw 1: a > b > c ; draw 2: b > a > c ; draw 3: b > c > a ; draw 4: a > b > c
    const m = fromColumns(
      ['a', 'b', 'c'],
      [
        [3, 2, 0, 3],
        [2, 3, 3, 2],
        [1, 1, 2, 1],
      ],
    );
    const r = rankSummary(m);
    expect(Array.from(r.pBest)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(r.probabilities[0])).toEqual([0.5, 0.25, 0.25]);
    expect(Array.from(r.probabilities[2])).toEqual([0, 0.25, 0.75]);
    // a: 1,2,3,1 -> 1.75 ; b: 2,1,1,2 -> 1.5 ; c: 3,3,2,3 -> 2.75
    expect(Array.from(r.expectedRank)).toEqual([1.75, 1.5, 2.75]);
    const low = rankSummary(m, false);
    expect(Array.from(low.pBest)).toEqual([0.25, 0, 0.75]);
  });
});

describe('recommendation', () => {
  const m = fromColumns(
    ['a', 'b', 'c'],
    [
      [10, 10.2, 9.9, 10.1],
      [9.5, 10.3, 9.0, 9.2],
      [1, 2, 1, 2],
    ],
  );
  it('names the best and the runner-up it cannot yet be told apart from', () => {
    const ranks = rankSummary(m);
    const pairs = pairwiseComparisons(m, { rope: 0.1, scope: 'overall' });
    // a best in 3 of 4 draws; a vs b: a - b = .5, -.1, .9, .9 -> P(a better) = .75 < .95
    expect(recommend(ranks, pairs)).toEqual({
      best: 'a',
      p_best: 0.75,
      runner_up: 'b',
      // a - c > 0.1 in every draw: c is out of the first group and alone in the second
      tie_groups: [['a', 'b'], ['c']],
      tie_rule: TIE_RULE,
    });
  });
  it('has no runner-up when the best beats everyone confidently', () => {
    const ranks = rankSummary(m);
    const pairs = pairwiseComparisons(m, { rope: 0.1, threshold: 0.7, scope: 'overall' });
    expect(recommend(ranks, pairs).runner_up).toBeNull();
  });
});

describe('tie groups', () => {
  // 4 draws, ROPE 0.5, threshold 0.95 (all 4 draws must agree for a decision)
  const m = fromColumns(
    ['a', 'b', 'c', 'd', 'e'],
    [
      [10, 10, 10, 10],
      [9.8, 10.2, 9.9, 10.1], // a - b = .2, -.2, .1, -.1: practically equal
      [9, 9, 9, 9.8], // a - c = 1, 1, 1, .2: P(a better) = .75, inconclusive
      [5, 5.5, 5, 5], // a - d > 4.5 always: a better
      [4.8, 5.3, 5.2, 4.9], // d - e = .2, .2, -.2, .1: practically equal; a - e > 4.7: a better
    ],
  );
  const ranks = rankSummary(m);

  it('groups the best with everything not confidently worse, then the rest the same way', () => {
    // P(best): a 0.5, b 0.5; expected rank a 1.5, b 1.5: the tie goes to the first, a
    // expected ranks: c 3, d 4.25 (draw 3: e 5.2 > d 5), e 4.75
    expect(Array.from(ranks.expectedRank)).toEqual([1.5, 1.5, 3, 4.25, 4.75]);
    const pairs = pairwiseComparisons(m, { rope: 0.5, scope: 'overall' });
    expect(tieGroups(ranks, pairs)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    const r = recommend(ranks, pairs);
    expect(r.best).toBe('a');
    expect(r.runner_up).toBe('b');
    expect(r.tie_groups[0]).toEqual(['a', 'b', 'c']);
  });

  it('splits more at a lower threshold', () => {
    // at 0.7, P(a better than c) = .75 decides; c - d >= 3.5 always decides too
    const pairs = pairwiseComparisons(m, { rope: 0.5, threshold: 0.7, scope: 'overall' });
    expect(tieGroups(ranks, pairs)).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
  });

  it('stops after the first group when only pairs with the best were computed', () => {
    const pairs = pairwiseComparisons(m, {
      rope: 0.5,
      scope: 'overall',
      reference: bestIndex(ranks),
    });
    expect(pairs).toHaveLength(4);
    expect(tieGroups(ranks, pairs)).toEqual([['a', 'b', 'c']]);
  });

  it('is the best alone when it beats everyone confidently', () => {
    const pairs = pairwiseComparisons(m, { rope: 0.05, threshold: 0.5, scope: 'overall' });
    // a - b: > .05 in draws 1 and 3 only (.2, .1), < -.05 in 2 and 4: P = .5 each -> a_better at 0.5
    expect(pairs[0].decision).toBe('a_better');
    const groups = tieGroups(ranks, pairs);
    expect(groups[0]).toEqual(['a']);
    expect(recommend(ranks, pairs).runner_up).toBeNull();
    expect(tiedForFirst(groups)).toBe('a alone');
    expect(tiedForFirst([['a', 'b', 'c'], ['d']])).toBe('a, b, c');
    expect(tiedForFirst(undefined)).toBe('-');
    expect(tiedForFirst([['a', 'b', 'c', 'd', 'e', 'f', 'g']])).toBe(
      'a, b, c, d, e, f, ... (7 in all)',
    );
  });
});

describe('default formula adaptation', () => {
  const base = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';
  const none = { hasCategory: false, hasStudy: false, hasSe: false, hasTrials: false };
  it('drops category terms without categories and adds study and se when present', () => {
    expect(adaptFormula(base, none)).toBe(
      'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)',
    );
    expect(adaptFormula(base, { ...none, hasCategory: true, hasStudy: true, hasSe: true })).toBe(
      `score | se(se) ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task) + (1|study)`,
    );
    expect(adaptFormula('score ~ 1', { ...none, hasTrials: true })).toBe(
      'score | trials(trials) ~ 1',
    );
  });
});

describe('formula under --scale task', () => {
  it('leaves out (1|task): task means are 0 after standardizing', () => {
    const base = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)';
    expect(
      adaptFormula(base, {
        hasCategory: false,
        hasStudy: false,
        hasSe: false,
        hasTrials: false,
        taskScaled: true,
      }),
    ).toBe('score ~ 1 + (1|heuristic) + (1|heuristic:task)');
  });
});
