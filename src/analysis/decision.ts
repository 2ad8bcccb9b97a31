/**
 * ROPE decisions (Kruschke 2018, "Rejecting or accepting parameter values in Bayesian estimation";
 * the (left, rope, right) triple of baycomp, Benavoli et al. 2017, JMLR 18(77) section 3): from the
 * draws of a difference d = A - B (in higher-is-better orientation) and a region of practical
 * equivalence [-rope, rope], P(A better) = P(d > rope), P(rope) = P(|d| <= rope),
 * P(B better) = P(d < -rope); a decision is made when one of the three reaches the threshold.
 * An undecided pair is graded by its direction, P(A > B) = P(d > 0) with no ROPE: 'probably_a'
 * when it is at least PROBABLE (0.9), 'probably_b' when at most 1 - PROBABLE, else 'inconclusive',
 * so that P(A > B) = 0.99 and 0.5 no longer print the same word.
 */

/** What a pairwise comparison concludes; only the first three are confident decisions. */
export type Decision =
  | 'a_better'
  | 'b_better'
  | 'equivalent'
  | 'probably_a'
  | 'probably_b'
  | 'inconclusive';

/** P(A > B) at or above this (or at or below 1 - this) grades an undecided pair 'probably A/B'. */
export const PROBABLE = 0.9;

/** The three probabilities of a ROPE comparison; they sum to 1. */
export interface RopeProbabilities {
  p_a_better: number;
  p_rope: number;
  p_b_better: number;
}

/** The ROPE probabilities and the direction P(A > B) (no ROPE; ties count half). */
export interface PairProbabilities extends RopeProbabilities {
  p_a_greater: number;
}

/**
 * P(d > rope), P(|d| <= rope), P(d < -rope) and P(d > 0) + P(d = 0) / 2 from the same draws of a
 * difference d (a draw with d exactly 0 favours neither side, so it counts half).
 * @example ropeProbabilities(Float64Array.from([-2, 0, 1, 3]), 0.5)
 * // { p_a_better: 0.5, p_rope: 0.25, p_b_better: 0.25, p_a_greater: 0.625 }
 */
export function ropeProbabilities(diff: ArrayLike<number>, rope: number): PairProbabilities {
  const n = diff.length;
  let above = 0;
  let below = 0;
  let positive = 0;
  let zero = 0;
  for (let i = 0; i < n; i++) {
    const d = diff[i];
    if (d > rope) above++;
    else if (d < -rope) below++;
    if (d > 0) positive++;
    else if (d === 0) zero++;
  }
  return fromCounts(above, below, positive, zero, n);
}

/**
 * The draws of a difference, d[i] = sign * (a[i] - b[i]), written into `d`, and their
 * `ropeProbabilities`, in one pass (pairs, leave-one-task-out and budget crossings all need both).
 * @example differenceProbabilities(Float64Array.of(3, 1), Float64Array.of(1, 1), 1, 0.5, new Float64Array(2))
 * // { p_a_better: 0.5, p_rope: 0.5, p_b_better: 0, p_a_greater: 0.75 }
 */
export function differenceProbabilities(
  a: Float64Array,
  b: Float64Array,
  sign: number,
  rope: number,
  d: Float64Array,
): PairProbabilities {
  const n = d.length;
  let above = 0;
  let below = 0;
  let positive = 0;
  let zero = 0;
  for (let i = 0; i < n; i++) {
    const x = sign * (a[i] - b[i]);
    d[i] = x;
    if (x > rope) above++;
    else if (x < -rope) below++;
    if (x > 0) positive++;
    else if (x === 0) zero++;
  }
  return fromCounts(above, below, positive, zero, n);
}

function fromCounts(
  above: number,
  below: number,
  positive: number,
  zero: number,
  n: number,
): PairProbabilities {
  return {
    p_a_better: above / n,
    p_rope: (n - above - below) / n,
    p_b_better: below / n,
    p_a_greater: (positive + 0.5 * zero) / n,
  };
}

/**
 * The decision at a threshold: 'a_better' when P(A better) >= threshold, 'b_better' when
 * P(B better) >= threshold, 'equivalent' when P(rope) >= threshold; otherwise graded by the
 * direction: 'probably_a' when P(A > B) >= PROBABLE, 'probably_b' when P(A > B) <= 1 - PROBABLE,
 * else (or without p_a_greater, e.g. a document from before it existed) 'inconclusive'.
 * @example decide({ p_a_better: 0.97, p_rope: 0.02, p_b_better: 0.01 }, 0.95) // 'a_better'
 * @example decide({ p_a_better: 0.6, p_rope: 0.4, p_b_better: 0, p_a_greater: 0.93 }) // 'probably_a'
 */
export function decide(
  p: RopeProbabilities & { p_a_greater?: number },
  threshold = 0.95,
): Decision {
  if (p.p_a_better >= threshold) return 'a_better';
  if (p.p_b_better >= threshold) return 'b_better';
  if (p.p_rope >= threshold) return 'equivalent';
  const g = p.p_a_greater;
  // 1e-12 absorbs the rounding of counts / S, e.g. 1 - 0.9 computed as 0.09999999999999998
  if (g !== undefined && g >= PROBABLE - 1e-12) return 'probably_a';
  if (g !== undefined && g <= 1 - PROBABLE + 1e-12) return 'probably_b';
  return 'inconclusive';
}

/** Whether a decision is confident (one of the three ROPE probabilities reached the threshold). */
export function isConfident(decision: string): boolean {
  return decision === 'a_better' || decision === 'b_better' || decision === 'equivalent';
}

/**
 * The same comparison seen from B's side: 'a_better' <-> 'b_better', 'probably_a' <-> 'probably_b'.
 * @example swapDecision('probably_a') // 'probably_b'
 */
export function swapDecision(decision: string): string {
  const swapped: Record<string, string> = {
    a_better: 'b_better',
    b_better: 'a_better',
    probably_a: 'probably_b',
    probably_b: 'probably_a',
  };
  return swapped[decision] ?? decision;
}

/**
 * The words of a decision, e.g. 'A better', 'probably A', 'inconclusive', 'practically equal'.
 * @example decisionWords('probably_b', 'performer', 'linformer') // 'probably linformer'
 */
export function decisionWords(decision: string, a: string, b: string): string {
  switch (decision) {
    case 'a_better':
      return `${a} better`;
    case 'b_better':
      return `${b} better`;
    case 'probably_a':
      return `probably ${a}`;
    case 'probably_b':
      return `probably ${b}`;
    case 'equivalent':
      return 'practically equal';
    default:
      return 'inconclusive';
  }
}
