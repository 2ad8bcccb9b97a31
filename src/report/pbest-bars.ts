import type { Comparison } from '../analysis/types.js';
import { labelMargin, scopeCells, scopeLabel, truncateLabel } from './comparison-data.js';
import { formatProb } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Options of `pBestBars`. */
export interface PBestBarsOptions {
  /** 'overall' (default), 'category:NAME' or 'task:NAME'. */
  scope?: string;
  width?: number;
}

/**
 * P(best) bars: for each heuristic the posterior probability that it has the best expected score
 * in the scope (the share of draws in which it ranks first; docs/UX.md §3 "P(best) and rank
 * probabilities"), sorted descending, with the value printed next to each bar.
 * Returns '' when the scope is unknown or empty.
 *
 * @example
 * pBestBars(comparison) // overall
 */
export function pBestBars(c: Comparison, options: PBestBarsOptions = {}): string {
  const scope = options.scope ?? 'overall';
  const cells = scopeCells(c, scope);
  if (!cells || cells.length === 0) return '';
  const rows = [...cells].sort(
    (x, y) => y.p_best - x.p_best || x.heuristic.localeCompare(y.heuristic),
  );
  const order = rows.map((r) => r.heuristic);
  return renderPlot({
    ariaLabel: attributeText(`P(best) bars (${scopeLabel(scope)})`),
    width: options.width ?? 640,
    height: 50 + 24 * rows.length,
    marginLeft: labelMargin(order),
    marginRight: 50,
    x: { domain: [0, 1], label: `P(best), ${scopeLabel(scope).toLowerCase()}`, grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    marks: [
      Plot.barX(rows, {
        y: 'heuristic',
        x: 'p_best',
        fill: '#1d4ed8',
        title: (d) => `P(${d.heuristic} is best) = ${formatProb(d.p_best)}`,
      }),
      Plot.text(rows, {
        y: 'heuristic',
        x: 'p_best',
        text: (d) => formatProb(d.p_best),
        textAnchor: 'start',
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
}
