import type { Comparison, ComparisonCell } from './types.js';

/**
 * The overall heuristic rows of a Comparison in the shape of per-category and per-task cells, so
 * tables and plots treat every scope alike.
 *
 * @example overallCells(comparison)[0].heuristic // the best heuristic's name
 */
export function overallCells(c: Pick<Comparison, 'heuristics'>): ComparisonCell[] {
  return c.heuristics.map((h) => ({
    heuristic: h.name,
    mean: h.mean,
    q5: h.q5,
    q95: h.q95,
    p_best: h.p_best,
    expected_rank: h.expected_rank,
    ...(h.rank_q5 !== undefined ? { rank_q5: h.rank_q5, rank_q95: h.rank_q95 } : {}),
  }));
}
