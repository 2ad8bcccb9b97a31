import type { Comparison } from '../analysis/types.js';
import { heuristicOrder, labelMargin, truncateLabel } from './comparison-data.js';
import { formatNumber, formatSignificant } from './format.js';
import { Plot, renderPlot } from './svg.js';

/**
 * Heatmap of each compressed setting's difference to the full cache on each task: columns are
 * tasks (grouped by category), rows the heuristic@budget arms (best overall first), colour and
 * text = posterior mean of (arm - full cache) in the task's own units (higher-is-better
 * orientation: negative = a loss), on a diverging scale centred at 0. The mean of a difference is
 * the difference of the means, so the cells come from the per-task results. Returns '' without a
 * budgets section with a reference arm.
 * @example lossHeatmap(comparison) // '<svg ...' for a KV-cache table with a full-cache row
 */
export function lossHeatmap(c: Comparison): string {
  const ref = c.budgets?.reference;
  if (!ref || c.tasks.length === 0) return '';
  const sign = c.settings?.higher_is_better === false ? -1 : 1;
  const tasks = [...c.tasks].sort(
    (x, y) => (x.category ?? '').localeCompare(y.category ?? '') || x.name.localeCompare(y.name),
  );
  const taskOrder = tasks.map((t) => t.name);
  const order = heuristicOrder(c).filter((h) => h !== ref);
  const data = tasks.flatMap((t) => {
    const full = t.heuristics.find((h) => h.heuristic === ref);
    if (!full) return [];
    return t.heuristics
      .filter((h) => h.heuristic !== ref)
      .map((h) => ({
        task: t.name,
        category: t.category,
        heuristic: h.heuristic,
        diff: sign * (h.mean - full.mean),
      }));
  });
  if (data.length === 0) return '';
  const margin = labelMargin(order);
  const diagonal = Math.ceil(0.72 * labelMargin(taskOrder)) + 24;
  const size = Math.max(36, Math.min(64, Math.floor(560 / taskOrder.length)));
  const extent = Math.max(1e-12, ...data.map((d) => Math.abs(d.diff)));
  return renderPlot({
    ariaLabel: `Per-task difference to ${ref} (full cache)`,
    width: margin + diagonal + size * taskOrder.length,
    height: diagonal + 20 + 26 * order.length,
    marginLeft: margin,
    marginTop: diagonal,
    marginRight: diagonal,
    padding: 0.04,
    x: { domain: taskOrder, axis: 'top', tickRotate: -45, label: null, tickFormat: truncateLabel },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    color: { type: 'diverging', scheme: 'RdBu', domain: [-extent, extent], pivot: 0 },
    marks: [
      Plot.cell(data, {
        x: 'task',
        y: 'heuristic',
        fill: 'diff',
        title: (d) =>
          `${d.task}${d.category ? ` (${d.category})` : ''}: ${d.heuristic} - ${ref} = ${formatNumber(d.diff, 3)}`,
      }),
      Plot.text(data, {
        x: 'task',
        y: 'heuristic',
        text: (d) => formatSignificant(d.diff, 2),
        fill: (d) => (Math.abs(d.diff) > 0.6 * extent ? 'white' : 'black'),
      }),
    ],
  });
}
