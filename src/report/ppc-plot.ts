import type { Comparison } from '../analysis/types.js';
import { labelMargin, truncateLabel } from './comparison-data.js';
import { formatNumber, formatProb } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `ppcPlot`. */
export interface PpcPlotOptions {
  width?: number;
}

/**
 * Posterior predictive check per task (Gelman et al., BDA3 §6.3, test statistic T = sd of the
 * task's scores): the line is the 5-95% interval of T over replicated data sets, the dot the
 * observed T, red when it falls outside. A task whose observed spread is far outside says the
 * model's noise assumptions miss something there. Returns '' when no task has a check.
 *
 * @example
 * ppcPlot(comparison)
 */
export function ppcPlot(c: Comparison, options: PpcPlotOptions = {}): string {
  const rows = c.tasks
    .filter((t) => t.ppc)
    .map((t) => {
      const p = t.ppc!;
      const outside = p.observed_sd < p.replicated_sd_q5 || p.observed_sd > p.replicated_sd_q95;
      return { task: t.name, ...p, outside };
    });
  if (rows.length === 0) return '';
  const order = rows.map((r) => r.task);
  return renderPlot({
    ariaLabel: 'Posterior predictive check per task',
    width: options.width ?? 640,
    height: 50 + 22 * rows.length,
    marginLeft: labelMargin(order),
    marginRight: 20,
    x: { label: 'sd of scores: observed (dot) vs replicated 5-95% interval (line)', grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    marks: [
      Plot.ruleY(rows, {
        y: 'task',
        x1: 'replicated_sd_q5',
        x2: 'replicated_sd_q95',
        stroke: '#6b7280',
        strokeWidth: 3,
      }),
      Plot.dot(rows, {
        y: 'task',
        x: 'observed_sd',
        r: 4,
        fill: (d) => (d.outside ? '#dc2626' : '#111827'),
        title: (d) =>
          `${d.task}: observed sd ${formatNumber(d.observed_sd, 3)}, replicated [${formatNumber(d.replicated_sd_q5, 3)}, ${formatNumber(d.replicated_sd_q95, 3)}], posterior predictive p ${formatProb(d.p_value)}`,
      }),
    ],
  });
}
