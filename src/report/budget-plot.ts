import { isStandardized } from '../analysis/from-fit.js';
import type { BudgetCurvePoint, Comparison } from '../analysis/types.js';
import { scopeLabel } from './comparison-data.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/** Options of `budgetCurvePlot`. */
export interface BudgetCurvePlotOptions {
  /** 'overall' (default) or 'category:NAME'. */
  scope?: string;
  width?: number;
}

/**
 * The budget axis of the score-by-budget plots: log scale at the observed budgets when budgets are
 * numbers, else one point per budget label.
 * @example budgetAxis('budget', true, [128, 2048]).type // 'log'
 */
export function budgetAxis(column: string, numeric: boolean, ticks: number[]) {
  return numeric
    ? {
        type: 'log' as const,
        label: `${column} (log scale)`,
        grid: true,
        ticks,
        tickFormat: (v: number) => String(v),
      }
    : { type: 'point' as const, label: column };
}

/**
 * Score against cache budget: one line per method through its posterior means at the observed
 * budgets, each with its 90% interval, on a log budget axis when every budget is a number; the
 * full-cache reference as a horizontal line with its 90% band. Returns '' when the document has no
 * budgets or the scope none.
 * @example budgetCurvePlot(comparison) // '<svg ...' for a table with a budget column
 */
export function budgetCurvePlot(c: Comparison, options: BudgetCurvePlotOptions = {}): string {
  const scope = options.scope ?? 'overall';
  const b = c.budgets;
  if (!b) return '';
  const points = b.curves.filter((p) => p.scope === scope);
  if (points.length === 0) return '';
  const numeric = points.every((p) => Number.isFinite(p.budget_value) && p.budget_value > 0);
  const xOf = (p: BudgetCurvePoint) => (numeric ? p.budget_value : p.budget);
  const refCell = refOf(c, scope, b.reference);
  const units = isStandardized(c.settings?.scale) ? 'sd units' : 'score';
  const marks: Plot.Markish[] = [];
  if (refCell) {
    marks.push(
      Plot.ruleY([refCell.q5, refCell.q95], { stroke: '#6b7280', strokeDasharray: '2,3' }),
      Plot.ruleY([refCell.mean], { stroke: '#111827', strokeWidth: 1.5 }),
      Plot.text([refCell], {
        y: 'mean',
        frameAnchor: 'left',
        textAnchor: 'start',
        text: () => `${b.reference} (full cache)`,
        dx: 4,
        dy: -6,
        fill: '#111827',
      }),
    );
  }
  // with the budget-curve model the grid points between observed budgets draw the smooth curve and
  // its 90% band; dots and interval rules stay at the observed budgets
  const observed = points.filter((p) => p.observed !== false);
  const smooth = b.model === 'curve' && numeric;
  if (smooth) {
    marks.push(
      Plot.areaY(points, {
        x: xOf,
        y1: 'q5',
        y2: 'q95',
        fill: 'heuristic',
        fillOpacity: 0.15,
        z: 'heuristic',
      }),
    );
  }
  marks.push(
    Plot.ruleX(observed, { x: xOf, y1: 'q5', y2: 'q95', stroke: 'heuristic', strokeOpacity: 0.6 }),
    Plot.line(points, {
      x: xOf,
      y: 'mean',
      stroke: 'heuristic',
      ...(smooth ? {} : { marker: 'circle' }),
    }),
    Plot.dot(observed, {
      x: xOf,
      y: 'mean',
      fill: 'heuristic',
      title: (p: BudgetCurvePoint) =>
        `${p.heuristic} at ${p.budget}: ${p.mean.toFixed(2)} [${p.q5.toFixed(2)}, ${p.q95.toFixed(2)}]` +
        (p.loss_vs_full
          ? `; loss vs full ${p.loss_vs_full.mean.toFixed(2)}, P(loss < ROPE) ${p.loss_vs_full.p_within_rope.toFixed(2)}`
          : ''),
    }),
  );
  // each line named at its largest budget (no legend: the SVG stays one element)
  const last = new Map<string, BudgetCurvePoint>();
  for (const p of points) {
    const q = last.get(p.heuristic);
    if (!q || (numeric ? p.budget_value > q.budget_value : true)) last.set(p.heuristic, p);
  }
  marks.push(
    Plot.text([...last.values()], {
      x: xOf,
      y: 'mean',
      text: 'heuristic',
      fill: 'heuristic',
      textAnchor: 'start',
      dx: 8,
    }),
  );
  const ticks = [...new Set(observed.map((p) => p.budget_value))].sort((x, y) => x - y);
  return renderPlot({
    ariaLabel: attributeText(`Score by ${b.column} (${scopeLabel(scope)})`),
    width: options.width ?? 640,
    height: 360,
    marginRight: 110,
    insetLeft: 16,
    insetRight: 16,
    x: budgetAxis(b.column, numeric, ticks),
    y: { label: `${scopeLabel(scope)}: expected score (${units})`, grid: true },
    color: { legend: false },
    marks,
  });
}

/** The reference arm's cell in the scope (overall heuristics, or the category's cells). */
function refOf(
  c: Comparison,
  scope: string,
  reference: string | null,
): { mean: number; q5: number; q95: number } | undefined {
  if (reference === null) return undefined;
  if (scope === 'overall') return c.heuristics.find((h) => h.name === reference);
  const cat = c.categories.find((k) => `category:${k.name}` === scope);
  return cat?.heuristics.find((h) => h.heuristic === reference);
}
