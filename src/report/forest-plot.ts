import type { Comparison } from '../analysis/types.js';
import {
  comparisonRope,
  heuristicOrder,
  labelMargin,
  truncateLabel,
  unitsCaption,
} from './comparison-data.js';
import { formatNumber } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `forestPlot`. */
export interface ForestPlotOptions {
  /** ROPE half-width in score units (default: the comparison's `settings.rope`; none when unknown). */
  rope?: number;
  width?: number;
}

/**
 * Forest plot of each heuristic's overall effect: posterior mean (dot) and 90% interval (line),
 * sorted best first, with a grey band of ± ROPE around the best heuristic's mean, so the
 * heuristics that are practically as good as the best are the ones whose intervals reach into it
 * (docs/UX.md §3 item 2; Kruschke 2018, "Rejecting or accepting parameter values... ROPE").
 *
 * @example
 * const svg = forestPlot(comparison, { rope: 1 }); // '<svg ...>...</svg>'
 */
export function forestPlot(c: Comparison, options: ForestPlotOptions = {}): string {
  if (c.heuristics.length === 0) return '';
  const order = heuristicOrder(c);
  const byName = new Map(c.heuristics.map((h) => [h.name, h]));
  const rows = order.map((name, i) => ({ ...byName.get(name)!, best: i === 0 }));
  const best = rows[0];
  const rope = options.rope ?? comparisonRope(c);
  const spread = Math.max(...rows.map((r) => r.q95)) - Math.min(...rows.map((r) => r.q5));
  const decimals = Math.max(1, Math.min(4, 1 - Math.floor(Math.log10(spread || 1))));
  const marks: Plot.Markish[] = [];
  if (Number.isFinite(rope) && rope > 0) {
    marks.push(
      Plot.rectX([{ x1: best.mean - rope, x2: best.mean + rope }], {
        x1: 'x1',
        x2: 'x2',
        fill: '#d1d5db',
        fillOpacity: 0.6,
        title: () => `ROPE: ${best.name} ± ${formatNumber(rope, decimals)}`,
      }),
      Plot.ruleX([best.mean], { stroke: '#6b7280', strokeDasharray: '3,3' }),
    );
  }
  marks.push(
    Plot.ruleY(rows, {
      y: 'name',
      x1: 'q5',
      x2: 'q95',
      stroke: (d) => (d.best ? '#1d4ed8' : '#374151'),
      strokeWidth: 2,
    }),
    Plot.dot(rows, {
      y: 'name',
      x: 'mean',
      r: 4,
      fill: (d) => (d.best ? '#1d4ed8' : '#111827'),
      title: (d) =>
        `${d.name}: mean ${formatNumber(d.mean, decimals)}, 90% interval [${formatNumber(d.q5, decimals)}, ${formatNumber(d.q95, decimals)}], P(best) ${formatNumber(d.p_best, 2)}`,
    }),
  );
  return renderPlot({
    ariaLabel: 'Forest plot of heuristic effects with ROPE band',
    width: options.width ?? 640,
    height: 50 + 24 * rows.length,
    marginLeft: labelMargin(order),
    marginRight: 20,
    x: { label: `Expected score, mean and 90% interval; ${unitsCaption(c)}`, grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    marks,
  });
}
