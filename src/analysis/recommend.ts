import type { HeuristicDraws } from './matrix.js';
import { type RankSummary, rankSummary } from './ranks.js';
import type { ComparisonPair } from './types.js';

/** One row of the recommendation table. */
export interface Recommendation {
  best: string;
  p_best: number;
  /** The best other heuristic the data cannot yet tell apart from `best`, or null. */
  runner_up: string | null;
  /**
   * Groups that cannot be told apart, best group first; tie_groups[0] is "tied for first" (the
   * best, then the runner-up, ...). See `tieGroups` and TIE_RULE.
   */
  tie_groups: string[][];
  /** The rule of tie_groups in words (TIE_RULE). */
  tie_rule: string;
}

/** The rule of `tieGroups`, stated in the JSON next to the groups. */
export const TIE_RULE =
  'group 1 (tied for first): the best heuristic and every other whose pairwise decision against ' +
  'it is not a confident "best is better" (at the ROPE and threshold); each next group: the same ' +
  'around the remaining heuristic with the lowest expected rank; groups stop where the pairs ' +
  'needed were not computed (pair limits)';

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
 * The index of the scope's best heuristic as `bestIndex(rankSummary(m, higherIsBetter))` finds it
 * (highest P(best), ties: lower expected rank, then order) and its P(best), from one argmax per
 * draw instead of a full ranking: O(S x H) instead of O(S x H^2). The full ranking is computed only
 * when P(best) ties at the top (then the expected ranks decide).
 * @example bestOf(fromColumns(['a', 'b'], [[1, 3], [2, 4]]), true) // { index: 1, pBest: 1 }
 */
export function bestOf(m: HeuristicDraws, higherIsBetter = true): { index: number; pBest: number } {
  const H = m.names.length;
  const S = m.nSamples;
  const wins = new Float64Array(H);
  // NaN draws: the full ranking's order (insertion sort) is the reference
  let tied = !firstCounts(m.values, S, H, higherIsBetter ? 1 : -1, wins);
  let b = 0;
  for (let h = 1; h < H; h++) {
    if (wins[h] > wins[b]) {
      b = h;
      tied = false;
    } else if (wins[h] === wins[b]) tied = true;
  }
  if (tied) {
    const ranks = rankSummary(m, higherIsBetter);
    const i = bestIndex(ranks);
    return { index: i, pBest: ranks.pBest[i] };
  }
  return { index: b, pBest: wins[b] / S };
}

/**
 * wins[h] += the number of draws in which h ranks first (ties: the lower index, as rankCounts);
 * false when a draw is NaN.
 */
function firstCounts(
  values: Float64Array,
  S: number,
  H: number,
  sign: number,
  wins: Float64Array,
): boolean {
  let finite = true;
  for (let s = 0; s < S; s++) {
    let best = 0;
    let top = sign * values[s];
    if (Number.isNaN(top)) finite = false;
    for (let h = 1; h < H; h++) {
      const v = sign * values[s + S * h];
      if (v > top) {
        top = v;
        best = h;
      } else if (Number.isNaN(v)) finite = false;
    }
    wins[best] += 1;
  }
  return finite;
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
  const b = bestIndex(ranks);
  const groups = tieGroups(ranks, pairs);
  // the first group is the best, then the others in expected-rank order: the runner-up is second
  const runner = groups[0].length > 1 ? groups[0][1] : null;
  return {
    best: ranks.names[b],
    p_best: ranks.pBest[b],
    runner_up: runner,
    tie_groups: groups,
    tie_rule: TIE_RULE,
  };
}

/**
 * Groups of heuristics the data cannot tell apart (TIE_RULE). The first is "tied for first": the
 * best (bestIndex) and every heuristic whose pairwise decision against it is not a confident
 * "best is better"; members after the leader in expected-rank order, so the second member is the
 * recommendation's runner-up. Each next group is formed the same way around the remaining
 * heuristic with the lowest expected rank, so every heuristic of a later group is confidently worse
 * than the leader of each earlier group. A group is anchored on its leader: two members of the
 * same group may be confidently different from each other (pairwise decisions are not
 * transitive). Where a needed pair is missing (only pairs with the best were computed), the
 * groups stop after the last complete one.
 *
 * Why pairwise decisions and not overlapping rank intervals: overlap of two 90% intervals is not
 * a test of their difference (Schenker & Gentleman 2001, "On judging the significance of
 * differences by examining the overlap between confidence intervals", Am. Stat. 55(3)), and the
 * pairwise rule is the one the recommendation's runner-up already uses. Grouping a leader with
 * everything not separable from it follows leaderboards that rank by "how many are confidently
 * better" (Chiang et al. 2024, Chatbot Arena) and the league-table cautions of Goldstein &
 * Spiegelhalter 1996 (JRSS A 159(3)).
 * @example
 * tieGroups(ranks, pairs) // [['performer', 'linformer'], ['reformer']]
 */
export function tieGroups(ranks: RankSummary, pairs: readonly ComparisonPair[]): string[][] {
  const H = ranks.names.length;
  const key = (x: string, y: string) => `${x}\u0000${y}`;
  const byPair = new Map<string, ComparisonPair>();
  for (const p of pairs) {
    byPair.set(key(p.a, p.b), p);
    byPair.set(key(p.b, p.a), p);
  }
  const byRank = (x: number, y: number) => ranks.expectedRank[x] - ranks.expectedRank[y] || x - y;
  let remaining = Array.from({ length: H }, (_, h) => h).sort(byRank);
  const groups: string[][] = [];
  let leader = bestIndex(ranks);
  while (remaining.length > 0) {
    const lead = ranks.names[leader];
    const group = [leader];
    const rest: number[] = [];
    let complete = true;
    for (const h of remaining) {
      if (h === leader) continue;
      const pair = byPair.get(key(lead, ranks.names[h]));
      if (!pair) {
        complete = false;
        group.push(h); // counted as not separable, as the runner-up does
      } else if (confidentlyBetter(pair, lead)) rest.push(h);
      else group.push(h);
    }
    // the first group is always given (its pairs are the ones a pair limit keeps)
    if (!complete && groups.length > 0) break;
    groups.push(group.map((h) => ranks.names[h]));
    if (!complete) break;
    remaining = rest;
    leader = rest[0];
  }
  return groups;
}
