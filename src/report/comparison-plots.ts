/**
 * All comparison plots of a report at once, as strings, so the web app can render them once per
 * fit (and per ROPE) and store or cache them; the report page then only prints them.
 */
import { COMPARISON_LIMITS } from '../analysis/limits.js';
import type { Comparison } from '../analysis/types.js';
import { backbonePanels } from './backbone-panels.js';
import { budgetCurvePlot } from './budget-plot.js';
import { categoryForestPlot } from './category-forest-plot.js';
import { forestPlot } from './forest-plot.js';
import { lossHeatmap } from './loss-heatmap.js';
import { pairwiseHeatmap } from './pairwise-heatmap.js';
import { pBestBars } from './pbest-bars.js';
import { ppcPlot } from './ppc-plot.js';
import { rankProbabilityHeatmap } from './rank-heatmap.js';
import { taskEffectsPlot } from './task-effects-plot.js';
import { taskMeansHeatmap } from './task-heatmap.js';

/** The comparison plots of a report; '' where the document has no data for one. */
export interface ComparisonPlots {
  forest: string;
  categoryForest: string;
  pairwise: string;
  pBest: string;
  rankProbabilities: string;
  taskMeans: string;
  /** Per-task effects around each heuristic's overall effect ('' with --scale task). */
  taskEffects: string;
  ppc: string;
  /** Score against cache budget, overall ('' without a budget column). */
  budgets?: string;
  /** Each setting minus the full cache on each task ('' without a full-cache reference). */
  budgetLoss?: string;
  /** One panel per backbone: budget curves, or heuristic effects ('' without backbones). */
  backbones?: string;
}

/** Options of `renderComparisonPlots`. */
export interface ComparisonPlotsOptions {
  /** ROPE for the forest plot's band (default: the comparison's). */
  rope?: number;
}

/**
 * Whether the H x H plots (pairwise heatmap, rank probabilities) are drawn: up to the number of
 * heuristics for which the document keeps every pair (src/analysis/limits.ts); past it they would
 * hold H^2 cells (250,000 at 500 heuristics) and the pairs are against the best only anyway.
 * @example squarePlots(comparison) // true for 11 heuristics
 */
export function squarePlots(c: Pick<Comparison, 'heuristics'>): boolean {
  return c.heuristics.length <= COMPARISON_LIMITS.allPairsHeuristics;
}

// Same document object + same rope -> same strings: memoize per object (a WeakMap, so documents
// the caller drops are collected). Callers that rebuild the object each time should store the result.
const memo = new WeakMap<Comparison, Map<string, ComparisonPlots>>();

/**
 * Render every comparison plot (~5-10 ms each). Pure: the same input gives the same strings; the
 * result is memoized per Comparison object and rope.
 *
 * @example
 * const plots = renderComparisonPlots(comparison);
 * store.savePlots(fitId, JSON.stringify(plots)); // web app: once per fit
 */
export function renderComparisonPlots(
  c: Comparison,
  options: ComparisonPlotsOptions = {},
): ComparisonPlots {
  const key = String(options.rope ?? '');
  let byRope = memo.get(c);
  const hit = byRope?.get(key);
  if (hit) return { ...hit };
  const plots: ComparisonPlots = {
    forest: forestPlot(c, { rope: options.rope }),
    categoryForest: categoryForestPlot(c),
    pairwise: squarePlots(c) ? pairwiseHeatmap(c, { scope: 'overall' }) : '',
    pBest: pBestBars(c, { scope: 'overall' }),
    rankProbabilities: squarePlots(c) ? rankProbabilityHeatmap(c) : '',
    taskMeans: taskMeansHeatmap(c),
    taskEffects: taskEffectsPlot(c),
    ppc: ppcPlot(c),
    budgets: budgetCurvePlot(c),
    budgetLoss: lossHeatmap(c),
    backbones: backbonePanels(c),
  };
  if (!byRope) {
    byRope = new Map();
    memo.set(c, byRope);
  }
  byRope.set(key, plots);
  return { ...plots };
}
