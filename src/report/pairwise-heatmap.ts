import type { Comparison } from '../analysis/types.js';
import {
  cellOrder,
  comparisonThreshold,
  heuristicOrder,
  labelMargin,
  pairLookup,
  scopeCells,
  scopeLabel,
  truncateLabel,
} from './comparison-data.js';
import { formatProbAt } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Options of `pairwiseHeatmap`. */
export interface PairwiseHeatmapOptions {
  /** 'overall' (default), 'category:NAME' or 'task:NAME'. */
  scope?: string;
  /** Cells at or above it are outlined and bold (a decision); default the comparison's. */
  threshold?: number;
  width?: number;
}

/**
 * Pairwise probability heatmap: cell (row, column) = P(row better than column by more than the
 * ROPE) (docs/UX.md §3 item 3; autorank's posterior maps). Rows and columns are ordered best first;
 * the diagonal is empty. Dark = row very likely better; when a cell and its mirror cell are both
 * pale the difference is mostly inside the ROPE (or undecided). Cells reaching the decision
 * threshold are outlined (orange). Returns '' when the scope has no pairs.
 *
 * @example
 * pairwiseHeatmap(comparison, { scope: 'category:qa' })
 */
export function pairwiseHeatmap(c: Comparison, options: PairwiseHeatmapOptions = {}): string {
  const scope = options.scope ?? 'overall';
  const cells = scopeCells(c, scope);
  const order = cells ? cellOrder(cells).map((h) => h.heuristic) : heuristicOrder(c);
  const lookup = pairLookup(c, scope);
  const threshold = options.threshold ?? comparisonThreshold(c);
  const data: { row: string; col: string; p: number }[] = [];
  for (const row of order) {
    for (const col of order) {
      if (row === col) continue;
      const p = lookup.better(row, col);
      if (Number.isFinite(p)) data.push({ row, col, p });
    }
  }
  if (data.length === 0) return '';
  const margin = labelMargin(order);
  // labels rotated by 45 degrees reach up and right by ~0.71 of their length
  const diagonal = Math.ceil(0.72 * margin) + 20;
  const size = Math.max(28, Math.min(60, Math.floor(520 / order.length)));
  return renderPlot({
    ariaLabel: attributeText(`Pairwise probability heatmap (${scopeLabel(scope)})`),
    width: options.width ?? margin + diagonal + size * order.length,
    height: diagonal + 30 + size * order.length,
    marginLeft: margin,
    marginTop: diagonal,
    marginRight: diagonal,
    padding: 0.04,
    x: {
      domain: order,
      axis: 'top',
      tickRotate: -45,
      label: null,
      tickFormat: truncateLabel,
    },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    // sequential, not diverging: a low P(row better) does not mean the column is better (the
    // difference may sit inside the ROPE); that reading is in the mirror cell
    color: { type: 'linear', domain: [0, 1], scheme: 'Blues' },
    marks: [
      Plot.cell(data, {
        x: 'col',
        y: 'row',
        fill: 'p',
        title: (d) =>
          `${scopeLabel(scope)}: P(${d.row} better than ${d.col} by more than the ROPE) = ${formatProbAt(d.p, threshold)}`,
      }),
      Plot.cell(
        data.filter((d) => d.p >= threshold),
        {
          x: 'col',
          y: 'row',
          fill: 'none',
          stroke: '#f59e0b',
          strokeWidth: 2.5,
          inset: 1.5,
        },
      ),
      Plot.text(data, {
        x: 'col',
        y: 'row',
        text: (d) => formatProbAt(d.p, threshold),
        fill: (d) => (d.p > 0.6 ? 'white' : 'black'),
      }),
    ],
  });
}
