import type { Comparison } from '../analysis/types.js';
import { cellOrder, heuristicOrder, labelMargin, truncateLabel } from './comparison-data.js';
import { formatNumber, formatSignificant } from './format.js';
import { Plot, renderPlot } from './svg.js';

/** Options of `taskMeansHeatmap`. */
export interface TaskHeatmapOptions {
  width?: number;
}

/**
 * Per-task heatmap of cell means: columns are tasks (grouped by category), rows heuristics (best
 * overall first), colour = the heuristic's rank within the task (by expected rank; dark = first),
 * text = the posterior mean of its expected score there in the task's units. Rank flips (first on
 * one task, last on another) show as colour changes along a row. Returns '' without tasks.
 *
 * @example
 * taskMeansHeatmap(comparison)
 */
export function taskMeansHeatmap(c: Comparison, options: TaskHeatmapOptions = {}): string {
  if (c.tasks.length === 0) return '';
  const tasks = [...c.tasks].sort(
    (x, y) => (x.category ?? '').localeCompare(y.category ?? '') || x.name.localeCompare(y.name),
  );
  const taskOrder = tasks.map((t) => t.name);
  const order = heuristicOrder(c);
  const data = tasks.flatMap((t) =>
    cellOrder(t.heuristics).map((h, i) => ({
      task: t.name,
      category: t.category,
      heuristic: h.heuristic,
      mean: h.mean,
      q5: h.q5,
      q95: h.q95,
      rank: i + 1,
    })),
  );
  if (data.length === 0) return '';
  const nRanks = Math.max(...tasks.map((t) => t.heuristics.length));
  const margin = labelMargin(order);
  // labels rotated by 45 degrees reach up and right by ~0.71 of their length
  const diagonal = Math.ceil(0.72 * labelMargin(taskOrder)) + 24;
  const size = Math.max(36, Math.min(64, Math.floor(560 / taskOrder.length)));
  return renderPlot({
    ariaLabel: 'Per-task heatmap of expected scores',
    width: options.width ?? margin + diagonal + size * taskOrder.length,
    height: diagonal + 20 + 26 * order.length,
    marginLeft: margin,
    marginTop: diagonal,
    marginRight: diagonal,
    padding: 0.04,
    x: {
      domain: taskOrder,
      axis: 'top',
      tickRotate: -45,
      label: null,
      tickFormat: truncateLabel,
    },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    color: {
      type: 'linear',
      domain: [1, Math.max(2, nRanks)],
      range: ['#1d4ed8', '#eff6ff'],
    },
    marks: [
      Plot.cell(data, {
        x: 'task',
        y: 'heuristic',
        fill: 'rank',
        title: (d) =>
          `${d.task}${d.category ? ` (${d.category})` : ''}: ${d.heuristic} rank ${d.rank}, mean ${formatNumber(d.mean, 3)}, 90% interval [${formatNumber(d.q5, 3)}, ${formatNumber(d.q95, 3)}]`,
      }),
      Plot.text(data, {
        x: 'task',
        y: 'heuristic',
        text: (d) => formatSignificant(d.mean, 3),
        fill: (d) => (d.rank <= Math.ceil(nRanks / 3) ? 'white' : 'black'),
      }),
    ],
  });
}
