import { labelMargin, truncateLabel } from './comparison-data.js';
import { formatNumber } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** One task's difference A - B: the posterior (mean, 90% interval) and the paired items' mean. */
export interface ItemDiffRow {
  task: string;
  mean: number;
  q5: number;
  q95: number;
  /** Mean of A - B over the task's paired items in the data (NaN without paired items). */
  observed: number;
}

/**
 * Per-task paired differences of two heuristics (the item-level page of a paired item model fit):
 * per task the posterior mean and 90% interval of A - B (black dot and line) and the mean
 * difference over the task's paired items in the data (open red circle), with a rule at 0.
 * Intervals right of 0 favour A. Returns '' without tasks or finite values.
 *
 * @example itemDiffPlot([{ task: 'arc_easy', mean: -0.28, q5: -0.5, q95: -0.05, observed: -0.33 }], { a: 'snapkv', b: 'full_kv' })
 */
export function itemDiffPlot(
  rows: readonly ItemDiffRow[],
  labels: { a: string; b: string },
  options: { width?: number } = {},
): string {
  const shown = rows.filter((r) => Number.isFinite(r.mean));
  if (shown.length === 0) return '';
  const order = shown.map((r) => r.task);
  const observed = shown.filter((r) => Number.isFinite(r.observed));
  const title = `${truncateLabel(labels.a)} minus ${truncateLabel(labels.b)}`;
  return renderPlot({
    ariaLabel: attributeText(`Per-task difference, ${title}`),
    width: options.width ?? 640,
    height: 70 + 24 * order.length,
    marginLeft: labelMargin(order),
    marginRight: 20,
    x: { label: `${title} (score units)`, grid: true },
    y: { domain: order, label: null, tickFormat: truncateLabel },
    marks: [
      Plot.ruleX([0], { stroke: '#9ca3af' }),
      Plot.ruleY(shown, { y: 'task', x1: 'q5', x2: 'q95', stroke: '#111827', strokeWidth: 2 }),
      Plot.dot(shown, {
        y: 'task',
        x: 'mean',
        r: 4,
        fill: '#111827',
        title: (d: ItemDiffRow) =>
          `${d.task}: ${formatNumber(d.mean, 3)} [${formatNumber(d.q5, 3)}, ${formatNumber(d.q95, 3)}]`,
      }),
      Plot.dot(observed, {
        y: 'task',
        x: 'observed',
        r: 4,
        stroke: '#dc2626',
        fill: 'none',
        title: (d: ItemDiffRow) => `${d.task}: paired items' mean ${formatNumber(d.observed, 3)}`,
      }),
    ],
  });
}
