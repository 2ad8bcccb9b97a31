/**
 * ROPE decisions (Kruschke 2018, "Rejecting or accepting parameter values in Bayesian estimation";
 * the (left, rope, right) triple of baycomp, Benavoli et al. 2017, JMLR 18(77) section 3): from the
 * draws of a difference d = A - B (in higher-is-better orientation) and a region of practical
 * equivalence [-rope, rope], P(A better) = P(d > rope), P(rope) = P(|d| <= rope),
 * P(B better) = P(d < -rope); a decision is made when one of the three reaches the threshold.
 */

/** What a pairwise comparison concludes. */
export type Decision = 'a_better' | 'b_better' | 'equivalent' | 'inconclusive';

/** The three probabilities of a ROPE comparison; they sum to 1. */
export interface RopeProbabilities {
  p_a_better: number;
  p_rope: number;
  p_b_better: number;
}

/**
 * P(d > rope), P(|d| <= rope), P(d < -rope) from draws of a difference d.
 * @example ropeProbabilities(Float64Array.from([-2, 0, 1, 3]), 0.5)
 * // { p_a_better: 0.5, p_rope: 0.25, p_b_better: 0.25 }
 */
export function ropeProbabilities(diff: ArrayLike<number>, rope: number): RopeProbabilities {
  const n = diff.length;
  let above = 0;
  let below = 0;
  for (let i = 0; i < n; i++) {
    if (diff[i] > rope) above++;
    else if (diff[i] < -rope) below++;
  }
  return { p_a_better: above / n, p_rope: (n - above - below) / n, p_b_better: below / n };
}

/**
 * The decision at a threshold: 'a_better' when P(A better) >= threshold, 'b_better' when
 * P(B better) >= threshold, 'equivalent' when P(rope) >= threshold, else 'inconclusive'.
 * @example decide({ p_a_better: 0.97, p_rope: 0.02, p_b_better: 0.01 }, 0.95) // 'a_better'
 */
export function decide(p: RopeProbabilities, threshold = 0.95): Decision {
  if (p.p_a_better >= threshold) return 'a_better';
  if (p.p_b_better >= threshold) return 'b_better';
  if (p.p_rope >= threshold) return 'equivalent';
  return 'inconclusive';
}
