import type { Comparison } from '../analysis/types.js';
import { heuristicOrder, labelMargin, truncateLabel } from './comparison-data.js';
import { formatProb } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `rankProbabilityHeatmap`. */
export interface RankHeatmapOptions {
  width?: number;
}

/**
 * Rank-probability heatmap: cell (heuristic, r) = P(heuristic has rank r) overall (1 = best),
 * rows ordered by expected rank. A sharp diagonal means the ranking is settled; smeared rows mean
 * it is not (docs/UX.md §3 item 4). Returns '' when the document has no rank probabilities.
 *
 * @example
 * rankProbabilityHeatmap(comparison)
 */
export function rankProbabilityHeatmap(c: Comparison, options: RankHeatmapOptions = {}): string {
  const table = c.rank_probabilities;
  if (!table || table.length === 0) return '';
  const known = new Set(table.map((t) => t.heuristic));
  const order = [
    ...heuristicOrder(c).filter((h) => known.has(h)),
    ...table.map((t) => t.heuristic).filter((h) => !c.heuristics.some((x) => x.name === h)),
  ];
  const data = table.flatMap((t) =>
    t.p.map((p, r) => ({ heuristic: t.heuristic, rank: r + 1, p })),
  );
  const nRanks = Math.max(...table.map((t) => t.p.length));
  const ranks = Array.from({ length: nRanks }, (_, i) => i + 1);
  const margin = labelMargin(order);
  const size = Math.max(28, Math.min(56, Math.floor(520 / nRanks)));
  return renderPlot({
    ariaLabel: 'Rank probability heatmap',
    width: options.width ?? Math.max(320, margin + 20 + size * nRanks),
    height: 60 + 26 * order.length,
    marginLeft: margin,
    marginRight: 20,
    padding: 0.04,
    x: { domain: ranks, label: 'rank (1 = best)', axis: 'top' },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    color: { type: 'linear', domain: [0, 1], scheme: 'Blues' },
    marks: [
      Plot.cell(data, {
        x: 'rank',
        y: 'heuristic',
        fill: 'p',
        title: (d) => `P(${d.heuristic} has rank ${d.rank}) = ${formatProb(d.p)}`,
      }),
      Plot.text(data, {
        x: 'rank',
        y: 'heuristic',
        text: (d) => formatProb(d.p),
        fill: (d) => (d.p > 0.6 ? 'white' : 'black'),
      }),
    ],
  });
}
