import type { Comparison } from '../analysis/types.js';
import { heuristicOrder, labelMargin, truncateLabel, unitsCaption } from './comparison-data.js';
import { formatNumber } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `categoryForestPlot`. */
export interface CategoryForestPlotOptions {
  width?: number;
}

/**
 * Per-category forest (dot-and-interval) plot: one panel per task category, each heuristic's
 * expected score in that category (mean and 90% interval), the category's best in blue. This is
 * where "a decay heuristic wins on conversational tasks and loses on dense documents" shows.
 * Returns '' when the comparison has no categories.
 *
 * @example
 * categoryForestPlot(comparison) // '<svg ...>' with one facet label per category
 */
export function categoryForestPlot(c: Comparison, options: CategoryForestPlotOptions = {}): string {
  if (c.categories.length === 0) return '';
  const order = heuristicOrder(c);
  const rows = c.categories.flatMap((k) =>
    k.heuristics.map((h) => ({ ...h, category: k.name, best: h.heuristic === k.best })),
  );
  if (rows.length === 0) return '';
  const categories = c.categories.map((k) => k.name);
  return renderPlot({
    ariaLabel: 'Forest plot of heuristic effects per task category',
    width: options.width ?? 640,
    height: 40 + categories.length * (16 + 20 * order.length),
    marginLeft: labelMargin(order),
    marginRight: Math.min(160, labelMargin(categories)),
    x: {
      label: `Expected score per category, mean and 90% interval; ${unitsCaption(c)}`,
      grid: true,
    },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    fy: { domain: categories, label: null, tickFormat: truncateLabel },
    marks: [
      Plot.frame({ stroke: '#e5e7eb' }),
      Plot.ruleY(rows, {
        fy: 'category',
        y: 'heuristic',
        x1: 'q5',
        x2: 'q95',
        stroke: (d) => (d.best ? '#1d4ed8' : '#374151'),
        strokeWidth: 2,
      }),
      Plot.dot(rows, {
        fy: 'category',
        y: 'heuristic',
        x: 'mean',
        r: 3.5,
        fill: (d) => (d.best ? '#1d4ed8' : '#111827'),
        title: (d) =>
          `${d.category} / ${d.heuristic}: mean ${formatNumber(d.mean, 2)}, 90% interval [${formatNumber(d.q5, 2)}, ${formatNumber(d.q95, 2)}], P(best in category) ${formatNumber(d.p_best, 2)}`,
      }),
    ],
  });
}
