import type { BudgetCurvePoint, Comparison } from '../analysis/types.js';
import { budgetAxis } from './budget-plot.js';
import { facetedForestPlot } from './category-forest-plot.js';
import { truncateLabel, unitsCaption } from './comparison-data.js';
import { formatNumber } from './format.js';
import { attributeText, Plot, renderPlot } from './svg.js';

/**
 * Per-backbone panels: one panel per backbone (the model the heuristics run on). With budgets,
 * each method's score against the cache budget on that backbone (90% intervals) with that
 * backbone's full-cache reference (line and dashed band); without budgets, each heuristic's
 * expected score on that backbone (a forest, the backbone's best in blue). Both read the
 * Comparison's `backbones` section (and `budgets` curves of scope `backbone:NAME`), so a method
 * that wins on one backbone and loses on another shows side by side.
 */

/** Options of the per-backbone plots. */
export interface BackbonePanelOptions {
  width?: number;
}

/** Rows of one panel per backbone. */
const PANEL_HEIGHT = 220;

/**
 * The per-backbone panel of a comparison: the budget curves when the document has curves per
 * backbone, else the forest; '' without a backbone section.
 * @example backbonePanels(comparison) // '<svg ...' with one facet per backbone
 */
export function backbonePanels(c: Comparison, options: BackbonePanelOptions = {}): string {
  return backboneCurvesPlot(c, options) || backboneForestPlot(c, options);
}

/** The curve points of each backbone (scope `backbone:NAME`, observed budgets). */
function backbonePoints(c: Comparison): (BudgetCurvePoint & { backbone: string })[] {
  const b = c.budgets;
  if (!b || !c.backbones) return [];
  const names = new Set(c.backbones.levels.map((l) => l.name));
  return b.curves
    .filter((p) => p.scope.startsWith('backbone:') && p.observed !== false)
    .map((p) => ({ ...p, backbone: p.scope.slice('backbone:'.length) }))
    .filter((p) => names.has(p.backbone));
}

/**
 * Score against cache budget, one panel per backbone: each method's expected score over all tasks
 * on that backbone at each observed budget (dot: posterior mean, rule: 90% interval), on a log
 * budget axis when every budget is a number; the backbone's full-cache reference as a line with
 * its 90% band. '' when the document has no per-backbone curves.
 * @example backboneCurvesPlot(snapkvComparison) // 4 panels, one per LLM
 */
export function backboneCurvesPlot(c: Comparison, options: BackbonePanelOptions = {}): string {
  const b = c.budgets;
  const points = backbonePoints(c);
  if (!b || !c.backbones || points.length === 0) return '';
  const backbones = c.backbones.levels.map((l) => l.name);
  const numeric = points.every((p) => Number.isFinite(p.budget_value) && p.budget_value > 0);
  const xOf = (p: BudgetCurvePoint) => (numeric ? p.budget_value : p.budget);
  const refs = c.backbones.levels.flatMap((l) => {
    const r = b.reference ? l.heuristics.find((h) => h.heuristic === b.reference) : undefined;
    return r ? [{ backbone: l.name, mean: r.mean, q5: r.q5, q95: r.q95 }] : [];
  });
  const band = refs.flatMap((r) => [
    { backbone: r.backbone, y: r.q5 },
    { backbone: r.backbone, y: r.q95 },
  ]);
  const ticks = [...new Set(points.map((p) => p.budget_value))].sort((x, y) => x - y);
  return renderPlot({
    ariaLabel: attributeText(`Score by ${b.column} on each ${c.backbones.column}`),
    width: options.width ?? 640,
    height: 40 + backbones.length * PANEL_HEIGHT,
    marginRight: 130,
    insetLeft: 16,
    insetRight: 16,
    x: budgetAxis(b.column, numeric, ticks),
    y: { label: `Expected score (${unitsCaption(c)})`, grid: true },
    fy: { domain: backbones, label: null, tickFormat: truncateLabel },
    color: { legend: false },
    marks: [
      Plot.frame({ stroke: '#e5e7eb' }),
      Plot.ruleY(band, { y: 'y', fy: 'backbone', stroke: '#6b7280', strokeDasharray: '2,3' }),
      Plot.ruleY(refs, { y: 'mean', fy: 'backbone', stroke: '#111827', strokeWidth: 1.5 }),
      Plot.ruleX(points, {
        x: xOf,
        y1: 'q5',
        y2: 'q95',
        fy: 'backbone',
        stroke: 'heuristic',
        strokeOpacity: 0.6,
      }),
      Plot.line(points, { x: xOf, y: 'mean', fy: 'backbone', stroke: 'heuristic', z: 'heuristic' }),
      Plot.dot(points, {
        x: xOf,
        y: 'mean',
        fy: 'backbone',
        fill: 'heuristic',
        title: (p: BudgetCurvePoint & { backbone: string }) =>
          `${p.backbone} / ${p.heuristic} at ${p.budget}: ${formatNumber(p.mean, 2)} [${formatNumber(p.q5, 2)}, ${formatNumber(p.q95, 2)}]` +
          (p.loss_vs_full
            ? `; loss vs full ${formatNumber(p.loss_vs_full.mean, 2)}, P(loss < ROPE) ${formatNumber(p.loss_vs_full.p_within_rope, 2)}`
            : ''),
      }),
      // each line named at its largest budget in each panel (no legend: one SVG element)
      Plot.text(
        points,
        Plot.selectMaxX({
          x: xOf,
          y: 'mean',
          fy: 'backbone',
          z: 'heuristic',
          text: 'heuristic',
          fill: 'heuristic',
          textAnchor: 'start',
          dx: 8,
        }),
      ),
    ],
  });
}

/**
 * Each heuristic's expected score over all tasks on each backbone, one panel per backbone (dot:
 * posterior mean, rule: 90% interval; the backbone's best in blue), heuristics in the overall
 * order. '' without a backbone section.
 * @example backboneForestPlot(comparison) // '<svg ...' with one facet per backbone
 */
export function backboneForestPlot(c: Comparison, options: BackbonePanelOptions = {}): string {
  const b = c.backbones;
  if (!b || b.levels.length === 0) return '';
  const panels = b.levels.map((l) => {
    // the backbone's best: the largest P(best) there
    let best = 0;
    l.heuristics.forEach((h, i) => {
      if (h.p_best > l.heuristics[best].p_best) best = i;
    });
    return { name: l.name, heuristics: l.heuristics, best: l.heuristics[best]?.heuristic ?? '' };
  });
  return facetedForestPlot(
    c,
    panels,
    {
      aria: attributeText(`Forest plot of heuristic effects on each ${b.column}`),
      axis: `Expected score on each ${b.column}`,
      bestIn: (panel) => `on ${panel}`,
    },
    options,
  );
}
