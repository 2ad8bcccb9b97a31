import type { RankSummary } from './ranks.js';
import type { ComparisonPair } from './types.js';

/** One row of the recommendation table. */
export interface Recommendation {
  best: string;
  p_best: number;
  /** The best other heuristic the data cannot yet tell apart from `best`, or null. */
  runner_up: string | null;
}

/**
 * Whether the pair says, confidently, that `winner` beats `other` (by more than the ROPE).
 * @example confidentlyBetter({ a: 'x', b: 'y', decision: 'a_better', ... }, 'x') // true
 */
export function confidentlyBetter(pair: ComparisonPair, winner: string): boolean {
  return (
    (pair.a === winner && pair.decision === 'a_better') ||
    (pair.b === winner && pair.decision === 'b_better')
  );
}

/**
 * Index of a scope's best heuristic: the highest P(best), ties broken by the lower expected rank
 * (then by order). `recommend` names it; `pairPlan`'s "against the best" pairs use it.
 * @example bestIndex(rankSummary(m)) // 2
 */
export function bestIndex(ranks: RankSummary): number {
  let b = 0;
  for (let h = 1; h < ranks.names.length; h++) {
    const better =
      ranks.pBest[h] > ranks.pBest[b] ||
      (ranks.pBest[h] === ranks.pBest[b] && ranks.expectedRank[h] < ranks.expectedRank[b]);
    if (better) b = h;
  }
  return b;
}

/**
 * The recommendation for one scope: the heuristic with the highest P(best) (ties: lower expected
 * rank), its P(best), and the runner-up: among the other heuristics whose pairwise decision against
 * the best is not a confident "best is better", the one with the lowest expected rank (null when the
 * best beats every other heuristic confidently).
 * @example
 * recommend(ranks, pairsOfThisScope) // { best: 'performer', p_best: 0.62, runner_up: 'linformer' }
 */
export function recommend(ranks: RankSummary, pairs: readonly ComparisonPair[]): Recommendation {
  const H = ranks.names.length;
  const b = bestIndex(ranks);
  const best = ranks.names[b];
  let runner = -1;
  for (let h = 0; h < H; h++) {
    if (h === b) continue;
    const name = ranks.names[h];
    const pair = pairs.find(
      (p) => (p.a === best && p.b === name) || (p.a === name && p.b === best),
    );
    if (pair && confidentlyBetter(pair, best)) continue;
    if (runner < 0 || ranks.expectedRank[h] < ranks.expectedRank[runner]) runner = h;
  }
  return { best, p_best: ranks.pBest[b], runner_up: runner < 0 ? null : ranks.names[runner] };
}
