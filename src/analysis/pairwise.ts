import { type Decision, decide, differenceProbabilities } from './decision.js';
import { column, type HeuristicDraws } from './matrix.js';
import { summarize90 } from './stats.js';
import type { ComparisonPair } from './types.js';

/** Options of `pairwiseComparisons`. */
export interface PairwiseOptions {
  /** Half-width of the region of practical equivalence, in the draws' units (>= 0). */
  rope: number;
  /** Decision threshold (default 0.95). */
  threshold?: number;
  /** Orientation: when false, A is better when its score is lower (default true). */
  higherIsBetter?: boolean;
  /** 'overall', 'category:NAME' or 'task:NAME'. */
  scope: string;
  /**
   * Only the pairs with this heuristic (index into the names), e.g. the scope's best when there are
   * too many heuristics for every pair (src/analysis/limits.ts `pairPlan`); default: every pair.
   */
  reference?: number;
}

/**
 * Every unordered pair (a before b in the names' order) of heuristics, or only those with
 * `reference`: the draws of
 * d = sign * (a - b), the ROPE probabilities, the decision at the threshold, and the mean and 90%
 * interval of d (higher-is-better orientation).
 * @example
 * pairwiseComparisons(fromColumns(['a', 'b'], [[3, 4], [1, 1]]), { rope: 1, scope: 'overall' })[0]
 * // { a: 'a', b: 'b', scope: 'overall', p_a_better: 1, p_rope: 0, p_b_better: 0, decision: 'a_better', ... }
 */
export function pairwiseComparisons(m: HeuristicDraws, options: PairwiseOptions): ComparisonPair[] {
  const { rope, scope } = options;
  const threshold = options.threshold ?? 0.95;
  const sign = options.higherIsBetter === false ? -1 : 1;
  const H = m.names.length;
  const S = m.nSamples;
  const d = new Float64Array(S);
  const out: ComparisonPair[] = [];
  const ref = options.reference;
  for (let i = 0; i < H; i++) {
    const a = column(m, i);
    for (let j = i + 1; j < H; j++) {
      if (ref !== undefined && i !== ref && j !== ref) continue;
      const b = column(m, j);
      const p = differenceProbabilities(a, b, sign, rope, d);
      const decision: Decision = decide(p, threshold);
      const iv = summarize90(d);
      out.push({
        a: m.names[i],
        b: m.names[j],
        scope,
        ...p,
        decision,
        diff_mean: iv.mean,
        diff_q5: iv.q5,
        diff_q95: iv.q95,
      });
    }
  }
  return out;
}
