import { isStandardized } from '../analysis/from-fit.js';
import type { Comparison } from '../analysis/types.js';
import { heuristicOrder, labelMargin, truncateLabel } from './comparison-data.js';
import { formatNumber } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Options of `taskEffectsPlot`. */
export interface TaskEffectsPlotOptions {
  width?: number;
}

/**
 * Per-task effects around the overall effect (docs/UX.md §3 item 2: "per-task effects shown shrunk
 * toward it"). Each heuristic's effect is its expected score minus the average heuristic's, so
 * task difficulty cancels: the big dot and line are the overall effect (posterior mean and 90%
 * interval, re-centred by the average of the heuristics' means), the small dots the per-task
 * effects (the model's partially pooled cell means, re-centred within each task), coloured by
 * category. Small dots far on both sides of a row are rank flips. Returns '' with `--scale task`
 * (per-task numbers are then in each task's units, the overall ones in sd units) or without tasks.
 *
 * @example taskEffectsPlot(comparison)
 */
export function taskEffectsPlot(c: Comparison, options: TaskEffectsPlotOptions = {}): string {
  if (isStandardized(c.settings?.scale) || c.tasks.length === 0 || c.heuristics.length === 0)
    return '';
  const order = heuristicOrder(c);
  const overallCentre = average(c.heuristics.map((h) => h.mean));
  const overall = c.heuristics.map((h) => ({
    heuristic: h.name,
    effect: h.mean - overallCentre,
    lo: h.q5 - overallCentre,
    hi: h.q95 - overallCentre,
  }));
  const perTask = c.tasks.flatMap((t) => {
    const centre = average(t.heuristics.map((h) => h.mean));
    return t.heuristics.map((h) => ({
      heuristic: h.heuristic,
      task: t.name,
      category: t.category ?? 'all tasks',
      effect: h.mean - centre,
    }));
  });
  if (!Number.isFinite(overallCentre)) return '';
  const categories = [...new Set(perTask.map((d) => d.category))];
  return renderPlot({
    ariaLabel: attributeText('Per-task effects around the overall effect of each heuristic'),
    width: options.width ?? 640,
    height: 80 + 24 * order.length,
    marginTop: 40,
    marginLeft: labelMargin(order),
    marginRight: 20,
    x: { label: 'effect relative to the average heuristic (score units)', grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    color: { type: 'ordinal', domain: categories, scheme: 'observable10', legend: false },
    marks: [
      // a legend of the category colours in the top margin (Plot's own legend would be HTML)
      ...categories.map((k, i) =>
        Plot.text([k], {
          frameAnchor: 'top-left',
          dy: -28,
          dx: i * 110,
          text: (d) => `● ${truncateLabel(d).slice(0, 16)}`,
          fill: (d) => d,
          textAnchor: 'start',
        }),
      ),
      Plot.ruleX([0], { stroke: '#9ca3af' }),
      Plot.dot(perTask, {
        y: 'heuristic',
        x: 'effect',
        r: 2.5,
        fill: 'category',
        fillOpacity: 0.7,
        dy: 6,
        title: (d) => `${d.task} (${d.category}): ${d.heuristic} ${formatNumber(d.effect, 2)}`,
      }),
      Plot.ruleY(overall, {
        y: 'heuristic',
        x1: 'lo',
        x2: 'hi',
        stroke: '#111827',
        strokeWidth: 2,
      }),
      Plot.dot(overall, {
        y: 'heuristic',
        x: 'effect',
        r: 4,
        fill: '#111827',
        title: (d) =>
          `${d.heuristic} overall: ${formatNumber(d.effect, 2)} [${formatNumber(d.lo, 2)}, ${formatNumber(d.hi, 2)}]`,
      }),
    ],
  });
}

function average(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
}
