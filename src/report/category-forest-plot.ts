import type { Comparison } from '../analysis/types.js';
import { heuristicOrder, labelMargin, truncateLabel, unitsCaption } from './comparison-data.js';
import { formatNumber } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `categoryForestPlot`. */
export interface CategoryForestPlotOptions {
  width?: number;
}

/** One panel of a faceted forest plot: its name, its heuristics' summaries and its best. */
export interface ForestPanel {
  name: string;
  heuristics: readonly {
    heuristic: string;
    mean: number;
    q5: number;
    q95: number;
    p_best: number;
  }[];
  best: string;
}

/**
 * A forest (dot-and-interval) plot with one panel per scope (task category, backbone...): each
 * heuristic's expected score there (mean and 90% interval), the panel's best in blue, heuristics in
 * the overall order. `what` names the scope in the axis label and tooltips ("category", "backbone").
 * @example facetedForestPlot(c, panels, { aria: 'Forest plot per category', axis: 'Expected score per category', bestIn: 'in category' })
 */
export function facetedForestPlot(
  c: Comparison,
  panels: readonly ForestPanel[],
  text: { aria: string; axis: string; bestIn: (panel: string) => string },
  options: CategoryForestPlotOptions = {},
): string {
  const order = heuristicOrder(c);
  const rows = panels.flatMap((k) =>
    k.heuristics.map((h) => ({ ...h, panel: k.name, best: h.heuristic === k.best })),
  );
  if (rows.length === 0) return '';
  const names = panels.map((k) => k.name);
  return renderPlot({
    ariaLabel: text.aria,
    width: options.width ?? 640,
    height: 40 + names.length * (16 + 20 * order.length),
    marginLeft: labelMargin(order),
    marginRight: Math.min(160, labelMargin(names)),
    x: { label: `${text.axis}, mean and 90% interval; ${unitsCaption(c)}`, grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    fy: { domain: names, label: null, tickFormat: truncateLabel },
    marks: [
      Plot.frame({ stroke: '#e5e7eb' }),
      Plot.ruleY(rows, {
        fy: 'panel',
        y: 'heuristic',
        x1: 'q5',
        x2: 'q95',
        stroke: (d) => (d.best ? '#1d4ed8' : '#374151'),
        strokeWidth: 2,
      }),
      Plot.dot(rows, {
        fy: 'panel',
        y: 'heuristic',
        x: 'mean',
        r: 3.5,
        fill: (d) => (d.best ? '#1d4ed8' : '#111827'),
        title: (d) =>
          `${d.panel} / ${d.heuristic}: mean ${formatNumber(d.mean, 2)}, 90% interval [${formatNumber(d.q5, 2)}, ${formatNumber(d.q95, 2)}], P(best ${text.bestIn(d.panel)}) ${formatNumber(d.p_best, 2)}`,
      }),
    ],
  });
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
  return facetedForestPlot(
    c,
    c.categories,
    {
      aria: 'Forest plot of heuristic effects per task category',
      axis: 'Expected score per category',
      bestIn: () => 'in category',
    },
    options,
  );
}
