import type { Table } from '../data/table.js';
import type { ComparisonDesign } from './design.js';

/** The default ROPE half-width and where it comes from, in words (for the note and settings). */
export interface DefaultRope {
  rope: number;
  source: string;
}

/**
 * The default ROPE half-width, chosen so that it does not move with the set of heuristics in the
 * table wherever the metric allows:
 * - scores on a known proportion scale (accuracy, F1... in [0, 1] or [0, 100];
 *   src/analysis/bounded.ts `proportionUpper`): 1% of the scale, one accuracy point, the ROPE of
 *   Benavoli, Corani, Demsar & Zaffalon (2017), "Time for a change: a tutorial for comparing
 *   multiple classifiers through Bayesian analysis", JMLR 18(77), §3.2 (rope 0.01 on accuracy);
 * - otherwise: 0.1 times the pooled within-task standard deviation of the scores,
 *   sqrt(sum_t sum_i (y_ti - ybar_t)^2 / sum_t (n_t - 1)), Kruschke's (2018) "half of a small
 *   effect" and autorank's default of 0.1 in effect-size units (docs/UX.md §3). This one depends on
 *   which heuristics are in the table (one poor heuristic widens it), and the source says so. With
 *   `--scale task` the scores are in standard-deviation units and it is ~0.1.
 * The rope is NaN when no task has two finite scores (data rule).
 * @example defaultRope(Float64Array.from([1, 3, 10, 12]), design, 0).rope // 0.1 * sqrt((2 + 2) / 2)
 * @example defaultRope(scores, design, 100).rope // 1
 */
export function defaultRope(
  scores: ArrayLike<number>,
  design: ComparisonDesign,
  proportionUpper: number,
): DefaultRope {
  if (proportionUpper > 0) {
    return {
      rope: 0.01 * proportionUpper,
      source: `1% of the proportion scale [0, ${proportionUpper}], Benavoli et al. 2017`,
    };
  }
  return {
    rope: pooledWithinTaskSd(scores, design) * 0.1,
    source:
      '0.1 x the pooled within-task standard deviation of the scores; it depends on which heuristics are in the table, set --rope to fix it',
  };
}

/**
 * Pooled within-task standard deviation of the scores; NaN when no task has two finite scores.
 * @example pooledWithinTaskSd(Float64Array.from([1, 3, 10, 12]), design) // sqrt((2 + 2) / 2)
 */
export function pooledWithinTaskSd(scores: ArrayLike<number>, design: ComparisonDesign): number {
  const T = design.tasks.length;
  const sum = new Float64Array(T);
  const n = new Float64Array(T);
  for (let i = 0; i < design.nRows; i++) {
    const t = design.rowTask[i];
    if (t < 0 || !Number.isFinite(scores[i])) continue;
    sum[t] += scores[i];
    n[t]++;
  }
  const ss = new Float64Array(T);
  for (let i = 0; i < design.nRows; i++) {
    const t = design.rowTask[i];
    if (t < 0 || !Number.isFinite(scores[i])) continue;
    ss[t] += (scores[i] - sum[t] / n[t]) ** 2;
  }
  let num = 0;
  let den = 0;
  for (let t = 0; t < T; t++) {
    if (n[t] >= 2) {
      num += ss[t];
      den += n[t] - 1;
    }
  }
  return den > 0 ? Math.sqrt(num / den) : Number.NaN;
}

/** Per-task center (mean) and scale (sd) used by `--scale task`; scale 1 for a constant task. */
export interface TaskScale {
  center: Float64Array;
  scale: Float64Array;
}

/**
 * Mean and standard deviation of the scores of each task (for `--scale task`): y' = (y - mean) / sd.
 * A task with one score or zero spread gets scale 1 (and, when every score is the same, that score
 * as its center, exactly) so it stays finite.
 * @example taskScales(Float64Array.from([1, 3]), design).scale[0] // Math.SQRT2
 */
export function taskScales(scores: ArrayLike<number>, design: ComparisonDesign): TaskScale {
  const T = design.tasks.length;
  const groups: number[][] = Array.from({ length: T }, () => []);
  for (let i = 0; i < design.nRows; i++) {
    const t = design.rowTask[i];
    if (t >= 0 && Number.isFinite(scores[i])) groups[t].push(scores[i]);
  }
  const center = new Float64Array(T);
  const scale = new Float64Array(T);
  groups.forEach((g, t) => {
    // all scores identical: center on that value exactly. The mean of n copies of x is not always
    // x in floating point (3 x 0.1 / 3 = 0.10000000000000002), and the rounding error's "variance"
    // (~1e-34) made a scale of ~1e-17 that blew rounding noise up to unit-size differences.
    if (g.length > 0 && g.every((x) => x === g[0])) {
      center[t] = g[0];
      scale[t] = 1;
      return;
    }
    const m = g.reduce((a, b) => a + b, 0) / Math.max(1, g.length);
    const v = g.length > 1 ? g.reduce((a, b) => a + (b - m) ** 2, 0) / (g.length - 1) : 0;
    center[t] = m;
    scale[t] = v > 0 ? Math.sqrt(v) : 1;
  });
  return { center, scale };
}

/**
 * The metric of each task (index into the metric column's levels; 0 for every task when the table
 * has no metric column). A task reported under two metrics takes the one of its first row.
 * @example taskMetrics(longbench, design) // Int32Array [2, 2, 5, ...]
 */
export function taskMetrics(table: Table, design: ComparisonDesign): Int32Array {
  const out = new Int32Array(design.tasks.length).fill(-1);
  const m = table.columns.metric;
  for (let i = 0; i < design.nRows; i++) {
    const t = design.rowTask[i];
    if (t < 0 || out[t] >= 0) continue;
    out[t] = m?.type === 'factor' ? Math.max(0, m.codes[i]) : 0;
  }
  return out.map((k) => Math.max(0, k));
}

/**
 * Per-metric scales (for `--scale metric`, the default with several metrics): each task centred
 * on its mean as in `taskScales`, and divided by the pooled within-task standard deviation of all
 * tasks of its metric. Unlike per-task standardization, a task where the heuristics barely differ
 * is not blown up to unit spread: tasks of one metric keep their relative spreads, and only the
 * metrics' units are made comparable. A metric without within-task spread gets scale 1.
 * @example metricScales([1, 3, 10, 14], design, Int32Array.from([0, 0])).scale // both sqrt((2 + 8) / 2)
 */
export function metricScales(
  scores: ArrayLike<number>,
  design: ComparisonDesign,
  metricOfTask: Int32Array,
): TaskScale {
  const { center } = taskScales(scores, design);
  const M = metricOfTask.reduce((a, k) => Math.max(a, k + 1), 0);
  const ss = new Float64Array(M);
  const df = new Float64Array(M);
  const n = new Float64Array(design.tasks.length);
  for (let i = 0; i < design.nRows; i++) {
    const t = design.rowTask[i];
    if (t < 0 || !Number.isFinite(scores[i])) continue;
    n[t]++;
    ss[metricOfTask[t]] += (scores[i] - center[t]) ** 2;
  }
  n.forEach((k, t) => {
    if (k >= 2) df[metricOfTask[t]] += k - 1;
  });
  const scale = new Float64Array(design.tasks.length);
  metricOfTask.forEach((k, t) => {
    const sd = df[k] > 0 ? Math.sqrt(ss[k] / df[k]) : 0;
    scale[t] = sd > 0 ? sd : 1;
  });
  return { center, scale };
}
