/**
 * Small helpers that read a Comparison document (src/analysis/types.ts) the way every report
 * function needs it: the settings used, the heuristic order, the pairwise probabilities by scope.
 */
import { overallCells } from '../analysis/overall-cells.js';
import type { Comparison, ComparisonCell, ComparisonPair } from '../analysis/types.js';

/**
 * Default decision threshold when the document does not state one (0.95, as README.md "bayesbench compare" documents).
 * @example DEFAULT_THRESHOLD // 0.95
 */
export const DEFAULT_THRESHOLD = 0.95;

/**
 * The ROPE half-width the comparison was computed with (`settings.rope`), or NaN when unknown.
 * @example comparisonRope({ ...c, settings: { rope: 1 } }) // 1
 */
export function comparisonRope(c: Comparison): number {
  const r = c.settings?.rope;
  return typeof r === 'number' && Number.isFinite(r) && r >= 0 ? r : Number.NaN;
}

/**
 * The decision threshold of the comparison (`settings.threshold`, default 0.95).
 * @example comparisonThreshold({ ...c, settings: {} }) // 0.95
 */
export function comparisonThreshold(c: Comparison): number {
  const t = c.settings?.threshold;
  return typeof t === 'number' && t > 0 && t < 1 ? t : DEFAULT_THRESHOLD;
}

/**
 * Whether higher scores are better (`settings.higher_is_better`, default true).
 * @example higherIsBetter({ ...c, settings: { higher_is_better: false } }) // false
 */
export function higherIsBetter(c: Comparison): boolean {
  return c.settings?.higher_is_better !== false;
}

/**
 * A caption for the units of heuristic- and category-level numbers (README.md "bayesbench compare": with `--scale task`
 * they are in standard-deviation units, per-task numbers in each task's units).
 * @example unitsCaption({ ...c, settings: { scale: 'task' } }) // 'standard-deviation units (scores standardized per task)'
 */
export function unitsCaption(c: Comparison): string {
  const scale = c.settings?.scale;
  if (scale === 'task') return 'standard-deviation units (scores standardized per task)';
  if (scale === 'metric') return 'standard-deviation units (scores standardized per metric)';
  const unit = c.settings?.score_label ?? c.settings?.score;
  return typeof unit === 'string' && unit ? `score units (${unit})` : 'score units';
}

/**
 * Heuristic names, best first (by expected rank, then P(best), then name).
 * @example heuristicOrder(c)[0] // the heuristic with expected rank closest to 1
 */
export function heuristicOrder(c: Comparison): string[] {
  return [...c.heuristics]
    .sort(
      (x, y) =>
        x.expected_rank - y.expected_rank || y.p_best - x.p_best || x.name.localeCompare(y.name),
    )
    .map((h) => h.name);
}

/**
 * Cells (one scope's per-heuristic results) ordered best first.
 * @example cellOrder(c.categories[0].heuristics)
 */
export function cellOrder(cells: readonly ComparisonCell[]): ComparisonCell[] {
  return [...cells].sort(
    (x, y) =>
      x.expected_rank - y.expected_rank ||
      y.p_best - x.p_best ||
      x.heuristic.localeCompare(y.heuristic),
  );
}

/**
 * The scopes present among the pairs, in the order overall, categories, tasks (each as first seen).
 * @example pairScopes(c) // ['overall', 'category:retrieval', 'task:ListOps', ...]
 */
export function pairScopes(c: Comparison): string[] {
  const seen = new Set<string>();
  const kinds = (s: string) => (s === 'overall' ? 0 : s.startsWith('category:') ? 1 : 2);
  for (const p of c.pairs) seen.add(p.scope);
  return [...seen].sort((x, y) => kinds(x) - kinds(y));
}

/**
 * A readable label of a scope string: 'overall' -> 'Overall', 'category:qa' -> 'Category: qa'.
 * @example scopeLabel('task:ListOps') // 'Task: ListOps'
 */
export function scopeLabel(scope: string): string {
  if (scope === 'overall') return 'Overall';
  if (scope.startsWith('category:')) return `Category: ${scope.slice(9)}`;
  if (scope.startsWith('task:')) return `Task: ${scope.slice(5)}`;
  return scope;
}

/** P(row better than col) lookup for one scope. */
export interface PairLookup {
  /** P(row better than col by more than the ROPE), NaN when the pair is absent. */
  better(row: string, col: string): number;
  /** The pair record of {row, col} in either orientation. */
  pair(row: string, col: string): ComparisonPair | undefined;
}

/**
 * Index the pairs of one scope for O(1) lookups in either orientation.
 * @example pairLookup(c, 'overall').better('A', 'B') // p_a_better of the pair {a: 'A', b: 'B'}
 */
export function pairLookup(c: Comparison, scope: string): PairLookup {
  const map = new Map<string, ComparisonPair>();
  for (const p of c.pairs) if (p.scope === scope) map.set(pairKey(p.a, p.b), p);
  return {
    better(row, col) {
      const direct = map.get(pairKey(row, col));
      if (direct) return direct.p_a_better;
      const reverse = map.get(pairKey(col, row));
      return reverse ? reverse.p_b_better : Number.NaN;
    },
    pair(row, col) {
      return map.get(pairKey(row, col)) ?? map.get(pairKey(col, row));
    },
  };
}

function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

/**
 * Per-scope cells: 'overall' -> the heuristics as cells, 'category:NAME' / 'task:NAME' -> that
 * category's / task's cells; undefined when the scope is unknown.
 * @example scopeCells(c, 'category:qa')?.length
 */
export function scopeCells(c: Comparison, scope: string): ComparisonCell[] | undefined {
  if (scope === 'overall') {
    return overallCells(c);
  }
  if (scope.startsWith('category:')) {
    return c.categories.find((k) => k.name === scope.slice(9))?.heuristics;
  }
  if (scope.startsWith('task:')) return c.tasks.find((t) => t.name === scope.slice(5))?.heuristics;
  return undefined;
}

/**
 * Left margin (px) that fits the longest label at Plot's 10px system-ui font (about 6 px per
 * character), clamped to [40, 260]; longer labels are truncated by `truncateLabel`.
 * @example labelMargin(['a', 'performer']) // 64
 */
export function labelMargin(labels: readonly string[], extra = 10): number {
  let longest = 0;
  for (const l of labels) longest = Math.max(longest, Math.min(l.length, MAX_LABEL));
  return Math.max(40, Math.min(260, Math.ceil(longest * 6) + extra));
}

/**
 * Longest label printed on an axis before it is cut with an ellipsis.
 * @example truncateLabel('x'.repeat(MAX_LABEL + 1)).length === MAX_LABEL // true
 */
export const MAX_LABEL = 40;

/**
 * Cut a label to MAX_LABEL characters (axis space is limited; tooltips keep the full name).
 * @example truncateLabel('x'.repeat(50)).length // 40
 */
export function truncateLabel(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 1)}…`;
}
