import { column, type HeuristicDraws } from './matrix.js';

/**
 * Rank probabilities without a ranking model (UX.md section 3, "P(best) and rank probabilities"):
 * in each posterior draw rank the heuristics' expected scores (rank 1 = best in the stated
 * orientation), then average over draws. Ties within a draw (exactly equal values) are broken by
 * the heuristics' order, which only matters for degenerate draws.
 */
export interface RankSummary {
  names: readonly string[];
  /** P(rank 1) per heuristic. */
  pBest: Float64Array;
  /** Posterior mean rank per heuristic (1 = best). */
  expectedRank: Float64Array;
  /** probabilities[h][r] = P(heuristic h has rank r + 1). */
  probabilities: Float64Array[];
}

/**
 * P(best), expected rank and the full rank-probability table.
 * @example
 * const m = fromColumns(['a', 'b'], [[1, 3], [2, 2]]);
 * rankSummary(m, true).pBest // [0.5, 0.5]
 */
export function rankSummary(m: HeuristicDraws, higherIsBetter = true): RankSummary {
  const H = m.names.length;
  const S = m.nSamples;
  const sign = higherIsBetter ? 1 : -1;
  const counts = Array.from({ length: H }, () => new Float64Array(H));
  const cols = Array.from({ length: H }, (_, h) => column(m, h));
  const order = Array.from({ length: H }, (_, h) => h);
  for (let s = 0; s < S; s++) {
    order.sort((i, j) => sign * (cols[j][s] - cols[i][s]) || i - j);
    for (let r = 0; r < H; r++) counts[order[r]][r] += 1;
  }
  const probabilities = counts.map((c) => c.map((v) => v / S));
  const pBest = Float64Array.from(probabilities, (p) => p[0]);
  const expectedRank = Float64Array.from(probabilities, (p) =>
    p.reduce((acc, v, r) => acc + v * (r + 1), 0),
  );
  return { names: m.names, pBest, expectedRank, probabilities };
}
